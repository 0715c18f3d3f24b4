//! The ordered Merkle tree over chunk leaves (RFC 6962 shape, BioNFT domain bytes).
//!
//! For `n` leaves: the root of one leaf is the leaf; for `n > 1`, with `k` the largest power of two
//! below `n`, `root(L[0..n]) = SHA-256(0x02 ‖ root(L[0..k]) ‖ root(L[k..n]))`. The root of no
//! leaves is `SHA-256("")`. An inclusion proof is the RFC 6962 audit path, bottom-up.

use sha2::{Digest, Sha256};

pub type Hash = [u8; 32];

const NODE: u8 = 0x02;

fn node(left: &Hash, right: &Hash) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([NODE]);
    hasher.update(left);
    hasher.update(right);
    hasher.finalize().into()
}

fn split(n: usize) -> usize {
    debug_assert!(n > 1);
    1 << (usize::BITS - 1 - (n - 1).leading_zeros())
}

/// The root over `leaves`.
pub fn root(leaves: &[Hash]) -> Hash {
    match leaves {
        [] => Sha256::digest(b"").into(),
        [leaf] => *leaf,
        _ => {
            let k = split(leaves.len());
            node(&root(&leaves[..k]), &root(&leaves[k..]))
        }
    }
}

/// The audit path proving `leaves[index]`, bottom-up.
pub fn audit_path(leaves: &[Hash], index: usize) -> Vec<Hash> {
    assert!(index < leaves.len(), "leaf index out of range");
    let mut path = Vec::new();
    collect_path(leaves, index, &mut path);
    path
}

fn collect_path(leaves: &[Hash], index: usize, path: &mut Vec<Hash>) {
    if leaves.len() <= 1 {
        return;
    }
    let k = split(leaves.len());
    if index < k {
        collect_path(&leaves[..k], index, path);
        path.push(root(&leaves[k..]));
    } else {
        collect_path(&leaves[k..], index - k, path);
        path.push(root(&leaves[..k]));
    }
}

/// Recomputes the root from a leaf, its index, the tree size and its audit path
/// (RFC 9162 §2.1.3.2). `None` when the path does not fit the index and size.
pub fn root_from_path(leaf: &Hash, index: usize, size: usize, path: &[Hash]) -> Option<Hash> {
    if index >= size {
        return None;
    }
    let (mut fn_, mut sn) = (index, size - 1);
    let mut r = *leaf;
    for p in path {
        if sn == 0 {
            return None;
        }
        if fn_ & 1 == 1 || fn_ == sn {
            r = node(p, &r);
            if fn_ & 1 == 0 {
                while fn_ & 1 == 0 && fn_ != 0 {
                    fn_ >>= 1;
                    sn >>= 1;
                }
            }
        } else {
            r = node(&r, p);
        }
        fn_ >>= 1;
        sn >>= 1;
    }
    (sn == 0).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| Sha256::digest(i.to_le_bytes()).into())
            .collect()
    }

    #[test]
    fn small_trees_have_the_rfc6962_shape() {
        let l = leaves(3);
        assert_eq!(root(&l[..1]), l[0]);
        assert_eq!(root(&l[..2]), node(&l[0], &l[1]));
        assert_eq!(root(&l), node(&node(&l[0], &l[1]), &l[2]));
        assert_eq!(root(&[]), <Hash>::from(Sha256::digest(b"")));
    }

    #[test]
    fn every_leaf_of_every_size_proves_against_the_root() {
        for n in 1..=33 {
            let l = leaves(n);
            let r = root(&l);
            for i in 0..n {
                let path = audit_path(&l, i);
                assert_eq!(root_from_path(&l[i], i, n, &path), Some(r), "n={n} i={i}");
            }
        }
    }

    #[test]
    fn a_path_does_not_prove_another_leaf_or_index() {
        let l = leaves(7);
        let r = root(&l);
        let path = audit_path(&l, 2);
        assert_ne!(root_from_path(&l[3], 2, 7, &path), Some(r));
        assert_ne!(root_from_path(&l[2], 3, 7, &path), Some(r));
        assert_eq!(root_from_path(&l[2], 7, 7, &path), None);
        // A path for a tree of another shape does not fit (the size itself is bound by the
        // content digest, which hashes the record count).
        assert_eq!(root_from_path(&l[2], 2, 7, &path[..2]), None);
        assert_ne!(
            root_from_path(&l[6], 6, 7, &audit_path(&l, 6)[..1]),
            Some(r)
        );
    }
}

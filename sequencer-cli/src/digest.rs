//! The digests built from canonical encodings (definitions in [`crate::canonical`]), and the
//! accumulator that folds per-chunk record digests into a file's digests in file order.

use sha2::{Digest, Sha256};
use sha3::Sha3_256;
use std::io;

use crate::canonical::{CanonicalHeader, Kind, CHUNK_RECORDS, SCHEME};
use crate::merkle::{self, Hash};
use crate::unordered::Unordered;

const RECORD_DOMAIN: u8 = 0x00;
const CHUNK_DOMAIN: u8 = 0x01;
const GROUP_DOMAIN: u8 = 0x04;

/// `r = SHA-256(0x00 ‖ kind ‖ encoding)`.
pub fn record_digest(kind: Kind, encoding: &[u8]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update(record_prefix(kind));
    hasher.update(encoding);
    hasher.finalize().into()
}

/// What a record digest hashes before the encoding, `0x00 ‖ kind`: a buffer that starts with
/// it hashes to the record digest with plain SHA-256 (see [`crate::sha256x2`]).
pub fn record_prefix(kind: Kind) -> [u8; 2] {
    [RECORD_DOMAIN, kind.tag()]
}

/// A chunk leaf, `SHA-256(0x01 ‖ r_1 ‖ … ‖ r_n)`.
pub fn chunk_leaf(record_digests: &[Hash]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([CHUNK_DOMAIN]);
    for digest in record_digests {
        hasher.update(digest);
    }
    hasher.finalize().into()
}

/// The content digest string, `bionft-c1:<hex>`.
pub fn content_digest(
    kind: Kind,
    header_digest: &Hash,
    records: u64,
    merkle_root: &Hash,
) -> String {
    let mut hasher = Sha3_256::new();
    hasher.update(SCHEME.as_bytes());
    hasher.update([0, kind.tag()]);
    hasher.update(header_digest);
    hasher.update(records.to_le_bytes());
    hasher.update((CHUNK_RECORDS as u64).to_le_bytes());
    hasher.update(merkle_root);
    format!("{SCHEME}:{}", hex(&hasher.finalize()))
}

/// The on-chain commitment, `SHA3-256(salt ‖ content digest string)`.
pub fn commitment(salt: &[u8], content_digest: &str) -> Hash {
    let mut hasher = Sha3_256::new();
    hasher.update(salt);
    hasher.update(content_digest.as_bytes());
    hasher.finalize().into()
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Lowercase or uppercase hex to bytes; `None` for odd lengths or non-hex digits.
pub fn parse_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

/// Exactly 64 hex digits to a hash.
pub fn parse_hash(text: &str) -> Option<Hash> {
    parse_hex(text)?.try_into().ok()
}

/// One chunk's record digests, with each record's read group as an index into `group_names`
/// (`None` for records without `RG`).
#[derive(Default)]
pub struct ChunkDigests {
    pub record_digests: Vec<Hash>,
    pub groups: Vec<Option<u32>>,
    pub group_names: Vec<Vec<u8>>,
}

impl ChunkDigests {
    pub fn clear(&mut self) {
        self.record_digests.clear();
        self.groups.clear();
        self.group_names.clear();
    }

    pub fn push(&mut self, digest: Hash, read_group: Option<&[u8]>) {
        self.record_digests.push(digest);
        let group = read_group.map(|name| {
            let index = match self.group_names.iter().position(|g| g == name) {
                Some(index) => index,
                None => {
                    self.group_names.push(name.to_vec());
                    self.group_names.len() - 1
                }
            };
            index as u32
        });
        self.groups.push(group);
    }
}

/// A read group's records, folded in file order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupDigest {
    pub id: String,
    pub records: u64,
    pub digest: Hash,
}

/// Every digest of one file.
#[derive(Clone, Debug)]
pub struct Digests {
    pub records: u64,
    pub content_digest: String,
    pub merkle_root: Hash,
    pub chunk_leaves: Vec<Hash>,
    pub order_independent: Hash,
    /// Alignments only.
    pub read_groups: Vec<GroupDigest>,
}

/// Folds chunks, in file order, into [`Digests`].
pub struct Accumulator {
    kind: Kind,
    records: u64,
    leaves: Vec<Hash>,
    groups: Vec<(Vec<u8>, u64, Sha256)>,
    unordered: Unordered,
}

impl Accumulator {
    pub fn new(kind: Kind, unordered_budget: usize) -> Self {
        Self {
            kind,
            records: 0,
            leaves: Vec::new(),
            groups: Vec::new(),
            unordered: Unordered::new(unordered_budget),
        }
    }

    pub fn add(&mut self, chunk: &ChunkDigests) -> io::Result<()> {
        self.leaves.push(chunk_leaf(&chunk.record_digests));
        self.records += chunk.record_digests.len() as u64;
        let track_groups = self.kind == Kind::Alignment;
        let global: Vec<usize> = if track_groups {
            chunk
                .group_names
                .iter()
                .map(|name| self.group_index(name))
                .collect()
        } else {
            Vec::new()
        };
        for (digest, group) in chunk.record_digests.iter().zip(&chunk.groups) {
            self.unordered.push(*digest)?;
            if track_groups {
                let index = match group {
                    Some(g) => global[*g as usize],
                    None => self.group_index(&[]),
                };
                let entry = &mut self.groups[index];
                entry.1 += 1;
                entry.2.update(digest);
            }
        }
        Ok(())
    }

    fn group_index(&mut self, name: &[u8]) -> usize {
        if let Some(index) = self.groups.iter().position(|(g, _, _)| g == name) {
            return index;
        }
        let mut hasher = Sha256::new();
        hasher.update([GROUP_DOMAIN]);
        hasher.update((name.len() as u32).to_le_bytes());
        hasher.update(name);
        self.groups.push((name.to_vec(), 0, hasher));
        self.groups.len() - 1
    }

    /// `threads` ≥ 2 lets the order-independent digest hash on a second thread.
    pub fn finish(self, header: &CanonicalHeader, threads: usize) -> io::Result<Digests> {
        let merkle_root = merkle::root(&self.leaves);
        let order_independent = self
            .unordered
            .finish(&header.digest, self.records, threads)?;
        let mut read_groups: Vec<GroupDigest> = self
            .groups
            .into_iter()
            .map(|(name, records, hasher)| GroupDigest {
                id: String::from_utf8_lossy(&name).into_owned(),
                records,
                digest: hasher.finalize().into(),
            })
            .collect();
        read_groups.sort_unstable_by(|a, b| a.id.cmp(&b.id));
        Ok(Digests {
            records: self.records,
            content_digest: content_digest(header.kind, &header.digest, self.records, &merkle_root),
            merkle_root,
            chunk_leaves: self.leaves,
            order_independent,
            read_groups,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let hash: Hash = core::array::from_fn(|i| i as u8 * 7);
        assert_eq!(parse_hash(&hex(&hash)), Some(hash));
        assert_eq!(parse_hash("zz"), None);
        assert_eq!(parse_hash(&"g".repeat(64)), None);
        assert_eq!(parse_hash(&"+1".repeat(32)), None);
        assert_eq!(parse_hex("00ff"), Some(vec![0, 255]));
        assert_eq!(parse_hex("0"), None);
        assert_eq!(parse_hex("é0"), None);
    }

    #[test]
    fn commitment_is_sha3_of_salt_then_digest_string() {
        // SHA3-256("abc"), the FIPS 202 example, split as salt "a" and digest string "bc".
        assert_eq!(
            hex(&commitment(b"a", "bc")),
            "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532"
        );
    }

    #[test]
    fn the_content_digest_binds_kind_header_count_and_root() {
        let base = content_digest(Kind::Alignment, &[1; 32], 5, &[2; 32]);
        assert!(base.starts_with("bionft-c1:") && base.len() == 74);
        assert_ne!(base, content_digest(Kind::Variants, &[1; 32], 5, &[2; 32]));
        assert_ne!(base, content_digest(Kind::Alignment, &[3; 32], 5, &[2; 32]));
        assert_ne!(base, content_digest(Kind::Alignment, &[1; 32], 6, &[2; 32]));
        assert_ne!(base, content_digest(Kind::Alignment, &[1; 32], 5, &[3; 32]));
    }

    #[test]
    fn read_groups_are_folded_separately_and_records_without_rg_form_their_own_group() {
        let mut chunk = ChunkDigests::default();
        chunk.push([1; 32], Some(b"a"));
        chunk.push([2; 32], None);
        chunk.push([3; 32], Some(b"b"));
        chunk.push([4; 32], Some(b"a"));
        let mut acc = Accumulator::new(Kind::Alignment, 16);
        acc.add(&chunk).unwrap();
        let digests = acc.finish(&CanonicalHeader::reads(), 1).unwrap();
        let summary: Vec<(&str, u64)> = digests
            .read_groups
            .iter()
            .map(|g| (g.id.as_str(), g.records))
            .collect();
        assert_eq!(summary, [("", 1), ("a", 2), ("b", 1)]);
        assert_eq!(digests.records, 4);
        assert_eq!(digests.chunk_leaves, [chunk_leaf(&chunk.record_digests)]);
    }
}

//! The digests built from canonical encodings (definitions in [`crate::canonical`]), and the
//! accumulator that folds per-chunk results into a file's digests in file order, for either
//! scheme.

use sha2::{Digest, Sha256};
use sha3::Sha3_256;
use std::io;

use crate::canonical::{CanonicalHeader, Kind, CHUNK_RECORDS};
use crate::merkle::{self, Hash};
use crate::scheme::Scheme;
use crate::unordered::Unordered;

const RECORD_DOMAIN: u8 = 0x00;
const CHUNK_DOMAIN: u8 = 0x01;
const GROUP_DOMAIN: u8 = 0x04;
const C2_CHUNK_DOMAIN: u8 = 0x11;
const C2_RUN_DOMAIN: u8 = 0x12;
const C2_GROUP_DOMAIN: u8 = 0x14;

/// What a c2 run's BLAKE3 input starts with, `0x12 ‖ kind`; the records follow, each as
/// `u32(len) ‖ encoding`.
pub fn run_prefix(kind: Kind) -> [u8; 2] {
    [C2_RUN_DOMAIN, kind.tag()]
}

/// One read group's records within one c2 chunk: its name (empty without `RG`), how many
/// records, and `s`, the BLAKE3 of its run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupRun {
    pub name: Vec<u8>,
    pub records: u32,
    pub digest: Hash,
}

/// A c2 chunk leaf, `SHA-256(0x11 ‖ kind ‖ u32(n) ‖ u32(m) ‖ (bytes(RG) ‖ u32(count) ‖ s)… ‖
/// [u32(group number) of each record, when m > 1])`.
pub fn chunk_leaf_c2(kind: Kind, runs: &[GroupRun], order: &[u32]) -> Hash {
    let mut hasher = Sha256::new();
    hasher.update([C2_CHUNK_DOMAIN, kind.tag()]);
    hasher.update((order.len() as u32).to_le_bytes());
    hasher.update((runs.len() as u32).to_le_bytes());
    for run in runs {
        hasher.update((run.name.len() as u32).to_le_bytes());
        hasher.update(&run.name);
        hasher.update(run.records.to_le_bytes());
        hasher.update(run.digest);
    }
    if runs.len() > 1 {
        let numbers: Vec<u8> = order.iter().flat_map(|g| g.to_le_bytes()).collect();
        hasher.update(&numbers);
    }
    hasher.finalize().into()
}

/// Splits a c2 chunk's records (each `u32(len) ‖ encoding`, in file order, in `stream` after
/// its two-byte run prefix) into their groups' runs and hashes each with BLAKE3. `order` holds
/// each record's group number, `names` the groups' names by number. `spans` gives each
/// record's bytes in `stream`. With one group the stream is hashed as it lies.
pub fn group_runs(
    kind: Kind,
    stream: &[u8],
    spans: &[(usize, usize)],
    order: &[u32],
    names: &[Vec<u8>],
    copy: &mut Vec<u8>,
) -> Vec<GroupRun> {
    let mut counts = vec![0u32; names.len()];
    for &g in order {
        counts[g as usize] += 1;
    }
    names
        .iter()
        .enumerate()
        .map(|(number, name)| {
            let digest = if names.len() == 1 {
                *blake3::hash(stream).as_bytes()
            } else {
                copy.clear();
                copy.extend_from_slice(&run_prefix(kind));
                for (&(start, end), _) in spans
                    .iter()
                    .zip(order)
                    .filter(|(_, &g)| g as usize == number)
                {
                    copy.extend_from_slice(&stream[start..end]);
                }
                *blake3::hash(copy).as_bytes()
            };
            GroupRun {
                name: name.clone(),
                records: counts[number],
                digest,
            }
        })
        .collect()
}

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

/// The content digest string, `<scheme>:<hex>`: `SHA3-256(scheme name ‖ 0x00 ‖ kind ‖ h ‖
/// u64(records) ‖ u64(CHUNK_RECORDS) ‖ merkle root)`, the same shape for c1 and c2.
pub fn content_digest(
    scheme: Scheme,
    kind: Kind,
    header_digest: &Hash,
    records: u64,
    merkle_root: &Hash,
) -> String {
    let mut hasher = Sha3_256::new();
    hasher.update(scheme.name().as_bytes());
    hasher.update([0, kind.tag()]);
    hasher.update(header_digest);
    hasher.update(records.to_le_bytes());
    hasher.update((CHUNK_RECORDS as u64).to_le_bytes());
    hasher.update(merkle_root);
    format!("{scheme}:{}", hex(&hasher.finalize()))
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

/// One chunk's digests. c1: every record digest, with each record's read group as an index
/// into `group_names` (`None` for records without `RG`). c2: the leaf and the group runs, and
/// record digests only for the order-independent digest.
#[derive(Default)]
pub struct ChunkDigests {
    pub record_digests: Vec<Hash>,
    pub groups: Vec<Option<u32>>,
    pub group_names: Vec<Vec<u8>>,
    /// c2 only.
    pub c2: Option<C2Chunk>,
}

/// A c2 chunk's leaf, as the worker computed it, and the runs it binds.
pub struct C2Chunk {
    pub records: u64,
    pub leaf: Hash,
    pub runs: Vec<GroupRun>,
}

impl ChunkDigests {
    pub fn clear(&mut self) {
        self.record_digests.clear();
        self.groups.clear();
        self.group_names.clear();
        self.c2 = None;
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
    /// Always for c1; for c2 only when asked.
    pub order_independent: Option<Hash>,
    /// Alignments only.
    pub read_groups: Vec<GroupDigest>,
}

/// Folds chunks, in file order, into [`Digests`].
pub struct Accumulator {
    scheme: Scheme,
    kind: Kind,
    records: u64,
    leaves: Vec<Hash>,
    groups: Vec<(Vec<u8>, u64, Sha256)>,
    unordered: Option<Unordered>,
}

impl Accumulator {
    /// `unordered_budget` is `None` when the order-independent digest is not wanted (c1 always
    /// computes it).
    pub fn new(scheme: Scheme, kind: Kind, unordered_budget: Option<usize>) -> Self {
        let budget = match scheme {
            Scheme::C1 => Some(unordered_budget.unwrap_or(crate::unordered::DEFAULT_BUDGET)),
            Scheme::C2 => unordered_budget,
        };
        Self {
            scheme,
            kind,
            records: 0,
            leaves: Vec::new(),
            groups: Vec::new(),
            unordered: budget.map(Unordered::new),
        }
    }

    pub fn add(&mut self, chunk: &ChunkDigests) -> io::Result<()> {
        if let Some(c2) = &chunk.c2 {
            return self.add_c2(c2, &chunk.record_digests);
        }
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
            if let Some(unordered) = &mut self.unordered {
                unordered.push(*digest)?;
            }
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

    fn add_c2(&mut self, chunk: &C2Chunk, record_digests: &[Hash]) -> io::Result<()> {
        self.leaves.push(chunk.leaf);
        self.records += chunk.records;
        if let Some(unordered) = &mut self.unordered {
            if record_digests.len() as u64 != chunk.records {
                return Err(io::Error::other(
                    "record digests missing for the order-independent digest",
                ));
            }
            for digest in record_digests {
                unordered.push(*digest)?;
            }
        }
        if self.kind == Kind::Alignment {
            for run in &chunk.runs {
                let index = self.group_index(&run.name);
                let entry = &mut self.groups[index];
                entry.1 += u64::from(run.records);
                entry.2.update(run.records.to_le_bytes());
                entry.2.update(run.digest);
            }
        }
        Ok(())
    }

    fn group_index(&mut self, name: &[u8]) -> usize {
        if let Some(index) = self.groups.iter().position(|(g, _, _)| g == name) {
            return index;
        }
        let mut hasher = Sha256::new();
        hasher.update([match self.scheme {
            Scheme::C1 => GROUP_DOMAIN,
            Scheme::C2 => C2_GROUP_DOMAIN,
        }]);
        hasher.update((name.len() as u32).to_le_bytes());
        hasher.update(name);
        self.groups.push((name.to_vec(), 0, hasher));
        self.groups.len() - 1
    }

    /// `threads` ≥ 2 lets the order-independent digest hash on a second thread.
    pub fn finish(self, header: &CanonicalHeader, threads: usize) -> io::Result<Digests> {
        let merkle_root = merkle::root(&self.leaves);
        let header_digest = header.digest(self.scheme);
        let order_independent = match self.unordered {
            Some(unordered) => Some(unordered.finish(&header_digest, self.records, threads)?),
            None => None,
        };
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
            content_digest: content_digest(
                self.scheme,
                header.kind,
                &header_digest,
                self.records,
                &merkle_root,
            ),
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
        for scheme in Scheme::ALL {
            let d = |kind, h, n, root| content_digest(scheme, kind, h, n, root);
            let base = d(Kind::Alignment, &[1; 32], 5, &[2; 32]);
            assert!(base.starts_with(&format!("{scheme}:")) && base.len() == 74);
            assert_ne!(base, d(Kind::Variants, &[1; 32], 5, &[2; 32]));
            assert_ne!(base, d(Kind::Alignment, &[3; 32], 5, &[2; 32]));
            assert_ne!(base, d(Kind::Alignment, &[1; 32], 6, &[2; 32]));
            assert_ne!(base, d(Kind::Alignment, &[1; 32], 5, &[3; 32]));
        }
        assert_ne!(
            content_digest(Scheme::C1, Kind::Reads, &[1; 32], 5, &[2; 32])[10..],
            content_digest(Scheme::C2, Kind::Reads, &[1; 32], 5, &[2; 32])[10..]
        );
    }

    #[test]
    fn read_groups_are_folded_separately_and_records_without_rg_form_their_own_group() {
        let mut chunk = ChunkDigests::default();
        chunk.push([1; 32], Some(b"a"));
        chunk.push([2; 32], None);
        chunk.push([3; 32], Some(b"b"));
        chunk.push([4; 32], Some(b"a"));
        let mut acc = Accumulator::new(Scheme::C1, Kind::Alignment, Some(16));
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
        assert!(digests.order_independent.is_some());
    }

    /// A c2 stream of `records` (each `u32(len) ‖ encoding`) with their spans.
    fn stream(records: &[&[u8]]) -> (Vec<u8>, Vec<(usize, usize)>) {
        let mut stream = run_prefix(Kind::Alignment).to_vec();
        let mut spans = Vec::new();
        for r in records {
            let start = stream.len();
            stream.extend((r.len() as u32).to_le_bytes());
            stream.extend_from_slice(r);
            spans.push((start, stream.len()));
        }
        (stream, spans)
    }

    #[test]
    fn c2_runs_hash_each_groups_records_as_one_stream_of_their_own() {
        let (all, spans) = stream(&[b"a1", b"b1", b"a2"]);
        let names = [b"a".to_vec(), b"b".to_vec()];
        let runs = group_runs(
            Kind::Alignment,
            &all,
            &spans,
            &[0, 1, 0],
            &names,
            &mut Vec::new(),
        );
        let (a_only, _) = stream(&[b"a1", b"a2"]);
        let (b_only, _) = stream(&[b"b1"]);
        assert_eq!(runs[0].digest, *blake3::hash(&a_only).as_bytes());
        assert_eq!(runs[1].digest, *blake3::hash(&b_only).as_bytes());
        assert_eq!((runs[0].records, runs[1].records), (2, 1));
        // One group: the stream as it lies, equal to the same records split by nobody.
        let one = group_runs(
            Kind::Alignment,
            &a_only,
            &spans[..2],
            &[0, 0],
            &names[..1],
            &mut Vec::new(),
        );
        assert_eq!(one[0].digest, runs[0].digest);
        // The leaf binds the order of groups within the chunk.
        let leaf = chunk_leaf_c2(Kind::Alignment, &runs, &[0, 1, 0]);
        assert_ne!(leaf, chunk_leaf_c2(Kind::Alignment, &runs, &[0, 0, 1]));
        assert_ne!(leaf, chunk_leaf_c2(Kind::Variants, &runs, &[0, 1, 0]));
        // Length prefixes keep record boundaries: "a1","b1" is not "a","1b1".
        let (split_other_way, _) = stream(&[b"a", b"1b1"]);
        let (original, _) = stream(&[b"a1", b"b1"]);
        assert_ne!(blake3::hash(&split_other_way), blake3::hash(&original));
    }

    #[test]
    fn c2_group_digests_fold_runs_and_the_order_independent_digest_is_opt_in() {
        let runs = vec![
            GroupRun {
                name: b"a".to_vec(),
                records: 2,
                digest: [7; 32],
            },
            GroupRun {
                name: Vec::new(),
                records: 1,
                digest: [8; 32],
            },
        ];
        let chunk = ChunkDigests {
            c2: Some(C2Chunk {
                records: 3,
                leaf: [9; 32],
                runs,
            }),
            ..ChunkDigests::default()
        };
        let mut acc = Accumulator::new(Scheme::C2, Kind::Alignment, None);
        acc.add(&chunk).unwrap();
        let digests = acc.finish(&CanonicalHeader::reads(), 1).unwrap();
        assert_eq!(digests.order_independent, None);
        assert_eq!(digests.chunk_leaves, [[9; 32]]);
        assert_eq!(digests.merkle_root, [9; 32]);
        assert!(digests.content_digest.starts_with("bionft-c2:"));
        let summary: Vec<(&str, u64)> = digests
            .read_groups
            .iter()
            .map(|g| (g.id.as_str(), g.records))
            .collect();
        assert_eq!(summary, [("", 1), ("a", 2)]);

        let mut wanted = Accumulator::new(Scheme::C2, Kind::Alignment, Some(16));
        assert!(
            wanted.add(&chunk).is_err(),
            "no record digests for --unordered"
        );
    }
}

//! The manifest, schema `bionft-seq-manifest/1`: what a sequencer hands to the chain.
//!
//! ```json
//! {
//!   "schema": "bionft-seq-manifest/1",
//!   "files": [{
//!     "path": "run1.bam",              // as given on the command line
//!     "format": "BAM", "compression": "bgzf",
//!     "kind": "alignment",             // register_artifact kind: reads | alignment | variants
//!     "digest_alg": 2,                 // register_artifact digest_alg (1 = bionft-c1, 2 = bionft-c2)
//!     "commitment": "<64 hex>",        // register_artifact commitment = SHA3-256(salt ‖ content_digest)
//!     "content_digest": "bionft-c2:<64 hex>",
//!     "records": 20000,
//!     "file_size": 1058328, "file_sha256": "<64 hex>",
//!     "header_digest": "<64 hex>",
//!     "reference_seqcol": { "coordinate_system": "<sha512t24u>", "collection": "<sha512t24u>" },
//!     "order_independent": "<64 hex>", // c1 always; c2 only with --unordered
//!     "merkle": { "chunk_records": 4096, "root": "<64 hex>", "leaves": ["<64 hex>", …] },
//!     "read_groups": [{ "id": "NA12878", "records": 20000, "digest": "<64 hex>" }]
//!   }]
//! }
//! ```
//!
//! `reference_seqcol`: for c2, `coordinate_system` is the GA4GH seqcol
//! `sorted_name_length_pairs` digest and `collection` the level-0 digest, present only when
//! `--reference` held every sequence; for c1, the digests described in [`crate::seqcol`]. It is
//! `null` for reads and `read_groups` is empty unless the kind is
//! `alignment`. The salt is never written. `parents` of `register_artifact` are chain record ids,
//! unknown here, and are given when the manifest is submitted.
//!
//! `digest_alg` ids: 1 = `bionft-c1`, 2 = `bionft-c2` (see [`crate::canonical`]). A new encoding version gets the
//! next id; ids are never reused.

use serde::{Deserialize, Serialize};

use crate::canonical::CHUNK_RECORDS;
use crate::digest::{commitment, hex, GroupDigest};
use crate::pipeline::FileReport;
use crate::scheme::Scheme;

pub const SCHEMA: &str = "bionft-seq-manifest/1";

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Manifest {
    pub schema: String,
    pub files: Vec<FileEntry>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileEntry {
    pub path: String,
    pub format: String,
    pub compression: String,
    pub kind: String,
    pub digest_alg: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commitment: Option<String>,
    pub content_digest: String,
    pub records: u64,
    pub file_size: u64,
    pub file_sha256: String,
    pub header_digest: String,
    pub reference_seqcol: Option<SeqcolEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_independent: Option<String>,
    pub merkle: MerkleEntry,
    pub read_groups: Vec<GroupEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeqcolEntry {
    pub coordinate_system: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collection: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MerkleEntry {
    pub chunk_records: u64,
    pub root: String,
    /// Omitted from `hash --json` output; always present in manifests.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub leaves: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupEntry {
    pub id: String,
    pub records: u64,
    pub digest: String,
}

impl From<&GroupDigest> for GroupEntry {
    fn from(group: &GroupDigest) -> Self {
        Self {
            id: group.id.clone(),
            records: group.records,
            digest: hex(&group.digest),
        }
    }
}

impl FileEntry {
    /// The entry for a digested file; `salt` adds the commitment, `with_leaves` the chunk leaves.
    pub fn new(path: &str, report: &FileReport, salt: Option<&[u8]>, with_leaves: bool) -> Self {
        let digests = &report.digests;
        Self {
            path: path.to_owned(),
            format: report.format.to_string(),
            compression: report.compression.to_string(),
            kind: report.kind().name().into(),
            digest_alg: report.scheme.digest_alg(),
            commitment: salt.map(|salt| hex(&commitment(salt, &digests.content_digest))),
            content_digest: digests.content_digest.clone(),
            records: digests.records,
            file_size: report.file_size,
            file_sha256: hex(&report.file_sha256),
            header_digest: hex(&report.header.digest(report.scheme)),
            reference_seqcol: match report.scheme {
                Scheme::C1 => report.header.seqcol.as_ref().map(|s| SeqcolEntry {
                    coordinate_system: s.coordinate_system.clone(),
                    collection: Some(s.collection.clone()),
                }),
                Scheme::C2 => report.header.ga4gh.as_ref().map(|s| SeqcolEntry {
                    coordinate_system: s.sorted_name_length_pairs.clone(),
                    collection: report.level0.clone(),
                }),
            },
            order_independent: digests.order_independent.as_ref().map(|h| hex(h)),
            merkle: MerkleEntry {
                chunk_records: CHUNK_RECORDS as u64,
                root: hex(&digests.merkle_root),
                leaves: if with_leaves {
                    digests.chunk_leaves.iter().map(|h| hex(h)).collect()
                } else {
                    Vec::new()
                },
            },
            read_groups: digests.read_groups.iter().map(GroupEntry::from).collect(),
        }
    }

    /// What differs between this (expected) entry and a freshly digested one, most telling
    /// first. Empty when the content digests agree.
    pub fn differences(&self, actual: &FileEntry) -> Vec<String> {
        if self.content_digest == actual.content_digest {
            return Vec::new();
        }
        let mut out = Vec::new();
        if self.kind != actual.kind {
            out.push(format!("kind is {} (expected {})", actual.kind, self.kind));
        }
        if self.header_digest != actual.header_digest {
            out.push("header content differs (reference sequences, read groups or samples)".into());
        }
        if self.records != actual.records {
            out.push(format!(
                "{} records (expected {})",
                actual.records, self.records
            ));
        }
        for expected in &self.read_groups {
            match actual.read_groups.iter().find(|g| g.id == expected.id) {
                None => out.push(format!("read group {:?} is missing", expected.id)),
                Some(g) if g != expected => out.push(format!(
                    "read group {:?} differs ({} records, expected {})",
                    expected.id, g.records, expected.records
                )),
                Some(_) => {}
            }
        }
        for extra in actual
            .read_groups
            .iter()
            .filter(|g| !self.read_groups.iter().any(|e| e.id == g.id))
        {
            out.push(format!("read group {:?} is not in the manifest", extra.id));
        }
        let differing: Vec<usize> = (0..self.merkle.leaves.len().max(actual.merkle.leaves.len()))
            .filter(|&i| self.merkle.leaves.get(i) != actual.merkle.leaves.get(i))
            .collect();
        if !differing.is_empty() {
            const SHOWN: usize = 8;
            let listed: Vec<String> = differing
                .iter()
                .take(SHOWN)
                .map(|&i| {
                    let first = i * CHUNK_RECORDS + 1;
                    format!("{i} (records {first}-{})", first + CHUNK_RECORDS - 1)
                })
                .collect();
            let more = differing.len().saturating_sub(SHOWN);
            out.push(format!(
                "{} of {} chunks differ: {}{}",
                differing.len(),
                self.merkle.leaves.len(),
                listed.join(", "),
                if more > 0 {
                    format!(" and {more} more")
                } else {
                    String::new()
                }
            ));
        }
        if self.order_independent.is_some() && self.order_independent == actual.order_independent {
            out.push("same records in a different order".into());
        }
        if out.is_empty() {
            out.push("content digest differs".into());
        }
        out
    }
}

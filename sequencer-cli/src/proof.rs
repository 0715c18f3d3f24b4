//! Region inclusion proofs (`bionft-seq prove` / `verify-proof`): schema `bionft-seq-proof/1`
//! for `bionft-c1`, `bionft-seq-proof/2` for `bionft-c2`.
//!
//! A proof shows that some records belong to the file committed by a Merkle root, without the
//! rest of the file. For each chunk holding records of the region it carries the chunk's index,
//! all its record digests (so the leaf can be recomputed), the RFC 6962 audit path of the leaf,
//! and the canonical encodings of the region's records with their offsets in the chunk.
//!
//! Verification recomputes each record digest from its encoding, checks it at its offset,
//! recomputes the leaf and the root from the audit path, checks each record's locus overlaps the
//! region, checks chunk sizes against the record count, and recomputes the content digest from
//! the header digest, record count and root. It proves inclusion, not completeness.
//!
//! ```json
//! { "schema": "bionft-seq-proof/1", "scheme": "bionft-c1", "kind": "alignment",
//!   "region": "chr1:100-200", "records": 20000, "chunk_records": 4096, "leaves": 5,
//!   "header_digest": "<hex>", "merkle_root": "<hex>", "content_digest": "bionft-c1:<hex>",
//!   "chunks": [ { "index": 0, "audit_path": ["<hex>"], "record_digests": ["<hex>"],
//!                 "records": [ { "offset": 17, "encoding": "<hex>" } ] } ] }
//! ```
//!
//! A c2 leaf hashes the chunk's canonical bytes, not record digests, so a c2 proof chunk carries
//! **every record of the chunk** (offsets 0 … n-1), each record's group number (`order`, when
//! the chunk has several read groups), the groups' names (`groups`), and the offsets of the
//! region's records (`in_region`). Verification rebuilds the groups' runs, the leaf and the
//! root, then checks the region's records as for c1. A c2 proof therefore discloses the records
//! around the region, up to its chunks' boundaries (4,096 records), as serving a slice by whole
//! compressed blocks does; a c1 proof discloses only their digests.
//!
//! ```json
//! { "schema": "bionft-seq-proof/2", "scheme": "bionft-c2", …as above…,
//!   "chunks": [ { "index": 0, "audit_path": ["<hex>"], "groups": ["NA12878"], "order": [],
//!                 "in_region": [17, 18], "records": [ { "offset": 0, "encoding": "<hex>" }, … ] } ] }
//! ```

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::canonical::{locus, Kind, Locus, CHUNK_RECORDS};
use crate::digest::{
    chunk_leaf, chunk_leaf_c2, content_digest, group_runs, hex, parse_hash, parse_hex,
    record_digest, run_prefix,
};
use crate::merkle::{self, Hash};
use crate::pipeline::FileReport;
use crate::scheme::Scheme;

/// The proof schema of `bionft-c1` proofs.
pub const SCHEMA: &str = "bionft-seq-proof/1";
/// The proof schema of `bionft-c2` proofs.
pub const SCHEMA_C2: &str = "bionft-seq-proof/2";

fn schema_of(scheme: Scheme) -> &'static str {
    match scheme {
        Scheme::C1 => SCHEMA,
        Scheme::C2 => SCHEMA_C2,
    }
}

/// A reference interval, 1-based and inclusive: `name`, `name:start-end` or `name:start-`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Region {
    pub name: Vec<u8>,
    pub start: u64,
    pub end: u64,
}

impl Region {
    pub fn overlaps(&self, locus: &Locus) -> bool {
        locus.reference == self.name && locus.start <= self.end && locus.end >= self.start
    }
}

impl FromStr for Region {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("invalid region {s:?} (expected NAME, NAME:START-END or NAME:START-)");
        let (name, start, end) = match s.rsplit_once(':') {
            None => (s, 1, u64::MAX),
            Some((name, range)) => {
                let (start, end) = range.split_once('-').ok_or_else(bad)?;
                let start: u64 = start.replace(',', "").parse().map_err(|_| bad())?;
                let end: u64 = if end.is_empty() {
                    u64::MAX
                } else {
                    end.replace(',', "").parse().map_err(|_| bad())?
                };
                (name, start, end)
            }
        };
        if name.is_empty() || start == 0 || end < start {
            return Err(bad());
        }
        Ok(Region {
            name: name.as_bytes().to_vec(),
            start,
            end,
        })
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = String::from_utf8_lossy(&self.name);
        match (self.start, self.end) {
            (1, u64::MAX) => write!(f, "{name}"),
            (start, u64::MAX) => write!(f, "{name}:{start}-"),
            (start, end) => write!(f, "{name}:{start}-{end}"),
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Proof {
    pub schema: String,
    pub scheme: String,
    pub kind: String,
    pub region: String,
    pub records: u64,
    pub chunk_records: u64,
    pub leaves: u64,
    pub header_digest: String,
    pub merkle_root: String,
    pub content_digest: String,
    pub chunks: Vec<ProofChunk>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProofChunk {
    pub index: u64,
    pub audit_path: Vec<String>,
    /// c1 only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub record_digests: Vec<String>,
    /// c1: the region's records; c2: every record of the chunk.
    pub records: Vec<ProofRecord>,
    /// c2: the read groups' names, by group number.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// c2: each record's group number, when the chunk has several groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub order: Vec<u32>,
    /// c2: offsets of the region's records.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_region: Vec<u64>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProofRecord {
    pub offset: u64,
    pub encoding: String,
}

impl Proof {
    /// Builds the proof from a report digested with a region selected; `None` when no record of
    /// the file overlaps the region.
    pub fn build(report: &FileReport, region: &Region) -> Option<Self> {
        if report.selected.is_empty() {
            return None;
        }
        let leaves = &report.digests.chunk_leaves;
        let chunks = report
            .selected
            .iter()
            .map(|(&index, chunk)| ProofChunk {
                index: index as u64,
                audit_path: merkle::audit_path(leaves, index)
                    .iter()
                    .map(|h| hex(h))
                    .collect(),
                record_digests: chunk.record_digests.iter().map(|h| hex(h)).collect(),
                groups: chunk
                    .group_names
                    .iter()
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .collect(),
                order: if chunk.group_names.len() > 1 {
                    chunk.order.clone()
                } else {
                    Vec::new()
                },
                in_region: chunk.in_region.iter().map(|&o| o as u64).collect(),
                records: chunk
                    .records
                    .iter()
                    .map(|(offset, encoding)| ProofRecord {
                        offset: *offset as u64,
                        encoding: hex(encoding),
                    })
                    .collect(),
            })
            .collect();
        Some(Proof {
            schema: schema_of(report.scheme).into(),
            scheme: report.scheme.name().into(),
            kind: report.kind().name().into(),
            region: region.to_string(),
            records: report.digests.records,
            chunk_records: CHUNK_RECORDS as u64,
            leaves: leaves.len() as u64,
            header_digest: hex(&report.header.digest(report.scheme)),
            merkle_root: hex(&report.digests.merkle_root),
            content_digest: report.digests.content_digest.clone(),
            chunks,
        })
    }

    /// Checks the proof against a trusted Merkle root. `Ok(n)` is the number of proven records;
    /// `Err` says what does not hold.
    pub fn verify(&self, trusted_root: &Hash) -> Result<usize, String> {
        let scheme = Scheme::ALL
            .into_iter()
            .find(|s| self.scheme == s.name() && self.schema == schema_of(*s))
            .ok_or_else(|| {
                format!(
                    "unsupported proof ({} / {}); this tool reads {SCHEMA} / bionft-c1 and {SCHEMA_C2} / bionft-c2",
                    self.schema, self.scheme
                )
            })?;
        if self.chunk_records != CHUNK_RECORDS as u64 {
            return Err(format!(
                "chunk size {} is not {CHUNK_RECORDS}",
                self.chunk_records
            ));
        }
        let kind =
            Kind::from_name(&self.kind).ok_or_else(|| format!("unknown kind {:?}", self.kind))?;
        let region: Region = self.region.parse()?;
        let header_digest =
            parse_hash(&self.header_digest).ok_or("header_digest is not 64 hex digits")?;
        let expected_leaves = self.records.div_ceil(CHUNK_RECORDS as u64);
        if self.leaves != expected_leaves {
            return Err(format!(
                "{} leaves cannot hold {} records",
                self.leaves, self.records
            ));
        }
        if content_digest(scheme, kind, &header_digest, self.records, trusted_root)
            != self.content_digest
        {
            return Err(
                "the content digest does not follow from the header digest, record count and root"
                    .into(),
            );
        }
        let mut proven = 0;
        for chunk in &self.chunks {
            proven += match scheme {
                Scheme::C1 => self.verify_chunk(kind, &region, chunk, trusted_root)?,
                Scheme::C2 => self.verify_chunk_c2(kind, &region, chunk, trusted_root)?,
            };
        }
        if proven == 0 {
            return Err("the proof holds no records".into());
        }
        Ok(proven)
    }

    fn verify_chunk(
        &self,
        kind: Kind,
        region: &Region,
        chunk: &ProofChunk,
        root: &Hash,
    ) -> Result<usize, String> {
        let at = |what: String| format!("chunk {}: {what}", chunk.index);
        let expected_len = self.chunk_len(chunk.index).unwrap_or(0);
        if chunk.index >= self.leaves || chunk.record_digests.len() as u64 != expected_len {
            return Err(at(format!(
                "holds {} record digests, expected {expected_len}",
                chunk.record_digests.len()
            )));
        }
        let digests = parse_hashes(&chunk.record_digests)
            .ok_or_else(|| at("a record digest is not 64 hex digits".into()))?;
        let path = parse_hashes(&chunk.audit_path)
            .ok_or_else(|| at("an audit path node is not 64 hex digits".into()))?;
        let leaf = chunk_leaf(&digests);
        if merkle::root_from_path(&leaf, chunk.index as usize, self.leaves as usize, &path).as_ref()
            != Some(root)
        {
            return Err(at("the audit path does not lead to the trusted root".into()));
        }
        for record in &chunk.records {
            let encoding = parse_hex(&record.encoding)
                .ok_or_else(|| at("a record encoding is not hex".into()))?;
            let expected = digests
                .get(record.offset as usize)
                .ok_or_else(|| at(format!("offset {} is outside the chunk", record.offset)))?;
            if record_digest(kind, &encoding) != *expected {
                return Err(at(format!(
                    "record at offset {} does not match its digest",
                    record.offset
                )));
            }
            let locus = locus(kind, &encoding).map_err(|e| at(e.to_string()))?;
            if !locus.is_some_and(|l| region.overlaps(&l)) {
                return Err(at(format!(
                    "record at offset {} is outside {region}",
                    record.offset
                )));
            }
        }
        Ok(chunk.records.len())
    }
}

impl Proof {
    /// How many of the region's records the proof holds.
    pub fn region_records(&self) -> usize {
        self.chunks
            .iter()
            .map(|c| {
                if self.scheme == Scheme::C1.name() {
                    c.records.len()
                } else {
                    c.in_region.len()
                }
            })
            .sum()
    }

    /// How many records chunk `index` holds, or `None` past the last leaf.
    fn chunk_len(&self, index: u64) -> Option<u64> {
        if index >= self.leaves {
            None
        } else if index + 1 == self.leaves {
            Some(self.records - index * CHUNK_RECORDS as u64)
        } else {
            Some(CHUNK_RECORDS as u64)
        }
    }

    fn verify_chunk_c2(
        &self,
        kind: Kind,
        region: &Region,
        chunk: &ProofChunk,
        root: &Hash,
    ) -> Result<usize, String> {
        let at = |what: String| format!("chunk {}: {what}", chunk.index);
        let n = self
            .chunk_len(chunk.index)
            .ok_or_else(|| at("is past the last leaf".into()))?;
        if chunk.records.len() as u64 != n {
            return Err(at(format!(
                "holds {} records, expected all {n} of the chunk",
                chunk.records.len()
            )));
        }
        let groups = chunk.groups.len();
        let order: Vec<u32> = match (groups, chunk.order.len() as u64) {
            (1, 0) => vec![0; n as usize],
            (g, len) if g > 1 && len == n && chunk.order.iter().all(|&o| (o as usize) < g) => {
                chunk.order.clone()
            }
            _ => return Err(at("group numbers do not fit the groups and records".into())),
        };
        let mut stream = run_prefix(kind).to_vec();
        let mut spans = Vec::with_capacity(n as usize);
        let mut encodings = Vec::with_capacity(n as usize);
        for (i, record) in chunk.records.iter().enumerate() {
            if record.offset != i as u64 {
                return Err(at(format!("record {i} has offset {}", record.offset)));
            }
            let encoding = parse_hex(&record.encoding)
                .ok_or_else(|| at("a record encoding is not hex".into()))?;
            let start = stream.len();
            let len = u32::try_from(encoding.len()).map_err(|_| at("record too long".into()))?;
            stream.extend_from_slice(&len.to_le_bytes());
            stream.extend_from_slice(&encoding);
            spans.push((start, stream.len()));
            encodings.push(encoding);
        }
        let names: Vec<Vec<u8>> = chunk.groups.iter().map(|g| g.as_bytes().to_vec()).collect();
        let runs = group_runs(kind, &stream, &spans, &order, &names, &mut Vec::new());
        let leaf = chunk_leaf_c2(kind, &runs, &order);
        let path = parse_hashes(&chunk.audit_path)
            .ok_or_else(|| at("an audit path node is not 64 hex digits".into()))?;
        if merkle::root_from_path(&leaf, chunk.index as usize, self.leaves as usize, &path).as_ref()
            != Some(root)
        {
            return Err(at(
                "the chunk's records and audit path do not lead to the trusted root".into(),
            ));
        }
        for &offset in &chunk.in_region {
            let encoding = encodings
                .get(offset as usize)
                .ok_or_else(|| at(format!("offset {offset} is outside the chunk")))?;
            let locus = locus(kind, encoding).map_err(|e| at(e.to_string()))?;
            if !locus.is_some_and(|l| region.overlaps(&l)) {
                return Err(at(format!("record at offset {offset} is outside {region}")));
            }
        }
        Ok(chunk.in_region.len())
    }
}

fn parse_hashes(texts: &[String]) -> Option<Vec<Hash>> {
    texts.iter().map(|t| parse_hash(t)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regions_parse_and_print_back() {
        for text in ["chr1", "chr1:100-200", "chr1:5-", "HLA-A*01:01:1-10"] {
            assert_eq!(text.parse::<Region>().unwrap().to_string(), text);
        }
        assert_eq!("chr1:1,000-2,000".parse::<Region>().unwrap().start, 1000);
        for bad in ["", ":1-2", "chr1:0-5", "chr1:9-5", "chr1:x-5", "chr1:5"] {
            assert!(bad.parse::<Region>().is_err(), "{bad}");
        }
    }

    #[test]
    fn overlap_is_inclusive_at_both_ends() {
        let region: Region = "c:10-20".parse().unwrap();
        let at = |start, end| Locus {
            reference: b"c".to_vec(),
            start,
            end,
        };
        assert!(region.overlaps(&at(5, 10)));
        assert!(region.overlaps(&at(20, 30)));
        assert!(!region.overlaps(&at(1, 9)));
        assert!(!region.overlaps(&at(21, 30)));
        assert!(!region.overlaps(&Locus {
            reference: b"d".to_vec(),
            start: 15,
            end: 15
        }));
    }
}

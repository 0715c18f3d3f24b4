//! `bionft-seq compare A B`: whether two files hold the same content, and if not, what differs.
//!
//! Both files are digested with `bionft-c2` (formats and compressions may differ). Equal content
//! digests mean the same content. Otherwise the report names the header parts that differ (the
//! reference sequences, each read group, the sample names), the record counts, the read groups
//! whose records differ, and the first differing record: the first chunk whose leaves differ is
//! decoded again in both files and compared record by record and field by field.

use std::io;
use std::path::Path;

use serde::Serialize;

use crate::canonical::{fields, locus, Kind, CHUNK_RECORDS};
use crate::pipeline::{digest_file, FileReport, Options};
use crate::scheme::Scheme;

/// One side of a comparison.
#[derive(Clone, Debug, Serialize)]
pub struct Side {
    pub path: String,
    pub format: String,
    pub compression: String,
    pub kind: String,
    pub records: u64,
    pub content_digest: String,
}

/// A read group whose records differ, with its record count in each file (0 when absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GroupDifference {
    pub id: String,
    pub records_a: u64,
    pub records_b: u64,
}

/// The first record that differs, numbered from 1 in file order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RecordDifference {
    pub record: u64,
    /// `NAME:POS` of the record in A (or B when A has none there); `None` without coordinates.
    pub position: Option<String>,
    /// The first differing field, or `only in A` / `only in B`.
    pub field: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct Comparison {
    pub same_content: bool,
    pub a: Side,
    pub b: Side,
    /// Header parts that differ, e.g. `read group "x" only in A`.
    pub header: Vec<String>,
    pub read_groups: Vec<GroupDifference>,
    pub first_difference: Option<RecordDifference>,
    /// With `--unordered` on both: the same records in another order.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_records_reordered: Option<bool>,
}

fn side(report: &FileReport) -> Side {
    Side {
        path: report.path.display().to_string(),
        format: report.format.to_string(),
        compression: report.compression.to_string(),
        kind: report.kind().name().into(),
        records: report.digests.records,
        content_digest: report.digests.content_digest.clone(),
    }
}

/// Compares `a` and `b`; `options` gives threads, reference and `--unordered` (the scheme is
/// always c2).
pub fn compare(a: &Path, b: &Path, options: &Options) -> io::Result<Comparison> {
    let options = Options {
        scheme: Scheme::C2,
        region: None,
        capture_chunk: None,
        ..options.clone()
    };
    fn context(path: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
        move |e| io::Error::new(e.kind(), format!("{}: {e}", path.display()))
    }
    let ra = digest_file(a, &options).map_err(context(a))?;
    let rb = digest_file(b, &options).map_err(context(b))?;
    let mut comparison = Comparison {
        same_content: ra.digests.content_digest == rb.digests.content_digest,
        a: side(&ra),
        b: side(&rb),
        header: Vec::new(),
        read_groups: Vec::new(),
        first_difference: None,
        same_records_reordered: None,
    };
    if comparison.same_content {
        return Ok(comparison);
    }
    if ra.kind() != rb.kind() {
        comparison.header.push(format!(
            "kind: {} in A, {} in B",
            ra.kind().name(),
            rb.kind().name()
        ));
        return Ok(comparison);
    }
    comparison.header = header_differences(&ra, &rb);
    comparison.read_groups = group_differences(&ra, &rb);
    if let (Some(ua), Some(ub)) = (&ra.digests.order_independent, &rb.digests.order_independent) {
        comparison.same_records_reordered = Some(ua == ub);
    }
    let (la, lb) = (&ra.digests.chunk_leaves, &rb.digests.chunk_leaves);
    let chunk = (0..la.len().max(lb.len())).find(|&i| la.get(i) != lb.get(i));
    if let Some(chunk) = chunk {
        let capture = Options {
            capture_chunk: Some(chunk),
            progress: false,
            ..options.clone()
        };
        let ca = digest_file(a, &capture).map_err(context(a))?;
        let cb = digest_file(b, &capture).map_err(context(b))?;
        let empty = Default::default();
        let records_a = ca.selected.get(&chunk).map_or(&empty, |c| &c.records);
        let records_b = cb.selected.get(&chunk).map_or(&empty, |c| &c.records);
        comparison.first_difference =
            first_record_difference(ra.kind(), chunk, records_a, records_b)?;
    }
    Ok(comparison)
}

fn header_differences(a: &FileReport, b: &FileReport) -> Vec<String> {
    let mut out = Vec::new();
    for (label, digest) in &a.header.parts {
        match b.header.parts.iter().find(|(l, _)| l == label) {
            None => out.push(format!("{label} only in A")),
            Some((_, other)) if other != digest => out.push(format!("{label} differs")),
            Some(_) => {}
        }
    }
    for (label, _) in &b.header.parts {
        if !a.header.parts.iter().any(|(l, _)| l == label) {
            out.push(format!("{label} only in B"));
        }
    }
    out
}

fn group_differences(a: &FileReport, b: &FileReport) -> Vec<GroupDifference> {
    let (ga, gb) = (&a.digests.read_groups, &b.digests.read_groups);
    let mut ids: Vec<&str> = ga.iter().chain(gb).map(|g| g.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    ids.into_iter()
        .filter_map(|id| {
            let x = ga.iter().find(|g| g.id == id);
            let y = gb.iter().find(|g| g.id == id);
            (x.map(|g| g.digest) != y.map(|g| g.digest)).then(|| GroupDifference {
                id: id.to_owned(),
                records_a: x.map_or(0, |g| g.records),
                records_b: y.map_or(0, |g| g.records),
            })
        })
        .collect()
}

type Encodings = Vec<(usize, Vec<u8>)>;

/// The first record of chunk `chunk` that differs between the two captures.
pub fn first_record_difference(
    kind: Kind,
    chunk: usize,
    a: &Encodings,
    b: &Encodings,
) -> io::Result<Option<RecordDifference>> {
    let position = |encoding: &[u8]| -> io::Result<Option<String>> {
        Ok(locus(kind, encoding)?
            .map(|l| format!("{}:{}", String::from_utf8_lossy(&l.reference), l.start)))
    };
    for i in 0..a.len().max(b.len()) {
        let record = (chunk * CHUNK_RECORDS + i + 1) as u64;
        let (x, y) = (
            a.get(i).map(|r| r.1.as_slice()),
            b.get(i).map(|r| r.1.as_slice()),
        );
        let difference = match (x, y) {
            (Some(x), Some(y)) if x == y => continue,
            (Some(x), Some(y)) => RecordDifference {
                record,
                position: position(x)?,
                field: first_field_difference(kind, x, y)?,
            },
            (Some(x), None) => RecordDifference {
                record,
                position: position(x)?,
                field: "only in A".into(),
            },
            (None, Some(y)) => RecordDifference {
                record,
                position: position(y)?,
                field: "only in B".into(),
            },
            (None, None) => unreachable!("i is below the longer length"),
        };
        return Ok(Some(difference));
    }
    Ok(None)
}

/// The name of the first field in which two record encodings differ.
pub fn first_field_difference(kind: Kind, a: &[u8], b: &[u8]) -> io::Result<String> {
    let (fa, fb) = (fields(kind, a)?, fields(kind, b)?);
    for i in 0..fa.len().max(fb.len()) {
        match (fa.get(i), fb.get(i)) {
            (Some(x), Some(y)) if x == y => {}
            (Some(x), Some(y)) if x.0 == y.0 => return Ok(x.0.clone()),
            // Fields sorted by name (aux tags, INFO keys): the smaller name is the one missing
            // from the other record.
            (Some(x), Some(y)) => {
                return Ok(if x.0 < y.0 {
                    format!("{} only in A", x.0)
                } else {
                    format!("{} only in B", y.0)
                })
            }
            (Some(x), None) => return Ok(format!("{} only in A", x.0)),
            (None, Some(y)) => return Ok(format!("{} only in B", y.0)),
            (None, None) => break,
        }
    }
    Ok("encoding".into())
}

impl Comparison {
    /// Lines for the text report, after the first (`same content` / `content differs`).
    pub fn lines(&self) -> Vec<String> {
        let mut out = Vec::new();
        for part in &self.header {
            out.push(format!("header: {part}"));
        }
        if self.a.records != self.b.records {
            out.push(format!(
                "records: {} in A, {} in B",
                self.a.records, self.b.records
            ));
        }
        for g in &self.read_groups {
            let id = if g.id.is_empty() { "(no RG)" } else { &g.id };
            out.push(format!(
                "read group {id}: records differ ({} in A, {} in B)",
                g.records_a, g.records_b
            ));
        }
        if let Some(d) = &self.first_difference {
            let at = d
                .position
                .as_deref()
                .map_or_else(String::new, |p| format!(" at {p}"));
            out.push(format!(
                "first differing record: {}{at}: {}",
                d.record, d.field
            ));
        }
        if self.same_records_reordered == Some(true) {
            out.push("same records in a different order".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::canonical::encode_read;

    fn read(name: &[u8], seq: &[u8]) -> Vec<u8> {
        let mut out = Vec::new();
        encode_read(name, b"", seq, &vec![b'I'; seq.len()], &mut out).unwrap();
        out
    }

    #[test]
    fn the_first_differing_field_is_named() {
        let a = read(b"r1", b"ACGT");
        assert_eq!(
            first_field_difference(Kind::Reads, &a, &read(b"r1", b"ACGA")).unwrap(),
            "sequence"
        );
        assert_eq!(
            first_field_difference(Kind::Reads, &a, &read(b"r2", b"ACGT")).unwrap(),
            "read name"
        );
        let mut broken = a.clone();
        broken.push(0);
        assert!(first_field_difference(Kind::Reads, &a, &broken).is_err());
    }

    #[test]
    fn the_first_differing_record_is_numbered_across_chunks() {
        let a: Encodings = (0..3)
            .map(|i| (i, read(&[b'r', b'0' + i as u8], b"A")))
            .collect();
        let mut b = a.clone();
        b[1].1 = read(b"r1", b"C");
        let d = first_record_difference(Kind::Reads, 2, &a, &b)
            .unwrap()
            .unwrap();
        assert_eq!(
            (d.record, d.field.as_str()),
            (2 * CHUNK_RECORDS as u64 + 2, "sequence")
        );
        assert_eq!(d.position, None);
        let shorter: Encodings = a[..2].to_vec();
        let d = first_record_difference(Kind::Reads, 0, &a, &shorter)
            .unwrap()
            .unwrap();
        assert_eq!((d.record, d.field.as_str()), (3, "only in A"));
        assert_eq!(
            first_record_difference(Kind::Reads, 0, &a, &a).unwrap(),
            None
        );
    }
}

//! Region slices by index: for a BGZF file with a binning index (BAM with
//! BAI/CSI, bgzipped VCF with tabix/CSI, BCF with CSI), the bytes of a valid
//! file holding the header and every record the index says may overlap a
//! region, instead of the whole file.
//!
//! A slice is re-blocked, not cut from the file's own blocks: the header's
//! bytes (uncompressed, up to the first record) and each index chunk's bytes
//! (from its start to its end virtual position, which fall on record
//! boundaries) are written through a new BGZF stream ending with the EOF
//! block. So a slice never carries a header tail or half a record from a
//! shared block, and it is read by any BAM/VCF/BCF reader as it is. It may
//! hold records outside the region (those in the same index bins), as htsget
//! allows; clients filter.
//!
//! The index comes from beside the file (`x.bam.bai`, `x.bam.csi`,
//! `x.vcf.gz.tbi`, `x.vcf.gz.csi`, `x.bcf.csi`), or is built from the file
//! when it opens (noodles' indexers). A BAM is indexed as `samtools index`
//! does: its records must be in coordinate order, whether or not its header
//! says `SO:coordinate`.

use std::fs::File;
use std::io::{self, BufRead, Write};
use std::path::Path;

use noodles::bgzf::{self, VirtualPosition};
use noodles::core::region::Interval;
use noodles::core::Position;
use noodles::csi::binning_index::index::reference_sequence::bin::Chunk;
use noodles::csi::BinningIndex;
use noodles::{bam, bcf, vcf};
use sequencer_cli::formats::Format;
use sequencer_cli::proof::Region;

/// A file that can be sliced: its index, its references in the index's
/// order, and where its first record starts.
pub struct Slicer {
    index: Box<dyn BinningIndex + Send + Sync>,
    references: Vec<Vec<u8>>,
    header_end: VirtualPosition,
    /// Whether the index was read from beside the file (else built at open).
    pub index_file: bool,
}

impl std::fmt::Debug for Slicer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Slicer")
            .field("references", &self.references.len())
            .field("header_end", &self.header_end)
            .field("index_file", &self.index_file)
            .finish()
    }
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// `index` read from beside the file when one is there, else built from it.
fn read_or_build<I>(
    read: impl FnOnce() -> io::Result<I>,
    build: impl FnOnce() -> io::Result<I>,
) -> io::Result<(I, bool)> {
    match read() {
        Ok(index) => Ok((index, true)),
        Err(e) if e.kind() == io::ErrorKind::NotFound => build().map(|i| (i, false)),
        Err(e) => Err(e),
    }
}

impl Slicer {
    /// The slicer of a BGZF-compressed BAM, VCF or BCF file; an error says
    /// why the file cannot be sliced (e.g. a BAM not sorted by coordinate).
    pub fn open(path: &Path, format: Format) -> io::Result<Slicer> {
        // Each format: its index, its references in the index's order, and
        // where its header ends (read with its own reader).
        let slicer = match format {
            Format::Bam => {
                let (index, index_file) =
                    read_or_build(|| bam::fs::read_associated_index(path), || index_bam(path))?;
                let mut reader = bam::io::Reader::new(File::open(path)?);
                let header = reader.read_header()?;
                let references = header
                    .reference_sequences()
                    .keys()
                    .map(|name| name.to_vec())
                    .collect();
                let end = reader.get_ref().virtual_position();
                Slicer::from_parts(index, index_file, references, end)
            }
            Format::Vcf => {
                let (index, index_file) = read_or_build(
                    || vcf::fs::read_associated_index(path),
                    || vcf::fs::index(path),
                )?;
                let mut reader = vcf::io::Reader::new(bgzf::io::Reader::new(File::open(path)?));
                reader.read_header()?;
                let references = index
                    .header()
                    .ok_or_else(|| invalid("the VCF index has no tabix header"))?
                    .reference_sequence_names()
                    .iter()
                    .map(|name| name.to_vec())
                    .collect();
                let end = reader.get_ref().virtual_position();
                Slicer::from_parts(index, index_file, references, end)
            }
            Format::Bcf => {
                let (index, index_file) = read_or_build(
                    || bcf::fs::read_associated_index(path),
                    || bcf::fs::index(path),
                )?;
                let mut reader = bcf::io::Reader::new(File::open(path)?);
                let header = reader.read_header()?;
                let contigs = header.string_maps().contigs();
                let references = (0..)
                    .map_while(|i| contigs.get_index(i))
                    .map(|name| name.as_bytes().to_vec())
                    .collect();
                let end = reader.get_ref().virtual_position();
                Slicer::from_parts(index, index_file, references, end)
            }
            other => return Err(invalid(format!("{other} files are not sliced by index"))),
        };
        Ok(slicer)
    }

    fn from_parts(
        index: impl BinningIndex + Send + Sync + 'static,
        index_file: bool,
        references: Vec<Vec<u8>>,
        header_end: VirtualPosition,
    ) -> Slicer {
        Slicer {
            index: Box::new(index),
            references,
            header_end,
            index_file,
        }
    }

    /// The index chunks that may hold `region`'s records, merged and in file
    /// order; none when the file has no such reference.
    pub fn chunks(&self, region: &Region) -> io::Result<Vec<Chunk>> {
        let Some(id) = self.references.iter().position(|r| *r == region.name) else {
            return Ok(Vec::new());
        };
        // The deepest position the index can bin: 2^(min_shift + 3·depth) - 1.
        let bits = u32::from(self.index.min_shift()) + 3 * u32::from(self.index.depth());
        let last = (1u64 << bits.min(62)) - 1;
        let position = |p: u64| {
            Position::try_from(usize::try_from(p.clamp(1, last)).unwrap_or(usize::MAX))
                .map_err(|e| invalid(e.to_string()))
        };
        if region.start > last {
            return Ok(Vec::new());
        }
        let interval = Interval::from(position(region.start)?..=position(region.end)?);
        // The index merges the chunks and drops those before the linear index's offset.
        self.index.query(id, interval)
    }

    /// Writes the slice of `path` holding `chunks`: the header, then each
    /// chunk's records, as a new BGZF stream.
    pub fn write(&self, path: &Path, chunks: &[Chunk], out: impl Write) -> io::Result<()> {
        let mut reader = bgzf::io::Reader::new(File::open(path)?);
        let mut writer = bgzf::io::Writer::new(out);
        copy_between(
            &mut reader,
            VirtualPosition::MIN,
            self.header_end,
            &mut writer,
        )?;
        for chunk in chunks {
            copy_between(&mut reader, chunk.start(), chunk.end(), &mut writer)?;
        }
        writer.finish().map(drop)
    }
}

/// A BAM's index, built from its records; out-of-order records are an error.
fn index_bam(path: &Path) -> io::Result<bam::Index> {
    use noodles::sam::alignment::Record as _;
    let mut reader = bam::io::Reader::new(File::open(path)?);
    let header = reader.read_header()?;
    let longest = header
        .reference_sequences()
        .values()
        .map(|r| r.length().get())
        .max()
        .unwrap_or(1);
    let mut indexer = bam::index::Indexer::builder()
        .set_max_position_hint(Position::try_from(longest).map_err(|e| invalid(e.to_string()))?)
        .build()
        .map_err(|e| invalid(format!("indexing: {e}")))?;
    let mut record = bam::Record::default();
    let mut start = reader.get_ref().virtual_position();
    let mut number = 0u64;
    while reader.read_record(&mut record)? != 0 {
        number += 1;
        let end = reader.get_ref().virtual_position();
        let context = match (
            record.reference_sequence_id().transpose()?,
            record.alignment_start().transpose()?,
            record.alignment_end().transpose()?,
        ) {
            (Some(id), Some(first), Some(last)) => {
                Some((id, first, last, !record.flags().is_unmapped()))
            }
            _ => None,
        };
        indexer
            .add_record(context, Chunk::new(start, end))
            .map_err(|e| invalid(format!("record {number}: {e} (not sorted by coordinate)")))?;
        start = end;
    }
    Ok(indexer.build(header.reference_sequences().len()))
}

/// Copies the uncompressed bytes from `start` to `end` (virtual positions).
fn copy_between<R: io::Read + io::Seek>(
    reader: &mut bgzf::io::Reader<R>,
    start: VirtualPosition,
    end: VirtualPosition,
    out: &mut impl Write,
) -> io::Result<()> {
    reader.seek(start)?;
    loop {
        let available = reader.fill_buf()?.len();
        let at = reader.virtual_position();
        if available == 0 || at >= end {
            return Ok(());
        }
        let take = if at.compressed() == end.compressed() {
            available.min(usize::from(end.uncompressed() - at.uncompressed()))
        } else {
            available
        };
        out.write_all(&reader.fill_buf()?[..take])?;
        reader.consume(take);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn shared(path: &str) -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data")
            .join(path)
    }

    /// A record's reference id and start.
    type Locus = (Option<usize>, Option<usize>);

    /// The number of references of a BAM, and the locus of each of its records.
    fn bam_records(bam: &[u8]) -> (usize, Vec<Locus>) {
        let mut reader = bam::io::Reader::new(bam);
        let header = reader.read_header().unwrap();
        let records = reader
            .records()
            .map(|r| {
                let r = r.unwrap();
                (
                    r.reference_sequence_id().transpose().unwrap(),
                    r.alignment_start().transpose().unwrap().map(usize::from),
                )
            })
            .collect();
        (header.reference_sequences().len(), records)
    }

    fn slice(path: &Path, format: Format, region: &str) -> (Slicer, Vec<u8>) {
        let slicer = Slicer::open(path, format).unwrap();
        let chunks = slicer.chunks(&region.parse().unwrap()).unwrap();
        let mut out = Vec::new();
        slicer.write(path, &chunks, &mut out).unwrap();
        (slicer, out)
    }

    #[test]
    fn a_bam_slice_holds_the_header_and_the_records_of_the_region_only() {
        // 20,000 reads, all on chrM, in a BAM whose header does not say SO:coordinate.
        let path = shared("hts-specs/bam_level-1.bam");
        let (whole_refs, whole) = bam_records(&std::fs::read(&path).unwrap());
        let (slicer, on_chr_m) = slice(&path, Format::Bam, "chrM:1-100");
        assert!(
            !slicer.index_file,
            "the shared data has no index: it is built"
        );
        assert_eq!(bam_records(&on_chr_m), (whole_refs, whole));
        // A region on another reference: a valid BAM with the header and no record.
        let (_, on_chr1) = slice(&path, Format::Bam, "chr1:1-1000000");
        assert_eq!(bam_records(&on_chr1), (whole_refs, Vec::new()));
        assert!(on_chr1.len() < 2_000, "{} bytes", on_chr1.len());
        let (_, nowhere) = slice(&path, Format::Bam, "nowhere:1-10");
        assert_eq!(bam_records(&nowhere).1.len(), 0);
    }

    #[test]
    fn a_bcf_slice_holds_the_records_of_its_chromosome() {
        let path = shared("htslib/tabix_vcf_file.bcf");
        let positions = |bytes: &[u8]| -> Vec<(String, usize)> {
            let mut reader = bcf::io::Reader::new(bytes);
            let header = reader.read_header().unwrap();
            reader
                .records()
                .map(|r| {
                    let r = r.unwrap();
                    (
                        r.reference_sequence_name(header.string_maps())
                            .unwrap()
                            .to_string(),
                        r.variant_start().unwrap().unwrap().get(),
                    )
                })
                .collect()
        };
        let whole = positions(&std::fs::read(&path).unwrap());
        assert_eq!(whole.len(), 15);
        let (_, sliced) = slice(&path, Format::Bcf, "2:3199000-3200000");
        assert_eq!(positions(&sliced), [("2".to_string(), 3_199_812)]);
        let (_, chr1) = slice(&path, Format::Bcf, "1");
        let want: Vec<_> = whole.iter().filter(|(c, _)| c == "1").cloned().collect();
        assert_eq!(positions(&chr1), want);
    }

    #[test]
    fn an_unsorted_bam_is_refused_with_the_record_that_breaks_the_order() {
        // Two records of the real BAM, written out of order.
        let path = shared("hts-specs/bam_level-1.bam");
        let mut reader = bam::io::Reader::new(File::open(&path).unwrap());
        let header = reader.read_header().unwrap();
        let records: Vec<bam::Record> = reader.records().map(|r| r.unwrap()).collect();
        let (first, last) = (&records[0], records.last().unwrap());
        assert!(
            first.alignment_start().unwrap().unwrap() < last.alignment_start().unwrap().unwrap()
        );
        let dir = tempfile::tempdir().unwrap();
        let unsorted = dir.path().join("unsorted.bam");
        let mut writer = bam::io::Writer::new(File::create(&unsorted).unwrap());
        writer.write_header(&header).unwrap();
        use noodles::sam::alignment::io::Write as _;
        for record in [last, first] {
            writer.write_alignment_record(&header, record).unwrap();
        }
        writer.try_finish().unwrap();
        drop(writer);
        let e = Slicer::open(&unsorted, Format::Bam)
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("record 2") && e.contains("not sorted"), "{e}");
    }
}

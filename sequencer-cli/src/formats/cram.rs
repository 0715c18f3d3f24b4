//! CRAM: reference-compressed alignments. Decoding needs the reference (`--reference`, a FASTA
//! with or without `.fai`) unless the file embeds it. Each reference sequence is checked against
//! the header's `M5`, so a CRAM decoded against the wrong reference is refused.

use std::collections::{HashMap, VecDeque};
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use md5::{Digest, Md5};
use noodles::{cram, fasta, sam};

use super::{header_error, sam::Encoder, RecordSource, Records};
use crate::canonical::CanonicalHeader;
use crate::digest::hex;

pub struct Source<R: Read> {
    reader: cram::io::Reader<R>,
    header: sam::Header,
    names: Arc<Vec<Vec<u8>>>,
    repository: fasta::Repository,
    container: cram::io::reader::Container,
    pending: VecDeque<sam::alignment::RecordBuf>,
}

pub fn open<R: Read>(
    inner: R,
    reference: Option<&Path>,
) -> io::Result<(CanonicalHeader, Source<R>)> {
    let mut reader = cram::io::reader::Builder::default().build_from_reader(inner);
    let header = read_header(&mut reader)?;
    let repository = fasta::Repository::new(CheckedReference::new(reference, &header)?);
    let names = super::sam::reference_names(&header);
    let canonical = CanonicalHeader::alignment(&header);
    Ok((
        canonical,
        Source {
            reader,
            header,
            names,
            repository,
            container: Default::default(),
            pending: VecDeque::new(),
        },
    ))
}

/// Reads the file definition and header as `cram::io::Reader::read_header` does, naming the
/// line of the SAM text that a refusal is about.
fn read_header<R: Read>(reader: &mut cram::io::Reader<R>) -> io::Result<sam::Header> {
    reader.read_file_definition().map_err(header_error)?;
    let mut parts = reader.header_reader();
    let mut container = parts.container_reader().map_err(header_error)?;
    let header = {
        let mut text = container.raw_sam_header_reader().map_err(header_error)?;
        let (header, _) = super::sam::parse_header(io::BufReader::new(&mut text))?;
        text.discard_to_end().map_err(header_error)?;
        header
    };
    container.discard_to_end().map_err(header_error)?;
    Ok(header)
}

/// The reference as the decoder sees it: every sequence is checked against the header's `M5`
/// on first use, and a missing reference or sequence is an error rather than a decoder panic.
/// (noodles checks slice MD5s only for single-reference slices.)
struct CheckedReference {
    /// The FASTA's path and sequences, when `--reference` was given.
    reference: Option<(PathBuf, Box<dyn fasta::repository::Adapter>)>,
    expected_md5: HashMap<Vec<u8>, String>,
}

impl CheckedReference {
    fn new(path: Option<&Path>, header: &sam::Header) -> io::Result<Self> {
        use sam::header::record::value::map::reference_sequence::tag::MD5_CHECKSUM;
        let expected_md5 = header
            .reference_sequences()
            .iter()
            .filter_map(|(name, map)| {
                let md5 = map.other_fields().get(&MD5_CHECKSUM)?;
                Some((
                    name.to_vec(),
                    String::from_utf8_lossy(md5).to_ascii_lowercase(),
                ))
            })
            .collect();
        let reference = match path {
            Some(path) => Some((path.to_owned(), load_reference(path)?)),
            None => None,
        };
        Ok(Self {
            reference,
            expected_md5,
        })
    }
}

impl fasta::repository::Adapter for CheckedReference {
    fn get(&mut self, name: &[u8]) -> Option<io::Result<fasta::Record>> {
        let shown = String::from_utf8_lossy(name).into_owned();
        let Some((path, sequences)) = &mut self.reference else {
            return Some(Err(invalid(format!(
                "this CRAM needs its reference sequence {shown}: pass --reference FASTA"
            ))));
        };
        let path = path.display();
        let record = match sequences.get(name) {
            None => {
                return Some(Err(invalid(format!(
                    "reference {path} has no sequence {shown}"
                ))))
            }
            Some(Err(e)) => return Some(Err(e)),
            Some(Ok(record)) => record,
        };
        if let Some(expected) = self.expected_md5.get(name) {
            let upper = record.sequence().as_ref().to_ascii_uppercase();
            let actual = hex(&Md5::digest(&upper));
            if &actual != expected {
                return Some(Err(invalid(format!(
                    "reference {path}: sequence {shown} does not match the CRAM header (MD5 {actual}, expected {expected})"
                ))));
            }
        }
        Some(Ok(record))
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

fn load_reference(path: &Path) -> io::Result<Box<dyn fasta::repository::Adapter>> {
    let context =
        |e: io::Error| io::Error::new(e.kind(), format!("reference {}: {e}", path.display()));
    let mut index_path = path.as_os_str().to_owned();
    index_path.push(".fai");
    if Path::new(&index_path).exists() {
        let reader = fasta::io::indexed_reader::Builder::default()
            .build_from_path(path)
            .map_err(context)?;
        Ok(Box::new(fasta::repository::adapters::IndexedReader::new(
            reader,
        )))
    } else {
        let records = fasta::io::reader::Builder
            .build_from_path(path)
            .map_err(context)?
            .records()
            .collect::<io::Result<Vec<_>>>()
            .map_err(context)?;
        Ok(Box::new(records))
    }
}

impl<R: Read> Source<R> {
    /// Decodes the next container's records into `pending`; `false` at the end of the file.
    fn fill(&mut self) -> io::Result<bool> {
        if self.reader.read_container(&mut self.container)? == 0 {
            return Ok(false);
        }
        let compression_header = self.container.compression_header()?;
        for slice in self.container.slices() {
            let slice = slice?;
            let (core, external) = slice.decode_blocks()?;
            let records = slice.records(
                self.repository.clone(),
                &self.header,
                &compression_header,
                &core,
                &external,
            )?;
            for record in &records {
                self.pending
                    .push_back(sam::alignment::RecordBuf::try_from_alignment_record(
                        &self.header,
                        record,
                    )?);
            }
        }
        Ok(true)
    }
}

impl<R: Read> RecordSource for Source<R> {
    type Batch = Records<sam::alignment::RecordBuf>;
    type Encoder = Encoder;

    fn read_batch(&mut self, batch: &mut Self::Batch, max: usize) -> io::Result<bool> {
        batch.fill(max, |record| loop {
            if let Some(next) = self.pending.pop_front() {
                *record = next;
                return Ok(true);
            }
            if !self.fill()? {
                return Ok(false);
            }
        })
    }

    fn encoder(&self) -> Encoder {
        Encoder::new(Arc::clone(&self.names))
    }
}

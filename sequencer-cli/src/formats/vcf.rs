//! VCF text variants (plain, gzip or BGZF), and the encoder shared with BCF. The reading thread
//! only splits the text into lines; workers parse them (see [`LineEncoder`]), so that parsing,
//! most of a VCF's cost, runs on every digesting thread, and a chunk in flight holds its text,
//! not its parsed values.

use std::cell::RefCell;
use std::io::{self, BufRead};
use std::sync::Arc;

use noodles::vcf::{self, header::StringMaps, variant::RecordBuf};

use super::{header_error, parse_header_lines, LineSource, Packed, RecordEncoder, Records};
use crate::canonical::{encode_variant, CanonicalHeader, Scratch};

pub fn open(
    inner: Box<dyn BufRead + Send>,
) -> io::Result<(CanonicalHeader, LineSource<LineEncoder>)> {
    let mut reader = vcf::io::Reader::new(inner);
    let (header, header_lines) = parse_header(reader.header_reader(), Dictionary::None)?;
    let encoder = LineEncoder {
        header: Arc::new(header),
    };
    Ok((
        CanonicalHeader::variants(&encoder.header),
        LineSource::new(reader.into_inner(), header_lines, encoder),
    ))
}

/// Whether a header's string dictionary is built while parsing it (BCF needs it).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Dictionary {
    None,
    Bcf,
}

/// Parses VCF header text (a VCF file's `#` lines, or the text in a BCF header) as noodles
/// does, naming the line of a refusal. Returns the header and its number of lines.
pub fn parse_header(text: impl BufRead, dictionary: Dictionary) -> io::Result<(vcf::Header, u64)> {
    let mut parser = vcf::header::Parser::default();
    let mut string_maps = StringMaps::default();
    let invalid = |e| io::Error::new(io::ErrorKind::InvalidData, e);
    let lines = parse_header_lines(text, |line| {
        let entry = parser.parse_partial(line).map_err(invalid)?;
        if dictionary == Dictionary::Bcf {
            string_maps.insert_entry(&entry).map_err(invalid)?;
        }
        Ok::<_, io::Error>(())
    })?;
    let mut header = parser.finish().map_err(|e| header_error(invalid(e)))?;
    if dictionary == Dictionary::Bcf {
        *header.string_maps_mut() = string_maps;
    }
    Ok((header, lines))
}

/// Encodes decoded variant records, from VCF or BCF alike.
pub struct Encoder;

impl RecordEncoder for Encoder {
    type Batch = Records<RecordBuf>;

    fn encode(&self, record: &RecordBuf, _: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        encode_variant(record, out);
        Ok(())
    }
}

/// Parses a VCF line as `noodles`' reader does (same checks, same refusals), then encodes it.
#[derive(Clone)]
pub struct LineEncoder {
    header: Arc<vcf::Header>,
}

impl RecordEncoder for LineEncoder {
    type Batch = Packed;

    fn encode(&self, line: &[u8], scratch: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        thread_local! {
            /// Each worker's parsed record, reused from line to line.
            static RECORD: RefCell<RecordBuf> = RefCell::default();
        }
        RECORD.with_borrow_mut(|record| {
            vcf::io::Reader::new(line).read_record_buf(&self.header, record)?;
            Encoder.encode(record, scratch, out)
        })
    }
}

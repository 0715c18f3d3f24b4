//! SAM text alignments (plain, gzip or BGZF), and the pieces shared by every decoder that
//! yields `sam::alignment::RecordBuf` (SAM and CRAM). The reading thread only splits SAM text
//! into lines; workers parse them (see [`LineEncoder`]).

use std::cell::RefCell;
use std::io::{self, BufRead};
use std::sync::Arc;

use noodles::sam::{self, alignment::RecordBuf};

use super::{parse_header_lines, LineSource, Packed, RecordEncoder, Records};
use crate::canonical::{encode_alignment, AlignmentFields, Bases, CanonicalHeader, Scratch};

pub fn open(
    inner: Box<dyn BufRead + Send>,
) -> io::Result<(CanonicalHeader, LineSource<LineEncoder>)> {
    let mut reader = sam::io::Reader::new(inner);
    let (header, header_lines) = parse_header(reader.header_reader())?;
    let encoder = LineEncoder {
        records: Encoder::new(reference_names(&header)),
        header: Arc::new(header),
    };
    Ok((
        CanonicalHeader::alignment(&encoder.header),
        LineSource::new(reader.into_inner(), header_lines, encoder),
    ))
}

/// Parses SAM header text (a SAM file's `@` lines, or the text in a BAM or CRAM header) as
/// noodles does, naming the line of a refusal. Returns the header and its number of lines.
pub fn parse_header(text: impl BufRead) -> io::Result<(sam::Header, u64)> {
    let mut parser = sam::header::Parser::default();
    let lines = parse_header_lines(text, |line| parser.parse_partial(line))?;
    Ok((parser.finish(), lines))
}

/// The header's reference sequence names, by index.
pub fn reference_names(header: &sam::Header) -> Arc<Vec<Vec<u8>>> {
    Arc::new(
        header
            .reference_sequences()
            .keys()
            .map(|name| name.to_vec())
            .collect(),
    )
}

/// The name of reference `id`; empty for none; an error when the header has no such reference.
pub fn reference_name(names: &[Vec<u8>], id: Option<usize>) -> io::Result<&[u8]> {
    match id {
        None => Ok(&[]),
        Some(id) => names.get(id).map(Vec::as_slice).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!("reference sequence index {id} is not in the header"),
            )
        }),
    }
}

/// Encodes `RecordBuf`s, whichever decoder produced them.
#[derive(Clone)]
pub struct Encoder {
    names: Arc<Vec<Vec<u8>>>,
}

impl Encoder {
    pub fn new(names: Arc<Vec<Vec<u8>>>) -> Self {
        Self { names }
    }
}

impl RecordEncoder for Encoder {
    type Batch = Records<RecordBuf>;

    fn encode(
        &self,
        record: &RecordBuf,
        scratch: &mut Scratch,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let data = sam::alignment::Record::data(record);
        let fields = AlignmentFields {
            reference_name: reference_name(&self.names, record.reference_sequence_id())?,
            position: record.alignment_start().map_or(0, |p| p.get() as u64),
            cigar: record.cigar().as_ref().iter().copied().map(Ok),
            flags: record.flags().bits(),
            mapping_quality: record.mapping_quality().map(u8::from),
            name: record.name().map_or(&[][..], |n| n.as_ref()),
            mate_reference_name: reference_name(&self.names, record.mate_reference_sequence_id())?,
            mate_position: record.mate_alignment_start().map_or(0, |p| p.get() as u64),
            template_length: i64::from(record.template_length()),
            bases: Bases::Ascii(record.sequence().as_ref()),
            quality_scores: record.quality_scores().as_ref(),
            data: data.iter(),
        };
        encode_alignment(fields, scratch, out)
    }
}

/// Parses a SAM line as `noodles`' reader does (same checks, same refusals), then encodes it.
#[derive(Clone)]
pub struct LineEncoder {
    header: Arc<sam::Header>,
    records: Encoder,
}

impl RecordEncoder for LineEncoder {
    type Batch = Packed;

    fn encode(&self, line: &[u8], scratch: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        thread_local! {
            /// Each worker's parsed record, reused from line to line.
            static RECORD: RefCell<RecordBuf> = RefCell::default();
        }
        RECORD.with_borrow_mut(|record| {
            sam::io::Reader::new(line).read_record_buf(&self.header, record)?;
            self.records.encode(record, scratch, out)
        })
    }
}

//! File formats: detection from content, and one reader module per format behind
//! [`RecordSource`].
//!
//! A source decodes records on the reading thread; its [`RecordEncoder`] turns each record into
//! the canonical encoding on any worker thread. [`open`] detects the format and hands the typed
//! source to a [`SourceVisitor`], so the digest pipeline is written once, generically.

mod bam;
mod bcf;
mod cram;
mod fastq;
mod sam;
mod vcf;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use noodles::bgzf;

use crate::canonical::{CanonicalHeader, Scratch};

/// A detected file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Sam,
    Bam,
    Cram,
    Vcf,
    Bcf,
    Fastq,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Sam => "SAM",
            Format::Bam => "BAM",
            Format::Cram => "CRAM",
            Format::Vcf => "VCF",
            Format::Bcf => "BCF",
            Format::Fastq => "FASTQ",
        })
    }
}

/// The compression layer around a format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bgzf,
}

impl fmt::Display for Compression {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Compression::None => "plain",
            Compression::Gzip => "gzip",
            Compression::Bgzf => "bgzf",
        })
    }
}

/// Decodes records from a file, in file order, on one thread, a batch (a chunk's worth) at a
/// time.
pub trait RecordSource {
    type Batch: Batch;
    type Encoder: RecordEncoder<Batch = Self::Batch>;

    /// Empties `batch`, then reads records into it until it holds `max`; `false` once the file
    /// is exhausted. On an error (or a panic of the decoder), `batch` holds the records read
    /// before the one refused, so that the refusal can name it.
    fn read_batch(&mut self, batch: &mut Self::Batch, max: usize) -> io::Result<bool>;

    /// The encoder for this file's records (it holds what it needs of the header).
    fn encoder(&self) -> Self::Encoder;

    /// Where records sit in a text file; `None` for binary formats (records are named by
    /// number only).
    fn record_lines(&self) -> Option<RecordLines> {
        None
    }
}

/// Records read by a [`RecordSource`], handed to a worker as one batch.
pub trait Batch: Default + Send {
    /// One record, as the encoder takes it.
    type Record<'a>: Copy
    where
        Self: 'a;

    fn len(&self) -> usize;

    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Record `i` (`i < len()`).
    fn get(&self, i: usize) -> Self::Record<'_>;
}

/// Records decoded one at a time into values (BCF, CRAM, FASTQ), reused from batch to batch.
pub struct Records<R> {
    items: Vec<R>,
    len: usize,
}

impl<R> Default for Records<R> {
    fn default() -> Self {
        Records {
            items: Vec::new(),
            len: 0,
        }
    }
}

impl<R: Default> Records<R> {
    /// [`RecordSource::read_batch`] by `read`, which reads the next record into its argument
    /// and returns `false` at the end of the file.
    pub fn fill(
        &mut self,
        max: usize,
        mut read: impl FnMut(&mut R) -> io::Result<bool>,
    ) -> io::Result<bool> {
        self.len = 0;
        if self.items.len() < max {
            self.items.resize_with(max, R::default);
        }
        while self.len < max {
            if !read(&mut self.items[self.len])? {
                return Ok(false);
            }
            self.len += 1;
        }
        Ok(true)
    }
}

impl<R: Send> Batch for Records<R> {
    type Record<'a>
        = &'a R
    where
        Self: 'a;

    fn len(&self) -> usize {
        self.len
    }

    fn get(&self, i: usize) -> &R {
        &self.items[..self.len][i]
    }
}

/// Records that are byte strings (BAM records, lines of text) packed one after the other in one
/// buffer, so that the reading thread copies a run of them at once instead of one at a time.
#[derive(Default)]
pub struct Packed {
    bytes: Vec<u8>,
    /// Each record's range in `bytes`.
    spans: Vec<(usize, usize)>,
}

impl Packed {
    fn clear(&mut self) {
        self.bytes.clear();
        self.spans.clear();
    }

    /// [`RecordSource::read_batch`] for records that are byte strings in `src`: each run of whole
    /// records in its buffer is copied at once (see [`Packed::append_whole`] for `next`), and a
    /// record that goes on past the buffer is read by `read_one`, which appends it to the bytes
    /// it is given and returns how many of them precede the record itself (a length prefix).
    fn read_from<R: BufRead + ?Sized>(
        &mut self,
        src: &mut R,
        max: usize,
        next: impl Fn(&[u8], usize) -> Option<(std::ops::Range<usize>, usize)>,
        read_one: impl Fn(&mut R, &mut Vec<u8>) -> io::Result<usize>,
    ) -> io::Result<bool> {
        self.clear();
        while self.len() < max {
            let buf = src.fill_buf()?;
            if buf.is_empty() {
                return Ok(false);
            }
            let taken = self.append_whole(buf, max, &next);
            if taken > 0 {
                src.consume(taken);
                continue;
            }
            let start = self.bytes.len();
            let prefix = read_one(src, &mut self.bytes)?;
            self.spans.push((start + prefix, self.bytes.len()));
        }
        Ok(true)
    }

    /// Appends the whole records at the front of `buf` with one copy, until the batch holds
    /// `max`; returns how many bytes of `buf` they took. `next(buf, at)` finds the record that
    /// starts at `at`: its bytes' range and where the next one starts, or `None` when it does not
    /// end within `buf`.
    fn append_whole(
        &mut self,
        buf: &[u8],
        max: usize,
        next: &impl Fn(&[u8], usize) -> Option<(std::ops::Range<usize>, usize)>,
    ) -> usize {
        let base = self.bytes.len();
        let mut taken = 0;
        while self.len() < max {
            let Some((record, after)) = next(buf, taken) else {
                break;
            };
            self.spans.push((base + record.start, base + record.end));
            taken = after;
        }
        self.bytes.extend_from_slice(&buf[..taken]);
        taken
    }
}

/// Every record of `source`, read in batches of at most `max` (for tests of the sources).
#[cfg(test)]
fn read_all(mut source: impl RecordSource<Batch = Packed>, max: usize) -> Vec<Vec<u8>> {
    let (mut batch, mut records) = (Packed::default(), Vec::new());
    let mut more = true;
    while more {
        more = source.read_batch(&mut batch, max).unwrap();
        assert!(batch.len() <= max);
        records.extend((0..batch.len()).map(|i| batch.get(i).to_vec()));
    }
    records
}

impl Batch for Packed {
    type Record<'a> = &'a [u8];

    fn len(&self) -> usize {
        self.spans.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let (start, end) = self.spans[i];
        &self.bytes[start..end]
    }
}

/// Appends the canonical encoding of one record (see [`crate::canonical`]).
pub trait RecordEncoder: Send + Sync {
    type Batch: Batch;

    fn encode(
        &self,
        record: <Self::Batch as Batch>::Record<'_>,
        scratch: &mut Scratch,
        out: &mut Vec<u8>,
    ) -> io::Result<()>;
}

/// What the digest pipeline does with an opened file; called with the concrete source type.
pub trait SourceVisitor {
    type Output;

    fn visit<S: RecordSource>(self, opened: Opened, source: S) -> io::Result<Self::Output>;
}

/// A file's identity, decided before any record is read.
pub struct Opened {
    pub format: Format,
    pub compression: Compression,
    pub header: CanonicalHeader,
}

/// Options that change how a file is opened.
#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    /// FASTA reference for CRAM.
    pub reference: Option<PathBuf>,
}

const BGZF_EOF: [u8; 28] = [
    0x1f, 0x8b, 0x08, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0x06, 0x00, 0x42, 0x43, 0x02, 0x00,
    0x1b, 0x00, 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
];

/// The CRAM 3.x end-of-file container.
const CRAM3_EOF: [u8; 38] = [
    0x0f, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f, 0xe0, 0x45, 0x4f, 0x46, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x05, 0xbd, 0xd9, 0x4f, 0x00, 0x01, 0x00, 0x06, 0x06, 0x01, 0x00, 0x01, 0x00,
    0x01, 0x00, 0xee, 0x63, 0x01, 0x4b,
];

/// The CRAM 2.1 end-of-file container.
const CRAM2_EOF: [u8; 30] = [
    0x0b, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xe0, 0x45, 0x4f, 0x46, 0x00, 0x00, 0x00,
    0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x06, 0x06, 0x01, 0x00, 0x01, 0x00, 0x01, 0x00,
];

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// An error's message with every cause under it, `outer: inner: innermost`. noodles' errors say
/// only "invalid record" at the top; the field and the reason are in their causes.
pub fn with_causes(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(inner) = cause {
        let message = inner.to_string();
        if !text.ends_with(&message) {
            text.push_str(": ");
            text.push_str(&message);
        }
        cause = inner.source();
    }
    text
}

/// `e` refused at `place` ("header line 3", "record 12 (line 15)"), with all its causes.
fn refused_at(place: &str, e: &io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{place}: {}", with_causes(e)))
}

/// An error in the header, where no line can be named (binary headers, checks of the whole).
pub fn header_error(e: io::Error) -> io::Error {
    refused_at("header", &e)
}

/// Parses a text header (SAM, VCF, or the text inside BAM, CRAM and BCF headers) line by line
/// with `parse`, so that a refusal names the line. Returns the number of lines read.
pub fn parse_header_lines<R, E>(
    mut reader: R,
    mut parse: impl FnMut(&[u8]) -> Result<(), E>,
) -> io::Result<u64>
where
    R: BufRead,
    E: std::error::Error + Send + Sync + 'static,
{
    let mut line = Vec::new();
    let mut number = 0;
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(number);
        }
        number += 1;
        let text = line.strip_suffix(b"\n").unwrap_or(&line);
        let text = text.strip_suffix(b"\r").unwrap_or(text);
        parse(text).map_err(|e| {
            refused_at(
                &format!("header line {number}"),
                &io::Error::new(io::ErrorKind::InvalidData, e),
            )
        })?;
    }
}

/// A text format with one record per line (SAM, VCF): the reading thread splits the lines, and
/// the workers' encoder `E` parses and encodes them. A record is its line, line feed included.
pub struct LineSource<E> {
    text: Box<dyn BufRead + Send>,
    header_lines: u64,
    encoder: E,
}

impl<E> LineSource<E> {
    /// `text` positioned at the first record, after `header_lines` lines of header.
    pub fn new(text: Box<dyn BufRead + Send>, header_lines: u64, encoder: E) -> Self {
        LineSource {
            text,
            header_lines,
            encoder,
        }
    }
}

impl<E: RecordEncoder<Batch = Packed> + Clone> RecordSource for LineSource<E> {
    type Batch = Packed;
    type Encoder = E;

    fn read_batch(&mut self, batch: &mut Packed, max: usize) -> io::Result<bool> {
        batch.read_from(
            &mut *self.text,
            max,
            |buf, at| {
                let end = at + memchr::memchr(b'\n', &buf[at..])? + 1;
                Some((at..end, end))
            },
            // A line longer than the buffer, or the last line, without a line feed.
            |text, bytes| text.read_until(b'\n', bytes).map(|_| 0),
        )
    }

    fn encoder(&self) -> E {
        self.encoder.clone()
    }

    fn record_lines(&self) -> Option<RecordLines> {
        Some(RecordLines {
            header: self.header_lines,
            per_record: 1,
        })
    }
}

/// Where the records of a text file start, so that a refusal can name a record's line.
#[derive(Clone, Copy, Debug)]
pub struct RecordLines {
    /// Lines before the first record.
    pub header: u64,
    /// Lines per record (1 for SAM and VCF, 4 for FASTQ).
    pub per_record: u64,
}

/// `e` refused at record `number` (1-based, in file order), and its first line in a text file.
pub fn record_error(e: &io::Error, number: u64, lines: Option<RecordLines>) -> io::Error {
    let place = match lines {
        Some(lines) => {
            let first = lines.header + (number - 1) * lines.per_record + 1;
            match lines.per_record {
                1 => format!("record {number} (line {first})"),
                n => format!("record {number} (lines {first}-{})", first + n - 1),
            }
        }
        None => format!("record {number}"),
    };
    refused_at(&place, e)
}

/// Detects the format of `path` from its first bytes, and checks the end-of-file marker of
/// block-compressed and CRAM files so that a truncated file is refused before decoding.
pub fn detect(path: &Path) -> io::Result<(Format, Compression)> {
    let mut file = File::open(path)?;
    let len = file.metadata()?.len();
    if len == 0 {
        return Err(invalid("empty file"));
    }
    let mut head = Vec::with_capacity(1 << 16);
    (&mut file).take(1 << 16).read_to_end(&mut head)?;

    if head.starts_with(b"CRAM") {
        let major = head.get(4).copied().unwrap_or(0);
        let tail = read_tail(
            &mut file,
            len,
            if major >= 3 {
                CRAM3_EOF.len()
            } else {
                CRAM2_EOF.len()
            },
        )?;
        if tail != CRAM3_EOF[..] && tail != CRAM2_EOF[..] {
            return Err(invalid("truncated CRAM: missing end-of-file container"));
        }
        return Ok((Format::Cram, Compression::None));
    }

    let (compression, inner) = if head.starts_with(&[0x1f, 0x8b]) {
        if is_bgzf_header(&head) {
            if read_tail(&mut file, len, BGZF_EOF.len())? != BGZF_EOF[..] {
                return Err(invalid("truncated BGZF: missing end-of-file block"));
            }
            let mut inner = Vec::new();
            bgzf::io::Reader::new(head.as_slice())
                .take(1 << 12)
                .read_to_end(&mut inner)
                .or_else(|e| tolerate_cut(e, &inner))?;
            (Compression::Bgzf, inner)
        } else {
            let mut inner = Vec::new();
            flate2::read::MultiGzDecoder::new(head.as_slice())
                .take(1 << 12)
                .read_to_end(&mut inner)
                .or_else(|e| tolerate_cut(e, &inner))?;
            (Compression::Gzip, inner)
        }
    } else {
        (Compression::None, head)
    };

    let format = sniff(&inner).ok_or_else(|| {
        invalid("unrecognised format (expected SAM, BAM, CRAM, VCF, BCF or FASTQ)")
    })?;
    match (format, compression) {
        (Format::Bam | Format::Bcf, Compression::Bgzf) => {}
        (Format::Bam | Format::Bcf, _) => {
            return Err(invalid(format!("{format} must be BGZF-compressed")));
        }
        // Uncompressed SAM/VCF have no end marker, and a line cut short inside its last field can
        // still parse; a file cut short mostly ends mid-line, so a missing final newline is
        // refused. FASTQ is exempt: real files often lack it (fastp's test data does), and a
        // FASTQ record cut anywhere is already caught (missing lines, SEQ/QUAL lengths differ).
        (Format::Sam | Format::Vcf, Compression::None)
            if read_tail(&mut file, len, 1)? != b"\n" =>
        {
            return Err(invalid(format!(
                "truncated {format}: the last line has no newline"
            )));
        }
        _ => {}
    }
    Ok((format, compression))
}

/// Reading only the first 64 KiB of a compressed file may cut a block or member short; what was
/// decoded before the cut is enough to sniff the format.
fn tolerate_cut(e: io::Error, decoded: &[u8]) -> io::Result<usize> {
    if e.kind() == io::ErrorKind::UnexpectedEof && !decoded.is_empty() {
        Ok(decoded.len())
    } else {
        Err(invalid(format!("corrupt compressed data: {e}")))
    }
}

fn read_tail(file: &mut File, len: u64, n: usize) -> io::Result<Vec<u8>> {
    let n = (n as u64).min(len);
    file.seek(SeekFrom::Start(len - n))?;
    let mut tail = vec![0; n as usize];
    file.read_exact(&mut tail)?;
    Ok(tail)
}

fn is_bgzf_header(head: &[u8]) -> bool {
    head.len() >= 18 && head[3] & 0x04 != 0 && head[10..12] == [6, 0] && &head[12..14] == b"BC"
}

fn sniff(data: &[u8]) -> Option<Format> {
    const SAM_HEADER_TAGS: [&[u8]; 5] = [b"@HD\t", b"@SQ\t", b"@RG\t", b"@PG\t", b"@CO\t"];
    if data.starts_with(b"BAM\x01") {
        Some(Format::Bam)
    } else if data.starts_with(b"BCF\x02") {
        Some(Format::Bcf)
    } else if data.starts_with(b"##fileformat=VCF") {
        Some(Format::Vcf)
    } else if SAM_HEADER_TAGS.iter().any(|tag| data.starts_with(tag)) {
        Some(Format::Sam)
    } else if data.starts_with(b"@") {
        Some(Format::Fastq)
    } else {
        let line = data.split(|&b| b == b'\n').next()?;
        (line.split(|&b| b == b'\t').count() >= 11).then_some(Format::Sam)
    }
}

/// A reader that counts the bytes it passes on and feeds them to the file digest.
pub struct Tap<R> {
    inner: R,
    tap: crate::pipeline::ByteTap,
}

impl<R> Tap<R> {
    pub fn new(inner: R, tap: crate::pipeline::ByteTap) -> Self {
        Tap { inner, tap }
    }
}

impl<R: Read> Read for Tap<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.tap.update(&buf[..n]);
        Ok(n)
    }
}

/// Opens `path` (already detected) and passes its header and typed source to `visitor`.
pub fn open<V: SourceVisitor>(
    path: &Path,
    format: Format,
    compression: Compression,
    options: &OpenOptions,
    tap: crate::pipeline::ByteTap,
    visitor: V,
) -> io::Result<V::Output> {
    let file = File::open(path)?;
    let tapped = Tap::new(file, tap);
    match format {
        Format::Bam => {
            let (header, source) = bam::open(bgzf::io::Reader::new(tapped))?;
            visitor.visit(
                Opened {
                    format,
                    compression,
                    header,
                },
                source,
            )
        }
        Format::Cram => {
            let (header, source) = cram::open(tapped, options.reference.as_deref())?;
            visitor.visit(
                Opened {
                    format,
                    compression,
                    header,
                },
                source,
            )
        }
        Format::Bcf => {
            let (header, source) = bcf::open(tapped)?;
            visitor.visit(
                Opened {
                    format,
                    compression,
                    header,
                },
                source,
            )
        }
        Format::Sam => {
            let (header, source) = sam::open(open_text(tapped, compression))?;
            visitor.visit(
                Opened {
                    format,
                    compression,
                    header,
                },
                source,
            )
        }
        Format::Vcf => {
            let (header, source) = vcf::open(open_text(tapped, compression))?;
            visitor.visit(
                Opened {
                    format,
                    compression,
                    header,
                },
                source,
            )
        }
        Format::Fastq => {
            let (header, source) = fastq::open(open_text(tapped, compression));
            visitor.visit(
                Opened {
                    format,
                    compression,
                    header,
                },
                source,
            )
        }
    }
}

/// Opens a text format (SAM, VCF, FASTQ) under any compression.
fn open_text(tapped: Tap<File>, compression: Compression) -> Box<dyn BufRead + Send> {
    const CAPACITY: usize = 1 << 17;
    match compression {
        Compression::None => Box::new(BufReader::with_capacity(CAPACITY, tapped)),
        Compression::Gzip => Box::new(BufReader::with_capacity(
            CAPACITY,
            EndsEarly(flate2::read::MultiGzDecoder::new(BufReader::new(tapped))),
        )),
        Compression::Bgzf => Box::new(BufReader::with_capacity(
            CAPACITY,
            EndsEarly(bgzf::io::Reader::new(tapped)),
        )),
    }
}

/// Turns a decompressor's "unexpected end of file" into corrupt data: text readers take an
/// unexpected EOF for the end of their input, which would hide a truncated stream.
struct EndsEarly<R>(R);

impl<R: Read> Read for EndsEarly<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.0.read(buf).map_err(|e| {
            if e.kind() == io::ErrorKind::UnexpectedEof {
                invalid(format!("truncated compressed stream ({e})"))
            } else {
                e
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines read from `text` through a buffer of `capacity` bytes, in batches of at most `max`.
    fn lines(text: &'static [u8], capacity: usize, max: usize) -> Vec<Vec<u8>> {
        #[derive(Clone)]
        struct Unused;
        impl RecordEncoder for Unused {
            type Batch = Packed;
            fn encode(&self, _: &[u8], _: &mut Scratch, _: &mut Vec<u8>) -> io::Result<()> {
                unreachable!("only read here")
            }
        }
        let text = Box::new(BufReader::with_capacity(capacity, text));
        read_all(LineSource::new(text, 0, Unused), max)
    }

    #[test]
    fn line_batches_hold_each_line_whole_wherever_buffers_and_batches_end() {
        let long = "x".repeat(100);
        let text: &'static str = format!("a\tb\r\n\n{long}\nlast, without a line feed").leak();
        let text = text.as_bytes();
        let expected = [
            b"a\tb\r\n".to_vec(),
            b"\n".to_vec(),
            format!("{long}\n").into_bytes(),
            b"last, without a line feed".to_vec(),
        ];
        for capacity in [1, 2, 7, 64, 1 << 13] {
            for max in [1, 2, 3, 4096] {
                assert_eq!(
                    lines(text, capacity, max),
                    expected,
                    "capacity {capacity}, max {max}"
                );
            }
        }
        assert!(lines(b"", 64, 10).is_empty());
    }

    #[test]
    fn a_header_refusal_names_its_line_and_every_cause() {
        let text = b"@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:10\r\n@SQ\tSN:chr2 LN:5\n@CO\tlast\n";
        let mut parser = noodles::sam::header::Parser::default();
        let e = parse_header_lines(&text[..], |line| parser.parse_partial(line)).unwrap_err();
        let message = e.to_string();
        assert!(
            message.starts_with("header line 3: invalid record: "),
            "{message}"
        );
        assert!(message.contains("reference sequence"), "{message}");
        assert_eq!(e.kind(), io::ErrorKind::InvalidData);

        let mut parser = noodles::sam::header::Parser::default();
        let lines = parse_header_lines(&text[..30], |line| parser.parse_partial(line)).unwrap();
        assert_eq!(lines, 2);
        assert_eq!(parser.finish().reference_sequences().len(), 1);
    }

    #[test]
    fn a_record_refusal_names_its_number_and_its_lines_in_text() {
        let e = io::Error::new(io::ErrorKind::InvalidData, "invalid position");
        let sam = RecordLines {
            header: 3,
            per_record: 1,
        };
        let fastq = RecordLines {
            header: 0,
            per_record: 4,
        };
        let shown = |lines| record_error(&e, 5, lines).to_string();
        assert_eq!(shown(Some(sam)), "record 5 (line 8): invalid position");
        assert_eq!(
            shown(Some(fastq)),
            "record 5 (lines 17-20): invalid position"
        );
        assert_eq!(shown(None), "record 5: invalid position");
    }

    #[test]
    fn causes_are_listed_once_each() {
        #[derive(Debug)]
        struct Wrapped(&'static str, io::Error);
        impl fmt::Display for Wrapped {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.0)
            }
        }
        impl std::error::Error for Wrapped {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.1)
            }
        }
        let e = io::Error::new(
            io::ErrorKind::InvalidData,
            Wrapped("invalid record", invalid("missing LN")),
        );
        assert_eq!(with_causes(&e), "invalid record: missing LN");
        let e = Wrapped("invalid length: missing LN", invalid("missing LN"));
        assert_eq!(with_causes(&e), "invalid length: missing LN");
    }

    #[test]
    fn sniffs_each_format_from_its_first_bytes() {
        assert_eq!(sniff(b"BAM\x01rest"), Some(Format::Bam));
        assert_eq!(sniff(b"BCF\x02\x02"), Some(Format::Bcf));
        assert_eq!(sniff(b"##fileformat=VCFv4.2\n"), Some(Format::Vcf));
        assert_eq!(sniff(b"@HD\tVN:1.6\n"), Some(Format::Sam));
        assert_eq!(sniff(b"@read1\nACGT\n+\nIIII\n"), Some(Format::Fastq));
        assert_eq!(
            sniff(b"r\t0\t*\t0\t0\t*\t*\t0\t0\tA\tI\n"),
            Some(Format::Sam)
        );
        assert_eq!(sniff(b">chr1\nACGT\n"), None);
    }
}

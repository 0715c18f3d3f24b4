//! BCF: BGZF-compressed binary variants, decoded to the same records as VCF.
//!
//! noodles-bcf 0.94 decodes a record's site (CHROM … INFO) well but panics on some FORMAT
//! encodings (e.g. `GT` stored as int16 once a site has more than 63 alleles). So each raw record
//! is split: the site is decoded by noodles from a copy that declares no FORMAT fields, and the
//! per-sample data is decoded here, by the BCF 2.2 typed-value rules, into the same values the
//! VCF text reader produces.

use std::io::{self, Read};

use noodles::vcf::header::record::value::map::format::Type as FormatType;
use noodles::vcf::variant::record::samples::series::value::genotype::Phasing;
use noodles::vcf::variant::record_buf::samples::{
    sample::value::{genotype::Allele, Array, Genotype},
    sample::Value,
    Keys, Samples,
};
use noodles::{bcf, bgzf, vcf};

use super::vcf::{parse_header, Dictionary, Encoder};
use super::{header_error, RecordSource, Records};
use crate::canonical::CanonicalHeader;

pub struct Source<R: Read> {
    reader: bcf::io::Reader<bgzf::io::Reader<R>>,
    header: vcf::Header,
    site: Vec<u8>,
    samples: Vec<u8>,
}

pub fn open<R: Read>(inner: R) -> io::Result<(CanonicalHeader, Source<R>)> {
    let mut reader = bcf::io::Reader::new(inner);
    let header = read_header(&mut reader)?;
    Ok((
        CanonicalHeader::variants(&header),
        Source {
            reader,
            header,
            site: Vec::new(),
            samples: Vec::new(),
        },
    ))
}

/// Reads the header as `bcf::io::Reader::read_header` does, naming the line of the VCF text
/// that a refusal is about.
fn read_header<R: Read>(
    reader: &mut bcf::io::Reader<bgzf::io::Reader<R>>,
) -> io::Result<vcf::Header> {
    let mut parts = reader.header_reader();
    let magic = parts.read_magic_number().map_err(header_error)?;
    if magic != *b"BCF" {
        return Err(header_error(invalid("invalid BCF magic number")));
    }
    parts.read_format_version().map_err(header_error)?;
    let mut text = parts.raw_vcf_header_reader().map_err(header_error)?;
    let (header, _) = parse_header(io::BufReader::new(&mut text), Dictionary::Bcf)?;
    text.discard_to_end().map_err(header_error)?;
    Ok(header)
}

fn invalid(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

/// Byte offset of `n_fmt` in the site block (CHROM, POS, rlen, QUAL, n_info, n_allele, n_sample).
const N_FMT_OFFSET: usize = 23;
const N_SAMPLE_OFFSET: usize = 20;

impl<R: Read> Source<R> {
    /// Reads the next record into `record`; `false` at the end of the file.
    fn read(&mut self, record: &mut vcf::variant::RecordBuf) -> io::Result<bool> {
        let inner = self.reader.get_mut();
        let mut lengths = [0; 8];
        match inner.read(&mut lengths[..1])? {
            0 => return Ok(false),
            _ => inner.read_exact(&mut lengths[1..])?,
        }
        let l_shared = u32::from_le_bytes(lengths[..4].try_into().expect("4 bytes")) as usize;
        let l_indiv = u32::from_le_bytes(lengths[4..].try_into().expect("4 bytes")) as usize;
        if l_shared <= N_FMT_OFFSET {
            return Err(invalid(format!(
                "BCF site block of {l_shared} bytes is too short"
            )));
        }
        self.site.clear();
        self.site
            .extend_from_slice(&(l_shared as u32).to_le_bytes());
        self.site.extend_from_slice(&0u32.to_le_bytes());
        self.site.resize(8 + l_shared, 0);
        inner.read_exact(&mut self.site[8..])?;
        self.samples.resize(l_indiv, 0);
        inner.read_exact(&mut self.samples)?;

        let site = &mut self.site[8..];
        let n_sample = u32::from_le_bytes([
            site[N_SAMPLE_OFFSET],
            site[N_SAMPLE_OFFSET + 1],
            site[N_SAMPLE_OFFSET + 2],
            0,
        ]) as usize;
        let n_fmt = usize::from(site[N_FMT_OFFSET]);
        site[N_FMT_OFFSET] = 0;
        let mut site_reader = bcf::io::Reader::from(self.site.as_slice());
        if site_reader.read_record_buf(&self.header, record)? == 0 {
            return Err(invalid("BCF record is empty"));
        }
        *record.samples_mut() = decode_samples(&self.header, &self.samples, n_sample, n_fmt)?;
        Ok(true)
    }
}

impl<R: Read> RecordSource for Source<R> {
    type Batch = Records<vcf::variant::RecordBuf>;
    type Encoder = Encoder;

    fn read_batch(&mut self, batch: &mut Self::Batch, max: usize) -> io::Result<bool> {
        batch.fill(max, |record| self.read(record))
    }

    fn encoder(&self) -> Encoder {
        Encoder
    }
}

/// A typed-value descriptor: element type and count.
#[derive(Clone, Copy)]
enum Ty {
    Int(usize),
    Float,
    Char,
}

struct Cursor<'a>(&'a [u8]);

impl Cursor<'_> {
    fn take(&mut self, n: usize) -> io::Result<&[u8]> {
        if self.0.len() < n {
            return Err(invalid("BCF sample data is truncated"));
        }
        let (head, rest) = self.0.split_at(n);
        self.0 = rest;
        Ok(head)
    }

    fn descriptor(&mut self) -> io::Result<(Ty, usize)> {
        let byte = self.take(1)?[0];
        let ty = match byte & 0x0f {
            1 => Ty::Int(1),
            2 => Ty::Int(2),
            3 => Ty::Int(4),
            5 => Ty::Float,
            7 => Ty::Char,
            other => return Err(invalid(format!("BCF sample data has value type {other}"))),
        };
        let mut len = usize::from(byte >> 4);
        if len == 15 {
            let (Ty::Int(width), 1) = self.descriptor()? else {
                return Err(invalid("BCF vector length is not a single integer"));
            };
            len = usize::try_from(self.int(width)?)
                .map_err(|_| invalid("negative BCF vector length"))?;
        }
        Ok((ty, len))
    }

    fn int(&mut self, width: usize) -> io::Result<i64> {
        let b = self.take(width)?;
        Ok(match width {
            1 => i64::from(b[0] as i8),
            2 => i64::from(i16::from_le_bytes([b[0], b[1]])),
            _ => i64::from(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        })
    }
}

/// An integer element: a value, missing, or the end-of-vector padding.
enum Int {
    Value(i32),
    Missing,
    End,
}

fn classify(n: i64, width: usize) -> Int {
    let bits = 8 * width as u32;
    let missing = -(1i64 << (bits - 1));
    if n == missing {
        Int::Missing
    } else if n == missing + 1 {
        Int::End
    } else {
        Int::Value(n as i32)
    }
}

const FLOAT_MISSING: u32 = 0x7f80_0001;
const FLOAT_END: u32 = 0x7f80_0002;

fn decode_samples(
    header: &vcf::Header,
    src: &[u8],
    n_sample: usize,
    n_fmt: usize,
) -> io::Result<Samples> {
    let mut cursor = Cursor(src);
    let mut keys = Vec::with_capacity(n_fmt);
    let mut values: Vec<Vec<Option<Value>>> = vec![Vec::with_capacity(n_fmt); n_sample];
    for _ in 0..n_fmt {
        let (Ty::Int(width), 1) = cursor.descriptor()? else {
            return Err(invalid("BCF FORMAT key is not a single integer"));
        };
        let id =
            usize::try_from(cursor.int(width)?).map_err(|_| invalid("negative BCF FORMAT key"))?;
        let key = header
            .string_maps()
            .strings()
            .get_index(id)
            .ok_or_else(|| invalid(format!("BCF FORMAT key {id} is not in the header")))?
            .to_owned();
        let declared = header.formats().get(&key).map(|f| f.ty());
        decode_field(&mut cursor, &key, declared, &mut values)
            .map_err(|e| invalid(format!("FORMAT/{key}: {e}")))?;
        keys.push(key);
    }
    if !cursor.0.is_empty() {
        return Err(invalid("BCF sample data has trailing bytes"));
    }
    Ok(Samples::new(keys.into_iter().collect::<Keys>(), values))
}

/// Decodes one FORMAT field of every sample, appending it to each sample's values.
fn decode_field(
    cursor: &mut Cursor<'_>,
    key: &str,
    declared: Option<FormatType>,
    values: &mut [Vec<Option<Value>>],
) -> io::Result<()> {
    let (ty, len) = cursor.descriptor()?;
    for sample in values {
        let value = match ty {
            Ty::Int(width) => {
                let raw: Vec<i64> = (0..len)
                    .map(|_| cursor.int(width))
                    .collect::<io::Result<_>>()?;
                if key == "GT" {
                    genotype(&raw, width)
                } else {
                    integers(&raw, width)
                }
            }
            Ty::Float => {
                let raw: Vec<u32> = (0..len)
                    .map(|_| {
                        cursor
                            .take(4)
                            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                    })
                    .collect::<io::Result<_>>()?;
                floats(&raw)
            }
            Ty::Char => {
                let bytes = cursor.take(len)?;
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                text(&bytes[..end], declared == Some(FormatType::Character))
            }
        };
        sample.push(value);
    }
    Ok(())
}

fn genotype(raw: &[i64], width: usize) -> Option<Value> {
    let mut alleles = Vec::new();
    for &n in raw {
        match classify(n, width) {
            Int::End => break,
            Int::Missing => alleles.push(Allele::new(None, Phasing::Unphased)),
            Int::Value(v) => {
                let phasing = if v & 1 == 1 {
                    Phasing::Phased
                } else {
                    Phasing::Unphased
                };
                let position = usize::try_from((v >> 1) - 1).ok();
                alleles.push(Allele::new(position, phasing));
            }
        }
    }
    (!alleles.is_empty()).then(|| Value::Genotype(alleles.into_iter().collect::<Genotype>()))
}

fn integers(raw: &[i64], width: usize) -> Option<Value> {
    let mut items = Vec::new();
    for &n in raw {
        match classify(n, width) {
            Int::End => break,
            Int::Missing => items.push(None),
            Int::Value(v) => items.push(Some(v)),
        }
    }
    match items.as_slice() {
        [] | [None] => None,
        _ => Some(Value::Array(Array::Integer(items))),
    }
}

fn floats(raw: &[u32]) -> Option<Value> {
    let mut items = Vec::new();
    for &bits in raw {
        match bits {
            FLOAT_END => break,
            FLOAT_MISSING => items.push(None),
            _ => items.push(Some(f32::from_bits(bits))),
        }
    }
    match items.as_slice() {
        [] | [None] => None,
        _ => Some(Value::Array(Array::Float(items))),
    }
}

fn text(bytes: &[u8], character: bool) -> Option<Value> {
    let s = String::from_utf8_lossy(bytes);
    if s.is_empty() || s == "." {
        return None;
    }
    if character {
        let items = s
            .split(',')
            .map(|c| c.chars().next().filter(|&c| c != '.'))
            .collect();
        return Some(Value::Array(Array::Character(items)));
    }
    Some(Value::String(s.into_owned()))
}

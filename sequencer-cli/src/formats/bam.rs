//! BAM: BGZF-compressed binary alignments. The reading thread only splits the inflated stream
//! into raw records, copying each run of whole records in the inflated buffer at once; workers
//! parse and encode them (see [`Encoder::encode`]).

use std::io::{self, BufRead};
use std::sync::Arc;

use noodles::sam::alignment::record::cigar::{op::Kind as OpKind, Op};
use noodles::{bam, sam};

use super::{header_error, Packed, RecordEncoder, RecordSource};
use crate::canonical::{
    bam_array, encode_alignment, AlignmentFields, BamAux, Bases, CanonicalHeader, Scratch,
};

pub struct Source<B> {
    inflated: B,
    names: Arc<Vec<Vec<u8>>>,
}

/// Opens a BAM stream; `inflated` is its BGZF decoder.
pub fn open<B: BufRead>(inflated: B) -> io::Result<(CanonicalHeader, Source<B>)> {
    let mut reader = bam::io::Reader::from(inflated);
    let header = read_header(&mut reader)?;
    let names = super::sam::reference_names(&header);
    Ok((
        CanonicalHeader::alignment(&header),
        Source {
            inflated: reader.into_inner(),
            names,
        },
    ))
}

/// Reads the header as `bam::io::Reader::read_header` does, naming the line of the SAM text
/// that a refusal is about.
fn read_header<B: BufRead>(reader: &mut bam::io::Reader<B>) -> io::Result<sam::Header> {
    let mut parts = reader.header_reader();
    let magic = parts.read_magic_number().map_err(header_error)?;
    if magic != *b"BAM\x01" {
        return Err(header_error(io::Error::new(
            io::ErrorKind::InvalidData,
            "invalid BAM magic number",
        )));
    }
    let mut text = parts.raw_sam_header_reader().map_err(header_error)?;
    let (mut header, _) = super::sam::parse_header(io::BufReader::new(&mut text))?;
    text.discard_to_end().map_err(header_error)?;
    let binary = parts.read_reference_sequences().map_err(header_error)?;
    if header.reference_sequences().is_empty() {
        *header.reference_sequences_mut() = binary;
    } else if !header
        .reference_sequences()
        .iter()
        .map(|(name, map)| (name, map.length()))
        .eq(binary.iter().map(|(name, map)| (name, map.length())))
    {
        return Err(header_error(io::Error::new(
            io::ErrorKind::InvalidData,
            "the SAM text's @SQ lines and the binary reference sequences differ",
        )));
    }
    Ok(header)
}

/// Appends exactly `n` bytes of `src` to `out`, straight from its buffer. `n` comes from the
/// file: memory grows with the bytes found, not with what a corrupt length claims.
fn append_exact<B: BufRead>(src: &mut B, mut n: usize, out: &mut Vec<u8>) -> io::Result<()> {
    out.reserve(n.min(1 << 16));
    while n > 0 {
        let buf = src.fill_buf()?;
        if buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the file ends inside a record",
            ));
        }
        let take = n.min(buf.len());
        out.extend_from_slice(&buf[..take]);
        src.consume(take);
        n -= take;
    }
    Ok(())
}

impl<B: BufRead> RecordSource for Source<B> {
    /// Each record as it lies in the file, without its `block_size`; checked only when encoded.
    type Batch = Packed;
    type Encoder = Encoder;

    fn read_batch(&mut self, batch: &mut Packed, max: usize) -> io::Result<bool> {
        // Each record is its `block_size`, then that many bytes.
        batch.read_from(
            &mut self.inflated,
            max,
            |buf, at| {
                let size = buf.get(at..at + 4)?.try_into().expect("4 bytes");
                let end = at + 4 + u32::from_le_bytes(size) as usize;
                (end <= buf.len()).then_some((at + 4..end, end))
            },
            // A record that goes on past the buffer.
            |inflated, bytes| {
                let start = bytes.len();
                append_exact(inflated, 4, bytes)?;
                let size = u32::from_le_bytes(bytes[start..].try_into().expect("4 bytes"));
                append_exact(inflated, size as usize, bytes)?;
                Ok(4)
            },
        )
    }

    fn encoder(&self) -> Encoder {
        Encoder {
            names: Arc::clone(&self.names),
        }
    }
}

pub struct Encoder {
    names: Arc<Vec<Vec<u8>>>,
}

/// The fixed part of a BAM record (SAMv1 section 4.2), before the read name.
const FIXED: usize = 32;

fn cut_short(what: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("record ends inside its {what}"),
    )
}

/// Splits `n` bytes off the front of `rest`, or names the field it cuts short.
fn split<'a>(rest: &mut &'a [u8], n: usize, what: &str) -> io::Result<&'a [u8]> {
    let (head, tail) = rest.split_at_checked(n).ok_or_else(|| cut_short(what))?;
    *rest = tail;
    Ok(head)
}

/// A 0-based BAM coordinate as 1-based, 0 when absent (-1); other negative values are refused.
fn position(raw: i32, what: &str) -> io::Result<u64> {
    match raw {
        -1 => Ok(0),
        n if n >= 0 => Ok(n as u64 + 1),
        n => Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("invalid {what} {n}"),
        )),
    }
}

impl Encoder {
    /// The name of reference `raw` (-1 for none); other negative values are refused.
    fn reference(&self, raw: i32) -> io::Result<&[u8]> {
        let id = match raw {
            -1 => None,
            n => Some(usize::try_from(n).map_err(|_| {
                io::Error::new(
                    io::ErrorKind::InvalidData,
                    format!("invalid reference sequence index {n}"),
                )
            })?),
        };
        super::sam::reference_name(&self.names, id)
    }
}

impl RecordEncoder for Encoder {
    type Batch = Packed;

    /// Parses the record's fields from its bytes (SAMv1 section 4.2) and encodes them.
    fn encode(&self, record: &[u8], scratch: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        let mut rest = record;
        let fixed: &[u8; FIXED] = split(&mut rest, FIXED, "fixed-length fields")?
            .try_into()
            .expect("32 bytes");
        let i32_at = |at: usize| i32::from_le_bytes(fixed[at..at + 4].try_into().expect("4"));
        let u16_at = |at: usize| u16::from_le_bytes(fixed[at..at + 2].try_into().expect("2"));
        let name_len = usize::from(fixed[8]);
        let mapping_quality = fixed[9];
        let op_count = usize::from(u16_at(12));
        let flags = u16_at(14);
        let base_count = u32::from_le_bytes(fixed[16..20].try_into().expect("4")) as usize;

        let name = split(&mut rest, name_len, "read name")?;
        let name = match name {
            b"*\0" => &[][..],
            name => name.strip_suffix(&[0]).unwrap_or(name),
        };
        let cigar = split(&mut rest, op_count * 4, "CIGAR")?;
        let bases = split(&mut rest, base_count.div_ceil(2), "sequence")?;
        let quality_scores = split(&mut rest, base_count, "quality scores")?;
        let data = rest;
        let fields = AlignmentFields {
            reference_name: self.reference(i32_at(0))?,
            position: position(i32_at(4), "position")?,
            cigar: RawCigar::of_record(cigar, base_count, data),
            flags,
            mapping_quality: Some(mapping_quality),
            name,
            mate_reference_name: self.reference(i32_at(20))?,
            mate_position: position(i32_at(24), "mate position")?,
            template_length: i64::from(i32_at(28)),
            bases: Bases::Packed {
                len: base_count,
                bytes: bases,
            },
            quality_scores,
            data: BamAux(data),
        };
        encode_alignment(fields, scratch, out)
    }
}

/// A record's CIGAR operations, read from its bytes; from its `CG` tag when the fixed fields
/// hold the `kSmN` placeholder of a CIGAR too long for them (SAMv1 section 4.2.2), as
/// `noodles` reads them.
struct RawCigar<'a>(std::slice::ChunksExact<'a, u8>);

impl<'a> RawCigar<'a> {
    fn of_record(cigar: &'a [u8], base_count: usize, data: &'a [u8]) -> Self {
        const SOFT_CLIP: u32 = 4;
        const SKIP: u32 = 3;
        let word = |at: usize| u32::from_le_bytes(cigar[at..at + 4].try_into().expect("4"));
        let placeholder = cigar.len() == 8
            && word(0) & 0xf == SOFT_CLIP
            && (word(0) >> 4) as usize == base_count
            && word(4) & 0xf == SKIP;
        let ops = placeholder
            .then(|| bam_array(data, *b"CG"))
            .flatten()
            .unwrap_or(cigar);
        RawCigar(ops.chunks_exact(4))
    }
}

impl Iterator for RawCigar<'_> {
    type Item = io::Result<Op>;

    fn next(&mut self) -> Option<Self::Item> {
        const KINDS: [OpKind; 9] = [
            OpKind::Match,
            OpKind::Insertion,
            OpKind::Deletion,
            OpKind::Skip,
            OpKind::SoftClip,
            OpKind::HardClip,
            OpKind::Pad,
            OpKind::SequenceMatch,
            OpKind::SequenceMismatch,
        ];
        let ops = &mut self.0;
        let op = match ops.next() {
            Some(op) => u32::from_le_bytes(op.try_into().expect("4 bytes")),
            // A `CG` array whose length is not a whole number of operations.
            None if !ops.remainder().is_empty() => {
                *ops = [].chunks_exact(4);
                return Some(Err(cut_short("CG tag's CIGAR operations")));
            }
            None => return None,
        };
        Some(match KINDS.get((op & 0xf) as usize) {
            Some(&kind) => Ok(Op::new(kind, (op >> 4) as usize)),
            None => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("invalid CIGAR operation {}", op & 0xf),
            )),
        })
    }
}

#[cfg(test)]
mod tests {
    use noodles::sam::{
        self,
        alignment::{
            io::Write as _,
            record::data::field::Tag,
            record_buf::data::field::{value::Array, Value},
            RecordBuf,
        },
    };

    use super::*;
    use crate::canonical::AuxFields;

    /// Writes one record with `data` to BAM with `noodles` and reads it back.
    fn bam_record(data: Vec<(Tag, Value)>) -> bam::Record {
        let header = sam::Header::default();
        let record = RecordBuf::builder()
            .set_data(data.into_iter().collect())
            .build();
        let mut writer = bam::io::Writer::new(Vec::new());
        writer.write_header(&header).unwrap();
        writer.write_alignment_record(&header, &record).unwrap();
        let bytes = writer.into_inner().finish().unwrap();
        let mut reader = bam::io::Reader::new(&bytes[..]);
        reader.read_header().unwrap();
        let mut record = bam::Record::default();
        assert_ne!(reader.read_record(&mut record).unwrap(), 0);
        record
    }

    /// An encoding (or the error) and the `RG` found on the way.
    type Encoded = (io::Result<Vec<u8>>, Option<Vec<u8>>);

    /// An unmapped record's encoding with `data` as its auxiliary fields, and its `RG`.
    fn encode<T: AuxFields>(data: T) -> Encoded {
        encode_in(&mut Scratch::default(), data)
    }

    /// [`encode`] with `scratch` as the scratch space.
    fn encode_in<T: AuxFields>(scratch: &mut Scratch, data: T) -> Encoded {
        let mut out = Vec::new();
        let result = encode_alignment(AlignmentFields::unmapped(data), scratch, &mut out);
        (
            result.map(|()| out),
            scratch.read_group().map(<[u8]>::to_vec),
        )
    }

    /// The record encoded with its data read raw, then decoded by `noodles`.
    fn both_ways(record: &bam::Record) -> [Encoded; 2] {
        [
            encode(BamAux(record.data().as_bytes())),
            encode(record.data().iter()),
        ]
    }

    #[test]
    fn raw_aux_fields_encode_exactly_as_decoded_ones() {
        let tag = |t: &[u8; 2]| Tag::from(*t);
        let record = bam_record(vec![
            (tag(b"XA"), Value::Character(b'x')),
            (tag(b"X1"), Value::Int8(-3)),
            (tag(b"X2"), Value::UInt8(200)),
            (tag(b"X3"), Value::Int16(-300)),
            (tag(b"X4"), Value::UInt16(60_000)),
            (tag(b"X5"), Value::Int32(-70_000)),
            (tag(b"X6"), Value::UInt32(4_000_000_000)),
            (tag(b"XF"), Value::Float(f32::from_bits(0x7fc0_0001))),
            (tag(b"XZ"), Value::String("a b".into())),
            (tag(b"XH"), Value::Hex("CAFE".into())),
            (tag(b"Y1"), Value::Array(Array::Int8(vec![-1, 2]))),
            (tag(b"Y2"), Value::Array(Array::UInt8(vec![255]))),
            (tag(b"Y3"), Value::Array(Array::Int16(vec![-2, 3]))),
            (tag(b"Y4"), Value::Array(Array::UInt16(vec![65_535]))),
            (tag(b"Y5"), Value::Array(Array::Int32(vec![i32::MIN]))),
            (tag(b"Y6"), Value::Array(Array::UInt32(vec![u32::MAX, 0]))),
            (tag(b"Y7"), Value::Array(Array::Float(vec![0.5, -0.0]))),
            (tag(b"Y8"), Value::Array(Array::Int8(vec![]))),
            (tag(b"MD"), Value::String("3".into())),
            (tag(b"NM"), Value::UInt8(0)),
            (tag(b"cF"), Value::Int8(3)),
            (tag(b"RG"), Value::String("lane1".into())),
            (tag(b"AS"), Value::Int32(7)),
        ]);
        let [raw, decoded] = both_ways(&record);
        assert_eq!(raw.0.unwrap(), decoded.0.unwrap());
        assert_eq!(raw.1.as_deref(), Some(&b"lane1"[..]));
        assert_eq!(raw.1, decoded.1);
    }

    /// An unmapped record named `r` whose data section is `data`, read by `noodles`.
    fn raw_record(data: &[u8]) -> bam::Record {
        let mut record = vec![0xff; 8]; // reference and position: none
        record.extend([2, 0xff, 0x48, 0x12, 0, 0, 4, 0, 0, 0, 0, 0]); // name length .. length
        record.extend([0xff; 8]); // mate reference and position: none
        record.extend([0, 0, 0, 0, b'r', 0]); // template length, name
        record.extend_from_slice(data);
        let mut stream = b"BAM\x01".to_vec();
        stream.extend([0; 8]); // no header text, no reference sequences
        stream.extend((record.len() as u32).to_le_bytes());
        stream.extend(record);
        let mut reader = bam::io::Reader::from(&stream[..]);
        reader.read_header().unwrap();
        let mut record = bam::Record::default();
        assert_ne!(reader.read_record(&mut record).unwrap(), 0);
        record
    }

    #[test]
    fn a_scratch_space_reused_across_records_encodes_each_as_a_fresh_one() {
        // Refused: a duplicate tag, and records that start like a known layout but are cut
        // inside a field or lack a string's NUL.
        let refused: [&[u8]; 3] = [b"XAAaXAAb", b"XAAaXBA", b"XBAbRGZg"];
        // Integers of every width and sign, each last in a record once (where fewer than four
        // bytes follow its start).
        let ints = b"X1c\xfeX2C\xfeX3s\xfe\xffX4S\xfe\xffX5i\xfe\xff\xff\xffX6I\xfe\xff\xff\xff";
        let backwards =
            b"X6I\xfe\xff\xff\xffX5i\xfe\xff\xff\xffX4S\xfe\xffX3s\xfe\xffX2C\xfeX1c\xfe";
        let records: [&[u8]; 22] = [
            ints,
            ints,
            backwards,
            backwards,
            b"XAAaXBAb",
            b"XAAaXBAb",
            b"XBAbXAAa",
            b"XAAaXAAb",
            b"",
            b"XAAaXBAb",
            b"XBAbRGZg\0XAAa",
            b"XAAaXBAb",
            b"XBAbRGZg\0XAAa",
            b"XBAbXAAa",
            b"XAAaXAAb",
            b"XBAbRGZg\0XAAa",
            b"XBAbRGZg",
            b"XBAbRGZh\0XAAa", // the same layout, another read group
            b"XAAaXBAb",
            b"XAAaXBA",
            b"XAAaXBAbXCAc", // a known layout and one field more
            b"XAAa",         // and one field less
        ];
        // Raw and decoded fields share one scratch space, taking turns.
        let mut reused = Scratch::default();
        for data in records {
            let record = raw_record(data);
            let (fresh, fresh_group) = encode(BamAux(data));
            let again = [
                encode_in(&mut reused, BamAux(data)),
                encode_in(&mut reused, record.data().iter()),
            ];
            for (again, group) in again {
                assert_eq!(fresh.as_ref().ok(), again.as_ref().ok(), "{data:?}");
                assert_eq!(fresh.is_ok(), again.is_ok(), "{data:?}");
                assert_eq!(group, fresh_group, "{data:?}");
            }
            assert_eq!(fresh.is_ok(), !refused.contains(&data), "{data:?}");
            let group = data
                .windows(5)
                .find(|w| w.starts_with(b"RGZ") && w[4] == 0)
                .map(|w| vec![w[3]]);
            assert_eq!(fresh_group.filter(|_| fresh.is_ok()), group, "{data:?}");
        }
    }

    #[test]
    fn raw_aux_fields_refuse_what_noodles_refuses() {
        let valid = b"XZZabc\0XBBs\x01\x00\x00\x00\x05\x00";
        // Cut short anywhere but after the first field.
        let mut broken: Vec<Vec<u8>> = (1..valid.len())
            .filter(|&n| n != 7)
            .map(|n| valid[..n].to_vec())
            .collect();
        broken.push(b"XZq\0".to_vec());
        broken.push(b"XBBq\x01\x00\x00\x00\x00".to_vec());
        broken.push(b"XBBi\x02\x00\x00\x00\x00\x00\x00\x00".to_vec());
        broken.push(b"XZZa\0XZZb\0".to_vec());
        for data in broken {
            let [raw, decoded] = both_ways(&raw_record(&data));
            assert!(raw.0.is_err() && decoded.0.is_err(), "{data:?}");
        }
        let [raw, decoded] = both_ways(&raw_record(valid));
        assert_eq!(raw.0.unwrap(), decoded.0.unwrap());
    }
}

/// The raw reader and encoder against `noodles`' own: every record of real BAM files, a long
/// CIGAR kept in `CG`, and records cut short or out of range.
#[cfg(test)]
mod raw_tests {
    use std::io::Read as _;
    use std::path::PathBuf;

    use noodles::bgzf;

    use super::*;
    use crate::formats::Batch as _;

    /// The encoding through `noodles`' record accessors, as this crate encoded BAM records
    /// before it parsed them itself.
    fn through_noodles(names: &[Vec<u8>], record: &bam::Record) -> io::Result<Vec<u8>> {
        let name_of = |id: Option<io::Result<usize>>| {
            super::super::sam::reference_name(names, id.transpose()?)
        };
        let position = |p: Option<io::Result<noodles::core::Position>>| -> io::Result<u64> {
            Ok(p.transpose()?.map_or(0, |p| p.get() as u64))
        };
        let (sequence, cigar) = (record.sequence(), record.cigar());
        let fields = AlignmentFields {
            reference_name: name_of(record.reference_sequence_id())?,
            position: position(record.alignment_start())?,
            cigar: cigar.iter(),
            flags: record.flags().bits(),
            mapping_quality: record.mapping_quality().map(u8::from),
            name: record.name().map_or(&[][..], |n| n.as_ref()),
            mate_reference_name: name_of(record.mate_reference_sequence_id())?,
            mate_position: position(record.mate_alignment_start())?,
            template_length: i64::from(record.template_length()),
            bases: Bases::Packed {
                len: sequence.len(),
                bytes: sequence.as_bytes(),
            },
            quality_scores: record.quality_scores().as_bytes(),
            data: record.data().iter(),
        };
        let mut out = Vec::new();
        encode_alignment(fields, &mut Scratch::default(), &mut out)?;
        Ok(out)
    }

    /// A stream of `records` (raw, without their `block_size`) after a header naming `chr1`.
    fn stream(records: &[Vec<u8>]) -> Vec<u8> {
        let mut out = b"BAM\x01".to_vec();
        out.extend(0u32.to_le_bytes()); // no SAM text
        out.extend(1u32.to_le_bytes());
        out.extend(5u32.to_le_bytes());
        out.extend(b"chr1\0");
        out.extend(1000u32.to_le_bytes());
        for record in records {
            out.extend((record.len() as u32).to_le_bytes());
            out.extend(record);
        }
        out
    }

    /// A record's encoding, or why it was refused.
    type Encoding = io::Result<Vec<u8>>;

    /// Every record of `inflated`, read through a buffer of `capacity` bytes in batches of at
    /// most `max` records.
    fn records(inflated: &[u8], capacity: usize, max: usize) -> Vec<Vec<u8>> {
        let (_, source) = open(io::BufReader::with_capacity(capacity, inflated)).unwrap();
        super::super::read_all(source, max)
    }

    /// Every record of `bam` through the raw reader and encoder, with one scratch space as a
    /// worker has.
    fn ours(bam: &[u8]) -> Vec<Encoding> {
        let encoder = open(bam).unwrap().1.encoder();
        let mut scratch = Scratch::default();
        records(bam, 1 << 13, usize::MAX)
            .iter()
            .map(|record| {
                let mut out = Vec::new();
                let result = encoder.encode(record, &mut scratch, &mut out);
                result.map(|()| out)
            })
            .collect()
    }

    /// Every record of `bam` through the raw reader and encoder, and through `noodles`.
    fn both(bam: &[u8]) -> Vec<(Encoding, Encoding)> {
        let names = open(bam).unwrap().1.encoder().names;
        let mut reader = bam::io::Reader::from(bam);
        reader.read_header().unwrap();
        let mut record = bam::Record::default();
        let pairs = ours(bam)
            .into_iter()
            .map(|ours| {
                let theirs = reader
                    .read_record(&mut record)
                    .and_then(|_| through_noodles(&names, &record));
                (ours, theirs)
            })
            .collect();
        assert_eq!(
            reader.read_record(&mut record).unwrap(),
            0,
            "as many records"
        );
        pairs
    }

    /// The inflated bytes of a real BAM of `../shared/data`.
    fn real(file: &str) -> Vec<u8> {
        let data = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
        let mut inflated = Vec::new();
        bgzf::io::Reader::new(std::fs::File::open(data.join(file)).unwrap())
            .read_to_end(&mut inflated)
            .unwrap();
        inflated
    }

    #[test]
    fn batches_hold_the_same_records_wherever_buffers_and_batches_end() {
        let inflated = real("hts-specs/bam_level-1.bam");
        let whole = records(&inflated, inflated.len(), usize::MAX);
        assert_eq!(whole.len(), 20_000);
        for capacity in [1, 3, 299, 8192] {
            for max in [1, 3, 4096] {
                let records = records(&inflated, capacity, max);
                assert!(records == whole, "capacity {capacity}, batches of {max}");
            }
        }
    }

    #[test]
    fn every_record_of_real_files_encodes_as_through_noodles() {
        let files = [
            "hts-specs/bam_level-1.bam",
            "hts-specs/bam_level-9.bam",
            "htslib/range.bam",
            "samtools/checksum_chk1.bam",
            "samtools/mpileup_ce_large_seq.bam",
            "samtools/mpileup_mpileup.1.bam",
        ];
        let mut records = 0;
        for file in files {
            let pairs = both(&real(file));
            assert!(!pairs.is_empty(), "{file}");
            records += pairs.len();
            for (n, (ours, theirs)) in pairs.into_iter().enumerate() {
                assert_eq!(ours.unwrap(), theirs.unwrap(), "{file}, record {}", n + 1);
            }
        }
        assert!(records > 40_000, "{records} records");
    }

    /// A mapped record at position 1 of `chr1` with `cigar`, `bases` (4 bits each) and `data`.
    fn record(cigar: &[u32], bases: usize, data: &[u8]) -> Vec<u8> {
        let mut r = Vec::new();
        r.extend(0i32.to_le_bytes()); // chr1
        r.extend(0i32.to_le_bytes()); // position 1
        r.extend([2, 60, 0, 0]); // name length, mapping quality, bin
        r.extend((cigar.len() as u16).to_le_bytes());
        r.extend(0u16.to_le_bytes()); // flags
        r.extend((bases as u32).to_le_bytes());
        r.extend((-1i32).to_le_bytes()); // no mate
        r.extend((-1i32).to_le_bytes());
        r.extend(0i32.to_le_bytes());
        r.extend(b"r\0");
        for op in cigar {
            r.extend(op.to_le_bytes());
        }
        r.extend(std::iter::repeat_n(0x11, bases.div_ceil(2)));
        r.extend(std::iter::repeat_n(30, bases));
        r.extend(data);
        r
    }

    #[test]
    fn a_long_cigar_is_read_from_its_cg_tag() {
        // 4S4N in the fixed fields; the real CIGAR, 2M1I1M, in CG.
        let ops: [u32; 3] = [2 << 4, 1 << 4 | 1, 1 << 4];
        let mut cg = b"CGBI".to_vec();
        cg.extend(3u32.to_le_bytes());
        ops.iter().for_each(|op| cg.extend(op.to_le_bytes()));
        let long = record(&[4 << 4 | 4, 4 << 4 | 3], 4, &cg);
        // The same placeholder with a CG that is not whole operations is refused.
        let mut broken = b"CGBS".to_vec();
        broken.extend(3u32.to_le_bytes());
        broken.extend([0; 6]);
        let broken = record(&[4 << 4 | 4, 4 << 4 | 3], 4, &broken);
        let plain = record(&ops, 4, &cg);
        let pairs = both(&stream(&[long, plain]));
        let [(long, theirs), (plain, _)] = &pairs[..] else {
            panic!("two records")
        };
        let long = long.as_ref().unwrap();
        assert_eq!(long, theirs.as_ref().unwrap());
        assert_eq!(
            long,
            plain.as_ref().unwrap(),
            "CG's CIGAR, not the placeholder"
        );
        // (noodles panics on this one.)
        let message = ours(&stream(&[broken])).remove(0).unwrap_err().to_string();
        assert!(message.contains("CG tag"), "{message}");
    }

    #[test]
    fn records_cut_short_or_out_of_range_are_refused_by_their_field() {
        let whole = record(&[4 << 4], 4, b"XAAx");
        let refusal = |record: Vec<u8>| {
            let pairs = both(&stream(&[record]));
            let (ours, theirs) = pairs.into_iter().next().expect("one record");
            assert!(theirs.is_err(), "noodles refuses it too");
            ours.unwrap_err().to_string()
        };
        for (cut, field) in [
            (31, "fixed-length fields"),
            (33, "read name"),
            (37, "CIGAR"),
            (38, "sequence"),
            (41, "quality scores"),
        ] {
            let message = refusal(whole[..cut].to_vec());
            assert!(message.contains(field), "cut at {cut}: {message}");
        }
        let mut unknown_reference = whole.clone();
        unknown_reference[..4].copy_from_slice(&7i32.to_le_bytes());
        assert!(refusal(unknown_reference).contains("index 7 is not in the header"));
        let mut negative_reference = whole.clone();
        negative_reference[20..24].copy_from_slice(&(-2i32).to_le_bytes());
        let message = refusal(negative_reference);
        assert!(
            message.contains("invalid reference sequence index -2"),
            "{message}"
        );
        let mut negative = whole.clone();
        negative[4..8].copy_from_slice(&(-5i32).to_le_bytes());
        assert!(refusal(negative).contains("invalid position -5"));
        let mut bad_op = whole;
        bad_op[34] = 0x49; // 4 of operation 9
        assert!(refusal(bad_op).contains("invalid CIGAR operation 9"));
    }

    #[test]
    fn a_stream_cut_inside_a_record_is_refused() {
        let bam = stream(&[record(&[4 << 4], 4, b"")]);
        let mut batch = Packed::default();
        for cut in [
            bam.len() - 1,
            bam.len() - 30,
            bam.len() - 44,
            bam.len() - 46,
        ] {
            let (_, mut source) = open(io::BufReader::new(&bam[..cut])).unwrap();
            let e = source.read_batch(&mut batch, 10).unwrap_err();
            assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof, "cut at {cut}");
            assert_eq!(
                e.to_string(),
                "the file ends inside a record",
                "cut at {cut}"
            );
            assert_eq!(batch.len(), 0, "no record before the one cut");
        }
        // A length near 4 GiB over 44 bytes: refused without reserving what it claims.
        let mut claims_too_much = bam.clone();
        let at = bam.len() - 48;
        claims_too_much[at..at + 4].copy_from_slice(&0xffff_fff0u32.to_le_bytes());
        let (_, mut source) = open(io::BufReader::new(&claims_too_much[..])).unwrap();
        let mut batch = Packed::default();
        let e = source.read_batch(&mut batch, 10).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::UnexpectedEof);
        assert!(
            batch.bytes.capacity() < 1 << 20,
            "{} bytes reserved",
            batch.bytes.capacity()
        );
        let (_, mut source) = open(io::BufReader::new(&bam[..])).unwrap();
        assert!(source.read_batch(&mut batch, 1).unwrap());
        assert_eq!(batch.len(), 1);
        assert!(
            !source.read_batch(&mut batch, 1).unwrap(),
            "the end, after a whole record"
        );
        assert_eq!(batch.len(), 0);
    }
}

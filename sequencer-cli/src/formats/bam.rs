//! BAM: BGZF-compressed binary alignments. Records stay in their raw form until a worker
//! encodes them, so the reading thread only decompresses and splits.

use std::io::{self, Read};
use std::sync::Arc;

use noodles::{bam, bgzf, sam};

use super::{header_error, RecordEncoder, RecordSource};
use crate::canonical::{
    encode_alignment, AlignmentFields, BamAux, Bases, CanonicalHeader, Scratch,
};

pub struct Source<R: Read> {
    reader: bam::io::Reader<bgzf::io::Reader<R>>,
    names: Arc<Vec<Vec<u8>>>,
}

pub fn open<R: Read>(inner: R) -> io::Result<(CanonicalHeader, Source<R>)> {
    let mut reader = bam::io::Reader::new(inner);
    let header = read_header(&mut reader)?;
    let names = super::sam::reference_names(&header);
    Ok((
        CanonicalHeader::alignment(&header),
        Source { reader, names },
    ))
}

/// Reads the header as `bam::io::Reader::read_header` does, naming the line of the SAM text
/// that a refusal is about.
fn read_header<R: Read>(
    reader: &mut bam::io::Reader<bgzf::io::Reader<R>>,
) -> io::Result<sam::Header> {
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

impl<R: Read> RecordSource for Source<R> {
    type Record = bam::Record;
    type Encoder = Encoder;

    fn read(&mut self, record: &mut bam::Record) -> io::Result<bool> {
        Ok(self.reader.read_record(record)? != 0)
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

impl RecordEncoder for Encoder {
    type Record = bam::Record;

    fn encode(
        &self,
        record: &bam::Record,
        scratch: &mut Scratch,
        out: &mut Vec<u8>,
    ) -> io::Result<()> {
        let name_of = |id: Option<io::Result<usize>>| {
            super::sam::reference_name(&self.names, id.transpose()?)
        };
        let position = |p: Option<io::Result<noodles::core::Position>>| -> io::Result<u64> {
            Ok(p.transpose()?.map_or(0, |p| p.get() as u64))
        };
        let (sequence, cigar, data) = (record.sequence(), record.cigar(), record.data());
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
            data: BamAux(data.as_bytes()),
        };
        encode_alignment(fields, scratch, out)
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
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        let result = encode_alignment(AlignmentFields::unmapped(data), &mut scratch, &mut out);
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

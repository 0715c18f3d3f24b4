//! BAM: BGZF-compressed binary alignments. Records stay in their raw form until a worker
//! encodes them, so the reading thread only decompresses and splits.

use std::io::{self, Read};
use std::sync::Arc;

use noodles::{bam, bgzf};

use super::{RecordEncoder, RecordSource};
use crate::canonical::{encode_alignment, AlignmentFields, Bases, CanonicalHeader, Scratch};

pub struct Source<R: Read> {
    reader: bam::io::Reader<bgzf::io::Reader<R>>,
    names: Arc<Vec<Vec<u8>>>,
}

pub fn open<R: Read>(inner: R) -> io::Result<(CanonicalHeader, Source<R>)> {
    let mut reader = bam::io::Reader::new(inner);
    let header = reader.read_header()?;
    let names = super::sam::reference_names(&header);
    Ok((
        CanonicalHeader::alignment(&header),
        Source { reader, names },
    ))
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
            data: data.iter(),
        };
        encode_alignment(fields, scratch, out)
    }
}

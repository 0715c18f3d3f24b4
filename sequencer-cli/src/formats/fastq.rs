//! FASTQ reads (plain, gzip or BGZF).

use std::io::{self, BufRead};

use noodles::fastq;

use super::{RecordEncoder, RecordLines, RecordSource, Records};
use crate::canonical::{encode_read, CanonicalHeader, Scratch};

pub struct Source {
    reader: fastq::io::Reader<Box<dyn BufRead + Send>>,
}

pub fn open(inner: Box<dyn BufRead + Send>) -> (CanonicalHeader, Source) {
    (
        CanonicalHeader::reads(),
        Source {
            reader: fastq::io::Reader::new(inner),
        },
    )
}

impl RecordSource for Source {
    type Batch = Records<fastq::Record>;
    type Encoder = Encoder;

    fn read_batch(&mut self, batch: &mut Self::Batch, max: usize) -> io::Result<bool> {
        batch.fill(max, |record| Ok(self.reader.read_record(record)? != 0))
    }

    fn encoder(&self) -> Encoder {
        Encoder
    }

    fn record_lines(&self) -> Option<RecordLines> {
        Some(RecordLines {
            header: 0,
            per_record: 4,
        })
    }
}

pub struct Encoder;

impl RecordEncoder for Encoder {
    type Batch = Records<fastq::Record>;

    fn encode(&self, record: &fastq::Record, _: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        encode_read(
            record.name(),
            record.description(),
            record.sequence(),
            record.quality_scores(),
            out,
        )
    }
}

//! VCF text variants (plain, gzip or BGZF), and the encoder shared with BCF.

use std::io::{self, BufRead};

use noodles::vcf::{self, variant::RecordBuf};

use super::{RecordEncoder, RecordSource};
use crate::canonical::{encode_variant, CanonicalHeader, Scratch};

pub struct Source {
    reader: vcf::io::Reader<Box<dyn BufRead + Send>>,
    header: vcf::Header,
}

pub fn open(inner: Box<dyn BufRead + Send>) -> io::Result<(CanonicalHeader, Source)> {
    let mut reader = vcf::io::Reader::new(inner);
    let header = reader.read_header()?;
    Ok((
        CanonicalHeader::variants(&header),
        Source { reader, header },
    ))
}

impl RecordSource for Source {
    type Record = RecordBuf;
    type Encoder = Encoder;

    fn read(&mut self, record: &mut RecordBuf) -> io::Result<bool> {
        Ok(self.reader.read_record_buf(&self.header, record)? != 0)
    }

    fn encoder(&self) -> Encoder {
        Encoder
    }
}

/// Encodes decoded variant records, from VCF or BCF alike.
pub struct Encoder;

impl RecordEncoder for Encoder {
    type Record = RecordBuf;

    fn encode(&self, record: &RecordBuf, _: &mut Scratch, out: &mut Vec<u8>) -> io::Result<()> {
        encode_variant(record, out);
        Ok(())
    }
}

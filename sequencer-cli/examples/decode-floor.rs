//! The least work any `bionft-c1` digest of a BAM must do, on one thread, for the benchmark's
//! floor rows (`sequencer-cli/bench/run.sh`):
//!
//! * `inflate FILE`: BGZF decompression alone (libdeflate, as `bionft-seq` uses it);
//! * `c1-floor FILE`: the file's SHA-256, decompression, splitting into records, and one SHA-256
//!   of every record's raw bytes (two records at a time, as `bionft-seq` hashes them), but no
//!   canonical encoding and no folding. `bionft-c1` hashes a canonical encoding of about the
//!   same size as the BAM record, so no implementation of the scheme can do less.
//! * `c2-floor FILE`: the file's SHA-256, decompression, splitting into records, and BLAKE3 over
//!   each chunk of 4,096 records' raw bytes (length-prefixed, in one buffer, as `bionft-c2` hashes
//!   its runs), but no canonical encoding and no folding.
//!
//! Prints what it read as JSON on stdout; time it from outside (`/usr/bin/time`).

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::process::ExitCode;

use noodles::{bam, bgzf};
use sha2::{Digest, Sha256};

use sequencer_cli::formats::Tap;
use sequencer_cli::pipeline::ByteTap;
use sequencer_cli::sha256x2;

fn inflate(path: &str) -> io::Result<String> {
    let mut reader = bgzf::io::Reader::new(File::open(path)?);
    let bytes = io::copy(&mut reader, &mut io::sink())?;
    Ok(format!(
        r#"{{"mode": "inflate", "inflated_bytes": {bytes}}}"#
    ))
}

fn c1_floor(path: &str) -> io::Result<String> {
    // The file digest is taken as `bionft-seq` takes it, by the same tap.
    let tap = ByteTap::default();
    let mut reader = bam::io::Reader::new(Tap::new(File::open(path)?, tap.clone()));
    reader.read_header()?;
    let inner = reader.get_mut();
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut pair: [Vec<u8>; 2] = Default::default();
    loop {
        let mut filled = 0;
        for message in &mut pair {
            let mut size = [0u8; 4];
            match inner.read_exact(&mut size) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => break,
                Err(e) => return Err(e),
            }
            message.resize(u32::from_le_bytes(size) as usize, 0);
            inner.read_exact(message)?;
            bytes += message.len() as u64;
            filled += 1;
        }
        records += filled;
        let digests = match filled {
            2 => sha256x2::digest_pair(&pair[0], &pair[1]),
            1 => [Sha256::digest(&pair[0]).into(), [0; 32]],
            _ => break,
        };
        std::hint::black_box(digests);
    }
    drop(reader);
    let file_sha256 = tap.finish(Path::new(path))?;
    Ok(format!(
        r#"{{"mode": "c1-floor", "records": {records}, "record_bytes": {bytes}, "file_sha256": "{}"}}"#,
        sequencer_cli::digest::hex(&file_sha256)
    ))
}

fn c2_floor(path: &str) -> io::Result<String> {
    let tap = ByteTap::default();
    let mut reader = bam::io::Reader::new(Tap::new(File::open(path)?, tap.clone()));
    reader.read_header()?;
    let inner = reader.get_mut();
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut run: Vec<u8> = Vec::with_capacity(2 << 20);
    let mut in_run = 0;
    loop {
        let mut size = [0u8; 4];
        let more = match inner.read_exact(&mut size) {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => false,
            Err(e) => return Err(e),
        };
        if more {
            let len = u32::from_le_bytes(size) as usize;
            run.extend_from_slice(&size);
            let start = run.len();
            run.resize(start + len, 0);
            inner.read_exact(&mut run[start..])?;
            bytes += len as u64;
            records += 1;
            in_run += 1;
        }
        if in_run == 4096 || (!more && in_run > 0) {
            std::hint::black_box(blake3::hash(&run));
            run.clear();
            in_run = 0;
        }
        if !more {
            break;
        }
    }
    drop(reader);
    let file_sha256 = tap.finish(Path::new(path))?;
    Ok(format!(
        r#"{{"mode": "c2-floor", "records": {records}, "record_bytes": {bytes}, "file_sha256": "{}"}}"#,
        sequencer_cli::digest::hex(&file_sha256)
    ))
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.as_slice() {
        [mode, path] if mode == "inflate" => inflate(path),
        [mode, path] if mode == "c1-floor" => c1_floor(path),
        [mode, path] if mode == "c2-floor" => c2_floor(path),
        _ => {
            eprintln!("usage: decode-floor (inflate | c1-floor | c2-floor) FILE.bam");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("decode-floor: {}: {e}", args[1]);
            ExitCode::from(2)
        }
    }
}

//! Any bytes, as a file: format detection, every record decoder, the canonical encoder and the
//! digest pipeline of both schemes (c1 and c2) must refuse or digest them, never crash, hang or
//! exhaust memory. c2 runs with every optional part: the order-independent digest and the
//! capture of a chunk's encodings (what `compare` and c2 proofs use).
//!
//! CRAM inputs are decoded against `BIONFT_FUZZ_REFERENCE` when it names a FASTA (`run.sh` sets
//! it to the shared `ce.fa`), so that the seeds' records reach the decoder and the encoder.
//!
//! Decoder panics are turned into errors in release builds (`digest_file` catches them), but
//! cargo-fuzz builds abort on panic, so a panic anywhere shows up here as a crash to keep as a
//! regression test.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sequencer_cli::formats::OpenOptions;
use sequencer_cli::pipeline::{digest_file, Options};
use sequencer_cli::scheme::Scheme;

fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| {
        std::env::temp_dir().join(format!("bionft-seq-fuzz-{}", std::process::id()))
    })
}

fn reference() -> Option<PathBuf> {
    std::env::var_os("BIONFT_FUZZ_REFERENCE").map(PathBuf::from)
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("write the fuzz input");
    let open = OpenOptions {
        reference: reference().filter(|_| data.starts_with(b"CRAM")),
    };
    for scheme in Scheme::ALL {
        let options = Options {
            scheme,
            unordered: true,
            capture_chunk: (scheme == Scheme::C2).then_some(0),
            threads: 1,
            unordered_budget: 1024,
            open: open.clone(),
            ..Options::default()
        };
        let _ = digest_file(path, &options);
    }
});

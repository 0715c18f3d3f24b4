//! Any bytes, as a file: format detection, every record decoder, the canonical encoder and the
//! digest pipeline of both schemes (c1 and c2) must refuse or digest them, never crash, hang or exhaust memory.
//!
//! Decoder panics are turned into errors in release builds (`digest_file` catches them), but
//! cargo-fuzz builds abort on panic, so a panic anywhere shows up here as a crash to keep as a
//! regression test.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use sequencer_cli::pipeline::{digest_file, Options};
use sequencer_cli::scheme::Scheme;

fn scratch() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| std::env::temp_dir().join(format!("bionft-seq-fuzz-{}", std::process::id())))
}

fuzz_target!(|data: &[u8]| {
    let path = scratch();
    std::fs::write(path, data).expect("write the fuzz input");
    // Both schemes' encoders and folds, with every optional digest computed.
    for scheme in Scheme::ALL {
        let options = Options {
            scheme,
            unordered: true,
            threads: 1,
            unordered_budget: 1024,
            ..Options::default()
        };
        let _ = digest_file(path, &options);
    }
});

//! Any bytes as a proof document, and as a canonical record encoding: parsing, locus decoding
//! and proof verification must reject them cleanly, never crash.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sequencer_cli::canonical::{locus, Kind};
use sequencer_cli::proof::Proof;

fuzz_target!(|data: &[u8]| {
    for kind in [Kind::Reads, Kind::Alignment, Kind::Variants] {
        let _ = locus(kind, data);
    }
    if let Ok(proof) = serde_json::from_slice::<Proof>(data) {
        let _ = proof.verify(&[0; 32]);
    }
});

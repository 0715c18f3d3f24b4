//! Throughput of the hashes `bionft-c2` could use for its long runs of canonical bytes, on this
//! machine: SHA-256 (`sha2`, SHA-NI when the CPU has it) and BLAKE3 (SIMD), over buffers of the
//! size c2 hashes (a chunk's records, about 1 MiB) and over single records (~300 bytes, what c1
//! hashes). The figures chose c2's leaf hash (BENCHMARKS.md).
//!
//! `cargo run --release --example hash-speed [MIB]`

use std::time::Instant;

use sha2::{Digest, Sha256};

fn main() {
    let mib: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1024);
    let total = mib << 20;
    // Pseudo-random bytes, so no hash sees a degenerate input.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let buffer: Vec<u8> = (0..1 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    for (name, size) in [("1 MiB runs", 1 << 20), ("300-byte records", 300)] {
        let rounds = total / buffer.len();
        let start = Instant::now();
        let mut sink = 0u8;
        for _ in 0..rounds {
            for part in buffer.chunks(size) {
                sink ^= Sha256::digest(part)[0];
            }
        }
        let sha = start.elapsed().as_secs_f64();
        let start = Instant::now();
        for _ in 0..rounds {
            for part in buffer.chunks(size) {
                sink ^= blake3::hash(part).as_bytes()[0];
            }
        }
        let b3 = start.elapsed().as_secs_f64();
        let gb = (rounds * buffer.len()) as f64 / 1e9;
        println!(
            "{name}: SHA-256 {:.2} GB/s, BLAKE3 {:.2} GB/s (sink {sink})",
            gb / sha,
            gb / b3
        );
    }
}

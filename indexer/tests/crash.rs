//! Crash safety of the real binary: `bionft-indexer ingest` is killed with
//! SIGKILL at random moments, many times, then run to the end; the database
//! must equal one written by an uninterrupted run, on both backends.

mod common;

use indexer::store::Store;
use indexer::synth::{self, SplitMix};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS: usize = 25;

fn ingest(db: &str, stream: &Path, batch_blocks: u64) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_bionft-indexer"));
    c.arg("ingest")
        .args(["--db", db, "--source"])
        .arg(stream)
        .args(["--biosample", &synth::BIOSAMPLE.to_string()])
        .args(["--consent", &synth::CONSENT.to_string()])
        .args(["--batch-blocks", &batch_blocks.to_string(), "--quiet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    c
}

fn run_to_end(db: &str, stream: &Path) -> Duration {
    let start = Instant::now();
    let out = ingest(db, stream, 1).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    start.elapsed()
}

#[test]
fn sigkill_at_random_moments_leaves_what_an_uninterrupted_run_leaves() {
    let dir = tempfile::tempdir().unwrap();
    let stream = dir.path().join("stream");
    let mut sink = indexer::source::FileSink::create(&stream).unwrap();
    synth::generate(
        synth::Shape {
            records: 3_600,
            grants: 3_600,
            researchers: 20,
            events_per_block: 12,
            seed: 5,
        },
        &mut |b| sink.append(&b),
    )
    .unwrap();
    sink.finish().unwrap();

    for (reference, crashed) in common::databases().into_iter().zip(common::databases()) {
        let b = reference.backend;
        let uninterrupted = run_to_end(&reference.url, &stream);
        let expected = Store::open(&reference.url).unwrap().dump().unwrap();
        let last = Store::open(&reference.url)
            .unwrap()
            .cursor()
            .unwrap()
            .unwrap()
            .number;

        // Kill within the next 1/KILLS of the work, after the process is up:
        // on average the kills cover half of the ingest, leaving headroom for
        // a machine that runs slower or faster than during the reference run.
        let startup = run_to_end(&reference.url, &stream);
        let work = uninterrupted.saturating_sub(startup).as_micros() as u64;
        let step = (work / KILLS as u64).max(1);
        let mut rng = SplitMix::new(42);
        let mut cursors = Vec::new();
        for _ in 0..KILLS {
            // Commit sizes vary too: 1 to 8 blocks per transaction.
            let mut child = ingest(&crashed.url, &stream, 1 + rng.below(8))
                .spawn()
                .unwrap();
            std::thread::sleep(startup + Duration::from_micros(rng.below(step)));
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            let cursor = Store::open(&crashed.url)
                .unwrap()
                .cursor()
                .unwrap()
                .map_or(0, |c| c.number);
            assert!(
                cursors.last().is_none_or(|prev| cursor >= *prev),
                "{b}: the cursor never goes back"
            );
            cursors.push(cursor);
        }
        let mid_ingest = cursors.iter().filter(|c| **c > 0 && **c < last).count();
        assert!(
            mid_ingest >= KILLS / 4,
            "{b}: too few kills landed mid-ingest ({mid_ingest} of {KILLS}; cursors {cursors:?})"
        );
        run_to_end(&crashed.url, &stream);
        assert!(
            Store::open(&crashed.url).unwrap().dump().unwrap() == expected,
            "{b}: the database after {KILLS} kills differs from an uninterrupted run"
        );
        eprintln!("{b}: {KILLS} kills, {mid_ingest} mid-ingest; cursors {cursors:?}");
    }
}

//! The follower's guarantees, on both backends: resuming from the cursor,
//! never applying a block twice, never skipping one, and refusing a chain
//! that is not the one the database was built from.

mod common;

use indexer::follow::{follow, FollowError, FollowOptions, Start};
use indexer::health::Health;
use indexer::ingest::Contracts;
use indexer::source::{Block, ContractEvent, FileSource};
use indexer::store::{Store, StoreError};
use indexer::synth::{self, Shape};
use indexer::Account;

const CONTRACTS: Contracts = Contracts {
    biosample: synth::BIOSAMPLE,
    consent: synth::CONSENT,
};

fn stream(records: u64) -> Vec<Block> {
    let mut blocks = Vec::new();
    synth::generate(
        Shape {
            records,
            grants: records,
            researchers: 4,
            events_per_block: 7,
            seed: 3,
        },
        &mut |b| {
            blocks.push(b);
            Ok(())
        },
    )
    .unwrap();
    blocks
}

fn opts() -> FollowOptions {
    FollowOptions {
        exit_at_head: true,
        progress: false,
        batch_blocks: 4,
        ..FollowOptions::default()
    }
}

fn health() -> Health {
    Health::new("stream", 1)
}

/// Follows the stream in `path` into `store` until its head.
fn run(store: &Store, path: &std::path::Path) -> Result<u64, FollowError> {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let source = FileSource::open(path).unwrap();
    let writer = store.writer(&CONTRACTS)?;
    rt.block_on(follow(&source, writer, CONTRACTS, &opts(), &health()))
        .map(|(_, summary)| summary.blocks)
}

#[test]
fn a_restarted_follower_resumes_at_its_cursor_and_ends_where_one_run_ends() {
    let blocks = stream(90);
    assert!(blocks.len() > 20);
    for db in common::databases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");

        let whole = common::databases()
            .into_iter()
            .find(|d| d.backend == db.backend)
            .unwrap();
        let reference = Store::open(&whole.url).unwrap();
        common::record(&path, &blocks);
        assert_eq!(run(&reference, &path).unwrap(), blocks.len() as u64);

        // The same blocks in three sittings, as a chain that grows would deliver them.
        let store = Store::open(&db.url).unwrap();
        let mut done = 0;
        for upto in [7, 19, blocks.len()] {
            common::record(&path, &blocks[..upto]);
            done += run(&store, &path).unwrap();
            assert_eq!(
                store.cursor().unwrap().unwrap().number,
                blocks[upto - 1].number
            );
        }
        assert_eq!(done, blocks.len() as u64, "{}: no block twice", db.backend);
        // At the head, a further run applies nothing.
        assert_eq!(run(&store, &path).unwrap(), 0);
        assert_eq!(
            store.dump().unwrap(),
            reference.dump().unwrap(),
            "{}: three sittings equal one",
            db.backend
        );
    }
}

/// A catch-up in large batches: PostgreSQL gets multi-row inserts (more than one
/// statement's worth of rows per table) and `ANALYZE` on the way, SQLite
/// single-row inserts; both must hold the same rows.
#[test]
fn a_bulk_catch_up_leaves_the_same_rows_in_both_backends() {
    let blocks = stream(6_000);
    let events: usize = blocks.iter().map(|b| b.events.len()).sum();
    assert!(events > 10_000, "{events} events: past the first ANALYZE");
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream");
    common::record(&path, &blocks);
    let options = FollowOptions {
        batch_blocks: 2_000,
        ..opts()
    };
    let dumps: Vec<(&str, String)> = common::databases()
        .iter()
        .map(|db| {
            let store = Store::open(&db.url).unwrap();
            let rt = tokio::runtime::Runtime::new().unwrap();
            let source = FileSource::open(&path).unwrap();
            let writer = store.writer(&CONTRACTS).unwrap();
            let (_, summary) = rt
                .block_on(follow(&source, writer, CONTRACTS, &options, &health()))
                .unwrap();
            assert_eq!(summary.blocks, blocks.len() as u64, "{}", db.backend);
            (db.backend, store.dump().unwrap())
        })
        .collect();
    for (backend, dump) in &dumps[1..] {
        assert!(dump == &dumps[0].1, "{backend} differs from {}", dumps[0].0);
    }
}

#[test]
fn a_chain_with_another_block_at_the_cursor_is_refused() {
    let blocks = stream(40);
    for db in common::databases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");
        let store = Store::open(&db.url).unwrap();
        common::record(&path, &blocks[..10]);
        run(&store, &path).unwrap();
        let before = store.dump().unwrap();

        // Another history: same numbers, other hashes (a reset dev node).
        let mut forked = blocks.clone();
        for b in forked.iter_mut() {
            b.hash[0] ^= 0xff;
            b.parent_hash[0] ^= 0xff;
        }
        common::record(&path, &forked);
        let err = run(&store, &path).unwrap_err();
        assert!(
            matches!(err, FollowError::Diverged { number: 10, .. }),
            "{}: {err}",
            db.backend
        );
        assert!(err.to_string().contains("Refusing to mix histories"));

        // A node reset to an earlier height.
        common::record(&path, &blocks[..5]);
        let err = run(&store, &path).unwrap_err();
        assert!(
            matches!(
                err,
                FollowError::Behind {
                    head: 5,
                    needed: 10
                }
            ),
            "{}: {err}",
            db.backend
        );
        assert_eq!(
            store.dump().unwrap(),
            before,
            "{}: nothing written",
            db.backend
        );
    }
}

#[test]
fn a_block_that_does_not_extend_the_last_one_stops_ingestion_before_it() {
    let mut blocks = stream(40);
    blocks[12].parent_hash = [0xee; 32];
    for db in common::databases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");
        common::record(&path, &blocks);
        let store = Store::open(&db.url).unwrap();
        let err = run(&store, &path).unwrap_err();
        assert!(
            matches!(err, FollowError::Discontinuous { number: 13, .. }),
            "{}: {err}",
            db.backend
        );
        // Batches of 4: blocks 1–12 committed, the batch holding 13 not.
        assert_eq!(
            store.cursor().unwrap().unwrap().number,
            12,
            "{}",
            db.backend
        );
    }
}

#[test]
fn an_event_the_contracts_types_cannot_decode_stops_ingestion_with_its_place() {
    let mut blocks = stream(20);
    // A consent event's topic with bytes that are no such event.
    let grant_topic = blocks[1]
        .events
        .iter()
        .find(|e| e.contract == synth::CONSENT.0)
        .expect("a grant in block 2")
        .topics[0];
    blocks[2].events.push(ContractEvent {
        contract: synth::CONSENT.0,
        topics: vec![grant_topic],
        data: vec![1, 2, 3],
    });
    for db in common::databases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");
        common::record(&path, &blocks);
        let store = Store::open(&db.url).unwrap();
        let err = run(&store, &path).unwrap_err().to_string();
        assert!(
            err.contains("block 3") && err.contains("consent event"),
            "{}: {err}",
            db.backend
        );
        assert_eq!(
            store.cursor().unwrap(),
            None,
            "{}: first batch not committed",
            db.backend
        );
    }
}

#[test]
fn a_database_of_other_contracts_or_a_second_writer_is_refused() {
    let blocks = stream(20);
    for db in common::databases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");
        common::record(&path, &blocks[..3]);
        let store = Store::open(&db.url).unwrap();
        run(&store, &path).unwrap();

        let other = Contracts {
            biosample: Account([1; 32]),
            consent: synth::CONSENT,
        };
        assert!(
            matches!(
                store.writer(&other),
                Err(StoreError::OtherContracts {
                    key: "biosample",
                    ..
                })
            ),
            "{}",
            db.backend
        );

        // Two writers from the same cursor: the second one's commit is refused.
        let rt = tokio::runtime::Runtime::new().unwrap();
        let first = store.writer(&CONTRACTS).unwrap();
        let second = store.writer(&CONTRACTS).unwrap();
        common::record(&path, &blocks[..6]);
        let source = FileSource::open(&path).unwrap();
        rt.block_on(follow(&source, first, CONTRACTS, &opts(), &health()))
            .unwrap();
        let err = rt
            .block_on(follow(&source, second, CONTRACTS, &opts(), &health()))
            .err()
            .expect("second writer refused");
        assert!(
            matches!(err, FollowError::Store(StoreError::CursorMoved { .. })),
            "{}: {err}",
            db.backend
        );
        assert_eq!(store.cursor().unwrap().unwrap().number, blocks[5].number);
    }
}

#[test]
fn an_empty_database_starts_where_told_and_a_given_start_above_the_head_is_refused() {
    let blocks = stream(40);
    let head = blocks.last().unwrap().number;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream");
    common::record(&path, &blocks);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let source = FileSource::open(&path).unwrap();
    // Each run on a fresh (SQLite) database: the start applies to empty ones only.
    let run_from = |start: Start| {
        let db = dir.path().join(format!("{start:?}.sqlite"));
        let store = Store::open(db.to_str().unwrap()).unwrap();
        let options = FollowOptions { start, ..opts() };
        let writer = store.writer(&CONTRACTS).unwrap();
        rt.block_on(follow(&source, writer, CONTRACTS, &options, &health()))
    };

    let (_, summary) = run_from(Start::Deployment(5)).unwrap();
    assert_eq!(summary.blocks, u64::from(head - 4), "blocks 5..=head");

    let err = run_from(Start::Given(head + 1)).err().expect("refused");
    assert!(
        matches!(err, FollowError::FromBlockAboveHead { from, head: h } if from == head + 1 && h == head),
        "{err}"
    );
    // The deployment block not reached yet: a node that is behind.
    let err = run_from(Start::Deployment(head + 1)).err().expect("behind");
    assert!(matches!(err, FollowError::Behind { .. }), "{err}");
}

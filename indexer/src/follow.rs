//! The follower: reads finalized blocks from a [`BlockSource`] in order,
//! turns each into rows ([`crate::ingest`]) and commits batches of blocks
//! with the cursor ([`crate::store::Writer`]).
//!
//! Guarantees: blocks are applied in order with no gap (each block's number
//! and parent hash are checked against the previous one), a block is never
//! applied twice (the cursor moves in the same transaction as the rows),
//! and a database whose cursor block has a different hash on the chain
//! (node reset, fork, another chain) is refused rather than extended.

use crate::ingest::{block_changes, Contracts, IngestError};
use crate::source::{BlockRef, BlockSource, SourceError};
use crate::store::{IngestedBlock, StoreError, Writer};
use std::time::{Duration, Instant};

/// How the follower batches and when it stops.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// First block to ingest into an empty database.
    pub from_block: u32,
    /// Commit after this many blocks …
    pub batch_blocks: usize,
    /// … or this many contract events, whichever comes first (a block is never split).
    pub batch_events: usize,
    /// Stop once the finalized head is ingested, instead of waiting for more.
    pub exit_at_head: bool,
    /// How often to ask for a new head while waiting.
    pub poll: Duration,
    /// Print blocks/s and events/s to stderr.
    pub progress: bool,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            from_block: 1,
            batch_blocks: 1_000,
            batch_events: 20_000,
            exit_at_head: false,
            poll: Duration::from_secs(2),
            progress: true,
        }
    }
}

/// Why the follower stopped.
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("block source: {0}")]
    Source(#[from] SourceError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("the chain's block {number} has hash {chain}, but the database was built on block {number} with hash {indexed}: the node was reset or follows another fork or chain. Refusing to mix histories; index into a fresh database")]
    Diverged {
        number: u32,
        chain: String,
        indexed: String,
    },
    #[error("the chain has no finalized block {0}, which the database has already indexed: the node was reset. Refusing to mix histories; index into a fresh database")]
    Behind(u32),
    #[error("block {number} names parent {parent}, but block {} was {previous}: the source skipped or reordered blocks", number - 1)]
    Discontinuous {
        number: u32,
        parent: String,
        previous: String,
    },
    #[error("the source returned block {got} when asked for block {asked}")]
    WrongBlock { asked: u32, got: u32 },
    #[error("the source reports finalized head {head} but has no block {missing}")]
    Missing { head: u32, missing: u32 },
    #[error("writer task: {0}")]
    Task(#[from] tokio::task::JoinError),
}

fn hex(h: &[u8; 32]) -> String {
    format!("0x{}", ::hex::encode(h))
}

/// What a follow run did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub blocks: u64,
    pub events: u64,
    pub cursor: Option<BlockRef>,
}

/// Prints ingest rates to stderr at most every two seconds.
struct Progress {
    enabled: bool,
    start: Instant,
    last: Instant,
    at_last: (u64, u64),
}

impl Progress {
    fn new(enabled: bool) -> Progress {
        let now = Instant::now();
        Progress {
            enabled,
            start: now,
            last: now,
            at_last: (0, 0),
        }
    }

    fn tick(&mut self, s: &Summary, head: u32) {
        let elapsed = self.last.elapsed();
        if !self.enabled || elapsed < Duration::from_secs(2) {
            return;
        }
        let secs = elapsed.as_secs_f64();
        eprintln!(
            "bionft-indexer: block {} of {head}: {:.0} blocks/s, {:.0} events/s",
            s.cursor.map_or(0, |c| c.number),
            (s.blocks - self.at_last.0) as f64 / secs,
            (s.events - self.at_last.1) as f64 / secs,
        );
        self.last = Instant::now();
        self.at_last = (s.blocks, s.events);
    }

    fn done(&self, s: &Summary) {
        if !self.enabled || s.blocks == 0 {
            return;
        }
        let secs = self.start.elapsed().as_secs_f64().max(1e-9);
        eprintln!(
            "bionft-indexer: ingested {} blocks, {} events in {secs:.1} s ({:.0} blocks/s, {:.0} events/s); at block {}",
            s.blocks,
            s.events,
            s.blocks as f64 / secs,
            s.events as f64 / secs,
            s.cursor.map_or(0, |c| c.number),
        );
    }
}

/// Follows `source` into `writer` until the head (with `exit_at_head`) or
/// forever. Returns the writer for further use, with what was done.
pub async fn follow<S: BlockSource>(
    source: &S,
    mut writer: Writer,
    contracts: Contracts,
    opts: &FollowOptions,
) -> Result<(Writer, Summary), FollowError> {
    let mut summary = Summary {
        cursor: writer.cursor(),
        ..Summary::default()
    };
    if let Some(c) = summary.cursor {
        match source.block(c.number).await? {
            Some(b) if b.hash == c.hash => {}
            Some(b) => {
                return Err(FollowError::Diverged {
                    number: c.number,
                    chain: hex(&b.hash),
                    indexed: hex(&c.hash),
                })
            }
            None => return Err(FollowError::Behind(c.number)),
        }
    }
    let mut progress = Progress::new(opts.progress);
    let mut next = summary.cursor.map_or(opts.from_block, |c| c.number + 1);
    let mut previous = summary.cursor.map(|c| c.hash);
    loop {
        let head = source.finalized_head().await?;
        if next > head.number {
            if opts.exit_at_head {
                break;
            }
            tokio::time::sleep(opts.poll).await;
            continue;
        }
        let mut batch = Vec::new();
        let mut events = 0;
        while next <= head.number && batch.len() < opts.batch_blocks && events < opts.batch_events {
            let block = source.block(next).await?.ok_or(FollowError::Missing {
                head: head.number,
                missing: next,
            })?;
            if block.number != next {
                return Err(FollowError::WrongBlock {
                    asked: next,
                    got: block.number,
                });
            }
            if let Some(prev) = previous.filter(|p| *p != block.parent_hash) {
                return Err(FollowError::Discontinuous {
                    number: block.number,
                    parent: hex(&block.parent_hash),
                    previous: hex(&prev),
                });
            }
            let changes = block_changes(&block, &contracts)?;
            events += block
                .events
                .iter()
                .filter(|e| {
                    e.contract == contracts.biosample.0 || e.contract == contracts.consent.0
                })
                .count();
            previous = Some(block.hash);
            next += 1;
            batch.push(IngestedBlock::new(&block, changes));
        }
        let blocks = batch.len() as u64;
        writer =
            tokio::task::spawn_blocking(move || writer.apply(&batch).map(|()| writer)).await??;
        summary.blocks += blocks;
        summary.events += events as u64;
        summary.cursor = writer.cursor();
        progress.tick(&summary, head.number);
    }
    progress.done(&summary);
    Ok((writer, summary))
}

//! The follower: reads finalized blocks from a [`BlockSource`] in order,
//! turns each into rows ([`crate::ingest`]) and commits batches of blocks
//! with the cursor ([`crate::store::Writer`]). While one batch is being
//! written, the next range of blocks is already being fetched.
//!
//! Guarantees: blocks are applied in order with no gap (each block's number
//! and parent hash are checked against the previous one), a block is never
//! applied twice (the cursor moves in the same transaction as the rows),
//! and a database whose cursor block has a different hash on the chain
//! (node reset, fork, another chain) is never extended.
//!
//! An operator can leave it running: when the source goes away the follower
//! retries with exponential back-off ([`crate::backoff`]) and resumes at the
//! cursor; a node whose finalized head is below the cursor (re-syncing) is
//! waited for; a node whose chain diverged is refused and rechecked at the
//! back-off's cap. What it is doing is reported through [`Health`] (`/status`).
//! Only errors that retrying cannot fix (an undecodable event, the
//! database) end it.

use crate::backoff::Backoff;
use crate::health::Health;
use crate::ingest::{block_changes, Contracts, IngestError};
use crate::source::{Block, BlockRef, BlockSource, SourceError};
use crate::store::{IngestedBlock, StoreError, Writer};
use std::time::{Duration, Instant};

/// Where an empty database starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Start {
    /// The block the operator gave (`--from-block`): refused if it is above
    /// the chain's finalized head (a typo, or the wrong chain).
    Given(u32),
    /// The contracts' deployment block (or block 1 without one): a node not
    /// there yet is waited for.
    Deployment(u32),
}

impl Start {
    pub fn block(self) -> u32 {
        match self {
            Start::Given(b) | Start::Deployment(b) => b,
        }
    }
}

/// How the follower batches, retries and when it stops.
#[derive(Clone, Debug)]
pub struct FollowOptions {
    /// First block to ingest into an empty database.
    pub start: Start,
    /// Commit after this many blocks …
    pub batch_blocks: usize,
    /// … or this many contract events, whichever comes first (a block is never split).
    pub batch_events: usize,
    /// Stop once the finalized head is ingested, instead of waiting for more.
    pub exit_at_head: bool,
    /// How often to ask for a new head while waiting.
    pub poll: Duration,
    /// The first and the longest wait between attempts to reach a source that is away.
    pub retry_first: Duration,
    pub retry_cap: Duration,
    /// Give up when the source has been away (or refused) this long; `None`: never.
    pub give_up_after: Option<Duration>,
    /// Print blocks/s and events/s to stderr.
    pub progress: bool,
}

impl Default for FollowOptions {
    fn default() -> Self {
        FollowOptions {
            start: Start::Deployment(1),
            batch_blocks: 1_000,
            batch_events: 20_000,
            exit_at_head: false,
            poll: Duration::from_secs(2),
            retry_first: Duration::from_millis(500),
            retry_cap: Duration::from_secs(30),
            give_up_after: None,
            progress: true,
        }
    }
}

/// Why the follower stopped (or, for the retried kinds, paused).
#[derive(Debug, thiserror::Error)]
pub enum FollowError {
    #[error("block source: {0}")]
    Source(#[from] SourceError),
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("database: {0}")]
    Store(#[from] StoreError),
    #[error("the chain's block {number} has hash {chain}, but the database was built on block {number} with hash {indexed}: the node was reset or follows another fork or chain. Refusing to mix histories; point the indexer at a node of the indexed chain, or index this one into a fresh database")]
    Diverged {
        number: u32,
        chain: String,
        indexed: String,
    },
    #[error("the node's finalized head is block {head}, below block {needed}, which the indexer needs next to check or continue its history: the node is re-syncing (or was reset); waiting for it")]
    Behind { head: u32, needed: u32 },
    #[error("--from-block {from} is above the chain's finalized head {head}: nothing there to index yet (wrong chain, or a typo?)")]
    FromBlockAboveHead { from: u32, head: u32 },
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

/// What the follower does after an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Next {
    /// The source is away (`connected: false`) or answered inconsistently: back off, retry.
    Retry { connected: bool },
    /// The node is behind the indexer: poll until it catches up.
    Wait,
    /// The node's chain is another one: recheck at the back-off's cap.
    Refuse,
    /// Retrying cannot help.
    Stop,
}

impl FollowError {
    fn next(&self) -> Next {
        match self {
            FollowError::Source(_) => Next::Retry { connected: false },
            FollowError::Discontinuous { .. }
            | FollowError::WrongBlock { .. }
            | FollowError::Missing { .. } => Next::Retry { connected: true },
            FollowError::Behind { .. } => Next::Wait,
            FollowError::Diverged { .. } => Next::Refuse,
            FollowError::Ingest(_)
            | FollowError::Store(_)
            | FollowError::FromBlockAboveHead { .. }
            | FollowError::Task(_) => Next::Stop,
        }
    }
}

/// How the indexed head relates to the node's chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CursorCheck {
    /// The node holds the indexed head block: continue after it.
    Same,
    /// The node's finalized head is below the indexed head: it is
    /// re-syncing (or was reset); wait, nothing is known yet.
    Behind,
    /// The node has another block at the indexed head's number.
    Diverged([u8; 32]),
    /// The node claims the height but does not return the block.
    Missing,
}

/// Judges the indexed head `cursor` against a node whose finalized head is
/// `head` and whose block at `cursor.number` has hash `at_cursor` (when the
/// node returned one).
pub fn check_cursor(cursor: BlockRef, head: u32, at_cursor: Option<[u8; 32]>) -> CursorCheck {
    if head < cursor.number {
        return CursorCheck::Behind;
    }
    match at_cursor {
        None => CursorCheck::Missing,
        Some(hash) if hash == cursor.hash => CursorCheck::Same,
        Some(hash) => CursorCheck::Diverged(hash),
    }
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
/// forever, reporting on `health`. Source trouble is retried; the errors
/// that end it are those retrying cannot fix, trouble lasting past
/// `give_up_after`, and, with `exit_at_head`, any error but an unreachable
/// source. Returns the writer for further use, with what was done.
pub async fn follow<S: BlockSource>(
    source: &S,
    writer: Writer,
    contracts: Contracts,
    opts: &FollowOptions,
    health: &Health,
) -> Result<(Writer, Summary), FollowError> {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ u64::from(std::process::id());
    let mut f = Follower {
        source,
        contracts,
        opts,
        health,
        summary: Summary {
            cursor: writer.cursor(),
            ..Summary::default()
        },
        writer: Some(writer),
        writing: None,
        next: 0,
        previous: None,
        backoff: Backoff::new(opts.retry_first, opts.retry_cap, seed),
        away_since: None,
        progress: Progress::new(opts.progress),
    };
    loop {
        let result = f.session().await;
        // A batch still being written is finished (or fails) before anything else.
        let result = match (result, f.finish_write().await) {
            (Ok(()), Err(e)) | (Err(_), Err(e)) => Err(e),
            (result, Ok(())) => result,
        };
        let error = match result {
            Ok(()) => break,
            Err(e) => e,
        };
        let next = error.next();
        if next == Next::Stop {
            f.health.stopped(error.to_string());
            return Err(error);
        }
        // A one-off catch-up (`ingest`) waits only for a source that is away.
        if f.opts.exit_at_head && next != (Next::Retry { connected: false }) {
            return Err(error);
        }
        let wait = match next {
            Next::Retry { connected } => {
                f.health.failed(connected, error.to_string());
                let since = *f.away_since.get_or_insert_with(Instant::now);
                let wait = f.backoff.next_wait();
                if let Some(limit) = f.opts.give_up_after {
                    if since.elapsed() + wait > limit {
                        f.health.stopped(format!(
                            "gave up after {} s of trouble: {error}",
                            limit.as_secs()
                        ));
                        return Err(error);
                    }
                }
                wait
            }
            Next::Wait => {
                f.health.waiting(error.to_string());
                f.opts.poll
            }
            Next::Refuse => {
                f.health.refused(error.to_string());
                f.backoff.cap()
            }
            Next::Stop => unreachable!("returned above"),
        };
        if f.opts.progress {
            eprintln!(
                "bionft-indexer: {error}; trying again in {:.1} s",
                wait.as_secs_f64()
            );
        }
        tokio::time::sleep(wait).await;
    }
    f.progress.done(&f.summary);
    let writer = f.writer.take().expect("no write in flight after the loop");
    Ok((writer, f.summary))
}

/// A finished write: the writer back, the outcome, and the batch's blocks and events.
type Written = (Writer, Result<(), StoreError>, u64, u64);

/// The follower's state across sessions (a session lasts until the source fails).
struct Follower<'a, S> {
    source: &'a S,
    contracts: Contracts,
    opts: &'a FollowOptions,
    health: &'a Health,
    summary: Summary,
    /// The writer, unless a batch is being written …
    writer: Option<Writer>,
    /// … on a blocking thread, which hands it back with the outcome.
    writing: Option<tokio::task::JoinHandle<Written>>,
    /// The next block to read, and the hash it must name as its parent.
    next: u32,
    previous: Option<[u8; 32]>,
    backoff: Backoff,
    /// Since when the source has failed without answering in between.
    away_since: Option<Instant>,
    progress: Progress,
}

impl<S: BlockSource> Follower<'_, S> {
    /// The source's finalized head, noted as a sign of life.
    async fn head(&mut self) -> Result<BlockRef, FollowError> {
        let head = self.source.finalized_head().await?;
        self.health.seen_head(head.number);
        self.backoff.reset();
        self.away_since = None;
        Ok(head)
    }

    /// Checks the indexed head against the node, then reads and applies
    /// blocks until the head (with `exit_at_head`) or an error.
    async fn session(&mut self) -> Result<(), FollowError> {
        let cursor = self.writer.as_ref().expect("no write in flight").cursor();
        let head = self.head().await?;
        match cursor {
            None => {
                let start = self.opts.start;
                if start.block() > head.number {
                    return Err(match start {
                        Start::Given(from) => FollowError::FromBlockAboveHead {
                            from,
                            head: head.number,
                        },
                        Start::Deployment(needed) => FollowError::Behind {
                            head: head.number,
                            needed,
                        },
                    });
                }
                self.next = start.block();
                self.previous = None;
            }
            Some(c) => {
                let at_cursor = if head.number >= c.number {
                    self.source
                        .blocks(c.number, c.number)
                        .await?
                        .first()
                        .map(|b| b.hash)
                } else {
                    None
                };
                match check_cursor(c, head.number, at_cursor) {
                    CursorCheck::Same => {}
                    CursorCheck::Behind => {
                        return Err(FollowError::Behind {
                            head: head.number,
                            needed: c.number,
                        })
                    }
                    CursorCheck::Diverged(chain) => {
                        return Err(FollowError::Diverged {
                            number: c.number,
                            chain: hex(&chain),
                            indexed: hex(&c.hash),
                        })
                    }
                    CursorCheck::Missing => {
                        return Err(FollowError::Missing {
                            head: head.number,
                            missing: c.number,
                        })
                    }
                }
                self.next = c.number + 1;
                self.previous = Some(c.hash);
            }
        }
        self.health.following();
        loop {
            let head = self.head().await?;
            if head.number + 1 < self.next {
                // The node fell behind what is indexed (replaced, re-syncing).
                return Err(FollowError::Behind {
                    head: head.number,
                    needed: self.next - 1,
                });
            }
            if self.next > head.number {
                if self.opts.exit_at_head {
                    return Ok(());
                }
                self.finish_write().await?;
                tokio::time::sleep(self.opts.poll).await;
                continue;
            }
            let last = head
                .number
                .min(self.next.saturating_add(self.opts.batch_blocks as u32 - 1));
            // Fetched while the previous batch is still being written.
            let blocks = self.source.blocks(self.next, last).await?;
            for (batch, events) in self.check(blocks, head.number, last)? {
                self.finish_write().await?;
                self.start_write(batch, events);
            }
            self.progress.tick(&self.summary, head.number);
        }
    }

    /// Checks that `blocks` are `self.next..=last` and extend the previous
    /// block, decodes them, and cuts them into batches (`batch_events`).
    /// Nothing of a range with a bad block is kept.
    fn check(
        &mut self,
        blocks: Vec<Block>,
        head: u32,
        last: u32,
    ) -> Result<Vec<(Vec<IngestedBlock>, u64)>, FollowError> {
        let (mut next, mut previous) = (self.next, self.previous);
        let mut batches: Vec<(Vec<IngestedBlock>, u64)> = vec![(Vec::new(), 0)];
        for block in &blocks {
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
            let changes = block_changes(block, &self.contracts)?;
            let mut batch = batches.last_mut().expect("one batch at least");
            if batch.1 >= self.opts.batch_events as u64 {
                batches.push((Vec::new(), 0));
                batch = batches.last_mut().expect("just pushed");
            }
            batch.1 += block
                .events
                .iter()
                .filter(|e| {
                    e.contract == self.contracts.biosample.0
                        || e.contract == self.contracts.consent.0
                })
                .count() as u64;
            batch.0.push(IngestedBlock::new(block, changes));
            previous = Some(block.hash);
            next += 1;
        }
        if next <= last {
            return Err(FollowError::Missing {
                head,
                missing: next,
            });
        }
        (self.next, self.previous) = (next, previous);
        Ok(batches)
    }

    /// Starts writing `batch` on a blocking thread (the drivers block).
    fn start_write(&mut self, batch: Vec<IngestedBlock>, events: u64) {
        let mut writer = self.writer.take().expect("one write at a time");
        let blocks = batch.len() as u64;
        self.writing = Some(tokio::task::spawn_blocking(move || {
            let result = writer.apply(&batch);
            (writer, result, blocks, events)
        }));
    }

    /// Waits for the batch being written, if any.
    async fn finish_write(&mut self) -> Result<(), FollowError> {
        let Some(writing) = self.writing.take() else {
            return Ok(());
        };
        let (writer, result, blocks, events) = writing.await?;
        self.writer = Some(writer);
        result?;
        self.summary.blocks += blocks;
        self.summary.events += events;
        self.summary.cursor = self.writer.as_ref().and_then(Writer::cursor);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_node_below_the_cursor_is_behind_whatever_it_holds_and_only_another_hash_diverges() {
        let cursor = BlockRef {
            number: 40,
            hash: [4; 32],
        };
        assert_eq!(check_cursor(cursor, 39, None), CursorCheck::Behind);
        assert_eq!(
            check_cursor(cursor, 12, Some([9; 32])),
            CursorCheck::Behind,
            "a re-syncing node's head says nothing about block 40 yet"
        );
        assert_eq!(check_cursor(cursor, 40, Some([4; 32])), CursorCheck::Same);
        assert_eq!(check_cursor(cursor, 900, Some([4; 32])), CursorCheck::Same);
        assert_eq!(
            check_cursor(cursor, 40, Some([5; 32])),
            CursorCheck::Diverged([5; 32])
        );
        assert_eq!(check_cursor(cursor, 41, None), CursorCheck::Missing);
    }

    #[test]
    fn only_source_trouble_is_retried_and_only_a_re_syncing_node_is_waited_for() {
        let e = |n: u32| FollowError::Behind {
            head: n,
            needed: 40,
        };
        assert_eq!(e(3).next(), Next::Wait);
        assert_eq!(
            FollowError::Source(SourceError("connection refused".into())).next(),
            Next::Retry { connected: false }
        );
        assert_eq!(
            FollowError::Missing {
                head: 9,
                missing: 9
            }
            .next(),
            Next::Retry { connected: true }
        );
        assert_eq!(
            FollowError::Diverged {
                number: 1,
                chain: String::new(),
                indexed: String::new()
            }
            .next(),
            Next::Refuse
        );
        assert_eq!(
            FollowError::FromBlockAboveHead { from: 9, head: 1 }.next(),
            Next::Stop
        );
        assert_eq!(
            FollowError::Ingest(IngestError::TooManyEvents(3)).next(),
            Next::Stop
        );
    }
}

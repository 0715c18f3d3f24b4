//! The order-independent digest: SHA-256 over the **sorted multiset** of record digests.
//!
//! `U = SHA-256(0x05 ‖ header digest ‖ u64(count) ‖ r_(1) ‖ … ‖ r_(n))` with `r_(i)` the record
//! digests in bytewise order, duplicates kept. Unlike a sum or XOR of hashes, duplicates cannot
//! cancel and no generalised-birthday attack applies: two inputs collide only if SHA-256 does.
//!
//! Memory stays bounded regardless of file size: digests are buffered up to a budget in buckets
//! by first byte, then sorted and spilled to an unlinked temporary file; `finish` reads each
//! bucket back from every run, sorts it and hashes it.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};

use sha2::{Digest, Sha256};

use crate::merkle::Hash;

const DOMAIN: u8 = 0x05;

/// Default in-memory budget: 2 Mi digests (64 MiB).
pub const DEFAULT_BUDGET: usize = 2 << 20;

pub struct Unordered {
    /// Buffered digests by their first byte, so that sorting works on small, cache-sized
    /// buckets instead of the whole buffer.
    buckets: Vec<Vec<Hash>>,
    buffered: usize,
    budget: usize,
    runs: Vec<Run>,
    /// The radix sort's second buffer, one bucket long.
    scratch: Vec<Hash>,
}

impl Unordered {
    pub fn new(budget: usize) -> Self {
        let budget = budget.max(1);
        // Digests are uniform: an eighth more than the mean keeps every bucket within its
        // first allocation.
        let share = budget.div_ceil(256) + budget / 2048;
        Self {
            buckets: (0..256).map(|_| Vec::with_capacity(share)).collect(),
            buffered: 0,
            budget,
            runs: Vec::new(),
            scratch: Vec::new(),
        }
    }

    pub fn push(&mut self, digest: Hash) -> io::Result<()> {
        if self.buffered == self.budget {
            self.spill()?;
        }
        self.buckets[usize::from(digest[0])].push(digest);
        self.buffered += 1;
        Ok(())
    }

    /// Sorts the buffer and writes it out as one run, bucket after bucket.
    fn spill(&mut self) -> io::Result<()> {
        let mut file = anonymous_file()?;
        let mut writer = BufWriter::with_capacity(1 << 16, &mut file);
        let mut counts = Vec::with_capacity(256);
        for bucket in &mut self.buckets {
            sort_bucket(bucket, &mut self.scratch);
            writer.write_all(bucket.as_flattened())?;
            counts.push(bucket.len());
            bucket.clear();
        }
        writer.flush()?;
        drop(writer);
        file.seek(SeekFrom::Start(0))?;
        self.runs.push(Run {
            reader: BufReader::with_capacity(1 << 16, file),
            counts,
        });
        self.buffered = 0;
        Ok(())
    }

    /// Sorts every digest, bucket after bucket, and returns `U`. A bucket's digests from all
    /// runs and the buffer are gathered and sorted in memory; a bucket too large for that (only
    /// when digests repeat or were mined to share a first byte) is merged from its sorted parts.
    ///
    /// With `threads` ≥ 2, sorted buckets are hashed on a second thread while the next bucket
    /// is gathered and sorted (this finish runs after every record is read, so it is the
    /// serial tail of a digest).
    pub fn finish(self, header_digest: &Hash, count: u64, threads: usize) -> io::Result<Hash> {
        let mut hasher = Sha256::new();
        hasher.update([DOMAIN]);
        hasher.update(header_digest);
        hasher.update(count.to_le_bytes());
        let (merged, hasher) = if threads < 2 {
            let merged = self.sorted(|batch| hasher.update(batch.as_flattened()))?;
            (merged, hasher)
        } else {
            std::thread::scope(|scope| -> io::Result<(u64, Sha256)> {
                let (batches, to_hash) = crossbeam_channel::bounded::<Vec<Hash>>(2);
                let hashing = scope.spawn(move || {
                    for batch in to_hash {
                        hasher.update(batch.as_flattened());
                    }
                    hasher
                });
                let merged = self.sorted(|batch| {
                    batches
                        .send(batch)
                        .expect("the hashing thread runs until the channel closes")
                });
                drop(batches);
                let hasher = hashing.join().expect("hashing does not panic");
                Ok((merged?, hasher))
            })?
        };
        if merged != count {
            return Err(io::Error::other(format!(
                "order-independent digest merged {merged} of {count} record digests"
            )));
        }
        Ok(hasher.finalize().into())
    }

    /// Passes every digest to `emit` in bytewise order, in batches; returns how many.
    fn sorted(mut self, mut emit: impl FnMut(Vec<Hash>)) -> io::Result<u64> {
        const MERGE_BATCH: usize = 1 << 16;
        let mut merged = 0u64;
        for b in 0..self.buckets.len() {
            let mut bucket = std::mem::take(&mut self.buckets[b]);
            let total = bucket.len() + self.runs.iter().map(|r| r.counts[b]).sum::<usize>();
            if total <= SORT_LIMIT {
                for run in &mut self.runs {
                    let start = bucket.len();
                    bucket.resize(start + run.counts[b], [0; 32]);
                    run.reader.read_exact(bucket[start..].as_flattened_mut())?;
                }
                sort_bucket(&mut bucket, &mut self.scratch);
                emit(bucket);
            } else {
                sort_bucket(&mut bucket, &mut self.scratch);
                let mut parts: Vec<Box<dyn Read + '_>> = self
                    .runs
                    .iter_mut()
                    .map(|run| {
                        let len = 32 * run.counts[b] as u64;
                        Box::new((&mut run.reader).take(len)) as Box<dyn Read>
                    })
                    .collect();
                parts.push(Box::new(bucket.as_flattened()));
                let mut batch = Vec::with_capacity(MERGE_BATCH);
                let parts_merged = merge(parts, |digest| {
                    batch.push(*digest);
                    if batch.len() == MERGE_BATCH {
                        emit(std::mem::replace(
                            &mut batch,
                            Vec::with_capacity(MERGE_BATCH),
                        ));
                    }
                })?;
                emit(batch);
                if parts_merged != total as u64 {
                    return Err(io::Error::other("a spilled run is shorter than written"));
                }
            }
            merged += total as u64;
        }
        Ok(merged)
    }
}

/// A sorted run spilled to a temporary file, with how many digests each bucket holds.
struct Run {
    reader: BufReader<File>,
    counts: Vec<usize>,
}

/// Buckets up to this many digests (32 MiB) are sorted in memory, by radix.
const SORT_LIMIT: usize = 1 << 20;

/// Sorts digests that share their first byte into bytewise order: two counting-sort passes on
/// bytes 2 then 1, which leave uniform digests sorted but for the rare ones that also share
/// bytes 1 and 2; those runs are then sorted by comparison.
fn sort_bucket(bucket: &mut [Hash], scratch: &mut Vec<Hash>) {
    debug_assert!(bucket.windows(2).all(|w| w[0][0] == w[1][0]));
    if bucket.len() > SORT_LIMIT {
        bucket.sort_unstable_by(compare);
        return;
    }
    scratch.clear();
    scratch.resize(bucket.len(), [0; 32]);
    counting_sort(bucket, scratch, 2);
    counting_sort(scratch, bucket, 1);
    let mut start = 0;
    while start < bucket.len() {
        let key = &bucket[start][..3];
        let len = bucket[start..]
            .iter()
            .position(|d| &d[..3] != key)
            .unwrap_or(bucket.len() - start);
        if len > 1 {
            bucket[start..start + len].sort_unstable_by(compare);
        }
        start += len;
    }
}

/// A stable counting sort of `from` into `to` (of equal length) by byte `byte`.
fn counting_sort(from: &[Hash], to: &mut [Hash], byte: usize) {
    let mut offsets = [0usize; 256];
    for digest in from {
        offsets[usize::from(digest[byte])] += 1;
    }
    let mut next = 0;
    for offset in &mut offsets {
        (*offset, next) = (next, next + *offset);
    }
    for digest in from {
        let slot = &mut offsets[usize::from(digest[byte])];
        to[*slot] = *digest;
        *slot += 1;
    }
}

/// Bytewise order, compared by the first eight bytes first (digests are uniform, so that
/// decides nearly every comparison without a `memcmp`).
fn compare(a: &Hash, b: &Hash) -> std::cmp::Ordering {
    let prefix = |h: &Hash| u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    prefix(a).cmp(&prefix(b)).then_with(|| a.cmp(b))
}

/// A digest as big-endian words: their order is the digest's bytewise order, and comparing
/// the first word decides nearly every comparison.
fn words(digest: &Hash) -> [u64; 4] {
    core::array::from_fn(|i| u64::from_be_bytes(digest[8 * i..8 * i + 8].try_into().expect("8")))
}

fn from_words(words: &[u64; 4]) -> Hash {
    let mut digest = [0; 32];
    for (chunk, word) in digest.chunks_exact_mut(8).zip(words) {
        chunk.copy_from_slice(&word.to_be_bytes());
    }
    digest
}

/// Merges sorted sequences of digests, passing every digest to `sink` in order; returns how
/// many there were.
fn merge<R: Read>(mut parts: Vec<R>, mut sink: impl FnMut(&Hash)) -> io::Result<u64> {
    let mut heap = BinaryHeap::with_capacity(parts.len());
    for (i, part) in parts.iter_mut().enumerate() {
        if let Some(digest) = next_digest(part)? {
            heap.push(Reverse((words(&digest), i)));
        }
    }
    let mut merged = 0;
    while let Some(Reverse((first, i))) = heap.pop() {
        sink(&from_words(&first));
        merged += 1;
        if let Some(next) = next_digest(&mut parts[i])? {
            heap.push(Reverse((words(&next), i)));
        }
    }
    Ok(merged)
}

fn next_digest(reader: &mut impl Read) -> io::Result<Option<Hash>> {
    let mut digest = [0; 32];
    match reader.read_exact(&mut digest) {
        Ok(()) => Ok(Some(digest)),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(None),
        Err(e) => Err(e),
    }
}

/// A read-write file in the temporary directory that is already unlinked, so it vanishes with
/// the process however it ends.
fn anonymous_file() -> io::Result<File> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        ".bionft-seq-{}-{}.run",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let file = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(&path)?;
    std::fs::remove_file(&path)?;
    Ok(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digest_of(budget: usize, items: &[u8]) -> Hash {
        let filled = || {
            let mut u = Unordered::new(budget);
            for &i in items {
                u.push(Sha256::digest([i]).into()).unwrap();
            }
            u
        };
        let digest = filled().finish(&[7; 32], items.len() as u64, 1).unwrap();
        let overlapped = filled().finish(&[7; 32], items.len() as u64, 2).unwrap();
        assert_eq!(
            digest, overlapped,
            "hashing on a second thread changes nothing"
        );
        digest
    }

    #[test]
    fn order_does_not_matter_and_spilling_does_not_change_the_digest() {
        let a = digest_of(1 << 20, &[1, 2, 3, 4, 5, 6, 7]);
        assert_eq!(a, digest_of(1 << 20, &[7, 6, 5, 4, 3, 2, 1]));
        assert_eq!(a, digest_of(2, &[3, 1, 4, 7, 5, 2, 6]));
        assert_eq!(a, digest_of(1, &[5, 6, 7, 1, 2, 3, 4]));
    }

    #[test]
    fn duplicates_do_not_cancel() {
        let once = digest_of(4, &[1, 2]);
        assert_ne!(once, digest_of(4, &[1, 2, 3, 3]));
        assert_ne!(once, digest_of(4, &[1, 1, 2, 2]));
        assert_ne!(digest_of(4, &[1, 1, 2]), digest_of(4, &[1, 2, 2]));
    }

    #[test]
    fn buckets_sort_bytewise_with_duplicates_and_shared_prefixes() {
        for n in [0, 1, 2, 5000, 70_000] {
            let mut bucket: Vec<Hash> = (0..n as u32)
                .map(|i| {
                    let mut digest: Hash = Sha256::digest(i.to_le_bytes()).into();
                    digest[0] = 7;
                    if i % 5 == 0 {
                        digest[1..3].copy_from_slice(&[1, 2]); // same first three bytes
                    }
                    if i % 7 == 0 {
                        digest = [7; 32]; // duplicates
                    }
                    digest
                })
                .collect();
            let mut expected = bucket.clone();
            expected.sort();
            sort_bucket(&mut bucket, &mut Vec::new());
            assert_eq!(bucket, expected, "{n} digests");
        }
    }

    #[test]
    fn a_bucket_too_large_to_sort_in_memory_is_merged_from_its_runs() {
        let mut digests: Vec<Hash> = (0..20u32)
            .map(|i| Sha256::digest(i.to_le_bytes()).into())
            .collect();
        digests.extend(std::iter::repeat_n([0x11; 32], SORT_LIMIT + 5));
        digests.push([0x11; 32].map(|b| b ^ 1));
        let mut u = Unordered::new(SORT_LIMIT + 10);
        for digest in digests.iter().rev() {
            u.push(*digest).unwrap();
        }
        assert_eq!(u.runs.len(), 1);
        let actual = u.finish(&[7; 32], digests.len() as u64, 2).unwrap();

        digests.sort();
        let mut expected = Sha256::new();
        expected.update([DOMAIN]);
        expected.update([7; 32]);
        expected.update((digests.len() as u64).to_le_bytes());
        expected.update(digests.as_flattened());
        assert_eq!(actual, <Hash>::from(expected.finalize()));
    }

    #[test]
    fn a_wrong_count_is_an_error() {
        let mut u = Unordered::new(2);
        u.push([1; 32]).unwrap();
        assert!(u.finish(&[0; 32], 2, 1).is_err());
    }
}

//! The order-independent digest: SHA-256 over the **sorted multiset** of record digests.
//!
//! `U = SHA-256(0x05 ‖ header digest ‖ u64(count) ‖ r_(1) ‖ … ‖ r_(n))` with `r_(i)` the record
//! digests in bytewise order, duplicates kept. Unlike a sum or XOR of hashes, duplicates cannot
//! cancel and no generalised-birthday attack applies: two inputs collide only if SHA-256 does.
//!
//! Memory stays bounded regardless of file size: digests are buffered up to a budget, then
//! sorted and spilled to an unlinked temporary file; `finish` merges the sorted runs.

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
    buffer: Vec<Hash>,
    budget: usize,
    runs: Vec<File>,
}

impl Unordered {
    pub fn new(budget: usize) -> Self {
        Self {
            buffer: Vec::new(),
            budget: budget.max(1),
            runs: Vec::new(),
        }
    }

    pub fn push(&mut self, digest: Hash) -> io::Result<()> {
        if self.buffer.len() == self.budget {
            self.spill()?;
        }
        self.buffer.push(digest);
        Ok(())
    }

    fn spill(&mut self) -> io::Result<()> {
        sort(&mut self.buffer);
        let mut file = anonymous_file()?;
        let mut writer = BufWriter::with_capacity(1 << 16, &mut file);
        for digest in &self.buffer {
            writer.write_all(digest)?;
        }
        writer.flush()?;
        drop(writer);
        file.seek(SeekFrom::Start(0))?;
        self.runs.push(file);
        self.buffer.clear();
        Ok(())
    }

    /// Merges every run and returns `U`.
    pub fn finish(mut self, header_digest: &Hash, count: u64) -> io::Result<Hash> {
        sort(&mut self.buffer);
        let mut hasher = Sha256::new();
        hasher.update([DOMAIN]);
        hasher.update(header_digest);
        hasher.update(count.to_le_bytes());

        let mut readers: Vec<Box<dyn Read>> = self
            .runs
            .into_iter()
            .map(|f| Box::new(BufReader::with_capacity(1 << 16, f)) as Box<dyn Read>)
            .collect();
        readers.push(Box::new(io::Cursor::new(self.buffer.concat())));

        let mut heap = BinaryHeap::new();
        for (i, reader) in readers.iter_mut().enumerate() {
            if let Some(digest) = next_digest(reader)? {
                heap.push(Reverse((digest, i)));
            }
        }
        let mut merged = 0u64;
        while let Some(Reverse((digest, i))) = heap.pop() {
            hasher.update(digest);
            merged += 1;
            if let Some(next) = next_digest(&mut readers[i])? {
                heap.push(Reverse((next, i)));
            }
        }
        if merged != count {
            return Err(io::Error::other(format!(
                "order-independent digest merged {merged} of {count} record digests"
            )));
        }
        Ok(hasher.finalize().into())
    }
}

/// Bytewise order, compared by the first eight bytes first (digests are uniform, so that
/// decides nearly every comparison without a `memcmp`).
fn sort(digests: &mut [Hash]) {
    let prefix = |h: &Hash| u64::from_be_bytes(h[..8].try_into().expect("8 bytes"));
    digests.sort_unstable_by(|a, b| prefix(a).cmp(&prefix(b)).then_with(|| a.cmp(b)));
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
        let mut u = Unordered::new(budget);
        for &i in items {
            u.push(Sha256::digest([i]).into()).unwrap();
        }
        u.finish(&[7; 32], items.len() as u64).unwrap()
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
    fn a_wrong_count_is_an_error() {
        let mut u = Unordered::new(2);
        u.push([1; 32]).unwrap();
        assert!(u.finish(&[0; 32], 2).is_err());
    }
}

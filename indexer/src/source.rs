//! Where blocks come from: the [`BlockSource`] seam between the chain and
//! the indexer, and [`FileSource`], a recorded block stream on disk.
//!
//! A live source (subxt over RPC) implements the same trait; the follower,
//! decoding and storage do not know which one they read.

use scale::{Decode, Encode};
use std::future::Future;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A block's number and hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Encode, Decode)]
pub struct BlockRef {
    pub number: u32,
    pub hash: [u8; 32],
}

/// One `pallet_contracts::Event::ContractEmitted` record, as the chain carries it.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct ContractEvent {
    /// The emitting contract's account id.
    pub contract: [u8; 32],
    /// The event record's topics; the first is the event's signature topic.
    pub topics: Vec<[u8; 32]>,
    /// The SCALE-encoded event.
    pub data: Vec<u8>,
}

/// A finalized block, reduced to what the indexer reads.
#[derive(Clone, Debug, PartialEq, Eq, Encode, Decode)]
pub struct Block {
    pub number: u32,
    pub hash: [u8; 32],
    pub parent_hash: [u8; 32],
    /// `pallet-timestamp`'s value for the block, in ms since the Unix epoch.
    pub timestamp: u64,
    /// The block's `ContractEmitted` events in the order the chain recorded
    /// them (any contract; the indexer keeps those of its two contracts).
    pub events: Vec<ContractEvent>,
}

impl Block {
    pub fn id(&self) -> BlockRef {
        BlockRef {
            number: self.number,
            hash: self.hash,
        }
    }
}

/// A source of **finalized** blocks.
///
/// Implementations must only ever return finalized blocks, so that a block
/// once returned never changes. The follower asks for the head, then for
/// ranges of blocks up to it, and applies them strictly in order; it checks
/// numbers and the parent-hash chain itself. A live source may fetch a
/// range's blocks concurrently. Errors are reported as text: the follower
/// treats them as "the source is away", reports them on `/status` and tries
/// again with back-off ([`crate::follow`]).
///
/// ```text
/// impl BlockSource for RpcSource {
///     async fn finalized_head(&self) -> Result<BlockRef, SourceError> { … }
///     async fn blocks(&self, first: u32, last: u32) -> Result<Vec<Block>, SourceError> { … }
/// }
/// ```
pub trait BlockSource: Send + Sync {
    /// The newest finalized block.
    fn finalized_head(&self) -> impl Future<Output = Result<BlockRef, SourceError>> + Send;

    /// Finalized blocks `first..=last` with their `ContractEmitted` events,
    /// in order. The follower only asks up to a head the source reported;
    /// a source that no longer holds some of them returns fewer (the
    /// blocks before the first missing one).
    fn blocks(
        &self,
        first: u32,
        last: u32,
    ) -> impl Future<Output = Result<Vec<Block>, SourceError>> + Send;
}

/// Why a source could not deliver.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SourceError(pub String);

impl From<std::io::Error> for SourceError {
    fn from(e: std::io::Error) -> Self {
        SourceError(e.to_string())
    }
}

/// A recorded block stream: a file of frames, each a little-endian `u32`
/// length followed by that many bytes of a SCALE-encoded [`Block`], blocks in
/// ascending consecutive numbers. A file that is still being written may end
/// in an incomplete frame, which is ignored until it is complete, so the
/// indexer can follow a file another process appends to.
pub struct FileSource {
    path: PathBuf,
    state: Mutex<FileState>,
}

struct FileState {
    file: std::fs::File,
    /// Byte offset of each complete frame, block `first + i` at index `i`.
    offsets: Vec<u64>,
    /// Where the next (not yet complete) frame starts.
    end: u64,
    first: u32,
    head: Option<BlockRef>,
}

impl FileSource {
    /// Opens a recorded stream and indexes its complete frames.
    pub fn open(path: &Path) -> Result<FileSource, SourceError> {
        let file = std::fs::File::open(path)
            .map_err(|e| SourceError(format!("{}: {e}", path.display())))?;
        let source = FileSource {
            path: path.to_owned(),
            state: Mutex::new(FileState {
                file,
                offsets: Vec::new(),
                end: 0,
                first: 0,
                head: None,
            }),
        };
        source.scan()?;
        Ok(source)
    }

    /// Indexes frames appended since the last scan.
    fn scan(&self) -> Result<Option<BlockRef>, SourceError> {
        let mut st = self.state.lock().expect("file source lock");
        let len = st.file.metadata()?.len();
        while st.end + 4 <= len {
            let at = st.end;
            let frame_len = u64::from(read_u32(&mut st.file, at)?);
            if at + 4 + frame_len > len {
                break;
            }
            let block = read_block(&mut st.file, at)
                .map_err(|e| SourceError(format!("{}: {e}", self.path.display())))?;
            match st.head {
                None => st.first = block.number,
                Some(prev) if block.number != prev.number.wrapping_add(1) => {
                    return Err(SourceError(format!(
                        "{}: block {} follows block {}; a recorded stream must be consecutive",
                        self.path.display(),
                        block.number,
                        prev.number
                    )))
                }
                Some(_) => {}
            }
            st.offsets.push(at);
            st.head = Some(block.id());
            st.end = at + 4 + frame_len;
        }
        Ok(st.head)
    }
}

fn read_u32(file: &mut std::fs::File, at: u64) -> std::io::Result<u32> {
    let mut len = [0u8; 4];
    file.seek(SeekFrom::Start(at))?;
    file.read_exact(&mut len)?;
    Ok(u32::from_le_bytes(len))
}

fn read_block(file: &mut std::fs::File, at: u64) -> Result<Block, String> {
    let len = read_u32(file, at).map_err(|e| e.to_string())?;
    let mut bytes = vec![0u8; len as usize];
    file.read_exact(&mut bytes).map_err(|e| e.to_string())?;
    Block::decode(&mut &bytes[..]).map_err(|e| format!("frame at byte {at}: {e}"))
}

impl BlockSource for FileSource {
    async fn finalized_head(&self) -> Result<BlockRef, SourceError> {
        self.scan()?.ok_or_else(|| {
            SourceError(format!(
                "{}: the recorded stream holds no block yet",
                self.path.display()
            ))
        })
    }

    async fn blocks(&self, first: u32, last: u32) -> Result<Vec<Block>, SourceError> {
        let mut st = self.state.lock().expect("file source lock");
        let Some(from) = first.checked_sub(st.first) else {
            return Ok(Vec::new());
        };
        let offsets: Vec<u64> = st
            .offsets
            .iter()
            .skip(from as usize)
            .take((last.saturating_sub(first) as usize).saturating_add(1))
            .copied()
            .collect();
        offsets
            .into_iter()
            .map(|at| {
                read_block(&mut st.file, at)
                    .map_err(|e| SourceError(format!("{}: {e}", self.path.display())))
            })
            .collect()
    }
}

/// Appends blocks to a recorded stream (see [`FileSource`] for the format).
pub struct FileSink {
    out: std::io::BufWriter<std::fs::File>,
}

impl FileSink {
    /// Creates (or truncates) the file at `path`.
    pub fn create(path: &Path) -> std::io::Result<FileSink> {
        Ok(FileSink {
            out: std::io::BufWriter::new(std::fs::File::create(path)?),
        })
    }

    pub fn append(&mut self, block: &Block) -> std::io::Result<()> {
        let bytes = block.encode();
        let len = u32::try_from(bytes.len())
            .map_err(|_| std::io::Error::other("block larger than 4 GiB"))?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&bytes)
    }

    /// Flushes buffered frames to the file.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(number: u32) -> Block {
        Block {
            number,
            hash: [number as u8; 32],
            parent_hash: [number.wrapping_sub(1) as u8; 32],
            timestamp: 1_000 * u64::from(number),
            events: vec![ContractEvent {
                contract: [9; 32],
                topics: vec![[1; 32]],
                data: vec![number as u8, 2, 3],
            }],
        }
    }

    fn rt() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
    }

    #[test]
    fn recorded_blocks_read_back_by_number_and_a_partial_tail_waits() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");
        let mut sink = FileSink::create(&path).unwrap();
        for n in 5..8 {
            sink.append(&block(n)).unwrap();
        }
        sink.finish().unwrap();
        // Half of a fourth frame, as a writer that is not done yet leaves it.
        let frame = block(8).encode();
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        f.write_all(&(frame.len() as u32).to_le_bytes()).unwrap();
        f.write_all(&frame[..frame.len() / 2]).unwrap();

        let source = FileSource::open(&path).unwrap();
        let rt = rt();
        assert_eq!(rt.block_on(source.finalized_head()).unwrap(), block(7).id());
        assert_eq!(rt.block_on(source.blocks(6, 6)).unwrap(), vec![block(6)]);
        assert_eq!(rt.block_on(source.blocks(4, 4)).unwrap(), vec![]);
        assert_eq!(
            rt.block_on(source.blocks(6, 9)).unwrap(),
            vec![block(6), block(7)],
            "up to the last complete frame"
        );

        f.write_all(&frame[frame.len() / 2..]).unwrap();
        assert_eq!(rt.block_on(source.finalized_head()).unwrap(), block(8).id());
        assert_eq!(
            rt.block_on(source.blocks(5, 8)).unwrap(),
            (5..=8).map(block).collect::<Vec<_>>()
        );
    }

    #[test]
    fn a_gap_in_a_recorded_stream_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("stream");
        let mut sink = FileSink::create(&path).unwrap();
        sink.append(&block(1)).unwrap();
        sink.append(&block(3)).unwrap();
        sink.finish().unwrap();
        let err = FileSource::open(&path).err().expect("gap refused");
        assert!(err.0.contains("block 3 follows block 1"), "{err}");
    }
}

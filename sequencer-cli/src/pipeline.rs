//! Digesting one file: detect, open, decode records on the calling thread, encode and hash
//! chunks of [`CHUNK_RECORDS`] on worker threads, and fold the chunks in file order on a fold
//! thread (on the calling thread when single-threaded).
//!
//! Memory is bounded by the chunks in flight ([`QUEUED_PER_WORKER`] + 1 per worker, each
//! [`CHUNK_RECORDS`] records), the results queued for folding (at most 64 plus the chunks in
//! flight), and the order-independent digest's buffer, whatever the file size.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crossbeam_channel::TrySendError;
use sha2::{Digest, Sha256};

use crate::canonical::{locus, CanonicalHeader, Kind, Scratch, CHUNK_RECORDS};
use crate::digest::{
    chunk_leaf_c2, group_runs, record_prefix, run_prefix, Accumulator, C2Chunk, ChunkDigests,
    Digests,
};
use crate::formats::{
    self, record_error, Batch, Compression, Format, OpenOptions, Opened, RecordEncoder,
    RecordLines, RecordSource, SourceVisitor,
};
use crate::merkle::Hash;
use crate::progress::Progress;
use crate::proof::Region;
use crate::scheme::Scheme;
use crate::sha256x2;
use crate::unordered;

/// Chunks queued for each worker beyond the one it digests. The reading thread digests a chunk
/// itself only when the queue is full, and while it does, the queue keeps the workers busy: with
/// one chunk per worker, a worker finishing during that time waited for the next chunk (2 threads
/// on 2 cores used 1.7 of them).
const QUEUED_PER_WORKER: usize = 4;

#[derive(Clone, Debug)]
pub struct Options {
    pub scheme: Scheme,
    /// Compute the order-independent digest (c2; c1 always computes it).
    pub unordered: bool,
    /// Keep the encodings of every record of this chunk (for `compare`).
    pub capture_chunk: Option<usize>,
    /// Digesting threads: one decodes (and digests chunks when the rest are busy), the rest
    /// encode and hash. With two or more, one more thread folds chunk results in file order.
    pub threads: usize,
    pub open: OpenOptions,
    pub progress: bool,
    /// Keep the encodings of records overlapping this region (for `prove`).
    pub region: Option<Region>,
    pub unordered_budget: usize,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            scheme: Scheme::DEFAULT,
            unordered: false,
            capture_chunk: None,
            threads: 2,
            open: OpenOptions::default(),
            progress: false,
            region: None,
            unordered_budget: unordered::DEFAULT_BUDGET,
        }
    }
}

/// Everything known about one file after digesting it.
#[derive(Clone, Debug)]
pub struct FileReport {
    pub scheme: Scheme,
    pub path: PathBuf,
    pub format: Format,
    pub compression: Compression,
    pub header: CanonicalHeader,
    pub file_size: u64,
    pub file_sha256: Hash,
    pub digests: Digests,
    /// c2: the GA4GH level-0 digest of the header's sequences, when `--reference` holds them all.
    pub level0: Option<String>,
    /// With [`Options::region`]: chunks holding overlapping records, by chunk index.
    pub selected: BTreeMap<usize, SelectedChunk>,
}

impl FileReport {
    pub fn kind(&self) -> Kind {
        self.header.kind
    }
}

/// A chunk with records in the requested region (or the captured chunk). c1: all its record
/// digests, and the encodings of the overlapping records by their offset in the chunk. c2: the
/// encodings of every record of the chunk (its leaf hashes their bytes, not record digests),
/// each record's group number, the groups' names, and which offsets lie in the region.
#[derive(Clone, Debug, Default)]
pub struct SelectedChunk {
    pub record_digests: Vec<Hash>,
    pub records: Vec<(usize, Vec<u8>)>,
    pub in_region: Vec<usize>,
    pub order: Vec<u32>,
    pub group_names: Vec<Vec<u8>>,
}

/// Counts and hashes the file's bytes as the decoder reads them (the file digest).
#[derive(Clone, Default)]
pub struct ByteTap {
    hasher: Arc<Mutex<Sha256>>,
    bytes: Arc<AtomicU64>,
}

impl ByteTap {
    pub fn update(&self, data: &[u8]) {
        self.hasher.lock().expect("tap lock").update(data);
        self.bytes.fetch_add(data.len() as u64, Ordering::Relaxed);
    }

    fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }

    /// Hashes whatever the decoder left unread, and returns the file's SHA-256.
    pub fn finish(self, path: &Path) -> io::Result<Hash> {
        let mut file = File::open(path)?;
        file.seek(SeekFrom::Start(self.bytes()))?;
        let mut rest = Vec::new();
        file.read_to_end(&mut rest)?;
        self.update(&rest);
        let hasher = self.hasher.lock().expect("tap lock").clone();
        Ok(hasher.finalize().into())
    }
}

/// Digests one file. Any decoder panic is reported as corrupt input.
pub fn digest_file(path: &Path, options: &Options) -> io::Result<FileReport> {
    match panic::catch_unwind(AssertUnwindSafe(|| digest_file_inner(path, options))) {
        Ok(result) => result,
        Err(payload) => Err(decoder_panic(&payload)),
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}

fn digest_file_inner(path: &Path, options: &Options) -> io::Result<FileReport> {
    let (format, compression) = formats::detect(path)?;
    let file_size = std::fs::metadata(path)?.len();
    let tap = ByteTap::default();
    let label = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let run = Run {
        options,
        tap: tap.clone(),
        progress: Progress::new(&label, file_size, options.progress),
    };
    let (opened, digests, selected) =
        formats::open(path, format, compression, &options.open, tap.clone(), run)?;
    let file_sha256 = tap.finish(path)?;
    let level0 = match (&opened.header.ga4gh, &options.open.reference) {
        (Some(ga4gh), Some(reference)) if options.scheme == Scheme::C2 => {
            reference_level0(reference, ga4gh)?
        }
        _ => None,
    };
    Ok(FileReport {
        scheme: options.scheme,
        level0,
        path: path.to_owned(),
        format: opened.format,
        compression: opened.compression,
        header: opened.header,
        file_size,
        file_sha256,
        digests,
        selected,
    })
}

/// The level-0 seqcol digest of the header's sequences, from their residues in `reference`;
/// `None` when the reference lacks one of them or has it at another length.
fn reference_level0(reference: &Path, ga4gh: &crate::seqcol::Ga4gh) -> io::Result<Option<String>> {
    let context =
        |e: io::Error| io::Error::new(e.kind(), format!("reference {}: {e}", reference.display()));
    let mut reader = noodles::fasta::io::reader::Builder
        .build_from_path(reference)
        .map_err(context)?;
    let mut found: std::collections::HashMap<String, (u64, String)> = Default::default();
    for record in reader.records() {
        let record = record.map_err(context)?;
        let name = String::from_utf8_lossy(record.name()).into_owned();
        if ga4gh.names.contains(&name) {
            let residues = record.sequence().as_ref();
            found.insert(
                name,
                (
                    residues.len() as u64,
                    crate::seqcol::refget_digest(residues),
                ),
            );
        }
    }
    let sequences: Option<Vec<String>> = ga4gh
        .names
        .iter()
        .zip(&ga4gh.lengths)
        .map(|(name, length)| match found.get(name) {
            Some((len, digest)) if len == length => Some(digest.clone()),
            _ => None,
        })
        .collect();
    Ok(sequences
        .filter(|s| !s.is_empty())
        .map(|s| ga4gh.level0(&s)))
}

struct Run<'a> {
    options: &'a Options,
    tap: ByteTap,
    progress: Progress,
}

type RunOutput = (Opened, Digests, BTreeMap<usize, SelectedChunk>);

/// What a worker returns for one chunk.
struct ChunkResult {
    digests: ChunkDigests,
    /// c1: the region's records.
    selected: Vec<(usize, Vec<u8>)>,
    /// c2: the whole chunk, when it holds region records or is the captured chunk.
    selected_c2: Option<SelectedChunk>,
}

/// A worker's reusable buffers: c1 records are encoded and hashed two at a time; c2 records
/// are encoded one after the other into one stream.
#[derive(Default)]
struct Worker {
    scratch: [Scratch; 2],
    /// `0x00 ‖ kind ‖ encoding`, the bytes of a record digest.
    messages: [Vec<u8>; 2],
    /// c2: the chunk's run prefix and records, each `u32(len) ‖ encoding`.
    stream: Vec<u8>,
    /// c2: each record's bytes in `stream`, length prefix included.
    spans: Vec<(usize, usize)>,
    /// c2: a group's run when the chunk has several.
    copy: Vec<u8>,
}

/// What a chunk's worker is asked for.
#[derive(Clone, Copy)]
struct Job<'a> {
    scheme: Scheme,
    kind: Kind,
    region: Option<&'a Region>,
    capture_chunk: Option<usize>,
    unordered: bool,
    /// Where records sit in a text file, to name a refused record's line.
    lines: Option<RecordLines>,
}

impl Worker {
    /// The SHA-256 of the first `n` (1 or 2) `messages`, two interleaved when `n` is 2.
    fn hash_messages(&self, n: usize) -> [Hash; 2] {
        let [first, second] = &self.messages;
        if n == 2 {
            sha256x2::digest_pair(first, second)
        } else {
            [Sha256::digest(first).into(), [0; 32]]
        }
    }

    fn digest_chunk<E: RecordEncoder>(
        &mut self,
        encoder: &E,
        job: Job<'_>,
        first_record: u64,
        records: &E::Batch,
    ) -> io::Result<ChunkResult> {
        match job.scheme {
            Scheme::C1 => self.digest_chunk_c1(encoder, job, first_record, records),
            Scheme::C2 => self.digest_chunk_c2(encoder, job, first_record, records),
        }
    }

    fn digest_chunk_c2<E: RecordEncoder>(
        &mut self,
        encoder: &E,
        job: Job<'_>,
        first_record: u64,
        records: &E::Batch,
    ) -> io::Result<ChunkResult> {
        let kind = job.kind;
        let capture = job.capture_chunk == Some((first_record / CHUNK_RECORDS as u64) as usize);
        self.stream.clear();
        self.stream.extend_from_slice(&run_prefix(kind));
        self.spans.clear();
        let mut order = Vec::with_capacity(records.len());
        let mut names: Vec<Vec<u8>> = Vec::new();
        let mut in_region = Vec::new();
        for offset in 0..records.len() {
            let record = records.get(offset);
            let start = self.stream.len();
            self.stream.extend_from_slice(&[0; 4]);
            let number = first_record + offset as u64 + 1;
            encoder
                .encode(record, &mut self.scratch[0], &mut self.stream)
                .map_err(|e| record_error(&e, number, job.lines))?;
            let len = u32::try_from(self.stream.len() - start - 4).map_err(|_| {
                record_error(&io::Error::other("record too long"), number, job.lines)
            })?;
            self.stream[start..start + 4].copy_from_slice(&len.to_le_bytes());
            self.spans.push((start, self.stream.len()));
            let name = self.scratch[0].read_group().unwrap_or_default();
            let group = match names.iter().position(|n| n == name) {
                Some(g) => g,
                None => {
                    names.push(name.to_vec());
                    names.len() - 1
                }
            };
            order.push(group as u32);
            if let Some(region) = job.region {
                if locus(kind, &self.stream[start + 4..])?.is_some_and(|l| region.overlaps(&l)) {
                    in_region.push(offset);
                }
            }
        }
        let runs = group_runs(
            kind,
            &self.stream,
            &self.spans,
            &order,
            &names,
            &mut self.copy,
        );
        let leaf = chunk_leaf_c2(kind, &runs, &order);
        let mut digests = ChunkDigests::default();
        if job.unordered {
            for pair in self.spans.chunks(2) {
                for (lane, &(start, end)) in pair.iter().enumerate() {
                    let message = &mut self.messages[lane];
                    message.clear();
                    message.extend_from_slice(&record_prefix(kind));
                    message.extend_from_slice(&self.stream[start + 4..end]);
                }
                let pair_digests = self.hash_messages(pair.len());
                digests
                    .record_digests
                    .extend_from_slice(&pair_digests[..pair.len()]);
            }
        }
        let selected = if capture || !in_region.is_empty() {
            let encodings = self
                .spans
                .iter()
                .enumerate()
                .map(|(offset, &(start, end))| (offset, self.stream[start + 4..end].to_vec()))
                .collect();
            Some(SelectedChunk {
                record_digests: Vec::new(),
                records: encodings,
                in_region,
                order,
                group_names: names,
            })
        } else {
            None
        };
        digests.c2 = Some(C2Chunk {
            records: records.len() as u64,
            leaf,
            runs,
        });
        Ok(ChunkResult {
            digests,
            selected_c2: selected,
            selected: Vec::new(),
        })
    }

    fn digest_chunk_c1<E: RecordEncoder>(
        &mut self,
        encoder: &E,
        job: Job<'_>,
        first_record: u64,
        records: &E::Batch,
    ) -> io::Result<ChunkResult> {
        let (kind, region) = (job.kind, job.region);
        let mut digests = ChunkDigests::default();
        let mut selected = Vec::new();
        for first in (0..records.len()).step_by(2) {
            let pair = first..records.len().min(first + 2);
            for (lane, offset) in pair.clone().enumerate() {
                let record = records.get(offset);
                let message = &mut self.messages[lane];
                message.clear();
                message.extend_from_slice(&record_prefix(kind));
                encoder
                    .encode(record, &mut self.scratch[lane], message)
                    .map_err(|e| record_error(&e, first_record + offset as u64 + 1, job.lines))?;
                if let Some(region) = region {
                    let encoding = &message[2..];
                    if locus(kind, encoding)?.is_some_and(|l| region.overlaps(&l)) {
                        selected.push((offset, encoding.to_vec()));
                    }
                }
            }
            let pair_digests = self.hash_messages(pair.len());
            for (lane, digest) in pair_digests.into_iter().take(pair.len()).enumerate() {
                digests.push(digest, self.scratch[lane].read_group());
            }
        }
        Ok(ChunkResult {
            digests,
            selected,
            selected_c2: None,
        })
    }
}

/// Reads up to a chunk of records, the first numbered `first + 1`, into `batch`. Returns `false`
/// once the source is exhausted. A record that fails to decode (or panics its decoder) is refused
/// by its number and line.
fn fill_batch<S: RecordSource>(
    source: &mut S,
    batch: &mut S::Batch,
    first: u64,
) -> io::Result<bool> {
    let result = panic::catch_unwind(AssertUnwindSafe(|| source.read_batch(batch, CHUNK_RECORDS)))
        .unwrap_or_else(|payload| Err(decoder_panic(&payload)));
    let number = first + batch.len() as u64 + 1;
    result.map_err(|e| record_error(&e, number, source.record_lines()))
}

/// A decoder's panic, as corrupt input.
fn decoder_panic(payload: &Box<dyn std::any::Any + Send>) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidData,
        format!("corrupt input (decoder failed: {})", panic_message(payload)),
    )
}

impl SourceVisitor for Run<'_> {
    type Output = RunOutput;

    fn visit<S: RecordSource>(mut self, opened: Opened, mut source: S) -> io::Result<RunOutput> {
        let kind = opened.header.kind;
        let encoder = source.encoder();
        let options = self.options;
        let job = Job {
            scheme: options.scheme,
            kind,
            region: options.region.as_ref(),
            capture_chunk: options.capture_chunk,
            unordered: options.unordered,
            lines: source.record_lines(),
        };
        let budget =
            (options.scheme == Scheme::C1 || options.unordered).then_some(options.unordered_budget);
        let mut folded = Folded::new(options.scheme, kind, budget);
        let workers = self.options.threads.saturating_sub(1);

        if workers == 0 {
            let mut worker = Worker::default();
            let mut batch = S::Batch::default();
            let mut more = true;
            while more {
                let first = (folded.chunks() * CHUNK_RECORDS) as u64;
                more = fill_batch(&mut source, &mut batch, first)?;
                if !batch.is_empty() {
                    let result = worker.digest_chunk(&encoder, job, first, &batch)?;
                    folded.add(result)?;
                }
                self.progress.update(self.tap.bytes());
            }
        } else {
            folded = std::thread::scope(|scope| -> io::Result<Folded> {
                let (job_tx, job_rx) =
                    crossbeam_channel::bounded::<(usize, S::Batch)>(QUEUED_PER_WORKER * workers);
                let (done_tx, done_rx) = crossbeam_channel::unbounded();
                for _ in 0..workers {
                    let (job_rx, done_tx, encoder) = (job_rx.clone(), done_tx.clone(), &encoder);
                    scope.spawn(move || {
                        let mut worker = Worker::default();
                        for (index, batch) in job_rx {
                            let first = (index * CHUNK_RECORDS) as u64;
                            let result = panic::catch_unwind(AssertUnwindSafe(|| {
                                worker.digest_chunk(encoder, job, first, &batch)
                            }))
                            .unwrap_or_else(|payload| Err(decoder_panic(&payload)));
                            if done_tx.send((index, result, batch)).is_err() {
                                break;
                            }
                        }
                    });
                }
                drop(done_tx);

                // Folding (chunk leaves, read groups, the order-independent digest's sorting
                // and spilling) runs on its own thread, so that a spill never stalls reading.
                // It takes chunk results in file order.
                let (fold_tx, fold_rx) = crossbeam_channel::bounded::<ChunkResult>(64);
                let folder = scope.spawn(move || -> io::Result<Folded> {
                    for result in fold_rx {
                        folded.add(result)?;
                    }
                    Ok(folded)
                });
                let mut in_order = InOrder {
                    waiting: BTreeMap::new(),
                    next: 0,
                    fold: fold_tx,
                };

                // Chunks queued or being digested by workers; beyond this the reading thread
                // digests chunks itself, so every thread stays busy whichever stage is slower.
                let max_in_flight = (QUEUED_PER_WORKER + 1) * workers;
                let mut helper = Worker::default();
                let mut in_flight = 0;
                let mut next_index = 0;
                let mut free: Vec<S::Batch> = Vec::new();
                let mut more = true;
                let read = (|| -> io::Result<()> {
                    while more || in_flight > 0 {
                        // Block for a worker only at the end, or when results pile up behind a
                        // slow chunk; otherwise keep reading.
                        let done = if more && in_order.waiting.len() < max_in_flight {
                            done_rx.try_recv().ok()
                        } else {
                            Some(
                                done_rx
                                    .recv()
                                    .map_err(|_| io::Error::other("workers stopped"))?,
                            )
                        };
                        if let Some((index, result, batch)) = done {
                            in_flight -= 1;
                            free.push(batch);
                            in_order.push(index, result?)?;
                            continue;
                        }
                        let mut batch = free.pop().unwrap_or_default();
                        let first = (next_index * CHUNK_RECORDS) as u64;
                        more = fill_batch(&mut source, &mut batch, first)?;
                        self.progress.update(self.tap.bytes());
                        if batch.is_empty() {
                            continue;
                        }
                        let index = next_index;
                        next_index += 1;
                        let pending = (index, batch);
                        let pending = if in_flight < max_in_flight {
                            match job_tx.try_send(pending) {
                                Ok(()) => {
                                    in_flight += 1;
                                    None
                                }
                                Err(TrySendError::Full(pending)) => Some(pending),
                                Err(TrySendError::Disconnected(_)) => {
                                    return Err(io::Error::other("workers stopped"));
                                }
                            }
                        } else {
                            Some(pending)
                        };
                        if let Some((index, batch)) = pending {
                            let first = (index * CHUNK_RECORDS) as u64;
                            let result = helper.digest_chunk(&encoder, job, first, &batch)?;
                            free.push(batch);
                            in_order.push(index, result)?;
                        }
                    }
                    Ok(())
                })();
                drop(in_order);
                drop(job_tx);
                // A folding error is the cause of "folding stopped"; report it first.
                let folded = folder.join().expect("the fold thread does not panic")?;
                read.map(|()| folded)
            })?;
        }
        let (digests, selected) = folded.finish(&opened.header, self.options.threads)?;
        Ok((opened, digests, selected))
    }
}

/// Hands chunk results to the fold thread in file order, holding back those that arrive early.
struct InOrder {
    waiting: BTreeMap<usize, ChunkResult>,
    next: usize,
    fold: crossbeam_channel::Sender<ChunkResult>,
}

impl InOrder {
    fn push(&mut self, index: usize, result: ChunkResult) -> io::Result<()> {
        self.waiting.insert(index, result);
        while let Some(result) = self.waiting.remove(&self.next) {
            self.fold
                .send(result)
                .map_err(|_| io::Error::other("folding stopped"))?;
            self.next += 1;
        }
        Ok(())
    }
}

/// The in-order fold of chunk results.
struct Folded {
    accumulator: Accumulator,
    chunks: usize,
    selected: BTreeMap<usize, SelectedChunk>,
}

impl Folded {
    fn new(scheme: Scheme, kind: Kind, budget: Option<usize>) -> Self {
        Self {
            accumulator: Accumulator::new(scheme, kind, budget),
            chunks: 0,
            selected: BTreeMap::new(),
        }
    }

    fn chunks(&self) -> usize {
        self.chunks
    }

    fn add(&mut self, result: ChunkResult) -> io::Result<()> {
        self.accumulator.add(&result.digests)?;
        if let Some(chunk) = result.selected_c2 {
            self.selected.insert(self.chunks, chunk);
        } else if !result.selected.is_empty() {
            self.selected.insert(
                self.chunks,
                SelectedChunk {
                    record_digests: result.digests.record_digests,
                    records: result.selected,
                    ..SelectedChunk::default()
                },
            );
        }
        self.chunks += 1;
        Ok(())
    }

    fn finish(
        self,
        header: &CanonicalHeader,
        threads: usize,
    ) -> io::Result<(Digests, BTreeMap<usize, SelectedChunk>)> {
        Ok((self.accumulator.finish(header, threads)?, self.selected))
    }
}

//! Throughput figures of a fresh four-biobank network (BENCHMARKS.md): the
//! largest burst of `register_artifact` transactions the network finalizes
//! per second, sent at once by several biobanks (each registering aliquots
//! under its own sample, counting its nonces from the node's
//! `system_accountNextIndex` before the burst), and the indexer's live lag: from the moment the
//! archive node reports a block finalized to the moment the indexer (default
//! settings) serves it, idle and under the burst.
//!
//! `cargo run -p network-tests --example throughput -- [PER_SIGNER]`
//! (default 50 transactions from each of 4 signers; a few minutes).

use anyhow::{Context, Result};
use bionft_client::chain::{account_of, Chain};
use bionft_client::keys::signer;
use bionft_client::ops::Bionft;
use bionft_primitives::{digest_alg, RecordKind, Role};
use e2e_tests::http::get_json;
use network_tests::{workspace_binary, Network};
use std::collections::{BTreeMap, HashMap};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const SIGNERS: [&str; 4] = ["//Bob", "//Charlie", "//Dave", "//Eve"];

/// A unique commitment per (signer, n).
fn commitment(signer: usize, n: u32) -> [u8; 32] {
    let mut c = [0xa5; 32];
    c[0] = signer as u8;
    c[1..5].copy_from_slice(&n.to_le_bytes());
    c
}

/// First sighting, relative to `start`, of every block number as finalized
/// by the archive node and as served by the indexer, polled every 50 ms.
#[derive(Default)]
struct Sightings {
    finalized: BTreeMap<u32, f64>,
    indexed: BTreeMap<u32, f64>,
}

impl Sightings {
    fn see(map: &mut BTreeMap<u32, f64>, upto: u32, at: f64) {
        let from = map.keys().next_back().map_or(upto, |last| last + 1);
        for n in from..=upto {
            map.entry(n).or_insert(at);
        }
    }

    /// Lags (s) of the blocks first finalized within `window` (seconds since start).
    fn lags(&self, window: std::ops::Range<f64>) -> Vec<f64> {
        self.finalized
            .iter()
            .filter(|(_, at)| window.contains(*at))
            .filter_map(|(n, at)| Some(self.indexed.get(n)? - at))
            .collect()
    }
}

fn summary(mut v: Vec<f64>) -> String {
    if v.is_empty() {
        return "no blocks".into();
    }
    v.sort_by(f64::total_cmp);
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    format!(
        "{} blocks: mean {mean:.2} s, median {:.2} s, p95 {:.2} s, max {:.2} s",
        v.len(),
        v[v.len() / 2],
        v[(v.len() * 95 / 100).min(v.len() - 1)],
        v[v.len() - 1]
    )
}

fn main() -> Result<()> {
    let per_signer: u32 = std::env::args().nth(1).map_or(Ok(50), |a| a.parse())?;
    let rt = tokio::runtime::Runtime::new()?;
    let net = Network::start(4)?;
    let archive = net.rpc_addr(0)?;
    let dir = net.dir().to_path_buf();

    // Deploy; every signer is a biobank with a sample of its own.
    let (bionft, deployment, samples) = rt.block_on(async {
        let chain = Chain::connect(&net.endpoint).await?;
        let banks: Vec<_> = SIGNERS.iter().map(|k| signer(k)).collect::<Result<_>>()?;
        let roles: Vec<_> = banks
            .iter()
            .map(|k| (account_of(k), Role::Biobank))
            .collect();
        let (bionft, deployment) = Bionft::deploy(
            chain,
            &signer("//Alice")?,
            &roles,
            &e2e_tests::built_contracts()?,
        )
        .await?;
        let mut samples = Vec::new();
        for (i, k) in banks.iter().enumerate() {
            let sample = bionft
                .mint_self_consenting(k, commitment(i, u32::MAX), &account_of(k))
                .await?;
            samples.push(sample);
        }
        anyhow::Ok((bionft, deployment, samples))
    })?;
    let deployment_file = dir.join("deployment.json");
    deployment.save(&deployment_file)?;

    // The indexer, with its default settings, following the archive node.
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let indexer_addr: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let mut indexer = Command::new(workspace_binary("bionft-indexer")?)
        .args(["run", "--quiet", "--deployment"])
        .arg(&deployment_file)
        .arg("--db")
        .arg(dir.join("index.sqlite"))
        .args(["--listen", &indexer_addr.to_string()])
        .stdin(Stdio::null())
        .spawn()
        .context("starting bionft-indexer")?;

    // Watch finality and the indexer from here on.
    let start = Instant::now();
    let sightings = Arc::new(Mutex::new(Sightings::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let watcher = {
        let (sightings, stop) = (sightings.clone(), stop.clone());
        std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let finalized = network_tests::rpc::call(
                    archive,
                    "chain_getFinalizedHead",
                    serde_json::json!([]),
                )
                .ok()
                .and_then(|h| network_tests::rpc::header_number(archive, h.as_str()).ok());
                let indexed = get_json(indexer_addr, "/status")
                    .ok()
                    .and_then(|s| s["block"].as_u64());
                let at = start.elapsed().as_secs_f64();
                let mut s = sightings.lock().unwrap();
                if let Some(n) = finalized {
                    Sightings::see(&mut s.finalized, n, at);
                }
                if let Some(n) = indexed {
                    Sightings::see(&mut s.indexed, n as u32, at);
                }
                drop(s);
                std::thread::sleep(Duration::from_millis(50));
            }
        })
    };
    std::thread::sleep(Duration::from_secs(60));
    let idle = 10.0..start.elapsed().as_secs_f64();

    // The burst: every signer sends its transactions back to back, all
    // signers at once; then every one is awaited to finality.
    let total = per_signer as usize * SIGNERS.len();
    let burst_start = start.elapsed().as_secs_f64();
    let sent_at = Instant::now();
    let blocks: Vec<[u8; 32]> = rt.block_on(async {
        let banks: Vec<_> = SIGNERS.iter().map(|k| signer(k)).collect::<Result<_>>()?;
        let nonces = Chain::connect(&net.endpoint).await?;
        let sends = banks.iter().enumerate().map(|(i, k)| {
            let (bionft, sample, nonces) = (&bionft, samples[i], &nonces);
            async move {
                let first = nonces.next_nonce(&account_of(k)).await?;
                let mut pending = Vec::new();
                for n in 0..per_signer {
                    pending.push(
                        bionft
                            .send_register_artifact(
                                k,
                                RecordKind::Aliquot,
                                &[sample],
                                commitment(i, n),
                                digest_alg::SAMPLE_IDENTIFIER,
                                Some(first + u64::from(n)),
                            )
                            .await?,
                    );
                }
                anyhow::Ok(pending)
            }
        });
        let pending: Vec<_> = futures::future::try_join_all(sends)
            .await?
            .into_iter()
            .flatten()
            .collect();
        eprintln!(
            "throughput: {total} transactions sent in {:.1?}",
            sent_at.elapsed()
        );
        let finalized =
            futures::future::try_join_all(pending.into_iter().map(|p| p.finalized())).await?;
        anyhow::Ok(finalized.into_iter().map(|f| f.block_hash).collect())
    })?;
    let burst_secs = sent_at.elapsed().as_secs_f64();
    std::thread::sleep(Duration::from_secs(15));
    let burst = burst_start..start.elapsed().as_secs_f64() - 15.0;
    stop.store(true, Ordering::Relaxed);
    watcher.join().expect("the watcher thread");
    let _ = indexer.kill();

    let mut per_block: HashMap<[u8; 32], usize> = HashMap::new();
    for b in &blocks {
        *per_block.entry(*b).or_default() += 1;
    }
    let fullest = per_block.values().max().copied().unwrap_or(0);
    println!(
        "burst: {total} register_artifact transactions from {} signers, all finalized {burst_secs:.1} s after the first was sent: {:.1} tx/s finalized; {} blocks held them (at most {fullest} in one block)",
        SIGNERS.len(),
        total as f64 / burst_secs,
        per_block.len()
    );
    let sightings = sightings.lock().unwrap();
    println!(
        "indexer live lag (archive node reports finalized → indexer serves it), idle: {}",
        summary(sightings.lags(idle))
    );
    println!(
        "indexer live lag during the burst: {}",
        summary(sightings.lags(burst))
    );
    Ok(())
}

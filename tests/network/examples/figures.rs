//! Figures of a fresh four-biobank network (BENCHMARKS.md): time from
//! `scripts/network.sh start` to the first finalized block, then block time
//! and finality lag as the archive node sees them, over `BLOCKS` blocks.
//!
//! `cargo run -p network-tests --example figures -- [BLOCKS]` (default 100;
//! about six seconds per block).

use network_tests::Network;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The median and the 95th percentile of `v` (sorted in place).
fn median_p95(v: &mut [f64]) -> (f64, f64) {
    v.sort_by(f64::total_cmp);
    (v[v.len() / 2], v[(v.len() * 95 / 100).min(v.len() - 1)])
}

fn main() -> anyhow::Result<()> {
    let blocks: u32 = std::env::args().nth(1).map_or(Ok(100), |a| a.parse())?;
    let started = Instant::now();
    let net = Network::start(4)?;
    let first_final = started.elapsed();
    let (start_best, _) = net.heads(0)?;

    // First sight of each block number as best and as finalized.
    let (mut best_at, mut final_at) = (BTreeMap::new(), BTreeMap::new());
    let watch = Instant::now();
    while final_at.len() < blocks as usize + 1 {
        if let Ok((best, finalized)) = net.heads(0) {
            let now = watch.elapsed().as_secs_f64();
            for n in start_best + 1..=best {
                best_at.entry(n).or_insert(now);
            }
            for n in start_best + 1..=finalized {
                final_at.entry(n).or_insert(now);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut intervals: Vec<f64> = best_at
        .iter()
        .zip(best_at.iter().skip(1))
        .filter(|((_, _), (n, _))| final_at.contains_key(n))
        .map(|((_, a), (_, b))| b - a)
        .collect();
    let mut lags: Vec<f64> = final_at
        .iter()
        .filter_map(|(n, f)| Some(f - best_at.get(n)?))
        .collect();
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let (bt_mean, lag_mean) = (mean(&intervals), mean(&lags));
    let (bt_median, bt_p95) = median_p95(&mut intervals);
    let (lag_median, lag_p95) = median_p95(&mut lags);
    println!("time from start to the first finalized block: {first_final:.1?} (network created, 5 nodes started, runtime compiled in each)");
    println!(
        "block time over {} blocks: mean {bt_mean:.2} s, median {bt_median:.2} s, p95 {bt_p95:.2} s",
        intervals.len()
    );
    println!(
        "finality lag (seen best → seen finalized) over {} blocks: mean {lag_mean:.2} s, median {lag_median:.2} s, p95 {lag_p95:.2} s",
        lags.len()
    );
    Ok(())
}

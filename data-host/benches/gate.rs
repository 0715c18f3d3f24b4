//! What the gate costs: signed htsget ticket requests for a region of a real
//! BAM, through the gate (signature, nonce, the contract's `check_access`
//! on a chopsticks devnet, the session's receipt) and through the same
//! routes and ticket code with no gate, in one run, over loopback HTTP; and
//! the time `record_access` adds to the first request of a session.
//!
//! `cargo bench -p bionft-host --bench gate` (BENCHMARKS.md records the figures).
//! Env: GATE_BENCH_REQUESTS (gated requests, default 400), GATE_BENCH_THREADS
//! (concurrent clients, default 4), GATE_BENCH_SESSIONS (first requests timed, default 8),
//! GATE_BENCH_ENDPOINT (a running chain whose dev accounts are funded, e.g. the four-node
//! network of `scripts/network.sh start`; default: a fresh chopsticks devnet).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::Path;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use bionft_client::chain::{account_of, Chain};
use bionft_client::keys::signer;
use bionft_host::config::{Config, FileConfig};
use bionft_host::gate::{now_ms, Gate};
use bionft_host::htsget::{self, Endpoint};
use bionft_primitives::{digest_alg, duo, salted_commitment, Purpose, RecordKind};
use e2e_tests::devnet::Devnet;
use sequencer_cli::formats::Format;
use sequencer_cli::manifest::FileEntry;
use sequencer_cli::pipeline::{digest_file, Options};
use subxt::utils::AccountId32;
use subxt_signer::sr25519::Keypair;

const SALT: &[u8] = b"benchmark sample: salt kept by the biobank and the subject";
const REGION: &str = "/reads/bam?format=BAM&referenceName=chrM&start=0&end=100";

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The same ticket route with no gate: query parsing and the ticket JSON only.
fn ungated(public_url: String) -> Router {
    Router::new().route(
        "/reads/{id}",
        get(move |Path(id): Path<String>, uri: Uri| {
            let public_url = public_url.clone();
            async move {
                let query = uri.query().unwrap_or("");
                match htsget::parse_query(Endpoint::Reads, Format::Bam, query) {
                    Ok(q) => Json(htsget::ticket(
                        &q.format,
                        &format!("{public_url}/data/{id}"),
                        &Default::default(),
                        q.header_only,
                        serde_json::Value::Null,
                    ))
                    .into_response(),
                    Err(e) => e.into_response(),
                }
            }
        }),
    )
}

async fn serve(app: Router) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    addr
}

/// An HTTP client that returns refusals as statuses, not errors.
fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

/// One signed GET; its latency and status.
fn signed_get(
    agent: &ureq::Agent,
    addr: std::net::SocketAddr,
    key: &Keypair,
    host: &AccountId32,
    nonce: u64,
) -> (Duration, u16) {
    let headers = bionft_host::auth::sign(
        key,
        host,
        "GET",
        REGION,
        "HMB",
        now_ms(),
        &format!("bench-{nonce:016x}"),
    );
    let mut request = agent.get(&format!("http://{addr}{REGION}"));
    for (name, value) in &headers {
        request = request.header(*name, value);
    }
    let started = Instant::now();
    let status = match request.call() {
        Ok(mut response) => {
            let _ = response.body_mut().read_to_vec();
            response.status().as_u16()
        }
        Err(ureq::Error::StatusCode(code)) => code,
        Err(e) => panic!("request failed: {e}"),
    };
    (started.elapsed(), status)
}

struct Figures {
    requests: usize,
    per_second: f64,
    p50: Duration,
    p99: Duration,
}

impl std::fmt::Display for Figures {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:>8.1} req/s  p50 {}  p99 {}  ({} requests)",
            self.per_second,
            ms(self.p50),
            ms(self.p99),
            self.requests
        )
    }
}

/// `requests` signed requests from `threads` clients; every answer must be 200.
fn load(
    addr: std::net::SocketAddr,
    keys: &[Keypair],
    host: &AccountId32,
    requests: usize,
    threads: usize,
    nonce: &Arc<AtomicU64>,
) -> Figures {
    let started = Instant::now();
    let mut latencies: Vec<Duration> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|t| {
                let key = &keys[t % keys.len()];
                let nonce = nonce.clone();
                scope.spawn(move || {
                    let agent = agent();
                    (0..requests / threads)
                        .map(|_| {
                            let (latency, status) = signed_get(
                                &agent,
                                addr,
                                key,
                                host,
                                nonce.fetch_add(1, Ordering::Relaxed),
                            );
                            assert_eq!(status, 200, "every benchmark request is allowed");
                            latency
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap())
            .collect()
    });
    let wall = started.elapsed();
    latencies.sort();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q).ceil() as usize).clamp(1, latencies.len()) - 1]
    };
    Figures {
        requests: latencies.len(),
        per_second: latencies.len() as f64 / wall.as_secs_f64(),
        p50: at(0.50),
        p99: at(0.99),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let requests = env("GATE_BENCH_REQUESTS", 400);
    let threads = env("GATE_BENCH_THREADS", 4);
    let sessions = env("GATE_BENCH_SESSIONS", 8);
    let bam = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/hts-specs/bam_level-1.bam");

    // A devnet with the real contracts: one sample, its BAM, and an HMB grant
    // to each of `sessions` researchers (each one's first request starts a session).
    let devnet = match std::env::var("GATE_BENCH_ENDPOINT") {
        Ok(_) => None,
        Err(_) => Some(Devnet::start().expect("local chain starts")),
    };
    let endpoint = devnet
        .as_ref()
        .map(|d| d.endpoint.clone())
        .unwrap_or_else(|| std::env::var("GATE_BENCH_ENDPOINT").unwrap());
    let chain = Chain::connect(&endpoint).await.unwrap();
    let [bob, charlie, eve] = ["//Bob", "//Charlie", "//Eve"].map(|k| signer(k).unwrap());
    let (b, deployment) = e2e_tests::deploy_dev_cast(chain).await.unwrap();
    let sample = b
        .mint_self_consenting(&bob, salted_commitment(SALT, b"BENCH-1"), &account_of(&eve))
        .await
        .unwrap();
    b.assign_sequencer(&bob, sample, &account_of(&charlie))
        .await
        .unwrap();
    let report = digest_file(&bam, &Options::default()).unwrap();
    let entry = FileEntry::new("bam", &report, Some(SALT), false);
    let commitment: [u8; 32] = hex::decode(entry.commitment.unwrap())
        .unwrap()
        .try_into()
        .unwrap();
    let record = b
        .register_artifact(
            &charlie,
            RecordKind::Alignment,
            &[sample],
            commitment,
            digest_alg::BIONFT_CONTENT_V2,
        )
        .await
        .unwrap();
    let researchers: Vec<Keypair> = (0..sessions.max(1))
        .map(|i| signer(&format!("//BenchResearcher{i}")).unwrap())
        .collect();
    let year = b.chain.now_millis().await.unwrap() + 365 * 86_400_000;
    for r in &researchers {
        b.grant(
            &eve,
            sample,
            &account_of(r),
            sample,
            Purpose::new(duo::HMB),
            year,
        )
        .await
        .unwrap();
    }

    let dir = std::env::temp_dir().join(format!("bionft-host-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    deployment.save(&dir.join("deployment.json")).unwrap();
    // Dave's key: his dev name on the devnet; on a live chain (which refuses
    // dev names) the same account's full secret URI, in an owner-only file.
    let key = if devnet.is_some() {
        "//Dave".to_string()
    } else {
        use std::io::Write;
        use std::os::unix::fs::OpenOptionsExt;
        let path = dir.join("dave.key");
        std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o600)
            .open(&path)
            .and_then(|mut f| writeln!(f, "{}//Dave", subxt_signer::DEV_PHRASE))
            .unwrap();
        path.display().to_string()
    };
    let config = Config {
        endpoint: endpoint.clone(),
        deployment: "deployment.json".into(),
        key,
        listen: "127.0.0.1:0".parse().unwrap(),
        public_url: Some("http://127.0.0.1:0".into()),
        session_secs: 3600,
        ticket_secs: 300,
        max_skew_secs: 60,
        visa_key: None,
        visa_secs: 3600,
        files: vec![FileConfig {
            id: "bam".into(),
            record,
            path: bam.clone(),
            reference: None,
        }],
    }
    .resolved(&dir)
    .unwrap();
    let gate = Arc::new(Gate::open(&config).await.unwrap());
    let host = gate.account();
    let gated_addr = serve(bionft_host::server::router(gate)).await;
    let ungated_addr = serve(ungated("http://127.0.0.1:0".into())).await;
    let nonce = Arc::new(AtomicU64::new(0));

    // The time record_access adds: each researcher's first request (a new
    // session: check_access, then record_access until its block is in)
    // against their second (the session's receipt, check_access only).
    let agent = agent();
    let (mut first, mut second) = (Vec::new(), Vec::new());
    for r in &researchers {
        for times in [&mut first, &mut second] {
            let nonce = nonce.fetch_add(1, Ordering::Relaxed);
            let (t, status) = signed_get(&agent, gated_addr, r, &host, nonce);
            assert_eq!(status, 200);
            times.push(t);
        }
    }
    first.sort();
    second.sort();
    let median = |v: &[Duration]| v[v.len() / 2];

    // Warm both servers, then the loads: gated (sessions already open, so
    // each request is a signature check and one check_access) and ungated.
    load(
        ungated_addr,
        &researchers,
        &host,
        threads * 10,
        threads,
        &nonce,
    );
    let gated = load(gated_addr, &researchers, &host, requests, threads, &nonce);
    let open = load(
        ungated_addr,
        &researchers,
        &host,
        requests * 10,
        threads,
        &nonce,
    );

    let chain_kind = if devnet.is_some() {
        "a chopsticks devnet".to_string()
    } else {
        endpoint.clone()
    };
    println!("gate benchmark: {threads} concurrent clients, signed region requests for a real BAM, loopback HTTP, chain: {chain_kind}");
    println!("  gated:   {gated}");
    println!("  ungated: {open}");
    println!(
        "  the gate's cost: {:.1}x the ungated p99, {:.0}x fewer requests per second",
        gated.p99.as_secs_f64() / open.p99.as_secs_f64(),
        open.per_second / gated.per_second
    );
    println!(
        "  a session's first request (with record_access): median {} (min {}, max {}) over {} sessions; its second: median {}; record_access adds {}",
        ms(median(&first)),
        ms(first[0]),
        ms(*first.last().unwrap()),
        first.len(),
        ms(median(&second)),
        ms(median(&first).saturating_sub(median(&second)))
    );
    std::fs::remove_dir_all(&dir).ok();
}

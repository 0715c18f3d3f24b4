//! The indexer on a chain that goes away, over real JSON-RPC (chopsticks):
//! its API keeps answering while the node is gone, `/status` says so, and
//! it reconnects on its own. Through a proxy it can be cut from the same
//! chain and must resume exactly where it stopped (its database then equals
//! a fresh index of the whole chain); a chopsticks restarted on the same
//! port is a fresh chain, which it waits for while it is below the indexed
//! head and refuses once it has another block there.

use bionft_client::deployment::{Deployed, Deployment};
use e2e_tests::devnet::Devnet;
use e2e_tests::http::{get, get_json};
use e2e_tests::indexer::Indexer;
use serde_json::Value;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn bin(name: &str) -> PathBuf {
    let story = Path::new(env!("CARGO_BIN_EXE_bionft-story"));
    e2e_tests::sibling_binary(story, name).unwrap()
}

/// Has the chain build `count` empty blocks (chopsticks' `dev_newBlock`);
/// returns its new head.
fn new_blocks(devnet: &Devnet, count: u32) -> u32 {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let chain = bionft_client::chain::Chain::connect(&devnet.endpoint)
            .await
            .unwrap();
        let _: Value = chain
            .rpc()
            .request(
                "dev_newBlock",
                subxt::rpcs::rpc_params![serde_json::json!({ "count": count })],
            )
            .await
            .unwrap();
        chain.finalized_head().await.unwrap().0
    })
}

/// A block with a transfer in it: a history no restarted chain repeats by
/// building empty blocks, whatever their timestamps.
fn transfer_block(devnet: &Devnet) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let chain = bionft_client::chain::Chain::connect(&devnet.endpoint)
            .await
            .unwrap();
        let alice = bionft_client::keys::signer("//Alice").unwrap();
        let bob = bionft_client::keys::account("//Bob").unwrap();
        chain.transfer(&alice, &bob, 1_000_000_000).await.unwrap();
    });
}

/// A fresh directory for one test's files.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("bionft-faults-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A deployment file naming `endpoint`; the contracts are never called,
/// the indexer only needs two addresses (it indexes blocks without events):
/// a format 2 file, without the contracts' metadata.
fn deployment(dir: &Path, endpoint: &str) -> PathBuf {
    let path = dir.join("deployment.json");
    Deployment {
        format: 2,
        endpoint: endpoint.into(),
        genesis_hash: String::new(),
        deployed_at_block: Some(1),
        biosample: Deployed {
            address: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
            code_hash: String::new(),
            metadata: None,
        },
        consent: Deployed {
            address: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".into(),
            code_hash: String::new(),
            metadata: None,
        },
    }
    .save(&path)
    .unwrap();
    path
}

/// Polls `/status` until `pred` holds (or fails after a minute, with the last answer).
fn status_until(indexer: &Indexer, what: &str, pred: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let status = get_json(indexer.addr, "/status").expect("the API answers");
        if pred(&status) {
            return status;
        }
        assert!(Instant::now() < deadline, "never {what}: {status}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// A TCP proxy on loopback between the indexer and the node that the test
/// can cut (every connection closed, new ones dropped) and restore.
struct Proxy {
    addr: SocketAddr,
    up: Arc<AtomicBool>,
    live: Arc<Mutex<Vec<TcpStream>>>,
}

impl Proxy {
    fn start(upstream: SocketAddr) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let up = Arc::new(AtomicBool::new(true));
        let live = Arc::new(Mutex::new(Vec::new()));
        let (up2, live2) = (up.clone(), live.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !up2.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes at once
                }
                let Ok(server) = TcpStream::connect(upstream) else {
                    continue;
                };
                let mut live = live2.lock().unwrap();
                live.push(client.try_clone().unwrap());
                live.push(server.try_clone().unwrap());
                pipe(client.try_clone().unwrap(), server.try_clone().unwrap());
                pipe(server, client);
            }
        });
        Proxy { addr, up, live }
    }

    fn cut(&self) {
        self.up.store(false, Ordering::SeqCst);
        for s in self.live.lock().unwrap().drain(..) {
            let _ = s.shutdown(Shutdown::Both);
        }
    }

    fn restore(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

/// Copies `from` to `to` on a thread until either side closes.
fn pipe(mut from: TcpStream, mut to: TcpStream) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 16 * 1024];
        while let Ok(n) = from.read(&mut buf) {
            if n == 0 || to.write_all(&buf[..n]).is_err() {
                break;
            }
        }
        let _ = to.shutdown(Shutdown::Both);
    });
}

fn dump(db: &Path) -> String {
    e2e_tests::indexer::dump(&bin("bionft-indexer"), db).unwrap()
}

/// Fast retries, so that the test waits for the indexer, not its back-off.
const FLAGS: &[&str] = &["--retry-max-secs", "1"];

#[test]
fn cut_from_its_node_the_indexer_keeps_serving_reports_it_and_resumes_where_it_stopped() {
    let devnet = Devnet::start().expect("local chain starts");
    let head = new_blocks(&devnet, 6);
    let proxy = Proxy::start(([127, 0, 0, 1], devnet.port).into());
    let dir = scratch("proxy");
    let db = dir.join("index.sqlite");
    let deployment = deployment(&dir, &format!("ws://{}", proxy.addr));
    let indexer = Indexer::start_with(&bin("bionft-indexer"), &deployment, &db, head, FLAGS)
        .expect("the indexer follows the chain through the proxy");
    let status = status_until(&indexer, "following", |s| {
        s["source"]["state"] == "following"
    });
    assert_eq!(status["source"]["connected"], true, "{status}");
    assert_eq!(status["source"]["last_error"], Value::Null, "{status}");

    proxy.cut();
    let down = status_until(&indexer, "disconnected", |s| {
        s["source"]["state"] == "disconnected"
    });
    assert_eq!(down["source"]["connected"], false, "{down}");
    assert!(
        down["source"]["last_error"]
            .as_str()
            .is_some_and(|e| !e.is_empty()),
        "{down}"
    );
    assert_eq!(down["block"], head, "what is indexed stays served: {down}");
    let (code, body) = get(indexer.addr, "/records/1").unwrap();
    assert_eq!(code, 404, "queries still answer: {body}");

    // The chain goes on while the indexer cannot see it.
    let new_head = new_blocks(&devnet, 5);
    let still = get_json(indexer.addr, "/status").unwrap();
    assert_eq!(
        (still["block"].clone(), still["source"]["state"].clone()),
        (head.into(), "disconnected".into()),
        "{still}"
    );

    proxy.restore();
    let back = status_until(&indexer, "caught up", |s| {
        s["block"] == new_head && s["source"]["state"] == "following"
    });
    assert_eq!(back["source"]["connected"], true, "{back}");
    assert_eq!(back["source"]["lag"], 0, "{back}");
    assert!(
        back["source"]["last_error"].as_str().is_some(),
        "the outage stays on record: {back}"
    );
    drop(indexer);

    // Nothing lost, nothing doubled: the same rows as one uninterrupted run.
    let fresh = dir.join("fresh.sqlite");
    let out = Command::new(bin("bionft-indexer"))
        .args([
            "ingest",
            "--quiet",
            "--rpc",
            &devnet.endpoint,
            "--deployment",
        ])
        .arg(&deployment)
        .arg("--db")
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(dump(&db), dump(&fresh));
}

#[test]
fn a_restarted_chain_is_waited_for_below_the_indexed_head_and_refused_once_it_differs_there() {
    let devnet = Devnet::start().expect("local chain starts");
    transfer_block(&devnet);
    let head = new_blocks(&devnet, 7);
    let port = devnet.port;
    let dir = scratch("restart");
    let db = dir.join("index.sqlite");
    let deployment = deployment(&dir, &devnet.endpoint);
    let indexer = Indexer::start_with(&bin("bionft-indexer"), &deployment, &db, head, FLAGS)
        .expect("the indexer follows the chain");

    drop(devnet); // chopsticks stopped
    let down = status_until(&indexer, "disconnected", |s| {
        s["source"]["state"] == "disconnected"
    });
    assert_eq!(down["block"], head, "{down}");
    assert_eq!(get(indexer.addr, "/records/1").unwrap().0, 404);

    // A chopsticks restart is a fresh chain at genesis, below the indexed head.
    let devnet = Devnet::start_on(port).expect("the chain restarts on its port");
    let waiting = status_until(&indexer, "waiting", |s| s["source"]["state"] == "waiting");
    assert_eq!(
        waiting["source"]["connected"], true,
        "reconnected: {waiting}"
    );
    assert!(
        waiting["source"]["finalized_head"]
            .as_u64()
            .is_some_and(|h| h < u64::from(head)),
        "{waiting}"
    );
    assert_eq!(waiting["block"], head, "{waiting}");

    // Once it is past the indexed head, its block there is not the indexed
    // one (no transfer in its history).
    new_blocks(&devnet, head + 4);
    let refused = status_until(&indexer, "refused", |s| s["source"]["state"] == "refused");
    assert!(
        refused["source"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("Refusing to mix histories")),
        "{refused}"
    );
    assert_eq!(
        refused["block"], head,
        "nothing of the other chain ingested: {refused}"
    );
    assert!(
        refused["source"]["finalized_head"]
            .as_u64()
            .is_some_and(|h| h >= u64::from(head)),
        "{refused}"
    );
    // And it stays refused, whatever the other chain adds.
    let newer = new_blocks(&devnet, 2);
    let later = status_until(&indexer, "rechecked", |s| {
        s["source"]["finalized_head"] == newer
    });
    assert_eq!(
        (later["block"].clone(), later["source"]["state"].clone()),
        (head.into(), "refused".into()),
        "{later}"
    );
}

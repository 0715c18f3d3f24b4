//! Faults on a real four-biobank network, each asserting what users see:
//! two validators down stall finality (the indexer serves exactly the
//! finalized state), their return resumes it and they catch up, a wiped
//! validator resyncs, the indexer and the archive node killed mid-follow
//! come back with exactly the rows of an uninterrupted run, a node of another
//! genesis gets no peers even with a member's identity, and the `bionft` CLI
//! refuses a chain other than its deployment's; and nodes whose owner died
//! without stopping them stop on their own. About 5 minutes of wall time.

use bionft_client::keys::{account, signer};
use bionft_client::ops::Bionft;
use bionft_primitives::Role;
use e2e_tests::http::get_json;
use e2e_tests::indexer::Indexer;
use network_tests::{node_binary, rpc, workspace_binary, Network};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

const MINUTE: Duration = Duration::from_secs(60);

/// An index database's rows (`bionft-indexer dump`): the blocks table's rows,
/// and every table that holds contract facts (the cursor and the blocks
/// depend on how far a run got, since the network never stops).
struct Rows {
    blocks: Vec<String>,
    contract: String,
    samples: usize,
}

fn dump(db: &std::path::Path) -> Rows {
    let text = e2e_tests::indexer::dump(&workspace_binary("bionft-indexer").unwrap(), db).unwrap();
    let mut rows = Rows {
        blocks: Vec::new(),
        contract: String::new(),
        samples: 0,
    };
    let mut table = "";
    for line in text.lines() {
        if let Some(header) = line.strip_prefix("# ") {
            table = header.split_whitespace().next().unwrap_or("");
            if !matches!(table, "meta" | "cursor" | "blocks") {
                rows.contract.push_str(line);
                rows.contract.push('\n');
            }
            continue;
        }
        match table {
            "meta" | "cursor" => {}
            "blocks" => rows.blocks.push(line.to_string()),
            other => {
                rows.samples += usize::from(other == "samples");
                rows.contract.push_str(line);
                rows.contract.push('\n');
            }
        }
    }
    rows
}

/// Peers node `addr` is connected to.
fn peers(addr: std::net::SocketAddr) -> u64 {
    rpc::call(addr, "system_health", serde_json::json!([])).unwrap()["peers"]
        .as_u64()
        .unwrap()
}

/// The network's layout line of node `i`: (p2p port, peer id).
fn p2p_of(net: &Network, i: u32) -> (String, String) {
    let nodes = std::fs::read_to_string(net.dir().join("nodes")).unwrap();
    let f: Vec<String> = nodes
        .lines()
        .map(|l| l.split_whitespace().map(String::from).collect::<Vec<_>>())
        .find(|f| f[0] == i.to_string())
        .unwrap();
    (f[1].clone(), f[3].clone())
}

/// A node of another consortium (same runtime, another endowment, so another
/// genesis) wearing node `i`'s network identity and address.
fn impostor(net: &Network, i: u32, rpc_port: u16) -> Child {
    let consortium = std::fs::read_to_string(net.dir().join("consortium.json")).unwrap();
    let other = net.dir().join("other-consortium.json");
    std::fs::write(
        &other,
        consortium.replace("1000000000000000000", "2000000000000000000"),
    )
    .unwrap();
    let spec = net.dir().join("other.raw.json");
    let out = Command::new(node_binary().unwrap())
        .args(["consortium-spec", "--id", "bionft_local"])
        .arg(&other)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::write(&spec, out.stdout).unwrap();
    let (port, _) = p2p_of(net, i);
    let peers: Vec<String> = (0..=4)
        .filter(|&j| j != i)
        .map(|j| {
            let (p, id) = p2p_of(net, j);
            format!("/ip4/127.0.0.1/tcp/{p}/p2p/{id}")
        })
        .collect();
    let dir = net.dir().join("impostor");
    Command::new(node_binary().unwrap())
        .arg("--chain")
        .arg(&spec)
        .arg("--base-path")
        .arg(&dir)
        .arg("--node-key-file")
        .arg(net.dir().join(format!("biobank-{i}/node.key")))
        .args([
            "--database",
            "paritydb",
            "--no-mdns",
            "--no-prometheus",
            "--no-telemetry",
        ])
        .args(["--reserved-only", "--listen-addr"])
        .arg(format!("/ip4/127.0.0.1/tcp/{port}"))
        .args(["--rpc-port", &rpc_port.to_string(), "--reserved-nodes"])
        .args(&peers)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(net.dir().join("impostor.log")).unwrap())
        .spawn()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn network_faults_on_four_biobanks() {
    let net = Network::start(4).expect("a four-biobank network starts and finalizes");
    let chain = bionft_client::chain::Chain::connect(&net.endpoint)
        .await
        .unwrap();
    let roles = [(account("//Bob").unwrap(), Role::Biobank)];
    let (_, deployment) = Bionft::deploy(
        chain,
        &signer("//Alice").unwrap(),
        &roles,
        &e2e_tests::built_contracts().unwrap(),
    )
    .await
    .expect("the contracts deploy on the network");
    let deployment_file = net.dir().join("deployment.json");
    deployment.save(&deployment_file).unwrap();
    let mut indexer = Indexer::start(
        &workspace_binary("bionft-indexer").unwrap(),
        &deployment_file,
        &net.dir().join("index.sqlite"),
        0,
    )
    .unwrap();

    // Two of four down: no 2/3 majority. Blocks go on (the other two still
    // author in their slots), finality stops, and the indexer, which follows
    // finalized blocks only, serves exactly the last finalized block.
    net.kill(2).unwrap();
    net.kill(3).unwrap();
    std::thread::sleep(Duration::from_secs(15)); // votes in flight land
    let (_, stalled) = net.heads(0).unwrap();
    let (best, finalized) = net
        .wait_until(
            0,
            2 * MINUTE,
            "3 blocks past the stalled finalized head",
            |b, _| b >= stalled + 3,
        )
        .expect("blocks go on with 2 of 4 validators");
    assert_eq!(
        finalized, stalled,
        "finality stalls with 2 of 4 validators (best {best})"
    );
    indexer.wait_for(stalled).unwrap();
    std::thread::sleep(Duration::from_secs(3));
    let status = get_json(indexer.addr, "/status").unwrap();
    assert_eq!(
        status["block"].as_u64(),
        Some(u64::from(stalled)),
        "{status}"
    );

    // Both back: finality resumes past the blocks built meanwhile, and the
    // restarted validators catch up.
    net.restart(2).unwrap();
    net.restart(3).unwrap();
    let (best, _) = net.heads(0).unwrap();
    let (_, resumed) = net
        .wait_until(0, 3 * MINUTE, "finality past the stall", |_, f| f >= best)
        .expect("finality resumes once 4 of 4 validators are back");
    for i in [2, 3] {
        net.wait_until(i, 2 * MINUTE, "the network's finalized head", |_, f| {
            f >= resumed
        })
        .expect("a restarted validator catches up");
    }
    indexer
        .wait_for(resumed)
        .expect("the indexer follows finality again");

    // The indexer and the archive node killed (SIGKILL) mid-follow while the
    // biobank goes on minting through validator 1; both restarted, the
    // indexer resumes on its database and ends with exactly the rows of a
    // fresh run over the same chain: nothing lost, nothing doubled.
    let validator = format!("ws://{}", net.rpc_addr(1).unwrap());
    let chain = bionft_client::chain::Chain::connect(&validator)
        .await
        .unwrap();
    let bionft = Bionft::open(chain, &deployment).await.unwrap();
    let (bob, bob_account) = (signer("//Bob").unwrap(), account("//Bob").unwrap());
    let mint = |n: u8| bionft.mint_self_consenting(&bob, [n; 32], &bob_account);
    mint(1).await.unwrap();
    drop(indexer); // SIGKILL
    net.kill(0).unwrap();
    mint(2).await.unwrap();
    mint(3).await.unwrap();
    net.restart(0).unwrap();
    let (_, at_validator) = net.heads(1).unwrap();
    let (_, head) = net
        .wait_until(0, 2 * MINUTE, "validator 1's finalized head", |_, f| {
            f >= at_validator
        })
        .expect("the archive node catches up");
    let db = net.dir().join("index.sqlite");
    let indexer = Indexer::start(
        &workspace_binary("bionft-indexer").unwrap(),
        &deployment_file,
        &db,
        head,
    )
    .expect("the indexer resumes on its database");
    drop(indexer);
    let fresh = net.dir().join("fresh.sqlite");
    let out = Command::new(workspace_binary("bionft-indexer").unwrap())
        .args(["ingest", "--quiet", "--rpc", &net.endpoint, "--deployment"])
        .arg(&deployment_file)
        .arg("--db")
        .arg(&fresh)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (resumed_rows, fresh_rows) = (dump(&db), dump(&fresh));
    assert_eq!(
        resumed_rows.contract, fresh_rows.contract,
        "the same contract rows"
    );
    assert_eq!(resumed_rows.samples, 3, "the three mints are indexed");
    let last = |rows: &Rows| {
        rows.blocks
            .last()
            .and_then(|r| r.split('\t').next()?.parse::<u32>().ok())
    };
    assert!(
        last(&resumed_rows) >= Some(head),
        "the resumed index reaches block {head}"
    );
    // Both start at the deployment's block; compare what both hold.
    let shorter = resumed_rows.blocks.len().min(fresh_rows.blocks.len());
    assert_eq!(
        resumed_rows.blocks[..shorter],
        fresh_rows.blocks[..shorter],
        "the same blocks, each once"
    );

    // A wiped validator resyncs from its peers.
    net.wipe(4).unwrap();
    let (_, now) = net.heads(0).unwrap();
    net.wait_until(4, 3 * MINUTE, "the network's finalized head", |_, f| {
        f >= now
    })
    .expect("the wiped validator resyncs");

    // Another genesis with a member's identity: nobody peers with it.
    net.kill(4).unwrap();
    let rpc_port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut other = impostor(&net, 4, rpc_port);
    let other_rpc: std::net::SocketAddr = ([127, 0, 0, 1], rpc_port).into();
    let deadline = std::time::Instant::now() + MINUTE;
    while rpc::call(other_rpc, "system_health", serde_json::json!([])).is_err() {
        assert!(
            std::time::Instant::now() < deadline,
            "the other-genesis node starts"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    std::thread::sleep(Duration::from_secs(30));
    assert_eq!(
        peers(other_rpc),
        0,
        "a node of another genesis gets no peers"
    );
    assert_eq!(
        peers(net.rpc_addr(1).unwrap()),
        3,
        "validator 1 peers with 2, 3 and the archive only"
    );

    // The bionft CLI refuses a chain other than the deployment's.
    let out = Command::new(workspace_binary("bionft").unwrap())
        .arg("--endpoint")
        .arg(format!("ws://{other_rpc}"))
        .arg("--deployment")
        .arg(&deployment_file)
        .args(["show", "record", "1"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("the deployment file is for chain"),
        "{err}"
    );
    other.kill().unwrap();
    other.wait().unwrap();

    // The real node 4 comes back and is a peer again (the control for the above).
    net.restart(4).unwrap();
    net.wait_until(4, 2 * MINUTE, "the network's finalized head", |_, f| {
        f >= now
    })
    .unwrap();
    let deadline = std::time::Instant::now() + MINUTE;
    while peers(net.rpc_addr(1).unwrap()) != 4 {
        assert!(
            std::time::Instant::now() < deadline,
            "validator 1 peers with node 4 again"
        );
        std::thread::sleep(Duration::from_secs(1));
    }
}

/// A test process killed before `Drop` ran (its time limit's SIGTERM, Ctrl-C)
/// must not leave nodes running: scripts/watchdog.sh stops them once their
/// owner has exited.
#[test]
fn network_nodes_stop_once_their_owner_has_exited() {
    let mut owner = Command::new("sleep").arg("600").spawn().unwrap();
    let net = Network::start_owned_by(1, owner.id()).expect("a one-biobank network starts");
    let pids: Vec<u32> = ["archive", "biobank-1"]
        .iter()
        .map(|node| {
            let file = net.dir().join(node).join("pid");
            std::fs::read_to_string(&file)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
                .trim()
                .parse()
                .unwrap()
        })
        .collect();
    // Running: the process exists and is not a zombie waiting to be reaped.
    let running = |pid: &u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|stat| {
            stat.rsplit_once(") ")
                .is_some_and(|(_, rest)| !rest.starts_with('Z'))
        })
    };
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        pids.iter().all(running),
        "both nodes run while their owner runs"
    );
    owner.kill().unwrap();
    // Reaped: a zombie would still count as running.
    owner.wait().unwrap();
    // Stopped through `network.sh stop`: the nodes gone, then the watchdog,
    // which ran it, too.
    let watchdog = net.dir().join("watchdog.pid");
    let deadline = std::time::Instant::now() + MINUTE;
    while pids.iter().any(running) || watchdog.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "a minute after their owner exited, nodes {pids:?} run ({}) or the watchdog's pid file remains",
            pids.iter().any(running)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

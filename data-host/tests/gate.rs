//! The gate against a real chain: a fresh chopsticks devnet with the real
//! contracts, real files from `../shared/data`, and the gate's HTTP routes
//! called in process. Every refusal is checked by the contract's reason;
//! the served bytes are checked against the region's proof and the
//! commitment on chain.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::{to_bytes, Body};
use axum::http::{HeaderMap, Request, StatusCode};
use axum::Router;
use bionft_client::chain::{account_of, Chain};
use bionft_client::keys::{account, signer};
use bionft_client::ops::Bionft;
use bionft_host::config::{Config, FileConfig};
use bionft_host::gate::{now_ms, Gate};
use bionft_primitives::{digest_alg, duo, salted_commitment, Purpose, RecordKind, Role};
use e2e_tests::devnet::Devnet;
use sequencer_cli::manifest::FileEntry;
use sequencer_cli::pipeline::{digest_file, Options};
use sequencer_cli::proof::Proof;
use serde_json::Value;
use subxt_signer::sr25519::Keypair;
use tower::ServiceExt;

const SALT: &[u8] = b"sample A: salt kept by the biobank and the subject";
const OTHER_SALT: &[u8] = b"sample B: salt kept by the biobank and its subject";
const DAY: u64 = 86_400_000;

fn shared(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(path)
}

/// `SHA3-256(salt ‖ content digest)`, as `bionft-seq manifest --salt-file` writes it.
fn commitment(path: &Path, salt: &[u8]) -> [u8; 32] {
    let report = digest_file(path, &Options::default()).unwrap();
    let entry = FileEntry::new(&path.display().to_string(), &report, Some(salt), false);
    hex::decode(entry.commitment.unwrap())
        .unwrap()
        .try_into()
        .unwrap()
}

struct Client {
    app: Router,
    host: subxt::utils::AccountId32,
    nonce: AtomicU64,
}

struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    body: Vec<u8>,
}

impl Answer {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&self.body)))
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
    /// The htsget error type and message.
    fn error(&self) -> (String, String) {
        let v = self.json();
        (
            v["htsget"]["error"].as_str().unwrap_or_default().into(),
            v["htsget"]["message"].as_str().unwrap_or_default().into(),
        )
    }
}

impl Client {
    async fn get(&self, target: &str, headers: &[(&str, String)]) -> Answer {
        let mut request = Request::get(target);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let response = self
            .app
            .clone()
            .oneshot(request.body(Body::empty()).unwrap())
            .await
            .unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let body = to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Answer {
            status,
            headers,
            body,
        }
    }

    fn signed(&self, key: &Keypair, target: &str, purpose: &str) -> Vec<(&'static str, String)> {
        let n = self.nonce.fetch_add(1, Ordering::Relaxed);
        bionft_host::auth::sign(
            key,
            &self.host,
            "GET",
            target,
            purpose,
            now_ms(),
            &format!("nonce-{n:08}"),
        )
    }

    /// A ticket request signed by `key`.
    async fn ticket(&self, key: &Keypair, target: &str, purpose: &str) -> Answer {
        let headers = self.signed(key, target, purpose);
        self.get(target, &headers).await
    }

    /// Fetches a ticket's URL with the headers the ticket gives.
    async fn follow(&self, entry: &Value) -> Answer {
        let url = entry["url"].as_str().unwrap();
        let path = url.splitn(4, '/').nth(3).map(|p| format!("/{p}")).unwrap();
        let headers: Vec<(&str, String)> = entry["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| {
                (
                    if k == "Authorization" {
                        "authorization"
                    } else {
                        panic!("unexpected ticket header {k}")
                    },
                    v.as_str().unwrap().to_string(),
                )
            })
            .collect();
        self.get(&path, &headers).await
    }
}

/// Runs the PyPI `htsget` client (installed by `scripts/setup.sh`) for a
/// region of `a-bam` with a bearer token, writing to `out`.
async fn htsget_client(
    addr: std::net::SocketAddr,
    token: &str,
    out: &Path,
) -> std::process::Output {
    let bin = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/htsget-client/bin/htsget");
    assert!(
        bin.exists(),
        "{} is missing: run scripts/setup.sh",
        bin.display()
    );
    let mut command = std::process::Command::new(bin);
    command.args([
        &format!("http://{addr}/reads/a-bam"),
        "--format",
        "BAM",
        "--reference-name",
        "chrM",
        "--start",
        "0",
        "--end",
        "100",
        "--max-retries",
        "0",
        "--bearer-token",
        token,
        "--output",
        out.to_str().unwrap(),
    ]);
    tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap()
}

fn assert_refused(answer: &Answer, status: u16, kind: &str, reason: &str) {
    let (error, message) = answer.error();
    assert_eq!(
        (answer.status.as_u16(), error.as_str()),
        (status, kind),
        "{message}"
    );
    assert!(
        message.contains(reason),
        "the refusal should name {reason}: {message}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_gate_serves_only_what_consent_allows_logs_it_and_proves_it() {
    let devnet = Devnet::start().expect("local chain starts");
    let chain = Chain::connect(&devnet.endpoint).await.unwrap();
    let [alice, bob, charlie, dave, eve, ferdie] = [
        "//Alice",
        "//Bob",
        "//Charlie",
        "//Dave",
        "//Eve",
        "//Ferdie",
    ]
    .map(|k| signer(k).unwrap());
    let other_researcher = signer("//Researcher2").unwrap();
    let (b, deployment) = Bionft::deploy(
        chain,
        &alice,
        &[
            (account_of(&bob), Role::Biobank),
            (account_of(&charlie), Role::Sequencer),
            (account_of(&dave), Role::DataHost),
        ],
        &e2e_tests::built_contracts().unwrap(),
    )
    .await
    .unwrap();

    // Two self-consenting samples: A (subject Eve) and B (another subject),
    // each with a real alignment; A also with real variant calls.
    let sample_a = b
        .mint_self_consenting(&bob, salted_commitment(SALT, b"A-0001"), &account_of(&eve))
        .await
        .unwrap();
    let sample_b = b
        .mint_self_consenting(
            &bob,
            salted_commitment(OTHER_SALT, b"B-0002"),
            &account("//SubjectB").unwrap(),
        )
        .await
        .unwrap();
    for s in [sample_a, sample_b] {
        b.assign_sequencer(&bob, s, &account_of(&charlie))
            .await
            .unwrap();
    }
    let (bam, vcf, other_bam) = (
        shared("hts-specs/bam_level-1.bam"),
        shared("htslib/tabix_vcf_file.vcf"),
        shared("htslib/range.bam"),
    );
    let content = digest_alg::BIONFT_CONTENT_V2;
    let bam_record = b
        .register_artifact(
            &charlie,
            RecordKind::Alignment,
            &[sample_a],
            commitment(&bam, SALT),
            content,
        )
        .await
        .unwrap();
    let vcf_record = b
        .register_artifact(
            &charlie,
            RecordKind::Variants,
            &[bam_record],
            commitment(&vcf, SALT),
            content,
        )
        .await
        .unwrap();
    let other_record = b
        .register_artifact(
            &charlie,
            RecordKind::Alignment,
            &[sample_b],
            commitment(&other_bam, OTHER_SALT),
            content,
        )
        .await
        .unwrap();
    let hmb = Purpose::new(duo::HMB);
    let year = b.chain.now_millis().await.unwrap() + 365 * DAY;
    let grant = b
        .grant(
            &eve,
            sample_a,
            &account_of(&ferdie),
            sample_a,
            hmb.clone(),
            year,
        )
        .await
        .unwrap();

    // The gate, as its operator configures it.
    let dir = std::env::temp_dir().join(format!("bionft-host-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    deployment.save(&dir.join("deployment.json")).unwrap();
    let file = |id: &str, record, path: &Path| FileConfig {
        id: id.into(),
        record,
        path: path.to_path_buf(),
        reference: None,
    };
    // The gate listens on loopback too, for the htsget client below.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let config = Config {
        endpoint: devnet.endpoint.clone(),
        deployment: "deployment.json".into(),
        key: "//Dave".into(),
        listen: addr,
        public_url: None,
        session_secs: 3600,
        ticket_secs: 300,
        max_skew_secs: 60,
        files: vec![
            file("a-bam", bam_record, &bam),
            file("a-vcf", vcf_record, &vcf),
            file("b-bam", other_record, &other_bam),
        ],
    }
    .resolved(&dir)
    .unwrap();
    let gate = Arc::new(Gate::open(&config).await.unwrap());
    let app = bionft_host::server::router(gate);
    let served_app = app.clone();
    tokio::spawn(async move { axum::serve(listener, served_app).await });
    let client = Client {
        app,
        host: account_of(&dave),
        nonce: AtomicU64::new(0),
    };
    let info = client.get("/service-info", &[]).await.json();
    assert_eq!(
        info["account"],
        format!("0x{}", hex::encode(account_of(&dave).0))
    );

    let region = "/reads/a-bam?format=BAM&referenceName=chrM&start=0&end=100";

    // Unsigned: no ticket.
    let unsigned = client.get(region, &[]).await;
    assert_refused(&unsigned, 401, "InvalidAuthentication", "unsigned");

    // Allowed: a ticket, the session's receipt logged on chain.
    let headers = client.signed(&ferdie, region, "HMB");
    let first = client.get(region, &headers).await;
    assert_eq!(
        first.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&first.body)
    );
    assert_eq!(first.header("bionft-session"), Some("new"));
    let receipt: u64 = first.header("bionft-receipt").unwrap().parse().unwrap();
    assert_eq!(
        first.header("bionft-grants"),
        Some(grant.to_string().as_str())
    );
    let ticket = first.json();
    assert_eq!(ticket["htsget"]["format"], "BAM");
    assert_eq!(ticket["bionft"]["receipt"], receipt);
    assert_eq!(ticket["bionft"]["proof"]["region"], "chrM:1-100");

    // The same signed request again is a replay.
    let replay = client.get(region, &headers).await;
    assert_refused(&replay, 401, "InvalidAuthentication", "replayed");
    // A stale signature.
    let stale = bionft_host::auth::sign(
        &ferdie,
        &client.host,
        "GET",
        region,
        "HMB",
        now_ms() - 120_000,
        "nonce-stale-1",
    );
    assert_refused(
        &client.get(region, &stale).await,
        401,
        "InvalidAuthentication",
        "stale",
    );
    // Ferdie claiming to be another researcher: the signature is not theirs.
    let mut impersonation = client.signed(&ferdie, region, "HMB");
    impersonation[0].1 = format!("0x{}", hex::encode(account_of(&other_researcher).0));
    assert_refused(
        &client.get(region, &impersonation).await,
        401,
        "InvalidAuthentication",
        "signature",
    );

    // The next request of the session logs nothing new.
    let again = client.ticket(&ferdie, region, "HMB").await;
    assert_eq!(again.status, StatusCode::OK);
    assert_eq!(again.header("bionft-session"), Some("continued"));
    assert_eq!(
        again.header("bionft-receipt"),
        Some(receipt.to_string().as_str())
    );

    // What was served: the file's bytes, and the region's proof against its
    // Merkle root; that root's content digest is the record's commitment on chain.
    let served = client.follow(&ticket["htsget"]["urls"][0]).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_eq!(served.body, std::fs::read(&bam).unwrap());
    let proof = client.follow(&ticket["bionft"]["proof"]).await;
    assert_eq!(
        proof.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&proof.body)
    );
    let proof: Proof = serde_json::from_slice(&proof.body).unwrap();
    let served_path = dir.join("served.bam");
    std::fs::write(&served_path, &served.body).unwrap();
    let served_report = digest_file(&served_path, &Options::default()).unwrap();
    let proven = proof
        .verify(&served_report.digests.merkle_root)
        .expect("the proof holds against the served file's root");
    assert!(proven > 0 && proven == proof.region_records());
    let on_chain = b
        .get_record(bam_record)
        .await
        .unwrap()
        .unwrap()
        .record
        .commitment;
    assert_eq!(
        salted_commitment(SALT, proof.content_digest.as_bytes()),
        on_chain,
        "the proof's content digest is what the record commits to"
    );
    // A proof does not hold against another root.
    let mut wrong_root = served_report.digests.merkle_root;
    wrong_root[0] ^= 1;
    assert!(proof.verify(&wrong_root).is_err());
    // A data URL needs the ticket's token.
    let no_token = client.get("/data/a-bam", &[]).await;
    assert_refused(&no_token, 401, "InvalidAuthentication", "bearer");

    // An htsget client nobody here wrote (PyPI `htsget`), with an access
    // token from a signed `GET /token`: it follows the ticket to the bytes.
    let token = client.ticket(&ferdie, "/token", "HMB").await.json()["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let fetched = dir.join("htsget-client.bam");
    let ok = htsget_client(addr, &token, &fetched).await;
    assert!(
        ok.status.success(),
        "htsget client: {}",
        String::from_utf8_lossy(&ok.stderr)
    );
    assert_eq!(
        std::fs::read(&fetched).unwrap(),
        std::fs::read(&bam).unwrap()
    );

    // Variants of the same sample: another record, another session and receipt.
    let variants = client
        .ticket(
            &ferdie,
            "/variants/a-vcf?format=VCF&referenceName=1&start=3000000&end=3100000",
            "HMB",
        )
        .await;
    assert_eq!(
        variants.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&variants.body)
    );
    assert_eq!(variants.header("bionft-session"), Some("new"));
    let vcf_receipt: u64 = variants.header("bionft-receipt").unwrap().parse().unwrap();
    assert_ne!(vcf_receipt, receipt);

    // Refusals name the contract's reason.
    let ancestry = client.ticket(&ferdie, region, "POA").await;
    assert_refused(&ancestry, 403, "PermissionDenied", "PurposeNotPermitted");
    let others = client
        .ticket(&ferdie, "/reads/b-bam?format=BAM", "HMB")
        .await;
    assert_refused(&others, 403, "PermissionDenied", "NoGrant");
    let not_a_purpose = client.ticket(&ferdie, region, "HMB+NOPE").await;
    assert_refused(&not_a_purpose, 400, "InvalidInput", "purpose");
    let unknown = client.ticket(&ferdie, "/reads/nothing", "HMB").await;
    assert_refused(&unknown, 404, "NotFound", "nothing");

    // Revoked mid-session: the ticket already issued stops working, and so
    // does the next ticket request. With its only grant revoked, the
    // contract's reason is `NoGrant` (a revoked grant no longer covers it).
    b.revoke(&eve, grant).await.unwrap();
    let after = client.follow(&ticket["htsget"]["urls"][0]).await;
    assert_refused(&after, 403, "PermissionDenied", "NoGrant");
    let after = client.ticket(&ferdie, region, "HMB").await;
    assert_refused(&after, 403, "PermissionDenied", "NoGrant");
    let refused = htsget_client(addr, &token, &dir.join("refused.bam")).await;
    assert!(!refused.status.success());
    assert!(
        // The client reports a 403 without its body.
        String::from_utf8_lossy(&refused.stderr).contains("403"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // A new grant is a new session with its own receipt, until it expires.
    let now = b.chain.now_millis().await.unwrap();
    let short = b
        .grant(
            &eve,
            sample_a,
            &account_of(&ferdie),
            sample_a,
            hmb.clone(),
            now + DAY,
        )
        .await
        .unwrap();
    let renewed = client.ticket(&ferdie, region, "HMB").await;
    assert_eq!(renewed.status, StatusCode::OK);
    assert_eq!(renewed.header("bionft-session"), Some("new"));
    assert_eq!(
        renewed.header("bionft-grants"),
        Some(short.to_string().as_str())
    );
    assert!(
        renewed
            .header("bionft-receipt")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > vcf_receipt
    );
    devnet.time_travel(now + 2 * DAY).unwrap();
    let expired = client.ticket(&ferdie, region, "HMB").await;
    assert_refused(&expired, 403, "PermissionDenied", "GrantExpired");

    // Withdrawn: the subject withdraws the alignment (and the VCF derived from it).
    let now = b.chain.now_millis().await.unwrap();
    b.grant(
        &eve,
        sample_a,
        &account_of(&ferdie),
        sample_a,
        hmb,
        now + 365 * DAY,
    )
    .await
    .unwrap();
    assert_eq!(
        client.ticket(&ferdie, region, "HMB").await.status,
        StatusCode::OK
    );
    b.withdraw(&eve, bam_record).await.unwrap();
    let withdrawn = client.ticket(&ferdie, region, "HMB").await;
    assert_refused(&withdrawn, 403, "PermissionDenied", "RecordWithdrawn");
    let derived = client
        .ticket(&ferdie, "/variants/a-vcf?format=VCF", "HMB")
        .await;
    assert_refused(&derived, 403, "PermissionDenied", "RecordWithdrawn");

    std::fs::remove_dir_all(&dir).ok();
}

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
use bionft_host::config::{Config, FileConfig};
use bionft_host::gate::{now_ms, Gate};
use bionft_primitives::claim::keys::commitment_for_secret;
use bionft_primitives::{digest_alg, duo, salted_commitment, Purpose, RecordKind, YearMonth};
use e2e_tests::devnet::Devnet;
use e2e_tests::story::month_containing;
use sequencer_cli::manifest::FileEntry;
use sequencer_cli::pipeline::{digest_file, Options};
use sequencer_cli::proof::Proof;
use serde_json::Value;
use subxt_signer::sr25519::Keypair;
use tower::ServiceExt;

const SALT: &[u8] = b"sample A: salt kept by the biobank and the subject";
const OTHER_SALT: &[u8] = b"sample B: salt kept by the biobank and its subject";
const NEWBORN_SALT: &[u8] = b"sample C: a newborn's salt, kept by the biobank and the guardians";
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

/// Verifies a visa with PyJWT (PyPI, in the same virtualenv as the htsget
/// client) against the host's JWKS, as a relying party that already speaks
/// GA4GH Passports would; returns the claims.
fn verify_with_pyjwt(visa: &str, jwks: &Value) -> Value {
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/htsget-client/bin/python3");
    let out = std::process::Command::new(python)
        .args([
            "-c",
            "import json, sys, jwt\n\
             jwks = json.loads(sys.argv[2])\n\
             kid = jwt.get_unverified_header(sys.argv[1])['kid']\n\
             key = next(jwt.PyJWK(k) for k in jwks['keys'] if k['kid'] == kid)\n\
             print(json.dumps(jwt.decode(sys.argv[1], key, algorithms=['ES256'], options={'require': ['exp', 'iat', 'iss', 'sub']})))",
            visa,
            &jwks.to_string(),
        ])
        .output()
        .expect("python3 of tests/htsget-client (scripts/setup.sh)");
    assert!(
        out.status.success(),
        "PyJWT refused the visa: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The answer is 200 OK; otherwise the failure shows its body.
fn assert_served(answer: &Answer) {
    assert_eq!(
        answer.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&answer.body)
    );
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
    let [bob, charlie, dave, eve, ferdie] =
        ["//Bob", "//Charlie", "//Dave", "//Eve", "//Ferdie"].map(|k| signer(k).unwrap());
    let other_researcher = signer("//Researcher2").unwrap();
    let (b, deployment) = e2e_tests::deploy_dev_cast(chain).await.unwrap();

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
    let (bam, vcf, bcf, other_bam) = (
        shared("hts-specs/bam_level-1.bam"),
        shared("htslib/tabix_vcf_file.vcf"),
        shared("htslib/tabix_vcf_file.bcf"),
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
    // A newborn (sample C) whose guardian grants the researcher HMB use; its
    // majority comes two months from now, and the grant lapses then.
    let guardian = signer("//GuardianOfC").unwrap();
    let majority = {
        let m = month_containing(b.chain.now_millis().await.unwrap());
        let months = m.year as u32 * 12 + (m.month as u32 - 1) + 2;
        YearMonth {
            year: (months / 12) as u16,
            month: (months % 12 + 1) as u8,
        }
    };
    let sample_c = b
        .mint_sample(
            &bob,
            salted_commitment(NEWBORN_SALT, b"NB-0003"),
            &[account_of(&guardian)],
            commitment_for_secret(b"the claim secret in the guardians' envelope").unwrap(),
            majority,
        )
        .await
        .unwrap();
    b.fund(&bob, &[account_of(&guardian)], e2e_tests::story::FUND)
        .await
        .unwrap();
    b.assign_sequencer(&bob, sample_c, &account_of(&charlie))
        .await
        .unwrap();
    let newborn_record = b
        .register_artifact(
            &charlie,
            RecordKind::Alignment,
            &[sample_c],
            commitment(&other_bam, NEWBORN_SALT),
            content,
        )
        .await
        .unwrap();

    let hmb = Purpose::new(duo::HMB);
    let year = b.chain.now_millis().await.unwrap() + 365 * DAY;
    b.grant(
        &guardian,
        sample_c,
        &account_of(&ferdie),
        sample_c,
        hmb.clone(),
        year,
    )
    .await
    .unwrap();
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
    let visa_key = dir.join("visa.p8");
    std::fs::remove_file(&visa_key).ok(); // left by an earlier run with this pid
    bionft_host::visa::VisaKey::create(&visa_key).unwrap();
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
        visa_key: Some("visa.p8".into()),
        visa_secs: 3600,
        files: vec![
            file("a-bam", bam_record, &bam),
            file("a-vcf", vcf_record, &vcf),
            file("a-bcf", vcf_record, &bcf),
            file("b-bam", other_record, &other_bam),
            file("c-bam", newborn_record, &other_bam),
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
    assert_served(&first);
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

    // What was served: the region's slice by index (every read of this BAM
    // lies in chrM:1-100, so all of them, in new BGZF blocks), and the
    // region's proof against its Merkle root; that root's content digest is
    // the record's commitment on chain.
    assert_eq!(ticket["bionft"]["served"], "the region's index slice");
    let served = client.follow(&ticket["htsget"]["urls"][0]).await;
    assert_eq!(served.status, StatusCode::OK);
    assert_ne!(
        served.body,
        std::fs::read(&bam).unwrap(),
        "re-blocked, not copied"
    );
    let proof = client.follow(&ticket["bionft"]["proof"]).await;
    assert_served(&proof);
    let proof: Proof = serde_json::from_slice(&proof.body).unwrap();
    let served_path = dir.join("served.bam");
    std::fs::write(&served_path, &served.body).unwrap();
    let served_report = digest_file(&served_path, &Options::default()).unwrap();
    let file_report = digest_file(&bam, &Options::default()).unwrap();
    assert_eq!(
        (
            served_report.digests.records,
            &served_report.digests.content_digest
        ),
        (
            file_report.digests.records,
            &file_report.digests.content_digest
        ),
        "the slice holds every record of the file, unchanged"
    );
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
        digest_file(&fetched, &Options::default())
            .unwrap()
            .digests
            .content_digest,
        file_report.digests.content_digest
    );

    // A region with no reads (chr1): a valid BAM with the header and no record.
    let empty = client
        .ticket(
            &ferdie,
            "/reads/a-bam?format=BAM&referenceName=chr1&start=0&end=1000000",
            "HMB",
        )
        .await;
    assert_eq!(empty.status, StatusCode::OK);
    let empty = client.follow(&empty.json()["htsget"]["urls"][0]).await;
    let empty_path = dir.join("empty.bam");
    std::fs::write(&empty_path, &empty.body).unwrap();
    assert_eq!(
        digest_file(&empty_path, &Options::default())
            .unwrap()
            .digests
            .records,
        0
    );
    assert!(empty.body.len() < 2_000, "{} bytes", empty.body.len());

    // The header alone (htsget `class=header`): a valid BAM holding the
    // file's header and no record, in the same session. A header names the
    // read groups and samples, so it is served only as consent allows, like
    // the records.
    let header_only = client
        .ticket(&ferdie, "/reads/a-bam?format=BAM&class=header", "HMB")
        .await;
    assert_served(&header_only);
    assert_eq!(header_only.header("bionft-session"), Some("continued"));
    let header_ticket = header_only.json();
    assert_eq!(header_ticket["bionft"]["served"], "the header");
    assert_eq!(header_ticket["bionft"]["proof"], Value::Null);
    assert_eq!(header_ticket["htsget"]["urls"][0]["class"], "header");
    let header_bytes = client.follow(&header_ticket["htsget"]["urls"][0]).await;
    assert_eq!(header_bytes.status, StatusCode::OK);
    let mut served_header = noodles::bam::io::Reader::new(&header_bytes.body[..]);
    let mut original = noodles::bam::io::Reader::new(std::fs::File::open(&bam).unwrap());
    assert_eq!(
        served_header.read_header().unwrap(),
        original.read_header().unwrap()
    );
    let mut record = noodles::bam::Record::default();
    assert_eq!(
        served_header.read_record(&mut record).unwrap(),
        0,
        "no record"
    );
    // With a region, or for a file served whole: refused before consent is
    // checked or anything is logged.
    let mixed = client
        .ticket(
            &ferdie,
            "/reads/a-bam?format=BAM&class=header&referenceName=chrM",
            "HMB",
        )
        .await;
    assert_refused(&mixed, 400, "InvalidInput", "no other parameter");
    let whole = client
        .ticket(&ferdie, "/variants/a-vcf?format=VCF&class=header", "HMB")
        .await;
    assert_refused(&whole, 400, "InvalidInput", "served whole");

    // Variants of the same sample: another record, another session and receipt.
    let variants = client
        .ticket(
            &ferdie,
            "/variants/a-vcf?format=VCF&referenceName=1&start=3000000&end=3100000",
            "HMB",
        )
        .await;
    assert_served(&variants);
    assert_eq!(variants.header("bionft-session"), Some("new"));
    let vcf_receipt: u64 = variants.header("bionft-receipt").unwrap().parse().unwrap();
    assert_ne!(vcf_receipt, receipt);

    // The same variants as BCF (the same record: the same content), sliced
    // to one chromosome by its index: one of its 15 records.
    let sliced = client
        .ticket(
            &ferdie,
            "/variants/a-bcf?format=BCF&referenceName=2&start=3199000&end=3200000",
            "HMB",
        )
        .await;
    assert_served(&sliced);
    let sliced = client.follow(&sliced.json()["htsget"]["urls"][0]).await;
    let sliced_path = dir.join("sliced.bcf");
    std::fs::write(&sliced_path, &sliced.body).unwrap();
    assert_eq!(
        digest_file(&sliced_path, &Options::default())
            .unwrap()
            .digests
            .records,
        1
    );
    assert_eq!(
        digest_file(&bcf, &Options::default())
            .unwrap()
            .digests
            .records,
        15
    );

    // GA4GH visas: one per file and purpose Ferdie may use now (HMB for A's
    // BAM, the VCF derived from it, and the newborn's BAM), signed ES256,
    // verified by PyJWT with the host's JWKS; nothing for B's BAM.
    let ferdie_ss58 = account_of(&ferdie).to_string();
    let visas_path = format!("/visas/{ferdie_ss58}");
    let jwks = client.get("/.well-known/jwks.json", &[]).await.json();
    let passport = client.ticket(&ferdie, &visas_path, "HMB").await;
    assert_served(&passport);
    let visas: Vec<Value> = passport.json()["ga4gh_passport_v1"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| verify_with_pyjwt(v.as_str().unwrap(), &jwks))
        .collect();
    let base = format!("http://{addr}");
    let mut values: Vec<&str> = visas
        .iter()
        .map(|c| c["ga4gh_visa_v1"]["value"].as_str().unwrap())
        .collect();
    values.sort();
    assert_eq!(
        values,
        [
            format!("{base}/reads/a-bam"),
            format!("{base}/reads/c-bam"),
            format!("{base}/variants/a-bcf"),
            format!("{base}/variants/a-vcf"),
        ]
    );
    for claims in &visas {
        assert_eq!(claims["sub"], ferdie_ss58.as_str());
        assert_eq!(claims["iss"], base.as_str());
        assert_eq!(claims["ga4gh_visa_v1"]["type"], "ControlledAccessGrants");
        assert_eq!(claims["bionft"]["purpose"], "HMB");
        let exp = claims["exp"].as_u64().unwrap();
        let iat = claims["iat"].as_u64().unwrap();
        assert!(exp > iat && exp <= iat + 3600, "exp {exp}, iat {iat}");
    }
    let a_bam_visa = visas
        .iter()
        .find(|c| c["bionft"]["record"] == bam_record as u64)
        .unwrap();
    assert_eq!(
        a_bam_visa["bionft"]["grants"],
        serde_json::json!([grant as u64])
    );
    // Only the account itself may fetch its visas; an unsigned request, none.
    let snooping = client.ticket(&other_researcher, &visas_path, "HMB").await;
    assert_refused(&snooping, 403, "PermissionDenied", "own account");
    let unsigned = client.get(&visas_path, &[]).await;
    assert_refused(&unsigned, 401, "InvalidAuthentication", "unsigned");
    let not_an_account = client.ticket(&ferdie, "/visas/not-an-account", "HMB").await;
    assert_refused(&not_an_account, 400, "InvalidInput", "account");
    // A visa altered after signing is refused by the relying party.
    let original = passport.json()["ga4gh_passport_v1"][0]
        .as_str()
        .unwrap()
        .to_string();
    let tampered = {
        let mut parts: Vec<String> = original.split('.').map(String::from).collect();
        use base64::Engine;
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: Value = serde_json::from_slice(&b64.decode(&parts[1]).unwrap()).unwrap();
        claims["sub"] = Value::from(account_of(&other_researcher).to_string());
        parts[1] = b64.encode(claims.to_string());
        parts.join(".")
    };
    let python = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/htsget-client/bin/python3");
    let forged = std::process::Command::new(python)
        .args([
            "-c",
            "import json, sys, jwt\n\
             key = jwt.PyJWK(json.loads(sys.argv[2])['keys'][0])\n\
             jwt.decode(sys.argv[1], key, algorithms=['ES256'])",
            &tampered,
            &jwks.to_string(),
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&forged.stderr).contains("InvalidSignatureError"),
        "{}",
        String::from_utf8_lossy(&forged.stderr)
    );

    // Refusals name the contract's reason.
    let ancestry = client.ticket(&ferdie, region, "POA").await;
    assert_refused(&ancestry, 403, "PermissionDenied", "PurposeNotPermitted");
    let others = client
        .ticket(&ferdie, "/reads/b-bam?format=BAM", "HMB")
        .await;
    assert_refused(&others, 403, "PermissionDenied", "NoGrant");
    let others_header = client
        .ticket(&ferdie, "/reads/b-bam?format=BAM&class=header", "HMB")
        .await;
    assert_refused(&others_header, 403, "PermissionDenied", "NoGrant");
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
    let after = client.follow(&header_ticket["htsget"]["urls"][0]).await;
    assert_refused(&after, 403, "PermissionDenied", "NoGrant");
    let after = client
        .ticket(&ferdie, "/reads/a-bam?format=BAM&class=header", "HMB")
        .await;
    assert_refused(&after, 403, "PermissionDenied", "NoGrant");
    let passport = client.ticket(&ferdie, &visas_path, "HMB").await.json();
    let left: Vec<Value> = passport["ga4gh_passport_v1"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| verify_with_pyjwt(v.as_str().unwrap(), &jwks))
        .collect();
    assert_eq!(left.len(), 1, "only the newborn's visa is left: {left:?}");
    assert_eq!(left[0]["bionft"]["record"], newborn_record as u64);
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

    // Majority: the newborn's guardian's grant serves until the subject's
    // majority month, and lapses then (the grown-up subject did not confirm it).
    let newborn = "/reads/c-bam?format=BAM";
    let before = client.ticket(&ferdie, newborn, "HMB").await;
    assert_served(&before);
    devnet.time_travel(majority.start_millis() + DAY).unwrap();
    let lapsed = client.ticket(&ferdie, newborn, "HMB").await;
    assert_refused(&lapsed, 403, "PermissionDenied", "LapsedAtMajority");
    let passport = client.ticket(&ferdie, &visas_path, "HMB").await.json();
    assert_eq!(passport["ga4gh_passport_v1"], serde_json::json!([]));

    std::fs::remove_dir_all(&dir).ok();
}

//! The BioNFT v2 story over real JSON-RPC against a local chain (chopsticks
//! serving the committed dev spec), with the real contracts and real files;
//! then the `bionft` command line against the same chain, as users run it:
//! per-sample guardian keys, the two-factor majority claim (with chopsticks'
//! time travel to reach the majority month), pause, and an upgrade; then the
//! indexer following it all.
//!
//! The assertions under "The indexer follows the chain" read the indexer's v2
//! answers (joint records, `grants` lists): they need the indexer that
//! follows v2 events.

use bionft_primitives::{AccessDenied, YearMonth};
use e2e_tests::devnet::Devnet;
use e2e_tests::http::get_json;
use e2e_tests::story::{self, Inputs};
use std::process::Command;

/// A binary of this build beside `bionft-story`.
fn bin(name: &str) -> std::path::PathBuf {
    let story = std::path::Path::new(env!("CARGO_BIN_EXE_bionft-story"));
    e2e_tests::sibling_binary(story, name).unwrap()
}

fn bionft(devnet: &Devnet, deployment: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(bin("bionft"))
        .args([
            "--endpoint",
            &devnet.endpoint,
            "--deployment",
            deployment.to_str().unwrap(),
        ])
        .args(args)
        .output()
        .expect("the bionft binary runs");
    captured(&out)
}

/// Exit code, stdout and stderr of a finished command.
fn captured(out: &std::process::Output) -> (i32, String, String) {
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

fn json(out: &str) -> serde_json::Value {
    serde_json::from_str(out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
}

fn month(m: YearMonth) -> String {
    format!("{:04}-{:02}", m.year, m.month)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_story_runs_over_rpc_and_the_cli_names_refusals() {
    let devnet = Devnet::start().expect("local chain starts");
    let outcome = story::run(&devnet.endpoint, &Inputs::default_shared(), |line| {
        eprintln!("story: {line}")
    })
    .await
    .expect("story");
    assert_eq!(
        outcome.denied_for_ancestry,
        AccessDenied::PurposeNotPermitted
    );
    assert_eq!(
        outcome.denied_without_father,
        AccessDenied::NoGrant,
        "a joint record needs a grant from every contributing sample"
    );
    assert_eq!(outcome.grants.len(), 3);
    assert!(
        outcome.sample < outcome.mother_sample
            && outcome.mother_sample < outcome.father_sample
            && outcome.aliquot < outcome.run
            && outcome.bam < outcome.vcf
            && outcome.father_bam < outcome.vcf
    );

    let dir = std::env::temp_dir().join(format!("bionft-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deployment = dir.join("deployment.json");
    outcome.deployment.save(&deployment).unwrap();
    let cli = |args: &[&str]| bionft(&devnet, &deployment, args);
    let newborn_salt = dir.join("newborn-salt");
    std::fs::write(&newborn_salt, story::NEWBORN_SALT).unwrap();
    let newborn_salt = newborn_salt.to_str().unwrap().to_string();

    // Reads through the CLI agree with what the story registered: the joint VCF's parents and samples.
    let (code, out, err) = cli(&["--json", "show", "record", &outcome.vcf.to_string()]);
    assert_eq!(code, 0, "{err}");
    let record = json(&out);
    assert_eq!(
        record["parents"],
        serde_json::json!([
            outcome.bam.to_string(),
            outcome.bam2.to_string(),
            outcome.mother_bam.to_string(),
            outcome.father_bam.to_string()
        ])
    );
    assert_eq!(
        record["samples"],
        serde_json::json!([
            outcome.sample.to_string(),
            outcome.mother_sample.to_string(),
            outcome.father_sample.to_string()
        ])
    );
    assert_eq!(record["status"], "active");
    // The newborn's guardians on chain are per-sample keys, never the parents' own accounts.
    let (code, out, err) = cli(&["--json", "show", "sample", &outcome.sample.to_string()]);
    assert_eq!(code, 0, "{err}");
    let sample = json(&out);
    let guardians = sample["guardians"].to_string();
    for own in [story::MOTHER_KEY, story::FATHER_KEY] {
        let own = bionft_client::keys::account(own).unwrap().to_string();
        assert!(!guardians.contains(&own), "{own} on chain: {guardians}");
    }
    let (code, out, err) = cli(&[
        "--json",
        "guardian",
        "account",
        "--dev",
        "--key",
        story::MOTHER_KEY,
        "--sample-salt-file",
        &newborn_salt,
    ]);
    assert_eq!(code, 0, "{err}");
    let mother_for_newborn = json(&out)["account"].as_str().unwrap().to_string();
    assert!(
        guardians.contains(&mother_for_newborn),
        "the mother's per-sample key is a guardian: {guardians}"
    );
    assert_eq!(sample["majority"], month(outcome.majority));

    // check: exit 0 when allowed, naming one grant per contributing sample; 1 when denied.
    let vcf = outcome.vcf.to_string();
    let check = |record: &str, purpose: &str| {
        let (code, out, _) = cli(&[
            "--json",
            "host",
            "check",
            "--grantee",
            "//Ferdie",
            "--record",
            record,
            "--purpose",
            purpose,
        ]);
        (code, json(&out))
    };
    let (code, out, _) = cli(&[
        "host",
        "check",
        "--grantee",
        "//Ferdie",
        "--record",
        &vcf,
        "--purpose",
        "DS:4989",
    ]);
    assert_eq!(code, 0);
    let ids: Vec<String> = outcome.grants.iter().map(u128::to_string).collect();
    assert!(out.contains(&format!("grants {}", ids.join(", "))), "{out}");
    let (code, answer) = check(&vcf, "DS:4989");
    assert_eq!((code, &answer["grants"]), (0, &serde_json::json!(ids)));
    let (code, answer) = check(&vcf, "POA");
    assert_eq!(
        (code, answer["reason"].as_str()),
        (1, Some("PurposeNotPermitted"))
    );

    // The data host logs a second access through the CLI: by grantee, no grant id.
    let (code, out, err) = cli(&[
        "--json",
        "host",
        "record-access",
        "--key",
        "//Dave",
        "--grantee",
        "//Ferdie",
        "--record",
        &vcf,
        "--purpose",
        "HMB",
    ]);
    assert_eq!(code, 0, "{err}");
    let receipt = json(&out)["receipt"].as_u64().unwrap();
    assert!(receipt > outcome.receipt);

    // Keys stay off the command line. Dave's key as a secret URI (the public dev phrase
    // with a junction: no dev name), first in a file only its owner can read.
    let dave_uri = "bottom drive obey lake curtain smoke basket hold race lonely fit walk//Dave";
    let key_file = dir.join("dave.key");
    std::fs::write(&key_file, dave_uri).unwrap();
    let key_path = key_file.to_str().unwrap();
    let access = |key: Option<&str>, env: Option<&str>| {
        let mut cmd = Command::new(bin("bionft"));
        cmd.args([
            "--endpoint",
            &devnet.endpoint,
            "--deployment",
            deployment.to_str().unwrap(),
        ])
        .args([
            "--json",
            "host",
            "record-access",
            "--grantee",
            "//Ferdie",
            "--record",
            &vcf,
            "--purpose",
            "HMB",
        ])
        .env_remove("BIONFT_KEY")
        .stdin(std::process::Stdio::null());
        if let Some(k) = key {
            cmd.args(["--key", k]);
        }
        if let Some(e) = env {
            cmd.env("BIONFT_KEY", e);
        }
        captured(&cmd.output().unwrap())
    };
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o644)).unwrap();
    let (code, out, err) = access(Some(key_path), None);
    assert!(
        code == 2 && err.contains("chmod 600"),
        "a readable key file is refused: {err}"
    );
    std::fs::set_permissions(&key_file, std::fs::Permissions::from_mode(0o600)).unwrap();
    let (code, out2, err) = access(Some(key_path), None);
    assert_eq!(code, 0, "{err}");
    let from_file = json(&out2)["receipt"].as_u64().unwrap();
    assert!(from_file > receipt, "{out} then {out2}");
    let (code, out, err) = access(None, Some(dave_uri));
    assert_eq!(code, 0, "BIONFT_KEY: {err}");
    assert!(json(&out)["receipt"].as_u64().unwrap() > from_file);
    let (code, out, err) = access(Some(dave_uri), None);
    assert_eq!(code, 2);
    assert!(err.contains("not a secret"), "{err}");
    assert!(
        !out.contains("bottom") && !err.contains("bottom"),
        "the secret is echoed: {out} {err}"
    );
    let (code, _, err) = access(None, None);
    assert!(
        code == 2 && err.contains("no key"),
        "no key, no terminal: {err}"
    );

    // An installed `bionft`: a copy of the binary run from an empty directory, with only
    // the deployment file (its endpoint and the contracts' metadata) and no --endpoint.
    let elsewhere = dir.join("installed");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let installed = elsewhere.join("bionft");
    std::fs::copy(bin("bionft"), &installed).unwrap();
    let out = Command::new(&installed)
        .current_dir(&elsewhere)
        .env_remove("BIONFT_ENDPOINT")
        .args([
            "--deployment",
            deployment.to_str().unwrap(),
            "show",
            "record",
            &vcf,
        ])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.starts_with(&format!("record {vcf}: variants, active"))
            && text.contains("registered 20"),
        "kinds and states spelled as the indexer spells them, dates in ISO 8601: {text}"
    );

    // `bionft deploy` itself: a second pair of contracts from the built bundles, whose
    // deployment file alone then serves the other commands.
    let second = dir.join("second.json");
    let contracts = e2e_tests::contracts_dir();
    let out = Command::new(bin("bionft"))
        .args([
            "--endpoint",
            &devnet.endpoint,
            "--deployment",
            second.to_str().unwrap(),
        ])
        .args([
            "--json",
            "deploy",
            "--key",
            "//Alice",
            "--data-host",
            "//Dave",
            "--contracts",
        ])
        .arg(&contracts)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let deployed = json(&String::from_utf8_lossy(&out.stdout));
    assert_ne!(
        deployed["biosample"],
        outcome.deployment.biosample.address.as_str()
    );
    let out = Command::new(&installed)
        .current_dir(&elsewhere)
        .args(["--deployment", second.to_str().unwrap(), "--json"])
        .args([
            "host",
            "check",
            "--grantee",
            "//Ferdie",
            "--record",
            "1",
            "--purpose",
            "HMB",
        ])
        .output()
        .unwrap();
    let answer = json(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(
        (out.status.code(), answer["reason"].as_str()),
        (Some(1), Some("UnknownRecord")),
        "the new, empty deployment answers: {answer}"
    );

    // A contract refusal is the contract's own error name, exit 1, and nothing is submitted.
    let (code, _, err) = cli(&[
        "biobank",
        "mint",
        "--key",
        "//Ferdie",
        "--commitment",
        &format!("0x{}", "11".repeat(32)),
        "--guardian",
        "//Eve",
        "--claim-commitment",
        &format!("0x{}", "22".repeat(32)),
        "--majority",
        "2045-01",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("NotBiobank"), "{err}");

    // The mother's own account is nobody on chain; her per-sample key revokes.
    let grant = outcome.grant.to_string();
    let (code, _, err) = cli(&[
        "guardian",
        "revoke",
        "--key",
        story::MOTHER_KEY,
        "--own-key",
        "--grant",
        &grant,
    ]);
    assert_eq!(code, 1, "{err}");
    let (code, _, err) = cli(&[
        "guardian",
        "revoke",
        "--key",
        story::MOTHER_KEY,
        "--sample-salt-file",
        &newborn_salt,
        "--grant",
        &grant,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, answer) = check(&vcf, "HMB");
    assert_eq!(
        (code, answer["reason"].as_str()),
        (1, Some("NoGrant")),
        "{answer}"
    );

    // Bad input is an error (exit 2), not a refusal.
    let (code, _, err) = cli(&[
        "host",
        "check",
        "--grantee",
        "nobody",
        "--record",
        &vcf,
        "--purpose",
        "HMB",
    ]);
    assert_eq!(code, 2, "{err}");

    // Governance pauses every write; reads go on; resume.
    let (code, _, err) = cli(&["governance", "pause", "--key", "//Alice"]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = cli(&[
        "guardian",
        "grant",
        "--key",
        story::MOTHER_KEY,
        "--sample-salt-file",
        &newborn_salt,
        "--sample",
        &outcome.sample.to_string(),
        "--grantee",
        "//Ferdie",
        "--purpose",
        "HMB",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Paused"), "{err}");
    assert_eq!(check(&vcf, "HMB").0, 1, "reads go on while paused");
    let (code, _, err) = cli(&["governance", "resume", "--key", "//Alice"]);
    assert_eq!(code, 0, "{err}");

    // The lab's own hand-off: `bionft-seq manifest` then `bionft-seq submit`.
    let seq = |args: &[&str]| {
        let out = Command::new(bin("bionft-seq"))
            .args(args)
            .output()
            .expect("bionft-seq runs");
        captured(&out)
    };
    let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let submit = |manifest: &std::path::Path, parent: u128| {
        seq(&[
            "submit",
            manifest.to_str().unwrap(),
            "--parent",
            &parent.to_string(),
            "--key",
            "//Charlie",
            "--endpoint",
            &devnet.endpoint,
            "--deployment",
            deployment.to_str().unwrap(),
            "--json",
        ])
    };
    // The BCF holds the same variants as the registered VCF: refused before anything is submitted.
    let bcf_manifest = dir.join("bcf.json");
    let bcf = data.join("htslib/tabix_vcf_file.bcf");
    let (code, _, err) = seq(&[
        "manifest",
        bcf.to_str().unwrap(),
        "--salt-file",
        &newborn_salt,
        "-o",
        bcf_manifest.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = submit(&bcf_manifest, outcome.bam);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("already registered as record {}", outcome.vcf)),
        "{err}"
    );
    // New reads from the same run register, once (Charlie is assigned to the sample).
    let reads_manifest = dir.join("reads.json");
    let r1 = data.join("seqkit/reads_2.fq.gz");
    let (code, _, err) = seq(&[
        "manifest",
        r1.to_str().unwrap(),
        "--salt-file",
        &newborn_salt,
        "-o",
        reads_manifest.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = submit(&reads_manifest, outcome.run);
    assert_eq!(code, 0, "{err}");
    let registered: serde_json::Value = serde_json::from_str(&out).unwrap();
    let new_reads: u128 = registered[0]["record"].as_str().unwrap().parse().unwrap();
    assert!(new_reads > outcome.vcf, "{out}");
    let (code, _, err) = submit(&reads_manifest, outcome.run);
    assert_eq!(code, 1, "a second submit is refused: {err}");

    // The majority claim needs two factors: the claim secret the guardians generated,
    // and the custodian's attestation of the claimant. A fresh sample, minted through
    // the CLI with next month as its majority; the chain then travels there.
    let chain = bionft_client::chain::Chain::connect(&devnet.endpoint)
        .await
        .unwrap();
    let salt = dir.join("claim-sample-salt");
    std::fs::write(&salt, b"salt of the claim test's sample, 32+ bytes").unwrap();
    let salt = salt.to_str().unwrap().to_string();
    let barcode = dir.join("barcode");
    std::fs::write(&barcode, b"NB-2026-000999").unwrap();
    let secret = dir.join("claim-secret");
    let (code, out, err) = cli(&[
        "--json",
        "guardian",
        "claim-secret",
        "--out",
        secret.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let claim_commitment = json(&out)["claim_commitment"].as_str().unwrap().to_string();
    let guardian = ["--key", "//Eve", "--sample-salt-file", &salt];
    let (code, out, err) = cli(&[
        &["--json", "guardian", "account", "--dev"][..],
        &guardian[..],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    let eve_for_sample = json(&out)["account"].as_str().unwrap().to_string();
    let majority = story::next_month(story::month_containing(chain.now_millis().await.unwrap()));
    let (code, out, err) = cli(&[
        "--json",
        "biobank",
        "mint",
        "--key",
        "//Bob",
        "--identifier-file",
        barcode.to_str().unwrap(),
        "--salt-file",
        &salt,
        "--guardian",
        &eve_for_sample,
        "--claim-commitment",
        &claim_commitment,
        "--majority",
        &month(majority),
    ]);
    assert_eq!(code, 0, "{err}");
    let young = json(&out)["sample"].as_str().unwrap().to_string();
    let child = "//BioNFT-e2e-child";
    let alice = bionft_client::keys::signer("//Alice").unwrap();
    chain
        .transfer(
            &alice,
            &bionft_client::keys::account(child).unwrap(),
            1_000_000_000_000_000,
        )
        .await
        .unwrap();
    let claim = |key: &[&str], secret: &std::path::Path| {
        cli(&[
            &["subject", "claim"][..],
            key,
            &[
                "--sample",
                &young,
                "--secret-file",
                secret.to_str().unwrap(),
            ][..],
        ]
        .concat())
    };
    // Before the majority month nobody can claim, and the biobank cannot attest.
    let (code, _, err) = claim(&guardian, &secret);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("MajorityNotReached"), "{err}");
    let attest = |claimant: &str| {
        cli(&[
            "biobank",
            "attest",
            "--key",
            "//Bob",
            "--sample",
            &young,
            "--claimant",
            claimant,
        ])
    };
    let (code, _, err) = attest(child);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("MajorityNotReached"), "{err}");
    // A guardian grant before the majority month.
    let (code, out, err) = cli(&[
        &["--json", "guardian", "grant"][..],
        &guardian[..],
        &[
            "--sample",
            &young,
            "--grantee",
            "//Ferdie",
            "--purpose",
            "GRU",
        ][..],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    let guardian_grant = json(&out)["grant"].as_str().unwrap().to_string();
    assert_eq!(
        check(&young, "HMB").0,
        0,
        "the guardians' GRU grant covers HMB"
    );

    // Guardianship with the consent of the affected: a guardian nominates, the custodian
    // approves on a hashed document; later it removes on a court order, and the removed
    // guardian's grants stop counting.
    let father = ["--key", story::FATHER_KEY, "--sample-salt-file", &salt];
    let (code, out, err) =
        cli(&[&["--json", "guardian", "account", "--dev"][..], &father[..]].concat());
    assert_eq!(code, 0, "{err}");
    let father_for_sample = json(&out)["account"].as_str().unwrap().to_string();
    let (code, _, err) = cli(&[
        &["guardian", "nominate"][..],
        &guardian[..],
        &["--sample", &young, "--nominee", &father_for_sample][..],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    let document = dir.join("birth-certificate.pdf");
    std::fs::write(&document, b"birth certificate naming the father").unwrap();
    let (code, out, err) = cli(&[
        "--json",
        "biobank",
        "approve-guardian",
        "--key",
        "//Bob",
        "--sample",
        &young,
        "--nominee",
        &father_for_sample,
        "--reason-file",
        document.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(json(&out)["reason"].as_str().unwrap().starts_with("0x"));
    chain
        .transfer(
            &bionft_client::keys::signer("//Bob").unwrap(),
            &bionft_client::keys::account(&father_for_sample).unwrap(),
            story::FUND,
        )
        .await
        .unwrap();
    let (code, _, err) = cli(&[
        &["guardian", "grant"][..],
        &father[..],
        &[
            "--sample",
            &young,
            "--grantee",
            "//Charlie",
            "--purpose",
            "HMB",
        ][..],
    ]
    .concat());
    assert_eq!(code, 0, "{err}");
    let charlie_check = || {
        let (code, out, _) = cli(&[
            "--json",
            "host",
            "check",
            "--grantee",
            "//Charlie",
            "--record",
            &young,
            "--purpose",
            "HMB",
        ]);
        (code, json(&out))
    };
    assert_eq!(charlie_check().0, 0, "the father's grant counts");
    let order = dir.join("court-order.pdf");
    std::fs::write(&order, b"court order removing a guardian").unwrap();
    let (code, _, err) = cli(&[
        "biobank",
        "remove-guardian",
        "--key",
        "//Bob",
        "--sample",
        &young,
        "--guardian",
        &father_for_sample,
        "--reason-file",
        order.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, answer) = charlie_check();
    assert_eq!(
        (code, answer["reason"].as_str()),
        (1, Some("IssuerNoLongerGuardian")),
        "{answer}"
    );

    devnet
        .time_travel(majority.start_millis() + 3_600_000)
        .expect("chopsticks time travel");
    assert!(chain.now_millis().await.unwrap() >= majority.start_millis());
    let (code, answer) = check(&young, "HMB");
    assert_eq!(
        (code, answer["reason"].as_str()),
        (1, Some("LapsedAtMajority")),
        "guardians' grants lapse at the majority month: {answer}"
    );

    // The guardian holds the secret but nobody attested her: NotAttested, with either key.
    let (code, _, err) = claim(&guardian, &secret);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("NotAttested"), "{err}");
    let (code, _, err) = claim(&["--key", "//Eve", "--own-key"], &secret);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("NotAttested"), "{err}");
    // The biobank attests itself, but has no claim key: ClaimMismatch.
    let (code, _, err) = attest("//Bob");
    assert_eq!(code, 0, "{err}");
    let guess = dir.join("guessed-secret");
    std::fs::write(&guess, b"the biobank's best guess").unwrap();
    let (code, _, err) = claim(&["--key", "//Bob", "--own-key"], &guess);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("ClaimMismatch"), "{err}");
    // The custodian verifies the grown-up subject in person and attests their account;
    // the guardian's secret still does not let her claim; the subject, with both factors, does.
    let (code, _, err) = attest(child);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = claim(&guardian, &secret);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("NotAttested"), "{err}");
    let (code, _, err) = claim(&["--key", child, "--own-key"], &secret);
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = cli(&["--json", "show", "sample", &young]);
    assert_eq!(code, 0);
    assert_eq!(
        json(&out)["subject"].as_str(),
        Some(
            bionft_client::keys::account(child)
                .unwrap()
                .to_string()
                .as_str()
        )
    );
    let (code, _, err) = claim(&["--key", child, "--own-key"], &secret);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("MajorityClaimed"), "{err}");

    // The subject confirms the guardians' grant, and alone can withdraw all consent.
    let (code, _, err) = cli(&[
        "subject",
        "confirm",
        "--key",
        child,
        "--own-key",
        "--grant",
        &guardian_grant,
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(check(&young, "HMB").0, 0, "confirmed by the subject");
    let (code, _, err) = cli(&[
        &["guardian", "withdraw-all"][..],
        &guardian[..],
        &["--sample", &young][..],
    ]
    .concat());
    assert_eq!(
        code, 1,
        "the guardian no longer speaks for the subject: {err}"
    );
    let (code, _, err) = cli(&[
        "guardian",
        "withdraw-all",
        "--key",
        child,
        "--own-key",
        "--sample",
        &young,
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, answer) = check(&young, "HMB");
    assert_eq!(
        (code, answer["reason"].as_str()),
        (1, Some("ConsentWithdrawn")),
        "{answer}"
    );

    // An upgrade to the local build (already on chain: upload is a no-op) keeps every record and grant.
    let consent_bundle = e2e_tests::contracts_dir().join("consent/consent.contract");
    let (code, _, err) = cli(&[
        "governance",
        "upgrade",
        "--key",
        "//Alice",
        "--contract",
        "consent",
        "--bundle",
        consent_bundle.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    let (code, answer) = check(&vcf, "DS:4989");
    assert_eq!(
        (code, answer["reason"].as_str()),
        (1, Some("NoGrant")),
        "{answer}"
    );
    let (code, out, _) = cli(&["--json", "show", "grant", &outcome.grants[1].to_string()]);
    assert_eq!((code, json(&out)["revoked"].as_bool()), (0, Some(false)));

    // The indexer follows the chain over RPC and answers lineage, consent and audit questions.
    // (These assertions read v2 answers: they need the indexer that follows v2 events.)
    let (head, _) = chain.finalized_head().await.unwrap();
    let indexer_bin = bin("bionft-indexer");
    let indexer = e2e_tests::indexer::Indexer::start(
        &indexer_bin,
        &deployment,
        &dir.join("index.sqlite"),
        head,
    )
    .expect("indexer follows the chain");
    let get = |path: &str| get_json(indexer.addr, path).unwrap();
    // Every answer is checked and all differences are reported together, so that one run
    // tells the indexer's authors everything that does not match the chain yet.
    let mut wrong: Vec<String> = Vec::new();
    let mut expect = |ok: bool, what: String| {
        if !ok {
            wrong.push(what);
        }
    };

    let lineage = get(&format!("/records/{vcf}/lineage?depth=8"));
    let mut records: Vec<u64> = lineage["nodes"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|n| n["record"].as_u64())
        .collect();
    records.sort_unstable();
    let story_records = outcome.vcf_lineage();
    expect(
        records == story_records,
        format!("the joint VCF's lineage must reach back to all three samples: nodes {records:?}, expected {story_records:?}"),
    );
    let edges = lineage["edges"].to_string();
    for parent in [
        outcome.bam,
        outcome.bam2,
        outcome.mother_bam,
        outcome.father_bam,
    ] {
        expect(
            edges.contains(&format!("record:{parent}")),
            format!("lineage: edge from {parent} missing: {edges}"),
        );
    }
    let prov = get(&format!("/records/{vcf}/provenance"));
    expect(
        prov["wasDerivedFrom"]
            .as_object()
            .is_some_and(|d| d.len() >= 6),
        format!("provenance of the joint VCF: wasDerivedFrom has < 6 entries: {prov}"),
    );
    // The claimed sample: its subject is a person known only by the sample (the indexer
    // names no subject or guardian account), and guardians no longer act for them.
    let prov = get(&format!("/records/{young}/provenance"));
    let person = format!("bionft:subject/{young}");
    expect(
        prov["agent"][&person]["prov:type"] == "prov:Person",
        format!(
            "provenance of claimed sample {young}: {person} must be a prov:Person agent: {prov}"
        ),
    );
    let child_hex = hex::encode(bionft_client::keys::account(child).unwrap().0);
    expect(
        !prov.to_string().contains(&child_hex),
        format!("provenance of claimed sample {young} names the subject's account: {prov}"),
    );
    expect(
        prov["actedOnBehalfOf"]
            .as_object()
            .is_none_or(|d| d.is_empty()),
        format!("provenance of claimed sample {young}: no guardian acts for the subject: {prov}"),
    );

    let receipts = get(&format!("/records/{vcf}/receipts"));
    let n = receipts["items"].as_array().map(Vec::len);
    expect(
        n == Some(4),
        format!("receipts of the joint VCF: the story's, the CLI's and the two of the key checks (key file, BIONFT_KEY), got {n:?}: {receipts}"),
    );
    let receipt = get(&format!("/receipts/{}", outcome.receipt));
    expect(
        receipt["covered"] == true,
        format!(
            "receipt {}: covered when it happened: {receipt}",
            outcome.receipt
        ),
    );
    let state = get(&format!("/grants/{}", outcome.grant))["state"].clone();
    expect(
        state == "revoked",
        format!("grant {}: state {state}, expected revoked", outcome.grant),
    );

    // Time travel: covered at the receipt's block by all three grants, not after the revocation.
    let ferdie = format!(
        "0x{}",
        hex::encode(bionft_client::keys::account("//Ferdie").unwrap().0)
    );
    match receipt["receipt"]["at"]["block"].as_u64() {
        None => expect(
            false,
            format!(
                "receipt {}: no receipt.at.block: {receipt}",
                outcome.receipt
            ),
        ),
        Some(at_receipt) => {
            let then = get(&format!(
                "/access?record={vcf}&grantee={ferdie}&purpose=HMB&block={at_receipt}"
            ));
            expect(
                then["allowed"] == true,
                format!("/access at block {at_receipt}: allowed then: {then}"),
            );
            let grants =
                serde_json::json!(outcome.grants.iter().map(|g| *g as u64).collect::<Vec<_>>());
            expect(
                then["grants"] == grants,
                format!("/access at block {at_receipt}: grants must be {grants} (one per sample): {then}"),
            );
        }
    }
    let now = get(&format!(
        "/access?record={vcf}&grantee={ferdie}&purpose=HMB"
    ));
    expect(
        now["allowed"] == false,
        format!("/access now: denied after the revocation: {now}"),
    );

    // Bad requests are 4xx with a JSON error, never 500.
    let (status, body) = e2e_tests::http::get(indexer.addr, "/records/999999").unwrap();
    expect(
        (400..500).contains(&status),
        format!("/records/999999: {status} {body}"),
    );
    assert!(
        wrong.is_empty(),
        "{} indexer answer(s) differ from the chain:\n- {}",
        wrong.len(),
        wrong.join("\n- ")
    );

    // The CLI's listings read the same indexer.
    let indexer_url = format!("http://{}", indexer.addr);
    let (code, out, err) = cli(&[
        "--indexer",
        &indexer_url,
        "--json",
        "researcher",
        "grants",
        "--account",
        "//Ferdie",
    ]);
    assert_eq!(code, 0, "{err}");
    let held: Vec<String> = json(&out)["grants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].to_string())
        .collect();
    for g in &outcome.grants {
        assert!(
            held.contains(&g.to_string()),
            "grant {g} missing from {held:?}"
        );
    }
    let (code, text, err) = cli(&[
        "--indexer",
        &indexer_url,
        "researcher",
        "grants",
        "--account",
        "//Ferdie",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        text.contains("HMB – health, medical or biomedical research") && text.contains("[revoked]"),
        "purposes with their DUO labels, states in words: {text}"
    );
    let (code, out, err) = cli(&[
        "--indexer",
        &indexer_url,
        "--json",
        "guardian",
        "list",
        "--account",
        &mother_for_newborn,
    ]);
    assert_eq!(code, 0, "{err}");
    let listed = json(&out);
    let newborn = listed["samples"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["sample"] == serde_json::json!(outcome.sample as u64))
        .unwrap_or_else(|| panic!("the newborn is not among the mother's samples: {listed}"));
    assert_eq!(newborn["role"], "guardian", "{listed}");
    assert!(
        newborn["grants"].as_array().is_some_and(|g| !g.is_empty()),
        "the newborn's grants are listed: {listed}"
    );
    let (code, _, err) = cli(&[
        "--indexer",
        "http://127.0.0.1:9",
        "researcher",
        "grants",
        "--account",
        "//Ferdie",
    ]);
    assert!(
        code == 2 && err.contains("cannot reach the indexer"),
        "{err}"
    );
    drop(indexer);
    std::fs::remove_dir_all(&dir).unwrap();
}

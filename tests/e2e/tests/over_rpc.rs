//! The BioNFT story over real JSON-RPC against a local chain (chopsticks
//! serving the committed dev spec), with the real contracts and real files;
//! then the `bionft` command line against the same chain, as users run it.

use bionft_primitives::{AccessDenied, RecordStatus};
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
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
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
    assert!(
        outcome.sample < outcome.aliquot
            && outcome.aliquot < outcome.run
            && outcome.bam < outcome.vcf
    );

    let dir = std::env::temp_dir().join(format!("bionft-e2e-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let deployment = dir.join("deployment.json");
    outcome.deployment.save(&deployment).unwrap();

    // Reads through the CLI agree with what the story registered.
    let (code, out, err) = bionft(
        &devnet,
        &deployment,
        &["--json", "show", "record", &outcome.vcf.to_string()],
    );
    assert_eq!(code, 0, "{err}");
    let record: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        record["parents"],
        serde_json::json!([outcome.bam.to_string(), outcome.bam2.to_string()])
    );
    assert_eq!(record["status"], format!("{:?}", RecordStatus::Active));

    // check: exit 0 when allowed, 1 when denied, with the reason named.
    let vcf = outcome.vcf.to_string();
    let (code, out, _) = bionft(
        &devnet,
        &deployment,
        &[
            "host",
            "check",
            "--grantee",
            "//Ferdie",
            "--record",
            &vcf,
            "--purpose",
            "DS:4989",
        ],
    );
    assert_eq!(code, 0);
    assert!(out.contains(&format!("grant {}", outcome.grant)), "{out}");
    let (code, out, _) = bionft(
        &devnet,
        &deployment,
        &[
            "--json",
            "host",
            "check",
            "--grantee",
            "//Ferdie",
            "--record",
            &vcf,
            "--purpose",
            "POA",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&out).unwrap()["reason"],
        "PurposeNotPermitted"
    );

    // A contract refusal is the contract's own error name, exit 1, and nothing is submitted.
    let secret = dir.join("secret");
    std::fs::write(&secret, b"s").unwrap();
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "biobank",
            "mint",
            "--key",
            "//Ferdie",
            "--commitment",
            &format!("0x{}", "11".repeat(32)),
            "--guardian",
            "//Eve",
            "--claim-secret-file",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("NotBiobank"), "{err}");

    // The guardian revokes through the CLI; access ends.
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "guardian",
            "revoke",
            "--key",
            "//Eve",
            "--grant",
            &outcome.grant.to_string(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, _) = bionft(
        &devnet,
        &deployment,
        &[
            "--json",
            "host",
            "check",
            "--grantee",
            "//Ferdie",
            "--record",
            &vcf,
            "--purpose",
            "HMB",
        ],
    );
    assert_eq!(
        (
            code,
            serde_json::from_str::<serde_json::Value>(&out).unwrap()["reason"].clone()
        ),
        (1, "NoGrant".into())
    );

    // Bad input is an error (exit 2), not a refusal.
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "host",
            "check",
            "--grantee",
            "nobody",
            "--record",
            &vcf,
            "--purpose",
            "HMB",
        ],
    );
    assert_eq!(code, 2, "{err}");

    // The handover at majority, through the CLI: a new guardian grant, the grown-up subject
    // claims with the secret from birth, the guardians' grant lapses until the subject confirms
    // it, and the subject can withdraw all consent.
    let chain = bionft_client::chain::Chain::connect(&devnet.endpoint)
        .await
        .unwrap();
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
    let sample = outcome.sample.to_string();
    let (code, out, err) = bionft(
        &devnet,
        &deployment,
        &[
            "--json",
            "guardian",
            "grant",
            "--key",
            "//Eve",
            "--sample",
            &sample,
            "--grantee",
            "//Ferdie",
            "--purpose",
            "GRU",
            "--days",
            "30",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let guardian_grant = serde_json::from_str::<serde_json::Value>(&out).unwrap()["grant"]
        .as_str()
        .unwrap()
        .to_string();
    let check = |purpose: &str| {
        let (code, out, _) = bionft(
            &devnet,
            &deployment,
            &[
                "--json",
                "host",
                "check",
                "--grantee",
                "//Ferdie",
                "--record",
                &vcf,
                "--purpose",
                purpose,
            ],
        );
        (
            code,
            serde_json::from_str::<serde_json::Value>(&out).unwrap(),
        )
    };
    assert_eq!(
        check("HMB").0,
        0,
        "the guardians' GRU grant covers an HMB use"
    );
    let secret_file = dir.join("claim-secret");
    std::fs::write(&secret_file, story::CLAIM_SECRET).unwrap();
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "subject",
            "claim",
            "--key",
            "//Eve",
            "--sample",
            &sample,
            "--secret-file",
            secret.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 1, "a wrong secret is refused: {err}");
    assert!(err.contains("ClaimMismatch"), "{err}");
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "subject",
            "claim",
            "--key",
            child,
            "--sample",
            &sample,
            "--secret-file",
            secret_file.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, json) = check("HMB");
    assert_eq!(
        (code, json["reason"].as_str()),
        (1, Some("LapsedAtMajority")),
        "{json}"
    );
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "subject",
            "confirm",
            "--key",
            child,
            "--grant",
            &guardian_grant,
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(check("HMB").0, 0, "confirmed by the subject");
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "guardian",
            "withdraw-all",
            "--key",
            "//Eve",
            "--sample",
            &sample,
        ],
    );
    assert_eq!(
        code, 1,
        "the guardian no longer speaks for the subject: {err}"
    );
    assert!(err.contains("NotSubjectOrGuardian"), "{err}");
    let (code, _, err) = bionft(
        &devnet,
        &deployment,
        &[
            "guardian",
            "withdraw-all",
            "--key",
            child,
            "--sample",
            &sample,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, json) = check("HMB");
    assert_eq!(
        (code, json["reason"].as_str()),
        (1, Some("ConsentWithdrawn")),
        "{json}"
    );

    // The lab's own hand-off: `bionft-seq manifest` then `bionft-seq submit`.
    let seq = |args: &[&str]| {
        let out = Command::new(bin("bionft-seq"))
            .args(args)
            .output()
            .expect("bionft-seq runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let data = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let salt = dir.join("salt");
    std::fs::write(&salt, b"per-sample salt kept by the biobank and guardians").unwrap();
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
        salt.to_str().unwrap(),
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
    // New reads from the same run register, once.
    let reads_manifest = dir.join("reads.json");
    let r1 = data.join("seqkit/reads_2.fq.gz");
    let (code, _, err) = seq(&[
        "manifest",
        r1.to_str().unwrap(),
        "--salt-file",
        salt.to_str().unwrap(),
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

    // The indexer follows the chain over RPC and answers lineage, consent and audit questions.
    let chain = bionft_client::chain::Chain::connect(&devnet.endpoint)
        .await
        .unwrap();
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

    let lineage = get(&format!("/records/{vcf}/lineage?depth=8"));
    let mut records: Vec<u64> = lineage["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["record"].as_u64())
        .collect();
    records.sort_unstable();
    let story_records = [
        outcome.sample,
        outcome.aliquot,
        outcome.run,
        outcome.reads,
        outcome.bam,
        outcome.bam2,
        outcome.vcf,
    ];
    assert_eq!(
        records,
        story_records.map(|r| r as u64).to_vec(),
        "the VCF's lineage reaches back to the sample"
    );
    let edges = lineage["edges"].to_string();
    for parent in [outcome.bam, outcome.bam2] {
        assert!(
            edges.contains(&format!("record:{parent}")),
            "edge from {parent} missing: {edges}"
        );
    }
    let prov = get(&format!("/records/{vcf}/provenance"));
    assert!(
        prov["wasDerivedFrom"]
            .as_object()
            .is_some_and(|d| d.len() >= 6),
        "{prov}"
    );
    // The subject has claimed majority: they are the sample's agent, and guardians no longer act for them.
    let child_agent = format!(
        "bionft:account/0x{}",
        hex::encode(bionft_client::keys::account(child).unwrap().0)
    );
    assert_eq!(
        prov["agent"][&child_agent]["prov:type"], "prov:Person",
        "{prov}"
    );
    assert!(
        prov["actedOnBehalfOf"]
            .as_object()
            .is_none_or(|d| d.is_empty()),
        "{prov}"
    );

    let receipts = get(&format!("/records/{vcf}/receipts"));
    assert_eq!(receipts["items"].as_array().unwrap().len(), 1, "{receipts}");
    let receipt = get(&format!("/receipts/{}", outcome.receipt));
    assert_eq!(
        receipt["covered"], true,
        "the access was covered when it happened: {receipt}"
    );
    assert_eq!(
        get(&format!("/grants/{}", outcome.grant))["state"],
        "revoked"
    );

    // Time travel: covered at the receipt's block, not after the revocation.
    let at_receipt = receipt["receipt"]["at"]["block"].as_u64().unwrap();
    let ferdie = format!(
        "0x{}",
        hex::encode(bionft_client::keys::account("//Ferdie").unwrap().0)
    );
    let then = get(&format!(
        "/access?record={vcf}&grantee={ferdie}&purpose=HMB&block={at_receipt}"
    ));
    assert_eq!(then["allowed"], true, "{then}");
    assert_eq!(then["grant"].as_u64(), Some(outcome.grant as u64), "{then}");
    let now = get(&format!(
        "/access?record={vcf}&grantee={ferdie}&purpose=HMB"
    ));
    assert_eq!(now["allowed"], false, "{now}");

    // Bad requests are 4xx with a JSON error, never 500.
    let (status, body) = e2e_tests::http::get(indexer.addr, "/records/999999").unwrap();
    assert!((400..500).contains(&status), "{status} {body}");
    drop(indexer);
    std::fs::remove_dir_all(&dir).unwrap();
}

//! The BioNFT story on a real four-biobank network, over RPC to the archive
//! node, with GRANDPA finality and the indexer following live; then one
//! validator lost: blocks and finality go on, and the clients notice nothing;
//! then a runtime upgrade through governance (three of four biobanks approve
//! `system.setCode` with a higher spec_version): the contracts keep their
//! storage and go on answering, and the indexer follows across it; then the
//! contracts' admin becomes the same multisig, so pausing them takes three
//! approvals too. The other fault cases are in `faults.rs`.

use bionft_primitives::{duo, Purpose};
use e2e_tests::http::get_json;
use e2e_tests::indexer::Indexer;
use e2e_tests::story::{self, Inputs};
use network_tests::{governance, governance_keys, repo, rpc, workspace_binary, Network};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread")]
async fn network_story_runs_and_survives_a_lost_validator() {
    let net = Network::start(4).expect("a four-biobank network starts and finalizes");
    let (_, first_finalized) = net.heads(0).unwrap();
    assert!(first_finalized > 0, "start returns after a finalized block");

    // The story, with the indexer started from the deployment file as soon as
    // the contracts exist, following every later block live.
    let deployment = net.dir().join("deployment.json");
    let mut indexer = None;
    let outcome = story::run_with(
        &net.endpoint,
        &Inputs::default_shared(),
        |line| eprintln!("story: {line}"),
        |d| {
            d.save(&deployment)?;
            let bin = workspace_binary("bionft-indexer")?;
            indexer = Some(Indexer::start(
                &bin,
                &deployment,
                &net.dir().join("index.sqlite"),
                0,
            )?);
            Ok(())
        },
    )
    .await
    .expect("the story runs on the network");
    let mut indexer = indexer.expect("the indexer started after the deployment");

    // The deployment pins the network's real genesis, not chopsticks' fixed one.
    let chain = bionft_client::chain::Chain::connect(&net.endpoint)
        .await
        .unwrap();
    assert_eq!(outcome.deployment.genesis_hash, chain.genesis_hash());
    assert_ne!(chain.genesis_hash(), format!("0x{}", "45".repeat(32)));

    // The indexer reaches the finalized head and answers as on the devnet.
    let (head, _) = chain.finalized_head().await.unwrap();
    indexer
        .wait_for(head)
        .expect("the indexer reaches the finalized head");
    let addr = indexer.addr;
    let get = |path: &str| get_json(addr, path).unwrap();
    let vcf = outcome.vcf;
    let lineage = get(&format!("/records/{vcf}/lineage?depth=8"));
    let mut records: Vec<u64> = lineage["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["record"].as_u64())
        .collect();
    records.sort_unstable();
    // The trio's joint VCF reaches back to all three samples.
    let story_records = outcome.vcf_lineage();
    assert_eq!(records, story_records, "{lineage}");
    let receipts = get(&format!("/records/{vcf}/receipts"));
    assert_eq!(receipts["items"].as_array().unwrap().len(), 1, "{receipts}");
    let receipt = get(&format!("/receipts/{}", outcome.receipt));
    assert_eq!(receipt["covered"], true, "{receipt}");
    let used: Vec<u64> = receipt["receipt"]["grants"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .filter_map(|g| g.as_u64().or_else(|| g["id"].as_u64()))
        .collect();
    assert_eq!(
        used,
        outcome.grants.iter().map(|&g| g as u64).collect::<Vec<_>>(),
        "the receipt names one grant per sample: {receipt}"
    );
    assert_eq!(
        get(&format!("/grants/{}", outcome.grant))["state"],
        "active"
    );
    let status = get("/status");
    let indexed = status["block"].as_u64().unwrap();
    assert!(indexed >= u64::from(head), "{status}");

    // One of four validators crashes: the other three (more than 2/3) go on
    // authoring and finalizing, and a client's transaction still finalizes.
    net.kill(3).unwrap();
    let (best, finalized) = net.heads(0).unwrap();
    net.wait_until(
        0,
        Duration::from_secs(90),
        "3 more finalized blocks",
        |b, f| b >= best + 3 && f >= finalized + 3,
    )
    .expect("blocks and finality go on with 3 of 4 validators");
    let ferdie = bionft_client::keys::signer("//Ferdie").unwrap();
    let eve = bionft_client::keys::account("//Eve").unwrap();
    chain
        .transfer(&ferdie, &eve, 1_000_000_000_000)
        .await
        .expect("a transaction finalizes with 3 of 4 validators");
    let bionft = bionft_client::ops::Bionft::open(chain, &outcome.deployment)
        .await
        .unwrap();
    let record = bionft.get_record(outcome.vcf).await.unwrap();
    assert!(record.is_some(), "contract reads still work");
    drop(bionft);

    // Back again, the crashed validator catches up with the others.
    net.restart(3).unwrap();
    let (_, finalized) = net.heads(0).unwrap();
    net.wait_until(
        3,
        Duration::from_secs(120),
        "the network's finalized head",
        |_, f| f >= finalized,
    )
    .expect("the restarted validator catches up");

    // A runtime upgrade through governance: three of four biobanks approve.
    let archive = net.rpc_addr(0).unwrap();
    let spec_version = || {
        rpc::call(archive, "state_getRuntimeVersion", serde_json::json!([])).unwrap()["specVersion"]
            .as_u64()
            .unwrap()
    };
    assert_eq!(spec_version(), 1);
    let keys = governance_keys(&net, 3).unwrap();
    let rehearsal = repo().join("chain-spec/specs/upgrade-rehearsal.wasm");
    let said = governance(
        &net,
        &keys,
        &[
            "approve".as_ref(),
            "set-code".as_ref(),
            rehearsal.as_os_str(),
        ],
    )
    .expect("the upgrade proposal passes");
    for line in [
        "approval 1 of 3 recorded",
        "approval 2 of 3 recorded",
        "approval 3 of 3 executed the proposal",
    ] {
        assert!(said.contains(line), "missing: {line}");
    }
    let (best, _) = net.heads(0).unwrap();
    net.wait_until(
        0,
        Duration::from_secs(90),
        "the upgrade finalized",
        |_, f| f > best,
    )
    .unwrap();
    assert_eq!(spec_version(), 2, "the new runtime is in force");

    // The contracts kept their storage and answer a client of the new runtime.
    let chain = bionft_client::chain::Chain::connect(&net.endpoint)
        .await
        .unwrap();
    let bionft = bionft_client::ops::Bionft::open(chain, &outcome.deployment)
        .await
        .unwrap();
    assert_eq!(
        bionft.get_record(outcome.vcf).await.unwrap(),
        record,
        "the joint VCF's record is unchanged"
    );
    assert_eq!(
        bionft
            .get_grant(outcome.grant)
            .await
            .unwrap()
            .map(|g| g.revoked),
        Some(false),
        "the guardians' grant is still there"
    );
    // A write under the new runtime: the data host logs a second access, and
    // the indexer, following across the upgrade, serves it.
    let dave = bionft_client::keys::signer("//Dave").unwrap();
    let ferdie_account = bionft_client::keys::account("//Ferdie").unwrap();
    let disease = Purpose::disease_specific(4989);
    let receipt = bionft
        .record_access(&dave, &ferdie_account, outcome.vcf, disease)
        .await
        .expect("record_access under the upgraded runtime");
    assert_eq!(receipt, outcome.receipt + 1);
    let (_, head) = net.heads(0).unwrap();
    indexer
        .wait_for(head)
        .expect("the indexer follows across the upgrade");
    let receipts = get(&format!("/records/{vcf}/receipts"));
    assert_eq!(receipts["items"].as_array().unwrap().len(), 2, "{receipts}");

    // The contracts' admin becomes the biobanks' multisig, the chain's sudo
    // key (`Sudo::Key`: twox128("Sudo") ++ twox128("Key")).
    const SUDO_KEY: &str = "0x5c0d1176a568c1f92944340dbfed9e9c530ebca703c85910e7164cb7d1c9e47b";
    let multisig = rpc::call(archive, "state_getStorage", serde_json::json!([SUDO_KEY])).unwrap();
    let multisig = bionft_client::keys::account(multisig.as_str().unwrap()).unwrap();
    let alice = bionft_client::keys::signer("//Alice").unwrap();
    bionft.transfer_admin(&alice, &multisig).await.unwrap();
    let alone = bionft.set_paused(&alice, true).await.unwrap_err();
    assert!(format!("{alone:#}").contains("NotAdmin"), "{alone:#}");
    let metadata = repo().join("target/ink/biosample/biosample.json");
    let said = governance(
        &net,
        &keys,
        &[
            "approve".as_ref(),
            "contract-call".as_ref(),
            metadata.as_os_str(),
            outcome.deployment.biosample.address.as_ref(),
            "set_paused".as_ref(),
            "true".as_ref(),
        ],
    )
    .expect("the pause proposal passes");
    assert!(
        said.contains("approval 3 of 3 executed the proposal"),
        "{said}"
    );
    assert!(
        bionft.paused().await.unwrap(),
        "three biobanks paused the contracts"
    );
    let refused = bionft
        .record_access(&dave, &ferdie_account, outcome.vcf, Purpose::new(duo::HMB))
        .await
        .unwrap_err();
    assert!(format!("{refused:#}").contains("Paused"), "{refused:#}");
}

//! Measures what the BioNFT messages cost in drink's pallet-contracts sandbox
//! (ref_time, proof_size, storage deposit), beside a minimal ERC-721-style
//! mint measured in the same run, and prints a Markdown table for
//! BENCHMARKS.md. Run: `cargo xtask contracts && cargo run --release -p contract-tests --bin contract-costs`.

use contract_tests::who::*;
use contract_tests::*;

struct Row {
    what: &'static str,
    cost: Cost,
}

fn main() {
    let mut c = Chain::new();
    let mut rows = Vec::new();
    let mut measure = |c: &mut Chain, what: &'static str| {
        rows.push(Row {
            what,
            cost: c.last_cost,
        })
    };

    let nft = c.deploy(bundle("reference-nft"), ());
    let minted: Result<(), u8> = c.call(nft, STRANGER, "mint", (1u128,));
    assert!(minted.is_ok());
    measure(&mut c, "reference NFT `mint`");
    let owner: Option<AccountId> = c.call(nft, STRANGER, "owner_of", (1u128,));
    assert_eq!(owner, Some(account(STRANGER)));
    measure(&mut c, "reference NFT `owner_of`");

    let sample: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(1),
            vec![account(GUARDIAN), account(GUARDIAN2)],
            claim_commitment(b"secret"),
            Some(YearMonth {
                year: 2044,
                month: 3,
            }),
        ),
    );
    let sample = sample.expect("mint");
    measure(&mut c, "`mint_sample` (2 guardians)");
    let mut parent = sample;
    for (i, kind) in [
        RecordKind::Aliquot,
        RecordKind::Library,
        RecordKind::SequencingRun,
        RecordKind::Reads,
        RecordKind::Alignment,
    ]
    .into_iter()
    .enumerate()
    {
        let id: Result<RecordId, biosample::Error> = c.bio(
            SEQUENCER,
            "register_artifact",
            (kind, vec![parent], commitment(10 + i as u8), 1u16),
        );
        parent = id.expect("register");
    }
    measure(&mut c, "`register_artifact` (alignment, depth 5)");
    let bam = parent;
    let vcf: Result<RecordId, biosample::Error> = c.bio(
        SEQUENCER,
        "register_artifact",
        (RecordKind::Variants, vec![bam], commitment(20), 1u16),
    );
    let vcf = vcf.expect("register vcf");
    let grant: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            sample,
            account(RESEARCHER),
            sample,
            Purpose::new(duo::HMB),
            c.now() + 365 * DAY,
        ),
    );
    let grant = grant.expect("grant");
    measure(&mut c, "`grant` (incl. 2 cross-contract queries)");
    let ok: Result<u128, AccessDenied> = c.consent(
        STRANGER,
        "check_access",
        (account(RESEARCHER), vcf, Purpose::new(duo::HMB)),
    );
    assert_eq!(ok, Ok(grant));
    measure(&mut c, "`check_access` (VCF at depth 6, allowed)");
    let receipt: Result<u64, consent::Error> = c.consent(
        DATA_HOST,
        "record_access",
        (grant, vcf, Purpose::new(duo::HMB)),
    );
    assert!(receipt.is_ok());
    measure(&mut c, "`record_access`");

    let base = rows[0].cost;
    println!("| call | ref_time | proof_size (B) | storage deposit | ref_time vs reference mint |");
    println!("|---|---:|---:|---:|---:|");
    for r in &rows {
        println!(
            "| {} | {} | {} | {} | {:.2}× |",
            r.what,
            r.cost.ref_time,
            r.cost.proof_size,
            r.cost.storage_deposit,
            r.cost.ref_time as f64 / base.ref_time as f64
        );
    }
}

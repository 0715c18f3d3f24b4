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

    let majority = YearMonth {
        year: 2027,
        month: 6,
    };
    let sample: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(1),
            vec![account(GUARDIAN), account(GUARDIAN2)],
            claim_commitment(b"secret"),
            majority,
        ),
    );
    let sample = sample.expect("mint");
    measure(&mut c, "`mint_sample` (2 guardians)");
    let mut parents = Vec::new();
    for (n, who) in [(2u8, MOTHER), (3, FATHER)] {
        let id: Result<RecordId, biosample::Error> = c.bio(
            BIOBANK,
            "mint_self_consenting",
            (commitment(n), account(who)),
        );
        parents.push(id.expect("mint self-consenting"));
    }
    measure(&mut c, "`mint_self_consenting`");
    for s in [sample, parents[0], parents[1]] {
        let r: Result<(), biosample::Error> =
            c.bio(BIOBANK, "assign_sequencer", (s, account(SEQUENCER)));
        r.expect("assign");
    }
    measure(&mut c, "`assign_sequencer`");
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
        let by = if kind == RecordKind::Aliquot {
            BIOBANK
        } else {
            SEQUENCER
        };
        let id: Result<RecordId, biosample::Error> = c.bio(
            by,
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
    let mut bams = vec![bam];
    for (i, p) in parents.iter().enumerate() {
        let aliquot: Result<RecordId, biosample::Error> = c.bio(
            BIOBANK,
            "register_artifact",
            (
                RecordKind::Aliquot,
                vec![*p],
                commitment(30 + i as u8),
                1u16,
            ),
        );
        let b: Result<RecordId, biosample::Error> = c.bio(
            SEQUENCER,
            "register_artifact",
            (
                RecordKind::Alignment,
                vec![aliquot.expect("aliquot")],
                commitment(40 + i as u8),
                1u16,
            ),
        );
        bams.push(b.expect("parent bam"));
    }
    let trio: Result<RecordId, biosample::Error> = c.bio(
        SEQUENCER,
        "register_artifact",
        (RecordKind::Variants, bams.clone(), commitment(50), 1u16),
    );
    let trio = trio.expect("joint vcf");
    measure(&mut c, "`register_artifact` (trio joint VCF, 3 parents)");
    let grant: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            sample,
            account(RESEARCHER),
            sample,
            Purpose::new(duo::HMB),
            c.now() + 3 * 365 * DAY,
        ),
    );
    let grant = grant.expect("grant");
    measure(&mut c, "`grant` (guardian; incl. cross-contract queries)");
    let mut grants = vec![grant];
    for (p, who) in parents.iter().zip([MOTHER, FATHER]) {
        let g: Result<u128, consent::Error> = c.consent(
            who,
            "grant",
            (
                *p,
                account(RESEARCHER),
                *p,
                Purpose::new(duo::HMB),
                c.now() + 3 * 365 * DAY,
            ),
        );
        grants.push(g.expect("parent grant"));
    }
    let ok: Result<Vec<u128>, AccessDenied> = c.consent(
        STRANGER,
        "check_access",
        (account(RESEARCHER), vcf, Purpose::new(duo::HMB)),
    );
    assert_eq!(ok, Ok(vec![grant]));
    measure(&mut c, "`check_access` (VCF at depth 6, allowed)");
    let ok: Result<Vec<u128>, AccessDenied> = c.consent(
        STRANGER,
        "check_access",
        (account(RESEARCHER), trio, Purpose::new(duo::HMB)),
    );
    assert_eq!(ok, Ok(grants.clone()));
    measure(&mut c, "`check_access` (trio joint VCF, 3 grants, allowed)");
    let receipt: Result<u64, consent::Error> = c.consent(
        DATA_HOST,
        "record_access",
        (account(RESEARCHER), vcf, Purpose::new(duo::HMB)),
    );
    assert!(receipt.is_ok());
    measure(&mut c, "`record_access` (1 grant)");
    let receipt: Result<u64, consent::Error> = c.consent(
        DATA_HOST,
        "record_access",
        (account(RESEARCHER), trio, Purpose::new(duo::HMB)),
    );
    assert!(receipt.is_ok());
    measure(&mut c, "`record_access` (trio, 3 grants)");
    let now = c.now();
    c.advance(majority.start_millis() - now);
    let attested: Result<(), biosample::Error> =
        c.bio(BIOBANK, "attest_claimant", (sample, account(CHILD)));
    attested.expect("attest");
    measure(&mut c, "`attest_claimant`");
    let signature = c.claim_signature(b"secret", sample, CHILD);
    let claimed: Result<(), biosample::Error> = c.bio(CHILD, "claim_majority", (sample, signature));
    claimed.expect("claim");
    measure(&mut c, "`claim_majority` (ecdsa_recover)");
    let confirmed: Result<(), consent::Error> = c.consent(CHILD, "confirm", (grant,));
    confirmed.expect("confirm");
    measure(&mut c, "`confirm`");

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

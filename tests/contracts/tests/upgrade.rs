//! Upgrades a populated v2 deployment with `set_code_hash` (both contracts)
//! on the real wasm, and checks that every record, sample and grant survives
//! and answers as before, that counters continue, that consent keeps
//! answering through the upgraded `biosample`, and that only the admin can
//! upgrade or rewire.
//!
//! The new code: each contract's own wasm with one extra custom section
//! (`bionft-upgrade-test`), uploaded separately. Its code hash differs, its
//! storage layout is the same by construction, and the old code is removed
//! from the chain after the upgrade (pallet-contracts refuses to remove code
//! a contract still runs), so every answer afterwards comes from the new code.

use bionft_primitives::{AccessContext, Authority, Id, RecordStatus};
use contract_tests::who::*;
use contract_tests::*;

type BioResult<T> = Result<T, biosample::Error>;
type ConsentResult<T> = Result<T, consent::Error>;
type Access = Result<Vec<u128>, AccessDenied>;

const SECRET: &[u8] = b"upgrade";
const MAJORITY: YearMonth = YearMonth {
    year: 2027,
    month: 6,
};

/// `wasm` with a custom section appended: same code, another code hash.
fn with_custom_section(wasm: &[u8], name: &str) -> Vec<u8> {
    fn leb128(mut n: usize, out: &mut Vec<u8>) {
        loop {
            let byte = (n & 0x7f) as u8;
            n >>= 7;
            if n == 0 {
                out.push(byte);
                return;
            }
            out.push(byte | 0x80);
        }
    }
    let mut body = Vec::new();
    leb128(name.len(), &mut body);
    body.extend_from_slice(name.as_bytes());
    body.extend_from_slice(b"v2 upgrade test");
    let mut out = wasm.to_vec();
    out.push(0); // custom section id
    leb128(body.len(), &mut out);
    out.extend_from_slice(&body);
    out
}

/// Everything the two contracts answer about the populated state.
#[derive(Debug, PartialEq)]
struct Answers {
    records: Vec<Option<biosample::RecordView>>,
    contexts: Vec<Option<AccessContext>>,
    samples: Vec<Option<biosample::Sample>>,
    authorities: Vec<Option<Authority>>,
    grants: Vec<Option<consent::Grant>>,
    grants_for: Vec<Vec<u128>>,
    epochs: Vec<u32>,
    access: Vec<Access>,
    supply: u128,
    owners: Vec<Option<AccountId>>,
    admin: AccountId,
}

struct Populated {
    records: RecordId,
    grants: u128,
}

fn answers(c: &mut Chain, p: &Populated) -> Answers {
    let ids = 1..=p.records + 1; // one past the last: unknown
    let questions: Vec<(u8, RecordId, Purpose)> = (1..=p.records)
        .flat_map(|r| {
            [
                (RESEARCHER, r, Purpose::new(duo::HMB)),
                (RESEARCHER2, r, Purpose::new(duo::GRU)),
            ]
        })
        .collect();
    Answers {
        records: ids
            .clone()
            .map(|r| c.bio(STRANGER, "get_record", (r,)))
            .collect(),
        contexts: ids
            .clone()
            .map(|r| c.bio(STRANGER, "Lineage::access_context", (r,)))
            .collect(),
        samples: ids
            .clone()
            .map(|r| c.bio(STRANGER, "get_sample", (r,)))
            .collect(),
        authorities: ids
            .clone()
            .flat_map(|r| [GUARDIAN, GUARDIAN2, MOTHER].map(|a| (r, a)))
            .map(|(r, a)| c.bio(STRANGER, "Lineage::authority", (r, account(a))))
            .collect(),
        grants: (1..=p.grants + 1)
            .map(|g| c.consent(STRANGER, "get_grant", (g,)))
            .collect(),
        grants_for: ids
            .clone()
            .flat_map(|r| [RESEARCHER, RESEARCHER2].map(|a| (r, a)))
            .map(|(r, a)| c.consent(STRANGER, "grants_for", (r, account(a))))
            .collect(),
        epochs: ids
            .clone()
            .map(|r| c.consent(STRANGER, "consent_epoch", (r,)))
            .collect(),
        access: questions
            .into_iter()
            .map(|(who, r, purpose)| {
                c.consent(STRANGER, "check_access", (account(who), r, purpose))
            })
            .collect(),
        supply: c.bio(STRANGER, "PSP34::total_supply", ()),
        owners: ids
            .map(|r| c.bio(STRANGER, "PSP34::owner_of", (Id::U128(r),)))
            .collect(),
        admin: c.bio(STRANGER, "Lineage::admin", ()),
    }
}

/// A newborn's sample, a mother's own sample, lineages, a joint VCF, a
/// superseded and a withdrawn record, grants (one revoked), a withdrawal of
/// consent and one access receipt.
fn populate(c: &mut Chain) -> Populated {
    let child: RecordId = c
        .bio::<BioResult<RecordId>>(
            BIOBANK,
            "mint_sample",
            (
                commitment(1),
                vec![account(GUARDIAN), account(GUARDIAN2)],
                claim_commitment(SECRET),
                MAJORITY,
            ),
        )
        .unwrap();
    let mother: RecordId = c
        .bio::<BioResult<RecordId>>(
            BIOBANK,
            "mint_self_consenting",
            (commitment(2), account(MOTHER)),
        )
        .unwrap();
    for s in [child, mother] {
        c.bio::<BioResult<()>>(BIOBANK, "assign_sequencer", (s, account(SEQUENCER)))
            .unwrap();
    }
    let register = |c: &mut Chain, by: u8, kind: RecordKind, parents: Vec<RecordId>, n: u8| {
        c.bio::<BioResult<RecordId>>(
            by,
            "register_artifact",
            (kind, parents, commitment(n), 2u16),
        )
        .unwrap()
    };
    let aliquot = register(c, BIOBANK, RecordKind::Aliquot, vec![child], 3);
    let bam = register(c, SEQUENCER, RecordKind::Alignment, vec![aliquot], 4);
    let m_aliquot = register(c, BIOBANK, RecordKind::Aliquot, vec![mother], 5);
    let m_bam = register(c, SEQUENCER, RecordKind::Alignment, vec![m_aliquot], 6);
    let joint = register(c, SEQUENCER, RecordKind::Variants, vec![bam, m_bam], 7);
    let old_vcf = register(c, SEQUENCER, RecordKind::Variants, vec![bam], 8);
    let new_vcf = c
        .bio::<BioResult<RecordId>>(SEQUENCER, "supersede", (old_vcf, commitment(9), 2u16))
        .unwrap();
    let dropped = register(c, SEQUENCER, RecordKind::Alignment, vec![aliquot], 10);
    c.bio::<BioResult<()>>(GUARDIAN, "withdraw", (dropped,))
        .unwrap();
    c.bio::<BioResult<()>>(GUARDIAN, "nominate_guardian", (child, account(GUARDIAN3)))
        .unwrap();
    let expires = c.now() + 3 * 365 * DAY;
    let grant = |c: &mut Chain, by: u8, sample: RecordId, who: u8, scope: RecordId, p: Purpose| {
        c.consent::<ConsentResult<u128>>(by, "grant", (sample, account(who), scope, p, expires))
            .unwrap()
    };
    grant(
        c,
        GUARDIAN,
        child,
        RESEARCHER,
        aliquot,
        Purpose::new(duo::HMB),
    );
    let revoked = grant(
        c,
        GUARDIAN2,
        child,
        RESEARCHER2,
        child,
        Purpose::new(duo::GRU),
    );
    c.consent::<ConsentResult<()>>(GUARDIAN, "revoke", (revoked,))
        .unwrap();
    let voided = grant(
        c,
        MOTHER,
        mother,
        RESEARCHER2,
        m_bam,
        Purpose::new(duo::GRU),
    );
    c.consent::<ConsentResult<()>>(MOTHER, "withdraw_all", (mother,))
        .unwrap();
    grant(
        c,
        MOTHER,
        mother,
        RESEARCHER,
        mother,
        Purpose::new(duo::NRES),
    );
    let last = grant(
        c,
        GUARDIAN2,
        child,
        RESEARCHER2,
        new_vcf,
        Purpose::new(duo::GRU).with_modifiers(&[duo::NPOA]),
    );
    assert!(voided < last);
    assert_eq!(
        c.consent::<ConsentResult<u64>>(
            DATA_HOST,
            "record_access",
            (account(RESEARCHER), joint, Purpose::new(duo::HMB))
        ),
        Ok(1)
    );
    c.emitted.clear();
    Populated {
        records: dropped,
        grants: last,
    }
}

#[test]
fn a_populated_deployment_survives_set_code_hash_of_both_contracts() {
    let mut c = Chain::new();
    let p = populate(&mut c);
    let before = answers(&mut c, &p);
    // The state is not trivial: joint access, a superseded and a withdrawn record, grants of every kind.
    assert_eq!(
        before.access[2 * 6],
        Ok(vec![1, 4]),
        "the joint VCF (record 7) for RESEARCHER"
    );
    assert!(before
        .records
        .iter()
        .flatten()
        .any(|r| matches!(r.status, RecordStatus::Superseded(_))));
    assert!(before
        .records
        .iter()
        .flatten()
        .any(|r| r.status == RecordStatus::Withdrawn));

    let old_bio = c.code_hash(Target::Biosample);
    let old_consent = c.code_hash(Target::Consent);
    let new_bio = c.upload(with_custom_section(
        &bundle("biosample").wasm,
        "bionft-upgrade-test",
    ));
    let new_consent = c.upload(with_custom_section(
        &bundle("consent").wasm,
        "bionft-upgrade-test",
    ));
    assert_ne!(new_bio, old_bio);
    assert_ne!(new_consent, old_consent);

    // Only the admin upgrades or rewires.
    for who in [
        BIOBANK, SEQUENCER, DATA_HOST, GUARDIAN, MOTHER, STRANGER, EX_BIOBANK,
    ] {
        assert_eq!(
            c.bio::<BioResult<()>>(who, "set_code_hash", (new_bio,)),
            Err(biosample::Error::NotAdmin)
        );
        assert_eq!(
            c.consent::<ConsentResult<()>>(who, "set_code_hash", (new_consent,)),
            Err(consent::Error::NotAdmin)
        );
        let bio_address = c.address(Target::Biosample);
        assert_eq!(
            c.consent::<ConsentResult<()>>(who, "rewire", (bio_address, new_bio)),
            Err(consent::Error::NotAdmin)
        );
    }
    assert_eq!(c.code_hash(Target::Biosample), old_bio);
    assert_eq!(c.code_hash(Target::Consent), old_consent);

    // The admin upgrades biosample; consent keeps answering through it.
    assert_eq!(
        c.bio::<BioResult<()>>(ADMIN, "set_code_hash", (new_bio,)),
        Ok(())
    );
    assert_eq!(c.code_hash(Target::Biosample), new_bio);
    assert_eq!(answers(&mut c, &p), before, "after upgrading biosample");
    // consent still names the code it checked at wiring; rewiring checks the code again.
    assert_eq!(
        c.consent::<Hash>(STRANGER, "biosample_code_hash", ()),
        old_bio
    );
    let bio_address = c.address(Target::Biosample);
    assert_eq!(
        c.consent::<ConsentResult<()>>(ADMIN, "rewire", (bio_address, old_bio)),
        Err(consent::Error::BiosampleCodeMismatch)
    );
    assert_eq!(
        c.consent::<ConsentResult<()>>(ADMIN, "rewire", (bio_address, new_bio)),
        Ok(())
    );
    assert_eq!(
        c.consent::<Hash>(STRANGER, "biosample_code_hash", ()),
        new_bio
    );

    // The admin upgrades consent.
    assert_eq!(
        c.consent::<ConsentResult<()>>(ADMIN, "set_code_hash", (new_consent,)),
        Ok(())
    );
    assert_eq!(c.code_hash(Target::Consent), new_consent);

    // The old code is no longer used by anyone: the chain lets its uploader remove it.
    for old in [old_bio, old_consent] {
        assert_eq!(c.remove_code(ADMIN, old), Ok(()), "removing {old:?}");
    }
    let after = answers(&mut c, &p);
    assert_eq!(after.records, before.records);
    assert_eq!(after.contexts, before.contexts);
    assert_eq!(after.samples, before.samples);
    assert_eq!(after.grants, before.grants);
    assert_eq!(after.access, before.access);
    assert_eq!(
        after, before,
        "after upgrading both and removing the old code"
    );

    // Writes go on where they left off: the next record id, grant id and receipt number.
    let next = c
        .bio::<BioResult<RecordId>>(
            SEQUENCER,
            "register_artifact",
            (RecordKind::Variants, vec![4u128], commitment(99), 2u16),
        )
        .unwrap();
    assert_eq!(next, p.records + 1);
    let g = c
        .consent::<ConsentResult<u128>>(
            GUARDIAN,
            "grant",
            (
                1u128,
                account(RESEARCHER2),
                next,
                Purpose::new(duo::HMB),
                c.now() + DAY,
            ),
        )
        .unwrap();
    assert_eq!(g, p.grants + 1);
    assert_eq!(
        c.consent::<ConsentResult<u64>>(
            DATA_HOST,
            "record_access",
            (account(RESEARCHER), 7u128, Purpose::new(duo::HMB))
        ),
        Ok(2)
    );
    // And the upgraded code still refuses what v2 refuses.
    assert_eq!(
        c.bio::<BioResult<RecordId>>(
            SEQUENCER2,
            "register_artifact",
            (RecordKind::Variants, vec![4u128], commitment(98), 2u16)
        ),
        Err(biosample::Error::NotAssignedSequencer)
    );
}

//! The v2 BioNFT story on the real wasm, in drink's pallet-contracts sandbox:
//! a newborn and both parents (self-consenting) are sampled, an assigned
//! sequencer registers a trio lineage ending in one joint VCF, every sample's
//! authority grants, the data host logs an access under all three grants, the
//! guardians' grant lapses at the majority month without a claim, and the
//! grown-up subject claims with both factors and confirms it.

use bionft_primitives::{digest_alg, Authority, Id, RecordStatus};
use biosample::events::{
    ArtifactRegistered, BiosampleEvent, ClaimantAttested, MajorityClaimed, SampleMinted, Transfer,
};
use consent::events::{AccessRecorded, ConsentEvent, GrantConfirmed, GrantIssued};
use contract_tests::who::*;
use contract_tests::*;

type BioResult<T> = Result<T, biosample::Error>;
type ConsentResult<T> = Result<T, consent::Error>;
type Access = Result<Vec<u128>, AccessDenied>;

const SECRET: &[u8] = b"sealed envelope kept by the parents";
/// A majority month inside the five-year grant window, so a guardian's grant
/// is still unexpired when guardianship ends (a teenager's sample).
const MAJORITY: YearMonth = YearMonth {
    year: 2027,
    month: 6,
};

fn register(
    chain: &mut Chain,
    caller: u8,
    kind: RecordKind,
    parents: &[RecordId],
    c: u8,
) -> RecordId {
    chain
        .bio::<BioResult<RecordId>>(
            caller,
            "register_artifact",
            (
                kind,
                parents.to_vec(),
                commitment(c),
                digest_alg::BIONFT_CONTENT_V2,
            ),
        )
        .unwrap_or_else(|e| panic!("registering {kind:?} under {parents:?}: {e:?}"))
}

fn check(chain: &mut Chain, record: RecordId, purpose: Purpose) -> Access {
    chain.consent(
        STRANGER,
        "check_access",
        (account(RESEARCHER), record, purpose),
    )
}

fn grant(chain: &mut Chain, by: u8, sample: RecordId, scope: RecordId, purpose: Purpose) -> u128 {
    let expires = chain.now() + 3 * 365 * DAY;
    chain
        .consent::<ConsentResult<u128>>(
            by,
            "grant",
            (sample, account(RESEARCHER), scope, purpose, expires),
        )
        .unwrap_or_else(|e| panic!("grant by {by} for sample {sample}: {e:?}"))
}

#[test]
fn trio_mint_register_grant_access_lapse_claim_confirm() {
    let mut chain = Chain::new();

    // Given a biobank mints the newborn's sample (two guardians' per-sample keys) and both parents' own samples.
    let child = chain
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
    let mother = chain
        .bio::<BioResult<RecordId>>(
            BIOBANK,
            "mint_self_consenting",
            (commitment(2), account(MOTHER)),
        )
        .unwrap();
    let father = chain
        .bio::<BioResult<RecordId>>(
            BIOBANK,
            "mint_self_consenting",
            (commitment(3), account(FATHER)),
        )
        .unwrap();
    assert_eq!((child, mother, father), (1, 2, 3));
    let minted: Vec<SampleMinted> = chain
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Biosample(BiosampleEvent::SampleMinted(m)) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(minted.len(), 3);
    assert_eq!(
        (minted[0].majority, minted[0].subject),
        (Some(MAJORITY), None)
    );
    assert_eq!(
        (
            minted[1].majority,
            minted[1].subject,
            minted[1].guardians.len()
        ),
        (None, Some(account(MOTHER)), 0)
    );
    assert_eq!(chain.bio::<u128>(STRANGER, "PSP34::total_supply", ()), 3);
    assert_eq!(
        chain.bio::<Option<AccountId>>(STRANGER, "PSP34::owner_of", (Id::U128(mother),)),
        Some(account(MOTHER)),
        "an adult's token is theirs from the mint"
    );

    // When the custodian assigns the sequencer to all three samples…
    for s in [child, mother, father] {
        chain
            .bio::<BioResult<()>>(BIOBANK, "assign_sequencer", (s, account(SEQUENCER)))
            .unwrap();
    }
    // …the custodian registers an aliquot of each, the sequencer a BAM of each and the joint VCF.
    let aliquots: Vec<RecordId> = [child, mother, father]
        .iter()
        .enumerate()
        .map(|(i, s)| {
            register(
                &mut chain,
                BIOBANK,
                RecordKind::Aliquot,
                &[*s],
                10 + i as u8,
            )
        })
        .collect();
    let bams: Vec<RecordId> = aliquots
        .iter()
        .enumerate()
        .map(|(i, a)| {
            register(
                &mut chain,
                SEQUENCER,
                RecordKind::Alignment,
                &[*a],
                20 + i as u8,
            )
        })
        .collect();
    // A sequencer nobody assigned cannot add to the lineage.
    assert_eq!(
        chain.bio::<BioResult<RecordId>>(
            SEQUENCER2,
            "register_artifact",
            (RecordKind::Variants, bams.clone(), commitment(29), 2u16)
        ),
        Err(biosample::Error::NotAssignedSequencer)
    );
    let vcf = register(&mut chain, SEQUENCER, RecordKind::Variants, &bams, 30);
    let registered: Vec<ArtifactRegistered> = chain
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Biosample(BiosampleEvent::ArtifactRegistered(a)) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(registered.len(), 7);
    assert_eq!(registered[6].samples, vec![child, mother, father]);
    assert_eq!(registered[6].parents, bams);
    let view = chain
        .bio::<Option<biosample::RecordView>>(STRANGER, "get_record", (vcf,))
        .unwrap();
    assert_eq!(view.status, RecordStatus::Active);
    assert_eq!(view.record.samples, vec![child, mother, father]);

    // And every sample's authority grants the researcher HMB use: a guardian for the
    // child (on the child's sample), each parent on their own BAM.
    let hmb = Purpose::new(duo::HMB);
    let g_child = grant(&mut chain, GUARDIAN, child, child, hmb.clone());
    let g_mother = grant(&mut chain, MOTHER, mother, bams[1], hmb.clone());
    assert_eq!(
        check(&mut chain, vcf, hmb.clone()),
        Err(AccessDenied::NoGrant),
        "the father has not consented yet"
    );
    let g_father = grant(&mut chain, FATHER, father, bams[2], hmb.clone());
    let issued: Vec<GrantIssued> = chain
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Consent(ConsentEvent::GrantIssued(g)) => Some(g),
            _ => None,
        })
        .collect();
    assert_eq!(
        issued.iter().map(|g| g.issuer).collect::<Vec<_>>(),
        vec![Authority::Guardian, Authority::Subject, Authority::Subject]
    );

    // Then check_access on the joint VCF names all three grants, in sample order…
    let all = vec![g_child, g_mother, g_father];
    assert_eq!(check(&mut chain, vcf, hmb.clone()), Ok(all.clone()));
    assert_eq!(
        check(&mut chain, vcf, Purpose::disease_specific(5_014)),
        Ok(all.clone()),
        "HMB covers disease-specific research"
    );
    assert_eq!(
        check(&mut chain, vcf, Purpose::new(duo::POA)),
        Err(AccessDenied::PurposeNotPermitted)
    );
    assert_eq!(
        check(&mut chain, bams[0], hmb.clone()),
        Ok(vec![g_child]),
        "the child's own BAM needs only the child's grant"
    );
    // …and the data host logs an access under every grant used.
    assert_eq!(
        chain.consent::<ConsentResult<u64>>(
            DATA_HOST,
            "record_access",
            (account(RESEARCHER), vcf, hmb.clone())
        ),
        Ok(1)
    );
    match &chain.take_events()[..] {
        [Event::Consent(ConsentEvent::AccessRecorded(AccessRecorded {
            receipt,
            record,
            grants,
            data_host,
            ..
        }))] => {
            assert_eq!(
                (*receipt, *record, grants.clone(), *data_host),
                (1, vcf, all.clone(), account(DATA_HOST))
            );
        }
        other => panic!("expected one AccessRecorded, got {other:?}"),
    }

    // When the majority month begins and nobody has claimed, guardianship ends:
    // the guardians' grant lapses and the guardians can no longer act.
    let now = chain.now();
    chain.advance(MAJORITY.start_millis() - 1 - now);
    assert_eq!(
        check(&mut chain, vcf, hmb.clone()),
        Ok(all.clone()),
        "the last ms before the month"
    );
    chain.advance(1);
    assert_eq!(
        check(&mut chain, vcf, hmb.clone()),
        Err(AccessDenied::LapsedAtMajority)
    );
    assert_eq!(
        check(&mut chain, bams[1], hmb.clone()),
        Ok(vec![g_mother]),
        "the parents' own grants are untouched"
    );
    assert_eq!(
        chain.bio::<Option<Authority>>(STRANGER, "Lineage::authority", (child, account(GUARDIAN))),
        None
    );
    assert_eq!(
        chain.consent::<ConsentResult<u128>>(
            GUARDIAN,
            "grant",
            (
                child,
                account(RESEARCHER),
                child,
                hmb.clone(),
                chain.now() + DAY
            )
        ),
        Err(consent::Error::NotSubjectOrGuardian)
    );
    assert_eq!(
        chain.consent::<ConsentResult<u64>>(
            DATA_HOST,
            "record_access",
            (account(RESEARCHER), vcf, hmb.clone())
        ),
        Err(consent::Error::Denied(AccessDenied::LapsedAtMajority))
    );

    // The claim needs both factors: the claim key alone (a guardian holding the secret) fails…
    assert_eq!(
        chain.bio::<BioResult<()>>(
            GUARDIAN,
            "claim_majority",
            (child, chain.claim_signature(SECRET, child, GUARDIAN))
        ),
        Err(biosample::Error::NotAttested)
    );
    // …the custodian attests the grown-up subject it verified in person…
    chain
        .bio::<BioResult<()>>(BIOBANK, "attest_claimant", (child, account(CHILD)))
        .unwrap();
    assert!(matches!(
        &chain.take_events()[..],
        [Event::Biosample(BiosampleEvent::ClaimantAttested(ClaimantAttested { claimant, .. }))]
            if *claimant == account(CHILD)
    ));
    // …an attestation without the key fails…
    assert_eq!(
        chain.bio::<BioResult<()>>(
            CHILD,
            "claim_majority",
            (child, chain.claim_signature(b"a guess", child, CHILD))
        ),
        Err(biosample::Error::ClaimMismatch)
    );
    // …and with both, the subject takes the token.
    chain
        .bio::<BioResult<()>>(
            CHILD,
            "claim_majority",
            (child, chain.claim_signature(SECRET, child, CHILD)),
        )
        .unwrap();
    let events = chain.take_events();
    assert!(matches!(
        &events[..],
        [
            Event::Biosample(BiosampleEvent::MajorityClaimed(MajorityClaimed { subject, .. })),
            Event::Biosample(BiosampleEvent::Transfer(Transfer { to: Some(to), .. })),
        ] if *subject == account(CHILD) && *to == account(CHILD)
    ));
    assert_eq!(
        chain.bio::<Option<AccountId>>(STRANGER, "PSP34::owner_of", (Id::U128(child),)),
        Some(account(CHILD))
    );
    assert_eq!(
        check(&mut chain, vcf, hmb.clone()),
        Err(AccessDenied::LapsedAtMajority),
        "the claim does not revive the guardians' grant"
    );

    // When the subject confirms the guardians' grant, the joint VCF is usable again.
    chain
        .consent::<ConsentResult<()>>(CHILD, "confirm", (g_child,))
        .unwrap();
    assert!(matches!(
        &chain.take_events()[..],
        [Event::Consent(ConsentEvent::GrantConfirmed(GrantConfirmed { grant, .. }))] if *grant == g_child
    ));
    assert_eq!(check(&mut chain, vcf, hmb.clone()), Ok(all.clone()));
    assert_eq!(
        chain.consent::<ConsentResult<u64>>(
            DATA_HOST,
            "record_access",
            (account(RESEARCHER), vcf, hmb.clone())
        ),
        Ok(2)
    );

    // And when one parent withdraws their sample, the joint VCF is withdrawn with it.
    chain
        .bio::<BioResult<()>>(FATHER, "withdraw", (father,))
        .unwrap();
    assert_eq!(
        check(&mut chain, vcf, hmb.clone()),
        Err(AccessDenied::RecordWithdrawn)
    );
    let view = chain
        .bio::<Option<biosample::RecordView>>(STRANGER, "get_record", (vcf,))
        .unwrap();
    assert_eq!(view.status, RecordStatus::Withdrawn);
    assert_eq!(
        check(&mut chain, bams[0], hmb),
        Ok(vec![g_child]),
        "the child's own branch is untouched"
    );
}

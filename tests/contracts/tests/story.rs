//! The whole BioNFT story on the real wasm, in drink's pallet-contracts sandbox.

use bionft_primitives::{digest_alg, RecordStatus};
use biosample::events::{
    ArtifactRegistered, BiosampleEvent, MajorityClaimed, RecordWithdrawn, SampleMinted, Transfer,
};
use consent::events::{AccessRecorded, ConsentEvent, GrantIssued, GrantRevoked};
use contract_tests::who::*;
use contract_tests::*;

type BioResult<T> = Result<T, biosample::Error>;
type ConsentResult<T> = Result<T, consent::Error>;
type Access = Result<u128, AccessDenied>;

const SECRET: &[u8] = b"sealed envelope handed to the parents";

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
                digest_alg::BIONFT_CONTENT_V1,
            ),
        )
        .expect("registration is allowed")
}

#[test]
fn mint_register_grant_check_receipt_revoke_majority_regrant_withdraw() {
    let mut chain = Chain::new();
    let majority = YearMonth {
        year: 2044,
        month: 3,
    };

    // Given a biobank mints a newborn's sample with two guardians.
    let sample = chain
        .bio::<BioResult<RecordId>>(
            BIOBANK,
            "mint_sample",
            (
                commitment(1),
                vec![account(GUARDIAN), account(GUARDIAN2)],
                claim_commitment(SECRET),
                Some(majority),
            ),
        )
        .unwrap();
    let events = chain.take_events();
    assert!(matches!(
        &events[0],
        Event::Biosample(BiosampleEvent::SampleMinted(SampleMinted { sample: 1, .. }))
    ));
    assert!(matches!(
        &events[1],
        Event::Biosample(BiosampleEvent::Transfer(Transfer { from: None, .. }))
    ));
    assert_eq!(chain.bio::<u128>(STRANGER, "PSP34::total_supply", ()), 1);
    assert_eq!(
        chain.bio::<BioResult<bool>>(STRANGER, "locked", (bionft_primitives::Id::U128(sample),)),
        Ok(true)
    );

    // When the lineage is registered: aliquot → two runs → two BAMs → one VCF over both BAMs.
    let aliquot = register(&mut chain, BIOBANK, RecordKind::Aliquot, &[sample], 2);
    let run1 = register(
        &mut chain,
        SEQUENCER,
        RecordKind::SequencingRun,
        &[aliquot],
        3,
    );
    let run2 = register(
        &mut chain,
        SEQUENCER,
        RecordKind::SequencingRun,
        &[aliquot],
        4,
    );
    let bam1 = register(&mut chain, SEQUENCER, RecordKind::Alignment, &[run1], 5);
    let bam2 = register(&mut chain, SEQUENCER, RecordKind::Alignment, &[run2], 6);
    let vcf = register(
        &mut chain,
        SEQUENCER,
        RecordKind::Variants,
        &[bam1, bam2],
        7,
    );
    let registered: Vec<ArtifactRegistered> = chain
        .take_events()
        .into_iter()
        .filter_map(|e| match e {
            Event::Biosample(BiosampleEvent::ArtifactRegistered(a)) => Some(a),
            _ => None,
        })
        .collect();
    assert_eq!(registered.len(), 6);
    assert_eq!(registered[5].parents, vec![bam1, bam2]);
    assert!(registered.iter().all(|a| a.sample == sample));
    let vcf_view = chain
        .bio::<Option<biosample::RecordView>>(STRANGER, "get_record", (vcf,))
        .unwrap();
    assert_eq!(vcf_view.status, RecordStatus::Active);
    assert_eq!(
        chain.bio::<Option<RecordId>>(STRANGER, "record_by_commitment", (commitment(7),)),
        Some(vcf)
    );

    // And a guardian grants a researcher HMB use of everything derived from the aliquot for 90 days.
    let expires = chain.now() + 90 * DAY;
    let grant = chain
        .consent::<ConsentResult<u128>>(
            GUARDIAN,
            "grant",
            (
                sample,
                account(RESEARCHER),
                aliquot,
                Purpose::new(duo::HMB),
                expires,
            ),
        )
        .unwrap();
    assert!(matches!(
        &chain.take_events()[..],
        [Event::Consent(ConsentEvent::GrantIssued(GrantIssued { scope, .. }))] if *scope == aliquot
    ));

    // Then the VCF may be used for disease-specific research, but not for ancestry research.
    let ds = Purpose::disease_specific(5_014); // a MONDO disease id
    assert_eq!(
        chain.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER), vcf, ds.clone())
        ),
        Ok(grant)
    );
    assert_eq!(
        chain.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER), vcf, Purpose::new(duo::POA))
        ),
        Err(AccessDenied::PurposeNotPermitted)
    );
    assert_eq!(
        chain.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER2), vcf, ds.clone())
        ),
        Err(AccessDenied::NoGrant)
    );

    // And a data host logs the access as a receipt.
    assert_eq!(
        chain.consent::<ConsentResult<u64>>(DATA_HOST, "record_access", (grant, vcf, ds.clone())),
        Ok(1)
    );
    let receipt = chain.take_events();
    assert!(matches!(
        &receipt[..],
        [Event::Consent(ConsentEvent::AccessRecorded(AccessRecorded { record, data_host, .. }))]
            if *record == vcf && *data_host == account(DATA_HOST)
    ));

    // When the guardian revokes, access is denied and receipts are refused.
    chain
        .consent::<ConsentResult<()>>(GUARDIAN2, "revoke", (grant,))
        .unwrap();
    assert!(matches!(
        &chain.take_events()[..],
        [Event::Consent(ConsentEvent::GrantRevoked(
            GrantRevoked { .. }
        ))]
    ));
    assert_eq!(
        chain.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER), vcf, ds.clone())
        ),
        Err(AccessDenied::NoGrant)
    );
    assert_eq!(
        chain.consent::<ConsentResult<u64>>(DATA_HOST, "record_access", (grant, vcf, ds.clone())),
        Err(consent::Error::Denied(AccessDenied::GrantRevoked))
    );

    // A second guardian grant stays in force until the child comes of age.
    let gru = chain
        .consent::<ConsentResult<u128>>(
            GUARDIAN,
            "grant",
            (
                sample,
                account(RESEARCHER),
                sample,
                Purpose::new(duo::GRU),
                chain.now() + 40 * 365 * DAY,
            ),
        )
        .unwrap();
    assert_eq!(
        chain.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER), bam1, Purpose::new(duo::GRU))
        ),
        Ok(gru)
    );
    assert!(matches!(
        &chain.take_events()[..],
        [Event::Consent(ConsentEvent::GrantIssued(_))]
    ));

    // When the grown-up subject claims majority with the secret's key (after the majority month began)...
    assert_eq!(
        chain.bio::<BioResult<()>>(
            CHILD,
            "claim_majority",
            (sample, chain.claim_signature(SECRET, sample, CHILD))
        ),
        Err(biosample::Error::MajorityNotReached)
    );
    let now = chain.now();
    chain.advance(majority.start_millis() - now);
    assert_eq!(
        chain.bio::<BioResult<()>>(
            CHILD,
            "claim_majority",
            (sample, chain.claim_signature(b"wrong", sample, CHILD))
        ),
        Err(biosample::Error::ClaimMismatch)
    );
    chain
        .bio::<BioResult<()>>(
            CHILD,
            "claim_majority",
            (sample, chain.claim_signature(SECRET, sample, CHILD)),
        )
        .unwrap();
    let events = chain.take_events();
    assert!(
        matches!(&events[0], Event::Biosample(BiosampleEvent::MajorityClaimed(MajorityClaimed { subject, .. })) if *subject == account(CHILD))
    );
    assert_eq!(
        chain.bio::<Option<AccountId>>(
            STRANGER,
            "PSP34::owner_of",
            (bionft_primitives::Id::U128(sample),)
        ),
        Some(account(CHILD))
    );

    // ...then the guardians' grant lapses and the guardians can no longer grant.
    assert_eq!(
        chain.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER), bam1, Purpose::new(duo::GRU))
        ),
        Err(AccessDenied::LapsedAtMajority)
    );
    assert_eq!(
        chain.consent::<ConsentResult<u128>>(
            GUARDIAN,
            "grant",
            (
                sample,
                account(RESEARCHER),
                sample,
                Purpose::new(duo::GRU),
                chain.now() + DAY
            )
        ),
        Err(consent::Error::NotSubjectOrGuardian)
    );

    // When the subject re-grants in their own name, access is back.
    let own = chain
        .consent::<ConsentResult<u128>>(
            CHILD,
            "grant",
            (
                sample,
                account(RESEARCHER),
                bam1,
                Purpose::new(duo::HMB),
                chain.now() + 30 * DAY,
            ),
        )
        .unwrap();
    assert_eq!(
        chain.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER), bam1, Purpose::new(duo::HMB))
        ),
        Ok(own)
    );

    // When the subject withdraws the alignment, it and the VCF derived from it are withdrawn and access ends.
    chain
        .bio::<BioResult<()>>(CHILD, "withdraw", (bam1,))
        .unwrap();
    assert!(matches!(
        &chain.take_events()[..],
        [_, Event::Biosample(BiosampleEvent::RecordWithdrawn(RecordWithdrawn { record, .. }))] if *record == bam1
    ));
    for record in [bam1, vcf] {
        let view = chain
            .bio::<Option<biosample::RecordView>>(STRANGER, "get_record", (record,))
            .unwrap();
        assert_eq!(view.status, RecordStatus::Withdrawn);
        assert_eq!(
            chain.consent::<Access>(
                STRANGER,
                "check_access",
                (account(RESEARCHER), record, Purpose::new(duo::HMB))
            ),
            Err(AccessDenied::RecordWithdrawn)
        );
    }
    let bam2_view = chain
        .bio::<Option<biosample::RecordView>>(STRANGER, "get_record", (bam2,))
        .unwrap();
    assert_eq!(
        bam2_view.status,
        RecordStatus::Active,
        "the sibling branch is untouched"
    );
}

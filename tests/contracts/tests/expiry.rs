//! Expiry driven by the sandbox's block timestamp (pallet-timestamp), on the real wasm.

use contract_tests::who::*;
use contract_tests::*;

type Access = Result<u128, AccessDenied>;

#[test]
fn a_grant_counts_until_its_expiry_instant_and_not_after() {
    let mut c = Chain::new();
    let sample: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(1),
            vec![account(GUARDIAN)],
            claim_commitment(b"s"),
            None::<YearMonth>,
        ),
    );
    let sample = sample.unwrap();
    let expires = c.now() + 10 * DAY;
    let grant: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            sample,
            account(RESEARCHER),
            sample,
            Purpose::new(duo::GRU),
            expires,
        ),
    );
    let grant = grant.unwrap();
    let check = |c: &mut Chain| {
        c.consent::<Access>(
            STRANGER,
            "check_access",
            (account(RESEARCHER), sample, Purpose::new(duo::GRU)),
        )
    };

    c.advance(10 * DAY - 1);
    assert_eq!(check(&mut c), Ok(grant), "one millisecond before expiry");
    let receipt: Result<u64, consent::Error> = c.consent(
        DATA_HOST,
        "record_access",
        (grant, sample, Purpose::new(duo::GRU)),
    );
    assert_eq!(receipt, Ok(1));

    c.advance(1);
    assert_eq!(
        check(&mut c),
        Err(AccessDenied::GrantExpired),
        "at the expiry instant"
    );
    let receipt: Result<u64, consent::Error> = c.consent(
        DATA_HOST,
        "record_access",
        (grant, sample, Purpose::new(duo::GRU)),
    );
    assert_eq!(
        receipt,
        Err(consent::Error::Denied(AccessDenied::GrantExpired))
    );

    let stale: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            sample,
            account(RESEARCHER),
            sample,
            Purpose::new(duo::GRU),
            c.now(),
        ),
    );
    assert_eq!(stale, Err(consent::Error::ExpiryInPast));
    let renewed: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            sample,
            account(RESEARCHER),
            sample,
            Purpose::new(duo::GRU),
            c.now() + DAY,
        ),
    );
    assert_eq!(check(&mut c), Ok(renewed.unwrap()));
}

#[test]
fn majority_cannot_be_claimed_before_its_month() {
    let mut c = Chain::new();
    let month = YearMonth {
        year: 2026,
        month: 2,
    };
    let sample: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(1),
            vec![account(GUARDIAN)],
            claim_commitment(b"s"),
            Some(month),
        ),
    );
    let sample = sample.unwrap();
    let until_month = month.start_millis() - c.now();
    c.advance(until_month - 1);
    let early: Result<(), biosample::Error> = c.bio(
        CHILD,
        "claim_majority",
        (sample, c.claim_signature(b"s", sample, CHILD)),
    );
    assert_eq!(early, Err(biosample::Error::MajorityNotReached));
    c.advance(1);
    let on_time: Result<(), biosample::Error> = c.bio(
        CHILD,
        "claim_majority",
        (sample, c.claim_signature(b"s", sample, CHILD)),
    );
    assert_eq!(on_time, Ok(()));
}

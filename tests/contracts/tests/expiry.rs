//! Expiry driven by the sandbox's block timestamp (pallet-timestamp), on the real wasm.

use contract_tests::who::*;
use contract_tests::*;

type Access = Result<Vec<u128>, AccessDenied>;

const LATE: YearMonth = YearMonth {
    year: 2040,
    month: 1,
};

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
            LATE,
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
    assert_eq!(
        check(&mut c),
        Ok(vec![grant]),
        "one millisecond before expiry"
    );
    let receipt: Result<u64, consent::Error> = c.consent(
        DATA_HOST,
        "record_access",
        (account(RESEARCHER), sample, Purpose::new(duo::GRU)),
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
        (account(RESEARCHER), sample, Purpose::new(duo::GRU)),
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
    assert_eq!(check(&mut c), Ok(vec![renewed.unwrap()]));
    let too_long: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            sample,
            account(RESEARCHER),
            sample,
            Purpose::new(duo::GRU),
            c.now() + bionft_primitives::MAX_GRANT_MILLIS + 1,
        ),
    );
    assert_eq!(too_long, Err(consent::Error::GrantTooLong));
    let longest: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            sample,
            account(RESEARCHER),
            sample,
            Purpose::new(duo::GRU),
            c.now() + bionft_primitives::MAX_GRANT_MILLIS,
        ),
    );
    assert!(
        longest.is_ok(),
        "exactly five years is allowed: {longest:?}"
    );
}

#[test]
fn majority_cannot_be_claimed_before_its_month_and_guardianship_ends_at_its_first_instant() {
    let mut c = Chain::new();
    let month = YearMonth {
        year: 2026,
        month: 2,
    };
    let past: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(9),
            vec![account(GUARDIAN)],
            claim_commitment(b"s"),
            YearMonth {
                year: 2026,
                month: 1,
            },
        ),
    );
    assert_eq!(
        past,
        Err(biosample::Error::MajorityInPast),
        "the current month has begun"
    );
    let sample: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(1),
            vec![account(GUARDIAN)],
            claim_commitment(b"s"),
            month,
        ),
    );
    let sample = sample.unwrap();
    let until_month = month.start_millis() - c.now();
    c.advance(until_month - 1);
    let early: Result<(), biosample::Error> =
        c.bio(BIOBANK, "attest_claimant", (sample, account(CHILD)));
    assert_eq!(early, Err(biosample::Error::MajorityNotReached));
    let early: Result<(), biosample::Error> = c.bio(
        CHILD,
        "claim_majority",
        (sample, c.claim_signature(b"s", sample, CHILD)),
    );
    assert_eq!(early, Err(biosample::Error::MajorityNotReached));
    let resigned: Result<(), biosample::Error> =
        c.bio(GUARDIAN, "nominate_guardian", (sample, account(GUARDIAN2)));
    assert_eq!(resigned, Ok(()), "the guardian still acts in the last ms");
    c.advance(1);
    let late: Result<(), biosample::Error> =
        c.bio(GUARDIAN, "nominate_guardian", (sample, account(GUARDIAN3)));
    assert_eq!(late, Err(biosample::Error::GuardianshipEnded));
    let attested: Result<(), biosample::Error> =
        c.bio(BIOBANK, "attest_claimant", (sample, account(CHILD)));
    assert_eq!(attested, Ok(()));
    let on_time: Result<(), biosample::Error> = c.bio(
        CHILD,
        "claim_majority",
        (sample, c.claim_signature(b"s", sample, CHILD)),
    );
    assert_eq!(on_time, Ok(()));
    let again: Result<(), biosample::Error> = c.bio(
        CHILD,
        "claim_majority",
        (sample, c.claim_signature(b"s", sample, CHILD)),
    );
    assert_eq!(again, Err(biosample::Error::MajorityClaimed));
}

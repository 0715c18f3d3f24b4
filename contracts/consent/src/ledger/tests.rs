//! Native tests of the ledger's rules against a table standing in for `biosample`.

use super::*;
use bionft_primitives::{duo, Guardian, Recorded};
use std::collections::HashMap;

/// Guardian `n`'s seat in term `term`.
fn seat(n: u8, term: u32) -> Guardian {
    Guardian { key: acct(n), term }
}

fn acct(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

const ADMIN: u8 = 1;
const HOST: u8 = 4;
const G1: u8 = 5;
const G2: u8 = 6;
const CHILD: u8 = 7;
const STRANGER: u8 = 8;
const RESEARCHER: u8 = 10;
const MOTHER: u8 = 11;
const DAY: Timestamp = 86_400_000;
/// Sample 1's majority month begins on day 2000.
const MAJORITY_AT: Timestamp = 2_000 * DAY;

/// Sample 1 (a newborn: guardians G1, G2) → aliquot 2 → bam 3 → vcf 4;
/// aliquot 5 is a sibling branch; sample 10 is the mother's own
/// (self-consenting) → bam 11; 12 is the joint call over bams 3 and 11.
struct Table {
    parents: HashMap<RecordId, Vec<RecordId>>,
    withdrawn: Vec<RecordId>,
    superseded: Vec<RecordId>,
    guardians: HashMap<RecordId, Vec<Guardian>>,
    subject: HashMap<RecordId, AccountId>,
    now: Timestamp,
    paused: bool,
}

impl Table {
    fn lineage(&self, record: RecordId) -> Vec<RecordId> {
        let mut lineage = vec![record];
        let mut i = 0;
        while i < lineage.len() {
            for p in &self.parents[&lineage[i]] {
                if !lineage.contains(p) {
                    lineage.push(*p);
                }
            }
            i += 1;
        }
        lineage
    }

    fn samples_of(&self, record: RecordId) -> Vec<RecordId> {
        let mut roots: Vec<RecordId> = self
            .lineage(record)
            .into_iter()
            .filter(|r| self.parents[r].is_empty())
            .collect();
        roots.sort_unstable();
        roots
    }

    fn majority_at(&self, sample: RecordId) -> Option<Timestamp> {
        (sample == 1).then_some(MAJORITY_AT)
    }
}

impl LineageSource for Table {
    fn access_context(&self, record: RecordId) -> Option<AccessContext> {
        if !self.parents.contains_key(&record) {
            return None;
        }
        let lineage = self.lineage(record);
        let samples = self
            .samples_of(record)
            .into_iter()
            .map(|s| SampleContext {
                sample: s,
                subject: self.subject.get(&s).copied(),
                majority_at: self.majority_at(s),
                guardians: self.guardians.get(&s).cloned().unwrap_or_default(),
            })
            .collect();
        Some(AccessContext {
            samples,
            withdrawn: lineage.iter().any(|r| self.withdrawn.contains(r)),
            superseded: self.superseded.contains(&record),
            lineage,
        })
    }

    fn authority(&self, sample: RecordId, account: AccountId) -> Option<Authority> {
        if self.subject.get(&sample) == Some(&account) {
            return Some(Authority::Subject);
        }
        let in_office = self.majority_at(sample).is_some_and(|at| self.now < at)
            && !self.subject.contains_key(&sample);
        (in_office
            && self
                .guardians
                .get(&sample)?
                .iter()
                .any(|g| g.key == account))
        .then_some(Authority::Guardian)
    }

    fn has_role(&self, account: AccountId, role: Role) -> bool {
        role == Role::DataHost && account == acct(HOST)
    }

    fn admin(&self) -> AccountId {
        acct(ADMIN)
    }

    fn paused(&self) -> bool {
        self.paused
    }
}

struct World {
    ledger: Ledger,
    table: Table,
    ev: Recorded,
}

impl World {
    fn new() -> Self {
        ink::env::test::set_callee::<ink::env::DefaultEnvironment>(acct(0xc1));
        let mut table = Table {
            parents: HashMap::new(),
            withdrawn: vec![],
            superseded: vec![],
            guardians: HashMap::new(),
            subject: HashMap::new(),
            now: 1_000 * DAY,
            paused: false,
        };
        for (r, ps) in [
            (1, vec![]),
            (2, vec![1]),
            (3, vec![2]),
            (4, vec![3]),
            (5, vec![1]),
            (10, vec![]),
            (11, vec![10]),
            (12, vec![3, 11]),
        ] {
            table.parents.insert(r, ps);
        }
        table.guardians.insert(1, vec![seat(G1, 0), seat(G2, 1)]);
        table.subject.insert(10, acct(MOTHER));
        World {
            ledger: Ledger::default(),
            table,
            ev: Recorded::default(),
        }
    }

    fn env(&self, caller: u8) -> Env {
        Env {
            caller: acct(caller),
            now: self.table.now,
            block: 1,
        }
    }

    /// `caller` grants RESEARCHER `purpose` on `scope` for `days`, speaking for `sample`.
    fn grant_for(
        &mut self,
        caller: u8,
        sample: RecordId,
        scope: RecordId,
        purpose: Purpose,
        days: u64,
    ) -> Result<GrantId> {
        let env = self.env(caller);
        self.ledger.grant(
            &env,
            &self.table,
            sample,
            acct(RESEARCHER),
            scope,
            purpose,
            self.table.now + days * DAY,
            &mut self.ev,
        )
    }

    fn grant(
        &mut self,
        caller: u8,
        scope: RecordId,
        purpose: Purpose,
        days: u64,
    ) -> Result<GrantId> {
        let sample = self.table.samples_of(scope)[0];
        self.grant_for(caller, sample, scope, purpose, days)
    }

    fn check_purpose(
        &self,
        record: RecordId,
        purpose: &Purpose,
    ) -> core::result::Result<Vec<GrantId>, AccessDenied> {
        self.ledger.check_access(
            &self.env(STRANGER),
            &self.table,
            acct(RESEARCHER),
            record,
            purpose,
        )
    }

    fn check(
        &self,
        record: RecordId,
        purpose: u32,
    ) -> core::result::Result<Vec<GrantId>, AccessDenied> {
        self.check_purpose(record, &Purpose::new(purpose))
    }

    fn record_access(&mut self, caller: u8, record: RecordId, purpose: Purpose) -> Result<u64> {
        let env = self.env(caller);
        self.ledger.record_access(
            &env,
            &self.table,
            acct(RESEARCHER),
            record,
            purpose,
            &mut self.ev,
        )
    }
}

#[test]
fn only_the_current_authority_grants_within_its_subject() {
    let mut w = World::new();
    assert_eq!(
        w.grant(STRANGER, 2, Purpose::new(duo::GRU), 30),
        Err(Error::NotSubjectOrGuardian)
    );
    assert_eq!(
        w.grant_for(G1, 1, 10, Purpose::new(duo::GRU), 30),
        Err(Error::ScopeOutsideSubject)
    );
    assert_eq!(
        w.grant_for(G1, 10, 11, Purpose::new(duo::GRU), 30),
        Err(Error::NotSubjectOrGuardian),
        "the child's guardian does not speak for the mother"
    );
    assert_eq!(
        w.grant_for(G1, 1, 99, Purpose::new(duo::GRU), 30),
        Err(Error::UnknownRecord)
    );
    assert_eq!(
        w.grant(G1, 2, Purpose::new(duo::GRU), 0),
        Err(Error::ExpiryInPast)
    );
    assert_eq!(
        w.grant(G1, 2, Purpose::new(duo::DS), 30),
        Err(Error::InvalidPurpose(duo::PurposeError::DiseaseMismatch))
    );
    let env = w.env(G1);
    let too_long = w.ledger.grant(
        &env,
        &w.table,
        1,
        acct(RESEARCHER),
        2,
        Purpose::new(duo::GRU),
        w.table.now + MAX_GRANT_MILLIS + 1,
        &mut w.ev,
    );
    assert_eq!(too_long, Err(Error::GrantTooLong));
    w.table.superseded.push(2);
    assert_eq!(
        w.grant(G1, 2, Purpose::new(duo::GRU), 30),
        Err(Error::RecordSuperseded)
    );
    w.table.withdrawn.push(3);
    assert_eq!(
        w.grant(G1, 4, Purpose::new(duo::GRU), 30),
        Err(Error::RecordWithdrawn)
    );
    assert!(w.ev.0.is_empty(), "refused calls emit nothing");
    let id = w.grant(G1, 5, Purpose::new(duo::GRU), 30).unwrap();
    assert_eq!(id, 1);
    let issued = w.ev.of::<GrantIssued>();
    assert_eq!(
        (issued[0].scope, issued[0].issuer, issued[0].epoch),
        (5, Authority::Guardian, 0)
    );
    let full_term = w.ledger.grant(
        &env,
        &w.table,
        1,
        acct(RESEARCHER),
        5,
        Purpose::new(duo::GRU),
        w.table.now + MAX_GRANT_MILLIS,
        &mut w.ev,
    );
    assert!(full_term.is_ok(), "exactly five years is allowed");
}

#[test]
fn scope_covers_descendants_only() {
    let mut w = World::new();
    let id = w.grant(G1, 2, Purpose::new(duo::HMB), 30).unwrap();
    assert_eq!(w.check(2, duo::HMB), Ok(vec![id]));
    assert_eq!(w.check(4, duo::HMB), Ok(vec![id]));
    assert_eq!(w.check(1, duo::HMB), Err(AccessDenied::OutsideScope));
    assert_eq!(w.check(5, duo::HMB), Err(AccessDenied::OutsideScope));
    assert_eq!(w.check(11, duo::HMB), Err(AccessDenied::NoGrant));
    assert_eq!(w.check(99, duo::HMB), Err(AccessDenied::UnknownRecord));
    let mut malformed = Purpose::new(duo::HMB);
    malformed.modifiers = vec![46, 21];
    assert_eq!(
        w.check_purpose(4, &malformed),
        Err(AccessDenied::InvalidPurpose)
    );
    w.table.superseded.push(4);
    assert_eq!(w.check(4, duo::HMB), Err(AccessDenied::RecordSuperseded));
}

#[test]
fn duo_hierarchy_modifiers_expiry_and_revocation_are_honoured() {
    let mut w = World::new();
    let id = w.grant(G1, 1, Purpose::new(duo::HMB), 30).unwrap();
    assert_eq!(w.check(3, duo::POA), Err(AccessDenied::PurposeNotPermitted));
    assert_eq!(w.check(3, duo::GRU), Err(AccessDenied::PurposeNotPermitted));
    w.table.now += 30 * DAY - 1;
    assert_eq!(w.check(3, duo::HMB), Ok(vec![id]));
    w.table.now += 1;
    assert_eq!(w.check(3, duo::HMB), Err(AccessDenied::GrantExpired));
    let npoa = w
        .grant(
            G1,
            1,
            Purpose::new(duo::NRES).with_modifiers(&[duo::NPOA]),
            30,
        )
        .unwrap();
    assert_eq!(w.check(3, duo::GRU), Err(AccessDenied::PurposeNotPermitted));
    assert_eq!(
        w.check(3, duo::NRES),
        Err(AccessDenied::PurposeNotPermitted)
    );
    let promised = Purpose::new(duo::GRU).with_modifiers(&[duo::NPOA]);
    assert_eq!(w.check_purpose(3, &promised), Ok(vec![npoa]));
    let env = w.env(STRANGER);
    assert_eq!(
        w.ledger.revoke(&env, &w.table, npoa, &mut w.ev),
        Err(Error::NotSubjectOrGuardian)
    );
    // Either guardian may revoke the other's grant.
    let env = w.env(G2);
    w.ledger.revoke(&env, &w.table, npoa, &mut w.ev).unwrap();
    assert_eq!(
        w.ledger.revoke(&env, &w.table, npoa, &mut w.ev),
        Err(Error::AlreadyRevoked)
    );
    assert_eq!(
        w.ledger.revoke(&env, &w.table, 77, &mut w.ev),
        Err(Error::UnknownGrant)
    );
    assert_eq!(
        w.check_purpose(3, &promised),
        Err(AccessDenied::NoGrant),
        "the expired grant gave up its slot when the NPOA grant was issued"
    );
    assert!(w.ledger.get_grant(npoa).unwrap().revoked);
    assert_eq!(w.ev.of::<GrantRevoked>().len(), 1);
}

#[test]
fn withdrawal_of_records_and_of_consent() {
    let mut w = World::new();
    let id = w.grant(G1, 1, Purpose::new(duo::GRU), 30).unwrap();
    let env = w.env(STRANGER);
    assert_eq!(
        w.ledger.withdraw_all(&env, &w.table, 1, &mut w.ev),
        Err(Error::NotSubjectOrGuardian)
    );
    let env = w.env(G1);
    w.ledger.withdraw_all(&env, &w.table, 1, &mut w.ev).unwrap();
    assert_eq!(w.ledger.epoch(1), 1);
    assert_eq!(w.check(4, duo::GRU), Err(AccessDenied::ConsentWithdrawn));
    let fresh = w.grant(G1, 1, Purpose::new(duo::GRU), 30).unwrap();
    assert_eq!(w.check(4, duo::GRU), Ok(vec![fresh]));
    assert_ne!(fresh, id);
    w.table.withdrawn.push(3);
    assert_eq!(w.check(4, duo::GRU), Err(AccessDenied::RecordWithdrawn));
    assert_eq!(w.check(5, duo::GRU), Ok(vec![fresh]));
    assert_eq!(w.ev.of::<ConsentWithdrawn>()[0].epoch, 1);
}

#[test]
fn a_removed_guardians_grants_stop_counting() {
    let mut w = World::new();
    let by_g2 = w.grant(G2, 2, Purpose::new(duo::GRU), 30).unwrap();
    assert_eq!(w.check(3, duo::GRU), Ok(vec![by_g2]));
    w.table.guardians.insert(1, vec![seat(G1, 0)]);
    assert_eq!(
        w.check(3, duo::GRU),
        Err(AccessDenied::IssuerNoLongerGuardian)
    );
    let by_g1 = w.grant(G1, 2, Purpose::new(duo::GRU), 30).unwrap();
    assert_eq!(w.check(3, duo::GRU), Ok(vec![by_g1]));
}

#[test]
fn a_guardian_approved_again_does_not_revive_grants_from_an_earlier_term() {
    let mut w = World::new();
    let old = w.grant(G2, 2, Purpose::new(duo::GRU), 30).unwrap();
    // Removed, then nominated and approved again: the same key, a new term.
    w.table.guardians.insert(1, vec![seat(G1, 0)]);
    w.table.guardians.insert(1, vec![seat(G1, 0), seat(G2, 2)]);
    assert_eq!(
        w.check(3, duo::GRU),
        Err(AccessDenied::IssuerNoLongerGuardian),
        "grant {old} was issued in G2's first term"
    );
    let new = w.grant(G2, 2, Purpose::new(duo::GRU), 30).unwrap();
    assert_eq!(w.ledger.get_grant(new).unwrap().issuer_term, 2);
    assert_eq!(w.check(3, duo::GRU), Ok(vec![new]));
}

#[test]
fn guardian_grants_lapse_at_the_majority_month_unless_the_subject_confirms() {
    let mut w = World::new();
    let a = w.grant(G1, 1, Purpose::new(duo::GRU), 1_500).unwrap();
    let b = w.grant(G1, 2, Purpose::new(duo::GRU), 1_500).unwrap();
    w.table.now = MAJORITY_AT - 1;
    assert_eq!(w.check(3, duo::GRU), Ok(vec![a]));
    // The month begins: nobody has claimed yet, and the guardians' grants lapse.
    w.table.now = MAJORITY_AT;
    assert_eq!(w.check(3, duo::GRU), Err(AccessDenied::LapsedAtMajority));
    assert_eq!(
        w.grant(G1, 1, Purpose::new(duo::GRU), 30),
        Err(Error::NotSubjectOrGuardian)
    );
    w.table.subject.insert(1, acct(CHILD));
    let env = w.env(G1);
    assert_eq!(
        w.ledger.confirm(&env, &w.table, b, &mut w.ev),
        Err(Error::NotSubjectOrGuardian)
    );
    let env = w.env(MOTHER);
    assert_eq!(
        w.ledger.confirm(&env, &w.table, b, &mut w.ev),
        Err(Error::NotSubjectOrGuardian),
        "the mother is a subject of her own sample, not the child's"
    );
    let env = w.env(CHILD);
    w.ledger.confirm(&env, &w.table, b, &mut w.ev).unwrap();
    assert_eq!(
        w.ledger.confirm(&env, &w.table, b, &mut w.ev),
        Err(Error::AlreadyConfirmed)
    );
    assert_eq!(w.check(3, duo::GRU), Ok(vec![b]));
    assert_eq!(
        w.check(5, duo::GRU),
        Err(AccessDenied::LapsedAtMajority),
        "a is still unconfirmed"
    );
    let own = w.grant(CHILD, 1, Purpose::new(duo::HMB), 30).unwrap();
    assert_eq!(w.check(5, duo::HMB), Ok(vec![own]));
    assert_eq!(
        w.ledger.confirm(&env, &w.table, own, &mut w.ev),
        Err(Error::NotIssuedByGuardian)
    );
    w.ledger.revoke(&env, &w.table, a, &mut w.ev).unwrap();
    assert_eq!(
        w.ledger.confirm(&env, &w.table, a, &mut w.ev),
        Err(Error::GrantNotInForce)
    );
}

#[test]
fn a_joint_record_needs_a_covering_grant_from_every_sample() {
    let mut w = World::new();
    let child = w.grant(G1, 1, Purpose::new(duo::HMB), 30).unwrap();
    assert_eq!(
        w.check(12, duo::HMB),
        Err(AccessDenied::NoGrant),
        "the mother has not consented"
    );
    assert_eq!(
        w.grant_for(MOTHER, 1, 12, Purpose::new(duo::HMB), 30),
        Err(Error::NotSubjectOrGuardian),
        "the mother cannot speak for the child"
    );
    let mother_gru = w
        .grant_for(
            MOTHER,
            10,
            12,
            Purpose::new(duo::DS).with_modifiers(&[]),
            30,
        )
        .unwrap_err();
    assert_eq!(
        mother_gru,
        Error::InvalidPurpose(duo::PurposeError::DiseaseMismatch)
    );
    let mother = w
        .grant_for(MOTHER, 10, 12, Purpose::disease_specific(4989), 30)
        .unwrap();
    assert_eq!(
        w.check(12, duo::HMB),
        Err(AccessDenied::PurposeNotPermitted),
        "the same purpose must be covered by both"
    );
    let ds = Purpose::disease_specific(4989);
    assert_eq!(w.check_purpose(12, &ds), Ok(vec![child, mother]));
    assert_eq!(
        w.check(11, duo::HMB),
        Err(AccessDenied::OutsideScope),
        "the mother's grant on the joint record does not open her own BAM"
    );
    assert_eq!(w.record_access(HOST, 12, ds.clone()), Ok(1));
    assert_eq!(
        w.ev.of::<AccessRecorded>()[0].grants,
        vec![child, mother],
        "the receipt names every grant used"
    );
    // Either contributor's withdrawal of consent closes the joint record.
    let env = w.env(MOTHER);
    w.ledger
        .withdraw_all(&env, &w.table, 10, &mut w.ev)
        .unwrap();
    assert_eq!(
        w.check_purpose(12, &ds),
        Err(AccessDenied::ConsentWithdrawn)
    );
    assert_eq!(w.check_purpose(4, &ds), Ok(vec![child]));
}

#[test]
fn receipts_need_a_data_host_and_a_covering_grant() {
    let mut w = World::new();
    let id = w.grant(G1, 2, Purpose::new(duo::HMB), 30).unwrap();
    let hmb = Purpose::new(duo::HMB);
    assert_eq!(
        w.record_access(STRANGER, 3, hmb.clone()),
        Err(Error::NotDataHost)
    );
    assert_eq!(
        w.record_access(RESEARCHER, 3, hmb.clone()),
        Err(Error::NotDataHost)
    );
    assert_eq!(w.record_access(HOST, 3, hmb.clone()), Ok(1));
    assert_eq!(w.record_access(HOST, 4, hmb.clone()), Ok(2));
    assert_eq!(
        w.record_access(HOST, 5, hmb.clone()),
        Err(Error::Denied(AccessDenied::OutsideScope))
    );
    assert_eq!(
        w.record_access(HOST, 3, Purpose::new(duo::POA)),
        Err(Error::Denied(AccessDenied::PurposeNotPermitted))
    );
    assert_eq!(
        w.record_access(HOST, 3, Purpose::new(99)),
        Err(Error::Denied(AccessDenied::InvalidPurpose)),
        "a malformed purpose never lands in a receipt"
    );
    let receipts = w.ev.of::<AccessRecorded>();
    assert_eq!(receipts.len(), 2);
    assert_eq!(
        (receipts[1].receipt, receipts[1].record, receipts[1].grantee),
        (2, 4, acct(RESEARCHER))
    );
    assert_eq!(receipts[1].grants, vec![id]);
}

#[test]
fn a_pause_refuses_writes_while_checks_go_on() {
    let mut w = World::new();
    let id = w.grant(G1, 2, Purpose::new(duo::HMB), 30).unwrap();
    w.table.paused = true;
    assert_eq!(
        w.grant(G1, 2, Purpose::new(duo::HMB), 30),
        Err(Error::Paused)
    );
    let env = w.env(G1);
    assert_eq!(
        w.ledger.revoke(&env, &w.table, id, &mut w.ev),
        Err(Error::Paused)
    );
    assert_eq!(
        w.ledger.withdraw_all(&env, &w.table, 1, &mut w.ev),
        Err(Error::Paused)
    );
    assert_eq!(
        w.record_access(HOST, 3, Purpose::new(duo::HMB)),
        Err(Error::Paused)
    );
    assert_eq!(w.check(3, duo::HMB), Ok(vec![id]));
    assert_eq!(Ledger::require_admin(&w.env(ADMIN), &w.table), Ok(()));
    assert_eq!(
        Ledger::require_admin(&w.env(G1), &w.table),
        Err(Error::NotAdmin)
    );
}

#[test]
fn grants_per_pair_are_bounded_but_dead_grants_free_their_slot() {
    let mut w = World::new();
    for _ in 0..MAX_GRANTS_PER_PAIR {
        w.grant(G1, 2, Purpose::new(duo::HMB), 1).unwrap();
    }
    assert_eq!(
        w.grant(G1, 2, Purpose::new(duo::HMB), 1),
        Err(Error::TooManyGrants)
    );
    w.table.now += DAY;
    assert!(w.grant(G1, 2, Purpose::new(duo::HMB), 1).is_ok());
    assert_eq!(w.ledger.grants_for(1, acct(RESEARCHER)).len(), 1);
}

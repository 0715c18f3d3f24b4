//! Native tests of the ledger's rules against a table standing in for `biosample`.

use super::*;
use bionft_primitives::{duo, Recorded};
use std::collections::HashMap;

fn acct(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

const G1: u8 = 5;
const CHILD: u8 = 7;
const STRANGER: u8 = 8;
const RESEARCHER: u8 = 10;
const HOST: u8 = 4;

/// Sample 1 → aliquot 2 → bam 3 → vcf 4; aliquot 5 is a sibling branch; sample 10 is another subject.
#[derive(Default)]
struct Table {
    parents: HashMap<RecordId, Vec<RecordId>>,
    withdrawn: Vec<RecordId>,
    guardians: HashMap<RecordId, Vec<AccountId>>,
    subject: HashMap<RecordId, AccountId>,
}

impl Table {
    fn sample_of(&self, mut r: RecordId) -> RecordId {
        while let Some(p) = self.parents.get(&r).and_then(|ps| ps.first()) {
            r = *p;
        }
        r
    }
}

impl LineageSource for Table {
    fn access_context(&self, record: RecordId) -> Option<AccessContext> {
        if !self.parents.contains_key(&record) {
            return None;
        }
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
        let sample = self.sample_of(record);
        Some(AccessContext {
            sample,
            withdrawn: lineage.iter().any(|r| self.withdrawn.contains(r)),
            lineage,
            subject: self.subject.get(&sample).copied(),
        })
    }

    fn authority(&self, sample: RecordId, account: AccountId) -> Option<Authority> {
        match self.subject.get(&sample) {
            Some(s) => (*s == account).then_some(Authority::Subject),
            None => self
                .guardians
                .get(&sample)?
                .contains(&account)
                .then_some(Authority::Guardian),
        }
    }

    fn has_role(&self, account: AccountId, role: Role) -> bool {
        role == Role::DataHost && account == acct(HOST)
    }
}

struct World {
    ledger: Ledger,
    table: Table,
    ev: Recorded,
    now: Timestamp,
}

const DAY: Timestamp = 86_400_000;

impl World {
    fn new() -> Self {
        ink::env::test::set_callee::<ink::env::DefaultEnvironment>(acct(0xc1));
        let mut table = Table::default();
        for (r, ps) in [
            (1, vec![]),
            (2, vec![1]),
            (3, vec![2]),
            (4, vec![3]),
            (5, vec![1]),
            (10, vec![]),
        ] {
            table.parents.insert(r, ps);
        }
        table.guardians.insert(1, vec![acct(G1)]);
        table.guardians.insert(10, vec![acct(STRANGER)]);
        World {
            ledger: Ledger::default(),
            table,
            ev: Recorded::default(),
            now: 1_000 * DAY,
        }
    }

    fn env(&self, caller: u8) -> Env {
        Env {
            caller: acct(caller),
            now: self.now,
            block: 1,
        }
    }

    fn grant(
        &mut self,
        caller: u8,
        scope: RecordId,
        purpose: Purpose,
        days: u64,
    ) -> Result<GrantId> {
        let env = self.env(caller);
        let sample = self.table.sample_of(scope);
        self.ledger.grant(
            &env,
            &self.table,
            sample,
            acct(RESEARCHER),
            scope,
            purpose,
            self.now + days * DAY,
            &mut self.ev,
        )
    }

    fn check(&self, record: RecordId, purpose: u32) -> core::result::Result<GrantId, AccessDenied> {
        self.ledger.check_access(
            &self.env(STRANGER),
            &self.table,
            acct(RESEARCHER),
            record,
            &Purpose::new(purpose),
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
    let env = w.env(G1);
    let other_subject = w.ledger.grant(
        &env,
        &w.table,
        1,
        acct(RESEARCHER),
        10,
        Purpose::new(duo::GRU),
        w.now + DAY,
        &mut w.ev,
    );
    assert_eq!(other_subject, Err(Error::ScopeOutsideSubject));
    let unknown = w.ledger.grant(
        &env,
        &w.table,
        1,
        acct(RESEARCHER),
        99,
        Purpose::new(duo::GRU),
        w.now + DAY,
        &mut w.ev,
    );
    assert_eq!(unknown, Err(Error::UnknownRecord));
    assert_eq!(
        w.grant(G1, 2, Purpose::new(duo::GRU), 0),
        Err(Error::ExpiryInPast)
    );
    assert_eq!(
        w.grant(G1, 2, Purpose::new(duo::DS), 30),
        Err(Error::InvalidPurpose(duo::PurposeError::DiseaseMismatch))
    );
    w.table.withdrawn.push(3);
    assert_eq!(
        w.grant(G1, 4, Purpose::new(duo::GRU), 30),
        Err(Error::RecordWithdrawn)
    );
    assert!(w.ev.0.is_empty(), "refused calls emit nothing");
    let id = w.grant(G1, 2, Purpose::new(duo::GRU), 30).unwrap();
    assert_eq!(id, 1);
    let issued = w.ev.of::<GrantIssued>();
    assert_eq!(issued.len(), 1);
    assert_eq!(
        (issued[0].scope, issued[0].issuer, issued[0].epoch),
        (2, Authority::Guardian, 0)
    );
}

#[test]
fn scope_covers_descendants_only() {
    let mut w = World::new();
    let id = w.grant(G1, 2, Purpose::new(duo::HMB), 30).unwrap();
    assert_eq!(w.check(2, duo::HMB), Ok(id));
    assert_eq!(w.check(4, duo::HMB), Ok(id));
    assert_eq!(w.check(1, duo::HMB), Err(AccessDenied::OutsideScope));
    assert_eq!(w.check(5, duo::HMB), Err(AccessDenied::OutsideScope));
    assert_eq!(w.check(10, duo::HMB), Err(AccessDenied::NoGrant));
    assert_eq!(w.check(99, duo::HMB), Err(AccessDenied::UnknownRecord));
}

#[test]
fn duo_hierarchy_expiry_and_revocation_are_honoured() {
    let mut w = World::new();
    let id = w.grant(G1, 1, Purpose::new(duo::HMB), 30).unwrap();
    assert_eq!(w.check(3, duo::POA), Err(AccessDenied::PurposeNotPermitted));
    assert_eq!(w.check(3, duo::GRU), Err(AccessDenied::PurposeNotPermitted));
    w.now += 30 * DAY - 1;
    assert_eq!(w.check(3, duo::HMB), Ok(id));
    w.now += 1;
    assert_eq!(w.check(3, duo::HMB), Err(AccessDenied::GrantExpired));
    let id2 = w.grant(G1, 1, Purpose::new(duo::GRU), 30).unwrap();
    assert_eq!(w.check(3, duo::POA), Ok(id2));
    let env = w.env(STRANGER);
    assert_eq!(
        w.ledger.revoke(&env, &w.table, id2, &mut w.ev),
        Err(Error::NotSubjectOrGuardian)
    );
    let env = w.env(G1);
    w.ledger.revoke(&env, &w.table, id2, &mut w.ev).unwrap();
    assert_eq!(
        w.ledger.revoke(&env, &w.table, id2, &mut w.ev),
        Err(Error::AlreadyRevoked)
    );
    assert_eq!(
        w.ledger.revoke(&env, &w.table, 77, &mut w.ev),
        Err(Error::UnknownGrant)
    );
    assert_eq!(
        w.check(3, duo::POA),
        Err(AccessDenied::NoGrant),
        "the expired grant gave up its slot when id2 was issued"
    );
    assert!(w.ledger.get_grant(id2).unwrap().revoked);
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
    assert_eq!(w.check(4, duo::GRU), Ok(fresh));
    assert_ne!(fresh, id);
    w.table.withdrawn.push(3);
    assert_eq!(w.check(4, duo::GRU), Err(AccessDenied::RecordWithdrawn));
    assert_eq!(w.check(5, duo::GRU), Ok(fresh));
    assert_eq!(w.ev.of::<ConsentWithdrawn>()[0].epoch, 1);
}

#[test]
fn guardian_grants_lapse_at_majority_unless_confirmed() {
    let mut w = World::new();
    let a = w.grant(G1, 1, Purpose::new(duo::GRU), 30).unwrap();
    let b = w.grant(G1, 2, Purpose::new(duo::GRU), 30).unwrap();
    w.table.subject.insert(1, acct(CHILD));
    assert_eq!(w.check(3, duo::GRU), Err(AccessDenied::LapsedAtMajority));
    assert_eq!(
        w.grant(G1, 1, Purpose::new(duo::GRU), 30),
        Err(Error::NotSubjectOrGuardian)
    );
    let env = w.env(G1);
    assert_eq!(
        w.ledger.confirm(&env, &w.table, b, &mut w.ev),
        Err(Error::NotSubject)
    );
    let env = w.env(CHILD);
    w.ledger.confirm(&env, &w.table, b, &mut w.ev).unwrap();
    assert_eq!(
        w.ledger.confirm(&env, &w.table, b, &mut w.ev),
        Err(Error::AlreadyConfirmed)
    );
    assert_eq!(w.check(3, duo::GRU), Ok(b));
    assert_eq!(
        w.check(5, duo::GRU),
        Err(AccessDenied::LapsedAtMajority),
        "a is still unconfirmed"
    );
    let own = w.grant(CHILD, 1, Purpose::new(duo::HMB), 30).unwrap();
    assert_eq!(w.check(5, duo::HMB), Ok(own));
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
fn receipts_need_a_data_host_and_a_covering_grant() {
    let mut w = World::new();
    let id = w.grant(G1, 2, Purpose::new(duo::HMB), 30).unwrap();
    let purpose = Purpose::new(duo::HMB);
    let env = w.env(STRANGER);
    assert_eq!(
        w.ledger
            .record_access(&env, &w.table, id, 3, purpose.clone(), &mut w.ev),
        Err(Error::NotDataHost)
    );
    let env = w.env(HOST);
    assert_eq!(
        w.ledger
            .record_access(&env, &w.table, id, 3, purpose.clone(), &mut w.ev),
        Ok(1)
    );
    assert_eq!(
        w.ledger
            .record_access(&env, &w.table, id, 4, purpose.clone(), &mut w.ev),
        Ok(2)
    );
    assert_eq!(
        w.ledger
            .record_access(&env, &w.table, id, 5, purpose.clone(), &mut w.ev),
        Err(Error::Denied(AccessDenied::OutsideScope))
    );
    assert_eq!(
        w.ledger
            .record_access(&env, &w.table, 9, 3, purpose.clone(), &mut w.ev),
        Err(Error::Denied(AccessDenied::UnknownGrant))
    );
    assert_eq!(
        w.ledger
            .record_access(&env, &w.table, id, 3, Purpose::new(duo::POA), &mut w.ev),
        Err(Error::Denied(AccessDenied::PurposeNotPermitted))
    );
    let receipts = w.ev.of::<AccessRecorded>();
    assert_eq!(receipts.len(), 2);
    assert_eq!(
        (receipts[1].receipt, receipts[1].record, receipts[1].grantee),
        (2, 4, acct(RESEARCHER))
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
    w.now += DAY;
    assert!(w.grant(G1, 2, Purpose::new(duo::HMB), 1).is_ok());
    assert_eq!(w.ledger.grants_for(1, acct(RESEARCHER)).len(), 1);
}

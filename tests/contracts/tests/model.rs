//! Model-based property test: random sequences of operations run against the
//! real contracts (wasm in drink) and against a deliberately simple in-memory
//! model of who may access what. After every operation the two must agree on
//! whether it was accepted, and on `check_access` for random
//! (grantee, record, purpose) questions: the same grant on yes, the same
//! reason where the model can name it on no.
//!
//! The model is written from the rules in the contracts' docs, not from their
//! code: it keeps whole histories in vectors and recomputes everything by
//! brute force. `PROPTEST_CASES` overrides the number of sequences.

use contract_tests::who::*;
use contract_tests::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use std::cell::RefCell;

const SECRET: &[u8] = b"s";
const RESEARCHERS: [u8; 2] = [RESEARCHER, RESEARCHER2];
/// Who tries the guardian/subject operations.
const ACTORS: [u8; 5] = [GUARDIAN, GUARDIAN, GUARDIAN2, CHILD, STRANGER];

/// Grant purposes the generator picks from, and requested purposes.
fn grant_purpose(i: u8) -> Purpose {
    match i % 5 {
        0 => Purpose::new(duo::NRES),
        1 => Purpose::new(duo::GRU),
        2 => Purpose::new(duo::HMB),
        3 => Purpose::disease_specific(1),
        _ => Purpose::new(duo::POA),
    }
}

fn requested_purpose(i: u8) -> Purpose {
    match i % 5 {
        0 => Purpose::new(duo::GRU),
        1 => Purpose::new(duo::HMB),
        2 => Purpose::disease_specific(1),
        3 => Purpose::disease_specific(2),
        _ => Purpose::new(duo::POA),
    }
}

/// The DUO rule as a plain table: does grant purpose `g` allow requested purpose `r`?
fn model_permits(g: u8, r: u8) -> bool {
    let (g, r) = (g % 5, r % 5);
    match g {
        0 => true,                 // NRES: anything
        1 => true,                 // GRU: GRU, HMB, DS(any), POA
        2 => (1..=3).contains(&r), // HMB: HMB, DS(1), DS(2)
        3 => r == 2,               // DS(1): DS(1) only
        _ => r == 4,               // POA: POA only
    }
}

#[derive(Clone, Debug)]
enum Op {
    Mint {
        both_guardians: bool,
    },
    Register {
        parent: usize,
        second: Option<usize>,
        aliquot: bool,
    },
    Grant {
        actor: usize,
        sample: Option<usize>,
        grantee: usize,
        scope: usize,
        purpose: u8,
        days: u64,
    },
    Revoke {
        actor: usize,
        grant: usize,
    },
    WithdrawAll {
        actor: usize,
        sample: usize,
    },
    WithdrawRecord {
        actor: usize,
        record: usize,
    },
    Claim {
        sample: usize,
    },
    Confirm {
        grant: usize,
    },
    Advance {
        days: u64,
    },
}

fn op() -> impl Strategy<Value = Op> {
    let i = 0usize..64;
    prop_oneof![
        2 => any::<bool>().prop_map(|both_guardians| Op::Mint { both_guardians }),
        4 => (i.clone(), proptest::option::weighted(0.2, 0usize..64), any::<bool>())
            .prop_map(|(parent, second, aliquot)| Op::Register { parent, second, aliquot }),
        6 => (0usize..5, proptest::option::weighted(0.2, i.clone()), 0usize..2, i.clone(), any::<u8>(), 0u64..60)
            .prop_map(|(actor, sample, grantee, scope, purpose, days)| Op::Grant { actor, sample, grantee, scope, purpose, days }),
        1 => (0usize..5, i.clone()).prop_map(|(actor, grant)| Op::Revoke { actor, grant }),
        1 => (0usize..5, i.clone()).prop_map(|(actor, sample)| Op::WithdrawAll { actor, sample }),
        1 => (0usize..5, i.clone()).prop_map(|(actor, record)| Op::WithdrawRecord { actor, record }),
        1 => i.clone().prop_map(|sample| Op::Claim { sample }),
        1 => i.clone().prop_map(|grant| Op::Confirm { grant }),
        2 => (0u64..30).prop_map(|days| Op::Advance { days }),
    ]
}

/// A question asked after each step: (about a grant's own grantee and scope?,
/// grantee index, record or grant index, requested purpose).
type Question = (bool, usize, usize, u8);

struct ModelRecord {
    parents: Vec<RecordId>,
    sample: RecordId,
    aliquot_or_sample: bool,
    withdrawn: bool,
}

struct ModelSample {
    guardians: Vec<u8>,
    subject: Option<u8>,
    epoch: u32,
}

struct ModelGrant {
    sample: RecordId,
    grantee: u8,
    scope: RecordId,
    purpose: u8,
    expires: u64,
    by_guardian: bool,
    epoch: u32,
    revoked: bool,
    confirmed: bool,
}

#[derive(Default)]
struct Model {
    records: Vec<ModelRecord>,
    samples: std::collections::HashMap<RecordId, ModelSample>,
    grants: Vec<ModelGrant>,
}

impl Model {
    fn record(&self, id: RecordId) -> Option<&ModelRecord> {
        self.records.get((id as usize).checked_sub(1)?)
    }

    /// `id` and all its ancestors.
    fn lineage(&self, id: RecordId) -> Vec<RecordId> {
        let mut out = vec![id];
        let mut i = 0;
        while i < out.len() {
            for p in &self.record(out[i]).unwrap().parents {
                if !out.contains(p) {
                    out.push(*p);
                }
            }
            i += 1;
        }
        out
    }

    fn withdrawn(&self, id: RecordId) -> bool {
        self.lineage(id)
            .iter()
            .any(|r| self.record(*r).unwrap().withdrawn)
    }

    /// Does `actor` speak for `sample` now?
    fn speaks_for(&self, sample: RecordId, actor: u8) -> bool {
        self.samples.get(&sample).is_some_and(|s| match s.subject {
            Some(subject) => subject == actor,
            None => s.guardians.contains(&actor),
        })
    }

    fn grant_counts(&self, g: &ModelGrant, record: RecordId, purpose: u8, now: u64) -> bool {
        let s = &self.samples[&g.sample];
        !g.revoked
            && g.epoch == s.epoch
            && !(s.subject.is_some() && g.by_guardian && !g.confirmed)
            && now < g.expires
            && self.lineage(record).contains(&g.scope)
            && model_permits(g.purpose, purpose)
    }

    /// The model's answer: the lowest grant id that covers, or a denial
    /// (named only where the model knows the name: unknown, withdrawn, no grant at all).
    fn check(
        &self,
        grantee: u8,
        record: RecordId,
        purpose: u8,
        now: u64,
    ) -> Result<u128, Option<AccessDenied>> {
        let Some(r) = self.record(record) else {
            return Err(Some(AccessDenied::UnknownRecord));
        };
        if self.withdrawn(record) {
            return Err(Some(AccessDenied::RecordWithdrawn));
        }
        let mut any = false;
        for (i, g) in self.grants.iter().enumerate() {
            if g.sample == r.sample && g.grantee == grantee {
                any = true;
                if self.grant_counts(g, record, purpose, now) {
                    return Ok(i as u128 + 1);
                }
            }
        }
        Err(if any {
            None
        } else {
            Some(AccessDenied::NoGrant)
        })
    }
}

/// Picks the `i`-th existing id (1-based ids), or an id that does not exist when there are none.
fn pick(i: usize, count: usize) -> u128 {
    if count == 0 {
        1_000
    } else {
        (i % count) as u128 + 1
    }
}

/// What a run exercised, so the test can show it was not vacuous.
#[derive(Default, Debug, Clone, Copy)]
struct Stats {
    accepted: usize,
    checks: usize,
    allowed: usize,
}

fn run_sequence(
    chain: &mut Chain,
    ops: &[(Op, Vec<Question>)],
    stats: &mut Stats,
) -> Result<(), TestCaseError> {
    let mut m = Model::default();
    for (step, (op, questions)) in ops.iter().enumerate() {
        let now = chain.now();
        let (accepted, model_accepts) = match op.clone() {
            Op::Mint { both_guardians } => {
                let guardians = if both_guardians {
                    vec![GUARDIAN, GUARDIAN2]
                } else {
                    vec![GUARDIAN]
                };
                let c = commitment_for(m.records.len());
                let r: Result<RecordId, biosample::Error> = chain.bio(
                    BIOBANK,
                    "mint_sample",
                    (
                        c,
                        guardians.iter().map(|g| account(*g)).collect::<Vec<_>>(),
                        claim_commitment(SECRET),
                        None::<YearMonth>,
                    ),
                );
                let id = m.records.len() as u128 + 1;
                if r.is_ok() {
                    m.records.push(ModelRecord {
                        parents: vec![],
                        sample: id,
                        aliquot_or_sample: true,
                        withdrawn: false,
                    });
                    m.samples.insert(
                        id,
                        ModelSample {
                            guardians,
                            subject: None,
                            epoch: 0,
                        },
                    );
                }
                (r.is_ok(), true)
            }
            Op::Register {
                parent,
                second,
                aliquot,
            } => {
                let count = m.records.len();
                let mut parents = vec![pick(parent, count)];
                if let Some(s) = second.map(|s| pick(s, count)).filter(|s| *s != parents[0]) {
                    parents.push(s);
                }
                let kind = if aliquot {
                    RecordKind::Aliquot
                } else {
                    RecordKind::Alignment
                };
                // Aliquots derive from samples and aliquots only; alignments from either too (and from alignments).
                let expected = parents.iter().all(|p| {
                    m.record(*p)
                        .is_some_and(|r| !aliquot || r.aliquot_or_sample)
                }) && parents.iter().all(|p| {
                    m.record(*p)
                        .is_some_and(|r| r.sample == m.record(parents[0]).unwrap().sample)
                }) && !parents.iter().any(|p| m.withdrawn(*p));
                let r: Result<RecordId, biosample::Error> = chain.bio(
                    SEQUENCER,
                    "register_artifact",
                    (kind, parents.clone(), commitment_for(count), 1u16),
                );
                if r.is_ok() {
                    let sample = m.record(parents[0]).unwrap().sample;
                    m.records.push(ModelRecord {
                        parents,
                        sample,
                        aliquot_or_sample: aliquot,
                        withdrawn: false,
                    });
                }
                (r.is_ok(), expected)
            }
            Op::Grant {
                actor,
                sample,
                grantee,
                scope,
                purpose,
                days,
            } => {
                let actor = ACTORS[actor];
                let scope = pick(scope, m.records.len());
                // Mostly the scope's own subject; sometimes another one (refused).
                let sample = m
                    .record(sample.map_or(scope, |s| pick(s, m.records.len())))
                    .map_or(1_000, |r| r.sample);
                let expires = now + days * DAY;
                let live = m.grants.iter().filter(|g| {
                    g.sample == sample
                        && g.grantee == RESEARCHERS[grantee]
                        && !g.revoked
                        && g.epoch == m.samples[&sample].epoch
                        && g.expires > now
                });
                let expected = m.record(scope).is_some_and(|r| r.sample == sample)
                    && m.speaks_for(sample, actor)
                    && !m.withdrawn(scope)
                    && days > 0
                    && live.count() < consent::MAX_GRANTS_PER_PAIR;
                let r: Result<u128, consent::Error> = chain.consent(
                    actor,
                    "grant",
                    (
                        sample,
                        account(RESEARCHERS[grantee]),
                        scope,
                        grant_purpose(purpose),
                        expires,
                    ),
                );
                if r.is_ok() {
                    let s = &m.samples[&sample];
                    m.grants.push(ModelGrant {
                        sample,
                        grantee: RESEARCHERS[grantee],
                        scope,
                        purpose,
                        expires,
                        by_guardian: s.subject.is_none(),
                        epoch: s.epoch,
                        revoked: false,
                        confirmed: false,
                    });
                }
                (r.is_ok(), expected)
            }
            Op::Revoke { actor, grant } => {
                let actor = ACTORS[actor];
                let id = pick(grant, m.grants.len());
                let expected = m
                    .grants
                    .get(id as usize - 1)
                    .is_some_and(|g| !g.revoked && m.speaks_for(g.sample, actor));
                let r: Result<(), consent::Error> = chain.consent(actor, "revoke", (id,));
                if r.is_ok() {
                    m.grants[id as usize - 1].revoked = true;
                }
                (r.is_ok(), expected)
            }
            Op::WithdrawAll { actor, sample } => {
                let actor = ACTORS[actor];
                let sample = m
                    .record(pick(sample, m.records.len()))
                    .map_or(1_000, |r| r.sample);
                let expected = m.speaks_for(sample, actor);
                let r: Result<(), consent::Error> = chain.consent(actor, "withdraw_all", (sample,));
                if r.is_ok() {
                    m.samples.get_mut(&sample).unwrap().epoch += 1;
                }
                (r.is_ok(), expected)
            }
            Op::WithdrawRecord { actor, record } => {
                let actor = ACTORS[actor];
                let id = pick(record, m.records.len());
                let expected =
                    m.record(id).is_some_and(|r| m.speaks_for(r.sample, actor)) && !m.withdrawn(id);
                let r: Result<(), biosample::Error> = chain.bio(actor, "withdraw", (id,));
                if r.is_ok() {
                    m.records[id as usize - 1].withdrawn = true;
                }
                (r.is_ok(), expected)
            }
            Op::Claim { sample } => {
                let sample = m
                    .record(pick(sample, m.records.len()))
                    .map_or(1_000, |r| r.sample);
                let expected = m.samples.get(&sample).is_some_and(|s| s.subject.is_none());
                let r: Result<(), biosample::Error> = chain.bio(
                    CHILD,
                    "claim_majority",
                    (sample, chain.claim_signature(SECRET, sample, CHILD)),
                );
                if r.is_ok() {
                    m.samples.get_mut(&sample).unwrap().subject = Some(CHILD);
                }
                (r.is_ok(), expected)
            }
            Op::Confirm { grant } => {
                let id = pick(grant, m.grants.len());
                let expected = m.grants.get(id as usize - 1).is_some_and(|g| {
                    let s = &m.samples[&g.sample];
                    s.subject == Some(CHILD)
                        && g.by_guardian
                        && !g.confirmed
                        && !g.revoked
                        && g.epoch == s.epoch
                        && now < g.expires
                });
                let r: Result<(), consent::Error> = chain.consent(CHILD, "confirm", (id,));
                if r.is_ok() {
                    m.grants[id as usize - 1].confirmed = true;
                }
                (r.is_ok(), expected)
            }
            Op::Advance { days } => {
                chain.advance(days * DAY + 1);
                (true, true)
            }
        };
        prop_assert_eq!(accepted, model_accepts, "step {}: {:?}", step, op);
        stats.accepted += accepted as usize;

        let now = chain.now();
        for &(about_grant, grantee, index, purpose) in questions {
            let (grantee, record) = match m.grants.get(index % m.grants.len().max(1)) {
                Some(g) if about_grant => (g.grantee, g.scope),
                // Sometimes one past the last record: unknown.
                _ => (RESEARCHERS[grantee], pick(index, m.records.len() + 1)),
            };
            let got: Result<u128, AccessDenied> = chain.consent(
                STRANGER,
                "check_access",
                (account(grantee), record, requested_purpose(purpose)),
            );
            match (m.check(grantee, record, purpose, now), got) {
                (Ok(want), got) => prop_assert_eq!(
                    got,
                    Ok(want),
                    "step {} {:?}: record {} purpose {}",
                    step,
                    op,
                    record,
                    purpose
                ),
                (Err(Some(reason)), got) => prop_assert_eq!(
                    got,
                    Err(reason),
                    "step {} {:?}: record {}",
                    step,
                    op,
                    record
                ),
                (Err(None), got) => prop_assert!(
                    got.is_err(),
                    "step {} {:?}: contract allowed {:?}",
                    step,
                    op,
                    got
                ),
            }
            stats.checks += 1;
            stats.allowed += got.is_ok() as usize;
        }
    }
    Ok(())
}

fn commitment_for(n: usize) -> [u8; 32] {
    let mut c = [0u8; 32];
    c[..8].copy_from_slice(&(n as u64 + 1).to_le_bytes());
    c
}

#[test]
fn contract_and_model_agree_on_every_check_access() {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(48);
    let chain = RefCell::new(Chain::new());
    let base = chain.borrow_mut().snapshot();
    let stats = RefCell::new(Stats::default());
    let question = (any::<bool>(), 0usize..2, 0usize..64, any::<u8>());
    let step = (op(), proptest::collection::vec(question, 3));
    let mut runner = TestRunner::new(Config {
        cases,
        ..Config::default()
    });
    runner
        .run(&proptest::collection::vec(step, 1..40), |ops| {
            let mut chain = chain.borrow_mut();
            chain.restore(base.clone());
            run_sequence(&mut chain, &ops, &mut stats.borrow_mut())
        })
        .unwrap();
    let stats = stats.into_inner();
    eprintln!("model agreed with the contract over {cases} sequences: {stats:?}");
    assert!(
        stats.checks >= cases as usize * 3,
        "every sequence asks questions"
    );
    assert!(
        stats.allowed * 20 >= stats.checks,
        "at least 5% of questions are allowed: the runs reach granted states"
    );
}

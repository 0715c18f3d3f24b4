//! `consent::check_access`, reproduced at any point of history.
//!
//! A record may derive from several samples (a trio's joint variant calls):
//! access needs, for the same grantee and purpose, a covering grant from
//! the authority of every contributing sample, checked in ascending sample
//! order. A guardian's grant stops counting when its issuer is no longer a
//! guardian of the sample, and lapses at the sample's majority month unless
//! the grown-up subject confirmed it (both inside `Grant::covers`).
//!
//! The rules are not re-implemented: each grant is judged by the contract's
//! own [`consent::Grant::covers`] (which uses `Purpose::permits` for DUO).
//! What this module adds is the one thing the chain does not keep: which
//! grants the ledger's per-(sample, grantee) index held at that moment.
//! The ledger drops a grant from that index when it is revoked, and when a
//! later grant for the same pair is issued while the earlier one can no
//! longer count (expired by then, or from an earlier consent epoch). Which
//! grants are walked decides the denial reason (`NoGrant` vs
//! `GrantExpired`), so it is reproduced exactly.

use bionft_primitives::{AccessContext, AccessDenied, Purpose, Timestamp};
#[cfg(test)]
use bionft_primitives::{Guardian, SampleContext};

/// A grant as it stood at the moment judged (revoked/confirmed as of then).
#[derive(Clone, Debug)]
pub struct HeldGrant {
    pub id: i64,
    /// Where it was issued (see [`crate::ingest::Pos`]).
    pub pos: i64,
    pub grant: consent::Grant,
}

/// The grants the ledger's index for one (sample, grantee) pair held, in
/// its order (oldest first), given all of the pair's grants issued so far.
pub fn pair_index(grants: &[HeldGrant]) -> Vec<&HeldGrant> {
    let mut sorted: Vec<&HeldGrant> = grants.iter().collect();
    sorted.sort_by_key(|g| g.pos);
    sorted
        .iter()
        .enumerate()
        .filter(|(i, g)| {
            !g.grant.revoked
                && !sorted[i + 1..].iter().any(|later| {
                    // `Ledger::grant` keeps only grants of the current epoch
                    // (the new grant's) that have not expired at its issue.
                    later.grant.epoch != g.grant.epoch
                        || g.grant.expires_at <= later.grant.issued_at
                })
        })
        .map(|(_, g)| *g)
        .collect()
}

/// One sample a record derives from, as the ledger saw it at the moment
/// judged: its consent epoch and the grantee's grants for it.
#[derive(Clone, Debug)]
pub struct PerSample {
    pub epoch: u32,
    /// All of the (sample, grantee) pair's grants issued so far.
    pub grants: Vec<HeldGrant>,
}

/// One grant walked for one contributing sample, with its own answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    pub sample: i64,
    pub grant: i64,
    pub result: Result<(), AccessDenied>,
}

/// What `check_access` answered, and how each walked grant fared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// When access is allowed: for each contributing sample (ascending),
    /// the oldest grant that covers it.
    pub allowed: Option<Vec<i64>>,
    /// The reason, when access is denied: the record's own state, or the
    /// reason of the first sample (ascending) without a covering grant.
    pub denied: Option<AccessDenied>,
    /// Each grant of each sample's pair index with its own answer, in walk
    /// order (every sample is walked, also after the first one denied).
    pub walked: Vec<Walked>,
}

/// `Ledger::check_access` for a record whose context was `ctx` (`None`: it
/// did not exist yet), with `samples[i]` the epoch and grants of
/// `ctx.samples[i]`, at time `now`.
pub fn check_access(
    ctx: Option<&AccessContext>,
    samples: &[PerSample],
    purpose: &Purpose,
    now: Timestamp,
) -> Verdict {
    let deny = |reason| Verdict {
        allowed: None,
        denied: Some(reason),
        walked: Vec::new(),
    };
    if purpose.validate().is_err() {
        return deny(AccessDenied::InvalidPurpose);
    }
    let Some(ctx) = ctx else {
        return deny(AccessDenied::UnknownRecord);
    };
    if let Some(reason) = ctx.unusable() {
        return deny(reason);
    }
    assert_eq!(
        ctx.samples.len(),
        samples.len(),
        "one PerSample per contributing sample"
    );
    let mut walked = Vec::new();
    let mut allowed = Vec::new();
    let mut denied = None;
    for (sample, per) in ctx.samples.iter().zip(samples) {
        let mut covering = None;
        let mut closest = AccessDenied::NoGrant;
        for g in pair_index(&per.grants) {
            let result = g
                .grant
                .covers(sample, &ctx.lineage, purpose, now, per.epoch);
            match result {
                Ok(()) if covering.is_none() => covering = Some(g.id),
                Ok(()) => {}
                Err(reason) if covering.is_none() => closest = closest.max(reason),
                Err(_) => {}
            }
            walked.push(Walked {
                sample: sample.sample as i64,
                grant: g.id,
                result,
            });
        }
        match covering {
            Some(id) => allowed.push(id),
            None => {
                denied.get_or_insert(closest);
            }
        }
    }
    Verdict {
        allowed: if denied.is_none() {
            Some(allowed)
        } else {
            None
        },
        denied,
        walked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bionft_primitives::{duo, Authority};
    use ink::primitives::AccountId;

    const GUARDIAN: [u8; 32] = [5; 32];

    fn grant(id: i64, issued_at: u64, expires_at: u64, epoch: u32) -> HeldGrant {
        HeldGrant {
            id,
            pos: id,
            grant: consent::Grant {
                sample: 1,
                grantee: AccountId::from([9; 32]),
                scope: 1,
                purpose: Purpose::new(duo::GRU),
                expires_at,
                issued_by: AccountId::from(GUARDIAN),
                issuer: Authority::Guardian,
                issuer_term: 0,
                issued_at,
                epoch,
                revoked: false,
                confirmed: false,
            },
        }
    }

    fn sample(id: u128) -> SampleContext {
        SampleContext {
            sample: id,
            subject: None,
            majority_at: Some(1_000_000),
            guardians: vec![Guardian {
                key: AccountId::from(GUARDIAN),
                term: 0,
            }],
        }
    }

    fn ctx() -> AccessContext {
        AccessContext {
            samples: vec![sample(1)],
            lineage: vec![1],
            withdrawn: false,
            superseded: false,
        }
    }

    fn one(grants: &[HeldGrant], epoch: u32) -> Vec<PerSample> {
        vec![PerSample {
            epoch,
            grants: grants.to_vec(),
        }]
    }

    #[test]
    fn an_expired_grant_leaves_the_index_only_when_a_later_grant_is_issued() {
        let old = grant(1, 0, 100, 0);
        let gru = Purpose::new(duo::GRU);
        // Alone, the expired grant is still walked: the reason is GrantExpired.
        let v = check_access(Some(&ctx()), &one(std::slice::from_ref(&old), 0), &gru, 150);
        assert_eq!(v.denied, Some(AccessDenied::GrantExpired));
        // A grant issued after its expiry pruned it; the new one (for POA only) is walked.
        let mut poa = grant(2, 120, 1_000, 0);
        poa.grant.purpose = Purpose::new(duo::POA);
        let v = check_access(
            Some(&ctx()),
            &one(&[old.clone(), poa.clone()], 0),
            &Purpose::new(duo::HMB),
            150,
        );
        assert_eq!(
            v.walked.iter().map(|w| w.grant).collect::<Vec<_>>(),
            vec![2]
        );
        assert_eq!(v.denied, Some(AccessDenied::PurposeNotPermitted));
        // Issued before the expiry, it does not prune it.
        let early = grant(3, 50, 1_000, 0);
        assert_eq!(pair_index(&[old, early]).len(), 2);
    }

    #[test]
    fn a_new_epoch_grant_prunes_the_voided_ones_and_the_oldest_cover_wins() {
        let a = grant(1, 0, 1_000, 0);
        let b = grant(2, 10, 1_000, 0);
        let gru = Purpose::new(duo::GRU);
        let v = check_access(Some(&ctx()), &one(&[a.clone(), b.clone()], 0), &gru, 20);
        assert_eq!(v.allowed, Some(vec![1]));
        let c = grant(3, 30, 1_000, 1);
        let v = check_access(Some(&ctx()), &one(&[a, b, c], 1), &gru, 40);
        assert_eq!(v.allowed, Some(vec![3]));
        assert_eq!(v.walked.len(), 1);
    }

    #[test]
    fn unusable_and_unknown_records_and_malformed_purposes_are_denied_before_grants() {
        let g = one(&[grant(1, 0, 1_000, 0)], 0);
        let gru = Purpose::new(duo::GRU);
        let mut withdrawn = ctx();
        withdrawn.withdrawn = true;
        withdrawn.superseded = true;
        assert_eq!(
            check_access(Some(&withdrawn), &g, &gru, 1).denied,
            Some(AccessDenied::RecordWithdrawn)
        );
        let mut superseded = ctx();
        superseded.superseded = true;
        assert_eq!(
            check_access(Some(&superseded), &g, &gru, 1).denied,
            Some(AccessDenied::RecordSuperseded)
        );
        assert_eq!(
            check_access(None, &g, &gru, 1).denied,
            Some(AccessDenied::UnknownRecord)
        );
        let contradictory = Purpose::new(duo::POA).with_modifiers(&[duo::NPOA]);
        assert_eq!(
            check_access(Some(&ctx()), &g, &contradictory, 1).denied,
            Some(AccessDenied::InvalidPurpose)
        );
        let mut revoked = g[0].grants[0].clone();
        revoked.grant.revoked = true;
        assert_eq!(
            check_access(Some(&ctx()), &one(&[revoked], 0), &gru, 1).denied,
            Some(AccessDenied::NoGrant)
        );
    }

    #[test]
    fn a_joint_record_needs_a_covering_grant_from_every_sample_in_ascending_order() {
        let gru = Purpose::new(duo::GRU);
        let mut joint = ctx();
        joint.samples = vec![sample(1), sample(2), sample(3)];
        joint.lineage = vec![10, 1, 2, 3];
        let from = |s: u128, id: i64| {
            let mut g = grant(id, 0, 1_000, 0);
            g.grant.sample = s;
            g
        };
        let cases = |grants: [Vec<HeldGrant>; 3]| {
            grants
                .into_iter()
                .map(|grants| PerSample { epoch: 0, grants })
                .collect::<Vec<_>>()
        };
        let all = cases([vec![from(1, 4)], vec![from(2, 5)], vec![from(3, 6)]]);
        assert_eq!(
            check_access(Some(&joint), &all, &gru, 10).allowed,
            Some(vec![4, 5, 6])
        );
        // The second sample's grant expired, the third has none: the first failure counts.
        let mut expired = from(2, 5);
        expired.grant.expires_at = 5;
        let v = check_access(
            Some(&joint),
            &cases([vec![from(1, 4)], vec![expired], vec![]]),
            &gru,
            10,
        );
        assert_eq!(v.allowed, None);
        assert_eq!(v.denied, Some(AccessDenied::GrantExpired));
        assert_eq!(v.walked.len(), 2);
        let v = check_access(
            Some(&joint),
            &cases([vec![from(1, 4)], vec![], vec![from(3, 6)]]),
            &gru,
            10,
        );
        assert_eq!(v.denied, Some(AccessDenied::NoGrant));
    }

    #[test]
    fn guardian_grants_stop_with_the_issuers_office_and_lapse_at_majority_unless_confirmed() {
        let gru = Purpose::new(duo::GRU);
        let g = grant(1, 0, 10_000_000, 0);
        let mut gone = ctx();
        gone.samples[0].guardians.clear();
        assert_eq!(
            check_access(Some(&gone), &one(std::slice::from_ref(&g), 0), &gru, 10).denied,
            Some(AccessDenied::IssuerNoLongerGuardian)
        );
        // Removed and approved again: a later term does not revive the grant.
        let mut returned = ctx();
        returned.samples[0].guardians[0].term = 1;
        assert_eq!(
            check_access(Some(&returned), &one(std::slice::from_ref(&g), 0), &gru, 10).denied,
            Some(AccessDenied::IssuerNoLongerGuardian)
        );
        // Majority month (1_000_000) reached.
        assert_eq!(
            check_access(
                Some(&ctx()),
                &one(std::slice::from_ref(&g), 0),
                &gru,
                1_000_000
            )
            .denied,
            Some(AccessDenied::LapsedAtMajority)
        );
        let mut confirmed = g.clone();
        confirmed.grant.confirmed = true;
        assert_eq!(
            check_access(Some(&gone), &one(&[confirmed], 0), &gru, 2_000_000).allowed,
            Some(vec![1])
        );
    }
}

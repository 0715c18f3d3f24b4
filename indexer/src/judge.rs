//! `consent::check_access`, reproduced at any point of history.
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

/// What `check_access` answered, and how each walked grant fared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// The oldest covering grant, when access is allowed.
    pub allowed: Option<i64>,
    /// The reason, when access is denied.
    pub denied: Option<AccessDenied>,
    /// Each grant of the pair's index with its own answer, in walk order.
    pub walked: Vec<(i64, Result<(), AccessDenied>)>,
}

/// `Ledger::check_access` for a record whose context was `ctx` (`None`: it
/// did not exist yet), over the pair's grants `grants`, at time `now` with
/// the subject's consent epoch `epoch`.
pub fn check_access(
    ctx: Option<&AccessContext>,
    grants: &[HeldGrant],
    purpose: &Purpose,
    now: Timestamp,
    epoch: u32,
) -> Verdict {
    let deny = |reason| Verdict {
        allowed: None,
        denied: Some(reason),
        walked: Vec::new(),
    };
    let Some(ctx) = ctx else {
        return deny(AccessDenied::UnknownRecord);
    };
    if ctx.withdrawn {
        return deny(AccessDenied::RecordWithdrawn);
    }
    let walked: Vec<(i64, Result<(), AccessDenied>)> = pair_index(grants)
        .into_iter()
        .map(|g| (g.id, g.grant.covers(ctx, purpose, now, epoch)))
        .collect();
    let allowed = walked.iter().find(|(_, r)| r.is_ok()).map(|(id, _)| *id);
    let denied = match allowed {
        Some(_) => None,
        None => Some(
            walked
                .iter()
                .filter_map(|(_, r)| r.err())
                .fold(AccessDenied::NoGrant, AccessDenied::max),
        ),
    };
    Verdict {
        allowed,
        denied,
        walked,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use bionft_primitives::{duo, Authority};
    use ink::primitives::AccountId;

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
                issued_by: AccountId::from([5; 32]),
                issuer: Authority::Guardian,
                issued_at,
                epoch,
                revoked: false,
                confirmed: false,
            },
        }
    }

    fn ctx() -> AccessContext {
        AccessContext {
            sample: 1,
            lineage: vec![1],
            withdrawn: false,
            subject: None,
        }
    }

    #[test]
    fn an_expired_grant_leaves_the_index_only_when_a_later_grant_is_issued() {
        let old = grant(1, 0, 100, 0);
        let gru = Purpose::new(duo::GRU);
        // Alone, the expired grant is still walked: the reason is GrantExpired.
        let v = check_access(Some(&ctx()), std::slice::from_ref(&old), &gru, 150, 0);
        assert_eq!(v.denied, Some(AccessDenied::GrantExpired));
        // A grant issued after its expiry pruned it; the new one (for POA only) is walked.
        let mut poa = grant(2, 120, 1_000, 0);
        poa.grant.purpose = Purpose::new(duo::POA);
        let v = check_access(
            Some(&ctx()),
            &[old.clone(), poa.clone()],
            &Purpose::new(duo::HMB),
            150,
            0,
        );
        assert_eq!(v.walked.iter().map(|w| w.0).collect::<Vec<_>>(), vec![2]);
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
        let v = check_access(Some(&ctx()), &[a.clone(), b.clone()], &gru, 20, 0);
        assert_eq!(v.allowed, Some(1));
        let c = grant(3, 30, 1_000, 1);
        let v = check_access(Some(&ctx()), &[a, b, c], &gru, 40, 1);
        assert_eq!(v.allowed, Some(3));
        assert_eq!(v.walked.len(), 1);
    }

    #[test]
    fn withdrawn_and_unknown_records_are_denied_before_grants() {
        let mut withdrawn = ctx();
        withdrawn.withdrawn = true;
        let g = [grant(1, 0, 1_000, 0)];
        let gru = Purpose::new(duo::GRU);
        assert_eq!(
            check_access(Some(&withdrawn), &g, &gru, 1, 0).denied,
            Some(AccessDenied::RecordWithdrawn)
        );
        assert_eq!(
            check_access(None, &g, &gru, 1, 0).denied,
            Some(AccessDenied::UnknownRecord)
        );
        let mut revoked = g[0].clone();
        revoked.grant.revoked = true;
        assert_eq!(
            check_access(Some(&ctx()), &[revoked], &gru, 1, 0).denied,
            Some(AccessDenied::NoGrant)
        );
    }
}

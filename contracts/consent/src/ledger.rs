//! The consent ledger's state machine: plain Rust over ink! storage mappings.
//! Facts about records, guardianship and governance come from a
//! [`LineageSource`] (the `biosample` contract on chain, a table in tests);
//! every method checks its authorization rule and inputs first, then writes
//! and emits.

use crate::errors::{Error, Result};
use crate::events::*;
use bionft_primitives::{
    AccessContext, AccessDenied, Authority, Env, EventSink, GrantId, Purpose, RecordId, Role,
    SampleContext, Timestamp, MAX_GRANT_MILLIS,
};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// Most live grants one grantee may hold for one subject (bounds `check_access`).
pub const MAX_GRANTS_PER_PAIR: usize = 16;

/// What the ledger needs to know from `biosample`.
pub trait LineageSource {
    fn access_context(&self, record: RecordId) -> Option<AccessContext>;
    /// The authority `account` holds over `sample` at the current block time.
    fn authority(&self, sample: RecordId, account: AccountId) -> Option<Authority>;
    fn has_role(&self, account: AccountId, role: Role) -> bool;
    fn admin(&self) -> AccountId;
    fn paused(&self) -> bool;
}

/// Key of the per-(sample, grantee) grant index.
type SubjectGrantee = (RecordId, AccountId);

/// A grant as stored and reported.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Grant {
    /// The sample whose subject the grant speaks for.
    pub sample: RecordId,
    pub grantee: AccountId,
    /// The record the grant covers, with all its descendants.
    pub scope: RecordId,
    pub purpose: Purpose,
    pub expires_at: Timestamp,
    /// The issuing guardian's per-sample key, or the subject's account.
    pub issued_by: AccountId,
    pub issuer: Authority,
    /// The issuing guardian's term of office (0 for the subject's grants):
    /// the grant counts only while that term lasts.
    pub issuer_term: u32,
    pub issued_at: Timestamp,
    /// The subject's consent epoch at issue; a later `withdraw_all` voids it.
    pub epoch: u32,
    pub revoked: bool,
    /// Confirmed by the grown-up subject (only meaningful for guardians' grants).
    pub confirmed: bool,
}

impl Grant {
    /// Whether this grant, issued for `sample`, covers use of a record with
    /// ancestors `lineage` for `purpose` at `now`, given the sample's current
    /// consent `epoch`. Checks run in a fixed order; the first failing one is
    /// the reason.
    pub fn covers(
        &self,
        sample: &SampleContext,
        lineage: &[RecordId],
        purpose: &Purpose,
        now: Timestamp,
        epoch: u32,
    ) -> core::result::Result<(), AccessDenied> {
        if sample.sample != self.sample || !lineage.contains(&self.scope) {
            return Err(AccessDenied::OutsideScope);
        }
        if self.revoked {
            return Err(AccessDenied::GrantRevoked);
        }
        if self.epoch != epoch {
            return Err(AccessDenied::ConsentWithdrawn);
        }
        if self.issuer == Authority::Guardian && !self.confirmed {
            if sample.term_of(&self.issued_by) != Some(self.issuer_term) {
                return Err(AccessDenied::IssuerNoLongerGuardian);
            }
            if sample.majority_at.is_none_or(|at| now >= at) {
                return Err(AccessDenied::LapsedAtMajority);
            }
        }
        if now >= self.expires_at {
            return Err(AccessDenied::GrantExpired);
        }
        if !self.purpose.permits(purpose) {
            return Err(AccessDenied::PurposeNotPermitted);
        }
        Ok(())
    }
}

/// All state of the `consent` contract. Fields are never reordered (the
/// layout survives `set_code_hash` upgrades).
#[ink::storage_item]
#[derive(Default)]
#[cfg_attr(feature = "std", derive(Debug))]
pub struct Ledger {
    last_grant: GrantId,
    receipts: u64,
    grants: Mapping<GrantId, Grant>,
    /// (sample, grantee) → ids of its unrevoked grants, oldest first.
    by_pair: Mapping<SubjectGrantee, Vec<GrantId>>,
    epochs: Mapping<RecordId, u32>,
}

impl Ledger {
    pub fn epoch(&self, sample: RecordId) -> u32 {
        self.epochs.get(sample).unwrap_or(0)
    }

    pub fn get_grant(&self, id: GrantId) -> Option<Grant> {
        self.grants.get(id)
    }

    /// Unrevoked grants of `grantee` for `sample`'s subject (some may have expired or lapsed).
    pub fn grants_for(&self, sample: RecordId, grantee: AccountId) -> Vec<GrantId> {
        self.by_pair.get((sample, grantee)).unwrap_or_default()
    }

    fn require_live(src: &impl LineageSource) -> Result<()> {
        if src.paused() {
            Err(Error::Paused)
        } else {
            Ok(())
        }
    }

    fn require_authority(
        src: &impl LineageSource,
        env: &Env,
        sample: RecordId,
    ) -> Result<Authority> {
        Self::require_live(src)?;
        src.authority(sample, env.caller)
            .ok_or(Error::NotSubjectOrGuardian)
    }

    /// Governance (`biosample`'s admin) only: the shell then upgrades or rewires.
    pub fn require_admin(env: &Env, src: &impl LineageSource) -> Result<()> {
        if src.admin() == env.caller {
            Ok(())
        } else {
            Err(Error::NotAdmin)
        }
    }

    /// A current guardian (before the majority month) or the subject: lets
    /// `grantee` use `scope` and its descendants for `purpose` until
    /// `expires_at`, at most [`MAX_GRANT_MILLIS`] from now. For a joint
    /// `scope`, the grant speaks for `sample` only; using the record also
    /// needs a grant from every other sample it derives from.
    #[allow(clippy::too_many_arguments)]
    pub fn grant(
        &mut self,
        env: &Env,
        src: &impl LineageSource,
        sample: RecordId,
        grantee: AccountId,
        scope: RecordId,
        purpose: Purpose,
        expires_at: Timestamp,
        ev: &mut impl EventSink,
    ) -> Result<GrantId> {
        purpose.validate().map_err(Error::InvalidPurpose)?;
        let ctx = src.access_context(scope).ok_or(Error::UnknownRecord)?;
        if ctx.sample(sample).is_none() {
            return Err(Error::ScopeOutsideSubject);
        }
        let issuer = Self::require_authority(src, env, sample)?;
        let issuer_term = match issuer {
            Authority::Guardian => ctx
                .sample(sample)
                .and_then(|s| s.term_of(&env.caller))
                .ok_or(Error::NotSubjectOrGuardian)?,
            Authority::Subject => 0,
        };
        match ctx.unusable() {
            Some(AccessDenied::RecordSuperseded) => return Err(Error::RecordSuperseded),
            Some(_) => return Err(Error::RecordWithdrawn),
            None => {}
        }
        if expires_at <= env.now {
            return Err(Error::ExpiryInPast);
        }
        if expires_at - env.now > MAX_GRANT_MILLIS {
            return Err(Error::GrantTooLong);
        }
        let epoch = self.epoch(sample);
        // Grants that can never count again (expired, or voided by withdrawal) give up their slot.
        let mut live: Vec<GrantId> = self
            .grants_for(sample, grantee)
            .into_iter()
            .filter(|id| {
                self.grants
                    .get(id)
                    .is_some_and(|g| g.epoch == epoch && g.expires_at > env.now)
            })
            .collect();
        if live.len() >= MAX_GRANTS_PER_PAIR {
            return Err(Error::TooManyGrants);
        }
        self.last_grant = self.last_grant.checked_add(1).ok_or(Error::IdOverflow)?;
        let id = self.last_grant;
        self.grants.insert(
            id,
            &Grant {
                sample,
                grantee,
                scope,
                purpose: purpose.clone(),
                expires_at,
                issued_by: env.caller,
                issuer,
                issuer_term,
                issued_at: env.now,
                epoch,
                revoked: false,
                confirmed: false,
            },
        );
        live.push(id);
        self.by_pair.insert((sample, grantee), &live);
        ev.emit(GrantIssued {
            grant: id,
            sample,
            grantee,
            scope,
            purpose,
            expires_at,
            issued_by: env.caller,
            issuer,
            epoch,
            at: env.now,
        });
        Ok(id)
    }

    /// The sample's current authority: revokes a grant (any guardian may
    /// revoke any guardian's grant: revoking only ever protects the subject).
    pub fn revoke(
        &mut self,
        env: &Env,
        src: &impl LineageSource,
        id: GrantId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let mut grant = self.grants.get(id).ok_or(Error::UnknownGrant)?;
        Self::require_authority(src, env, grant.sample)?;
        if grant.revoked {
            return Err(Error::AlreadyRevoked);
        }
        grant.revoked = true;
        self.grants.insert(id, &grant);
        let key = (grant.sample, grant.grantee);
        let mut ids = self.by_pair.get(key).unwrap_or_default();
        ids.retain(|g| *g != id);
        if ids.is_empty() {
            self.by_pair.remove(key);
        } else {
            self.by_pair.insert(key, &ids);
        }
        ev.emit(GrantRevoked {
            grant: id,
            sample: grant.sample,
            at: env.now,
        });
        Ok(())
    }

    /// The sample's current authority: withdraws all consent given so far.
    pub fn withdraw_all(
        &mut self,
        env: &Env,
        src: &impl LineageSource,
        sample: RecordId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let authority = Self::require_authority(src, env, sample)?;
        let epoch = self.epoch(sample).checked_add(1).ok_or(Error::IdOverflow)?;
        self.epochs.insert(sample, &epoch);
        ev.emit(ConsentWithdrawn {
            sample,
            authority,
            epoch,
            at: env.now,
        });
        Ok(())
    }

    /// The subject: keeps a guardian-issued grant in force after the majority month.
    pub fn confirm(
        &mut self,
        env: &Env,
        src: &impl LineageSource,
        id: GrantId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let mut grant = self.grants.get(id).ok_or(Error::UnknownGrant)?;
        if Self::require_authority(src, env, grant.sample)? != Authority::Subject {
            return Err(Error::NotSubject);
        }
        if grant.issuer != Authority::Guardian {
            return Err(Error::NotIssuedByGuardian);
        }
        if grant.confirmed {
            return Err(Error::AlreadyConfirmed);
        }
        if grant.revoked || grant.epoch != self.epoch(grant.sample) || env.now >= grant.expires_at {
            return Err(Error::GrantNotInForce);
        }
        grant.confirmed = true;
        self.grants.insert(id, &grant);
        ev.emit(GrantConfirmed {
            grant: id,
            sample: grant.sample,
            at: env.now,
        });
        Ok(())
    }

    /// The oldest grant of `grantee` from `sample` that covers the record,
    /// or the reason of the grant that came closest.
    fn covering_grant(
        &self,
        env: &Env,
        sample: &SampleContext,
        lineage: &[RecordId],
        grantee: AccountId,
        purpose: &Purpose,
    ) -> core::result::Result<GrantId, AccessDenied> {
        let epoch = self.epoch(sample.sample);
        let mut closest = AccessDenied::NoGrant;
        for id in self.grants_for(sample.sample, grantee) {
            let Some(grant) = self.grants.get(id) else {
                continue;
            };
            match grant.covers(sample, lineage, purpose, env.now, epoch) {
                Ok(()) => return Ok(id),
                Err(reason) => closest = closest.max(reason),
            }
        }
        Err(closest)
    }

    /// Anyone: may `grantee` use `record` for `purpose` now? On yes, for each
    /// sample the record derives from (ascending), the oldest grant that
    /// covers it; on no, the reason: the record's own state, or for the
    /// first sample without a covering grant, the reason of its grant that
    /// came closest.
    pub fn check_access(
        &self,
        env: &Env,
        src: &impl LineageSource,
        grantee: AccountId,
        record: RecordId,
        purpose: &Purpose,
    ) -> core::result::Result<Vec<GrantId>, AccessDenied> {
        purpose
            .validate()
            .map_err(|_| AccessDenied::InvalidPurpose)?;
        let ctx = src
            .access_context(record)
            .ok_or(AccessDenied::UnknownRecord)?;
        if let Some(reason) = ctx.unusable() {
            return Err(reason);
        }
        ctx.samples
            .iter()
            .map(|s| self.covering_grant(env, s, &ctx.lineage, grantee, purpose))
            .collect()
    }

    /// Data host: records that it served `record` to `grantee` for `purpose`,
    /// naming every grant that allowed it; refused (with the reason) when
    /// `check_access` would deny.
    pub fn record_access(
        &mut self,
        env: &Env,
        src: &impl LineageSource,
        grantee: AccountId,
        record: RecordId,
        purpose: Purpose,
        ev: &mut impl EventSink,
    ) -> Result<u64> {
        Self::require_live(src)?;
        if !src.has_role(env.caller, Role::DataHost) {
            return Err(Error::NotDataHost);
        }
        let grants = self.check_access(env, src, grantee, record, &purpose)?;
        self.receipts = self.receipts.checked_add(1).ok_or(Error::IdOverflow)?;
        ev.emit(AccessRecorded {
            receipt: self.receipts,
            record,
            grantee,
            purpose,
            grants,
            data_host: env.caller,
            at: env.now,
        });
        Ok(self.receipts)
    }
}

#[cfg(test)]
mod tests;

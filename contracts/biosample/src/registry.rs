//! The registry's state machine: plain Rust over ink! storage mappings,
//! independent of how it is called. Every method takes the caller and clock
//! explicitly ([`Env`]), checks its authorization rule and inputs first, then
//! writes and emits, so a refused call changes nothing.

use crate::errors::{Error, Result};
use crate::events::*;
use bionft_primitives::claim::{claim_commitment, claim_message, recover_claim_key};
use bionft_primitives::{
    digest_alg, subject_placeholder_account, AccessContext, Authority, BlockNumber, ClaimSignature,
    Commitment, Env, EventSink, Id, RecordId, RecordKind, RecordStatus, Role, Timestamp, YearMonth,
    MAX_GUARDIANS, MAX_LINEAGE, MAX_PARENTS,
};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;
use ink::storage::Mapping;

/// A record as stored.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Record {
    pub kind: RecordKind,
    pub parents: Vec<RecordId>,
    /// The sample at the root of this record's lineage (itself for a sample).
    pub sample: RecordId,
    pub commitment: Commitment,
    pub digest_alg: u16,
    pub registered_by: AccountId,
    pub registered_at_block: BlockNumber,
    pub registered_at: Timestamp,
    pub superseded_by: Option<RecordId>,
    /// Withdrawn itself (descendants are withdrawn through it).
    pub withdrawn: bool,
}

/// Per-sample guardianship and custody.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Sample {
    pub custodian: AccountId,
    pub guardians: Vec<AccountId>,
    pub claim_commitment: Commitment,
    pub majority: Option<YearMonth>,
    /// The subject's own account, once majority has been claimed.
    pub subject: Option<AccountId>,
}

/// A record as reported to callers: as stored, plus its effective status.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub struct RecordView {
    pub id: RecordId,
    pub status: RecordStatus,
    pub record: Record,
}

/// All state of the `biosample` contract.
#[ink::storage_item]
#[cfg_attr(feature = "std", derive(Debug))]
pub struct Registry {
    admin: AccountId,
    roles: Mapping<AccountId, u8>,
    last_id: RecordId,
    samples_minted: u128,
    records: Mapping<RecordId, Record>,
    samples: Mapping<RecordId, Sample>,
    by_commitment: Mapping<Commitment, RecordId>,
    balances: Mapping<AccountId, u32>,
}

impl Registry {
    /// An empty registry governed by `admin`.
    pub fn new(admin: AccountId) -> Self {
        Registry {
            admin,
            roles: Mapping::default(),
            last_id: 0,
            samples_minted: 0,
            records: Mapping::default(),
            samples: Mapping::default(),
            by_commitment: Mapping::default(),
            balances: Mapping::default(),
        }
    }

    // ---------------------------------------------------------------- roles

    pub fn admin(&self) -> AccountId {
        self.admin
    }

    pub fn has_role(&self, account: AccountId, role: Role) -> bool {
        self.roles.get(account).unwrap_or(0) & role.bit() != 0
    }

    fn require_admin(&self, env: &Env) -> Result<()> {
        if env.caller == self.admin {
            Ok(())
        } else {
            Err(Error::NotAdmin)
        }
    }

    /// Admin: gives `role` to `account`.
    pub fn grant_role(
        &mut self,
        env: &Env,
        account: AccountId,
        role: Role,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_admin(env)?;
        let bits = self.roles.get(account).unwrap_or(0);
        if bits & role.bit() != 0 {
            return Err(Error::RoleAlreadyHeld);
        }
        self.roles.insert(account, &(bits | role.bit()));
        ev.emit(RoleGranted {
            account,
            role,
            by: env.caller,
        });
        Ok(())
    }

    /// Admin: takes `role` from `account`.
    pub fn revoke_role(
        &mut self,
        env: &Env,
        account: AccountId,
        role: Role,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_admin(env)?;
        let bits = self.roles.get(account).unwrap_or(0);
        if bits & role.bit() == 0 {
            return Err(Error::RoleNotHeld);
        }
        let rest = bits & !role.bit();
        if rest == 0 {
            self.roles.remove(account);
        } else {
            self.roles.insert(account, &rest);
        }
        ev.emit(RoleRevoked {
            account,
            role,
            by: env.caller,
        });
        Ok(())
    }

    /// Admin: hands the admin role to `to`.
    pub fn transfer_admin(
        &mut self,
        env: &Env,
        to: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_admin(env)?;
        self.admin = to;
        ev.emit(AdminTransferred {
            from: env.caller,
            to,
        });
        Ok(())
    }

    // -------------------------------------------------------------- records

    fn next_id(&mut self) -> Result<RecordId> {
        self.last_id = self.last_id.checked_add(1).ok_or(Error::IdOverflow)?;
        Ok(self.last_id)
    }

    fn record(&self, id: RecordId) -> Result<Record> {
        self.records.get(id).ok_or(Error::UnknownRecord)
    }

    fn sample(&self, id: RecordId) -> Result<Sample> {
        self.samples.get(id).ok_or(if self.records.contains(id) {
            Error::NotASample
        } else {
            Error::UnknownRecord
        })
    }

    fn require_new_commitment(&self, commitment: &Commitment) -> Result<()> {
        if self.by_commitment.contains(commitment) {
            Err(Error::DuplicateCommitment)
        } else {
            Ok(())
        }
    }

    /// Biobank: registers a newborn's sample and mints its locked token.
    pub fn mint_sample(
        &mut self,
        env: &Env,
        commitment: Commitment,
        guardians: Vec<AccountId>,
        claim: Commitment,
        majority: Option<YearMonth>,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        if !self.has_role(env.caller, Role::Biobank) {
            return Err(Error::NotBiobank);
        }
        if guardians.is_empty() {
            return Err(Error::NoGuardians);
        }
        if guardians.len() > MAX_GUARDIANS {
            return Err(Error::TooManyGuardians);
        }
        if has_repeats(&guardians) {
            return Err(Error::AlreadyGuardian);
        }
        if majority.is_some_and(|m| !m.is_valid()) {
            return Err(Error::InvalidMajorityDate);
        }
        self.require_new_commitment(&commitment)?;
        let id = self.next_id()?;
        self.records.insert(
            id,
            &Record {
                kind: RecordKind::Sample,
                parents: Vec::new(),
                sample: id,
                commitment,
                digest_alg: digest_alg::SAMPLE_IDENTIFIER,
                registered_by: env.caller,
                registered_at_block: env.block,
                registered_at: env.now,
                superseded_by: None,
                withdrawn: false,
            },
        );
        self.samples.insert(
            id,
            &Sample {
                custodian: env.caller,
                guardians: guardians.clone(),
                claim_commitment: claim,
                majority,
                subject: None,
            },
        );
        self.by_commitment.insert(commitment, &id);
        self.samples_minted += 1;
        let owner = subject_placeholder_account(id);
        self.add_balance(owner, 1);
        ev.emit(SampleMinted {
            sample: id,
            commitment,
            custodian: env.caller,
            guardians,
            claim_commitment: claim,
            majority,
            block: env.block,
            at: env.now,
        });
        ev.emit(Transfer {
            from: None,
            to: Some(owner),
            id: Id::U128(id),
        });
        Ok(id)
    }

    /// Checks that `kind` may be registered under `parents` and returns their common sample.
    fn check_parents(&self, kind: RecordKind, parents: &[RecordId]) -> Result<RecordId> {
        if kind == RecordKind::Sample {
            return Err(Error::SampleIsNotAnArtifact);
        }
        if parents.is_empty() {
            return Err(Error::NoParents);
        }
        if parents.len() > MAX_PARENTS {
            return Err(Error::TooManyParents);
        }
        if has_repeats(parents) {
            return Err(Error::DuplicateParent);
        }
        let mut sample = None;
        for &p in parents {
            let parent = self.record(p)?;
            if !kind.may_derive_from(parent.kind) {
                return Err(Error::KindCannotDeriveFromParent);
            }
            if *sample.get_or_insert(parent.sample) != parent.sample {
                return Err(Error::ParentsFromDifferentSamples);
            }
        }
        let (lineage, withdrawn) = self.walk(parents)?;
        if withdrawn {
            return Err(Error::RecordWithdrawn);
        }
        if lineage.len() >= MAX_LINEAGE {
            return Err(Error::LineageTooLarge);
        }
        sample.ok_or(Error::NoParents)
    }

    /// Biobank (custodian of the sample) or sequencer: registers a derived artifact.
    pub fn register_artifact(
        &mut self,
        env: &Env,
        kind: RecordKind,
        parents: Vec<RecordId>,
        commitment: Commitment,
        digest_alg: u16,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        let is_sequencer = self.has_role(env.caller, Role::Sequencer);
        if !is_sequencer && !self.has_role(env.caller, Role::Biobank) {
            return Err(Error::NotRegistrar);
        }
        let sample = self.check_parents(kind, &parents)?;
        if !is_sequencer && self.sample(sample)?.custodian != env.caller {
            return Err(Error::NotCustodian);
        }
        self.require_new_commitment(&commitment)?;
        self.insert_artifact(env, kind, parents, sample, commitment, digest_alg, ev)
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_artifact(
        &mut self,
        env: &Env,
        kind: RecordKind,
        parents: Vec<RecordId>,
        sample: RecordId,
        commitment: Commitment,
        digest_alg: u16,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        let id = self.next_id()?;
        self.records.insert(
            id,
            &Record {
                kind,
                parents: parents.clone(),
                sample,
                commitment,
                digest_alg,
                registered_by: env.caller,
                registered_at_block: env.block,
                registered_at: env.now,
                superseded_by: None,
                withdrawn: false,
            },
        );
        self.by_commitment.insert(commitment, &id);
        ev.emit(ArtifactRegistered {
            record: id,
            sample,
            kind,
            parents,
            commitment,
            digest_alg,
            registered_by: env.caller,
            block: env.block,
            at: env.now,
        });
        Ok(id)
    }

    /// The artifact's registrar (still a biobank or sequencer) or the sample's
    /// custodian: registers a re-processed replacement with the same kind and
    /// parents and marks `old` superseded. Returns the new record's id.
    pub fn supersede(
        &mut self,
        env: &Env,
        old: RecordId,
        commitment: Commitment,
        digest_alg: u16,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        let mut record = self.record(old)?;
        if record.kind == RecordKind::Sample {
            return Err(Error::SampleIsNotAnArtifact);
        }
        let is_registrar = record.registered_by == env.caller
            && (self.has_role(env.caller, Role::Sequencer)
                || self.has_role(env.caller, Role::Biobank));
        let is_custodian = self.has_role(env.caller, Role::Biobank)
            && self.sample(record.sample)?.custodian == env.caller;
        if !is_registrar && !is_custodian {
            return Err(Error::NotRegistrarOfRecord);
        }
        if record.superseded_by.is_some() {
            return Err(Error::AlreadySuperseded);
        }
        if self.walk(&[old])?.1 {
            return Err(Error::RecordWithdrawn);
        }
        self.require_new_commitment(&commitment)?;
        let new = self.insert_artifact(
            env,
            record.kind,
            record.parents.clone(),
            record.sample,
            commitment,
            digest_alg,
            ev,
        )?;
        record.superseded_by = Some(new);
        self.records.insert(old, &record);
        ev.emit(RecordSuperseded {
            old,
            new,
            by: env.caller,
        });
        Ok(new)
    }

    /// Custodian biobank: hands a sample to another biobank.
    pub fn transfer_custody(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        to: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let mut sample = self.sample(sample_id)?;
        if sample.custodian != env.caller || !self.has_role(env.caller, Role::Biobank) {
            return Err(Error::NotCustodian);
        }
        if !self.has_role(to, Role::Biobank) {
            return Err(Error::RecipientNotBiobank);
        }
        if to == env.caller {
            return Err(Error::AlreadyCustodian);
        }
        sample.custodian = to;
        self.samples.insert(sample_id, &sample);
        ev.emit(CustodyTransferred {
            sample: sample_id,
            from: env.caller,
            to,
        });
        Ok(())
    }

    // --------------------------------------------------------- guardianship

    /// The authority `account` holds over `sample_id` now.
    pub fn authority(&self, sample_id: RecordId, account: AccountId) -> Option<Authority> {
        let sample = self.samples.get(sample_id)?;
        match sample.subject {
            Some(subject) => (subject == account).then_some(Authority::Subject),
            None => sample
                .guardians
                .contains(&account)
                .then_some(Authority::Guardian),
        }
    }

    /// Loads a sample for a guardian's action: the caller must be a guardian and majority unclaimed.
    fn sample_for_guardian(&self, env: &Env, sample_id: RecordId) -> Result<Sample> {
        let sample = self.sample(sample_id)?;
        if sample.subject.is_some() {
            return Err(Error::MajorityClaimed);
        }
        if !sample.guardians.contains(&env.caller) {
            return Err(Error::NotGuardian);
        }
        Ok(sample)
    }

    /// Guardian (before majority): adds another guardian.
    pub fn add_guardian(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        guardian: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let mut sample = self.sample_for_guardian(env, sample_id)?;
        if sample.guardians.contains(&guardian) {
            return Err(Error::AlreadyGuardian);
        }
        if sample.guardians.len() >= MAX_GUARDIANS {
            return Err(Error::TooManyGuardians);
        }
        sample.guardians.push(guardian);
        self.samples.insert(sample_id, &sample);
        ev.emit(GuardianAdded {
            sample: sample_id,
            guardian,
            by: env.caller,
        });
        Ok(())
    }

    /// Guardian (before majority): removes a guardian, never the last one.
    pub fn remove_guardian(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        guardian: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let mut sample = self.sample_for_guardian(env, sample_id)?;
        let pos = sample
            .guardians
            .iter()
            .position(|g| *g == guardian)
            .ok_or(Error::NotGuardian)?;
        if sample.guardians.len() == 1 {
            return Err(Error::LastGuardian);
        }
        sample.guardians.remove(pos);
        self.samples.insert(sample_id, &sample);
        ev.emit(GuardianRemoved {
            sample: sample_id,
            guardian,
            by: env.caller,
        });
        Ok(())
    }

    /// The grown-up subject's account: opens the claim commitment with a
    /// signature by the claim key of [`claim_message`] naming `contract` (this
    /// registry's account), the sample and the caller, once the majority month
    /// (if set) has begun, and takes the token. A signature made for another
    /// account, sample or deployment opens nothing, so it cannot be front-run.
    pub fn claim_majority(
        &mut self,
        env: &Env,
        contract: &AccountId,
        sample_id: RecordId,
        signature: &ClaimSignature,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let mut sample = self.sample(sample_id)?;
        if sample.subject.is_some() {
            return Err(Error::MajorityClaimed);
        }
        if sample.majority.is_some_and(|m| env.now < m.start_millis()) {
            return Err(Error::MajorityNotReached);
        }
        let message = claim_message(contract, sample_id, &env.caller);
        let key = recover_claim_key(signature, &message).ok_or(Error::ClaimMismatch)?;
        if claim_commitment(&key) != sample.claim_commitment {
            return Err(Error::ClaimMismatch);
        }
        sample.subject = Some(env.caller);
        self.samples.insert(sample_id, &sample);
        let placeholder = subject_placeholder_account(sample_id);
        self.add_balance(placeholder, -1);
        self.add_balance(env.caller, 1);
        ev.emit(MajorityClaimed {
            sample: sample_id,
            subject: env.caller,
            at: env.now,
        });
        ev.emit(Transfer {
            from: Some(placeholder),
            to: Some(env.caller),
            id: Id::U128(sample_id),
        });
        Ok(())
    }

    /// Subject (after majority) or guardian (before): withdraws a record and,
    /// through it, all its descendants.
    pub fn withdraw(
        &mut self,
        env: &Env,
        record_id: RecordId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let mut record = self.record(record_id)?;
        let authority = self
            .authority(record.sample, env.caller)
            .ok_or(Error::NotSubjectOrGuardian)?;
        if self.walk(&[record_id])?.1 {
            return Err(Error::AlreadyWithdrawn);
        }
        record.withdrawn = true;
        let sample = record.sample;
        self.records.insert(record_id, &record);
        ev.emit(RecordWithdrawn {
            record: record_id,
            sample,
            by: env.caller,
            authority,
            at: env.now,
        });
        Ok(())
    }

    // ---------------------------------------------------------------- reads

    /// Breadth-first walk from `start` up through all ancestors: the deduplicated
    /// set (starts included) and whether any of them is withdrawn.
    fn walk(&self, start: &[RecordId]) -> Result<(Vec<RecordId>, bool)> {
        let mut seen: Vec<RecordId> = start.to_vec();
        let mut withdrawn = false;
        let mut next = 0;
        while next < seen.len() {
            let record = self.record(seen[next])?;
            withdrawn |= record.withdrawn;
            for p in record.parents {
                if !seen.contains(&p) {
                    seen.push(p);
                }
            }
            next += 1;
        }
        Ok((seen, withdrawn))
    }

    /// What `consent` needs to judge access to `record`.
    pub fn access_context(&self, record: RecordId) -> Option<AccessContext> {
        let sample = self.records.get(record)?.sample;
        let (lineage, withdrawn) = self.walk(&[record]).ok()?;
        let subject = self.samples.get(sample)?.subject;
        Some(AccessContext {
            sample,
            lineage,
            withdrawn,
            subject,
        })
    }

    /// A record with its effective status.
    pub fn get_record(&self, id: RecordId) -> Option<RecordView> {
        let record = self.records.get(id)?;
        let withdrawn = self.walk(&[id]).ok()?.1;
        let status = match (withdrawn, record.superseded_by) {
            (true, _) => RecordStatus::Withdrawn,
            (false, Some(new)) => RecordStatus::Superseded(new),
            (false, None) => RecordStatus::Active,
        };
        Some(RecordView { id, status, record })
    }

    pub fn record_by_commitment(&self, commitment: Commitment) -> Option<RecordId> {
        self.by_commitment.get(commitment)
    }

    pub fn get_sample(&self, id: RecordId) -> Option<Sample> {
        self.samples.get(id)
    }

    // ---------------------------------------------------------------- PSP34

    fn add_balance(&mut self, owner: AccountId, delta: i32) {
        let balance = self
            .balances
            .get(owner)
            .unwrap_or(0)
            .saturating_add_signed(delta);
        if balance == 0 {
            self.balances.remove(owner);
        } else {
            self.balances.insert(owner, &balance);
        }
    }

    pub fn balance_of(&self, owner: AccountId) -> u32 {
        self.balances.get(owner).unwrap_or(0)
    }

    /// The token's owner: the subject once majority is claimed, until then the
    /// subject's placeholder account (see `subject_placeholder_account`).
    pub fn owner_of(&self, id: &Id) -> Option<AccountId> {
        let sample_id = id.record_id()?;
        let sample = self.samples.get(sample_id)?;
        Some(
            sample
                .subject
                .unwrap_or_else(|| subject_placeholder_account(sample_id)),
        )
    }

    pub fn total_supply(&self) -> u128 {
        self.samples_minted
    }

    /// Token attributes: `kind`, `commitment` (the 32 raw bytes), `status`, `majority_claimed`.
    pub fn get_attribute(&self, id: &Id, key: &[u8]) -> Option<Vec<u8>> {
        let sample_id = id.record_id()?;
        let sample = self.samples.get(sample_id)?;
        let record = self.get_record(sample_id)?;
        let text: &[u8] = match key {
            b"kind" => b"sample",
            b"status" => match record.status {
                RecordStatus::Withdrawn => b"withdrawn",
                _ => b"active",
            },
            b"majority_claimed" => {
                if sample.subject.is_some() {
                    b"true"
                } else {
                    b"false"
                }
            }
            b"commitment" => return Some(record.record.commitment.to_vec()),
            _ => return None,
        };
        Some(text.to_vec())
    }
}

/// Whether any item occurs twice (lists here are bounded: at most 8 guardians or parents).
fn has_repeats<T: PartialEq>(items: &[T]) -> bool {
    items
        .iter()
        .enumerate()
        .any(|(i, x)| items[..i].contains(x))
}

#[cfg(test)]
mod tests;

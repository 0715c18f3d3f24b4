//! The registry's state machine: plain Rust over ink! storage mappings,
//! independent of how it is called. Every method takes the caller and clock
//! explicitly ([`Env`]), checks its authorization rule and inputs first, then
//! writes and emits, so a refused call changes nothing.
//!
//! Who may do what alone is the table in the project README ("Threat model");
//! each rule below names its row.

use crate::errors::{Error, Result};
use crate::events::*;
use bionft_primitives::claim::{claim_commitment, claim_message, recover_claim_key};
use bionft_primitives::{
    digest_alg, subject_placeholder_account, AccessContext, Authority, BlockNumber, ClaimSignature,
    Commitment, Env, EventSink, Guardian, Id, RecordId, RecordKind, RecordStatus, Role,
    SampleContext, Timestamp, YearMonth, MAX_GUARDIANS, MAX_JOINT_SAMPLES, MAX_LINEAGE,
    MAX_PARENTS, MAX_SEQUENCERS,
};
use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};
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
    /// The samples at the roots of this record's lineage, ascending: itself
    /// for a sample, several for a joint record (e.g. a trio's variant calls).
    pub samples: Vec<RecordId>,
    pub commitment: Commitment,
    pub digest_alg: u16,
    pub registered_by: AccountId,
    pub registered_at_block: BlockNumber,
    pub registered_at: Timestamp,
    pub superseded_by: Option<RecordId>,
    /// Withdrawn itself (descendants are withdrawn through it).
    pub withdrawn: bool,
}

/// Per-sample custody, guardianship and the majority handover.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Sample {
    pub custodian: AccountId,
    /// Per-sample guardian keys with their terms (empty for a self-consenting adult).
    pub guardians: Vec<Guardian>,
    /// Guardian terms opened so far: the next appointment's term.
    pub terms: u32,
    /// Sequencers the custodian assigned; only they register libraries … variants under it.
    pub sequencers: Vec<AccountId>,
    /// Commitment to the claim key the guardians keep; `None` for a self-consenting adult.
    pub claim_commitment: Option<Commitment>,
    /// The month guardians' authority ends and a claim becomes possible; `None` for an adult.
    pub majority: Option<YearMonth>,
    /// An account a guardian nominated as another guardian, awaiting the custodian.
    pub nominee: Option<AccountId>,
    /// The account the custodian verified in person as the grown-up subject (second factor).
    pub attested_claimant: Option<AccountId>,
    /// The subject's own account: at mint for an adult, at the claim for a newborn's sample.
    pub subject: Option<AccountId>,
}

impl Sample {
    fn is_guardian(&self, key: &AccountId) -> bool {
        self.guardians.iter().any(|g| g.key == *key)
    }

    /// Seats `key` as a guardian in a new term.
    fn appoint(&mut self, key: AccountId) -> Result<()> {
        self.guardians.push(Guardian {
            key,
            term: self.terms,
        });
        self.terms = self.terms.checked_add(1).ok_or(Error::IdOverflow)?;
        Ok(())
    }

    /// Whether guardians still speak for the subject at `now`.
    fn guardians_in_office(&self, now: Timestamp) -> bool {
        self.subject.is_none() && self.majority.is_some_and(|m| now < m.start_millis())
    }
}

/// A record as reported to callers: as stored, plus its effective status.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub struct RecordView {
    pub id: RecordId,
    pub status: RecordStatus,
    pub record: Record,
}

/// All state of the `biosample` contract. Fields are never reordered (the
/// layout survives `set_code_hash` upgrades); new state goes in new fields.
#[ink::storage_item]
#[cfg_attr(feature = "std", derive(Debug))]
pub struct Registry {
    admin: AccountId,
    paused: bool,
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
            paused: false,
            roles: Mapping::default(),
            last_id: 0,
            samples_minted: 0,
            records: Mapping::default(),
            samples: Mapping::default(),
            by_commitment: Mapping::default(),
            balances: Mapping::default(),
        }
    }

    // ----------------------------------------------------------- governance

    pub fn admin(&self) -> AccountId {
        self.admin
    }

    pub fn paused(&self) -> bool {
        self.paused
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

    /// Every write by members and users starts here; governance's own
    /// messages stay open while paused, so it can repair what it paused for.
    fn require_live(&self) -> Result<()> {
        if self.paused {
            Err(Error::Paused)
        } else {
            Ok(())
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
        ev.emit(RoleGranted { account, role });
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
        ev.emit(RoleRevoked { account, role });
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

    /// Admin: pauses (or resumes) every write of both contracts.
    pub fn set_paused(&mut self, env: &Env, paused: bool, ev: &mut impl EventSink) -> Result<()> {
        self.require_admin(env)?;
        self.paused = paused;
        ev.emit(PauseChanged { paused });
        Ok(())
    }

    /// Admin: allows replacing the contract's code with `code_hash` (the shell
    /// then calls `set_code_hash`). Storage is kept as it is.
    pub fn authorize_upgrade(
        &self,
        env: &Env,
        code_hash: Hash,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_admin(env)?;
        ev.emit(CodeUpgraded { code_hash });
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

    /// Biobank: registers a newborn's sample and mints its locked token. The
    /// guardians are per-sample keys; `claim` commits to the claim key the
    /// guardians generated and keep; `majority` is the month their authority
    /// ends.
    pub fn mint_sample(
        &mut self,
        env: &Env,
        commitment: Commitment,
        guardians: Vec<AccountId>,
        claim: Commitment,
        majority: YearMonth,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        self.require_live()?;
        self.require_biobank(env)?;
        if guardians.is_empty() {
            return Err(Error::NoGuardians);
        }
        if guardians.len() > MAX_GUARDIANS {
            return Err(Error::TooManyGuardians);
        }
        if has_repeats(&guardians) {
            return Err(Error::AlreadyGuardian);
        }
        if !majority.is_valid() {
            return Err(Error::InvalidMajorityDate);
        }
        if env.now >= majority.start_millis() {
            return Err(Error::MajorityInPast);
        }
        let mut sample = Sample {
            custodian: env.caller,
            guardians: Vec::new(),
            terms: 0,
            sequencers: Vec::new(),
            claim_commitment: Some(claim),
            majority: Some(majority),
            nominee: None,
            attested_claimant: None,
            subject: None,
        };
        for key in guardians {
            sample.appoint(key)?;
        }
        self.insert_sample(env, commitment, sample, ev)
    }

    /// Biobank: registers a self-consenting adult's own sample (e.g. a
    /// parent's, for trio sequencing): the subject holds authority from the
    /// start, and there are no guardians and nothing to claim.
    pub fn mint_self_consenting(
        &mut self,
        env: &Env,
        commitment: Commitment,
        subject: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        self.require_live()?;
        self.require_biobank(env)?;
        let sample = Sample {
            custodian: env.caller,
            guardians: Vec::new(),
            terms: 0,
            sequencers: Vec::new(),
            claim_commitment: None,
            majority: None,
            nominee: None,
            attested_claimant: None,
            subject: Some(subject),
        };
        self.insert_sample(env, commitment, sample, ev)
    }

    fn require_biobank(&self, env: &Env) -> Result<()> {
        if self.has_role(env.caller, Role::Biobank) {
            Ok(())
        } else {
            Err(Error::NotBiobank)
        }
    }

    fn insert_sample(
        &mut self,
        env: &Env,
        commitment: Commitment,
        sample: Sample,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        self.require_new_commitment(&commitment)?;
        let id = self.next_id()?;
        self.records.insert(
            id,
            &Record {
                kind: RecordKind::Sample,
                parents: Vec::new(),
                samples: ink::prelude::vec![id],
                commitment,
                digest_alg: digest_alg::SAMPLE_IDENTIFIER,
                registered_by: env.caller,
                registered_at_block: env.block,
                registered_at: env.now,
                superseded_by: None,
                withdrawn: false,
            },
        );
        self.by_commitment.insert(commitment, &id);
        self.samples_minted += 1;
        let owner = sample
            .subject
            .unwrap_or_else(|| subject_placeholder_account(id));
        self.add_balance(owner, 1);
        ev.emit(SampleMinted {
            sample: id,
            commitment,
            custodian: env.caller,
            guardians: sample.guardians.iter().map(|g| g.key).collect(),
            majority: sample.majority,
            subject: sample.subject,
            block: env.block,
            at: env.now,
        });
        ev.emit(Transfer {
            from: None,
            to: Some(owner),
            id: Id::U128(id),
        });
        self.samples.insert(id, &sample);
        Ok(id)
    }

    /// Checks that `kind` may be registered under `parents`, and returns the
    /// samples the record will derive from (ascending).
    fn check_parents(&self, kind: RecordKind, parents: &[RecordId]) -> Result<Vec<RecordId>> {
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
        let mut samples: Vec<RecordId> = Vec::new();
        for &p in parents {
            let parent = self.record(p)?;
            if !kind.may_derive_from(parent.kind) {
                return Err(Error::KindCannotDeriveFromParent);
            }
            samples.extend(parent.samples);
        }
        samples.sort_unstable();
        samples.dedup();
        if samples.len() > MAX_JOINT_SAMPLES {
            return Err(Error::TooManySamples);
        }
        let (lineage, withdrawn) = self.walk(parents)?;
        if withdrawn {
            return Err(Error::RecordWithdrawn);
        }
        if lineage.len() >= MAX_LINEAGE {
            return Err(Error::LineageTooLarge);
        }
        Ok(samples)
    }

    /// Whether the caller may register a record of `kind` under every one of
    /// `samples`: aliquots by their custodian biobank; libraries … variants by
    /// a sequencer the custodian of each sample assigned.
    fn require_registrar(&self, env: &Env, kind: RecordKind, samples: &[RecordId]) -> Result<()> {
        let (role, refusal) = if kind.registered_by_sequencer() {
            (Role::Sequencer, Error::NotAssignedSequencer)
        } else {
            (Role::Biobank, Error::NotCustodian)
        };
        if !self.has_role(env.caller, role) {
            return Err(
                if self.has_role(env.caller, Role::Biobank)
                    || self.has_role(env.caller, Role::Sequencer)
                {
                    refusal
                } else {
                    Error::NotRegistrar
                },
            );
        }
        for &s in samples {
            let sample = self.sample(s)?;
            let allowed = match role {
                Role::Sequencer => sample.sequencers.contains(&env.caller),
                _ => sample.custodian == env.caller,
            };
            if !allowed {
                return Err(refusal);
            }
        }
        Ok(())
    }

    /// Custodian biobank (aliquots) or assigned sequencer (later stages):
    /// registers a derived artifact under parents of one or more samples.
    pub fn register_artifact(
        &mut self,
        env: &Env,
        kind: RecordKind,
        parents: Vec<RecordId>,
        commitment: Commitment,
        digest_alg: u16,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        self.require_live()?;
        let samples = self.check_parents(kind, &parents)?;
        self.require_registrar(env, kind, &samples)?;
        if !digest_alg::is_known(digest_alg) {
            return Err(Error::UnknownDigestAlg);
        }
        self.require_new_commitment(&commitment)?;
        self.insert_artifact(env, kind, parents, samples, commitment, digest_alg, ev)
    }

    #[allow(clippy::too_many_arguments)]
    fn insert_artifact(
        &mut self,
        env: &Env,
        kind: RecordKind,
        parents: Vec<RecordId>,
        samples: Vec<RecordId>,
        commitment: Commitment,
        digest_alg: u16,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        let id = self.next_id()?;
        ev.emit(ArtifactRegistered {
            record: id,
            kind,
            parents: parents.clone(),
            samples: samples.clone(),
            commitment,
            digest_alg,
            registered_by: env.caller,
            block: env.block,
            at: env.now,
        });
        self.records.insert(
            id,
            &Record {
                kind,
                parents,
                samples,
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
        Ok(id)
    }

    /// Whoever may register a record of `old`'s kind under its samples now:
    /// registers a re-processed replacement with the same kind and parents
    /// and marks `old` superseded. Returns the new record's id.
    pub fn supersede(
        &mut self,
        env: &Env,
        old: RecordId,
        commitment: Commitment,
        digest_alg: u16,
        ev: &mut impl EventSink,
    ) -> Result<RecordId> {
        self.require_live()?;
        let mut record = self.record(old)?;
        if record.kind == RecordKind::Sample {
            return Err(Error::SampleIsNotAnArtifact);
        }
        self.require_registrar(env, record.kind, &record.samples)?;
        if record.superseded_by.is_some() {
            return Err(Error::AlreadySuperseded);
        }
        if self.walk(&[old])?.1 {
            return Err(Error::RecordWithdrawn);
        }
        if !digest_alg::is_known(digest_alg) {
            return Err(Error::UnknownDigestAlg);
        }
        self.require_new_commitment(&commitment)?;
        let new = self.insert_artifact(
            env,
            record.kind,
            record.parents.clone(),
            record.samples.clone(),
            commitment,
            digest_alg,
            ev,
        )?;
        record.superseded_by = Some(new);
        self.records.insert(old, &record);
        ev.emit(RecordSuperseded { old, new });
        Ok(new)
    }

    // -------------------------------------------------------------- custody

    /// Loads a sample for its custodian, who must still be a biobank.
    fn sample_for_custodian(&self, env: &Env, sample_id: RecordId) -> Result<Sample> {
        let sample = self.sample(sample_id)?;
        if sample.custodian != env.caller || !self.has_role(env.caller, Role::Biobank) {
            return Err(Error::NotCustodian);
        }
        Ok(sample)
    }

    /// Custodian biobank: hands a sample to another biobank.
    pub fn transfer_custody(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        to: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let sample = self.sample_for_custodian(env, sample_id)?;
        self.move_custody(sample_id, sample, to, ev)
    }

    /// Admin (governance): moves a sample to another biobank, e.g. when its
    /// custodian left the consortium and the sample would be orphaned.
    pub fn reassign_custody(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        to: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_admin(env)?;
        let sample = self.sample(sample_id)?;
        self.move_custody(sample_id, sample, to, ev)
    }

    fn move_custody(
        &mut self,
        sample_id: RecordId,
        mut sample: Sample,
        to: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        if !self.has_role(to, Role::Biobank) {
            return Err(Error::RecipientNotBiobank);
        }
        if to == sample.custodian {
            return Err(Error::AlreadyCustodian);
        }
        let from = sample.custodian;
        sample.custodian = to;
        // An attestation is the old custodian's word; the new one verifies anew.
        sample.attested_claimant = None;
        self.samples.insert(sample_id, &sample);
        ev.emit(CustodyTransferred {
            sample: sample_id,
            from,
            to,
        });
        Ok(())
    }

    /// Custodian biobank: lets `sequencer` register libraries … variants under the sample.
    pub fn assign_sequencer(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        sequencer: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let mut sample = self.sample_for_custodian(env, sample_id)?;
        if !self.has_role(sequencer, Role::Sequencer) {
            return Err(Error::NotASequencer);
        }
        if sample.sequencers.contains(&sequencer) {
            return Err(Error::AlreadyAssigned);
        }
        if sample.sequencers.len() >= MAX_SEQUENCERS {
            return Err(Error::TooManySequencers);
        }
        sample.sequencers.push(sequencer);
        self.samples.insert(sample_id, &sample);
        ev.emit(SequencerAssigned {
            sample: sample_id,
            sequencer,
        });
        Ok(())
    }

    /// Custodian biobank: ends a sequencer's assignment to the sample.
    pub fn unassign_sequencer(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        sequencer: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let mut sample = self.sample_for_custodian(env, sample_id)?;
        let pos = sample
            .sequencers
            .iter()
            .position(|s| *s == sequencer)
            .ok_or(Error::NotAssigned)?;
        sample.sequencers.remove(pos);
        self.samples.insert(sample_id, &sample);
        ev.emit(SequencerUnassigned {
            sample: sample_id,
            sequencer,
        });
        Ok(())
    }

    // --------------------------------------------------------- guardianship

    /// The authority `account` holds over `sample_id` at `now`: the subject
    /// once set; a guardian only before the majority month.
    pub fn authority(
        &self,
        sample_id: RecordId,
        account: AccountId,
        now: Timestamp,
    ) -> Option<Authority> {
        let sample = self.samples.get(sample_id)?;
        if sample.subject == Some(account) {
            Some(Authority::Subject)
        } else {
            (sample.guardians_in_office(now) && sample.is_guardian(&account))
                .then_some(Authority::Guardian)
        }
    }

    /// Loads a sample for a guardian's action: the caller must be a guardian in office.
    fn sample_for_guardian(&self, env: &Env, sample_id: RecordId) -> Result<Sample> {
        let sample = self.sample(sample_id)?;
        if !sample.is_guardian(&env.caller) {
            return Err(Error::NotGuardian);
        }
        if !sample.guardians_in_office(env.now) {
            return Err(Error::GuardianshipEnded);
        }
        Ok(sample)
    }

    /// Guardian (before the majority month): proposes `nominee` as another
    /// guardian. Only the custodian's approval makes them one.
    pub fn nominate_guardian(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        nominee: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let mut sample = self.sample_for_guardian(env, sample_id)?;
        if sample.is_guardian(&nominee) {
            return Err(Error::AlreadyGuardian);
        }
        sample.nominee = Some(nominee);
        self.samples.insert(sample_id, &sample);
        ev.emit(GuardianNominated {
            sample: sample_id,
            nominee,
        });
        Ok(())
    }

    /// Custodian biobank, after verifying the nominee's guardianship off
    /// chain (`reason`: a hash of the evidence): makes the nominee a guardian.
    pub fn approve_guardian(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        nominee: AccountId,
        reason: Commitment,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let mut sample = self.sample_for_custodian(env, sample_id)?;
        if !sample.guardians_in_office(env.now) {
            return Err(Error::GuardianshipEnded);
        }
        if sample.nominee != Some(nominee) {
            return Err(Error::NotNominated);
        }
        if sample.guardians.len() >= MAX_GUARDIANS {
            return Err(Error::TooManyGuardians);
        }
        sample.appoint(nominee)?;
        sample.nominee = None;
        self.samples.insert(sample_id, &sample);
        ev.emit(GuardianAdded {
            sample: sample_id,
            guardian: nominee,
            reason,
        });
        Ok(())
    }

    /// Custodian biobank, on recorded grounds (`reason`: a hash of e.g. a
    /// court order): removes a guardian, never the last. Grants the removed
    /// guardian issued stop counting.
    pub fn remove_guardian(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        guardian: AccountId,
        reason: Commitment,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let sample = self.sample_for_custodian(env, sample_id)?;
        if !sample.guardians_in_office(env.now) {
            return Err(Error::GuardianshipEnded);
        }
        self.drop_guardian(sample_id, sample, guardian, Some(reason), ev)
    }

    /// Guardian (before the majority month): steps down, never as the last one.
    pub fn resign_guardian(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let sample = self.sample_for_guardian(env, sample_id)?;
        self.drop_guardian(sample_id, sample, env.caller, None, ev)
    }

    fn drop_guardian(
        &mut self,
        sample_id: RecordId,
        mut sample: Sample,
        guardian: AccountId,
        reason: Option<Commitment>,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        let pos = sample
            .guardians
            .iter()
            .position(|g| g.key == guardian)
            .ok_or(Error::NotGuardian)?;
        if sample.guardians.len() == 1 {
            return Err(Error::LastGuardian);
        }
        sample.guardians.remove(pos);
        self.samples.insert(sample_id, &sample);
        ev.emit(GuardianRemoved {
            sample: sample_id,
            guardian,
            reason,
        });
        Ok(())
    }

    // ------------------------------------------------------------- majority

    /// Custodian biobank, from the majority month on, after verifying in
    /// person that `claimant` is the grown-up subject: the second factor of
    /// the claim. A later attestation replaces an earlier one.
    pub fn attest_claimant(
        &mut self,
        env: &Env,
        sample_id: RecordId,
        claimant: AccountId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let mut sample = self.sample_for_custodian(env, sample_id)?;
        Self::require_claimable(env, &sample)?;
        sample.attested_claimant = Some(claimant);
        self.samples.insert(sample_id, &sample);
        ev.emit(ClaimantAttested {
            sample: sample_id,
            claimant,
        });
        Ok(())
    }

    fn require_claimable(env: &Env, sample: &Sample) -> Result<()> {
        if sample.subject.is_some() {
            return Err(Error::MajorityClaimed);
        }
        match sample.majority {
            Some(m) if env.now >= m.start_millis() => Ok(()),
            _ => Err(Error::MajorityNotReached),
        }
    }

    /// The grown-up subject's account, once the custodian attested it: opens
    /// the claim commitment with a signature by the claim key of
    /// [`claim_message`] naming `contract` (this registry's account), the
    /// sample and the caller, and takes the token. Needs both factors: the
    /// key the guardians kept, and the custodian's attestation of the caller.
    pub fn claim_majority(
        &mut self,
        env: &Env,
        contract: &AccountId,
        sample_id: RecordId,
        signature: &ClaimSignature,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let mut sample = self.sample(sample_id)?;
        Self::require_claimable(env, &sample)?;
        if sample.attested_claimant != Some(env.caller) {
            return Err(Error::NotAttested);
        }
        let message = claim_message(contract, sample_id, &env.caller);
        let key = recover_claim_key(signature, &message).ok_or(Error::ClaimMismatch)?;
        if Some(claim_commitment(&key)) != sample.claim_commitment {
            return Err(Error::ClaimMismatch);
        }
        sample.subject = Some(env.caller);
        sample.nominee = None;
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

    /// The authority of any sample the record derives from (guardians before
    /// the majority month, the subject once set): withdraws the record and,
    /// through it, all its descendants, joint records included.
    pub fn withdraw(
        &mut self,
        env: &Env,
        record_id: RecordId,
        ev: &mut impl EventSink,
    ) -> Result<()> {
        self.require_live()?;
        let mut record = self.record(record_id)?;
        let authority = record
            .samples
            .iter()
            .find_map(|&s| self.authority(s, env.caller, env.now))
            .ok_or(Error::NotSubjectOrGuardian)?;
        if self.walk(&[record_id])?.1 {
            return Err(Error::AlreadyWithdrawn);
        }
        record.withdrawn = true;
        self.records.insert(record_id, &record);
        ev.emit(RecordWithdrawn {
            record: record_id,
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
    pub fn access_context(&self, record_id: RecordId) -> Option<AccessContext> {
        let record = self.records.get(record_id)?;
        let (lineage, withdrawn) = self.walk(&[record_id]).ok()?;
        let mut samples = Vec::new();
        for &s in &record.samples {
            let sample = self.samples.get(s)?;
            samples.push(SampleContext {
                sample: s,
                subject: sample.subject,
                majority_at: sample.majority.map(YearMonth::start_millis),
                guardians: sample.guardians,
            });
        }
        Some(AccessContext {
            samples,
            lineage,
            withdrawn,
            superseded: record.superseded_by.is_some(),
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

    /// The token's owner: the subject once set, until then the subject's
    /// placeholder account (see `subject_placeholder_account`).
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

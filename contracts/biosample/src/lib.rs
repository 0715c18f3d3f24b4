//! `biosample`: the BioNFT sample registry (ink! 5.1, pallet-contracts).
//!
//! One locked PSP34 token per newborn sample; derived artifacts (aliquot,
//! library, sequencing run, reads, alignment, variants) form a lineage DAG of
//! records under it. Records carry only salted hash commitments, never data or
//! personal information. The contract also holds the consortium roles
//! (admin, biobank, sequencer, data host), the guardians of each sample and
//! the majority handover, and answers `consent`'s questions through the
//! [`bionft_primitives::Lineage`] trait.
//!
//! The logic lives in [`registry::Registry`], a plain state machine tested
//! natively; the `#[ink::contract]` module below only wires the environment
//! (caller, block time) and the event sink to it.
//!
//! Behaviours the standards leave open:
//! - Tokens are soulbound (ERC-5192): `locked(id)` is `Ok(true)` for every
//!   token, and PSP34 `transfer`/`approve` fail with `Custom("Locked")`.
//! - Until majority, `owner_of` reports the subject's placeholder account
//!   (`subject_placeholder_account`), which nobody holds a key for; guardians
//!   act for it. After `claim_majority`, the subject's own account owns the
//!   token and a PSP34 `Transfer` event records the change.
//! - A record's status is effective: withdrawing a record withdraws every
//!   descendant without touching their storage.
//! - A joint record (a trio's variant calls) derives from several samples;
//!   the authority of any of them can withdraw it.
//! - Governance (the admin) can pause every write of both contracts and
//!   replace the code with `set_code_hash`; storage is kept (see the README).
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod errors;
pub mod events;
pub mod registry;

pub use errors::Error;
pub use registry::{Record, RecordView, Sample};

#[ink::contract]
mod biosample {
    use crate::errors::{Error, Result};
    use crate::registry::{RecordView, Registry, Sample};
    use bionft_primitives::psp34::{PSP34Error, PSP34Metadata, LOCKED, PSP34};
    use bionft_primitives::{
        AccessContext, Authority, ChainEvents, ClaimSignature, Commitment, Env, Id, Lineage,
        RecordId, RecordKind, Role, YearMonth,
    };
    use ink::prelude::{string::String, vec::Vec};

    /// The contract's storage: the registry and nothing else.
    #[ink(storage)]
    pub struct Biosample {
        registry: Registry,
    }

    impl Biosample {
        /// A registry governed by `admin` (the consortium's governance account).
        #[ink(constructor)]
        pub fn new(admin: AccountId) -> Self {
            Self {
                registry: Registry::new(admin),
            }
        }

        /// Admin: gives `role` to `account`.
        #[ink(message)]
        pub fn grant_role(&mut self, account: AccountId, role: Role) -> Result<()> {
            self.registry
                .grant_role(&Env::current(), account, role, &mut ChainEvents)
        }

        /// Admin: takes `role` from `account`.
        #[ink(message)]
        pub fn revoke_role(&mut self, account: AccountId, role: Role) -> Result<()> {
            self.registry
                .revoke_role(&Env::current(), account, role, &mut ChainEvents)
        }

        /// Admin: hands the admin role over to `to`.
        #[ink(message)]
        pub fn transfer_admin(&mut self, to: AccountId) -> Result<()> {
            self.registry
                .transfer_admin(&Env::current(), to, &mut ChainEvents)
        }

        /// Admin: pauses (`true`) or resumes every write of both contracts.
        #[ink(message)]
        pub fn set_paused(&mut self, paused: bool) -> Result<()> {
            self.registry
                .set_paused(&Env::current(), paused, &mut ChainEvents)
        }

        /// Admin: replaces this contract's code with already uploaded code
        /// `code_hash`, keeping its storage and address.
        #[ink(message)]
        pub fn set_code_hash(&mut self, code_hash: Hash) -> Result<()> {
            self.registry
                .authorize_upgrade(&Env::current(), code_hash, &mut ChainEvents)?;
            ink::env::set_code_hash::<ink::env::DefaultEnvironment>(&code_hash)
                .map_err(|_| Error::UnknownCode)
        }

        /// Biobank: registers a newborn's sample (its salted `commitment`, its
        /// guardians' per-sample keys, the `claim_commitment` of the claim key
        /// the guardians generated (see `bionft_primitives::claim`), and the
        /// month their authority ends) and mints its locked token.
        #[ink(message)]
        pub fn mint_sample(
            &mut self,
            commitment: Commitment,
            guardians: Vec<AccountId>,
            claim_commitment: Commitment,
            majority: YearMonth,
        ) -> Result<RecordId> {
            self.registry.mint_sample(
                &Env::current(),
                commitment,
                guardians,
                claim_commitment,
                majority,
                &mut ChainEvents,
            )
        }

        /// Biobank: registers a self-consenting adult's own sample, with its
        /// subject's (per-sample) account, and mints its token to them.
        #[ink(message)]
        pub fn mint_self_consenting(
            &mut self,
            commitment: Commitment,
            subject: AccountId,
        ) -> Result<RecordId> {
            self.registry.mint_self_consenting(
                &Env::current(),
                commitment,
                subject,
                &mut ChainEvents,
            )
        }

        /// Custodian biobank (aliquots) or assigned sequencer (libraries …
        /// variants): registers a derived artifact under one or more parents,
        /// which may belong to several samples (a joint record).
        #[ink(message)]
        pub fn register_artifact(
            &mut self,
            kind: RecordKind,
            parents: Vec<RecordId>,
            commitment: Commitment,
            digest_alg: u16,
        ) -> Result<RecordId> {
            self.registry.register_artifact(
                &Env::current(),
                kind,
                parents,
                commitment,
                digest_alg,
                &mut ChainEvents,
            )
        }

        /// Whoever may register `old`'s kind under its samples: registers a
        /// re-processed replacement (same kind and parents) and marks `old`
        /// superseded. Returns the new record id.
        #[ink(message)]
        pub fn supersede(
            &mut self,
            old: RecordId,
            commitment: Commitment,
            digest_alg: u16,
        ) -> Result<RecordId> {
            self.registry.supersede(
                &Env::current(),
                old,
                commitment,
                digest_alg,
                &mut ChainEvents,
            )
        }

        /// Custodian biobank: hands `sample` to biobank `to`.
        #[ink(message)]
        pub fn transfer_custody(&mut self, sample: RecordId, to: AccountId) -> Result<()> {
            self.registry
                .transfer_custody(&Env::current(), sample, to, &mut ChainEvents)
        }

        /// Admin: moves `sample` to biobank `to` (an orphaned sample's way out).
        #[ink(message)]
        pub fn reassign_custody(&mut self, sample: RecordId, to: AccountId) -> Result<()> {
            self.registry
                .reassign_custody(&Env::current(), sample, to, &mut ChainEvents)
        }

        /// Custodian biobank: lets `sequencer` register under `sample`.
        #[ink(message)]
        pub fn assign_sequencer(&mut self, sample: RecordId, sequencer: AccountId) -> Result<()> {
            self.registry
                .assign_sequencer(&Env::current(), sample, sequencer, &mut ChainEvents)
        }

        /// Custodian biobank: ends `sequencer`'s assignment to `sample`.
        #[ink(message)]
        pub fn unassign_sequencer(&mut self, sample: RecordId, sequencer: AccountId) -> Result<()> {
            self.registry
                .unassign_sequencer(&Env::current(), sample, sequencer, &mut ChainEvents)
        }

        /// The authority of any sample `record` derives from: withdraws it and its descendants.
        #[ink(message)]
        pub fn withdraw(&mut self, record: RecordId) -> Result<()> {
            self.registry
                .withdraw(&Env::current(), record, &mut ChainEvents)
        }

        /// Guardian (before the majority month): proposes `nominee` as another guardian.
        #[ink(message)]
        pub fn nominate_guardian(&mut self, sample: RecordId, nominee: AccountId) -> Result<()> {
            self.registry
                .nominate_guardian(&Env::current(), sample, nominee, &mut ChainEvents)
        }

        /// Custodian biobank: makes the guardians' nominee a guardian
        /// (`reason`: a hash of the evidence it checked).
        #[ink(message)]
        pub fn approve_guardian(
            &mut self,
            sample: RecordId,
            nominee: AccountId,
            reason: Commitment,
        ) -> Result<()> {
            self.registry.approve_guardian(
                &Env::current(),
                sample,
                nominee,
                reason,
                &mut ChainEvents,
            )
        }

        /// Custodian biobank: removes `guardian`, never the last, on recorded
        /// grounds (`reason`: a hash of e.g. a court order).
        #[ink(message)]
        pub fn remove_guardian(
            &mut self,
            sample: RecordId,
            guardian: AccountId,
            reason: Commitment,
        ) -> Result<()> {
            self.registry.remove_guardian(
                &Env::current(),
                sample,
                guardian,
                reason,
                &mut ChainEvents,
            )
        }

        /// Guardian (before the majority month): steps down, never as the last one.
        #[ink(message)]
        pub fn resign_guardian(&mut self, sample: RecordId) -> Result<()> {
            self.registry
                .resign_guardian(&Env::current(), sample, &mut ChainEvents)
        }

        /// Custodian biobank, from the majority month on: attests that
        /// `claimant` is the grown-up subject, verified in person.
        #[ink(message)]
        pub fn attest_claimant(&mut self, sample: RecordId, claimant: AccountId) -> Result<()> {
            self.registry
                .attest_claimant(&Env::current(), sample, claimant, &mut ChainEvents)
        }

        /// The grown-up subject's account, attested by the custodian: presents
        /// a signature by the claim key (see `bionft_primitives::claim`)
        /// naming this contract, the sample and the caller; from then on the
        /// subject holds authority over the sample.
        #[ink(message)]
        pub fn claim_majority(&mut self, sample: RecordId, signature: Vec<u8>) -> Result<()> {
            let signature: &ClaimSignature = signature
                .as_slice()
                .try_into()
                .map_err(|_| Error::ClaimMismatch)?;
            let contract = self.env().account_id();
            self.registry.claim_majority(
                &Env::current(),
                &contract,
                sample,
                signature,
                &mut ChainEvents,
            )
        }

        /// A record with its effective status.
        #[ink(message)]
        pub fn get_record(&self, id: RecordId) -> Option<RecordView> {
            self.registry.get_record(id)
        }

        /// The record carrying `commitment`, if any.
        #[ink(message)]
        pub fn record_by_commitment(&self, commitment: Commitment) -> Option<RecordId> {
            self.registry.record_by_commitment(commitment)
        }

        /// Custody, guardianship and the majority handover of a sample.
        #[ink(message)]
        pub fn get_sample(&self, id: RecordId) -> Option<Sample> {
            self.registry.get_sample(id)
        }

        /// ERC-5192: whether token `id` is locked (always, for existing tokens).
        #[ink(message)]
        pub fn locked(&self, id: Id) -> Result<bool> {
            match id.record_id().map(|r| self.registry.get_sample(r)) {
                Some(Some(_)) => Ok(true),
                _ => Err(Error::UnknownRecord),
            }
        }
    }

    impl Lineage for Biosample {
        #[ink(message)]
        fn access_context(&self, record: RecordId) -> Option<AccessContext> {
            self.registry.access_context(record)
        }

        #[ink(message)]
        fn authority(&self, sample: RecordId, account: AccountId) -> Option<Authority> {
            let now = self.env().block_timestamp();
            self.registry.authority(sample, account, now)
        }

        #[ink(message)]
        fn has_role(&self, account: AccountId, role: Role) -> bool {
            self.registry.has_role(account, role)
        }

        #[ink(message)]
        fn admin(&self) -> AccountId {
            self.registry.admin()
        }

        #[ink(message)]
        fn paused(&self) -> bool {
            self.registry.paused()
        }
    }

    impl PSP34 for Biosample {
        #[ink(message)]
        fn collection_id(&self) -> Id {
            let own = self.env().account_id();
            Id::Bytes(AsRef::<[u8]>::as_ref(&own).to_vec())
        }

        #[ink(message)]
        fn balance_of(&self, owner: AccountId) -> u32 {
            self.registry.balance_of(owner)
        }

        #[ink(message)]
        fn owner_of(&self, id: Id) -> Option<AccountId> {
            self.registry.owner_of(&id)
        }

        /// Nobody is ever approved: tokens are locked.
        #[ink(message)]
        fn allowance(&self, _owner: AccountId, _operator: AccountId, _id: Option<Id>) -> bool {
            false
        }

        /// Always fails with `Custom("Locked")`.
        #[ink(message)]
        fn approve(
            &mut self,
            _operator: AccountId,
            _id: Option<Id>,
            _approved: bool,
        ) -> core::result::Result<(), PSP34Error> {
            Err(PSP34Error::Custom(String::from(LOCKED)))
        }

        /// Always fails with `Custom("Locked")`.
        #[ink(message)]
        fn transfer(
            &mut self,
            _to: AccountId,
            _id: Id,
            _data: Vec<u8>,
        ) -> core::result::Result<(), PSP34Error> {
            Err(PSP34Error::Custom(String::from(LOCKED)))
        }

        #[ink(message)]
        fn total_supply(&self) -> u128 {
            self.registry.total_supply()
        }
    }

    impl PSP34Metadata for Biosample {
        #[ink(message)]
        fn get_attribute(&self, id: Id, key: Vec<u8>) -> Option<Vec<u8>> {
            self.registry.get_attribute(&id, &key)
        }
    }
}

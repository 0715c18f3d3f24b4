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

        /// The current admin.
        #[ink(message)]
        pub fn admin(&self) -> AccountId {
            self.registry.admin()
        }

        /// Biobank: registers a newborn's sample (its salted `commitment`, its
        /// guardians, the `claim_commitment` of the claim key whose secret the
        /// guardians receive (see `bionft_primitives::claim`),
        /// and an optional coarse majority month) and mints its locked token.
        #[ink(message)]
        pub fn mint_sample(
            &mut self,
            commitment: Commitment,
            guardians: Vec<AccountId>,
            claim_commitment: Commitment,
            majority: Option<YearMonth>,
        ) -> Result<RecordId> {
            let ctx = Env::current();
            self.registry.mint_sample(
                &ctx,
                commitment,
                guardians,
                claim_commitment,
                majority,
                &mut ChainEvents,
            )
        }

        /// Biobank (custodian of the sample) or sequencer: registers a derived
        /// artifact under one or more parents of the same sample.
        #[ink(message)]
        pub fn register_artifact(
            &mut self,
            kind: RecordKind,
            parents: Vec<RecordId>,
            commitment: Commitment,
            digest_alg: u16,
        ) -> Result<RecordId> {
            let ctx = Env::current();
            self.registry.register_artifact(
                &ctx,
                kind,
                parents,
                commitment,
                digest_alg,
                &mut ChainEvents,
            )
        }

        /// The artifact's registrar or the sample's custodian: registers a
        /// re-processed replacement for `old` (same kind and parents) and marks
        /// `old` superseded. Returns the new record id.
        #[ink(message)]
        pub fn supersede(
            &mut self,
            old: RecordId,
            commitment: Commitment,
            digest_alg: u16,
        ) -> Result<RecordId> {
            let ctx = Env::current();
            self.registry
                .supersede(&ctx, old, commitment, digest_alg, &mut ChainEvents)
        }

        /// Custodian biobank: hands `sample` to biobank `to`.
        #[ink(message)]
        pub fn transfer_custody(&mut self, sample: RecordId, to: AccountId) -> Result<()> {
            self.registry
                .transfer_custody(&Env::current(), sample, to, &mut ChainEvents)
        }

        /// Subject (after majority) or guardian (before): withdraws `record` and its descendants.
        #[ink(message)]
        pub fn withdraw(&mut self, record: RecordId) -> Result<()> {
            self.registry
                .withdraw(&Env::current(), record, &mut ChainEvents)
        }

        /// Guardian (before majority): adds `guardian`.
        #[ink(message)]
        pub fn add_guardian(&mut self, sample: RecordId, guardian: AccountId) -> Result<()> {
            self.registry
                .add_guardian(&Env::current(), sample, guardian, &mut ChainEvents)
        }

        /// Guardian (before majority): removes `guardian`, never the last one.
        #[ink(message)]
        pub fn remove_guardian(&mut self, sample: RecordId, guardian: AccountId) -> Result<()> {
            self.registry
                .remove_guardian(&Env::current(), sample, guardian, &mut ChainEvents)
        }

        /// The grown-up subject's account: presents a signature by the claim key
        /// (see `bionft_primitives::claim`) naming this contract, the sample and
        /// the caller; from then on the subject, not the guardians, holds
        /// authority over the sample.
        #[ink(message)]
        pub fn claim_majority(&mut self, sample: RecordId, signature: Vec<u8>) -> Result<()> {
            // Taken as bytes: the contract already decodes `Vec<u8>`, a `[u8; 65]` decoder
            // would be new code in a contract at its size limit.
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

        /// Guardianship and custody of a sample.
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
            self.registry.authority(sample, account)
        }

        #[ink(message)]
        fn has_role(&self, account: AccountId, role: Role) -> bool {
            self.registry.has_role(account, role)
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

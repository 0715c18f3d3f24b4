//! `consent`: BioNFT access grants (ink! 5.1, pallet-contracts).
//!
//! Guardians (or the grown-up subject) grant a researcher access to a record
//! and its descendants, for a GA4GH DUO purpose, until a time; they can revoke
//! a grant or withdraw all consent. `check_access` answers "may grantee G use
//! record R for purpose P now?" and names the reason when the answer is no;
//! data hosts log every access with `record_access`, which is refused when
//! `check_access` would deny.
//!
//! Record, guardianship and role facts come from the `biosample` contract
//! through the typed [`bionft_primitives::Lineage`] cross-contract interface.
//! The logic lives in [`ledger::Ledger`], tested natively; the
//! `#[ink::contract]` module only wires the environment and events to it.
//!
//! Behaviours worth knowing:
//! - A grant's scope is a record of the subject's lineage; it covers that
//!   record and all its descendants (e.g. a grant on an aliquot covers the
//!   BAMs and VCFs derived from it).
//! - `withdraw_all` voids every grant issued before it (they stay readable);
//!   new grants can be issued afterwards.
//! - When the subject claims majority, grants issued by guardians stop
//!   counting unless the subject `confirm`s them; the subject's own grants
//!   count normally.
//! - Expiry is compared with the block timestamp: a grant counts while
//!   `now < expires_at`.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

pub mod errors;
pub mod events;
pub mod ledger;

pub use errors::Error;
pub use ledger::{Grant, LineageSource, MAX_GRANTS_PER_PAIR};

#[ink::contract]
mod consent {
    use crate::errors::Result;
    use crate::ledger::{Grant, Ledger, LineageSource};
    use bionft_primitives::{
        AccessContext, AccessDenied, Authority, ChainEvents, Env, GrantId, Lineage, LineageRef,
        Purpose, RecordId, Role,
    };
    use ink::prelude::vec::Vec;

    /// Asks the `biosample` contract, through typed cross-contract calls.
    struct Biosample(LineageRef);

    impl LineageSource for Biosample {
        fn access_context(&self, record: RecordId) -> Option<AccessContext> {
            Lineage::access_context(&self.0, record)
        }

        fn authority(&self, sample: RecordId, account: AccountId) -> Option<Authority> {
            Lineage::authority(&self.0, sample, account)
        }

        fn has_role(&self, account: AccountId, role: Role) -> bool {
            Lineage::has_role(&self.0, account, role)
        }
    }

    /// The contract's storage: where `biosample` lives, and the ledger.
    #[ink(storage)]
    pub struct Consent {
        biosample: AccountId,
        ledger: Ledger,
    }

    impl Consent {
        /// A ledger that asks the `biosample` contract at `biosample` about records.
        #[ink(constructor)]
        pub fn new(biosample: AccountId) -> Self {
            Self {
                biosample,
                ledger: Ledger::default(),
            }
        }

        fn source(&self) -> Biosample {
            Biosample(self.biosample.into())
        }

        /// The `biosample` contract this ledger consults.
        #[ink(message)]
        pub fn biosample(&self) -> AccountId {
            self.biosample
        }

        /// A current guardian of `subject_record` (or its subject after majority):
        /// lets `grantee` use `scope` and its descendants for `purpose` until
        /// `expires_at` (ms since the Unix epoch). Returns the grant id.
        #[ink(message)]
        pub fn grant(
            &mut self,
            subject_record: RecordId,
            grantee: AccountId,
            scope: RecordId,
            purpose: Purpose,
            expires_at: u64,
        ) -> Result<GrantId> {
            let ctx = Env::current();
            self.ledger.grant(
                &ctx,
                &self.source(),
                subject_record,
                grantee,
                scope,
                purpose,
                expires_at,
                &mut ChainEvents,
            )
        }

        /// The sample's current authority: revokes grant `grant_id`.
        #[ink(message)]
        pub fn revoke(&mut self, grant_id: GrantId) -> Result<()> {
            let ctx = Env::current();
            self.ledger
                .revoke(&ctx, &self.source(), grant_id, &mut ChainEvents)
        }

        /// The sample's current authority: withdraws all consent given so far.
        #[ink(message)]
        pub fn withdraw_all(&mut self, subject_record: RecordId) -> Result<()> {
            let ctx = Env::current();
            self.ledger
                .withdraw_all(&ctx, &self.source(), subject_record, &mut ChainEvents)
        }

        /// The grown-up subject: keeps a grant their guardians issued in force.
        #[ink(message)]
        pub fn confirm(&mut self, grant_id: GrantId) -> Result<()> {
            let ctx = Env::current();
            self.ledger
                .confirm(&ctx, &self.source(), grant_id, &mut ChainEvents)
        }

        /// Anyone: may `grantee` use `record` for `purpose` now? The covering
        /// grant, or the named reason for a denial.
        #[ink(message)]
        pub fn check_access(
            &self,
            grantee: AccountId,
            record: RecordId,
            purpose: Purpose,
        ) -> core::result::Result<GrantId, AccessDenied> {
            self.ledger
                .check_access(&Env::current(), &self.source(), grantee, record, &purpose)
        }

        /// Data host: records an access receipt for `record` served under
        /// `grant_id` for `purpose`. Returns the receipt number.
        #[ink(message)]
        pub fn record_access(
            &mut self,
            grant_id: GrantId,
            record: RecordId,
            purpose: Purpose,
        ) -> Result<u64> {
            let ctx = Env::current();
            self.ledger.record_access(
                &ctx,
                &self.source(),
                grant_id,
                record,
                purpose,
                &mut ChainEvents,
            )
        }

        /// A grant as stored (including revoked and lapsed ones).
        #[ink(message)]
        pub fn get_grant(&self, grant_id: GrantId) -> Option<Grant> {
            self.ledger.get_grant(grant_id)
        }

        /// Unrevoked grants of `grantee` for the subject of `sample`.
        #[ink(message)]
        pub fn grants_for(&self, sample: RecordId, grantee: AccountId) -> Vec<GrantId> {
            self.ledger.grants_for(sample, grantee)
        }

        /// The subject's consent epoch (how many times consent was withdrawn).
        #[ink(message)]
        pub fn consent_epoch(&self, sample: RecordId) -> u32 {
            self.ledger.epoch(sample)
        }
    }
}

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
//! - From the majority month on, grants issued by guardians stop counting
//!   unless the subject `confirm`s them; so do grants of a guardian who
//!   resigned or was removed. The subject's own grants count normally.
//! - A joint record (a trio's variant calls) is usable only with a covering
//!   grant, for the same grantee and purpose, from every sample it derives
//!   from; `record_access` logs all of them.
//! - Governance is `biosample`'s admin: it pauses both contracts there, and
//!   here upgrades the code (`set_code_hash`) and rewires `biosample`, whose
//!   code hash is checked at every wiring.
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
    use crate::errors::{Error, Result};
    use crate::events::{BiosampleWired, CodeUpgraded};
    use crate::ledger::{Grant, Ledger, LineageSource};
    use bionft_primitives::{
        AccessContext, AccessDenied, Authority, ChainEvents, Env, EventSink, GrantId, Lineage,
        LineageRef, Purpose, RecordId, Role,
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

        fn admin(&self) -> AccountId {
            Lineage::admin(&self.0)
        }

        fn paused(&self) -> bool {
            Lineage::paused(&self.0)
        }
    }

    /// The contract's storage: where `biosample` lives, and the ledger.
    #[ink(storage)]
    pub struct Consent {
        biosample: AccountId,
        ledger: Ledger,
        biosample_code_hash: Hash,
    }

    /// Whether `biosample` runs the code `code_hash`.
    fn check_code(biosample: &AccountId, code_hash: &Hash) -> Result<()> {
        match ink::env::code_hash::<ink::env::DefaultEnvironment>(biosample) {
            Ok(actual) if actual == *code_hash => Ok(()),
            _ => Err(Error::BiosampleCodeMismatch),
        }
    }

    impl Consent {
        /// A ledger that asks the `biosample` contract at `biosample`, which
        /// must run the code `biosample_code_hash` (the audited build).
        #[ink(constructor)]
        pub fn new(biosample: AccountId, biosample_code_hash: Hash) -> Result<Self> {
            check_code(&biosample, &biosample_code_hash)?;
            Ok(Self {
                biosample,
                ledger: Ledger::default(),
                biosample_code_hash,
            })
        }

        fn source(&self) -> Biosample {
            Biosample(self.biosample.into())
        }

        /// The `biosample` contract this ledger consults.
        #[ink(message)]
        pub fn biosample(&self) -> AccountId {
            self.biosample
        }

        /// The code hash `biosample` was checked against when it was wired.
        #[ink(message)]
        pub fn biosample_code_hash(&self) -> Hash {
            self.biosample_code_hash
        }

        /// Governance: points the ledger at `biosample`, which must run `code_hash`
        /// (e.g. after `biosample` was upgraded).
        #[ink(message)]
        pub fn rewire(&mut self, biosample: AccountId, code_hash: Hash) -> Result<()> {
            Ledger::require_admin(&Env::current(), &self.source())?;
            check_code(&biosample, &code_hash)?;
            self.biosample = biosample;
            self.biosample_code_hash = code_hash;
            ChainEvents.emit(BiosampleWired {
                biosample,
                code_hash,
            });
            Ok(())
        }

        /// Governance: replaces this contract's code with already uploaded
        /// code `code_hash`, keeping its storage and address.
        #[ink(message)]
        pub fn set_code_hash(&mut self, code_hash: Hash) -> Result<()> {
            Ledger::require_admin(&Env::current(), &self.source())?;
            ChainEvents.emit(CodeUpgraded { code_hash });
            ink::env::set_code_hash::<ink::env::DefaultEnvironment>(&code_hash)
                .map_err(|_| Error::UnknownCode)
        }

        /// A current guardian of `subject_record` (before the majority month)
        /// or its subject: lets `grantee` use `scope` and its descendants for
        /// `purpose` until `expires_at` (ms since the Unix epoch, at most five
        /// years ahead). Returns the grant id.
        #[ink(message)]
        pub fn grant(
            &mut self,
            subject_record: RecordId,
            grantee: AccountId,
            scope: RecordId,
            purpose: Purpose,
            expires_at: u64,
        ) -> Result<GrantId> {
            self.ledger.grant(
                &Env::current(),
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
            self.ledger
                .revoke(&Env::current(), &self.source(), grant_id, &mut ChainEvents)
        }

        /// The sample's current authority: withdraws all consent given so far.
        #[ink(message)]
        pub fn withdraw_all(&mut self, subject_record: RecordId) -> Result<()> {
            self.ledger.withdraw_all(
                &Env::current(),
                &self.source(),
                subject_record,
                &mut ChainEvents,
            )
        }

        /// The subject: keeps a grant their guardians issued in force.
        #[ink(message)]
        pub fn confirm(&mut self, grant_id: GrantId) -> Result<()> {
            self.ledger
                .confirm(&Env::current(), &self.source(), grant_id, &mut ChainEvents)
        }

        /// Anyone: may `grantee` use `record` for `purpose` now? The covering
        /// grants (one per sample the record derives from), or the named
        /// reason for a denial.
        #[ink(message)]
        pub fn check_access(
            &self,
            grantee: AccountId,
            record: RecordId,
            purpose: Purpose,
        ) -> core::result::Result<Vec<GrantId>, AccessDenied> {
            self.ledger
                .check_access(&Env::current(), &self.source(), grantee, record, &purpose)
        }

        /// Data host: records a receipt for serving `record` to `grantee` for
        /// `purpose`, naming the grants that allowed it. Returns the receipt number.
        #[ink(message)]
        pub fn record_access(
            &mut self,
            grantee: AccountId,
            record: RecordId,
            purpose: Purpose,
        ) -> Result<u64> {
            self.ledger.record_access(
                &Env::current(),
                &self.source(),
                grantee,
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

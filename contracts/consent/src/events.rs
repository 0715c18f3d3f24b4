//! Events of `consent`. Each state change emits one, carrying enough for an
//! indexer to rebuild every grant's state (and answer "what was in force at
//! time T") without reading contract storage.

use bionft_primitives::{Authority, GrantId, Purpose, RecordId, Timestamp};
use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};

/// A grant was issued.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GrantIssued {
    #[ink(topic)]
    pub grant: GrantId,
    #[ink(topic)]
    pub sample: RecordId,
    #[ink(topic)]
    pub grantee: AccountId,
    pub scope: RecordId,
    pub purpose: Purpose,
    pub expires_at: Timestamp,
    pub issued_by: AccountId,
    pub issuer: Authority,
    /// The subject's consent epoch the grant belongs to (see `ConsentWithdrawn`).
    pub epoch: u32,
    pub at: Timestamp,
}

/// A grant was revoked.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GrantRevoked {
    #[ink(topic)]
    pub grant: GrantId,
    #[ink(topic)]
    pub sample: RecordId,
    pub at: Timestamp,
}

/// The grown-up subject confirmed a grant their guardians had issued.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GrantConfirmed {
    #[ink(topic)]
    pub grant: GrantId,
    #[ink(topic)]
    pub sample: RecordId,
    pub at: Timestamp,
}

/// All consent for `sample` was withdrawn: every grant of an earlier epoch stops counting.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct ConsentWithdrawn {
    #[ink(topic)]
    pub sample: RecordId,
    pub authority: Authority,
    /// The new epoch; grants issued from now on belong to it.
    pub epoch: u32,
    pub at: Timestamp,
}

/// A data host served `record` to `grantee`, allowed by `grants` (one from
/// each sample the record derives from).
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct AccessRecorded {
    #[ink(topic)]
    pub receipt: u64,
    #[ink(topic)]
    pub record: RecordId,
    pub grantee: AccountId,
    pub purpose: Purpose,
    pub grants: Vec<GrantId>,
    pub data_host: AccountId,
    pub at: Timestamp,
}

/// Governance pointed the ledger at a `biosample` contract running `code_hash`.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct BiosampleWired {
    pub biosample: AccountId,
    pub code_hash: Hash,
}

/// Governance replaced the contract's code; storage is kept.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct CodeUpgraded {
    pub code_hash: Hash,
}

#[cfg(feature = "std")]
bionft_primitives::decodable_events!(
    /// Any `consent` event, as an indexer decodes it.
    ConsentEvent {
        GrantIssued,
        GrantRevoked,
        GrantConfirmed,
        ConsentWithdrawn,
        AccessRecorded,
        BiosampleWired,
        CodeUpgraded,
    }
);

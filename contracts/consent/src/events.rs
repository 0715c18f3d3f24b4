//! Events of `consent`. Each state change emits one, carrying enough for an
//! indexer to rebuild every grant's state (and answer "what was in force at
//! time T") without reading contract storage.

use bionft_primitives::{Authority, GrantId, Purpose, RecordId, Timestamp};
use ink::primitives::AccountId;

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
    pub by: AccountId,
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
    pub by: AccountId,
    pub at: Timestamp,
}

/// All consent for `sample` was withdrawn: every grant of an earlier epoch stops counting.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct ConsentWithdrawn {
    #[ink(topic)]
    pub sample: RecordId,
    pub by: AccountId,
    pub authority: Authority,
    /// The new epoch; grants issued from now on belong to it.
    pub epoch: u32,
    pub at: Timestamp,
}

/// A data host served `record` to the grant's grantee under `grant`.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct AccessRecorded {
    #[ink(topic)]
    pub receipt: u64,
    #[ink(topic)]
    pub grant: GrantId,
    #[ink(topic)]
    pub record: RecordId,
    pub sample: RecordId,
    pub grantee: AccountId,
    pub purpose: Purpose,
    pub data_host: AccountId,
    pub at: Timestamp,
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
    }
);

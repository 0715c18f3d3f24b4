//! Events of `biosample`. Each state change emits one, carrying enough for an
//! indexer to rebuild the registry without reading contract storage.

use bionft_primitives::{
    Authority, BlockNumber, Commitment, Id, RecordId, RecordKind, Role, Timestamp, YearMonth,
};
use ink::prelude::vec::Vec;
use ink::primitives::AccountId;

/// The admin role moved to another account.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct AdminTransferred {
    pub from: AccountId,
    pub to: AccountId,
}

/// `account` received `role`.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct RoleGranted {
    #[ink(topic)]
    pub account: AccountId,
    pub role: Role,
    pub by: AccountId,
}

/// `account` lost `role`.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct RoleRevoked {
    #[ink(topic)]
    pub account: AccountId,
    pub role: Role,
    pub by: AccountId,
}

/// A newborn's sample was registered and its token minted.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct SampleMinted {
    #[ink(topic)]
    pub sample: RecordId,
    pub commitment: Commitment,
    pub custodian: AccountId,
    pub guardians: Vec<AccountId>,
    pub claim_commitment: Commitment,
    pub majority: Option<YearMonth>,
    pub block: BlockNumber,
    pub at: Timestamp,
}

/// A derived artifact (aliquot … variants) was registered.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct ArtifactRegistered {
    #[ink(topic)]
    pub record: RecordId,
    #[ink(topic)]
    pub sample: RecordId,
    pub kind: RecordKind,
    pub parents: Vec<RecordId>,
    pub commitment: Commitment,
    pub digest_alg: u16,
    pub registered_by: AccountId,
    pub block: BlockNumber,
    pub at: Timestamp,
}

/// `old` was replaced by `new` (registered in the same call, same kind and parents).
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct RecordSuperseded {
    #[ink(topic)]
    pub old: RecordId,
    pub new: RecordId,
    pub by: AccountId,
}

/// A sample moved to another biobank's custody.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct CustodyTransferred {
    #[ink(topic)]
    pub sample: RecordId,
    pub from: AccountId,
    pub to: AccountId,
}

/// `record` and all its descendants were withdrawn.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct RecordWithdrawn {
    #[ink(topic)]
    pub record: RecordId,
    #[ink(topic)]
    pub sample: RecordId,
    pub by: AccountId,
    pub authority: Authority,
    pub at: Timestamp,
}

/// A guardian was added to a sample.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GuardianAdded {
    #[ink(topic)]
    pub sample: RecordId,
    pub guardian: AccountId,
    pub by: AccountId,
}

/// A guardian was removed from a sample.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GuardianRemoved {
    #[ink(topic)]
    pub sample: RecordId,
    pub guardian: AccountId,
    pub by: AccountId,
}

/// The grown-up subject took control of their record; guardians' authority ended.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct MajorityClaimed {
    #[ink(topic)]
    pub sample: RecordId,
    pub subject: AccountId,
    pub at: Timestamp,
}

/// PSP34 `Transfer`: a token was minted (`from: None`) or its owner changed at majority.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct Transfer {
    pub from: Option<AccountId>,
    pub to: Option<AccountId>,
    pub id: Id,
}

#[cfg(feature = "std")]
bionft_primitives::decodable_events!(
    /// Any `biosample` event, as an indexer decodes it.
    BiosampleEvent {
        AdminTransferred,
        RoleGranted,
        RoleRevoked,
        SampleMinted,
        ArtifactRegistered,
        RecordSuperseded,
        CustodyTransferred,
        RecordWithdrawn,
        GuardianAdded,
        GuardianRemoved,
        MajorityClaimed,
        Transfer,
    }
);

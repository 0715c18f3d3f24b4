//! Events of `biosample`. Each state change emits one, carrying enough for an
//! indexer to rebuild the registry without reading contract storage, and no
//! more: guardian keys are per-sample, and no event names who among a
//! sample's guardians acted.

use bionft_primitives::{
    Authority, BlockNumber, Commitment, Id, RecordId, RecordKind, Role, Timestamp, YearMonth,
};
use ink::prelude::vec::Vec;
use ink::primitives::{AccountId, Hash};

/// The admin role moved to another account.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct AdminTransferred {
    pub from: AccountId,
    pub to: AccountId,
}

/// Governance paused (or resumed) every write of both contracts.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct PauseChanged {
    pub paused: bool,
}

/// Governance replaced the contract's code; storage is kept.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct CodeUpgraded {
    pub code_hash: Hash,
}

/// `account` received `role` (from the admin).
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct RoleGranted {
    #[ink(topic)]
    pub account: AccountId,
    pub role: Role,
}

/// `account` lost `role` (by the admin).
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct RoleRevoked {
    #[ink(topic)]
    pub account: AccountId,
    pub role: Role,
}

/// A sample was registered and its token minted: a newborn's (guardians and
/// a majority month) or a self-consenting adult's (a subject).
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct SampleMinted {
    #[ink(topic)]
    pub sample: RecordId,
    pub commitment: Commitment,
    pub custodian: AccountId,
    pub guardians: Vec<AccountId>,
    pub majority: Option<YearMonth>,
    pub subject: Option<AccountId>,
    pub block: BlockNumber,
    pub at: Timestamp,
}

/// A derived artifact (aliquot … variants) was registered.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct ArtifactRegistered {
    #[ink(topic)]
    pub record: RecordId,
    pub kind: RecordKind,
    pub parents: Vec<RecordId>,
    /// The samples the record derives from (several for a joint record).
    pub samples: Vec<RecordId>,
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
}

/// A sample moved to another biobank's custody (by its custodian or by governance).
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct CustodyTransferred {
    #[ink(topic)]
    pub sample: RecordId,
    pub from: AccountId,
    pub to: AccountId,
}

/// The custodian let `sequencer` register under the sample.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct SequencerAssigned {
    #[ink(topic)]
    pub sample: RecordId,
    pub sequencer: AccountId,
}

/// The custodian ended `sequencer`'s assignment to the sample.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct SequencerUnassigned {
    #[ink(topic)]
    pub sample: RecordId,
    pub sequencer: AccountId,
}

/// `record` and all its descendants were withdrawn by the authority of one of its samples.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct RecordWithdrawn {
    #[ink(topic)]
    pub record: RecordId,
    pub authority: Authority,
    pub at: Timestamp,
}

/// A guardian proposed `nominee` as another guardian of the sample.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GuardianNominated {
    #[ink(topic)]
    pub sample: RecordId,
    pub nominee: AccountId,
}

/// The custodian approved a nominee as guardian; `reason` is a hash of its evidence.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GuardianAdded {
    #[ink(topic)]
    pub sample: RecordId,
    pub guardian: AccountId,
    pub reason: Commitment,
}

/// A guardian left: removed by the custodian (`reason`: a hash of the
/// grounds) or resigned (`reason: None`). Their grants stop counting.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct GuardianRemoved {
    #[ink(topic)]
    pub sample: RecordId,
    pub guardian: AccountId,
    pub reason: Option<Commitment>,
}

/// The custodian verified `claimant` in person as the grown-up subject.
#[ink::event]
#[cfg_attr(feature = "std", derive(Debug, Clone, PartialEq, Eq))]
pub struct ClaimantAttested {
    #[ink(topic)]
    pub sample: RecordId,
    pub claimant: AccountId,
}

/// The grown-up subject took control of their record.
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
        PauseChanged,
        CodeUpgraded,
        RoleGranted,
        RoleRevoked,
        SampleMinted,
        ArtifactRegistered,
        RecordSuperseded,
        CustodyTransferred,
        SequencerAssigned,
        SequencerUnassigned,
        RecordWithdrawn,
        GuardianNominated,
        GuardianAdded,
        GuardianRemoved,
        ClaimantAttested,
        MajorityClaimed,
        Transfer,
    }
);

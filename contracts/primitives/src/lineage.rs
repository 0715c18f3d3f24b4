//! The typed cross-contract interface `biosample` offers to `consent`.

use crate::{AccessDenied, Authority, RecordId, Role, Timestamp};
use alloc::vec::Vec;
use ink::primitives::AccountId;

/// What `consent` needs to know about one sample that contributes to a record.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub struct SampleContext {
    /// The sample (root record) whose subject must consent.
    pub sample: RecordId,
    /// The subject's own account: set at mint for a self-consenting adult,
    /// at the claim for a newborn's sample.
    pub subject: Option<AccountId>,
    /// When guardians' authority ends (the first instant of the majority
    /// month); `None` for a self-consenting adult's sample, which has no guardians.
    pub majority_at: Option<Timestamp>,
    /// The sample's current guardians (per-sample keys, each with its term).
    pub guardians: Vec<Guardian>,
}

impl SampleContext {
    /// The term in which `key` currently holds guardianship, if it does.
    pub fn term_of(&self, key: &AccountId) -> Option<u32> {
        self.guardians
            .iter()
            .find(|g| g.key == *key)
            .map(|g| g.term)
    }
}

/// A guardian of one sample: the per-sample key and the term it holds office
/// in. Each appointment (at mint, or an approval) opens a new term, numbered
/// per sample; a guardian removed and approved again starts a new term, so
/// grants issued in an earlier term never count again.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub struct Guardian {
    pub key: AccountId,
    pub term: u32,
}

/// What `consent` needs to know about a record to judge access to it.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub struct AccessContext {
    /// Every sample the record derives from, ascending: one for most records,
    /// several for a joint record such as a trio's variant calls.
    pub samples: Vec<SampleContext>,
    /// The record itself and all its ancestors, deduplicated (at most `MAX_LINEAGE`).
    pub lineage: Vec<RecordId>,
    /// Whether the record or any ancestor was withdrawn.
    pub withdrawn: bool,
    /// Whether the record itself was superseded by a re-processed record.
    pub superseded: bool,
}

impl AccessContext {
    /// The reason no grant can make this record usable, if there is one.
    pub fn unusable(&self) -> Option<AccessDenied> {
        if self.withdrawn {
            Some(AccessDenied::RecordWithdrawn)
        } else if self.superseded {
            Some(AccessDenied::RecordSuperseded)
        } else {
            None
        }
    }

    /// The context of contributing sample `sample`, if it contributes.
    pub fn sample(&self, sample: RecordId) -> Option<&SampleContext> {
        self.samples.iter().find(|s| s.sample == sample)
    }
}

/// Queries `biosample` answers for `consent`.
#[ink::trait_definition]
pub trait Lineage {
    /// Lineage facts about `record`, or `None` if it does not exist.
    #[ink(message)]
    fn access_context(&self, record: RecordId) -> Option<AccessContext>;

    /// The authority `account` holds over `sample` now: a guardian before the
    /// majority month, the subject once set; `None` otherwise (or if `sample`
    /// is not a sample).
    #[ink(message)]
    fn authority(&self, sample: RecordId, account: AccountId) -> Option<Authority>;

    /// Whether `account` currently holds `role`.
    #[ink(message)]
    fn has_role(&self, account: AccountId, role: Role) -> bool;

    /// The consortium's governance account, which also governs `consent`.
    #[ink(message)]
    fn admin(&self) -> AccountId;

    /// Whether governance has paused every write (of both contracts).
    #[ink(message)]
    fn paused(&self) -> bool;
}

/// A typed reference to a deployed contract implementing [`Lineage`].
pub type LineageRef = ink::contract_ref!(Lineage, ink::env::DefaultEnvironment);

//! The typed cross-contract interface `biosample` offers to `consent`.

use crate::{Authority, RecordId, Role};
use alloc::vec::Vec;
use ink::primitives::AccountId;

/// What `consent` needs to know about a record to judge access to it.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub struct AccessContext {
    /// The sample (root record) whose subject the record belongs to.
    pub sample: RecordId,
    /// The record itself and all its ancestors, deduplicated (at most `MAX_LINEAGE`).
    pub lineage: Vec<RecordId>,
    /// Whether the record or any ancestor was withdrawn.
    pub withdrawn: bool,
    /// The subject's own account, once the subject has claimed majority.
    pub subject: Option<AccountId>,
}

/// Queries `biosample` answers for `consent`.
#[ink::trait_definition]
pub trait Lineage {
    /// Lineage facts about `record`, or `None` if it does not exist.
    #[ink(message)]
    fn access_context(&self, record: RecordId) -> Option<AccessContext>;

    /// The authority `account` holds over `sample` now: a guardian before
    /// majority, the subject after; `None` otherwise (or if `sample` is not a sample).
    #[ink(message)]
    fn authority(&self, sample: RecordId, account: AccountId) -> Option<Authority>;

    /// Whether `account` currently holds `role`.
    #[ink(message)]
    fn has_role(&self, account: AccountId, role: Role) -> bool;
}

/// A typed reference to a deployed contract implementing [`Lineage`].
pub type LineageRef = ink::contract_ref!(Lineage, ink::env::DefaultEnvironment);

//! The PSP34 (Polkadot NFT standard) interface, declared here so that its
//! messages get the standard trait selectors (`PSP34::owner_of` …) and
//! existing NFT tooling can read BioNFT tokens.

use crate::Id;
use alloc::{string::String, vec::Vec};
use ink::primitives::AccountId;

/// PSP34's standard error type.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum PSP34Error {
    /// An implementation-specific error; BioNFT uses [`LOCKED`].
    Custom(String),
    SelfApprove,
    NotApproved,
    TokenExists,
    TokenNotExists,
    SafeTransferCheckFailed(String),
}

/// The `Custom` reason BioNFT gives for every transfer or approval: tokens are
/// bound to their subject (ERC-5192 semantics).
pub const LOCKED: &str = "Locked";

/// The core PSP34 interface.
#[ink::trait_definition]
pub trait PSP34 {
    /// An identifier of the whole collection.
    #[ink(message)]
    fn collection_id(&self) -> Id;

    /// How many tokens `owner` holds.
    #[ink(message)]
    fn balance_of(&self, owner: AccountId) -> u32;

    /// The owner of token `id`, if it exists.
    #[ink(message)]
    fn owner_of(&self, id: Id) -> Option<AccountId>;

    /// Whether `operator` may transfer `id` (or all tokens) on behalf of `owner`.
    #[ink(message)]
    fn allowance(&self, owner: AccountId, operator: AccountId, id: Option<Id>) -> bool;

    /// Approves or disapproves `operator` for `id` (or all tokens).
    #[ink(message)]
    fn approve(
        &mut self,
        operator: AccountId,
        id: Option<Id>,
        approved: bool,
    ) -> Result<(), PSP34Error>;

    /// Transfers token `id` to `to`.
    #[ink(message)]
    fn transfer(&mut self, to: AccountId, id: Id, data: Vec<u8>) -> Result<(), PSP34Error>;

    /// How many tokens exist.
    #[ink(message)]
    fn total_supply(&self) -> u128;
}

/// PSP34's metadata extension.
#[ink::trait_definition]
pub trait PSP34Metadata {
    /// The attribute `key` of token `id`, if set.
    #[ink(message)]
    fn get_attribute(&self, id: Id, key: Vec<u8>) -> Option<Vec<u8>>;
}

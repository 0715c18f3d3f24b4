//! A minimal ERC-721-style NFT, written from the EIP-721 specification for
//! one purpose: a baseline for the cost benchmarks in `BENCHMARKS.md`. It
//! mints a token to the caller (owner and balance bookkeeping plus a
//! `Transfer` event, as EIP-721 requires) and answers `owner_of`. Nothing else.
#![cfg_attr(not(feature = "std"), no_std, no_main)]

#[ink::contract]
mod reference_nft {
    use ink::storage::Mapping;

    /// EIP-721 `Transfer(from, to, tokenId)`; `from` is `None` on mint.
    #[ink(event)]
    pub struct Transfer {
        #[ink(topic)]
        from: Option<AccountId>,
        #[ink(topic)]
        to: Option<AccountId>,
        #[ink(topic)]
        id: u128,
    }

    /// Why a call failed.
    #[derive(Debug, PartialEq, Eq)]
    #[ink::scale_derive(Encode, Decode, TypeInfo)]
    pub enum Error {
        /// The token id is taken.
        TokenExists,
    }

    #[ink(storage)]
    #[derive(Default)]
    pub struct ReferenceNft {
        owners: Mapping<u128, AccountId>,
        balances: Mapping<AccountId, u32>,
    }

    impl ReferenceNft {
        #[ink(constructor)]
        pub fn new() -> Self {
            Self::default()
        }

        /// Mints token `id` to the caller.
        #[ink(message)]
        pub fn mint(&mut self, id: u128) -> Result<(), Error> {
            if self.owners.contains(id) {
                return Err(Error::TokenExists);
            }
            let to = self.env().caller();
            self.owners.insert(id, &to);
            let balance = self.balances.get(to).unwrap_or(0);
            self.balances.insert(to, &(balance + 1));
            self.env().emit_event(Transfer {
                from: None,
                to: Some(to),
                id,
            });
            Ok(())
        }

        /// The owner of token `id`.
        #[ink(message)]
        pub fn owner_of(&self, id: u128) -> Option<AccountId> {
            self.owners.get(id)
        }
    }
}

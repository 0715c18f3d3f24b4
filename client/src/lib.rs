//! RPC clients of the BioNFT chain.
//!
//! - [`chain`]: a subxt connection (legacy backend) that dry-runs contract
//!   calls through `ContractsApi`, submits them, waits for finality and
//!   returns the contract events; contract failures come back as
//!   [`chain::ContractRefused`] naming the contract's own error.
//! - [`ops`]: every user's operations, typed with the contracts' Rust types.
//! - [`bundle`], [`deployment`], [`keys`]: the contracts' metadata and code,
//!   the deployment file (which carries the metadata, so an installed
//!   `bionft` needs no source tree), and keys/accounts as users write them.
//! - [`indexer_api`], [`text`]: what an account acts for and holds, from the
//!   indexer; dates and purposes in words for people.
//!
//! The `bionft` binary is the command line over [`ops`]; the sequencer CLI's
//! `submit` and the indexer's RPC follower build on [`chain`].

pub mod bundle;
pub mod chain;
pub mod deployment;
pub mod indexer_api;
pub mod keys;
pub mod ops;
pub mod sample_keys;
pub mod text;

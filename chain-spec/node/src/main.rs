//! `bionft-node`: the BioNFT consortium chain's node.
//!
//! A solo-chain node: Aura block authoring, GRANDPA finality, ParityDB, the
//! standard RPCs plus `system` and `transaction-payment`. It never links the
//! runtime natively: it runs the wasm in the chain spec's `:code` and knows the
//! runtime only through the APIs declared in [`runtime_api`].

// The errors passed around are polkadot-sdk's own (`sc_cli::Error`,
// `sc_service::Error`, ~176 bytes), in the signatures its APIs require.
#![allow(clippy::result_large_err)]

mod chain_spec;
mod cli;
mod command;
mod consortium;
mod rpc;
mod runtime_api;
mod service;

fn main() {
    if let Err(e) = command::run() {
        eprintln!("bionft-node: {e}");
        std::process::exit(1);
    }
}

//! `bionft-host`: the data host's gate. An htsget 1.3 server over the files
//! a data host holds, each mapped to its record on chain, that serves a file
//! only while the consent contract's `check_access` allows the researcher
//! asking, logs each session's first access with `record_access` (its
//! receipt id comes back in a response header), and hands out the
//! `bionft-seq` Merkle proof of the requested region so the researcher can
//! check what was served without trusting the host.
//!
//! - [`auth`]: signed requests (sr25519 over method, path, query, host,
//!   timestamp, nonce and purpose) and replay protection; pure.
//! - [`htsget`]: query parameters, tickets and errors; pure.
//! - [`config`]: the host's configuration file.
//! - [`gate`]: the decisions, over the chain (`bionft-client`) and the files.
//! - [`server`]: the HTTP routes (axum).
//! - [`slice`]: region slices of indexed BGZF files (BAM, VCF, BCF).
//! - [`visa`]: GA4GH Passport visas for the grants the gate honours; pure.

pub mod auth;
pub mod config;
pub mod gate;
pub mod htsget;
pub mod server;
pub mod slice;
pub mod visa;

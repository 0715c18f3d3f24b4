//! BioNFT indexer: follows the chain's **finalized** blocks, decodes the
//! `biosample` and `consent` contracts' events with the contracts' own types,
//! stores them in SQLite (embedded, the default) or PostgreSQL, and answers
//! what the chain cannot answer cheaply: a record's lineage (as a graph, W3C
//! PROV-JSON, DOT or SVG), grants by subject, grantee or record, access
//! receipts, and "was this access covered?" at any block or time.
//!
//! Contracts v2: a record may derive from several samples (a trio's joint
//! variant calls); access needs a covering grant from every contributing
//! sample, and a receipt names one grant per sample. The index keeps every
//! event's facts, but answers name no guardian or subject account, majority
//! month, nominee, attested claimant or reason hash (only what a reader
//! needs: which authority acted, how many guardians are in office).
//!
//! How it fits together:
//! - [`source`]: the [`source::BlockSource`] seam (finalized head, ranges of
//!   blocks) and a recorded-stream file source; [`rpc`] is the live one, a
//!   node over JSON-RPC with many blocks in flight.
//! - [`ingest`]: a pure function from a block to the rows it adds.
//! - [`follow`]: the loop that checks continuity and commits rows with the
//!   cursor in one transaction, and rides out a source that goes away
//!   ([`backoff`]), reporting on it through [`health`] (`/status`).
//! - [`db`], [`store`]: the storage seam (one SQL text, two engines) and the schema.
//! - [`queries`], [`judge`], [`lineage`]: the answers; consent is judged by
//!   the contract's own `Grant::covers` and `Purpose::permits`.
//! - [`http`]: the JSON API (`/openapi.json` documents it).
//! - [`web`]: the web app's static files and configuration (`run --web DIR`).
//! - [`synth`]: synthetic streams for benchmarks and crash tests.

pub mod account;
pub mod backoff;
pub mod db;
pub mod follow;
pub mod health;
pub mod http;
pub mod ingest;
pub mod judge;
pub mod lineage;
pub mod queries;
pub mod rpc;
pub mod source;
pub mod store;
pub mod synth;
pub mod web;

pub use account::Account;

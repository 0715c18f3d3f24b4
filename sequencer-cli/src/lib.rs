//! `bionft-seq`: canonical, compression-independent content digests of sequencing files, for
//! BioNFT's genomic provenance chain.
//!
//! A lab binds the files it produces to a sample's token without putting data on chain: this
//! crate decodes SAM/BAM/CRAM, VCF/BCF and FASTQ with `noodles`, re-encodes header content and
//! records canonically ([`canonical`], schemes `bionft-c1` and `bionft-c2`, see [`scheme`]),
//! and derives
//!
//! * a content digest that is the same for the same alignments in SAM, BAM or CRAM, the same
//!   variants in VCF, VCF.gz or BCF, and the same reads in plain, gzip or bgzip FASTQ;
//! * an ordered Merkle root over chunks of records ([`merkle`]) with region inclusion proofs
//!   ([`proof`]), an order-independent digest ([`unordered`]) and per-read-group digests;
//! * the salted commitment `SHA3-256(salt ‖ content digest)` that `contracts/biosample`'s
//!   `register_artifact` stores, written with everything else into a manifest ([`manifest`]).
//!
//! Pure logic (encoding, digests, Merkle trees, proofs, manifests) is kept apart from I/O
//! ([`formats`], [`pipeline`]) and from the command line (`src/main.rs`).

pub mod canonical;
pub mod compare;
pub mod digest;
pub mod formats;
pub mod manifest;
pub mod merkle;
pub mod output;
pub mod pipeline;
pub mod progress;
pub mod proof;
pub mod scheme;
pub mod seqcol;
pub mod sha256x2;
#[cfg(feature = "chain")]
pub mod submit;
pub mod unordered;

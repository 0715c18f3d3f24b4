//! Types shared by the BioNFT contracts (`biosample`, `consent`) and by their
//! off-chain clients (sequencer CLI, indexer, tests).
//!
//! Everything here is plain data plus pure functions, `no_std` on chain and
//! `std` off chain, so that the contracts and every tool agree on one
//! encoding. The [`Lineage`] trait is the typed cross-contract interface that
//! `consent` uses to ask `biosample` about records and guardianship.
#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

mod calendar;
pub mod claim;
pub mod duo;
mod event_sink;
mod lineage;
pub mod psp34;

pub use calendar::YearMonth;
pub use claim::{claim_commitment, ClaimPublicKey, ClaimSignature};
pub use duo::Purpose;
#[cfg(feature = "std")]
pub use event_sink::Recorded;
pub use event_sink::{ChainEvents, EventSink};
pub use lineage::{AccessContext, Guardian, Lineage, LineageRef, SampleContext};

use ink::primitives::AccountId;

/// Identifier of a record (sample or derived artifact); assigned by `biosample`, starting at 1.
pub type RecordId = u128;
/// Identifier of a consent grant; assigned by `consent`, starting at 1.
pub type GrantId = u128;
/// Milliseconds since the Unix epoch, as `pallet-timestamp` reports them.
pub type Timestamp = u64;
/// A block number of the chain.
pub type BlockNumber = u32;
/// A 32-byte hash commitment (e.g. `SHA3-256(salt ‖ content digest)`).
pub type Commitment = [u8; 32];

/// Who is calling and when: what the contracts' pure logic needs from the chain.
#[derive(Clone, Copy, Debug)]
pub struct Env {
    pub caller: AccountId,
    pub now: Timestamp,
    pub block: BlockNumber,
}

impl Env {
    /// The executing contract's caller, block time and block number.
    pub fn current() -> Env {
        use ink::env::DefaultEnvironment as E;
        Env {
            caller: ink::env::caller::<E>(),
            now: ink::env::block_timestamp::<E>(),
            block: ink::env::block_number::<E>(),
        }
    }
}

/// Most parents one record may have (e.g. a joint call over several alignments).
pub const MAX_PARENTS: usize = 8;
/// Most ancestors (including itself) a record may have; bounds every lineage walk.
pub const MAX_LINEAGE: usize = 64;
/// Most guardians one sample may have.
pub const MAX_GUARDIANS: usize = 8;
/// Most sequencers the custodian may assign to one sample.
pub const MAX_SEQUENCERS: usize = 8;
/// Most samples one joint record may derive from (a trio is three).
pub const MAX_JOINT_SAMPLES: usize = 4;
/// The longest a grant may run: five years of 365.25 days, in milliseconds.
/// Longer use needs a fresh grant, so consent is asked again.
pub const MAX_GRANT_MILLIS: Timestamp = 5 * 36_525 * 86_400_000 / 100;

/// How a record's commitment was computed (`digest_alg` on chain).
pub mod digest_alg {
    /// A biobank's salted commitment to a sample identifier; opaque to the chain.
    pub const SAMPLE_IDENTIFIER: u16 = 0;
    /// The sequencer CLI's canonical content digest, scheme version 1.
    pub const BIONFT_CONTENT_V1: u16 = 1;
    /// The sequencer CLI's canonical content digest, scheme version 2.
    pub const BIONFT_CONTENT_V2: u16 = 2;
    /// Whether the chain knows `alg`.
    pub fn is_known(alg: u16) -> bool {
        alg <= BIONFT_CONTENT_V2
    }
    /// How clients and the indexer name `alg` (the content digest schemes by their prefix).
    pub fn name(alg: u16) -> Option<&'static str> {
        match alg {
            SAMPLE_IDENTIFIER => Some("sample-identifier"),
            BIONFT_CONTENT_V1 => Some("bionft-c1"),
            BIONFT_CONTENT_V2 => Some("bionft-c2"),
            _ => None,
        }
    }
}

/// What a record stands for. A record's parents sit at an earlier stage of the
/// lineage (see [`RecordKind::may_derive_from`]).
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub enum RecordKind {
    /// The newborn's sample; the root of its lineage and the BioNFT token.
    Sample,
    /// A portion of a sample (or of another aliquot).
    Aliquot,
    /// A sequencing library prepared from an aliquot.
    Library,
    /// One sequencing run over one or more libraries.
    SequencingRun,
    /// Raw reads (e.g. FASTQ).
    Reads,
    /// Aligned reads (SAM/BAM/CRAM).
    Alignment,
    /// Variant calls (VCF/BCF).
    Variants,
}

impl RecordKind {
    /// Every kind, in processing order.
    pub const ALL: [RecordKind; 7] = [
        RecordKind::Sample,
        RecordKind::Aliquot,
        RecordKind::Library,
        RecordKind::SequencingRun,
        RecordKind::Reads,
        RecordKind::Alignment,
        RecordKind::Variants,
    ];

    /// The one spelling of the kind in text and JSON, for the CLI, the
    /// indexer's API and the web app alike: `sample`, `aliquot`, `library`,
    /// `sequencing_run`, `reads`, `alignment`, `variants`.
    pub fn name(self) -> &'static str {
        match self {
            RecordKind::Sample => "sample",
            RecordKind::Aliquot => "aliquot",
            RecordKind::Library => "library",
            RecordKind::SequencingRun => "sequencing_run",
            RecordKind::Reads => "reads",
            RecordKind::Alignment => "alignment",
            RecordKind::Variants => "variants",
        }
    }

    /// The kind [`RecordKind::name`] spells `name` (also `sequencing-run`, as typed on a command line).
    pub fn from_name(name: &str) -> Option<RecordKind> {
        let name = name.replace('-', "_");
        Self::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Position in the processing chain; parents come from earlier stages.
    pub fn stage(self) -> u8 {
        self as u8
    }

    /// Whether a record of this kind may be derived from a parent of `parent` kind.
    ///
    /// Stages may be skipped (an alignment straight from an aliquot is fine), and
    /// aliquots, alignments and variant sets may also derive from their own kind
    /// (sub-aliquots, merged BAMs, filtered VCFs). Nothing derives into a sample.
    pub fn may_derive_from(self, parent: RecordKind) -> bool {
        match self {
            RecordKind::Sample => false,
            RecordKind::Aliquot | RecordKind::Alignment | RecordKind::Variants => {
                parent.stage() <= self.stage()
            }
            _ => parent.stage() < self.stage(),
        }
    }
}

impl RecordKind {
    /// Whether an assigned sequencer (rather than the custodian biobank) registers this kind.
    pub fn registered_by_sequencer(self) -> bool {
        self.stage() > RecordKind::Aliquot.stage()
    }
}

/// The lifecycle of a record as the chain reports it.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub enum RecordStatus {
    /// In use.
    Active,
    /// Replaced by a re-processed record; kept for lineage.
    Superseded(RecordId),
    /// Withdrawn by the subject or guardians (itself or through an ancestor);
    /// data hosts must stop serving it.
    Withdrawn,
}

/// Roles the admin hands out in `biosample`. Who registers what: a biobank
/// mints samples and registers aliquots of the samples in its custody; the
/// sequencers the custodian assigned to a sample register everything from
/// libraries on (see [`RecordKind::registered_by_sequencer`]).
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub enum Role {
    /// Mints samples, registers aliquots, holds custody.
    Biobank,
    /// Registers sequencing artifacts (runs, reads, alignments, variants).
    Sequencer,
    /// Serves data to researchers and records each access.
    DataHost,
}

impl Role {
    /// The role's bit in a role set.
    pub fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// Who may speak for a sample's subject.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(
    feature = "std",
    derive(scale_info::TypeInfo, ink::storage::traits::StorageLayout)
)]
pub enum Authority {
    /// A guardian, before the subject has claimed majority.
    Guardian,
    /// The grown-up subject, after claiming majority.
    Subject,
}

/// A PSP34 token identifier. BioNFT tokens use `Id::U128(sample record id)`.
#[derive(scale::Encode, scale::Decode, Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum Id {
    U8(u8),
    U16(u16),
    U32(u32),
    U64(u64),
    U128(u128),
    Bytes(alloc::vec::Vec<u8>),
}

impl Id {
    /// The record id this token identifier names, if it is numeric.
    pub fn record_id(&self) -> Option<RecordId> {
        match self {
            Id::U8(v) => Some(u128::from(*v)),
            Id::U16(v) => Some(u128::from(*v)),
            Id::U32(v) => Some(u128::from(*v)),
            Id::U64(v) => Some(u128::from(*v)),
            Id::U128(v) => Some(*v),
            Id::Bytes(_) => None,
        }
    }
}

/// Why `consent::check_access` (or `record_access`) said no. Variants are
/// ordered from "furthest" to "closest" to an allowed access: when several
/// grants fail, the reason reported is the greatest.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum AccessDenied {
    /// The record does not exist.
    UnknownRecord,
    /// The requested purpose is not a well-formed DUO purpose.
    InvalidPurpose,
    /// The record, or one of its ancestors, was withdrawn.
    RecordWithdrawn,
    /// The record was superseded by a re-processed record; use the new one.
    RecordSuperseded,
    /// No grant to this grantee exists for the record's subject.
    NoGrant,
    /// The grant's scope does not include the record.
    OutsideScope,
    /// The grant was revoked.
    GrantRevoked,
    /// The subject's consent was withdrawn after the grant was issued.
    ConsentWithdrawn,
    /// The guardian who issued the grant has resigned or was removed.
    IssuerNoLongerGuardian,
    /// A guardian's grant lapsed at the majority month and the subject has not confirmed it.
    LapsedAtMajority,
    /// The grant's `expires_at` has passed.
    GrantExpired,
    /// The grant's DUO purpose does not permit the requested purpose.
    PurposeNotPermitted,
}

/// `SHA3-256(salt ‖ content)`: the salted commitment records carry on chain.
/// `content` is a sample identifier (biobanks) or the exact text of a content
/// digest such as `bionft-c1:<hex>` (the sequencer CLI); the salt stays off
/// chain with the biobank and guardians, so the commitment reveals nothing.
pub fn salted_commitment(salt: &[u8], content: &[u8]) -> Commitment {
    use sha3::{Digest, Sha3_256};
    let mut hasher = Sha3_256::new();
    hasher.update(salt);
    hasher.update(content);
    hasher.finalize().into()
}

/// The account that owns a sample's token until its subject claims majority:
/// `SHA2-256("bionft/subject/v1" ‖ record id LE)`. Nobody holds its key; it
/// stands for "the subject of record N" in PSP34 `owner_of`.
pub fn subject_placeholder_account(sample: RecordId) -> AccountId {
    let mut input = [0u8; 17 + 16];
    input[..17].copy_from_slice(b"bionft/subject/v1");
    input[17..].copy_from_slice(&sample.to_le_bytes());
    AccountId::from(sha256(&input))
}

/// SHA-256 by the chain's host function (natively, ink!'s off-chain engine).
fn sha256(input: &[u8]) -> [u8; 32] {
    use ink::env::hash::{HashOutput, Sha2x256};
    let mut out = <Sha2x256 as HashOutput>::Type::default();
    ink::env::hash_bytes::<Sha2x256>(input, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_name_that_reads_back() {
        for k in RecordKind::ALL {
            assert_eq!(RecordKind::from_name(k.name()), Some(k));
        }
        assert_eq!(
            RecordKind::from_name("sequencing-run"),
            Some(RecordKind::SequencingRun)
        );
        assert_eq!(RecordKind::from_name("SequencingRun"), None);
    }

    #[test]
    fn lineage_stages_allow_skips_and_same_kind_merges_only_where_meaningful() {
        use RecordKind::*;
        assert!(Aliquot.may_derive_from(Sample));
        assert!(Aliquot.may_derive_from(Aliquot));
        assert!(Alignment.may_derive_from(Aliquot));
        assert!(Alignment.may_derive_from(Alignment));
        assert!(Variants.may_derive_from(Alignment));
        assert!(!Library.may_derive_from(Library));
        assert!(!SequencingRun.may_derive_from(Reads));
        assert!(!Reads.may_derive_from(Variants));
        assert!(!Sample.may_derive_from(Sample));
    }

    #[test]
    fn biobanks_register_aliquots_and_sequencers_everything_after() {
        use RecordKind::*;
        let by_sequencer: Vec<RecordKind> = [
            Sample,
            Aliquot,
            Library,
            SequencingRun,
            Reads,
            Alignment,
            Variants,
        ]
        .into_iter()
        .filter(|k| k.registered_by_sequencer())
        .collect();
        assert_eq!(
            by_sequencer,
            [Library, SequencingRun, Reads, Alignment, Variants]
        );
        assert!(digest_alg::is_known(digest_alg::BIONFT_CONTENT_V2));
        assert!(!digest_alg::is_known(3));
        for alg in 0..=3 {
            assert_eq!(digest_alg::name(alg).is_some(), digest_alg::is_known(alg));
        }
        assert_eq!(digest_alg::name(2), Some("bionft-c2"));
    }

    #[test]
    fn salted_commitment_is_sha3_of_salt_then_content() {
        // `printf 'saltbionft-c1:00' | openssl dgst -sha3-256`
        let got: String = salted_commitment(b"salt", b"bionft-c1:00")
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(
            got,
            "f8e6ac5e61e032b0fb1fa1fe50ed50b2b0d2726b62351163d4a38527fe67d8db"
        );
    }

    #[test]
    fn placeholder_accounts_differ_per_sample() {
        assert_ne!(
            subject_placeholder_account(1),
            subject_placeholder_account(2)
        );
    }

    #[test]
    fn token_ids_map_to_record_ids() {
        assert_eq!(Id::U8(7).record_id(), Some(7));
        assert_eq!(Id::U128(u128::MAX).record_id(), Some(u128::MAX));
        assert_eq!(Id::Bytes(alloc::vec![1]).record_id(), None);
    }
}

//! The one error type of `biosample`: each variant names the rule that was broken.

/// Why a `biosample` message was refused.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum Error {
    /// Only the admin (consortium governance) may do this.
    NotAdmin,
    /// Governance paused every write; reads go on.
    Paused,
    /// Only an account with the biobank role may do this.
    NotBiobank,
    /// Only a biobank or a sequencer may register artifacts.
    NotRegistrar,
    /// Only the sample's custodian biobank may do this (it registers aliquots,
    /// assigns sequencers, approves and removes guardians, attests claimants).
    NotCustodian,
    /// Only a sequencer the custodian assigned to every contributing sample
    /// may register libraries, runs, reads, alignments and variants.
    NotAssignedSequencer,
    /// Only a guardian of the sample may do this.
    NotGuardian,
    /// Guardians' authority ended at the majority month (or with the claim).
    GuardianshipEnded,
    /// Only the sample's current authority (guardians before the majority month, the subject once set) may do this.
    NotSubjectOrGuardian,
    /// The account already holds this role.
    RoleAlreadyHeld,
    /// The account does not hold this role.
    RoleNotHeld,
    /// No record has this id.
    UnknownRecord,
    /// The record is not a sample.
    NotASample,
    /// Samples are minted with `mint_sample`, not registered as artifacts.
    SampleIsNotAnArtifact,
    /// The record, or an ancestor, was withdrawn.
    RecordWithdrawn,
    /// The record was already superseded.
    AlreadySuperseded,
    /// An artifact needs at least one parent.
    NoParents,
    /// More than `MAX_PARENTS` parents.
    TooManyParents,
    /// The same parent was given twice.
    DuplicateParent,
    /// A parent's kind cannot precede this kind in a lineage.
    KindCannotDeriveFromParent,
    /// The parents span more than `MAX_JOINT_SAMPLES` samples.
    TooManySamples,
    /// The record would have more than `MAX_LINEAGE` ancestors.
    LineageTooLarge,
    /// Another record already carries this commitment.
    DuplicateCommitment,
    /// The digest algorithm id is not one the chain knows.
    UnknownDigestAlg,
    /// A newborn's sample needs at least one guardian.
    NoGuardians,
    /// More than `MAX_GUARDIANS` guardians.
    TooManyGuardians,
    /// The account is already a guardian.
    AlreadyGuardian,
    /// The account is not the guardians' current nominee.
    NotNominated,
    /// The last guardian cannot be removed or resign.
    LastGuardian,
    /// The account does not hold the sequencer role.
    NotASequencer,
    /// The sequencer is already assigned to the sample.
    AlreadyAssigned,
    /// The sequencer is not assigned to the sample.
    NotAssigned,
    /// More than `MAX_SEQUENCERS` sequencers.
    TooManySequencers,
    /// The majority month is not a valid year/month.
    InvalidMajorityDate,
    /// The majority month has already begun: such a subject consents for themselves.
    MajorityInPast,
    /// The subject is already set (claimed, or a self-consenting adult).
    MajorityClaimed,
    /// The majority month has not begun yet (or the sample has nothing to claim).
    MajorityNotReached,
    /// The custodian has not attested the caller as the grown-up subject.
    NotAttested,
    /// The signature does not open the claim commitment for this caller.
    ClaimMismatch,
    /// Custody can only go to an account with the biobank role.
    RecipientNotBiobank,
    /// Custody transfer to the current custodian.
    AlreadyCustodian,
    /// The record is already withdrawn.
    AlreadyWithdrawn,
    /// No code with this hash was uploaded to the chain.
    UnknownCode,
    /// The record id space is exhausted.
    IdOverflow,
}

/// `Result` with `biosample`'s [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

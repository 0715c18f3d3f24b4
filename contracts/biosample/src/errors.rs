//! The one error type of `biosample`: each variant names the rule that was broken.

/// Why a `biosample` message was refused.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum Error {
    /// Only the admin (consortium governance) may do this.
    NotAdmin,
    /// Only an account with the biobank role may do this.
    NotBiobank,
    /// Only a biobank or a sequencer may register artifacts.
    NotRegistrar,
    /// Only the sample's custodian biobank may do this.
    NotCustodian,
    /// Only a current guardian of the sample may do this.
    NotGuardian,
    /// Only the sample's current authority (guardians before majority, the subject after) may do this.
    NotSubjectOrGuardian,
    /// Only the record's registrar or the sample's custodian may supersede it.
    NotRegistrarOfRecord,
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
    /// Parents belong to different samples (joint records across subjects are not supported yet).
    ParentsFromDifferentSamples,
    /// The record would have more than `MAX_LINEAGE` ancestors.
    LineageTooLarge,
    /// Another record already carries this commitment.
    DuplicateCommitment,
    /// A sample needs at least one guardian.
    NoGuardians,
    /// More than `MAX_GUARDIANS` guardians.
    TooManyGuardians,
    /// The account is already a guardian.
    AlreadyGuardian,
    /// The last guardian cannot be removed.
    LastGuardian,
    /// The majority month is not a valid year/month.
    InvalidMajorityDate,
    /// The subject has claimed majority; guardians no longer act for the sample.
    MajorityClaimed,
    /// The majority month has not begun yet.
    MajorityNotReached,
    /// The signature does not open the claim commitment for this caller.
    ClaimMismatch,
    /// Custody can only go to an account with the biobank role.
    RecipientNotBiobank,
    /// Custody transfer to the current custodian.
    AlreadyCustodian,
    /// The record is already withdrawn.
    AlreadyWithdrawn,
    /// The record id space is exhausted.
    IdOverflow,
}

/// `Result` with `biosample`'s [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

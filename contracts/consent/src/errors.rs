//! The one error type of `consent`: each variant names the rule that was broken.

use bionft_primitives::{duo::PurposeError, AccessDenied};

/// Why a `consent` message was refused.
#[derive(scale::Encode, scale::Decode, Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "std", derive(scale_info::TypeInfo))]
pub enum Error {
    /// Only governance (`biosample`'s admin) may do this.
    NotAdmin,
    /// Governance paused every write; reads go on.
    Paused,
    /// The account at the given address does not run the expected `biosample` code.
    BiosampleCodeMismatch,
    /// No code with this hash was uploaded to the chain.
    UnknownCode,
    /// Only the sample's current authority (guardians before the majority month, the subject once set) may do this.
    NotSubjectOrGuardian,
    /// Only the subject, after claiming majority, may do this.
    NotSubject,
    /// Only an account with the data-host role may record accesses.
    NotDataHost,
    /// No record has this id.
    UnknownRecord,
    /// No grant has this id.
    UnknownGrant,
    /// The grant's scope is not in the lineage of the given subject's sample.
    ScopeOutsideSubject,
    /// The scope record (or an ancestor) was withdrawn.
    RecordWithdrawn,
    /// The scope record was superseded; grant on its replacement.
    RecordSuperseded,
    /// `expires_at` is not in the future.
    ExpiryInPast,
    /// `expires_at` is more than `MAX_GRANT_MILLIS` (five years) away.
    GrantTooLong,
    /// The purpose is not a well-formed DUO purpose.
    InvalidPurpose(PurposeError),
    /// The grantee already holds `MAX_GRANTS_PER_PAIR` live grants for this subject.
    TooManyGrants,
    /// The grant was already revoked.
    AlreadyRevoked,
    /// Only grants issued by guardians need the subject's confirmation.
    NotIssuedByGuardian,
    /// The grant was already confirmed.
    AlreadyConfirmed,
    /// The grant is no longer in force (revoked, expired or consent withdrawn).
    GrantNotInForce,
    /// The access is not covered; the reason is named.
    Denied(AccessDenied),
    /// The id space is exhausted.
    IdOverflow,
}

impl From<AccessDenied> for Error {
    fn from(reason: AccessDenied) -> Self {
        Error::Denied(reason)
    }
}

/// `Result` with `consent`'s [`Error`].
pub type Result<T> = core::result::Result<T, Error>;

// The contracts' refusals in words, by variant name. The names are the
// contracts' own (consent's `Error`, `AccessDenied`, `PurposeError`, from
// contracts/consent/src/errors.rs and contracts/primitives); the metadata
// `cargo xtask contracts` writes carries no doc comments, so the words live
// here, and a name missing from this table is still shown as the contract
// named it.

export const REFUSAL_WORDS: Record<string, string> = {
  // consent::Error
  NotAdmin: 'only governance (the contracts\u2019 admin) may do this',
  Paused: 'governance paused every write; reads go on',
  BiosampleCodeMismatch: 'the biosample contract does not run the expected code',
  UnknownCode: 'no code with this hash was uploaded to the chain',
  NotSubjectOrGuardian: 'only the sample\u2019s current authority (its guardians before the majority month, the subject once set) may do this',
  NotSubject: 'only the subject, after claiming majority, may do this',
  NotDataHost: 'only an account with the data-host role may record accesses',
  UnknownRecord: 'no record has this id',
  UnknownGrant: 'no grant has this id',
  ScopeOutsideSubject: 'the record is not in this sample\u2019s lineage',
  RecordWithdrawn: 'the record, or one of its ancestors, was withdrawn',
  RecordSuperseded: 'the record was superseded by a re-processed record; use the new one',
  ExpiryInPast: 'the end date is not in the future',
  GrantTooLong: 'a grant may run at most five years',
  InvalidPurpose: 'the purpose is not a well-formed DUO purpose',
  TooManyGrants: 'this researcher already holds the most live grants allowed for this sample',
  AlreadyRevoked: 'the grant was already revoked',
  NotIssuedByGuardian: 'only grants issued by guardians need the subject\u2019s confirmation',
  AlreadyConfirmed: 'the grant was already confirmed',
  GrantNotInForce: 'the grant is no longer in force (revoked, expired or consent withdrawn)',
  Denied: 'the access is not covered',
  IdOverflow: 'the id space is exhausted',
  // biosample::Error (the names the app's actions, the majority claim included, can meet)
  NotGuardian: 'only a guardian of the sample may do this',
  GuardianshipEnded: 'guardians\u2019 authority ended at the majority month (or with the claim)',
  NotASample: 'the record is not a sample',
  MajorityNotReached: 'the majority month has not begun yet (or the sample has no majority to claim: an adult\u2019s own sample)',
  NotAttested: 'the biobank holding the sample has not attested this account as the grown-up subject (it does so in person, from the majority month on)',
  ClaimMismatch: 'the claim secret does not open the sample\u2019s claim commitment for this account: check the words your guardians kept',
  MajorityClaimed: 'the sample already has its subject (the majority was claimed, or it is an adult\u2019s own sample)',
  AlreadyWithdrawn: 'the record is already withdrawn',
  // AccessDenied
  NoGrant: 'no grant to this grantee exists for the record\u2019s subject',
  OutsideScope: 'the grant does not cover this record (it is not the granted record or derived from it)',
  GrantRevoked: 'the grant was revoked',
  ConsentWithdrawn: 'the subject\u2019s consent was withdrawn after the grant was issued',
  IssuerNoLongerGuardian: 'the guardian who issued the grant has resigned or was removed',
  LapsedAtMajority: 'a guardian\u2019s grant lapsed at the majority month and the subject has not confirmed it',
  GrantExpired: 'the grant\u2019s end date has passed',
  PurposeNotPermitted: 'the grant\u2019s DUO purpose does not permit this use',
  // PurposeError
  UnknownPermission: 'the permission is not one BioNFT accepts',
  DiseaseMismatch: 'DS needs a disease id, and only DS takes one',
  UnknownModifier: 'a condition is not one BioNFT accepts',
  MalformedModifiers: 'too many conditions, or listed twice',
  Contradictory: 'ancestry research (POA) that forbids ancestry research (NPOA)',
};

//! Authorization matrix on the real wasm: every message of both contracts ×
//! every role, including members whose role the admin revoked.
//!
//! For each message (in each phase of a sample's life) the table names who
//! may call it; every other caller must be refused with the named error,
//! decoded from the reverted call's data into the contract's own error enum.
//! Each cell runs on a fresh copy of the same chain state (a sandbox
//! snapshot), so cells cannot affect each other. A paused phase repeats every
//! write row and expects `Paused` from everyone.
//!
//! The table is checked against the contracts' metadata
//! (`target/ink/<name>/<name>.json`): a message without a row, or a row for a
//! message that does not exist, fails the test.

use bionft_primitives::{AccessContext, Authority, Id};
use contract_tests::who::*;
use contract_tests::*;
use scale::Decode;
use std::collections::BTreeSet;

/// Every caller: admin, custodian biobank, other biobank, assigned sequencer,
/// unassigned sequencer, data host, two guardians of the sample, a guardian of
/// another sample, the subject, a self-consenting parent, a stranger, and the
/// three members whose roles were revoked.
const EVERYONE: [u8; 15] = [
    ADMIN,
    BIOBANK,
    BIOBANK2,
    SEQUENCER,
    SEQUENCER2,
    DATA_HOST,
    GUARDIAN,
    GUARDIAN2,
    GUARDIAN3,
    CHILD,
    MOTHER,
    STRANGER,
    EX_BIOBANK,
    EX_SEQUENCER,
    EX_DATA_HOST,
];
const SECRET: &[u8] = b"claim secret";
const MAJORITY: YearMonth = YearMonth {
    year: 2027,
    month: 6,
};
const REASON: [u8; 32] = [0xC0; 32];
/// The guardians' nominee awaiting the custodian's approval.
const NOMINEE: u8 = RESEARCHER2;

// Records and grants of the prepared state.
/// The newborn's sample: custodian BIOBANK, guardians GUARDIAN and GUARDIAN2,
/// assigned SEQUENCER and (before its role was revoked) EX_SEQUENCER.
const SAMPLE: RecordId = 1;
/// Minted by EX_BIOBANK, whose role was then revoked: an orphan. Guardian: GUARDIAN3 alone.
const ORPHAN: RecordId = 2;
/// MOTHER's own sample (self-consenting), custodian BIOBANK, same sequencers.
const MOTHER_SAMPLE: RecordId = 3;
const ALIQUOT: RecordId = 4;
const BAM: RecordId = 5;
const MOTHER_ALIQUOT: RecordId = 6;
const MOTHER_BAM: RecordId = 7;
/// The joint VCF over BAM and MOTHER_BAM.
const JOINT: RecordId = 8;
/// BIOBANK's sample with GUARDIAN3 as its only guardian.
const LONE: RecordId = 9;
/// GUARDIAN → RESEARCHER on ALIQUOT, HMB.
const GRANT: u128 = 1;
/// MOTHER → RESEARCHER on MOTHER_BAM, HMB.
const MOTHER_GRANT: u128 = 2;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Guardians act for the sample.
    BeforeMajority,
    /// The majority month has begun; nobody claimed or was attested yet.
    MajorityUnclaimed,
    /// The majority month has begun and the custodian attested CHILD.
    Attested,
    /// CHILD claimed majority and holds authority.
    Claimed,
    /// As `BeforeMajority`, with every write paused by the admin.
    Paused,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Contract {
    Biosample,
    Consent,
}

/// The outcome of a call: `Ok`, or the `Debug` name of the contract's error.
fn outcome<T, E: std::fmt::Debug>(r: Result<T, E>) -> Result<(), String> {
    r.map(|_| ()).map_err(|e| format!("{e:?}"))
}

fn bio<T: Decode>(
    c: &mut Chain,
    who: u8,
    msg: &str,
    args: impl scale::Encode,
) -> Result<(), String> {
    outcome(c.bio::<Result<T, biosample::Error>>(who, msg, args))
}

fn con<T: Decode>(
    c: &mut Chain,
    who: u8,
    msg: &str,
    args: impl scale::Encode,
) -> Result<(), String> {
    outcome(c.consent::<Result<T, consent::Error>>(who, msg, args))
}

/// A read's answer compared with what the prepared state must answer.
fn expect<T: PartialEq + std::fmt::Debug>(got: T, want: T) -> Result<(), String> {
    if got == want {
        Ok(())
    } else {
        Err(format!("read {got:?}, expected {want:?}"))
    }
}

fn prepare(phase: Phase) -> Chain {
    let mut c = Chain::before_revocations(bundle("biosample"), bundle("consent"));
    let guardians = vec![account(GUARDIAN), account(GUARDIAN2)];
    let s: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (commitment(1), guardians, claim_commitment(SECRET), MAJORITY),
    );
    assert_eq!(s, Ok(SAMPLE));
    let o: Result<RecordId, biosample::Error> = c.bio(
        EX_BIOBANK,
        "mint_sample",
        (
            commitment(2),
            vec![account(GUARDIAN3)],
            claim_commitment(SECRET),
            MAJORITY,
        ),
    );
    assert_eq!(o, Ok(ORPHAN));
    let m: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_self_consenting",
        (commitment(3), account(MOTHER)),
    );
    assert_eq!(m, Ok(MOTHER_SAMPLE));
    for s in [SAMPLE, MOTHER_SAMPLE] {
        for q in [SEQUENCER, EX_SEQUENCER] {
            let r: Result<(), biosample::Error> =
                c.bio(BIOBANK, "assign_sequencer", (s, account(q)));
            assert_eq!(r, Ok(()));
        }
    }
    let register =
        |c: &mut Chain, by: u8, kind: RecordKind, parents: Vec<RecordId>, n: u8, want: RecordId| {
            let r: Result<RecordId, biosample::Error> = c.bio(
                by,
                "register_artifact",
                (kind, parents, commitment(n), 1u16),
            );
            assert_eq!(r, Ok(want));
        };
    register(
        &mut c,
        BIOBANK,
        RecordKind::Aliquot,
        vec![SAMPLE],
        4,
        ALIQUOT,
    );
    register(
        &mut c,
        SEQUENCER,
        RecordKind::Alignment,
        vec![ALIQUOT],
        5,
        BAM,
    );
    register(
        &mut c,
        BIOBANK,
        RecordKind::Aliquot,
        vec![MOTHER_SAMPLE],
        6,
        MOTHER_ALIQUOT,
    );
    register(
        &mut c,
        SEQUENCER,
        RecordKind::Alignment,
        vec![MOTHER_ALIQUOT],
        7,
        MOTHER_BAM,
    );
    register(
        &mut c,
        SEQUENCER,
        RecordKind::Variants,
        vec![BAM, MOTHER_BAM],
        8,
        JOINT,
    );
    let l: Result<RecordId, biosample::Error> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(9),
            vec![account(GUARDIAN3)],
            claim_commitment(SECRET),
            MAJORITY,
        ),
    );
    assert_eq!(l, Ok(LONE));
    let n: Result<(), biosample::Error> =
        c.bio(GUARDIAN, "nominate_guardian", (SAMPLE, account(NOMINEE)));
    assert_eq!(n, Ok(()));
    let expires = c.now() + 3 * 365 * DAY;
    for (by, sample, scope, want) in [
        (GUARDIAN, SAMPLE, ALIQUOT, GRANT),
        (MOTHER, MOTHER_SAMPLE, MOTHER_BAM, MOTHER_GRANT),
    ] {
        let g: Result<u128, consent::Error> = c.consent(
            by,
            "grant",
            (
                sample,
                account(RESEARCHER),
                scope,
                Purpose::new(duo::HMB),
                expires,
            ),
        );
        assert_eq!(g, Ok(want));
    }
    c.revoke_former_members();
    match phase {
        Phase::BeforeMajority => {}
        Phase::Paused => {
            let p: Result<(), biosample::Error> = c.bio(ADMIN, "set_paused", (true,));
            assert_eq!(p, Ok(()));
        }
        Phase::MajorityUnclaimed | Phase::Attested | Phase::Claimed => {
            let now = c.now();
            c.advance(MAJORITY.start_millis() - now);
            if phase != Phase::MajorityUnclaimed {
                let a: Result<(), biosample::Error> =
                    c.bio(BIOBANK, "attest_claimant", (SAMPLE, account(CHILD)));
                assert_eq!(a, Ok(()));
            }
            if phase == Phase::Claimed {
                let signature = c.claim_signature(SECRET, SAMPLE, CHILD);
                let claimed: Result<(), biosample::Error> =
                    c.bio(CHILD, "claim_majority", (SAMPLE, signature));
                assert_eq!(claimed, Ok(()));
            }
        }
    }
    c.emitted.clear();
    c
}

type Call = fn(&mut Chain, u8) -> Result<(), String>;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    /// Governance: stays open while paused.
    Governance,
    /// A write by members or users: refused with `Paused` while paused.
    Write,
    /// A read, or a message that refuses before looking at the pause.
    Unpaused,
}

struct Rule {
    contract: Contract,
    /// The message's label in the metadata, optionally followed by ` (variant)`.
    message: &'static str,
    phase: Phase,
    kind: Kind,
    call: Call,
    /// Who may call; everyone else is refused.
    allowed: &'static [u8],
    /// The error everyone else gets…
    refused_with: &'static str,
    /// …except these callers, who get another named error.
    except: &'static [(u8, &'static str)],
}

impl Rule {
    fn label(&self) -> &str {
        self.message.split(" (").next().unwrap()
    }

    fn expected(&self, phase: Phase, caller: u8) -> Result<(), String> {
        if phase == Phase::Paused && self.phase != Phase::Paused && self.kind == Kind::Write {
            return Err("Paused".into());
        }
        if self.allowed.contains(&caller) {
            return Ok(());
        }
        let name = self
            .except
            .iter()
            .find(|(w, _)| *w == caller)
            .map_or(self.refused_with, |(_, e)| *e);
        Err(name.to_string())
    }
}

const ALL: &[u8] = &EVERYONE;
const NONE: &[u8] = &[];
const GUARDIANS: &[u8] = &[GUARDIAN, GUARDIAN2];
/// Callers that hold the biobank or sequencer role (and so are registrars of some kind).
const REGISTRARS_BUT_NOT_CUSTODIAN: &[(u8, &str)] = &[
    (BIOBANK2, "NotCustodian"),
    (SEQUENCER, "NotCustodian"),
    (SEQUENCER2, "NotCustodian"),
];
const REGISTRARS_BUT_NOT_ASSIGNED: &[(u8, &str)] = &[
    (BIOBANK, "NotAssignedSequencer"),
    (BIOBANK2, "NotAssignedSequencer"),
    (SEQUENCER2, "NotAssignedSequencer"),
];

fn rules() -> Vec<Rule> {
    use Contract::*;
    use Kind::*;
    use Phase::*;
    let r = |contract, message, phase, kind, allowed, refused_with, except, call| Rule {
        contract,
        message,
        phase,
        kind,
        call,
        allowed,
        refused_with,
        except,
    };
    vec![
        // ------------------------------------------------------------ biosample governance
        r(
            Biosample,
            "grant_role",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| bio::<()>(c, w, "grant_role", (account(STRANGER), Role::Sequencer)),
        ),
        r(
            Biosample,
            "grant_role (already held)",
            BeforeMajority,
            Governance,
            NONE,
            "NotAdmin",
            &[(ADMIN, "RoleAlreadyHeld")],
            |c, w| bio::<()>(c, w, "grant_role", (account(SEQUENCER), Role::Sequencer)),
        ),
        r(
            Biosample,
            "revoke_role",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| bio::<()>(c, w, "revoke_role", (account(SEQUENCER), Role::Sequencer)),
        ),
        r(
            Biosample,
            "revoke_role (already revoked)",
            BeforeMajority,
            Governance,
            NONE,
            "NotAdmin",
            &[(ADMIN, "RoleNotHeld")],
            |c, w| bio::<()>(c, w, "revoke_role", (account(EX_DATA_HOST), Role::DataHost)),
        ),
        r(
            Biosample,
            "transfer_admin",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| bio::<()>(c, w, "transfer_admin", (account(STRANGER),)),
        ),
        r(
            Biosample,
            "set_paused",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| bio::<()>(c, w, "set_paused", (true,)),
        ),
        r(
            Biosample,
            "set_paused (resume)",
            Paused,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| bio::<()>(c, w, "set_paused", (false,)),
        ),
        r(
            Biosample,
            "set_code_hash",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| {
                let own = c.code_hash(Target::Biosample);
                bio::<()>(c, w, "set_code_hash", (own,))
            },
        ),
        r(
            Biosample,
            "set_code_hash (never uploaded)",
            BeforeMajority,
            Governance,
            NONE,
            "NotAdmin",
            &[(ADMIN, "UnknownCode")],
            |c, w| bio::<()>(c, w, "set_code_hash", (Hash::from([0xEE; 32]),)),
        ),
        r(
            Biosample,
            "reassign_custody (orphan)",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| bio::<()>(c, w, "reassign_custody", (ORPHAN, account(BIOBANK2))),
        ),
        r(
            Biosample,
            "reassign_custody (to a revoked biobank)",
            BeforeMajority,
            Governance,
            NONE,
            "NotAdmin",
            &[(ADMIN, "RecipientNotBiobank")],
            |c, w| bio::<()>(c, w, "reassign_custody", (SAMPLE, account(EX_BIOBANK))),
        ),
        // ------------------------------------------------------------ minting and lineage
        r(
            Biosample,
            "mint_sample",
            BeforeMajority,
            Write,
            &[BIOBANK, BIOBANK2],
            "NotBiobank",
            &[],
            |c, w| {
                bio::<RecordId>(
                    c,
                    w,
                    "mint_sample",
                    (
                        commitment(50),
                        vec![account(GUARDIAN3)],
                        [0u8; 32],
                        MAJORITY,
                    ),
                )
            },
        ),
        r(
            Biosample,
            "mint_self_consenting",
            BeforeMajority,
            Write,
            &[BIOBANK, BIOBANK2],
            "NotBiobank",
            &[],
            |c, w| {
                bio::<RecordId>(
                    c,
                    w,
                    "mint_self_consenting",
                    (commitment(51), account(FATHER)),
                )
            },
        ),
        r(
            Biosample,
            "register_artifact (aliquot)",
            BeforeMajority,
            Write,
            &[BIOBANK],
            "NotRegistrar",
            REGISTRARS_BUT_NOT_CUSTODIAN,
            |c, w| {
                bio::<RecordId>(
                    c,
                    w,
                    "register_artifact",
                    (RecordKind::Aliquot, vec![SAMPLE], commitment(52), 1u16),
                )
            },
        ),
        r(
            Biosample,
            "register_artifact (aliquot of the orphan)",
            BeforeMajority,
            Write,
            NONE,
            "NotRegistrar",
            &[
                (BIOBANK, "NotCustodian"),
                (BIOBANK2, "NotCustodian"),
                (SEQUENCER, "NotCustodian"),
                (SEQUENCER2, "NotCustodian"),
            ],
            |c, w| {
                bio::<RecordId>(
                    c,
                    w,
                    "register_artifact",
                    (RecordKind::Aliquot, vec![ORPHAN], commitment(52), 1u16),
                )
            },
        ),
        r(
            Biosample,
            "register_artifact (alignment)",
            BeforeMajority,
            Write,
            &[SEQUENCER],
            "NotRegistrar",
            REGISTRARS_BUT_NOT_ASSIGNED,
            |c, w| {
                bio::<RecordId>(
                    c,
                    w,
                    "register_artifact",
                    (RecordKind::Alignment, vec![ALIQUOT], commitment(53), 1u16),
                )
            },
        ),
        r(
            Biosample,
            "register_artifact (joint VCF)",
            BeforeMajority,
            Write,
            &[SEQUENCER],
            "NotRegistrar",
            REGISTRARS_BUT_NOT_ASSIGNED,
            |c, w| {
                bio::<RecordId>(
                    c,
                    w,
                    "register_artifact",
                    (
                        RecordKind::Variants,
                        vec![BAM, MOTHER_BAM],
                        commitment(54),
                        1u16,
                    ),
                )
            },
        ),
        r(
            Biosample,
            "register_artifact (after the claim)",
            Claimed,
            Write,
            &[SEQUENCER],
            "NotRegistrar",
            REGISTRARS_BUT_NOT_ASSIGNED,
            |c, w| {
                bio::<RecordId>(
                    c,
                    w,
                    "register_artifact",
                    (RecordKind::Variants, vec![BAM], commitment(55), 1u16),
                )
            },
        ),
        r(
            Biosample,
            "supersede (alignment)",
            BeforeMajority,
            Write,
            &[SEQUENCER],
            "NotRegistrar",
            REGISTRARS_BUT_NOT_ASSIGNED,
            |c, w| bio::<RecordId>(c, w, "supersede", (BAM, commitment(56), 1u16)),
        ),
        r(
            Biosample,
            "supersede (aliquot)",
            BeforeMajority,
            Write,
            &[BIOBANK],
            "NotRegistrar",
            REGISTRARS_BUT_NOT_CUSTODIAN,
            |c, w| bio::<RecordId>(c, w, "supersede", (ALIQUOT, commitment(57), 1u16)),
        ),
        r(
            Biosample,
            "supersede (a sample)",
            BeforeMajority,
            Write,
            NONE,
            "SampleIsNotAnArtifact",
            &[],
            |c, w| bio::<RecordId>(c, w, "supersede", (SAMPLE, commitment(58), 1u16)),
        ),
        // ------------------------------------------------------------ custody and sequencers
        r(
            Biosample,
            "transfer_custody",
            BeforeMajority,
            Write,
            &[BIOBANK],
            "NotCustodian",
            &[],
            |c, w| bio::<()>(c, w, "transfer_custody", (SAMPLE, account(BIOBANK2))),
        ),
        r(
            Biosample,
            "transfer_custody (orphan: custodian's role revoked)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[],
            |c, w| bio::<()>(c, w, "transfer_custody", (ORPHAN, account(BIOBANK2))),
        ),
        r(
            Biosample,
            "assign_sequencer",
            BeforeMajority,
            Write,
            &[BIOBANK],
            "NotCustodian",
            &[],
            |c, w| bio::<()>(c, w, "assign_sequencer", (SAMPLE, account(SEQUENCER2))),
        ),
        r(
            Biosample,
            "assign_sequencer (revoked sequencer)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "NotASequencer")],
            |c, w| bio::<()>(c, w, "assign_sequencer", (SAMPLE, account(EX_SEQUENCER))),
        ),
        r(
            Biosample,
            "assign_sequencer (orphan)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[],
            |c, w| bio::<()>(c, w, "assign_sequencer", (ORPHAN, account(SEQUENCER))),
        ),
        r(
            Biosample,
            "unassign_sequencer",
            BeforeMajority,
            Write,
            &[BIOBANK],
            "NotCustodian",
            &[],
            |c, w| bio::<()>(c, w, "unassign_sequencer", (SAMPLE, account(SEQUENCER))),
        ),
        r(
            Biosample,
            "unassign_sequencer (never assigned)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "NotAssigned")],
            |c, w| bio::<()>(c, w, "unassign_sequencer", (SAMPLE, account(SEQUENCER2))),
        ),
        // ------------------------------------------------------------ withdrawal
        r(
            Biosample,
            "withdraw (guardians)",
            BeforeMajority,
            Write,
            GUARDIANS,
            "NotSubjectOrGuardian",
            &[],
            |c, w| bio::<()>(c, w, "withdraw", (BAM,)),
        ),
        r(
            Biosample,
            "withdraw (joint: any contributing authority)",
            BeforeMajority,
            Write,
            &[GUARDIAN, GUARDIAN2, MOTHER],
            "NotSubjectOrGuardian",
            &[],
            |c, w| bio::<()>(c, w, "withdraw", (JOINT,)),
        ),
        r(
            Biosample,
            "withdraw (majority month, unclaimed)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotSubjectOrGuardian",
            &[],
            |c, w| bio::<()>(c, w, "withdraw", (BAM,)),
        ),
        r(
            Biosample,
            "withdraw (subject)",
            Claimed,
            Write,
            &[CHILD],
            "NotSubjectOrGuardian",
            &[],
            |c, w| bio::<()>(c, w, "withdraw", (BAM,)),
        ),
        // ------------------------------------------------------------ guardianship
        r(
            Biosample,
            "nominate_guardian",
            BeforeMajority,
            Write,
            GUARDIANS,
            "NotGuardian",
            &[],
            |c, w| bio::<()>(c, w, "nominate_guardian", (SAMPLE, account(FATHER))),
        ),
        r(
            Biosample,
            "nominate_guardian (an existing guardian)",
            BeforeMajority,
            Write,
            NONE,
            "NotGuardian",
            &[
                (GUARDIAN, "AlreadyGuardian"),
                (GUARDIAN2, "AlreadyGuardian"),
            ],
            |c, w| bio::<()>(c, w, "nominate_guardian", (SAMPLE, account(GUARDIAN2))),
        ),
        r(
            Biosample,
            "nominate_guardian (majority month)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotGuardian",
            &[
                (GUARDIAN, "GuardianshipEnded"),
                (GUARDIAN2, "GuardianshipEnded"),
            ],
            |c, w| bio::<()>(c, w, "nominate_guardian", (SAMPLE, account(FATHER))),
        ),
        r(
            Biosample,
            "approve_guardian",
            BeforeMajority,
            Write,
            &[BIOBANK],
            "NotCustodian",
            &[],
            |c, w| bio::<()>(c, w, "approve_guardian", (SAMPLE, account(NOMINEE), REASON)),
        ),
        r(
            Biosample,
            "approve_guardian (not the nominee)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "NotNominated")],
            |c, w| {
                bio::<()>(
                    c,
                    w,
                    "approve_guardian",
                    (SAMPLE, account(STRANGER), REASON),
                )
            },
        ),
        r(
            Biosample,
            "approve_guardian (majority month)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "GuardianshipEnded")],
            |c, w| bio::<()>(c, w, "approve_guardian", (SAMPLE, account(NOMINEE), REASON)),
        ),
        r(
            Biosample,
            "remove_guardian",
            BeforeMajority,
            Write,
            &[BIOBANK],
            "NotCustodian",
            &[],
            |c, w| {
                bio::<()>(
                    c,
                    w,
                    "remove_guardian",
                    (SAMPLE, account(GUARDIAN2), REASON),
                )
            },
        ),
        r(
            Biosample,
            "remove_guardian (the last one)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "LastGuardian")],
            |c, w| bio::<()>(c, w, "remove_guardian", (LONE, account(GUARDIAN3), REASON)),
        ),
        r(
            Biosample,
            "remove_guardian (not a guardian)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "NotGuardian")],
            |c, w| {
                bio::<()>(
                    c,
                    w,
                    "remove_guardian",
                    (SAMPLE, account(GUARDIAN3), REASON),
                )
            },
        ),
        r(
            Biosample,
            "remove_guardian (majority month)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "GuardianshipEnded")],
            |c, w| {
                bio::<()>(
                    c,
                    w,
                    "remove_guardian",
                    (SAMPLE, account(GUARDIAN2), REASON),
                )
            },
        ),
        r(
            Biosample,
            "resign_guardian",
            BeforeMajority,
            Write,
            GUARDIANS,
            "NotGuardian",
            &[],
            |c, w| bio::<()>(c, w, "resign_guardian", (SAMPLE,)),
        ),
        r(
            Biosample,
            "resign_guardian (the last one)",
            BeforeMajority,
            Write,
            NONE,
            "NotGuardian",
            &[(GUARDIAN3, "LastGuardian")],
            |c, w| bio::<()>(c, w, "resign_guardian", (ORPHAN,)),
        ),
        r(
            Biosample,
            "resign_guardian (majority month)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotGuardian",
            &[
                (GUARDIAN, "GuardianshipEnded"),
                (GUARDIAN2, "GuardianshipEnded"),
            ],
            |c, w| bio::<()>(c, w, "resign_guardian", (SAMPLE,)),
        ),
        // ------------------------------------------------------------ the majority claim
        r(
            Biosample,
            "attest_claimant (before the month)",
            BeforeMajority,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "MajorityNotReached")],
            |c, w| bio::<()>(c, w, "attest_claimant", (SAMPLE, account(CHILD))),
        ),
        r(
            Biosample,
            "attest_claimant",
            MajorityUnclaimed,
            Write,
            &[BIOBANK],
            "NotCustodian",
            &[],
            |c, w| bio::<()>(c, w, "attest_claimant", (SAMPLE, account(CHILD))),
        ),
        r(
            Biosample,
            "attest_claimant (after the claim)",
            Claimed,
            Write,
            NONE,
            "NotCustodian",
            &[(BIOBANK, "MajorityClaimed")],
            |c, w| bio::<()>(c, w, "attest_claimant", (SAMPLE, account(CHILD))),
        ),
        r(
            Biosample,
            "claim_majority (before the month)",
            BeforeMajority,
            Write,
            NONE,
            "MajorityNotReached",
            &[],
            |c, w| {
                let signature = c.claim_signature(SECRET, SAMPLE, w);
                bio::<()>(c, w, "claim_majority", (SAMPLE, signature))
            },
        ),
        // The claim key alone: whoever holds the secret (a guardian, the biobank) cannot claim.
        r(
            Biosample,
            "claim_majority (key only, nobody attested)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotAttested",
            &[],
            |c, w| {
                let signature = c.claim_signature(SECRET, SAMPLE, w);
                bio::<()>(c, w, "claim_majority", (SAMPLE, signature))
            },
        ),
        r(
            Biosample,
            "claim_majority (both factors)",
            Attested,
            Write,
            &[CHILD],
            "NotAttested",
            &[],
            |c, w| {
                let signature = c.claim_signature(SECRET, SAMPLE, w);
                bio::<()>(c, w, "claim_majority", (SAMPLE, signature))
            },
        ),
        // The attestation alone: the attested account with a wrong key fails.
        r(
            Biosample,
            "claim_majority (attested, wrong secret)",
            Attested,
            Write,
            NONE,
            "NotAttested",
            &[(CHILD, "ClaimMismatch")],
            |c, w| {
                let signature = c.claim_signature(b"guess", SAMPLE, w);
                bio::<()>(c, w, "claim_majority", (SAMPLE, signature))
            },
        ),
        // A signature seen in the pool names its account: nobody else can use it.
        r(
            Biosample,
            "claim_majority (the child's signature)",
            Attested,
            Write,
            &[CHILD],
            "NotAttested",
            &[],
            |c, w| {
                let signature = c.claim_signature(SECRET, SAMPLE, CHILD);
                bio::<()>(c, w, "claim_majority", (SAMPLE, signature))
            },
        ),
        r(
            Biosample,
            "claim_majority (not a 65-byte signature)",
            Attested,
            Unpaused,
            NONE,
            "ClaimMismatch",
            &[],
            |c, w| bio::<()>(c, w, "claim_majority", (SAMPLE, SECRET.to_vec())),
        ),
        r(
            Biosample,
            "claim_majority (already claimed)",
            Claimed,
            Write,
            NONE,
            "MajorityClaimed",
            &[],
            |c, w| {
                let signature = c.claim_signature(SECRET, SAMPLE, w);
                bio::<()>(c, w, "claim_majority", (SAMPLE, signature))
            },
        ),
        r(
            Biosample,
            "claim_majority (a self-consenting adult)",
            MajorityUnclaimed,
            Write,
            NONE,
            "MajorityClaimed",
            &[],
            |c, w| {
                let signature = c.claim_signature(SECRET, MOTHER_SAMPLE, w);
                bio::<()>(c, w, "claim_majority", (MOTHER_SAMPLE, signature))
            },
        ),
        // ------------------------------------------------------------ PSP34 (locked) and reads
        r(
            Biosample,
            "PSP34::transfer",
            Claimed,
            Unpaused,
            NONE,
            "Custom(\"Locked\")",
            &[],
            |c, w| {
                outcome(c.bio::<Result<(), bionft_primitives::psp34::PSP34Error>>(
                    w,
                    "PSP34::transfer",
                    (account(STRANGER), Id::U128(SAMPLE), Vec::<u8>::new()),
                ))
            },
        ),
        r(
            Biosample,
            "PSP34::approve",
            Claimed,
            Unpaused,
            NONE,
            "Custom(\"Locked\")",
            &[],
            |c, w| {
                outcome(c.bio::<Result<(), bionft_primitives::psp34::PSP34Error>>(
                    w,
                    "PSP34::approve",
                    (account(STRANGER), Some(Id::U128(SAMPLE)), true),
                ))
            },
        ),
        r(
            Biosample,
            "locked",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| bio::<bool>(c, w, "locked", (Id::U128(SAMPLE),)),
        ),
        r(
            Biosample,
            "locked (not a sample)",
            BeforeMajority,
            Unpaused,
            NONE,
            "UnknownRecord",
            &[],
            |c, w| bio::<bool>(c, w, "locked", (Id::U128(BAM),)),
        ),
        r(
            Biosample,
            "get_record",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let v = c.bio::<Option<biosample::RecordView>>(w, "get_record", (JOINT,));
                expect(
                    v.map(|v| v.record.samples),
                    Some(vec![SAMPLE, MOTHER_SAMPLE]),
                )
            },
        ),
        r(
            Biosample,
            "record_by_commitment",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                expect(
                    c.bio::<Option<RecordId>>(w, "record_by_commitment", (commitment(5),)),
                    Some(BAM),
                )
            },
        ),
        r(
            Biosample,
            "get_sample",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let s = c
                    .bio::<Option<biosample::Sample>>(w, "get_sample", (SAMPLE,))
                    .expect("a sample");
                expect(
                    (s.custodian, s.sequencers, s.nominee),
                    (
                        account(BIOBANK),
                        vec![account(SEQUENCER), account(EX_SEQUENCER)],
                        Some(account(NOMINEE)),
                    ),
                )
            },
        ),
        r(
            Biosample,
            "Lineage::access_context",
            Claimed,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let ctx = c
                    .bio::<Option<AccessContext>>(w, "Lineage::access_context", (JOINT,))
                    .expect("a context");
                expect(
                    (
                        ctx.samples
                            .iter()
                            .map(|s| (s.sample, s.subject))
                            .collect::<Vec<_>>(),
                        ctx.withdrawn,
                        ctx.superseded,
                    ),
                    (
                        vec![
                            (SAMPLE, Some(account(CHILD))),
                            (MOTHER_SAMPLE, Some(account(MOTHER))),
                        ],
                        false,
                        false,
                    ),
                )
            },
        ),
        r(
            Biosample,
            "Lineage::authority",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let got = c.bio::<Option<Authority>>(w, "Lineage::authority", (SAMPLE, account(w)));
                expect(got, GUARDIANS.contains(&w).then_some(Authority::Guardian))
            },
        ),
        r(
            Biosample,
            "Lineage::authority (majority month)",
            MajorityUnclaimed,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                expect(
                    c.bio::<Option<Authority>>(w, "Lineage::authority", (SAMPLE, account(w))),
                    None,
                )
            },
        ),
        r(
            Biosample,
            "Lineage::has_role",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let host = [DATA_HOST].contains(&w);
                expect(
                    c.bio::<bool>(w, "Lineage::has_role", (account(w), Role::DataHost)),
                    host,
                )
            },
        ),
        r(
            Biosample,
            "Lineage::admin",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| expect(c.bio::<AccountId>(w, "Lineage::admin", ()), account(ADMIN)),
        ),
        r(
            Biosample,
            "Lineage::paused",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| expect(c.bio::<bool>(w, "Lineage::paused", ()), false),
        ),
        r(
            Biosample,
            "Lineage::paused (paused)",
            Paused,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| expect(c.bio::<bool>(w, "Lineage::paused", ()), true),
        ),
        r(
            Biosample,
            "PSP34::collection_id",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let own = c.address(Target::Biosample);
                expect(
                    c.bio::<Id>(w, "PSP34::collection_id", ()),
                    Id::Bytes(AsRef::<[u8]>::as_ref(&own).to_vec()),
                )
            },
        ),
        r(
            Biosample,
            "PSP34::balance_of",
            Claimed,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let own = u32::from(w == CHILD || w == MOTHER);
                expect(c.bio::<u32>(w, "PSP34::balance_of", (account(w),)), own)
            },
        ),
        r(
            Biosample,
            "PSP34::owner_of",
            Claimed,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                expect(
                    c.bio::<Option<AccountId>>(w, "PSP34::owner_of", (Id::U128(SAMPLE),)),
                    Some(account(CHILD)),
                )
            },
        ),
        r(
            Biosample,
            "PSP34::allowance",
            Claimed,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                expect(
                    c.bio::<bool>(
                        w,
                        "PSP34::allowance",
                        (account(CHILD), account(w), None::<Id>),
                    ),
                    false,
                )
            },
        ),
        r(
            Biosample,
            "PSP34::total_supply",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| expect(c.bio::<u128>(w, "PSP34::total_supply", ()), 4),
        ),
        r(
            Biosample,
            "PSP34Metadata::get_attribute",
            Claimed,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                expect(
                    c.bio::<Option<Vec<u8>>>(
                        w,
                        "PSP34Metadata::get_attribute",
                        (Id::U128(SAMPLE), b"majority_claimed".to_vec()),
                    ),
                    Some(b"true".to_vec()),
                )
            },
        ),
        // ------------------------------------------------------------ consent governance
        r(
            Consent,
            "rewire",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| {
                let (to, hash) = (c.address(Target::Biosample), c.code_hash(Target::Biosample));
                con::<()>(c, w, "rewire", (to, hash))
            },
        ),
        r(
            Consent,
            "rewire (wrong code hash)",
            BeforeMajority,
            Governance,
            NONE,
            "NotAdmin",
            &[(ADMIN, "BiosampleCodeMismatch")],
            |c, w| {
                let (to, hash) = (c.address(Target::Biosample), c.code_hash(Target::Consent));
                con::<()>(c, w, "rewire", (to, hash))
            },
        ),
        r(
            Consent,
            "set_code_hash",
            BeforeMajority,
            Governance,
            &[ADMIN],
            "NotAdmin",
            &[],
            |c, w| {
                let own = c.code_hash(Target::Consent);
                con::<()>(c, w, "set_code_hash", (own,))
            },
        ),
        r(
            Consent,
            "set_code_hash (never uploaded)",
            BeforeMajority,
            Governance,
            NONE,
            "NotAdmin",
            &[(ADMIN, "UnknownCode")],
            |c, w| con::<()>(c, w, "set_code_hash", (Hash::from([0xEE; 32]),)),
        ),
        // ------------------------------------------------------------ consent writes
        r(
            Consent,
            "grant (guardians)",
            BeforeMajority,
            Write,
            GUARDIANS,
            "NotSubjectOrGuardian",
            &[],
            |c, w| {
                let expires = c.now() + DAY;
                con::<u128>(
                    c,
                    w,
                    "grant",
                    (
                        SAMPLE,
                        account(RESEARCHER),
                        BAM,
                        Purpose::new(duo::GRU),
                        expires,
                    ),
                )
            },
        ),
        r(
            Consent,
            "grant (joint scope, the parent)",
            BeforeMajority,
            Write,
            &[MOTHER],
            "NotSubjectOrGuardian",
            &[],
            |c, w| {
                let expires = c.now() + DAY;
                con::<u128>(
                    c,
                    w,
                    "grant",
                    (
                        MOTHER_SAMPLE,
                        account(RESEARCHER),
                        JOINT,
                        Purpose::new(duo::GRU),
                        expires,
                    ),
                )
            },
        ),
        r(
            Consent,
            "grant (majority month, unclaimed)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotSubjectOrGuardian",
            &[],
            |c, w| {
                let expires = c.now() + DAY;
                con::<u128>(
                    c,
                    w,
                    "grant",
                    (
                        SAMPLE,
                        account(RESEARCHER),
                        BAM,
                        Purpose::new(duo::GRU),
                        expires,
                    ),
                )
            },
        ),
        r(
            Consent,
            "grant (subject)",
            Claimed,
            Write,
            &[CHILD],
            "NotSubjectOrGuardian",
            &[],
            |c, w| {
                let expires = c.now() + DAY;
                con::<u128>(
                    c,
                    w,
                    "grant",
                    (
                        SAMPLE,
                        account(RESEARCHER),
                        BAM,
                        Purpose::new(duo::GRU),
                        expires,
                    ),
                )
            },
        ),
        r(
            Consent,
            "revoke (guardians)",
            BeforeMajority,
            Write,
            GUARDIANS,
            "NotSubjectOrGuardian",
            &[],
            |c, w| con::<()>(c, w, "revoke", (GRANT,)),
        ),
        r(
            Consent,
            "revoke (the parent's grant)",
            BeforeMajority,
            Write,
            &[MOTHER],
            "NotSubjectOrGuardian",
            &[],
            |c, w| con::<()>(c, w, "revoke", (MOTHER_GRANT,)),
        ),
        r(
            Consent,
            "revoke (subject)",
            Claimed,
            Write,
            &[CHILD],
            "NotSubjectOrGuardian",
            &[],
            |c, w| con::<()>(c, w, "revoke", (GRANT,)),
        ),
        r(
            Consent,
            "withdraw_all (guardians)",
            BeforeMajority,
            Write,
            GUARDIANS,
            "NotSubjectOrGuardian",
            &[],
            |c, w| con::<()>(c, w, "withdraw_all", (SAMPLE,)),
        ),
        r(
            Consent,
            "withdraw_all (majority month, unclaimed)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotSubjectOrGuardian",
            &[],
            |c, w| con::<()>(c, w, "withdraw_all", (SAMPLE,)),
        ),
        r(
            Consent,
            "withdraw_all (subject)",
            Claimed,
            Write,
            &[CHILD],
            "NotSubjectOrGuardian",
            &[],
            |c, w| con::<()>(c, w, "withdraw_all", (SAMPLE,)),
        ),
        r(
            Consent,
            "confirm (before the month)",
            BeforeMajority,
            Write,
            NONE,
            "NotSubjectOrGuardian",
            &[(GUARDIAN, "NotSubject"), (GUARDIAN2, "NotSubject")],
            |c, w| con::<()>(c, w, "confirm", (GRANT,)),
        ),
        r(
            Consent,
            "confirm",
            Claimed,
            Write,
            &[CHILD],
            "NotSubjectOrGuardian",
            &[],
            |c, w| con::<()>(c, w, "confirm", (GRANT,)),
        ),
        r(
            Consent,
            "confirm (a subject's own grant)",
            Claimed,
            Write,
            NONE,
            "NotSubjectOrGuardian",
            &[(MOTHER, "NotIssuedByGuardian")],
            |c, w| con::<()>(c, w, "confirm", (MOTHER_GRANT,)),
        ),
        r(
            Consent,
            "record_access",
            BeforeMajority,
            Write,
            &[DATA_HOST],
            "NotDataHost",
            &[],
            |c, w| {
                con::<u64>(
                    c,
                    w,
                    "record_access",
                    (account(RESEARCHER), BAM, Purpose::new(duo::HMB)),
                )
            },
        ),
        r(
            Consent,
            "record_access (joint: both samples' grants)",
            BeforeMajority,
            Write,
            &[DATA_HOST],
            "NotDataHost",
            &[],
            |c, w| {
                con::<u64>(
                    c,
                    w,
                    "record_access",
                    (account(RESEARCHER), JOINT, Purpose::new(duo::HMB)),
                )
            },
        ),
        r(
            Consent,
            "record_access (no grant)",
            BeforeMajority,
            Write,
            NONE,
            "NotDataHost",
            &[(DATA_HOST, "Denied(NoGrant)")],
            |c, w| {
                con::<u64>(
                    c,
                    w,
                    "record_access",
                    (account(RESEARCHER2), JOINT, Purpose::new(duo::HMB)),
                )
            },
        ),
        r(
            Consent,
            "record_access (majority month: guardian grant lapsed)",
            MajorityUnclaimed,
            Write,
            NONE,
            "NotDataHost",
            &[(DATA_HOST, "Denied(LapsedAtMajority)")],
            |c, w| {
                con::<u64>(
                    c,
                    w,
                    "record_access",
                    (account(RESEARCHER), BAM, Purpose::new(duo::HMB)),
                )
            },
        ),
        // ------------------------------------------------------------ consent reads
        r(
            Consent,
            "check_access",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let got = c.consent::<Result<Vec<u128>, AccessDenied>>(
                    w,
                    "check_access",
                    (account(RESEARCHER), BAM, Purpose::new(duo::HMB)),
                );
                expect(got, Ok(vec![GRANT]))
            },
        ),
        r(
            Consent,
            "check_access (paused: reads go on)",
            Paused,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let got = c.consent::<Result<Vec<u128>, AccessDenied>>(
                    w,
                    "check_access",
                    (account(RESEARCHER), BAM, Purpose::new(duo::HMB)),
                );
                expect(got, Ok(vec![GRANT]))
            },
        ),
        r(
            Consent,
            "biosample",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let want = c.address(Target::Biosample);
                expect(c.consent::<AccountId>(w, "biosample", ()), want)
            },
        ),
        r(
            Consent,
            "biosample_code_hash",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let want = c.code_hash(Target::Biosample);
                expect(c.consent::<Hash>(w, "biosample_code_hash", ()), want)
            },
        ),
        r(
            Consent,
            "get_grant",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                let g = c
                    .consent::<Option<consent::Grant>>(w, "get_grant", (GRANT,))
                    .expect("a grant");
                expect(
                    (g.sample, g.scope, g.issuer),
                    (SAMPLE, ALIQUOT, Authority::Guardian),
                )
            },
        ),
        r(
            Consent,
            "grants_for",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| {
                expect(
                    c.consent::<Vec<u128>>(w, "grants_for", (MOTHER_SAMPLE, account(RESEARCHER))),
                    vec![MOTHER_GRANT],
                )
            },
        ),
        r(
            Consent,
            "consent_epoch",
            BeforeMajority,
            Unpaused,
            ALL,
            "",
            &[],
            |c, w| expect(c.consent::<u32>(w, "consent_epoch", (SAMPLE,)), 0),
        ),
    ]
}

/// The labels of the messages the table exercises, per contract.
fn exercised(rules: &[Rule], contract: Contract) -> BTreeSet<String> {
    rules
        .iter()
        .filter(|r| r.contract == contract)
        .map(|r| r.label().to_string())
        .collect()
}

#[test]
fn the_table_has_rows_for_exactly_the_messages_in_the_metadata() {
    let rules = rules();
    for (contract, name) in [
        (Contract::Biosample, "biosample"),
        (Contract::Consent, "consent"),
    ] {
        let listed = metadata_messages(name);
        let in_metadata: BTreeSet<String> = listed.iter().map(|(l, _)| l.clone()).collect();
        let in_table = exercised(&rules, contract);
        let missing: Vec<_> = in_metadata.difference(&in_table).collect();
        let unknown: Vec<_> = in_table.difference(&in_metadata).collect();
        assert!(
            missing.is_empty() && unknown.is_empty(),
            "{name}: messages without rows {missing:?}; rows for messages not in the metadata {unknown:?}"
        );
        // Every message that may write has a row in which someone is refused.
        for (label, mutates) in &listed {
            if *mutates {
                assert!(
                    rules.iter().any(|r| r.contract == contract
                        && r.label() == label
                        && EVERYONE.iter().any(|w| !r.allowed.contains(w))),
                    "{name}::{label} writes but no row refuses anyone"
                );
            }
        }
    }
}

#[test]
fn every_message_admits_exactly_its_roles_and_names_the_refusal() {
    let rules = rules();
    let mut mismatches = Vec::new();
    let mut cells = BTreeSet::new();
    for phase in [
        Phase::BeforeMajority,
        Phase::MajorityUnclaimed,
        Phase::Attested,
        Phase::Claimed,
        Phase::Paused,
    ] {
        let mut chain = prepare(phase);
        let base = chain.snapshot();
        // In the paused phase: its own rows, and every write row of the phase before majority.
        let rows = rules.iter().filter(|r| {
            r.phase == phase
                || (phase == Phase::Paused
                    && r.phase == Phase::BeforeMajority
                    && r.kind != Kind::Unpaused)
        });
        for rule in rows {
            for caller in EVERYONE {
                chain.restore(base.clone());
                let got = (rule.call)(&mut chain, caller);
                let expected = rule.expected(phase, caller);
                if got != expected {
                    mismatches.push(format!(
                        "{:?}::{} by account {caller} ({phase:?}): got {got:?}, expected {expected:?}",
                        rule.contract, rule.message
                    ));
                }
                cells.insert((rule.contract as u8, rule.label().to_string(), caller));
            }
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} cells disagree:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    // Every exercised message was called by every caller.
    for contract in [Contract::Biosample, Contract::Consent] {
        for label in exercised(&rules, contract) {
            for caller in EVERYONE {
                assert!(
                    cells.contains(&(contract as u8, label.clone(), caller)),
                    "{contract:?}::{label} was never called by {caller}"
                );
            }
        }
    }
}

//! Authorization matrix on the real wasm: every message × every role.
//!
//! For each message the table names who may call it; every other test account
//! must be refused with the named error. Each cell runs on a fresh copy of
//! the same chain state (sandbox snapshot), so cells cannot affect each other.

use bionft_primitives::Id;
use contract_tests::who::*;
use contract_tests::*;
use scale::Decode;

const EVERYONE: [u8; 9] = [
    ADMIN, BIOBANK, BIOBANK2, SEQUENCER, DATA_HOST, GUARDIAN, CHILD, STRANGER, RESEARCHER,
];
const SECRET: &[u8] = b"claim secret";
const MAJORITY: YearMonth = YearMonth {
    year: 2030,
    month: 1,
};

/// Record ids and the grant of the prepared state.
const SAMPLE: RecordId = 1;
const ALIQUOT: RecordId = 2;
const BAM: RecordId = 3;
const GRANT: u128 = 1;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// Guardians act for the sample.
    BeforeMajority,
    /// The child (CHILD) has claimed majority.
    AfterMajority,
}

/// The outcome of a call: `Ok`, or the `Debug` name of the contract's error.
fn outcome<T, E: std::fmt::Debug>(r: Result<T, E>) -> Result<(), String> {
    r.map(|_| ()).map_err(|e| format!("{e:?}"))
}

fn bio<T: Decode, E: Decode + std::fmt::Debug>(
    c: &mut Chain,
    who: u8,
    msg: &str,
    args: impl scale::Encode,
) -> Result<(), String> {
    outcome(c.bio::<Result<T, E>>(who, msg, args))
}

fn con<T: Decode>(
    c: &mut Chain,
    who: u8,
    msg: &str,
    args: impl scale::Encode,
) -> Result<(), String> {
    outcome(c.consent::<Result<T, consent::Error>>(who, msg, args))
}

type BioErr = biosample::Error;

/// Sample (custodian BIOBANK, guardian GUARDIAN) → aliquot (by BIOBANK) → BAM
/// (by SEQUENCER); grant 1 from GUARDIAN to RESEARCHER on the aliquot for HMB.
/// After majority, CHILD holds authority and grant 1 awaits confirmation.
fn prepare(phase: Phase) -> Chain {
    let mut c = Chain::new();
    let s: Result<RecordId, BioErr> = c.bio(
        BIOBANK,
        "mint_sample",
        (
            commitment(1),
            vec![account(GUARDIAN)],
            claim_commitment(SECRET),
            Some(MAJORITY),
        ),
    );
    assert_eq!(s, Ok(SAMPLE));
    let a: Result<RecordId, BioErr> = c.bio(
        BIOBANK,
        "register_artifact",
        (RecordKind::Aliquot, vec![SAMPLE], commitment(2), 1u16),
    );
    assert_eq!(a, Ok(ALIQUOT));
    let b: Result<RecordId, BioErr> = c.bio(
        SEQUENCER,
        "register_artifact",
        (RecordKind::Alignment, vec![ALIQUOT], commitment(3), 1u16),
    );
    assert_eq!(b, Ok(BAM));
    let g: Result<u128, consent::Error> = c.consent(
        GUARDIAN,
        "grant",
        (
            SAMPLE,
            account(RESEARCHER),
            ALIQUOT,
            Purpose::new(duo::HMB),
            c.now() + 3650 * DAY,
        ),
    );
    assert_eq!(g, Ok(GRANT));
    let now = c.now();
    c.advance(MAJORITY.start_millis() - now);
    if phase == Phase::AfterMajority {
        let signature = c.claim_signature(SECRET, SAMPLE, CHILD);
        let claimed: Result<(), BioErr> = c.bio(CHILD, "claim_majority", (SAMPLE, signature));
        assert_eq!(claimed, Ok(()));
    }
    c.emitted.clear();
    c
}

type Call = fn(&mut Chain, u8) -> Result<(), String>;

struct Rule {
    message: &'static str,
    phase: Phase,
    call: Call,
    /// Who may call; everyone else is refused.
    allowed: &'static [u8],
    /// The error everyone else gets…
    refused_with: &'static str,
    /// …except these callers, who get another named error.
    except: &'static [(u8, &'static str)],
}

fn rules() -> Vec<Rule> {
    use Phase::*;
    vec![
        // ---------------------------------------------------------------- biosample
        Rule {
            message: "grant_role",
            phase: BeforeMajority,
            allowed: &[ADMIN],
            refused_with: "NotAdmin",
            except: &[],
            call: |c, w| {
                bio::<(), BioErr>(c, w, "grant_role", (account(STRANGER), Role::Sequencer))
            },
        },
        Rule {
            message: "revoke_role",
            phase: BeforeMajority,
            allowed: &[ADMIN],
            refused_with: "NotAdmin",
            except: &[],
            call: |c, w| {
                bio::<(), BioErr>(c, w, "revoke_role", (account(SEQUENCER), Role::Sequencer))
            },
        },
        Rule {
            message: "transfer_admin",
            phase: BeforeMajority,
            allowed: &[ADMIN],
            refused_with: "NotAdmin",
            except: &[],
            call: |c, w| bio::<(), BioErr>(c, w, "transfer_admin", (account(STRANGER),)),
        },
        Rule {
            message: "mint_sample",
            phase: BeforeMajority,
            allowed: &[BIOBANK, BIOBANK2],
            refused_with: "NotBiobank",
            except: &[],
            call: |c, w| {
                bio::<RecordId, BioErr>(
                    c,
                    w,
                    "mint_sample",
                    (
                        commitment(50),
                        vec![account(GUARDIAN2)],
                        [0u8; 32],
                        None::<YearMonth>,
                    ),
                )
            },
        },
        Rule {
            message: "register_artifact",
            phase: BeforeMajority,
            allowed: &[BIOBANK, SEQUENCER],
            refused_with: "NotRegistrar",
            except: &[(BIOBANK2, "NotCustodian")],
            call: |c, w| {
                bio::<RecordId, BioErr>(
                    c,
                    w,
                    "register_artifact",
                    (RecordKind::Variants, vec![BAM], commitment(51), 1u16),
                )
            },
        },
        Rule {
            message: "supersede",
            phase: BeforeMajority,
            allowed: &[BIOBANK, SEQUENCER],
            refused_with: "NotRegistrarOfRecord",
            except: &[],
            call: |c, w| bio::<RecordId, BioErr>(c, w, "supersede", (BAM, commitment(52), 1u16)),
        },
        Rule {
            message: "transfer_custody",
            phase: BeforeMajority,
            allowed: &[BIOBANK],
            refused_with: "NotCustodian",
            except: &[],
            call: |c, w| bio::<(), BioErr>(c, w, "transfer_custody", (SAMPLE, account(BIOBANK2))),
        },
        Rule {
            message: "withdraw (guardians)",
            phase: BeforeMajority,
            allowed: &[GUARDIAN],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| bio::<(), BioErr>(c, w, "withdraw", (BAM,)),
        },
        Rule {
            message: "withdraw (subject)",
            phase: AfterMajority,
            allowed: &[CHILD],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| bio::<(), BioErr>(c, w, "withdraw", (BAM,)),
        },
        Rule {
            message: "add_guardian",
            phase: BeforeMajority,
            allowed: &[GUARDIAN],
            refused_with: "NotGuardian",
            except: &[],
            call: |c, w| bio::<(), BioErr>(c, w, "add_guardian", (SAMPLE, account(GUARDIAN2))),
        },
        Rule {
            message: "add_guardian (after majority)",
            phase: AfterMajority,
            allowed: &[],
            refused_with: "MajorityClaimed",
            except: &[],
            call: |c, w| bio::<(), BioErr>(c, w, "add_guardian", (SAMPLE, account(GUARDIAN2))),
        },
        Rule {
            message: "remove_guardian",
            phase: BeforeMajority,
            allowed: &[],
            refused_with: "NotGuardian",
            except: &[(GUARDIAN, "LastGuardian")],
            call: |c, w| bio::<(), BioErr>(c, w, "remove_guardian", (SAMPLE, account(GUARDIAN))),
        },
        // The claim key is the authorization: whoever signs the claim for their own account
        // with it becomes the subject.
        Rule {
            message: "claim_majority (signed for the caller)",
            phase: BeforeMajority,
            allowed: &EVERYONE,
            refused_with: "",
            except: &[],
            call: |c, w| {
                let signature = c.claim_signature(SECRET, SAMPLE, w);
                bio::<(), BioErr>(c, w, "claim_majority", (SAMPLE, signature))
            },
        },
        // A signature seen in the transaction pool names its account: nobody else can use it.
        Rule {
            message: "claim_majority (the child's signature)",
            phase: BeforeMajority,
            allowed: &[CHILD],
            refused_with: "ClaimMismatch",
            except: &[],
            call: |c, w| {
                let signature = c.claim_signature(SECRET, SAMPLE, CHILD);
                bio::<(), BioErr>(c, w, "claim_majority", (SAMPLE, signature))
            },
        },
        Rule {
            message: "claim_majority (wrong secret)",
            phase: BeforeMajority,
            allowed: &[],
            refused_with: "ClaimMismatch",
            except: &[],
            call: |c, w| {
                let signature = c.claim_signature(b"guess", SAMPLE, w);
                bio::<(), BioErr>(c, w, "claim_majority", (SAMPLE, signature))
            },
        },
        Rule {
            message: "claim_majority (not a 65-byte signature)",
            phase: BeforeMajority,
            allowed: &[],
            refused_with: "ClaimMismatch",
            except: &[],
            call: |c, w| bio::<(), BioErr>(c, w, "claim_majority", (SAMPLE, SECRET.to_vec())),
        },
        Rule {
            message: "PSP34::transfer",
            phase: AfterMajority,
            allowed: &[],
            refused_with: "Custom(\"Locked\")",
            except: &[],
            call: |c, w| {
                bio::<(), bionft_primitives::psp34::PSP34Error>(
                    c,
                    w,
                    "PSP34::transfer",
                    (account(STRANGER), Id::U128(SAMPLE), Vec::<u8>::new()),
                )
            },
        },
        Rule {
            message: "PSP34::approve",
            phase: AfterMajority,
            allowed: &[],
            refused_with: "Custom(\"Locked\")",
            except: &[],
            call: |c, w| {
                bio::<(), bionft_primitives::psp34::PSP34Error>(
                    c,
                    w,
                    "PSP34::approve",
                    (account(STRANGER), Some(Id::U128(SAMPLE)), true),
                )
            },
        },
        Rule {
            message: "locked (read)",
            phase: BeforeMajority,
            allowed: &EVERYONE,
            refused_with: "",
            except: &[],
            call: |c, w| bio::<bool, BioErr>(c, w, "locked", (Id::U128(SAMPLE),)),
        },
        // ---------------------------------------------------------------- consent
        Rule {
            message: "grant (guardians)",
            phase: BeforeMajority,
            allowed: &[GUARDIAN],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| {
                con::<u128>(
                    c,
                    w,
                    "grant",
                    (
                        SAMPLE,
                        account(RESEARCHER),
                        BAM,
                        Purpose::new(duo::GRU),
                        c.now() + DAY,
                    ),
                )
            },
        },
        Rule {
            message: "grant (subject)",
            phase: AfterMajority,
            allowed: &[CHILD],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| {
                con::<u128>(
                    c,
                    w,
                    "grant",
                    (
                        SAMPLE,
                        account(RESEARCHER),
                        BAM,
                        Purpose::new(duo::GRU),
                        c.now() + DAY,
                    ),
                )
            },
        },
        Rule {
            message: "revoke (guardians)",
            phase: BeforeMajority,
            allowed: &[GUARDIAN],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| con::<()>(c, w, "revoke", (GRANT,)),
        },
        Rule {
            message: "revoke (subject)",
            phase: AfterMajority,
            allowed: &[CHILD],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| con::<()>(c, w, "revoke", (GRANT,)),
        },
        Rule {
            message: "withdraw_all (guardians)",
            phase: BeforeMajority,
            allowed: &[GUARDIAN],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| con::<()>(c, w, "withdraw_all", (SAMPLE,)),
        },
        Rule {
            message: "withdraw_all (subject)",
            phase: AfterMajority,
            allowed: &[CHILD],
            refused_with: "NotSubjectOrGuardian",
            except: &[],
            call: |c, w| con::<()>(c, w, "withdraw_all", (SAMPLE,)),
        },
        Rule {
            message: "confirm",
            phase: AfterMajority,
            allowed: &[CHILD],
            refused_with: "NotSubject",
            except: &[],
            call: |c, w| con::<()>(c, w, "confirm", (GRANT,)),
        },
        Rule {
            message: "record_access",
            phase: BeforeMajority,
            allowed: &[DATA_HOST],
            refused_with: "NotDataHost",
            except: &[],
            call: |c, w| con::<u64>(c, w, "record_access", (GRANT, BAM, Purpose::new(duo::HMB))),
        },
        Rule {
            message: "check_access (read)",
            phase: BeforeMajority,
            allowed: &EVERYONE,
            refused_with: "",
            except: &[],
            call: |c, w| {
                outcome(c.consent::<Result<u128, AccessDenied>>(
                    w,
                    "check_access",
                    (account(RESEARCHER), BAM, Purpose::new(duo::HMB)),
                ))
            },
        },
    ]
}

#[test]
fn every_message_admits_exactly_its_roles_and_names_the_refusal() {
    let mut checked = 0;
    for phase in [Phase::BeforeMajority, Phase::AfterMajority] {
        let mut chain = prepare(phase);
        let base = chain.snapshot();
        for rule in rules().iter().filter(|r| r.phase == phase) {
            for caller in EVERYONE {
                chain.restore(base.clone());
                let got = (rule.call)(&mut chain, caller);
                let expected = if rule.allowed.contains(&caller) {
                    Ok(())
                } else {
                    let name = rule
                        .except
                        .iter()
                        .find(|(w, _)| *w == caller)
                        .map_or(rule.refused_with, |(_, e)| *e);
                    Err(name.to_string())
                };
                assert_eq!(
                    got, expected,
                    "{} called by account {caller} ({phase:?})",
                    rule.message
                );
                checked += 1;
            }
        }
    }
    assert_eq!(checked, rules().len() * EVERYONE.len());
}

#[test]
fn reads_are_open_to_everyone_and_agree_with_state() {
    let mut c = prepare(Phase::AfterMajority);
    for caller in EVERYONE {
        assert_eq!(c.bio::<AccountId>(caller, "admin", ()), account(ADMIN));
        assert_eq!(
            c.bio::<Option<AccountId>>(caller, "PSP34::owner_of", (Id::U128(SAMPLE),)),
            Some(account(CHILD))
        );
        assert_eq!(
            c.bio::<u32>(caller, "PSP34::balance_of", (account(CHILD),)),
            1
        );
        assert!(!c.bio::<bool>(
            caller,
            "PSP34::allowance",
            (account(CHILD), account(caller), None::<Id>)
        ));
        assert_eq!(
            c.bio::<Option<Vec<u8>>>(
                caller,
                "PSP34Metadata::get_attribute",
                (Id::U128(SAMPLE), b"kind".to_vec())
            ),
            Some(b"sample".to_vec())
        );
        assert_eq!(
            c.bio::<Option<RecordId>>(caller, "record_by_commitment", (commitment(3),)),
            Some(BAM)
        );
        assert!(c
            .bio::<Option<biosample::Sample>>(caller, "get_sample", (SAMPLE,))
            .is_some());
        assert!(c.bio::<bool>(
            caller,
            "Lineage::has_role",
            (account(DATA_HOST), Role::DataHost)
        ));
        let ctx = c
            .bio::<Option<bionft_primitives::AccessContext>>(
                caller,
                "Lineage::access_context",
                (BAM,),
            )
            .unwrap();
        assert_eq!(
            (ctx.sample, ctx.lineage, ctx.subject),
            (SAMPLE, vec![BAM, ALIQUOT, SAMPLE], Some(account(CHILD)))
        );
        assert_eq!(
            c.consent::<Vec<u128>>(caller, "grants_for", (SAMPLE, account(RESEARCHER))),
            vec![GRANT]
        );
        assert_eq!(c.consent::<u32>(caller, "consent_epoch", (SAMPLE,)), 0);
        assert!(c
            .consent::<Option<consent::Grant>>(caller, "get_grant", (GRANT,))
            .is_some());
    }
}

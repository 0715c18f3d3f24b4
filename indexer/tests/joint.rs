//! Contracts v2 facts the synthetic streams do not reach, on both backends:
//! a trio (a newborn's sample and both parents' self-consenting samples)
//! with a joint variant record, receipts naming one grant per sample,
//! guardianship changes (removal with a reason, nomination and approval,
//! resignation), the majority month, and governance events.
//!
//! The stream is written by hand with the contracts' own event types and
//! signature topics, so it takes the decoding path of real events; the
//! second receipt is one the contract would have refused (its first grant's
//! issuer had been removed): the indexer must not take a receipt's word for it.

mod common;

use bionft_primitives::{duo, Authority, Purpose, RecordKind, YearMonth};
use biosample::events as bio;
use consent::events as con;
use indexer::follow::{follow, FollowOptions};
use indexer::ingest::Contracts;
use indexer::queries::{AsOf, Direction, ReceiptsOf};
use indexer::source::{Block, ContractEvent, FileSource};
use indexer::store::Store;
use indexer::Account;
use ink::primitives::{AccountId, Hash};
use scale::Encode;

const BIOSAMPLE: Account = Account([0xb1; 32]);
const CONSENT: Account = Account([0xc0; 32]);
const BANK: u8 = 2;
const SEQ: u8 = 3;
const HOST: u8 = 4;
const G1: u8 = 5;
const G2: u8 = 6;
const CHILD: u8 = 7;
const G3: u8 = 8;
const MOM: u8 = 12;
const DAD: u8 = 13;
const R: u8 = 10;
const R2: u8 = 11;

/// 2026-01-01T00:00:00Z.
const T0: u64 = 1_767_225_600_000;
const HOUR: u64 = 3_600_000;
const DAY: u64 = 24 * HOUR;
const MAJORITY: YearMonth = YearMonth {
    year: 2026,
    month: 3,
};

fn id(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

fn party(n: u8) -> Account {
    Account([n; 32])
}

fn ev<E: ink::env::Event + Encode>(contract: Account, e: E) -> ContractEvent {
    ContractEvent {
        contract: contract.0,
        topics: vec![E::SIGNATURE_TOPIC.expect("not anonymous")],
        data: e.encode(),
    }
}

fn artifact(
    record: u128,
    kind: RecordKind,
    parents: Vec<u128>,
    samples: Vec<u128>,
) -> ContractEvent {
    ev(
        BIOSAMPLE,
        bio::ArtifactRegistered {
            record,
            kind,
            parents,
            samples,
            commitment: [0x80 | record as u8; 32],
            digest_alg: 1,
            registered_by: id(if kind == RecordKind::Aliquot {
                BANK
            } else {
                SEQ
            }),
            block: 2,
            at: T0 + HOUR,
        },
    )
}

fn grant(
    grant: u128,
    sample: u128,
    scope: u128,
    by: u8,
    issuer: Authority,
    at: u64,
) -> ContractEvent {
    ev(
        CONSENT,
        con::GrantIssued {
            grant,
            sample,
            grantee: id(R),
            scope,
            purpose: Purpose::new(duo::GRU),
            expires_at: at + 365 * DAY,
            issued_by: id(by),
            issuer,
            epoch: 0,
            at,
        },
    )
}

fn access(receipt: u64, grants: Vec<u128>, at: u64) -> ContractEvent {
    ev(
        CONSENT,
        con::AccessRecorded {
            receipt,
            record: 7,
            grantee: id(R),
            purpose: Purpose::new(duo::HMB),
            grants,
            data_host: id(HOST),
            at,
        },
    )
}

fn minted(
    sample: u128,
    guardians: &[u8],
    majority: Option<YearMonth>,
    subject: Option<u8>,
) -> ContractEvent {
    ev(
        BIOSAMPLE,
        bio::SampleMinted {
            sample,
            commitment: [0x80 | sample as u8; 32],
            custodian: id(BANK),
            guardians: guardians.iter().map(|g| id(*g)).collect(),
            majority,
            subject: subject.map(id),
            block: 1,
            at: T0,
        },
    )
}

/// Block times: hours after T0, then the majority month.
fn time(block: u32) -> u64 {
    match block {
        8 => MAJORITY.start_millis() + DAY,
        9 => MAJORITY.start_millis() + 2 * DAY,
        n => T0 + u64::from(n) * HOUR,
    }
}

fn stream() -> Vec<Block> {
    let reason = [0xee; 32];
    let events: Vec<Vec<ContractEvent>> = vec![
        // 1: the trio's samples, assigned sequencers, governance.
        vec![
            minted(1, &[G1, G2], Some(MAJORITY), None),
            minted(2, &[], None, Some(MOM)),
            minted(3, &[], None, Some(DAD)),
            ev(
                BIOSAMPLE,
                bio::SequencerAssigned {
                    sample: 1,
                    sequencer: id(SEQ),
                },
            ),
            ev(
                BIOSAMPLE,
                bio::SequencerAssigned {
                    sample: 2,
                    sequencer: id(SEQ),
                },
            ),
            ev(
                BIOSAMPLE,
                bio::SequencerAssigned {
                    sample: 3,
                    sequencer: id(SEQ),
                },
            ),
            ev(
                BIOSAMPLE,
                bio::SequencerAssigned {
                    sample: 3,
                    sequencer: id(BANK),
                },
            ),
            ev(
                BIOSAMPLE,
                bio::SequencerUnassigned {
                    sample: 3,
                    sequencer: id(BANK),
                },
            ),
            ev(BIOSAMPLE, bio::PauseChanged { paused: true }),
            ev(BIOSAMPLE, bio::PauseChanged { paused: false }),
            ev(
                BIOSAMPLE,
                bio::CodeUpgraded {
                    code_hash: Hash::from([0x11; 32]),
                },
            ),
            ev(
                CONSENT,
                con::BiosampleWired {
                    biosample: AccountId::from(BIOSAMPLE.0),
                    code_hash: Hash::from([0x11; 32]),
                },
            ),
            ev(
                CONSENT,
                con::CodeUpgraded {
                    code_hash: Hash::from([0x22; 32]),
                },
            ),
        ],
        // 2: an aliquot of each, and the trio's joint variant calls.
        vec![
            artifact(4, RecordKind::Aliquot, vec![1], vec![1]),
            artifact(5, RecordKind::Aliquot, vec![2], vec![2]),
            artifact(6, RecordKind::Aliquot, vec![3], vec![3]),
            artifact(7, RecordKind::Variants, vec![4, 5, 6], vec![1, 2, 3]),
        ],
        // 3: one grant from each sample's authority; the joint scope speaks for the mother only.
        vec![
            grant(1, 1, 1, G1, Authority::Guardian, time(3)),
            grant(2, 2, 7, MOM, Authority::Subject, time(3)),
            grant(3, 3, 3, DAD, Authority::Subject, time(3)),
            access(1, vec![1, 2, 3], time(3)),
        ],
        // 4: the custodian removes G1 (reason: a court order's hash).
        vec![ev(
            BIOSAMPLE,
            bio::GuardianRemoved {
                sample: 1,
                guardian: id(G1),
                reason: Some(reason),
            },
        )],
        // 5: a receipt the contract would have refused.
        vec![access(2, vec![1, 2, 3], time(5))],
        // 6: G2 nominates G3, the custodian approves; G3 grants.
        vec![
            ev(
                BIOSAMPLE,
                bio::GuardianNominated {
                    sample: 1,
                    nominee: id(G3),
                },
            ),
            ev(
                BIOSAMPLE,
                bio::GuardianAdded {
                    sample: 1,
                    guardian: id(G3),
                    reason,
                },
            ),
            grant(4, 1, 4, G3, Authority::Guardian, time(6)),
        ],
        // 7: G3 resigns; G1 is nominated and approved again (a new term,
        // which must not revive grant 1 of G1's first term); G2 grants.
        vec![
            ev(
                BIOSAMPLE,
                bio::GuardianRemoved {
                    sample: 1,
                    guardian: id(G3),
                    reason: None,
                },
            ),
            ev(
                BIOSAMPLE,
                bio::GuardianNominated {
                    sample: 1,
                    nominee: id(G1),
                },
            ),
            ev(
                BIOSAMPLE,
                bio::GuardianAdded {
                    sample: 1,
                    guardian: id(G1),
                    reason,
                },
            ),
            grant(5, 1, 1, G2, Authority::Guardian, time(7)),
        ],
        // 8: in the majority month, the attested child claims and confirms G2's grant.
        vec![
            ev(
                BIOSAMPLE,
                bio::ClaimantAttested {
                    sample: 1,
                    claimant: id(CHILD),
                },
            ),
            ev(
                BIOSAMPLE,
                bio::MajorityClaimed {
                    sample: 1,
                    subject: id(CHILD),
                    at: time(8),
                },
            ),
            ev(
                CONSENT,
                con::GrantConfirmed {
                    grant: 5,
                    sample: 1,
                    at: time(8),
                },
            ),
        ],
        // 9: the mother withdraws her aliquot: the joint record goes with it.
        vec![ev(
            BIOSAMPLE,
            bio::RecordWithdrawn {
                record: 5,
                authority: Authority::Subject,
                at: time(9),
            },
        )],
    ];
    let mut parent = [0; 32];
    events
        .into_iter()
        .enumerate()
        .map(|(i, events)| {
            let number = i as u32 + 1;
            let hash = [number as u8; 32];
            let block = Block {
                number,
                hash,
                parent_hash: parent,
                timestamp: time(number),
                events,
            };
            parent = hash;
            block
        })
        .collect()
}

fn indexed(url: &str, path: &std::path::Path, rt: &tokio::runtime::Runtime) -> Store {
    let store = Store::open(url).unwrap();
    let contracts = Contracts {
        biosample: BIOSAMPLE,
        consent: CONSENT,
    };
    let source = FileSource::open(path).unwrap();
    let opts = FollowOptions {
        exit_at_head: true,
        progress: false,
        ..FollowOptions::default()
    };
    rt.block_on(follow(
        &source,
        store.writer(&contracts).unwrap(),
        contracts,
        &opts,
        &indexer::health::Health::new("stream", 1),
    ))
    .unwrap();
    store
}

fn gru() -> Purpose {
    Purpose::new(duo::GRU)
}

#[test]
fn trio_records_guardianship_majority_and_receipts_answer_as_the_contract_rules() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("trio.stream");
    common::record(&path, &stream());
    let mut dumps = Vec::new();
    for db in common::databases() {
        let b = db.backend;
        let store = indexed(&db.url, &path, &rt);

        // The joint record names every contributing sample, in lineage and PROV.
        let vcf = store.record(7, AsOf::Block(2)).unwrap();
        assert_eq!(
            (vcf.samples.clone(), vcf.parents.clone()),
            (vec![1, 2, 3], vec![4, 5, 6]),
            "{b}"
        );
        assert_eq!(vcf.status, "active");
        let graph = store.lineage(7, 8, Direction::Up).unwrap();
        let nodes: Vec<(i64, Vec<i64>)> = graph
            .nodes
            .iter()
            .map(|n| (n.record, n.samples.clone()))
            .collect();
        assert_eq!(
            nodes,
            vec![
                (1, vec![1]),
                (2, vec![2]),
                (3, vec![3]),
                (4, vec![1]),
                (5, vec![2]),
                (6, vec![3]),
                (7, vec![1, 2, 3])
            ],
            "{b}"
        );
        let prov = indexer::lineage::prov_json(&graph, &store.subjects(&graph).unwrap());
        for s in 1..=3 {
            assert_eq!(
                prov["wasAttributedTo"][format!("_:subj{s}")]["prov:agent"],
                format!("bionft:subject/{s}"),
                "{b}: every contributing subject"
            );
        }
        assert_eq!(
            prov["entity"]["bionft:record/7"]["bionft:samples"],
            serde_json::json!([1, 2, 3])
        );

        // Access needs a covering grant from every sample, ascending.
        let at3 = store.access(7, party(R), &gru(), AsOf::Block(3)).unwrap();
        assert_eq!(
            (at3.allowed, at3.grants.clone(), at3.samples.clone()),
            (true, vec![1, 2, 3], vec![1, 2, 3]),
            "{b}"
        );
        let other = store.access(7, party(R2), &gru(), AsOf::Block(3)).unwrap();
        assert_eq!(other.reason.as_deref(), Some("NoGrant"), "{b}");
        // The mother's grant on the joint record does not reach the father's aliquot.
        let dad = store.access(6, party(R), &gru(), AsOf::Block(3)).unwrap();
        assert_eq!(
            dad.grants,
            vec![3],
            "{b}: his own grant on his sample covers it"
        );
        let mom_aliquot = store.access(5, party(R), &gru(), AsOf::Block(3)).unwrap();
        assert_eq!(mom_aliquot.reason.as_deref(), Some("OutsideScope"), "{b}");

        // Receipts name one grant per sample; each receipt is judged as of just before it.
        let first = store.receipt(1).unwrap();
        assert_eq!(first.receipt.grants, vec![1, 2, 3]);
        assert!(first.covered && first.check.allowed, "{b}");
        assert!(first.grants.iter().all(|g| g.covered));
        let second = store.receipt(2).unwrap();
        assert!(!second.covered, "{b}: G1 had been removed");
        assert_eq!(second.reason.as_deref(), Some("IssuerNoLongerGuardian"));
        assert_eq!(
            second
                .grants
                .iter()
                .map(|g| (g.grant.id, g.covered))
                .collect::<Vec<_>>(),
            vec![(1, false), (2, true), (3, true)]
        );
        assert_eq!(
            second.check.reason.as_deref(),
            Some("IssuerNoLongerGuardian")
        );
        let page = indexer::queries::Page::new(None, None).unwrap();
        let by_grant = |g| {
            store
                .receipts(ReceiptsOf::Grant(g), page)
                .unwrap()
                .items
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            (by_grant(2), by_grant(4)),
            (vec![1, 2], vec![]),
            "{b}: the receipt ↔ grant join"
        );
        let by_record = store.receipts(ReceiptsOf::Record(7), page).unwrap();
        assert_eq!(by_record.items[1].grants, vec![1, 2, 3]);

        // Guardianship: an approved guardian's grant counts until the guardian
        // resigns; a removed guardian approved again does not bring back the
        // grants of its earlier term.
        let at6 = store.access(7, party(R), &gru(), AsOf::Block(6)).unwrap();
        assert_eq!(at6.grants, vec![4, 2, 3], "{b}");
        let at7 = store.access(7, party(R), &gru(), AsOf::Block(7)).unwrap();
        assert_eq!(at7.grants, vec![5, 2, 3], "{b}");
        let lapsed_grants: Vec<(i64, Option<String>)> = at7
            .walked
            .iter()
            .filter(|w| w.sample == 1)
            .map(|w| (w.id, w.reason.clone()))
            .collect();
        assert_eq!(
            lapsed_grants,
            vec![
                (1, Some("IssuerNoLongerGuardian".into())),
                (4, Some("IssuerNoLongerGuardian".into())),
                (5, None)
            ],
            "{b}"
        );
        assert_eq!(store.grant(1).unwrap().state, "issuer_no_longer_guardian");

        // The majority month: G2's unconfirmed grant lapsed, until the subject confirmed it.
        let in_month = AsOf::Time((MAJORITY.start_millis() + HOUR) as i64);
        let lapsed = store.access(7, party(R), &gru(), in_month).unwrap();
        assert_eq!(
            (lapsed.as_of.block, lapsed.reason.as_deref()),
            (Some(7), Some("LapsedAtMajority")),
            "{b}"
        );
        assert_eq!(
            store
                .record(1, in_month)
                .unwrap()
                .subject
                .unwrap()
                .authority,
            "none"
        );
        let at8 = store.access(7, party(R), &gru(), AsOf::Block(8)).unwrap();
        assert_eq!(at8.grants, vec![5, 2, 3], "{b}: confirmed");

        // Who speaks for each sample, without naming guardians or subjects.
        let child = store.record(1, AsOf::Block(7)).unwrap().subject.unwrap();
        assert_eq!(
            (child.authority, child.guardians, child.self_consenting),
            ("guardians", 2, false),
            "{b}"
        );
        assert_eq!(child.sequencers, vec![party(SEQ)]);
        let now = store.subject(1).unwrap().unwrap();
        assert_eq!(
            (now.authority, now.subject_since.map(|s| s.block)),
            ("subject", Some(8))
        );
        let mom = store.subject(2).unwrap().unwrap();
        assert_eq!(
            (
                mom.authority,
                mom.self_consenting,
                mom.subject_since.map(|s| s.block)
            ),
            ("subject", true, Some(1))
        );
        assert_eq!(
            store.subject(3).unwrap().unwrap().sequencers,
            vec![party(SEQ)],
            "{b}: unassigned"
        );
        let answers = [
            serde_json::to_string(&store.record(1, AsOf::Head).unwrap()).unwrap(),
            serde_json::to_string(&store.record(2, AsOf::Head).unwrap()).unwrap(),
            serde_json::to_string(&store.grant(5).unwrap()).unwrap(),
            serde_json::to_string(&store.receipt(1).unwrap()).unwrap(),
            serde_json::to_string(&prov).unwrap(),
        ];
        for text in &answers {
            for hidden in [G1, G2, G3, CHILD, MOM, DAD] {
                assert!(
                    !text.contains(&party(hidden).to_string()),
                    "{b}: account {hidden} in {text}"
                );
            }
            assert!(
                !text.contains(&hex::encode([0xee; 32])),
                "{b}: a reason hash in {text}"
            );
        }

        // Withdrawing the mother's aliquot withdraws the joint record, not the others.
        let vcf = store.record(7, AsOf::Head).unwrap();
        assert_eq!(
            (vcf.status, vcf.withdrawn.map(|w| w.through)),
            ("withdrawn", Some(5)),
            "{b}"
        );
        assert_eq!(store.record(4, AsOf::Head).unwrap().status, "active");
        let graph = store.lineage(1, 8, Direction::Down).unwrap();
        let statuses: Vec<(i64, &str)> = graph.nodes.iter().map(|n| (n.record, n.status)).collect();
        assert_eq!(
            statuses,
            vec![(1, "active"), (4, "active"), (7, "withdrawn")],
            "{b}"
        );
        let head = store.access(7, party(R), &gru(), AsOf::Head).unwrap();
        assert_eq!(head.reason.as_deref(), Some("RecordWithdrawn"));

        let dump = store.dump().unwrap();
        assert!(
            dump.contains("\"biosample_wired\"") && dump.contains("\"code_upgraded\""),
            "{b}"
        );
        assert!(
            dump.contains("\"resigned\"") && dump.contains("\"removed\""),
            "{b}"
        );
        dumps.push(dump);
    }
    if let [sqlite, postgres] = &dumps[..] {
        assert_eq!(sqlite, postgres, "both backends store the same rows");
    }
}

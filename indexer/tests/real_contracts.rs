//! The indexer fed by the real contracts: the wasm that `cargo xtask
//! contracts` builds runs in drink's pallet-contracts sandbox, its sealed
//! blocks and `ContractEmitted` events are recorded as a block stream, and
//! the indexer ingests that stream through the same follower and decoding
//! path as the binary. Its answers are then checked against what the
//! contracts themselves answered at each moment, on both backends.

mod common;

use bionft_primitives::{digest_alg, RecordStatus};
use consent::events::ConsentEvent;
use contract_tests::who::*;
use contract_tests::*;
use indexer::follow::{follow, FollowOptions};
use indexer::health::Health;
use indexer::ingest::Contracts;
use indexer::queries::{AsOf, Direction, GrantsOf, Page, ReceiptsOf};
use indexer::source::{Block, ContractEvent, FileSource};
use indexer::store::Store;
use indexer::Account;

type Access = Result<Vec<u128>, AccessDenied>;
const SECRET: &[u8] = b"sealed envelope";
const HOUR: u64 = 3_600_000;
const MAJORITY: YearMonth = YearMonth {
    year: 2026,
    month: 3,
};

/// One `check_access` the contract answered, and when.
struct Check {
    block: u32,
    time: u64,
    record: RecordId,
    grantee: u8,
    purpose: Purpose,
    answer: Access,
}

/// A record's status as the contract reported it at a checkpoint.
struct StatusCheck {
    block: u32,
    record: RecordId,
    status: &'static str,
}

/// The story's chain plus every answer the contract gave along the way.
struct Story {
    chain: Chain,
    checks: Vec<Check>,
    statuses: Vec<StatusCheck>,
    records: Vec<RecordId>,
}

fn status_name(status: RecordStatus) -> &'static str {
    match status {
        RecordStatus::Active => "active",
        RecordStatus::Superseded(_) => "superseded",
        RecordStatus::Withdrawn => "withdrawn",
    }
}

fn purposes() -> [Purpose; 4] {
    [
        Purpose::new(duo::GRU),
        Purpose::new(duo::HMB),
        Purpose::disease_specific(5014),
        Purpose::new(duo::POA),
    ]
}

impl Story {
    fn bio<R: scale::Decode>(&mut self, caller: u8, msg: &str, args: impl scale::Encode) -> R {
        self.chain.bio(caller, msg, args)
    }

    fn consent<R: scale::Decode>(&mut self, caller: u8, msg: &str, args: impl scale::Encode) -> R {
        self.chain.consent(caller, msg, args)
    }

    fn ok(&mut self, caller: u8, msg: &str, args: impl scale::Encode) {
        self.bio::<Result<(), biosample::Error>>(caller, msg, args)
            .unwrap_or_else(|e| panic!("{msg}: {e:?}"));
    }

    fn register(&mut self, caller: u8, kind: RecordKind, parents: &[RecordId], c: u8) -> RecordId {
        let id = self
            .bio::<Result<RecordId, biosample::Error>>(
                caller,
                "register_artifact",
                (
                    kind,
                    parents.to_vec(),
                    commitment(c),
                    digest_alg::BIONFT_CONTENT_V1,
                ),
            )
            .expect("registration allowed");
        self.records.push(id);
        id
    }

    fn grant(
        &mut self,
        by: u8,
        sample: RecordId,
        to: u8,
        scope: RecordId,
        p: Purpose,
        days: u64,
    ) -> u128 {
        let expires = self.chain.now() + days * DAY;
        self.consent::<Result<u128, consent::Error>>(
            by,
            "grant",
            (sample, account(to), scope, p, expires),
        )
        .expect("grant allowed")
    }

    fn access(&mut self, grantee: u8, record: RecordId, p: Purpose) -> Result<u64, consent::Error> {
        self.consent(DATA_HOST, "record_access", (account(grantee), record, p))
    }

    /// Asks the contract every question of the matrix, then seals the block.
    fn checkpoint(&mut self, advance: u64) {
        let block = self.chain.sealed.last().map_or(1, |b| b.number + 1);
        for record in self.records.clone() {
            let view = self
                .bio::<Option<biosample::RecordView>>(STRANGER, "get_record", (record,))
                .expect("a registered record");
            self.statuses.push(StatusCheck {
                block,
                record,
                status: status_name(view.status),
            });
            for grantee in [RESEARCHER, RESEARCHER2] {
                for purpose in purposes() {
                    let answer = self.consent::<Access>(
                        STRANGER,
                        "check_access",
                        (account(grantee), record, purpose.clone()),
                    );
                    self.checks.push(Check {
                        block,
                        time: self.chain.now(),
                        record,
                        grantee,
                        purpose,
                        answer,
                    });
                }
            }
        }
        self.chain.advance(advance);
    }
}

/// Record ids of the story, in mint/registration order.
const CHILD_SAMPLE: i64 = 1;
const MOTHER_SAMPLE: i64 = 2;
const ALIQUOT: i64 = 3;
const RUN: i64 = 4;
const BAM: i64 = 5;
const VCF: i64 = 6;
const JOINT: i64 = 10;
const BAM2: i64 = 11;

/// A newborn's sample and the mother's own, their lineages and a joint
/// (duo) VCF; grants of every fate, receipts naming one grant per sample,
/// supersede, expiry, withdrawal of consent, pause, guardian removal,
/// nomination and resignation, majority with attestation, claim and
/// confirmation, and record withdrawal through a joint record's ancestor.
fn run_story() -> Story {
    let mut s = Story {
        chain: Chain::new(),
        checks: Vec::new(),
        statuses: Vec::new(),
        records: Vec::new(),
    };
    let sample = s
        .bio::<Result<RecordId, biosample::Error>>(
            BIOBANK,
            "mint_sample",
            (
                commitment(1),
                vec![account(GUARDIAN), account(GUARDIAN2)],
                claim_commitment(SECRET),
                MAJORITY,
            ),
        )
        .unwrap();
    let mother = s
        .bio::<Result<RecordId, biosample::Error>>(
            BIOBANK,
            "mint_self_consenting",
            (commitment(2), account(MOTHER)),
        )
        .unwrap();
    s.records.extend([sample, mother]);
    for x in [sample, mother] {
        s.ok(BIOBANK, "assign_sequencer", (x, account(SEQUENCER)));
    }
    let aliquot = s.register(BIOBANK, RecordKind::Aliquot, &[sample], 3);
    let run = s.register(SEQUENCER, RecordKind::SequencingRun, &[aliquot], 4);
    let bam = s.register(SEQUENCER, RecordKind::Alignment, &[run], 5);
    let vcf = s.register(SEQUENCER, RecordKind::Variants, &[bam], 6);
    let m_aliquot = s.register(BIOBANK, RecordKind::Aliquot, &[mother], 7);
    let m_run = s.register(SEQUENCER, RecordKind::SequencingRun, &[m_aliquot], 8);
    let m_bam = s.register(SEQUENCER, RecordKind::Alignment, &[m_run], 9);
    let joint = s.register(SEQUENCER, RecordKind::Variants, &[bam, m_bam], 10);
    assert_eq!((aliquot, vcf, joint), (3, 6, 10));
    s.checkpoint(HOUR);

    let short = s.grant(
        GUARDIAN,
        sample,
        RESEARCHER,
        aliquot,
        Purpose::new(duo::HMB),
        10,
    );
    let long = s.grant(
        GUARDIAN,
        sample,
        RESEARCHER,
        sample,
        Purpose::new(duo::GRU),
        400,
    );
    s.grant(
        MOTHER,
        mother,
        RESEARCHER,
        mother,
        Purpose::new(duo::GRU),
        400,
    );
    s.checkpoint(HOUR);

    let ds = Purpose::disease_specific(5014);
    assert_eq!(s.access(RESEARCHER, vcf, ds.clone()), Ok(1));
    assert_eq!(s.access(RESEARCHER, joint, Purpose::new(duo::HMB)), Ok(2));
    let bam2 = s
        .bio::<Result<RecordId, biosample::Error>>(
            SEQUENCER,
            "supersede",
            (bam, commitment(11), digest_alg::BIONFT_CONTENT_V1),
        )
        .unwrap();
    s.records.push(bam2);
    // Governance pauses and resumes: the indexer records both.
    s.ok(ADMIN, "set_paused", (true,));
    s.ok(ADMIN, "set_paused", (false,));
    s.checkpoint(10 * DAY);

    // The short grant has expired; a new grant prunes it from the contract's index.
    let poa = s.grant(
        GUARDIAN2,
        sample,
        RESEARCHER,
        run,
        Purpose::new(duo::POA),
        30,
    );
    s.checkpoint(HOUR);
    s.consent::<Result<(), consent::Error>>(GUARDIAN2, "revoke", (long,))
        .unwrap();
    s.checkpoint(HOUR);
    s.consent::<Result<(), consent::Error>>(GUARDIAN, "withdraw_all", (sample,))
        .unwrap();
    s.checkpoint(HOUR);
    let renewed = s.grant(
        GUARDIAN,
        sample,
        RESEARCHER,
        sample,
        Purpose::new(duo::HMB),
        300,
    );
    s.grant(
        GUARDIAN,
        sample,
        RESEARCHER2,
        bam2,
        Purpose::new(duo::GRU),
        300,
    );
    assert_eq!(s.access(RESEARCHER2, bam2, Purpose::new(duo::HMB)), Ok(3));
    s.checkpoint(HOUR);

    // Guardianship: the custodian removes GUARDIAN2 with a reason (their POA
    // grant stops counting); GUARDIAN nominates GUARDIAN3, the custodian
    // approves; GUARDIAN3 grants, then resigns.
    s.ok(
        BIOBANK,
        "remove_guardian",
        (sample, account(GUARDIAN2), [0xee; 32]),
    );
    s.checkpoint(HOUR);
    s.ok(GUARDIAN, "nominate_guardian", (sample, account(GUARDIAN3)));
    s.ok(
        BIOBANK,
        "approve_guardian",
        (sample, account(GUARDIAN3), [0xef; 32]),
    );
    let by_g3 = s.grant(
        GUARDIAN3,
        sample,
        RESEARCHER2,
        sample,
        Purpose::new(duo::GRU),
        200,
    );
    s.checkpoint(HOUR);
    s.ok(GUARDIAN3, "resign_guardian", (sample,));
    s.checkpoint(HOUR);

    // The majority month: guardians' grants lapse; the custodian attests
    // the grown-up subject, who claims with the secret's signature.
    let now = s.chain.now();
    s.chain
        .advance(MAJORITY.start_millis().saturating_sub(now) + HOUR);
    s.checkpoint(HOUR);
    s.ok(BIOBANK, "attest_claimant", (sample, account(CHILD)));
    let signature = s.chain.claim_signature(SECRET, sample, CHILD);
    s.ok(CHILD, "claim_majority", (sample, signature));
    s.checkpoint(HOUR);
    s.consent::<Result<(), consent::Error>>(CHILD, "confirm", (renewed,))
        .unwrap();
    s.checkpoint(HOUR);
    let own = s.grant(
        CHILD,
        sample,
        RESEARCHER2,
        aliquot,
        Purpose::new(duo::HMB),
        30,
    );
    s.grant(
        MOTHER,
        mother,
        RESEARCHER2,
        m_aliquot,
        Purpose::new(duo::HMB),
        30,
    );
    assert_eq!(s.access(RESEARCHER2, vcf, Purpose::new(duo::HMB)), Ok(4));
    assert_eq!(s.access(RESEARCHER2, joint, Purpose::new(duo::HMB)), Ok(5));
    s.checkpoint(HOUR);
    s.ok(CHILD, "withdraw", (bam,));
    s.checkpoint(HOUR);
    assert_eq!(
        (short, long, poa, renewed, by_g3, own),
        (1, 2, 4, 5, 7, 8),
        "grant ids the assertions below name"
    );
    s
}

/// The sandbox's sealed blocks with their `ContractEmitted` events, as a chain follower sees them.
fn blocks(chain: &Chain) -> Vec<Block> {
    chain
        .sealed
        .iter()
        .map(|b| Block {
            number: b.number,
            hash: b.hash,
            parent_hash: b.parent_hash,
            timestamp: b.timestamp,
            events: chain
                .emitted
                .iter()
                .filter(|e| e.block == b.number)
                .map(|e| ContractEvent {
                    contract: *AsRef::<[u8; 32]>::as_ref(&e.contract),
                    topics: e.topics.clone(),
                    data: e.data.clone(),
                })
                .collect(),
        })
        .collect()
}

fn address(a: &impl AsRef<[u8; 32]>) -> Account {
    Account(*a.as_ref())
}

/// Test account `n` (see `contract_tests::account`) as the indexer writes it.
fn party(n: u8) -> Account {
    Account([n; 32])
}

#[test]
fn the_indexer_answers_what_the_contracts_answered_at_every_moment() {
    let mut story = run_story();
    let blocks = blocks(&story.chain);
    let contracts = Contracts {
        biosample: address(&story.chain.biosample),
        consent: address(&story.chain.consent),
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("story.stream");
    common::record(&path, &blocks);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let records = story.records.clone();
    // Each receipt's grants, as the contract emitted them.
    let emitted: Vec<(i64, Vec<i64>)> = blocks
        .iter()
        .flat_map(|b| &b.events)
        .filter(|e| e.contract == contracts.consent.0)
        .filter_map(
            |e| match ConsentEvent::decode(&e.topics, &e.data).expect("decodes") {
                Some(ConsentEvent::AccessRecorded(a)) => Some((
                    a.receipt as i64,
                    a.grants.iter().map(|g| *g as i64).collect(),
                )),
                _ => None,
            },
        )
        .collect();

    for db in common::databases() {
        let store = Store::open(&db.url).unwrap();
        let source = FileSource::open(&path).unwrap();
        let opts = FollowOptions {
            exit_at_head: true,
            progress: false,
            ..FollowOptions::default()
        };
        let (_, summary) = rt
            .block_on(follow(
                &source,
                store.writer(&contracts).unwrap(),
                contracts,
                &opts,
                &Health::new("story.stream", 1),
            ))
            .unwrap();
        assert_eq!(summary.blocks, blocks.len() as u64);
        let b = db.backend;

        // Time travel: every answer the contract gave, by block and by time.
        for c in &story.checks {
            for at in [AsOf::Block(c.block), AsOf::Time(c.time as i64)] {
                let got = store
                    .access(c.record as i64, party(c.grantee), &c.purpose, at)
                    .unwrap();
                let expected = match &c.answer {
                    Ok(grants) => (grants.iter().map(|g| *g as i64).collect(), None),
                    Err(reason) => (Vec::new(), Some(format!("{reason:?}"))),
                };
                assert_eq!(
                    (got.grants.clone(), got.reason.clone()),
                    expected,
                    "{b}: record {} for {} ({:?}) at {at:?}",
                    c.record,
                    c.grantee,
                    c.purpose
                );
                assert_eq!(got.allowed, c.answer.is_ok());
                for g in &got.grants {
                    assert!(got.in_force.contains(g), "{b}: named grants are in force");
                }
            }
        }

        // Records and their effective status, as the contract reports them now.
        for &r in &records {
            let chain_view = story
                .chain
                .bio::<Option<biosample::RecordView>>(STRANGER, "get_record", (r,))
                .unwrap();
            let view = store.record(r as i64, AsOf::Head).unwrap();
            assert_eq!(
                view.status,
                status_name(chain_view.status),
                "{b}: record {r}"
            );
            assert_eq!(
                view.parents,
                chain_view
                    .record
                    .parents
                    .iter()
                    .map(|p| *p as i64)
                    .collect::<Vec<_>>()
            );
            assert_eq!(
                view.commitment,
                format!("0x{}", hex::encode(chain_view.record.commitment))
            );
            assert_eq!(
                store
                    .record_by_commitment(chain_view.record.commitment)
                    .unwrap()
                    .id,
                r as i64
            );
        }
        // Time travel: each record's status as the contract reported it at every checkpoint.
        for c in &story.statuses {
            let then = store.record(c.record as i64, AsOf::Block(c.block)).unwrap();
            assert_eq!(
                then.status, c.status,
                "{b}: record {} at block {}",
                c.record, c.block
            );
            assert_eq!(then.as_of.and_then(|m| m.block), Some(c.block));
        }
        assert!(
            story.statuses.iter().any(|c| c.status == "withdrawn")
                && story.statuses.iter().any(|c| c.status == "superseded"),
            "the story reaches every status"
        );
        let (sample, aliquot, bam, vcf, bam2) = (CHILD_SAMPLE, ALIQUOT, BAM, VCF, BAM2);
        let bam_view = store.record(bam, AsOf::Head).unwrap();
        assert_eq!(
            bam_view.superseded_by.as_ref().map(|s| s.record),
            Some(bam2)
        );
        assert_eq!(bam_view.withdrawn.as_ref().map(|w| w.through), Some(bam));
        for through_bam in [vcf, JOINT] {
            let view = store.record(through_bam, AsOf::Head).unwrap();
            assert_eq!(
                (view.status, view.withdrawn.map(|w| w.through)),
                ("withdrawn", Some(bam)),
                "{b}: record {through_bam} through its parent"
            );
        }
        assert_eq!(
            store.record(JOINT, AsOf::Head).unwrap().samples,
            vec![CHILD_SAMPLE, MOTHER_SAMPLE]
        );
        let first = story.statuses[0].block;
        let early = store.record(sample, AsOf::Block(first)).unwrap();
        let early_subject = early.subject.unwrap();
        assert_eq!(
            (early_subject.authority, early_subject.guardians),
            ("guardians", 2),
            "{b}: before the claim"
        );
        assert_eq!(early_subject.consent_epoch, 0, "{b}: before the withdrawal");
        assert_eq!(early_subject.sequencers, vec![party(SEQUENCER)]);
        assert_eq!(early.children, vec![ALIQUOT], "{b}");
        assert!(
            store.record(bam2, AsOf::Block(first)).is_err(),
            "{b}: not registered yet"
        );
        let subject = store.record(sample, AsOf::Head).unwrap().subject.unwrap();
        assert_eq!(
            (subject.authority, subject.guardians, subject.consent_epoch),
            ("subject", 1, 1),
            "{b}: GUARDIAN2 removed, GUARDIAN3 resigned"
        );
        let mother = store.subject(MOTHER_SAMPLE).unwrap().unwrap();
        assert_eq!(
            (mother.authority, mother.self_consenting),
            ("subject", true)
        );

        // Lineage of the VCF: its ancestors, as a graph and as PROV.
        let graph = store.lineage(vcf, 8, Direction::Up).unwrap();
        let ids: Vec<i64> = graph.nodes.iter().map(|n| n.record).collect();
        assert_eq!(ids, vec![sample, aliquot, RUN, bam, vcf]);
        assert_eq!(graph.edges.len(), 4);
        let down = store.lineage(aliquot, 8, Direction::Down).unwrap();
        assert_eq!(
            down.nodes.iter().map(|n| n.record).collect::<Vec<_>>(),
            vec![aliquot, RUN, bam, vcf, JOINT, bam2],
            "{b}"
        );
        let joint = store.lineage(JOINT, 8, Direction::Up).unwrap();
        assert_eq!(joint.nodes.len(), 9, "{b}: both samples' lineages");
        let prov = indexer::lineage::prov_json(&joint, &store.subjects(&joint).unwrap());
        assert_eq!(
            prov["wasDerivedFrom"]["_:der10_9"]["prov:usedEntity"],
            "bionft:record/9"
        );
        for s in [CHILD_SAMPLE, MOTHER_SAMPLE] {
            assert_eq!(
                prov["wasAttributedTo"][format!("_:subj{s}")]["prov:agent"],
                format!("bionft:subject/{s}")
            );
        }
        assert!(
            prov.get("actedOnBehalfOf").is_none(),
            "{b}: guardians' authority ended at majority"
        );

        // Grants covering the VCF through its ancestors, with their state now.
        let grants = store
            .grants(GrantsOf::Record(vcf), Page::new(None, None).unwrap())
            .unwrap();
        let states: Vec<(i64, &str)> = grants.items.iter().map(|g| (g.id, g.state)).collect();
        assert_eq!(
            states,
            // Withdrawal of consent is judged before the issuer's office and expiry,
            // as `Grant::covers` orders them.
            vec![
                (1, "consent_withdrawn"),
                (2, "revoked"),
                (4, "consent_withdrawn"),
                (5, "active"),
                (7, "issuer_no_longer_guardian"),
                (8, "active")
            ],
            "{b}"
        );
        let by_grantee = store
            .grants(
                GrantsOf::Grantee(party(RESEARCHER2)),
                Page::new(None, Some(1)).unwrap(),
            )
            .unwrap();
        assert_eq!(
            (by_grantee.items[0].id, by_grantee.next),
            (6, Some(6)),
            "{b}: paged"
        );

        // Receipts, and whether each access was covered when it happened.
        let page = Page::new(None, None).unwrap();
        let receipts = store.receipts(ReceiptsOf::Record(vcf), page).unwrap();
        assert_eq!(
            receipts.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![1, 4]
        );
        assert_eq!(emitted.len(), 5);
        for (id, grants) in emitted.clone() {
            let answer = store.receipt(id).unwrap();
            assert_eq!(answer.receipt.grants, grants, "{b}: receipt {id}");
            assert!(answer.covered, "{b}: receipt {id}");
            assert!(answer.check.allowed, "{b}: receipt {id}");
            assert_eq!(answer.check.grants, grants, "{b}: receipt {id}");
        }
        let joint_receipt = store.receipt(2).unwrap();
        assert_eq!(
            joint_receipt.receipt.grants.len(),
            2,
            "{b}: one grant per sample"
        );
        let first = store.receipt(1).unwrap();
        assert_eq!(
            (first.grants[0].grant.id, first.grants[0].grant.state),
            (1, "active"),
            "{b}: as it stood then"
        );
        assert_eq!(
            store.grant(1).unwrap().state,
            "consent_withdrawn",
            "{b}: and now"
        );
        assert_eq!(
            store
                .receipts(ReceiptsOf::Grant(1), page)
                .unwrap()
                .items
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>(),
            vec![1, 2],
            "{b}: the short grant allowed both the VCF and the joint VCF"
        );
    }
}

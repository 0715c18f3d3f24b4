//! The indexer fed by the real contracts: the wasm that `cargo xtask
//! contracts` builds runs in drink's pallet-contracts sandbox, its sealed
//! blocks and `ContractEmitted` events are recorded as a block stream, and
//! the indexer ingests that stream through the same follower and decoding
//! path as the binary. Its answers are then checked against what the
//! contracts themselves answered at each moment, on both backends.

mod common;

use bionft_primitives::{digest_alg, RecordStatus};
use contract_tests::who::*;
use contract_tests::*;
use indexer::follow::{follow, FollowOptions};
use indexer::health::Health;
use indexer::ingest::Contracts;
use indexer::queries::{AsOf, Direction, GrantsOf, Page, ReceiptsOf};
use indexer::source::{Block, ContractEvent, FileSource};
use indexer::store::Store;
use indexer::Account;

type Access = Result<u128, AccessDenied>;
const SECRET: &[u8] = b"sealed envelope";
const HOUR: u64 = 3_600_000;

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

/// Mint, lineage, grants of every fate, receipts, supersede, expiry,
/// withdrawal of consent, majority with confirmation, record withdrawal.
fn run_story() -> Story {
    let mut s = Story {
        chain: Chain::new(),
        checks: Vec::new(),
        statuses: Vec::new(),
        records: Vec::new(),
    };
    let majority = YearMonth {
        year: 2026,
        month: 3,
    };
    let sample = s
        .bio::<Result<RecordId, biosample::Error>>(
            BIOBANK,
            "mint_sample",
            (
                commitment(1),
                vec![account(GUARDIAN), account(GUARDIAN2)],
                claim_commitment(SECRET),
                Some(majority),
            ),
        )
        .unwrap();
    s.records.push(sample);
    let aliquot = s.register(BIOBANK, RecordKind::Aliquot, &[sample], 2);
    let run = s.register(SEQUENCER, RecordKind::SequencingRun, &[aliquot], 3);
    let bam = s.register(SEQUENCER, RecordKind::Alignment, &[run], 4);
    let vcf = s.register(SEQUENCER, RecordKind::Variants, &[bam], 5);
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
    s.checkpoint(HOUR);

    let ds = Purpose::disease_specific(5014);
    assert_eq!(
        s.consent::<Result<u64, consent::Error>>(
            DATA_HOST,
            "record_access",
            (short, vcf, ds.clone())
        ),
        Ok(1)
    );
    let bam2 = s
        .bio::<Result<RecordId, biosample::Error>>(
            SEQUENCER,
            "supersede",
            (bam, commitment(6), digest_alg::BIONFT_CONTENT_V1),
        )
        .unwrap();
    s.records.push(bam2);
    s.checkpoint(10 * DAY);

    // The short grant has expired; a new grant prunes it from the contract's index.
    s.grant(
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
    let other = s.grant(
        GUARDIAN,
        sample,
        RESEARCHER2,
        bam2,
        Purpose::new(duo::GRU),
        300,
    );
    assert_eq!(
        s.consent::<Result<u64, consent::Error>>(
            DATA_HOST,
            "record_access",
            (other, bam2, Purpose::new(duo::HMB))
        ),
        Ok(2)
    );
    s.checkpoint(HOUR);

    let now = s.chain.now();
    s.chain
        .advance(majority.start_millis().saturating_sub(now) + HOUR);
    let signature = s.chain.claim_signature(SECRET, sample, CHILD);
    s.bio::<Result<(), biosample::Error>>(CHILD, "claim_majority", (sample, signature))
        .unwrap();
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
    assert_eq!(
        s.consent::<Result<u64, consent::Error>>(
            DATA_HOST,
            "record_access",
            (own, vcf, Purpose::new(duo::HMB))
        ),
        Ok(3)
    );
    s.checkpoint(HOUR);
    s.bio::<Result<(), biosample::Error>>(CHILD, "withdraw", (bam,))
        .unwrap();
    s.checkpoint(HOUR);
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
                let expected = match c.answer {
                    Ok(g) => (Some(g as i64), None),
                    Err(reason) => (None, Some(format!("{reason:?}"))),
                };
                assert_eq!(
                    (got.grant, got.reason.clone()),
                    expected,
                    "{b}: record {} for {} ({:?}) at {at:?}",
                    c.record,
                    c.grantee,
                    c.purpose
                );
                assert_eq!(got.allowed, c.answer.is_ok());
                if let Ok(g) = c.answer {
                    assert_eq!(
                        got.in_force.first(),
                        Some(&(g as i64)),
                        "{b}: oldest in force"
                    );
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
        let (sample, aliquot, bam, vcf, bam2) = (1, 2, 4, 5, 6);
        let bam_view = store.record(bam, AsOf::Head).unwrap();
        assert_eq!(
            bam_view.superseded_by.as_ref().map(|s| s.record),
            Some(bam2)
        );
        assert_eq!(bam_view.withdrawn.as_ref().map(|w| w.through), Some(bam));
        assert_eq!(
            store
                .record(vcf, AsOf::Head)
                .unwrap()
                .withdrawn
                .unwrap()
                .through,
            bam,
            "{b}: through its parent"
        );
        let first = story.statuses[0].block;
        let early = store.record(sample, AsOf::Block(first)).unwrap();
        let early_subject = early.subject.unwrap();
        assert_eq!(early_subject.subject, None, "{b}: before the claim");
        assert_eq!(early_subject.consent_epoch, 0, "{b}: before the withdrawal");
        assert!(
            !early.children.contains(&3),
            "{b}: the run is registered later"
        );
        assert!(
            store.record(bam2, AsOf::Block(first)).is_err(),
            "{b}: not registered yet"
        );
        let subject = store.record(sample, AsOf::Head).unwrap().subject.unwrap();
        assert_eq!(subject.subject, Some(party(CHILD)));
        assert_eq!(subject.consent_epoch, 1);
        assert_eq!(subject.guardians.len(), 2);

        // Lineage of the VCF: its ancestors, as a graph and as PROV.
        let graph = store.lineage(vcf, 8, Direction::Up).unwrap();
        let ids: Vec<i64> = graph.nodes.iter().map(|n| n.record).collect();
        assert_eq!(ids, vec![sample, aliquot, 3, bam, vcf]);
        assert_eq!(graph.edges.len(), 4);
        let down = store.lineage(aliquot, 8, Direction::Down).unwrap();
        assert_eq!(down.nodes.len(), 5, "{b}: aliquot, run, bam, vcf, bam2");
        let prov = indexer::lineage::prov_json(&graph, store.subject(sample).unwrap().as_ref());
        assert_eq!(
            prov["wasDerivedFrom"]["_:der5_4"]["prov:usedEntity"],
            "bionft:record/4"
        );
        assert_eq!(
            prov["wasAttributedTo"]["_:subj1"]["prov:agent"],
            format!("bionft:account/{}", party(CHILD))
        );
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
            // Withdrawal of consent is judged before expiry, as `Grant::covers` orders them.
            vec![
                (1, "consent_withdrawn"),
                (2, "revoked"),
                (3, "consent_withdrawn"),
                (4, "active"),
                (6, "active")
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
            (5, Some(5)),
            "{b}: paged"
        );

        // Receipts, and whether each access was covered when it happened.
        let receipts = store
            .receipts(ReceiptsOf::Record(vcf), Page::new(None, None).unwrap())
            .unwrap();
        assert_eq!(
            receipts.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![1, 3]
        );
        for id in [1, 2, 3] {
            let answer = store.receipt(id).unwrap();
            assert!(answer.covered, "{b}: receipt {id}");
            assert!(answer.check.allowed, "{b}: receipt {id}");
        }
        let first = store.receipt(1).unwrap();
        assert_eq!(
            (first.grant.id, first.grant.state),
            (1, "active"),
            "{b}: as it stood then"
        );
        assert_eq!(
            store.grant(1).unwrap().state,
            "consent_withdrawn",
            "{b}: and now"
        );
        assert_eq!(store.grant(5).unwrap().state, "lapsed_at_majority", "{b}");
    }
}

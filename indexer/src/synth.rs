//! Synthetic block streams for benchmarks and crash tests: many samples,
//! each with a depth-8 lineage (sample → aliquot → library → run → reads →
//! alignment → merged alignment → variants → filtered variants), grants to a
//! pool of researchers, some revocations and access receipts.
//!
//! Events are the contracts' own event types, SCALE-encoded under their
//! signature topic, so they take exactly the decoding path of real ones;
//! only the contracts' rules are not enforced (nothing here runs them).
//! Deterministic for a given seed.

use crate::source::{Block, ContractEvent};
use crate::Account;
use bionft_primitives::{duo, Authority, Purpose, RecordKind, YearMonth};
use biosample::events as bio;
use blake2::{Blake2b512, Digest};
use consent::events as con;
use ink::primitives::AccountId;
use scale::Encode;

/// The `biosample` address synthetic streams use.
pub const BIOSAMPLE: Account = Account([0xb1; 32]);
/// The `consent` address synthetic streams use.
pub const CONSENT: Account = Account([0xc0; 32]);

/// Block time of the first synthetic block: 2026-01-01T00:00:00Z.
const GENESIS_TIME: u64 = 1_767_225_600_000;
/// Block interval, ms.
const BLOCK_TIME: u64 = 6_000;
const DAY: u64 = 86_400_000;
/// Every synthetic sample's majority month: far after the stream ends.
const MAJORITY: YearMonth = YearMonth {
    year: 2044,
    month: 1,
};

/// Kinds below the sample, in lineage order: a chain of 8 derivations.
pub const LINEAGE: [RecordKind; 8] = [
    RecordKind::Aliquot,
    RecordKind::Library,
    RecordKind::SequencingRun,
    RecordKind::Reads,
    RecordKind::Alignment,
    RecordKind::Alignment,
    RecordKind::Variants,
    RecordKind::Variants,
];

/// What to generate.
#[derive(Clone, Copy, Debug)]
pub struct Shape {
    /// Records in total (a ninth of them samples).
    pub records: u64,
    /// Grants in total, spread evenly over the samples.
    pub grants: u64,
    /// Researchers the grants go to.
    pub researchers: u64,
    pub events_per_block: usize,
    pub seed: u64,
}

/// SplitMix64: small, fast, and reproducible across platforms.
pub struct SplitMix(u64);

impl SplitMix {
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// The account of synthetic party `n` in role `tag`.
fn party(tag: u8, n: u64) -> AccountId {
    let mut a = [tag; 32];
    a[..8].copy_from_slice(&n.to_le_bytes());
    AccountId::from(a)
}

fn commitment(record: u128) -> [u8; 32] {
    let mut c = [0x5a; 32];
    c[..16].copy_from_slice(&record.to_le_bytes());
    c
}

fn event<E: ink::env::Event + Encode>(contract: Account, e: &E) -> ContractEvent {
    ContractEvent {
        contract: contract.0,
        topics: vec![E::SIGNATURE_TOPIC.expect("BioNFT events are not anonymous")],
        data: e.encode(),
    }
}

/// Groups events into consecutive blocks with chained hashes.
struct Blocks<'a> {
    out: &'a mut dyn FnMut(Block) -> std::io::Result<()>,
    number: u32,
    parent: [u8; 32],
    pending: Vec<ContractEvent>,
    per_block: usize,
    seed: u64,
}

impl Blocks<'_> {
    fn now(&self) -> u64 {
        GENESIS_TIME + u64::from(self.number) * BLOCK_TIME
    }

    fn push(&mut self, e: ContractEvent) -> std::io::Result<()> {
        self.pending.push(e);
        if self.pending.len() >= self.per_block {
            self.seal()?;
        }
        Ok(())
    }

    fn seal(&mut self) -> std::io::Result<()> {
        let hash: [u8; 32] = Blake2b512::new()
            .chain_update(self.seed.to_le_bytes())
            .chain_update(self.number.to_le_bytes())
            .finalize()[..32]
            .try_into()
            .expect("32 bytes");
        let block = Block {
            number: self.number,
            hash,
            parent_hash: self.parent,
            timestamp: self.now(),
            events: std::mem::take(&mut self.pending),
        };
        (self.out)(block)?;
        self.parent = hash;
        self.number += 1;
        Ok(())
    }
}

fn random_purpose(rng: &mut SplitMix) -> Purpose {
    match rng.below(4) {
        0 => Purpose::new(duo::GRU),
        1 => Purpose::new(duo::HMB),
        2 => Purpose::disease_specific(1 + rng.below(50) as u32),
        _ => Purpose::new(duo::GRU).with_modifiers(&[21, 46]),
    }
}

/// Generates a stream of `shape` and hands each block to `out`, from block 1.
/// Returns the number of contract events written.
pub fn generate(
    shape: Shape,
    out: &mut dyn FnMut(Block) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let per_sample = 1 + LINEAGE.len() as u64;
    let samples = shape.records.div_ceil(per_sample).max(1);
    let grants_per_sample = shape.grants.div_ceil(samples);
    let mut rng = SplitMix::new(shape.seed);
    let mut blocks = Blocks {
        out,
        number: 1,
        parent: [0; 32],
        pending: Vec::new(),
        per_block: shape.events_per_block.max(1),
        seed: shape.seed,
    };
    let (biobank, sequencer, host) = (party(2, 0), party(3, 0), party(4, 0));
    let mut written = 0u64;
    let (mut next_record, mut next_grant, mut next_receipt) = (1u128, 1u128, 1u64);
    for s in 0..samples {
        let sample = next_record;
        next_record += 1;
        let guardians = vec![party(5, s), party(6, s)];
        let now = blocks.now();
        blocks.push(event(
            BIOSAMPLE,
            &bio::SampleMinted {
                sample,
                commitment: commitment(sample),
                custodian: biobank,
                guardians: guardians.clone(),
                // Guardians' grants count only before the majority month.
                majority: Some(MAJORITY),
                subject: None,
                block: blocks.number,
                at: now,
            },
        ))?;
        let mut lineage = vec![sample];
        for kind in LINEAGE {
            let record = next_record;
            next_record += 1;
            blocks.push(event(
                BIOSAMPLE,
                &bio::ArtifactRegistered {
                    record,
                    samples: vec![sample],
                    kind,
                    parents: vec![*lineage.last().expect("sample first")],
                    commitment: commitment(record),
                    digest_alg: 1,
                    registered_by: if kind == RecordKind::Aliquot {
                        biobank
                    } else {
                        sequencer
                    },
                    block: blocks.number,
                    at: blocks.now(),
                },
            ))?;
            lineage.push(record);
        }
        written += per_sample;
        for _ in 0..grants_per_sample {
            let grant = next_grant;
            next_grant += 1;
            let grantee = party(10, rng.below(shape.researchers.max(1)));
            let scope = lineage[rng.below(3) as usize];
            let purpose = random_purpose(&mut rng);
            let at = blocks.now();
            blocks.push(event(
                CONSENT,
                &con::GrantIssued {
                    grant,
                    sample,
                    grantee,
                    scope,
                    purpose: purpose.clone(),
                    expires_at: at + (1 + rng.below(720)) * DAY,
                    issued_by: guardians[0],
                    issuer: Authority::Guardian,
                    epoch: 0,
                    at,
                },
            ))?;
            written += 1;
            match rng.below(20) {
                0 => {
                    blocks.push(event(
                        CONSENT,
                        &con::GrantRevoked {
                            grant,
                            sample,
                            at: blocks.now(),
                        },
                    ))?;
                    written += 1;
                }
                1 | 2 => {
                    let record = *lineage.last().expect("lineage");
                    blocks.push(event(
                        CONSENT,
                        &con::AccessRecorded {
                            receipt: next_receipt,
                            record,
                            grantee,
                            purpose,
                            grants: vec![grant],
                            data_host: host,
                            at: blocks.now(),
                        },
                    ))?;
                    next_receipt += 1;
                    written += 1;
                }
                _ => {}
            }
        }
    }
    if !blocks.pending.is_empty() {
        blocks.seal()?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{block_changes, Change, Contracts};

    #[test]
    fn synthetic_events_decode_with_the_contracts_types_into_the_asked_shape() {
        let shape = Shape {
            records: 18,
            grants: 6,
            researchers: 3,
            events_per_block: 4,
            seed: 7,
        };
        let mut blocks = Vec::new();
        generate(shape, &mut |b| {
            blocks.push(b);
            Ok(())
        })
        .unwrap();
        let contracts = Contracts {
            biosample: BIOSAMPLE,
            consent: CONSENT,
        };
        let changes: Vec<Change> = blocks
            .iter()
            .flat_map(|b| block_changes(b, &contracts).unwrap())
            .collect();
        let records = changes
            .iter()
            .filter(|c| matches!(c, Change::Sample { .. } | Change::Artifact { .. }))
            .count();
        let grants = changes
            .iter()
            .filter(|c| matches!(c, Change::Grant { .. }))
            .count();
        assert_eq!((records, grants), (18, 6));
        for pair in blocks.windows(2) {
            assert_eq!(pair[1].parent_hash, pair[0].hash);
            assert_eq!(pair[1].number, pair[0].number + 1);
        }
    }
}

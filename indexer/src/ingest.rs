//! Ingestion as a pure function: a [`Block`] and its `ContractEmitted`
//! events in, the rows they add out ([`Change`]). No I/O happens here; the
//! storage layer writes a block's changes and the cursor in one transaction.
//!
//! Events are decoded with the contracts' own types
//! (`BiosampleEvent::decode`, `ConsentEvent::decode`). An event of one of
//! the two configured contracts that does not decode stops ingestion: it
//! means the contracts changed and the indexer must be updated, and skipping
//! it would silently corrupt every answer after it. Events of other
//! contracts are ignored.
//!
//! Every fact is stamped with its **position** ([`Pos`]): the block number
//! and the event's index in the block, so that state "as of" any point
//! (a block, a timestamp, or just before an access receipt) is a filter on
//! position.

use crate::source::Block;
use crate::Account;
use bionft_primitives::{Authority, Purpose, RecordKind, Role, YearMonth};
use biosample::events::BiosampleEvent;
use consent::events::ConsentEvent;

/// A fact's position in the chain's history: `block << 20 | event index`.
pub type Pos = i64;

/// Bits of a [`Pos`] that hold the event's index within its block.
pub const INDEX_BITS: u32 = 20;

/// The position of event `index` of block `number`.
pub fn position(number: u32, index: usize) -> Result<Pos, IngestError> {
    if index >= 1 << INDEX_BITS {
        return Err(IngestError::TooManyEvents(number));
    }
    Ok((i64::from(number) << INDEX_BITS) | index as i64)
}

/// The last position of block `number` (after all its events).
pub fn end_of_block(number: u32) -> Pos {
    (i64::from(number) << INDEX_BITS) | ((1 << INDEX_BITS) - 1)
}

/// The block number of a position.
pub fn block_of(pos: Pos) -> u32 {
    (pos >> INDEX_BITS) as u32
}

/// The two contracts whose events the indexer follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Contracts {
    pub biosample: Account,
    pub consent: Account,
}

/// Why a block could not be turned into rows.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IngestError {
    #[error("block {block}, event {index}: {contract} event does not decode with the contract's types ({reason}); is the indexer older than the deployed contract?")]
    Undecodable {
        block: u32,
        index: usize,
        contract: &'static str,
        reason: String,
    },
    #[error("block {block}, event {index}: {contract} emitted an event with an unknown signature topic; is the indexer older than the deployed contract?")]
    UnknownEvent {
        block: u32,
        index: usize,
        contract: &'static str,
    },
    #[error("block {0} has more than 2^20 contract events")]
    TooManyEvents(u32),
    #[error("block {block}: {what} {value} does not fit the database's signed 64-bit integers")]
    OutOfRange {
        block: u32,
        what: &'static str,
        value: u128,
    },
}

/// Which contract a governance fact is about.
pub const BIOSAMPLE: &str = "biosample";
/// See [`BIOSAMPLE`].
pub const CONSENT: &str = "consent";

/// How a guardian joined or left a sample's guardianship.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GuardianChange {
    /// Named at mint.
    Minted,
    /// Nominated by a guardian and approved by the custodian, with the hash of its evidence.
    Approved([u8; 32]),
    /// Removed by the custodian, with the hash of the grounds.
    Removed([u8; 32]),
    /// Left of their own accord.
    Resigned,
}

impl GuardianChange {
    /// Whether the account holds guardianship after this change.
    pub fn holds(self) -> bool {
        matches!(self, GuardianChange::Minted | GuardianChange::Approved(_))
    }

    /// The stored name of the change.
    pub fn name(self) -> &'static str {
        match self {
            GuardianChange::Minted => "minted",
            GuardianChange::Approved(_) => "approved",
            GuardianChange::Removed(_) => "removed",
            GuardianChange::Resigned => "resigned",
        }
    }

    /// The reason hash, if the change carries one.
    pub fn reason(self) -> Option<[u8; 32]> {
        match self {
            GuardianChange::Approved(r) | GuardianChange::Removed(r) => Some(r),
            GuardianChange::Minted | GuardianChange::Resigned => None,
        }
    }
}

/// A row (or a few rows of one fact) that a block adds to the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    Role {
        pos: Pos,
        account: Account,
        role: Role,
        granted: bool,
    },
    Admin {
        pos: Pos,
        from: Account,
        to: Account,
    },
    /// Governance paused (or resumed) every write of both contracts.
    Paused {
        pos: Pos,
        paused: bool,
        at: i64,
    },
    /// A contract's code was replaced ([`BIOSAMPLE`] or [`CONSENT`]).
    CodeUpgraded {
        pos: Pos,
        contract: &'static str,
        code_hash: [u8; 32],
        at: i64,
    },
    /// `consent` was pointed at a `biosample` contract running `code_hash`.
    BiosampleWired {
        pos: Pos,
        biosample: Account,
        code_hash: [u8; 32],
        at: i64,
    },
    Sample {
        pos: Pos,
        sample: i64,
        commitment: [u8; 32],
        custodian: Account,
        /// Per-sample guardian keys (none for a self-consenting adult).
        guardians: Vec<Account>,
        majority: Option<YearMonth>,
        /// A self-consenting adult's own account, set at mint.
        subject: Option<Account>,
        at: i64,
    },
    Artifact {
        pos: Pos,
        record: i64,
        /// Every sample the record derives from (several for a joint record).
        samples: Vec<i64>,
        kind: RecordKind,
        parents: Vec<i64>,
        commitment: [u8; 32],
        digest_alg: u16,
        registered_by: Account,
        at: i64,
    },
    Superseded {
        pos: Pos,
        old: i64,
        new: i64,
        at: i64,
    },
    Custody {
        pos: Pos,
        sample: i64,
        from: Account,
        to: Account,
        at: i64,
    },
    Sequencer {
        pos: Pos,
        sample: i64,
        sequencer: Account,
        assigned: bool,
        at: i64,
    },
    Withdrawn {
        pos: Pos,
        record: i64,
        authority: Authority,
        at: i64,
    },
    Nominated {
        pos: Pos,
        sample: i64,
        nominee: Account,
        at: i64,
    },
    Guardian {
        pos: Pos,
        sample: i64,
        guardian: Account,
        change: GuardianChange,
        at: i64,
    },
    Attested {
        pos: Pos,
        sample: i64,
        claimant: Account,
        at: i64,
    },
    Majority {
        pos: Pos,
        sample: i64,
        subject: Account,
        at: i64,
    },
    Grant {
        pos: Pos,
        grant: i64,
        sample: i64,
        grantee: Account,
        scope: i64,
        purpose: Purpose,
        expires_at: i64,
        issued_by: Account,
        issuer: Authority,
        epoch: i64,
        at: i64,
    },
    Revoked {
        pos: Pos,
        grant: i64,
        at: i64,
    },
    Confirmed {
        pos: Pos,
        grant: i64,
        at: i64,
    },
    ConsentWithdrawn {
        pos: Pos,
        sample: i64,
        authority: Authority,
        epoch: i64,
        at: i64,
    },
    Access {
        pos: Pos,
        receipt: i64,
        record: i64,
        grantee: Account,
        purpose: Purpose,
        /// The grants that allowed it, one per contributing sample (ascending sample).
        grants: Vec<i64>,
        data_host: Account,
        at: i64,
    },
}

/// The rows `block` adds: one or more [`Change`]s per event of the two
/// contracts, in event order.
pub fn block_changes(block: &Block, contracts: &Contracts) -> Result<Vec<Change>, IngestError> {
    let mut changes = Vec::new();
    for (index, event) in block.events.iter().enumerate() {
        let pos = position(block.number, index)?;
        let cx = Cx {
            block: block.number,
            pos,
            now: i64::try_from(block.timestamp).map_err(|_| IngestError::OutOfRange {
                block: block.number,
                what: "timestamp",
                value: block.timestamp.into(),
            })?,
        };
        if event.contract == contracts.biosample.0 {
            match BiosampleEvent::decode(&event.topics, &event.data) {
                Ok(Some(e)) => changes.extend(cx.biosample(e)?),
                Ok(None) => return Err(cx.unknown(index, "biosample")),
                Err(e) => return Err(cx.undecodable(index, "biosample", e)),
            }
        } else if event.contract == contracts.consent.0 {
            match ConsentEvent::decode(&event.topics, &event.data) {
                Ok(Some(e)) => changes.push(cx.consent(e)?),
                Ok(None) => return Err(cx.unknown(index, "consent")),
                Err(e) => return Err(cx.undecodable(index, "consent", e)),
            }
        }
    }
    Ok(changes)
}

/// Where in the chain an event sits, for stamping and error messages.
struct Cx {
    block: u32,
    pos: Pos,
    /// The block's timestamp.
    now: i64,
}

fn acc(a: ink::primitives::AccountId) -> Account {
    Account(*AsRef::<[u8; 32]>::as_ref(&a))
}

fn hash(h: ink::primitives::Hash) -> [u8; 32] {
    let mut out = [0; 32];
    out.copy_from_slice(h.as_ref());
    out
}

impl Cx {
    fn unknown(&self, index: usize, contract: &'static str) -> IngestError {
        IngestError::UnknownEvent {
            block: self.block,
            index,
            contract,
        }
    }

    fn undecodable(&self, index: usize, contract: &'static str, e: scale::Error) -> IngestError {
        IngestError::Undecodable {
            block: self.block,
            index,
            contract,
            reason: e.to_string(),
        }
    }

    fn int(&self, what: &'static str, value: u128) -> Result<i64, IngestError> {
        i64::try_from(value).map_err(|_| IngestError::OutOfRange {
            block: self.block,
            what,
            value,
        })
    }

    fn id(&self, value: u128) -> Result<i64, IngestError> {
        self.int("id", value)
    }

    fn time(&self, value: u64) -> Result<i64, IngestError> {
        self.int("timestamp", value.into())
    }

    fn ids(&self, values: Vec<u128>) -> Result<Vec<i64>, IngestError> {
        values.into_iter().map(|v| self.id(v)).collect()
    }

    fn biosample(&self, event: BiosampleEvent) -> Result<Option<Change>, IngestError> {
        use BiosampleEvent as E;
        let pos = self.pos;
        // Events without a time of their own take the block's.
        let at = self.now;
        Ok(Some(match event {
            E::AdminTransferred(e) => Change::Admin {
                pos,
                from: acc(e.from),
                to: acc(e.to),
            },
            E::PauseChanged(e) => Change::Paused {
                pos,
                paused: e.paused,
                at,
            },
            E::CodeUpgraded(e) => Change::CodeUpgraded {
                pos,
                contract: BIOSAMPLE,
                code_hash: hash(e.code_hash),
                at,
            },
            E::RoleGranted(e) => Change::Role {
                pos,
                account: acc(e.account),
                role: e.role,
                granted: true,
            },
            E::RoleRevoked(e) => Change::Role {
                pos,
                account: acc(e.account),
                role: e.role,
                granted: false,
            },
            E::SampleMinted(e) => Change::Sample {
                pos,
                sample: self.id(e.sample)?,
                commitment: e.commitment,
                custodian: acc(e.custodian),
                guardians: e.guardians.into_iter().map(acc).collect(),
                majority: e.majority,
                subject: e.subject.map(acc),
                at: self.time(e.at)?,
            },
            E::ArtifactRegistered(e) => Change::Artifact {
                pos,
                record: self.id(e.record)?,
                samples: self.ids(e.samples)?,
                kind: e.kind,
                parents: self.ids(e.parents)?,
                commitment: e.commitment,
                digest_alg: e.digest_alg,
                registered_by: acc(e.registered_by),
                at: self.time(e.at)?,
            },
            E::RecordSuperseded(e) => Change::Superseded {
                pos,
                old: self.id(e.old)?,
                new: self.id(e.new)?,
                at,
            },
            E::CustodyTransferred(e) => Change::Custody {
                pos,
                sample: self.id(e.sample)?,
                from: acc(e.from),
                to: acc(e.to),
                at,
            },
            E::SequencerAssigned(e) => Change::Sequencer {
                pos,
                sample: self.id(e.sample)?,
                sequencer: acc(e.sequencer),
                assigned: true,
                at,
            },
            E::SequencerUnassigned(e) => Change::Sequencer {
                pos,
                sample: self.id(e.sample)?,
                sequencer: acc(e.sequencer),
                assigned: false,
                at,
            },
            E::RecordWithdrawn(e) => Change::Withdrawn {
                pos,
                record: self.id(e.record)?,
                authority: e.authority,
                at: self.time(e.at)?,
            },
            E::GuardianNominated(e) => Change::Nominated {
                pos,
                sample: self.id(e.sample)?,
                nominee: acc(e.nominee),
                at,
            },
            E::GuardianAdded(e) => Change::Guardian {
                pos,
                sample: self.id(e.sample)?,
                guardian: acc(e.guardian),
                change: GuardianChange::Approved(e.reason),
                at,
            },
            E::GuardianRemoved(e) => Change::Guardian {
                pos,
                sample: self.id(e.sample)?,
                guardian: acc(e.guardian),
                change: e
                    .reason
                    .map_or(GuardianChange::Resigned, GuardianChange::Removed),
                at,
            },
            E::ClaimantAttested(e) => Change::Attested {
                pos,
                sample: self.id(e.sample)?,
                claimant: acc(e.claimant),
                at,
            },
            E::MajorityClaimed(e) => Change::Majority {
                pos,
                sample: self.id(e.sample)?,
                subject: acc(e.subject),
                at: self.time(e.at)?,
            },
            // PSP34 `Transfer` repeats what `SampleMinted` and `MajorityClaimed` say.
            E::Transfer(_) => return Ok(None),
        }))
    }

    fn consent(&self, event: ConsentEvent) -> Result<Change, IngestError> {
        use ConsentEvent as E;
        let pos = self.pos;
        Ok(match event {
            E::GrantIssued(e) => Change::Grant {
                pos,
                grant: self.id(e.grant)?,
                sample: self.id(e.sample)?,
                grantee: acc(e.grantee),
                scope: self.id(e.scope)?,
                purpose: e.purpose,
                expires_at: self.time(e.expires_at)?,
                issued_by: acc(e.issued_by),
                issuer: e.issuer,
                epoch: e.epoch.into(),
                at: self.time(e.at)?,
            },
            E::GrantRevoked(e) => Change::Revoked {
                pos,
                grant: self.id(e.grant)?,
                at: self.time(e.at)?,
            },
            E::GrantConfirmed(e) => Change::Confirmed {
                pos,
                grant: self.id(e.grant)?,
                at: self.time(e.at)?,
            },
            E::ConsentWithdrawn(e) => Change::ConsentWithdrawn {
                pos,
                sample: self.id(e.sample)?,
                authority: e.authority,
                epoch: e.epoch.into(),
                at: self.time(e.at)?,
            },
            E::AccessRecorded(e) => Change::Access {
                pos,
                receipt: self.int("receipt", e.receipt.into())?,
                record: self.id(e.record)?,
                grantee: acc(e.grantee),
                purpose: e.purpose,
                grants: self.ids(e.grants)?,
                data_host: acc(e.data_host),
                at: self.time(e.at)?,
            },
            E::BiosampleWired(e) => Change::BiosampleWired {
                pos,
                biosample: acc(e.biosample),
                code_hash: hash(e.code_hash),
                at: self.now,
            },
            E::CodeUpgraded(e) => Change::CodeUpgraded {
                pos,
                contract: CONSENT,
                code_hash: hash(e.code_hash),
                at: self.now,
            },
        })
    }
}

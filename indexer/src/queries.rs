//! The questions the indexer answers, as SQL over the store's tables (one
//! text for both engines, all values bound) plus the contracts' own rules
//! ([`crate::judge`]) for consent. Handlers in [`crate::http`] only parse
//! parameters and call these.

use crate::db::{Connection, DbError, Row, Value};
use crate::ingest::{block_of, end_of_block, Pos, INDEX_BITS};
use crate::judge::{self, HeldGrant, PerSample, Verdict};
use crate::store::{kind_from_name, Store};
use crate::Account;
use bionft_primitives::{
    AccessContext, AccessDenied, Authority, Guardian, Purpose, SampleContext, YearMonth,
};
use scale::Decode;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Deepest lineage walk a query may ask for (the contracts bound a record's
/// ancestry to 64 records, so no deeper walk can find more ancestors).
pub const MAX_DEPTH: u32 = bionft_primitives::MAX_LINEAGE as u32;
/// Most records one lineage answer may hold.
pub const MAX_NODES: usize = 10_000;
/// Most rows one list answer may hold.
pub const MAX_LIMIT: u32 = 1_000;

/// Why a question has no answer.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    #[error(transparent)]
    Db(#[from] DbError),
    /// Nothing by that id (HTTP 404).
    #[error("{0}")]
    NotFound(String),
    /// The question itself is wrong (HTTP 400).
    #[error("{0}")]
    Invalid(String),
}

type Result<T> = std::result::Result<T, QueryError>;

/// Where in the chain's history a fact was recorded.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub block: u32,
    /// The event's index among the block's contract events.
    pub event: u32,
    /// Block time, ms since the Unix epoch.
    pub time: i64,
}

fn stamp(pos: Pos, time: i64) -> Stamp {
    Stamp {
        block: block_of(pos),
        event: (pos & ((1 << INDEX_BITS) - 1)) as u32,
        time,
    }
}

fn hex32(b: &[u8]) -> String {
    format!("0x{}", hex::encode(b))
}

/// `$start, $start+1, …` for `n` values: a parameterized `IN (…)` list.
fn placeholders(start: usize, n: usize) -> String {
    (start..start + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Everything up to now: the bound for "current state".
const NOW: Pos = i64::MAX;

// ------------------------------------------------------------- moments

/// A point of history a question is asked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AsOf {
    /// The last indexed block.
    Head,
    /// After all events of this block.
    Block(u32),
    /// At this time (ms since the Unix epoch): after every block stamped at or before it.
    Time(i64),
}

/// A resolved point of history: facts at or before `pos` count, at time `now`.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// The last block whose facts count (`None`: before the first indexed block).
    pub block: Option<u32>,
    /// The time rules are judged at (expiry), ms since the Unix epoch.
    pub time: i64,
    #[serde(skip)]
    pub pos: Pos,
}

fn head(conn: &mut dyn Connection) -> Result<(u32, i64)> {
    let rows = conn.query(
        "SELECT c.number, b.time_ms FROM cursor c JOIN blocks b ON b.number = c.number WHERE c.id = 1",
        &[],
    )?;
    let row = rows
        .first()
        .ok_or_else(|| QueryError::Invalid("nothing is indexed yet".into()))?;
    Ok((row.int(0)? as u32, row.int(1)?))
}

fn resolve(conn: &mut dyn Connection, at: AsOf) -> Result<Moment> {
    let (head_block, head_time) = head(conn)?;
    match at {
        AsOf::Head => Ok(Moment {
            block: Some(head_block),
            time: head_time,
            pos: end_of_block(head_block),
        }),
        AsOf::Block(b) => {
            if b > head_block {
                return Err(QueryError::Invalid(format!(
                    "block {b} is not indexed yet (indexed up to block {head_block})"
                )));
            }
            let rows = conn.query(
                "SELECT time_ms FROM blocks WHERE number = $1",
                &[i64::from(b).into()],
            )?;
            let row = rows.first().ok_or_else(|| {
                QueryError::Invalid(format!("block {b} is before the first indexed block"))
            })?;
            Ok(Moment {
                block: Some(b),
                time: row.int(0)?,
                pos: end_of_block(b),
            })
        }
        AsOf::Time(t) => {
            if t > head_time {
                return Err(QueryError::Invalid(format!(
                    "time {t} is after the last indexed block (block {head_block} at {head_time}); the indexer cannot answer for the future"
                )));
            }
            let rows = conn.query(
                "SELECT number FROM blocks WHERE time_ms <= $1 ORDER BY time_ms DESC, number DESC LIMIT 1",
                &[t.into()],
            )?;
            let block = rows
                .first()
                .map(|r| r.int(0))
                .transpose()?
                .map(|n| n as u32);
            Ok(Moment {
                block,
                time: t,
                pos: block.map_or(-1, end_of_block),
            })
        }
    }
}

// ------------------------------------------------------------- records

/// A record and its effective status.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct RecordView {
    pub id: i64,
    pub kind: &'static str,
    /// The samples at the roots of the record's lineage, ascending: itself
    /// for a sample, several for a joint record (e.g. a trio's variant calls).
    pub samples: Vec<i64>,
    pub parents: Vec<i64>,
    pub children: Vec<i64>,
    pub commitment: String,
    pub digest_alg: i64,
    /// `digest_alg` by name (`bionft-c1`, `bionft-c2`, `sample-identifier`); absent when unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digest_scheme: Option<&'static str>,
    pub registered_by: Account,
    pub registered: Stamp,
    /// `active`, `superseded` or `withdrawn` (itself or through an ancestor
    /// of any of its samples).
    pub status: &'static str,
    pub superseded_by: Option<Supersession>,
    pub supersedes: Option<i64>,
    pub withdrawn: Option<Withdrawal>,
    /// For a sample: custody, sequencers, and who speaks for its subject.
    pub subject: Option<SubjectView>,
    /// The moment asked about (`block` or `time`); absent for the indexed head.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Moment>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Supersession {
    pub record: i64,
    pub at: Stamp,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Withdrawal {
    /// The record that was withdrawn: this one, or the ancestor it is withdrawn through.
    pub through: i64,
    /// `guardian` or `subject`: which authority withdrew (never which account).
    pub authority: String,
    pub at: Stamp,
}

/// Who holds a sample and who speaks for its subject. Deliberately less
/// than the index holds: no guardian keys, no subject account, no majority
/// month, no nominee, attested claimant or reason hashes (see the README's
/// privacy table).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct SubjectView {
    pub custodian: Account,
    /// Sequencers currently assigned to the sample, in assignment order.
    pub sequencers: Vec<Account>,
    /// `guardians` (before the majority month), `subject` (claimed, or a
    /// self-consenting adult's sample) or `none` (majority month reached,
    /// not claimed yet).
    pub authority: &'static str,
    /// How many guardians are in office (their keys are per-sample and not shown).
    pub guardians: usize,
    /// An adult's own sample: subject set at mint, no guardians.
    pub self_consenting: bool,
    /// When the subject took control (the claim, or the mint for a self-consenting sample).
    pub subject_since: Option<Stamp>,
    /// The subject's consent epoch (how many times all consent was withdrawn).
    pub consent_epoch: i64,
}

/// A sample's facts as of a position, for views and for judging access.
struct SampleFacts {
    custodian: Account,
    sequencers: Vec<Account>,
    /// Guardians in office, each with its term (see [`holders`]).
    guardians: Vec<(Account, u32)>,
    majority_at: Option<u64>,
    self_consenting: bool,
    subject: Option<(Account, Stamp)>,
    epoch: i64,
}

impl SampleFacts {
    fn view(&self, now: i64) -> SubjectView {
        SubjectView {
            custodian: self.custodian,
            sequencers: self.sequencers.clone(),
            authority: if self.subject.is_some() {
                "subject"
            } else if self.majority_at.is_some_and(|at| (now as u64) < at) {
                "guardians"
            } else {
                "none"
            },
            guardians: self.guardians.len(),
            self_consenting: self.self_consenting,
            subject_since: self.subject.map(|(_, at)| at),
            consent_epoch: self.epoch,
        }
    }

    fn context(&self, sample: i64) -> SampleContext {
        SampleContext {
            sample: sample as u128,
            subject: self
                .subject
                .map(|(a, _)| ink::primitives::AccountId::from(a.0)),
            majority_at: self.majority_at,
            guardians: self
                .guardians
                .iter()
                .map(|&(a, term)| Guardian {
                    key: ink::primitives::AccountId::from(a.0),
                    term,
                })
                .collect(),
        }
    }
}

const RECORD_COLUMNS: &str =
    "r.id, r.kind, r.commitment, r.digest_alg, r.registered_by, r.pos, r.at_ms";

/// `up(id)`: the record bound to parameter `$param` and all its ancestors.
fn ancestors(param: u8) -> String {
    format!(
        "WITH RECURSIVE up(id) AS (SELECT CAST(${param} AS BIGINT) \
         UNION SELECT p.parent FROM record_parents p JOIN up ON p.child = up.id)"
    )
}

fn ids(rows: &[Row]) -> std::result::Result<Vec<i64>, DbError> {
    rows.iter().map(|r| r.int(0)).collect()
}

/// The samples `record` derives from, ascending.
fn samples_of(conn: &mut dyn Connection, record: i64) -> Result<Vec<i64>> {
    Ok(ids(&conn.query(
        "SELECT sample FROM record_samples WHERE record = $1 ORDER BY sample",
        &[record.into()],
    )?)?)
}

/// The earliest withdrawal of `record` or an ancestor at or before `pos`.
fn withdrawal(conn: &mut dyn Connection, record: i64, pos: Pos) -> Result<Option<Withdrawal>> {
    let rows = conn.query(
        &format!(
            "{} SELECT w.record, w.authority, w.pos, w.at_ms \
             FROM withdrawals w JOIN up ON w.record = up.id WHERE w.pos <= $2 ORDER BY w.pos LIMIT 1",
            ancestors(1)
        ),
        &[record.into(), pos.into()],
    )?;
    rows.first()
        .map(|r| -> Result<Withdrawal> {
            Ok(Withdrawal {
                through: r.int(0)?,
                authority: r.text(1)?.to_owned(),
                at: stamp(r.int(2)?, r.int(3)?),
            })
        })
        .transpose()
}

/// The accounts whose latest change (of `changes`, in order: account, holds) left them holding.
/// Who holds a per-sample office after `changes` (account, added; in
/// order), each with its term: how many earlier appointments the account
/// had. The contract numbers terms per sample; `Grant::covers` only ever
/// compares one key's terms with each other, which this numbering per key
/// decides the same way (a grant counts while its issuer's appointment lasts).
fn holders(changes: &[Row]) -> std::result::Result<Vec<(Account, u32)>, DbError> {
    // (account, holds it now, appointments so far), in order of last change.
    let mut held: Vec<(Account, bool, u32)> = Vec::new();
    for c in changes {
        let account = c.account(0)?;
        let added = c.int(1)? == 1;
        let before = held
            .iter()
            .position(|(a, _, _)| *a == account)
            .map_or(0, |i| held.remove(i).2);
        held.push((account, added, before + u32::from(added)));
    }
    Ok(held
        .into_iter()
        .filter(|(_, h, _)| *h)
        .map(|(a, _, n)| (a, n - 1))
        .collect())
}

/// Custody, sequencers, guardianship, subject and epoch of `sample`, counting facts at or before `pos`.
fn sample_facts(conn: &mut dyn Connection, sample: i64, pos: Pos) -> Result<Option<SampleFacts>> {
    let rows = conn.query(
        "SELECT s.custodian, s.majority_year, s.majority_month, s.self_consenting, \
         m.subject, m.pos, m.at_ms, \
         (SELECT c.to_account FROM custody_transfers c WHERE c.sample = s.id AND c.pos <= $2 \
          ORDER BY c.pos DESC LIMIT 1), \
         (SELECT MAX(w.epoch) FROM consent_withdrawals w WHERE w.sample = s.id AND w.pos <= $2) \
         FROM samples s JOIN records r ON r.id = s.id \
         LEFT JOIN subjects m ON m.sample = s.id AND m.pos <= $2 \
         WHERE s.id = $1 AND r.pos <= $2",
        &[sample.into(), pos.into()],
    )?;
    let Some(r) = rows.first() else {
        return Ok(None);
    };
    let guardians = holders(&conn.query(
        "SELECT guardian, added FROM guardian_changes WHERE sample = $1 AND pos <= $2 ORDER BY pos",
        &[sample.into(), pos.into()],
    )?)?;
    let sequencers = holders(&conn.query(
        "SELECT sequencer, assigned FROM sequencer_assignments WHERE sample = $1 AND pos <= $2 ORDER BY pos",
        &[sample.into(), pos.into()],
    )?)?
    .into_iter()
    .map(|(a, _)| a)
    .collect();
    let majority_at = match (r.opt_int(1)?, r.opt_int(2)?) {
        (Some(year), Some(month)) => Some(
            YearMonth {
                year: year as u16,
                month: month as u8,
            }
            .start_millis(),
        ),
        _ => None,
    };
    let subject = match r.opt_account(4)? {
        Some(a) => Some((a, stamp(r.int(5)?, r.int(6)?))),
        None => None,
    };
    Ok(Some(SampleFacts {
        custodian: r.opt_account(7)?.unwrap_or(r.account(0)?),
        sequencers,
        guardians,
        majority_at,
        self_consenting: r.int(3)? == 1,
        subject,
        epoch: r.opt_int(8)?.unwrap_or(0),
    }))
}

fn at_pos(conn: &mut dyn Connection, at: AsOf) -> Result<(Pos, Option<Moment>, i64)> {
    Ok(match at {
        AsOf::Head => (NOW, None, resolve(conn, AsOf::Head)?.time),
        at => {
            let moment = resolve(conn, at)?;
            (moment.pos, Some(moment), moment.time)
        }
    })
}

impl Store {
    /// A record with its effective status, samples, parents, children and
    /// (for a sample) its subject, as they stood at `at` (time travel: what
    /// an auditor asks about the past).
    pub fn record(&self, id: i64, at: AsOf) -> Result<RecordView> {
        let conn = &mut *self.reader()?;
        let (pos, as_of, now) = at_pos(conn, at)?;
        let rows = conn.query(
            &format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.id = $1 AND r.pos <= $2"),
            &[id.into(), pos.into()],
        )?;
        let r = rows.first().ok_or_else(|| {
            QueryError::NotFound(match as_of.and_then(|m| m.block) {
                Some(b) => format!("no record {id} at block {b}"),
                None => format!("no record {id}"),
            })
        })?;
        let kind = kind_from_name(r, 1)?;
        let samples = samples_of(conn, id)?;
        let parents = ids(&conn.query(
            "SELECT parent FROM record_parents WHERE child = $1 ORDER BY ord",
            &[id.into()],
        )?)?;
        let children = ids(&conn.query(
            "SELECT p.child FROM record_parents p JOIN records c ON c.id = p.child \
             WHERE p.parent = $1 AND c.pos <= $2 ORDER BY p.child",
            &[id.into(), pos.into()],
        )?)?;
        let superseded_by = conn
            .query(
                "SELECT new_record, pos, at_ms FROM supersessions \
                 WHERE old_record = $1 AND pos <= $2",
                &[id.into(), pos.into()],
            )?
            .first()
            .map(|s| -> Result<Supersession> {
                Ok(Supersession {
                    record: s.int(0)?,
                    at: stamp(s.int(1)?, s.int(2)?),
                })
            })
            .transpose()?;
        let supersedes = ids(&conn.query(
            "SELECT old_record FROM supersessions WHERE new_record = $1 AND pos <= $2",
            &[id.into(), pos.into()],
        )?)?
        .first()
        .copied();
        let withdrawn = withdrawal(conn, id, pos)?;
        let status = match (&withdrawn, &superseded_by) {
            (Some(_), _) => "withdrawn",
            (None, Some(_)) => "superseded",
            (None, None) => "active",
        };
        let subject = if kind == bionft_primitives::RecordKind::Sample {
            sample_facts(conn, id, pos)?.map(|f| f.view(now))
        } else {
            None
        };
        Ok(RecordView {
            id,
            kind: kind.name(),
            samples,
            parents,
            children,
            commitment: hex32(r.bytes(2)?),
            digest_alg: r.int(3)?,
            digest_scheme: u16::try_from(r.int(3)?)
                .ok()
                .and_then(bionft_primitives::digest_alg::name),
            registered_by: r.account(4)?,
            registered: stamp(r.int(5)?, r.int(6)?),
            status,
            superseded_by,
            supersedes,
            withdrawn,
            subject,
            as_of,
        })
    }

    /// The record committed to by `commitment`.
    pub fn record_by_commitment(&self, commitment: [u8; 32]) -> Result<RecordView> {
        let rows = self.reader()?.query(
            "SELECT id FROM records WHERE commitment = $1",
            &[commitment.into()],
        )?;
        let id = rows
            .first()
            .ok_or_else(|| {
                QueryError::NotFound(format!("no record commits to {}", hex32(&commitment)))
            })?
            .int(0)?;
        self.record(id, AsOf::Head)
    }
}

// ------------------------------------------------------------- lineage

/// Which way a lineage walk goes from its record.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// Ancestors: what the record was derived from.
    Up,
    /// Descendants: what was derived from the record.
    Down,
    Both,
}

/// A record's lineage as a graph (nodes and parent → child edges).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Graph {
    pub focus: i64,
    pub depth: u32,
    pub nodes: Vec<Node>,
    pub edges: Vec<Edge>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// `record:<id>`.
    pub id: String,
    pub record: i64,
    pub kind: &'static str,
    /// The samples it derives from, ascending (several for a joint record).
    pub samples: Vec<i64>,
    pub commitment: String,
    pub registered_by: Account,
    pub registered: Stamp,
    pub status: &'static str,
    pub superseded_by: Option<i64>,
    /// Steps from the focus: negative for ancestors, positive for descendants.
    pub distance: i64,
}

/// A derivation: `destination` was derived from `origin`.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub origin: String,
    pub destination: String,
}

/// Walks from `$1` along `record_parents` (`from` → `to`) up to `$2` steps.
fn walk(
    conn: &mut dyn Connection,
    id: i64,
    depth: u32,
    from: &str,
    to: &str,
) -> Result<Vec<(i64, i64)>> {
    // `from`/`to` are the column names `child`/`parent`, chosen by the caller, never input.
    let rows = conn.query(
        &format!(
            "WITH RECURSIVE walk(id, depth) AS (SELECT CAST($1 AS BIGINT), CAST(0 AS BIGINT) \
             UNION SELECT p.{to}, walk.depth + 1 FROM record_parents p JOIN walk ON p.{from} = walk.id \
             WHERE walk.depth < $2) \
             SELECT id, MIN(depth) FROM walk GROUP BY id LIMIT $3"
        ),
        &[id.into(), i64::from(depth).into(), (MAX_NODES as i64 + 1).into()],
    )?;
    rows.iter().map(|r| Ok((r.int(0)?, r.int(1)?))).collect()
}

impl Store {
    /// The lineage of record `id` up to `depth` steps in `direction`.
    pub fn lineage(&self, id: i64, depth: u32, direction: Direction) -> Result<Graph> {
        if depth > MAX_DEPTH {
            return Err(QueryError::Invalid(format!(
                "depth {depth} is over the limit of {MAX_DEPTH}"
            )));
        }
        let conn = &mut *self.reader()?;
        Self::require_record(conn, id)?;
        let mut distance: BTreeMap<i64, i64> = BTreeMap::from([(id, 0)]);
        if direction != Direction::Down {
            for (n, d) in walk(conn, id, depth, "child", "parent")? {
                distance.entry(n).or_insert(-d);
            }
        }
        if direction != Direction::Up {
            for (n, d) in walk(conn, id, depth, "parent", "child")? {
                distance.entry(n).or_insert(d);
            }
        }
        if distance.len() > MAX_NODES {
            return Err(QueryError::Invalid(format!(
                "the lineage of record {id} to depth {depth} has more than {MAX_NODES} records; ask for a smaller depth or one direction"
            )));
        }
        let members: Vec<Value> = distance.keys().map(|i| Value::Int(*i)).collect();
        let list = placeholders(1, members.len());
        let records = conn.query(
            &format!("SELECT {RECORD_COLUMNS} FROM records r WHERE r.id IN ({list}) ORDER BY r.id"),
            &members,
        )?;
        let edges = conn.query(
            &format!(
                "SELECT parent, child FROM record_parents WHERE child IN ({list}) ORDER BY child, ord"
            ),
            &members,
        )?;
        let superseded: HashMap<i64, i64> = conn
            .query(
                &format!(
                    "SELECT old_record, new_record FROM supersessions WHERE old_record IN ({list})"
                ),
                &members,
            )?
            .iter()
            .map(|r| Ok((r.int(0)?, r.int(1)?)))
            .collect::<std::result::Result<_, DbError>>()?;
        let mut samples: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
        for r in conn.query(
            &format!(
                "SELECT record, sample FROM record_samples WHERE record IN ({list}) ORDER BY record, sample"
            ),
            &members,
        )? {
            samples.entry(r.int(0)?).or_default().push(r.int(1)?);
        }
        // Withdrawal reaches every descendant. A withdrawn ancestor of a member
        // shares a sample with it, so only withdrawals under the members'
        // samples can reach them; walk down from those.
        let roots: BTreeSet<i64> = samples.values().flatten().copied().collect();
        let roots: Vec<Value> = roots.into_iter().map(Value::Int).collect();
        let withdrawn: BTreeSet<i64> = if roots.is_empty() {
            BTreeSet::new()
        } else {
            ids(&conn.query(
                &format!(
                    "WITH RECURSIVE down(id) AS (SELECT w.record FROM withdrawals w \
                     WHERE w.record IN (SELECT rs.record FROM record_samples rs WHERE rs.sample IN ({})) \
                     UNION SELECT p.child FROM record_parents p JOIN down ON p.parent = down.id) \
                     SELECT id FROM down",
                    placeholders(1, roots.len())
                ),
                &roots,
            )?)?
            .into_iter()
            .collect()
        };
        let nodes = records
            .iter()
            .map(|r| -> Result<Node> {
                let record = r.int(0)?;
                Ok(Node {
                    id: format!("record:{record}"),
                    record,
                    kind: kind_from_name(r, 1)?.name(),
                    samples: samples.get(&record).cloned().unwrap_or_default(),
                    commitment: hex32(r.bytes(2)?),
                    registered_by: r.account(4)?,
                    registered: stamp(r.int(5)?, r.int(6)?),
                    status: if withdrawn.contains(&record) {
                        "withdrawn"
                    } else if superseded.contains_key(&record) {
                        "superseded"
                    } else {
                        "active"
                    },
                    superseded_by: superseded.get(&record).copied(),
                    distance: distance[&record],
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let edges = edges
            .iter()
            .map(|r| Ok((r.int(0)?, r.int(1)?)))
            .collect::<std::result::Result<Vec<_>, DbError>>()?
            .into_iter()
            .filter(|(parent, _)| distance.contains_key(parent))
            .map(|(parent, child)| Edge {
                origin: format!("record:{parent}"),
                destination: format!("record:{child}"),
            })
            .collect();
        Ok(Graph {
            focus: id,
            depth,
            nodes,
            edges,
        })
    }

    /// Who holds sample `sample` and speaks for its subject now (`None`: not a sample).
    pub fn subject(&self, sample: i64) -> Result<Option<SubjectView>> {
        let conn = &mut *self.reader()?;
        let now = resolve(conn, AsOf::Head)?.time;
        Ok(sample_facts(conn, sample, NOW)?.map(|f| f.view(now)))
    }

    /// [`Store::subject`] of every sample of a lineage graph, by sample.
    pub fn subjects(&self, graph: &Graph) -> Result<BTreeMap<i64, SubjectView>> {
        let samples: BTreeSet<i64> = graph
            .nodes
            .iter()
            .flat_map(|n| n.samples.iter().copied())
            .collect();
        let mut out = BTreeMap::new();
        for s in samples {
            if let Some(v) = self.subject(s)? {
                out.insert(s, v);
            }
        }
        Ok(out)
    }
}

// -------------------------------------------------------------- grants

/// A grant with its state at the moment asked. Which account issued it
/// (a guardian's per-sample key, or the subject's account) is not shown:
/// `issuer` says which authority, `state` whether it still counts.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct GrantView {
    pub id: i64,
    /// The sample whose subject the grant speaks for.
    pub sample: i64,
    pub grantee: Account,
    /// The record it covers, with all its descendants (for a joint record,
    /// only on behalf of `sample`).
    pub scope: i64,
    /// DUO text form, e.g. `HMB`, `DS:4989+IRB+NCU`.
    pub purpose: String,
    pub expires_at: i64,
    /// `guardian` or `subject`.
    pub issuer: String,
    pub epoch: i64,
    pub issued: Stamp,
    pub revoked: Option<Stamp>,
    pub confirmed: Option<Stamp>,
    /// `active`, `revoked`, `consent_withdrawn`, `issuer_no_longer_guardian`,
    /// `lapsed_at_majority` or `expired`.
    pub state: &'static str,
}

/// A grant row with what its state depends on.
struct GrantRow {
    held: HeldGrant,
    view: GrantView,
    /// The sample as far as this grant is concerned (its issuer's office
    /// stands for the guardian list: `Grant::covers` asks only that).
    sample: SampleContext,
    sample_epoch: u32,
}

/// Grants with revocation, confirmation, the sample's epoch, subject and
/// majority month, whether the issuer still held guardianship, and the
/// issuer's appointments before the grant and by then (its terms, numbered
/// as [`holders`] does), all as of position `$1`.
const GRANT_SELECT: &str =
    "SELECT g.id, g.sample, g.grantee, g.scope, g.purpose, g.expires_at, g.issued_by, \
     g.issuer, g.epoch, g.pos, g.at_ms, r.pos, r.at_ms, c.pos, c.at_ms, \
     (SELECT MAX(w.epoch) FROM consent_withdrawals w WHERE w.sample = g.sample AND w.pos <= $1), \
     (SELECT m.subject FROM subjects m WHERE m.sample = g.sample AND m.pos <= $1), \
     s.majority_year, s.majority_month, \
     (SELECT gc.added FROM guardian_changes gc WHERE gc.sample = g.sample \
      AND gc.guardian = g.issued_by AND gc.pos <= $1 ORDER BY gc.pos DESC LIMIT 1), \
     (SELECT COUNT(*) FROM guardian_changes gc WHERE gc.sample = g.sample \
      AND gc.guardian = g.issued_by AND gc.added = 1 AND gc.pos < g.pos), \
     (SELECT COUNT(*) FROM guardian_changes gc WHERE gc.sample = g.sample \
      AND gc.guardian = g.issued_by AND gc.added = 1 AND gc.pos <= $1) \
     FROM grants g \
     JOIN samples s ON s.id = g.sample \
     LEFT JOIN grant_revocations r ON r.grant_id = g.id AND r.pos <= $1 \
     LEFT JOIN grant_confirmations c ON c.grant_id = g.id AND c.pos <= $1 \
     WHERE g.pos <= $1";

/// The term of an account appointed `appointments` times (0 for none: a subject's grant).
fn term(appointments: i64) -> u32 {
    appointments.saturating_sub(1) as u32
}

fn authority(name: &str) -> Authority {
    if name == "subject" {
        Authority::Subject
    } else {
        Authority::Guardian
    }
}

fn purpose(bytes: &[u8]) -> std::result::Result<Purpose, DbError> {
    Purpose::decode(&mut &bytes[..]).map_err(|e| DbError::Other(format!("stored purpose: {e}")))
}

fn opt_stamp(r: &Row, i: usize) -> std::result::Result<Option<Stamp>, DbError> {
    Ok(match r.opt_int(i)? {
        Some(pos) => Some(stamp(pos, r.int(i + 1)?)),
        None => None,
    })
}

fn grant_row(r: &Row) -> std::result::Result<GrantRow, DbError> {
    let id = r.int(0)?;
    let purpose = purpose(r.bytes(4)?)?;
    let revoked = opt_stamp(r, 11)?;
    let confirmed = opt_stamp(r, 13)?;
    let ink_account = |a: Account| ink::primitives::AccountId::from(a.0);
    let issuer = r.text(7)?.to_owned();
    let issued_by = ink_account(r.account(6)?);
    let sample = r.int(1)?;
    let held = HeldGrant {
        id,
        pos: r.int(9)?,
        grant: consent::Grant {
            sample: sample as u128,
            grantee: ink_account(r.account(2)?),
            scope: r.int(3)? as u128,
            purpose: purpose.clone(),
            expires_at: r.int(5)? as u64,
            issued_by,
            issuer: authority(&issuer),
            issuer_term: term(r.int(20)?),
            issued_at: r.int(10)? as u64,
            epoch: r.int(8)? as u32,
            revoked: revoked.is_some(),
            confirmed: confirmed.is_some(),
        },
    };
    let majority_at = match (r.opt_int(17)?, r.opt_int(18)?) {
        (Some(year), Some(month)) => Some(
            YearMonth {
                year: year as u16,
                month: month as u8,
            }
            .start_millis(),
        ),
        _ => None,
    };
    let in_office = r.opt_int(19)? == Some(1);
    Ok(GrantRow {
        view: GrantView {
            id,
            sample,
            grantee: r.account(2)?,
            scope: r.int(3)?,
            purpose: purpose.to_string(),
            expires_at: r.int(5)?,
            issuer,
            epoch: r.int(8)?,
            issued: stamp(r.int(9)?, r.int(10)?),
            revoked,
            confirmed,
            state: "active",
        },
        held,
        sample: SampleContext {
            sample: sample as u128,
            subject: r.opt_account(16)?.map(ink_account),
            majority_at,
            guardians: if in_office {
                vec![Guardian {
                    key: issued_by,
                    term: term(r.int(21)?),
                }]
            } else {
                Vec::new()
            },
        },
        sample_epoch: r.opt_int(15)?.unwrap_or(0) as u32,
    })
}

impl GrantRow {
    /// The grant with its own state at time `now`, by the contract's rule:
    /// judged for its own scope and purpose, so only revocation, withdrawal
    /// of consent, the issuer leaving office, majority and expiry can fail it.
    fn view_at(&self, now: i64) -> GrantView {
        let g = &self.held.grant;
        let state = match g.covers(
            &self.sample,
            &[g.scope],
            &g.purpose,
            now as u64,
            self.sample_epoch,
        ) {
            Ok(()) | Err(AccessDenied::PurposeNotPermitted) => "active",
            Err(AccessDenied::GrantRevoked) => "revoked",
            Err(AccessDenied::ConsentWithdrawn) => "consent_withdrawn",
            Err(AccessDenied::IssuerNoLongerGuardian) => "issuer_no_longer_guardian",
            Err(AccessDenied::LapsedAtMajority) => "lapsed_at_majority",
            Err(AccessDenied::GrantExpired) => "expired",
            Err(other) => {
                unreachable!("a grant judged on its own scope cannot fail with {other:?}")
            }
        };
        GrantView {
            state,
            ..self.view.clone()
        }
    }
}

/// Which grants a list asks for.
#[derive(Clone, Copy, Debug)]
pub enum GrantsOf {
    /// Issued for a sample's subject.
    Subject(i64),
    Grantee(Account),
    /// Covering a record: scoped to it or to one of its ancestors.
    Record(i64),
}

/// A page of a list: rows with ids above `after`, at most `limit`.
#[derive(Clone, Copy, Debug)]
pub struct Page {
    pub after: i64,
    pub limit: u32,
}

impl Page {
    pub fn new(after: Option<i64>, limit: Option<u32>) -> Result<Page> {
        let limit = limit.unwrap_or(100);
        if limit == 0 || limit > MAX_LIMIT {
            return Err(QueryError::Invalid(format!(
                "limit must be 1 to {MAX_LIMIT}, not {limit}"
            )));
        }
        Ok(Page {
            after: after.unwrap_or(0),
            limit,
        })
    }
}

/// A page of answers, and where the next page starts.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct Listing<T> {
    pub as_of: Moment,
    pub items: Vec<T>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next: Option<i64>,
}

fn listing<T>(as_of: Moment, mut items: Vec<T>, page: Page, id: impl Fn(&T) -> i64) -> Listing<T> {
    let next = if items.len() > page.limit as usize {
        items.truncate(page.limit as usize);
        items.last().map(&id)
    } else {
        None
    };
    Listing { as_of, items, next }
}

impl Store {
    fn require_record(conn: &mut dyn Connection, id: i64) -> Result<()> {
        if conn
            .query("SELECT 1 FROM records WHERE id = $1", &[id.into()])?
            .is_empty()
        {
            return Err(QueryError::NotFound(format!("no record {id}")));
        }
        Ok(())
    }

    /// Grants with their state now.
    pub fn grants(&self, of: GrantsOf, page: Page) -> Result<Listing<GrantView>> {
        let conn = &mut *self.reader()?;
        let now = resolve(conn, AsOf::Head)?;
        let tail = "AND g.id > $3 ORDER BY g.id LIMIT $4";
        let (sql, key): (String, Value) = match of {
            GrantsOf::Subject(s) => {
                Self::require_record(conn, s)?;
                (format!("{GRANT_SELECT} AND g.sample = $2 {tail}"), s.into())
            }
            GrantsOf::Grantee(a) => (
                format!("{GRANT_SELECT} AND g.grantee = $2 {tail}"),
                a.into(),
            ),
            GrantsOf::Record(r) => {
                Self::require_record(conn, r)?;
                (
                    format!(
                        "{} {GRANT_SELECT} AND g.scope IN (SELECT id FROM up) {tail}",
                        ancestors(2)
                    ),
                    r.into(),
                )
            }
        };
        let rows = conn.query(
            &sql,
            &[
                NOW.into(),
                key,
                page.after.into(),
                (i64::from(page.limit) + 1).into(),
            ],
        )?;
        let items = rows
            .iter()
            .map(|r| Ok(grant_row(r)?.view_at(now.time)))
            .collect::<Result<Vec<_>>>()?;
        Ok(listing(now, items, page, |g| g.id))
    }

    /// One grant with its state now.
    pub fn grant(&self, id: i64) -> Result<GrantView> {
        let conn = &mut *self.reader()?;
        let now = resolve(conn, AsOf::Head)?;
        Ok(grant_at(conn, id, NOW)?.view_at(now.time))
    }
}

/// Grant `id` as it stood at position `pos`.
fn grant_at(conn: &mut dyn Connection, id: i64, pos: Pos) -> Result<GrantRow> {
    let rows = conn.query(
        &format!("{GRANT_SELECT} AND g.id = $2"),
        &[pos.into(), id.into()],
    )?;
    Ok(grant_row(rows.first().ok_or_else(|| {
        QueryError::NotFound(format!("no grant {id}"))
    })?)?)
}

// ------------------------------------------------------------ receipts

/// An access a data host recorded.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ReceiptView {
    pub id: i64,
    pub record: i64,
    pub grantee: Account,
    /// DUO text form, e.g. `HMB`, `DS:4989+IRB+NCU`.
    pub purpose: String,
    /// The grants that allowed it: one per sample the record derives from,
    /// in ascending sample order.
    pub grants: Vec<i64>,
    pub data_host: Account,
    pub at: Stamp,
    #[serde(skip)]
    raw_purpose: Purpose,
    #[serde(skip)]
    pos: Pos,
}

/// Which receipts a list asks for.
#[derive(Clone, Copy, Debug)]
pub enum ReceiptsOf {
    Record(i64),
    Grantee(Account),
    /// Receipts naming the grant (among the grants of a joint access).
    Grant(i64),
}

const RECEIPT_SELECT: &str =
    "SELECT x.id, x.record, x.grantee, x.purpose, x.data_host, x.pos, x.at_ms FROM receipts x";

fn receipt_row(r: &Row) -> std::result::Result<ReceiptView, DbError> {
    let raw = purpose(r.bytes(3)?)?;
    Ok(ReceiptView {
        id: r.int(0)?,
        record: r.int(1)?,
        grantee: r.account(2)?,
        purpose: raw.to_string(),
        grants: Vec::new(),
        data_host: r.account(4)?,
        at: stamp(r.int(5)?, r.int(6)?),
        raw_purpose: raw,
        pos: r.int(5)?,
    })
}

/// Fills in each receipt's grants (one query for the page).
fn with_grants(conn: &mut dyn Connection, receipts: &mut [ReceiptView]) -> Result<()> {
    if receipts.is_empty() {
        return Ok(());
    }
    let keys: Vec<Value> = receipts.iter().map(|r| Value::Int(r.id)).collect();
    let mut grants: HashMap<i64, Vec<i64>> = HashMap::new();
    for row in conn.query(
        &format!(
            "SELECT receipt, grant_id FROM receipt_grants WHERE receipt IN ({}) ORDER BY receipt, ord",
            placeholders(1, keys.len())
        ),
        &keys,
    )? {
        grants.entry(row.int(0)?).or_default().push(row.int(1)?);
    }
    for r in receipts {
        r.grants = grants.remove(&r.id).unwrap_or_default();
    }
    Ok(())
}

impl Store {
    /// Access receipts, oldest first.
    pub fn receipts(&self, of: ReceiptsOf, page: Page) -> Result<Listing<ReceiptView>> {
        let conn = &mut *self.reader()?;
        let now = resolve(conn, AsOf::Head)?;
        let (filter, key): (&str, Value) = match of {
            ReceiptsOf::Record(r) => {
                Self::require_record(conn, r)?;
                ("x.record = $1", r.into())
            }
            ReceiptsOf::Grantee(a) => ("x.grantee = $1", a.into()),
            ReceiptsOf::Grant(g) => {
                if conn
                    .query("SELECT 1 FROM grants WHERE id = $1", &[g.into()])?
                    .is_empty()
                {
                    return Err(QueryError::NotFound(format!("no grant {g}")));
                }
                (
                    "x.id IN (SELECT receipt FROM receipt_grants WHERE grant_id = $1)",
                    g.into(),
                )
            }
        };
        // `filter` is one of three constants above.
        let rows = conn.query(
            &format!("{RECEIPT_SELECT} WHERE {filter} AND x.id > $2 ORDER BY x.id LIMIT $3"),
            &[key, page.after.into(), (i64::from(page.limit) + 1).into()],
        )?;
        let mut items = rows
            .iter()
            .map(receipt_row)
            .collect::<std::result::Result<Vec<_>, _>>()?;
        with_grants(conn, &mut items)?;
        Ok(listing(now, items, page, |r| r.id))
    }
}

// ---------------------------------------------------------- time travel

/// `check_access` as the chain would have answered it at a moment.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct AccessAnswer {
    pub as_of: Moment,
    pub record: i64,
    pub grantee: Account,
    /// DUO text form, e.g. `HMB`, `DS:4989+IRB+NCU`.
    pub purpose: String,
    pub allowed: bool,
    /// The samples the record derives from, ascending (each must consent).
    pub samples: Vec<i64>,
    /// What `check_access` returns when allowed: for each sample, the
    /// oldest grant in force (empty when denied).
    pub grants: Vec<i64>,
    /// Why not, in the contract's words (`AccessDenied`): the record's own
    /// state, or the reason of the first sample without a covering grant.
    pub reason: Option<String>,
    /// Every grant in force for (record, grantee, purpose), by sample then age.
    pub in_force: Vec<i64>,
    /// Each grant the contract's index held for each (sample, grantee) pair, with its own answer.
    pub walked: Vec<GrantAnswer>,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct GrantAnswer {
    pub id: i64,
    pub sample: i64,
    pub covers: bool,
    pub reason: Option<String>,
}

/// Whether a recorded access was covered when it happened.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ReceiptAnswer {
    pub receipt: ReceiptView,
    /// Every named grant covered the access at the moment it was recorded,
    /// and together they spoke for every sample the record derives from.
    pub covered: bool,
    /// The first reason it was not.
    pub reason: Option<String>,
    /// Each named grant as it stood just before the access, with its own answer.
    pub grants: Vec<ReceiptGrant>,
    /// `check_access` for the same record, grantee and purpose at that moment.
    pub check: AccessAnswer,
}

#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ReceiptGrant {
    /// The grant as it stood (its fields inline: `id`, `purpose`, `state`, …).
    #[serde(flatten)]
    pub grant: GrantView,
    pub covered: bool,
    pub reason: Option<String>,
}

fn reason(r: AccessDenied) -> String {
    format!("{r:?}")
}

/// A record's access context as of `pos` (with each contributing sample's
/// consent epoch), or `None` if it did not exist then.
fn context_at(
    conn: &mut dyn Connection,
    record: i64,
    pos: Pos,
) -> Result<Option<(AccessContext, Vec<u32>)>> {
    let rows = conn.query(
        &format!(
            "{} SELECT up.id, r.pos, \
             (SELECT COUNT(*) FROM withdrawals w WHERE w.record = up.id AND w.pos <= $2) \
             FROM up JOIN records r ON r.id = up.id",
            ancestors(1)
        ),
        &[record.into(), pos.into()],
    )?;
    let Some(own) = rows.iter().find(|r| r.int(0).ok() == Some(record)) else {
        return Ok(None);
    };
    if own.int(1)? > pos {
        return Ok(None);
    }
    let mut withdrawn = false;
    let mut lineage = Vec::with_capacity(rows.len());
    for r in &rows {
        lineage.push(r.int(0)? as u128);
        withdrawn |= r.int(2)? > 0;
    }
    let superseded = !conn
        .query(
            "SELECT 1 FROM supersessions WHERE old_record = $1 AND pos <= $2",
            &[record.into(), pos.into()],
        )?
        .is_empty();
    let mut samples = Vec::new();
    let mut epochs = Vec::new();
    for s in samples_of(conn, record)? {
        let facts = sample_facts(conn, s, pos)?.ok_or_else(|| {
            DbError::Other(format!("record {record}'s sample {s} is not indexed"))
        })?;
        epochs.push(facts.epoch as u32);
        samples.push(facts.context(s));
    }
    Ok(Some((
        AccessContext {
            samples,
            lineage,
            withdrawn,
            superseded,
        },
        epochs,
    )))
}

fn access_at(
    conn: &mut dyn Connection,
    record: i64,
    grantee: Account,
    asked: &Purpose,
    moment: Moment,
) -> Result<AccessAnswer> {
    let ctx = context_at(conn, record, moment.pos)?;
    let mut per_sample = Vec::new();
    if let Some((ctx, epochs)) = &ctx {
        for (sample, epoch) in ctx.samples.iter().zip(epochs) {
            let rows = conn.query(
                &format!("{GRANT_SELECT} AND g.sample = $2 AND g.grantee = $3 ORDER BY g.id"),
                &[
                    moment.pos.into(),
                    (sample.sample as i64).into(),
                    grantee.into(),
                ],
            )?;
            per_sample.push(PerSample {
                epoch: *epoch,
                grants: rows
                    .iter()
                    .map(|r| grant_row(r).map(|g| g.held))
                    .collect::<std::result::Result<Vec<_>, _>>()?,
            });
        }
    }
    let Verdict {
        allowed,
        denied,
        walked,
    } = judge::check_access(
        ctx.as_ref().map(|(c, _)| c),
        &per_sample,
        asked,
        moment.time as u64,
    );
    Ok(AccessAnswer {
        as_of: moment,
        record,
        grantee,
        purpose: asked.to_string(),
        allowed: allowed.is_some(),
        samples: ctx
            .as_ref()
            .map(|(c, _)| c.samples.iter().map(|s| s.sample as i64).collect())
            .unwrap_or_default(),
        grants: allowed.unwrap_or_default(),
        reason: denied.map(reason),
        in_force: walked
            .iter()
            .filter(|w| w.result.is_ok())
            .map(|w| w.grant)
            .collect(),
        walked: walked
            .into_iter()
            .map(|w| GrantAnswer {
                id: w.grant,
                sample: w.sample,
                covers: w.result.is_ok(),
                reason: w.result.err().map(reason),
            })
            .collect(),
    })
}

impl Store {
    /// Time travel: may `grantee` use `record` for `purpose` at moment `at`,
    /// and under which grants?
    pub fn access(
        &self,
        record: i64,
        grantee: Account,
        purpose: &Purpose,
        at: AsOf,
    ) -> Result<AccessAnswer> {
        let conn = &mut *self.reader()?;
        let moment = resolve(conn, at)?;
        Self::require_record(conn, record)?;
        access_at(conn, record, grantee, purpose, moment)
    }

    /// A receipt, and whether the grants it names covered the access when
    /// it was recorded: each of them, and together every contributing sample.
    pub fn receipt(&self, id: i64) -> Result<ReceiptAnswer> {
        let conn = &mut *self.reader()?;
        let rows = conn.query(&format!("{RECEIPT_SELECT} WHERE x.id = $1"), &[id.into()])?;
        let mut receipt =
            [receipt_row(rows.first().ok_or_else(|| {
                QueryError::NotFound(format!("no receipt {id}"))
            })?)?];
        with_grants(conn, &mut receipt)?;
        let [receipt] = receipt;
        // Just before the receipt's own event: the state `record_access` judged.
        let moment = Moment {
            block: Some(receipt.at.block),
            time: receipt.at.time,
            pos: receipt.pos - 1,
        };
        let ctx = context_at(conn, receipt.record, moment.pos)?;
        let mut first_failure = match &ctx {
            None => Some(AccessDenied::UnknownRecord),
            Some((c, _)) => c.unusable(),
        };
        let mut grants = Vec::new();
        for &g in &receipt.grants {
            let held = grant_at(conn, g, moment.pos)?;
            let verdict = match &ctx {
                None => Err(AccessDenied::UnknownRecord),
                Some((c, epochs)) => match c
                    .samples
                    .iter()
                    .position(|s| s.sample == held.held.grant.sample)
                {
                    None => Err(AccessDenied::OutsideScope),
                    Some(i) => held.held.grant.covers(
                        &c.samples[i],
                        &c.lineage,
                        &receipt.raw_purpose,
                        moment.time as u64,
                        epochs[i],
                    ),
                },
            };
            if let Err(r) = verdict {
                first_failure.get_or_insert(r);
            }
            grants.push(ReceiptGrant {
                grant: held.view_at(moment.time),
                covered: verdict.is_ok(),
                reason: verdict.err().map(reason),
            });
        }
        // Together the grants must speak for every sample the record derives from.
        if let Some((c, _)) = &ctx {
            let spoken: BTreeSet<i64> = grants.iter().map(|g| g.grant.sample).collect();
            if c.samples
                .iter()
                .any(|s| !spoken.contains(&(s.sample as i64)))
            {
                first_failure.get_or_insert(AccessDenied::NoGrant);
            }
        }
        let check = access_at(
            conn,
            receipt.record,
            receipt.grantee,
            &receipt.raw_purpose,
            moment,
        )?;
        Ok(ReceiptAnswer {
            covered: first_failure.is_none(),
            reason: first_failure.map(reason),
            receipt,
            grants,
            check,
        })
    }

    /// What is indexed: the cursor block and its time.
    pub fn status(&self) -> Result<Moment> {
        resolve(&mut *self.reader()?, AsOf::Head)
    }
}

// ------------------------------------------------------------ accounts

/// A sample an account speaks for, as the chain says now: the web app's
/// "samples you act for". Only what the account already implies: a
/// per-sample guardian key or a subject account belongs to its sample on
/// chain for anyone to read; the lookup needs the account.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct ActingFor {
    pub sample: i64,
    /// `guardian` (in office) or `subject`.
    pub role: &'static str,
    /// Whether that role carries authority now: a guardian's ends at the
    /// sample's majority month or when a subject takes over.
    pub authority: bool,
}

impl Store {
    /// The samples `account` is a guardian (in office) or the subject of, ascending.
    pub fn acting_for(&self, account: Account) -> Result<Vec<ActingFor>> {
        let conn = &mut *self.reader()?;
        let now = resolve(conn, AsOf::Head)?;
        let mut out = Vec::new();
        // The samples whose latest guardian change for this account added it.
        let in_office = ids(&conn.query(
            "SELECT g.sample FROM guardian_changes g WHERE g.guardian = $1 AND g.added = 1 \
             AND g.pos = (SELECT MAX(h.pos) FROM guardian_changes h \
                          WHERE h.sample = g.sample AND h.guardian = $1) \
             ORDER BY g.sample",
            &[account.into()],
        )?)?;
        for sample in in_office {
            let Some(facts) = sample_facts(conn, sample, NOW)? else {
                continue;
            };
            out.push(ActingFor {
                sample,
                role: "guardian",
                authority: facts.view(now.time).authority == "guardians",
            });
        }
        let subject_of = ids(&conn.query(
            "SELECT sample FROM subjects WHERE subject = $1 ORDER BY sample",
            &[account.into()],
        )?)?;
        out.extend(subject_of.into_iter().map(|sample| ActingFor {
            sample,
            role: "subject",
            authority: true,
        }));
        out.sort_by_key(|a| a.sample);
        Ok(out)
    }
}

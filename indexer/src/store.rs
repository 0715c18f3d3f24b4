//! The indexer's database: schema, the ingest [`Writer`] (rows and cursor in
//! one transaction), and a pool of readers for the queries
//! ([`crate::queries`]).
//!
//! Every table is append-only: each fact is a row stamped with its position
//! ([`crate::ingest::Pos`]) and time, and nothing is updated in place except
//! the one-row cursor. State "now" and state "as of" any point of history are
//! the same queries with a different position bound.

use crate::db::{Batched, Connection, DbError, Dialect, Pool, Postgres, Row, Sqlite, Value};
use crate::ingest::{Change, Contracts, GuardianChange, Pos};
use crate::source::{Block, BlockRef};
use bionft_primitives::{Authority, RecordKind, Role};
use scale::Encode;

/// Schema version this build writes and reads (2: contracts v2, joint
/// records, receipts naming several grants; no migration from 1, as v2 is a
/// fresh deployment).
const SCHEMA_VERSION: &str = "2";

/// The schema, in the SQL both engines share; `BYTES` is the byte-string type.
///
/// Byte columns are never NULL (PostgreSQL binds a NULL parameter as
/// `BIGINT`): an absent hash is an empty byte string.
const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cursor (id BIGINT PRIMARY KEY, number BIGINT NOT NULL, hash BYTES NOT NULL);
CREATE TABLE IF NOT EXISTS blocks (number BIGINT PRIMARY KEY, hash BYTES NOT NULL,
    parent_hash BYTES NOT NULL, time_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS blocks_by_time ON blocks (time_ms);
CREATE TABLE IF NOT EXISTS records (id BIGINT PRIMARY KEY, kind TEXT NOT NULL,
    commitment BYTES NOT NULL, digest_alg BIGINT NOT NULL, registered_by BYTES NOT NULL,
    pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS records_by_commitment ON records (commitment);
CREATE TABLE IF NOT EXISTS record_samples (record BIGINT NOT NULL, sample BIGINT NOT NULL,
    ord BIGINT NOT NULL, PRIMARY KEY (record, ord));
CREATE INDEX IF NOT EXISTS record_samples_by_sample ON record_samples (sample);
CREATE TABLE IF NOT EXISTS record_parents (child BIGINT NOT NULL, parent BIGINT NOT NULL,
    ord BIGINT NOT NULL, PRIMARY KEY (child, ord));
CREATE INDEX IF NOT EXISTS record_children ON record_parents (parent);
CREATE TABLE IF NOT EXISTS samples (id BIGINT PRIMARY KEY, custodian BYTES NOT NULL,
    majority_year BIGINT, majority_month BIGINT, self_consenting BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS supersessions (old_record BIGINT PRIMARY KEY, new_record BIGINT NOT NULL,
    pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS supersessions_by_new ON supersessions (new_record);
CREATE TABLE IF NOT EXISTS withdrawals (record BIGINT PRIMARY KEY,
    authority TEXT NOT NULL, pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS guardian_changes (pos BIGINT NOT NULL, guardian BYTES NOT NULL,
    sample BIGINT NOT NULL, added BIGINT NOT NULL, how TEXT NOT NULL, reason BYTES NOT NULL,
    at_ms BIGINT NOT NULL, PRIMARY KEY (pos, guardian));
CREATE INDEX IF NOT EXISTS guardian_changes_by_sample ON guardian_changes (sample, guardian);
CREATE TABLE IF NOT EXISTS guardian_nominations (pos BIGINT PRIMARY KEY, sample BIGINT NOT NULL,
    nominee BYTES NOT NULL, at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS claimant_attestations (pos BIGINT PRIMARY KEY, sample BIGINT NOT NULL,
    claimant BYTES NOT NULL, at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS subjects (sample BIGINT PRIMARY KEY, subject BYTES NOT NULL,
    how TEXT NOT NULL, pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS custody_transfers (pos BIGINT PRIMARY KEY, sample BIGINT NOT NULL,
    from_account BYTES NOT NULL, to_account BYTES NOT NULL, at_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS custody_transfers_by_sample ON custody_transfers (sample);
CREATE TABLE IF NOT EXISTS sequencer_assignments (pos BIGINT PRIMARY KEY, sample BIGINT NOT NULL,
    sequencer BYTES NOT NULL, assigned BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS sequencer_assignments_by_sample ON sequencer_assignments (sample);
CREATE TABLE IF NOT EXISTS role_changes (pos BIGINT PRIMARY KEY, account BYTES NOT NULL,
    role TEXT NOT NULL, granted BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS admin_transfers (pos BIGINT PRIMARY KEY, from_account BYTES NOT NULL,
    to_account BYTES NOT NULL);
CREATE TABLE IF NOT EXISTS governance (pos BIGINT PRIMARY KEY, contract TEXT NOT NULL,
    action TEXT NOT NULL, paused BIGINT, code_hash BYTES NOT NULL, account BYTES NOT NULL,
    at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS grants (id BIGINT PRIMARY KEY, sample BIGINT NOT NULL, grantee BYTES NOT NULL,
    scope BIGINT NOT NULL, purpose BYTES NOT NULL, expires_at BIGINT NOT NULL, issued_by BYTES NOT NULL,
    issuer TEXT NOT NULL, epoch BIGINT NOT NULL, pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS grants_by_pair ON grants (sample, grantee);
CREATE INDEX IF NOT EXISTS grants_by_grantee ON grants (grantee);
CREATE INDEX IF NOT EXISTS grants_by_scope ON grants (scope);
CREATE TABLE IF NOT EXISTS grant_revocations (grant_id BIGINT PRIMARY KEY,
    pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS grant_confirmations (grant_id BIGINT PRIMARY KEY,
    pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS consent_withdrawals (sample BIGINT NOT NULL, epoch BIGINT NOT NULL,
    authority TEXT NOT NULL, pos BIGINT NOT NULL, at_ms BIGINT NOT NULL,
    PRIMARY KEY (sample, epoch));
CREATE TABLE IF NOT EXISTS receipts (id BIGINT PRIMARY KEY, record BIGINT NOT NULL,
    grantee BYTES NOT NULL, purpose BYTES NOT NULL, data_host BYTES NOT NULL,
    pos BIGINT NOT NULL, at_ms BIGINT NOT NULL);
CREATE INDEX IF NOT EXISTS receipts_by_record ON receipts (record);
CREATE INDEX IF NOT EXISTS receipts_by_grantee ON receipts (grantee);
CREATE TABLE IF NOT EXISTS receipt_grants (receipt BIGINT NOT NULL, grant_id BIGINT NOT NULL,
    ord BIGINT NOT NULL, PRIMARY KEY (receipt, ord));
CREATE INDEX IF NOT EXISTS receipt_grants_by_grant ON receipt_grants (grant_id);
";

/// Every table with the columns that order it, for [`Store::dump`].
const TABLES: [(&str, &str); 24] = [
    ("meta", "key"),
    ("cursor", "id"),
    ("blocks", "number"),
    ("records", "id"),
    ("record_samples", "record, ord"),
    ("record_parents", "child, ord"),
    ("samples", "id"),
    ("supersessions", "old_record"),
    ("withdrawals", "record"),
    ("guardian_changes", "pos, guardian"),
    ("guardian_nominations", "pos"),
    ("claimant_attestations", "pos"),
    ("subjects", "sample"),
    ("custody_transfers", "pos"),
    ("sequencer_assignments", "pos"),
    ("role_changes", "pos"),
    ("admin_transfers", "pos"),
    ("governance", "pos"),
    ("grants", "id"),
    ("grant_revocations", "grant_id"),
    ("grant_confirmations", "grant_id"),
    ("consent_withdrawals", "sample, epoch"),
    ("receipts", "id"),
    ("receipt_grants", "receipt, ord"),
];

/// Why the store refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("the database was written by schema version {found}; this indexer reads version {SCHEMA_VERSION} (use a fresh database)")]
    SchemaVersion { found: String },
    #[error("the database indexes {key} contract {found}, not {configured}; refusing to mix contracts in one database")]
    OtherContracts {
        key: &'static str,
        found: String,
        configured: String,
    },
    #[error("the database's cursor moved to {found:?} while this indexer expected {expected:?}; is another indexer writing the same database?")]
    CursorMoved {
        expected: Option<u32>,
        found: Option<u32>,
    },
}

/// The indexer's database: a pool of reader connections.
pub struct Store {
    pool: Pool,
}

impl Store {
    /// Opens the database at `url` (a `postgres://` URL, or a SQLite file
    /// path, optionally as `sqlite://path`), creating the schema if needed.
    pub fn open(url: &str) -> Result<Store, StoreError> {
        let open: Box<dyn Fn() -> Result<Box<dyn Connection>, DbError> + Send + Sync> =
            if url.starts_with("postgres://") || url.starts_with("postgresql://") {
                let url = url.to_owned();
                Box::new(move || Ok(Box::new(Postgres::connect(&url)?) as Box<dyn Connection>))
            } else {
                let path = url.strip_prefix("sqlite://").unwrap_or(url).to_owned();
                Box::new(move || Ok(Box::new(Sqlite::open(&path)?) as Box<dyn Connection>))
            };
        let pool = Pool::new(open, 64);
        let mut conn = pool.get()?;
        create_schema(&mut *conn)?;
        drop(conn);
        Ok(Store { pool })
    }

    /// A connection for reads.
    pub fn reader(&self) -> Result<crate::db::Pooled<'_>, DbError> {
        self.pool.get()
    }

    /// The ingest writer for the contracts `contracts` (recorded on first
    /// use; a database of other contracts is refused).
    pub fn writer(&self, contracts: &Contracts) -> Result<Writer, StoreError> {
        let mut conn = self.pool.open()?;
        for (key, account) in [
            ("biosample", contracts.biosample),
            ("consent", contracts.consent),
        ] {
            let configured = account.to_string();
            let rows = conn.query("SELECT value FROM meta WHERE key = $1", &[key.into()])?;
            match rows.first() {
                Some(row) if row.text(0)? != configured => {
                    return Err(StoreError::OtherContracts {
                        key,
                        found: row.text(0)?.to_owned(),
                        configured,
                    })
                }
                Some(_) => {}
                None => {
                    conn.execute(
                        "INSERT INTO meta (key, value) VALUES ($1, $2)",
                        &[key.into(), configured.as_str().into()],
                    )?;
                }
            }
        }
        let cursor = read_cursor(&mut *conn)?;
        Ok(Writer {
            conn,
            cursor,
            written: 0,
            analyze_at: FIRST_ANALYZE,
        })
    }

    /// The last ingested block, if any.
    pub fn cursor(&self) -> Result<Option<BlockRef>, StoreError> {
        read_cursor(&mut *self.reader()?)
    }

    /// Every row of every table in a fixed order, one line per row: two
    /// databases fed the same blocks dump identically.
    pub fn dump(&self) -> Result<String, StoreError> {
        let mut conn = self.reader()?;
        let mut out = String::new();
        for (table, order) in TABLES {
            out.push_str(&format!("# {table} by {order}\n"));
            // Table and column names are constants of this module, never input.
            for row in conn.query(&format!("SELECT * FROM {table} ORDER BY {order}"), &[])? {
                let cells: Vec<String> = row
                    .0
                    .iter()
                    .map(|v| match v {
                        Value::Null => "NULL".to_owned(),
                        Value::Int(i) => i.to_string(),
                        Value::Bytes(b) => format!("0x{}", hex::encode(b)),
                        Value::Text(t) => format!("{t:?}"),
                    })
                    .collect();
                out.push_str(&cells.join("\t"));
                out.push('\n');
            }
        }
        Ok(out)
    }
}

fn create_schema(conn: &mut dyn Connection) -> Result<(), StoreError> {
    // One schema creator at a time: concurrent `CREATE TABLE IF NOT EXISTS`
    // race in PostgreSQL (an indexer and a server started together, or the
    // session of a killed indexer still finishing).
    let (begin, bytes) = match conn.dialect() {
        Dialect::Sqlite => ("BEGIN IMMEDIATE", "BLOB"),
        Dialect::Postgres => ("BEGIN; SELECT pg_advisory_xact_lock(7242031)", "BYTEA"),
    };
    conn.batch(begin)?;
    let result = create_schema_in_transaction(conn, bytes);
    match result {
        Ok(()) => Ok(conn.batch("COMMIT")?),
        Err(e) => {
            let _ = conn.batch("ROLLBACK");
            Err(e)
        }
    }
}

fn create_schema_in_transaction(conn: &mut dyn Connection, bytes: &str) -> Result<(), StoreError> {
    conn.batch(&SCHEMA.replace("BYTES", bytes))?;
    let rows = conn.query(
        "SELECT value FROM meta WHERE key = $1",
        &["schema_version".into()],
    )?;
    match rows.first() {
        Some(row) if row.text(0)? != SCHEMA_VERSION => Err(StoreError::SchemaVersion {
            found: row.text(0)?.to_owned(),
        }),
        Some(_) => Ok(()),
        None => {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ($1, $2)",
                &["schema_version".into(), SCHEMA_VERSION.into()],
            )?;
            Ok(())
        }
    }
}

fn read_cursor(conn: &mut dyn Connection) -> Result<Option<BlockRef>, StoreError> {
    let rows = conn.query("SELECT number, hash FROM cursor WHERE id = 1", &[])?;
    rows.first()
        .map(|row| -> Result<BlockRef, StoreError> {
            Ok(BlockRef {
                number: row.int(0)? as u32,
                hash: row.bytes32(1)?,
            })
        })
        .transpose()
}

/// A block with the rows it adds, ready to be written.
pub struct IngestedBlock {
    pub number: u32,
    pub hash: [u8; 32],
    pub parent_hash: [u8; 32],
    pub timestamp: u64,
    pub changes: Vec<Change>,
}

impl IngestedBlock {
    pub fn new(block: &Block, changes: Vec<Change>) -> IngestedBlock {
        IngestedBlock {
            number: block.number,
            hash: block.hash,
            parent_hash: block.parent_hash,
            timestamp: block.timestamp,
            changes,
        }
    }
}

/// The single writer of a database: applies blocks and moves the cursor.
pub struct Writer {
    conn: Box<dyn Connection>,
    cursor: Option<BlockRef>,
    /// Changes written by this writer, and how many it takes before the next
    /// PostgreSQL `ANALYZE` (see [`Writer::apply`]).
    written: u64,
    analyze_at: u64,
}

/// Changes written before a writer's first `ANALYZE` on PostgreSQL.
const FIRST_ANALYZE: u64 = 10_000;

impl Writer {
    /// The last block this writer (or an earlier run) committed.
    pub fn cursor(&self) -> Option<BlockRef> {
        self.cursor
    }

    /// Writes `blocks` (consecutive, following the cursor) and moves the
    /// cursor to the last of them, all in one transaction: after a crash
    /// either all of them are in the database with the cursor, or none.
    pub fn apply(&mut self, blocks: &[IngestedBlock]) -> Result<(), StoreError> {
        let Some(last) = blocks.last() else {
            return Ok(());
        };
        self.conn.batch(match self.conn.dialect() {
            Dialect::Sqlite => "BEGIN IMMEDIATE",
            Dialect::Postgres => "BEGIN",
        })?;
        let result = self.write(blocks);
        match result {
            Ok(()) => {
                self.conn.batch("COMMIT")?;
                self.cursor = Some(BlockRef {
                    number: last.number,
                    hash: last.hash,
                });
                self.written += blocks.iter().map(|b| b.changes.len() as u64).sum::<u64>();
                self.refresh_statistics()?;
                Ok(())
            }
            Err(e) => {
                // The connection may be broken; the original error is what matters.
                let _ = self.conn.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// PostgreSQL plans queries from table statistics that autovacuum
    /// refreshes only about once a minute: right after a bulk catch-up the
    /// tables look empty, and lookups turn into sequential scans (seconds per
    /// query at a million records). So the writer runs `ANALYZE` itself each
    /// time the changes it has written double, from [`FIRST_ANALYZE`] on: a
    /// handful of times during a catch-up, then rarely.
    fn refresh_statistics(&mut self) -> Result<(), StoreError> {
        if self.conn.dialect() == Dialect::Postgres && self.written >= self.analyze_at {
            self.conn.batch("ANALYZE")?;
            self.analyze_at = self.written.saturating_mul(2);
        }
        Ok(())
    }

    fn write(&mut self, blocks: &[IngestedBlock]) -> Result<(), StoreError> {
        // PostgreSQL pays a round trip per statement; SQLite, in process, is
        // faster with its cached single-row statements (92k against 69k
        // events/s with multi-row inserts).
        if self.conn.dialect() == Dialect::Sqlite {
            return Self::write_rows(&mut *self.conn, self.cursor, blocks);
        }
        let mut batched = Batched::new(&mut *self.conn);
        Self::write_rows(&mut batched, self.cursor, blocks)?;
        Ok(batched.flush()?)
    }

    fn write_rows(
        conn: &mut dyn Connection,
        cursor: Option<BlockRef>,
        blocks: &[IngestedBlock],
    ) -> Result<(), StoreError> {
        // The cursor moves only from where this writer saw it: a second
        // writer on the same database fails here instead of doubling blocks.
        let last = blocks.last().expect("non-empty");
        let moved = match cursor {
            None => conn.execute(
                "INSERT INTO cursor (id, number, hash) VALUES (1, $1, $2)",
                &[i64::from(last.number).into(), last.hash.into()],
            ),
            Some(c) => conn.execute(
                "UPDATE cursor SET number = $1, hash = $2 WHERE id = 1 AND number = $3 AND hash = $4",
                &[
                    i64::from(last.number).into(),
                    last.hash.into(),
                    i64::from(c.number).into(),
                    c.hash.into(),
                ],
            ),
        };
        if !matches!(moved, Ok(1)) {
            return Err(StoreError::CursorMoved {
                expected: cursor.map(|c| c.number),
                found: read_cursor(conn).ok().flatten().map(|c| c.number),
            });
        }
        for block in blocks {
            conn.execute(
                "INSERT INTO blocks (number, hash, parent_hash, time_ms) VALUES ($1, $2, $3, $4)",
                &[
                    i64::from(block.number).into(),
                    block.hash.into(),
                    block.parent_hash.into(),
                    (block.timestamp as i64).into(),
                ],
            )?;
            for change in &block.changes {
                write_change(conn, change)?;
            }
        }
        Ok(())
    }
}

pub(crate) fn authority_name(a: Authority) -> &'static str {
    match a {
        Authority::Guardian => "guardian",
        Authority::Subject => "subject",
    }
}

fn role_name(r: Role) -> &'static str {
    match r {
        Role::Biobank => "biobank",
        Role::Sequencer => "sequencer",
        Role::DataHost => "data_host",
    }
}

#[allow(clippy::too_many_arguments)]
fn insert_record(
    conn: &mut dyn Connection,
    pos: Pos,
    id: i64,
    kind: RecordKind,
    samples: &[i64],
    parents: &[i64],
    commitment: [u8; 32],
    digest_alg: i64,
    registered_by: crate::Account,
    at: i64,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO records (id, kind, commitment, digest_alg, registered_by, pos, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            id.into(),
            kind.name().into(),
            commitment.into(),
            digest_alg.into(),
            registered_by.into(),
            pos.into(),
            at.into(),
        ],
    )?;
    for (ord, sample) in samples.iter().enumerate() {
        conn.execute(
            "INSERT INTO record_samples (record, sample, ord) VALUES ($1, $2, $3)",
            &[id.into(), (*sample).into(), (ord as i64).into()],
        )?;
    }
    for (ord, parent) in parents.iter().enumerate() {
        conn.execute(
            "INSERT INTO record_parents (child, parent, ord) VALUES ($1, $2, $3)",
            &[id.into(), (*parent).into(), (ord as i64).into()],
        )?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn insert_governance(
    conn: &mut dyn Connection,
    pos: Pos,
    contract: &str,
    action: &str,
    paused: Option<bool>,
    code_hash: &[u8],
    account: &[u8],
    at: i64,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO governance (pos, contract, action, paused, code_hash, account, at_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            pos.into(),
            contract.into(),
            action.into(),
            paused.map(i64::from).into(),
            code_hash.to_vec().into(),
            account.to_vec().into(),
            at.into(),
        ],
    )?;
    Ok(())
}

fn write_change(conn: &mut dyn Connection, change: &Change) -> Result<(), DbError> {
    use crate::ingest::{BIOSAMPLE, CONSENT};
    match change {
        Change::Role {
            pos,
            account,
            role,
            granted,
        } => {
            conn.execute(
                "INSERT INTO role_changes (pos, account, role, granted) VALUES ($1, $2, $3, $4)",
                &[
                    (*pos).into(),
                    (*account).into(),
                    role_name(*role).into(),
                    i64::from(*granted).into(),
                ],
            )?;
        }
        Change::Admin { pos, from, to } => {
            conn.execute(
                "INSERT INTO admin_transfers (pos, from_account, to_account) VALUES ($1, $2, $3)",
                &[(*pos).into(), (*from).into(), (*to).into()],
            )?;
        }
        Change::Paused { pos, paused, at } => {
            insert_governance(conn, *pos, BIOSAMPLE, "pause", Some(*paused), &[], &[], *at)?
        }
        Change::CodeUpgraded {
            pos,
            contract,
            code_hash,
            at,
        } => insert_governance(
            conn,
            *pos,
            contract,
            "code_upgraded",
            None,
            code_hash,
            &[],
            *at,
        )?,
        Change::BiosampleWired {
            pos,
            biosample,
            code_hash,
            at,
        } => insert_governance(
            conn,
            *pos,
            CONSENT,
            "biosample_wired",
            None,
            code_hash,
            &biosample.0,
            *at,
        )?,
        Change::Sample {
            pos,
            sample,
            commitment,
            custodian,
            guardians,
            majority,
            subject,
            at,
        } => {
            insert_record(
                conn,
                *pos,
                *sample,
                RecordKind::Sample,
                &[*sample],
                &[],
                *commitment,
                i64::from(bionft_primitives::digest_alg::SAMPLE_IDENTIFIER),
                *custodian,
                *at,
            )?;
            conn.execute(
                "INSERT INTO samples (id, custodian, majority_year, majority_month, self_consenting) \
                 VALUES ($1, $2, $3, $4, $5)",
                &[
                    (*sample).into(),
                    (*custodian).into(),
                    majority.map(|m| i64::from(m.year)).into(),
                    majority.map(|m| i64::from(m.month)).into(),
                    i64::from(subject.is_some()).into(),
                ],
            )?;
            if let Some(subject) = subject {
                insert_subject(conn, *sample, *subject, "self", *pos, *at)?;
            }
            for g in guardians {
                insert_guardian_change(conn, *pos, *g, *sample, GuardianChange::Minted, *at)?;
            }
        }
        Change::Artifact {
            pos,
            record,
            samples,
            kind,
            parents,
            commitment,
            digest_alg,
            registered_by,
            at,
        } => insert_record(
            conn,
            *pos,
            *record,
            *kind,
            samples,
            parents,
            *commitment,
            i64::from(*digest_alg),
            *registered_by,
            *at,
        )?,
        Change::Superseded { pos, old, new, at } => {
            conn.execute(
                "INSERT INTO supersessions (old_record, new_record, pos, at_ms) VALUES ($1, $2, $3, $4)",
                &[(*old).into(), (*new).into(), (*pos).into(), (*at).into()],
            )?;
        }
        Change::Custody {
            pos,
            sample,
            from,
            to,
            at,
        } => {
            conn.execute(
                "INSERT INTO custody_transfers (pos, sample, from_account, to_account, at_ms) VALUES ($1, $2, $3, $4, $5)",
                &[(*pos).into(), (*sample).into(), (*from).into(), (*to).into(), (*at).into()],
            )?;
        }
        Change::Sequencer {
            pos,
            sample,
            sequencer,
            assigned,
            at,
        } => {
            conn.execute(
                "INSERT INTO sequencer_assignments (pos, sample, sequencer, assigned, at_ms) VALUES ($1, $2, $3, $4, $5)",
                &[(*pos).into(), (*sample).into(), (*sequencer).into(), i64::from(*assigned).into(), (*at).into()],
            )?;
        }
        Change::Withdrawn {
            pos,
            record,
            authority,
            at,
        } => {
            conn.execute(
                "INSERT INTO withdrawals (record, authority, pos, at_ms) VALUES ($1, $2, $3, $4)",
                &[
                    (*record).into(),
                    authority_name(*authority).into(),
                    (*pos).into(),
                    (*at).into(),
                ],
            )?;
        }
        Change::Nominated {
            pos,
            sample,
            nominee,
            at,
        } => {
            conn.execute(
                "INSERT INTO guardian_nominations (pos, sample, nominee, at_ms) VALUES ($1, $2, $3, $4)",
                &[(*pos).into(), (*sample).into(), (*nominee).into(), (*at).into()],
            )?;
        }
        Change::Guardian {
            pos,
            sample,
            guardian,
            change,
            at,
        } => insert_guardian_change(conn, *pos, *guardian, *sample, *change, *at)?,
        Change::Attested {
            pos,
            sample,
            claimant,
            at,
        } => {
            conn.execute(
                "INSERT INTO claimant_attestations (pos, sample, claimant, at_ms) VALUES ($1, $2, $3, $4)",
                &[(*pos).into(), (*sample).into(), (*claimant).into(), (*at).into()],
            )?;
        }
        Change::Majority {
            pos,
            sample,
            subject,
            at,
        } => insert_subject(conn, *sample, *subject, "claimed", *pos, *at)?,
        Change::Grant {
            pos,
            grant,
            sample,
            grantee,
            scope,
            purpose,
            expires_at,
            issued_by,
            issuer,
            epoch,
            at,
        } => {
            conn.execute(
                "INSERT INTO grants (id, sample, grantee, scope, purpose, expires_at, issued_by, issuer, epoch, pos, at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                &[
                    (*grant).into(),
                    (*sample).into(),
                    (*grantee).into(),
                    (*scope).into(),
                    purpose.encode().into(),
                    (*expires_at).into(),
                    (*issued_by).into(),
                    authority_name(*issuer).into(),
                    (*epoch).into(),
                    (*pos).into(),
                    (*at).into(),
                ],
            )?;
        }
        Change::Revoked { pos, grant, at } => {
            conn.execute(
                "INSERT INTO grant_revocations (grant_id, pos, at_ms) VALUES ($1, $2, $3)",
                &[(*grant).into(), (*pos).into(), (*at).into()],
            )?;
        }
        Change::Confirmed { pos, grant, at } => {
            conn.execute(
                "INSERT INTO grant_confirmations (grant_id, pos, at_ms) VALUES ($1, $2, $3)",
                &[(*grant).into(), (*pos).into(), (*at).into()],
            )?;
        }
        Change::ConsentWithdrawn {
            pos,
            sample,
            authority,
            epoch,
            at,
        } => {
            conn.execute(
                "INSERT INTO consent_withdrawals (sample, epoch, authority, pos, at_ms) VALUES ($1, $2, $3, $4, $5)",
                &[(*sample).into(), (*epoch).into(), authority_name(*authority).into(), (*pos).into(), (*at).into()],
            )?;
        }
        Change::Access {
            pos,
            receipt,
            record,
            grantee,
            purpose,
            grants,
            data_host,
            at,
        } => {
            conn.execute(
                "INSERT INTO receipts (id, record, grantee, purpose, data_host, pos, at_ms) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
                &[
                    (*receipt).into(),
                    (*record).into(),
                    (*grantee).into(),
                    purpose.encode().into(),
                    (*data_host).into(),
                    (*pos).into(),
                    (*at).into(),
                ],
            )?;
            for (ord, grant) in grants.iter().enumerate() {
                conn.execute(
                    "INSERT INTO receipt_grants (receipt, grant_id, ord) VALUES ($1, $2, $3)",
                    &[(*receipt).into(), (*grant).into(), (ord as i64).into()],
                )?;
            }
        }
    }
    Ok(())
}

fn insert_subject(
    conn: &mut dyn Connection,
    sample: i64,
    subject: crate::Account,
    how: &str,
    pos: Pos,
    at: i64,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO subjects (sample, subject, how, pos, at_ms) VALUES ($1, $2, $3, $4, $5)",
        &[
            sample.into(),
            subject.into(),
            how.into(),
            pos.into(),
            at.into(),
        ],
    )?;
    Ok(())
}

fn insert_guardian_change(
    conn: &mut dyn Connection,
    pos: Pos,
    guardian: crate::Account,
    sample: i64,
    change: GuardianChange,
    at: i64,
) -> Result<(), DbError> {
    conn.execute(
        "INSERT INTO guardian_changes (pos, guardian, sample, added, how, reason, at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        &[
            pos.into(),
            guardian.into(),
            sample.into(),
            i64::from(change.holds()).into(),
            change.name().into(),
            change.reason().map_or_else(Vec::new, |r| r.to_vec()).into(),
            at.into(),
        ],
    )?;
    Ok(())
}

/// Reads a row's column as a record kind name back into the kind.
pub(crate) fn kind_from_name(row: &Row, i: usize) -> Result<RecordKind, DbError> {
    let name = row.text(i)?;
    RecordKind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(|| DbError::Other(format!("unknown record kind `{name}` in the database")))
}

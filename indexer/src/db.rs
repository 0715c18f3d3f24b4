//! The storage seam: one [`Connection`] trait with two backends, SQLite
//! (embedded, one file, the default) and PostgreSQL (selected by a
//! `postgres://` URL).
//!
//! The trait is deliberately narrow (run a statement, run a query, run a
//! script) so that every query of the indexer is written once, in the SQL
//! both engines share, in [`crate::store`]. Statements use `$1`, `$2`, …
//! placeholders and every value is bound, never spliced into SQL text.
//! Integers are 64-bit everywhere (`BIGINT`), byte strings are `BLOB` in
//! SQLite and `BYTEA` in PostgreSQL (the schema's `BYTES`).

use std::collections::HashMap;
use std::sync::Mutex;

/// A value bound to a statement or read from a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// SQL `NULL` (bound as a null `BIGINT`).
    Null,
    Int(i64),
    Bytes(Vec<u8>),
    Text(String),
}

impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Int(v)
    }
}

impl From<Option<i64>> for Value {
    fn from(v: Option<i64>) -> Self {
        v.map_or(Value::Null, Value::Int)
    }
}

impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::Text(v.to_owned())
    }
}

impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}

impl From<[u8; 32]> for Value {
    fn from(v: [u8; 32]) -> Self {
        Value::Bytes(v.to_vec())
    }
}

impl From<crate::Account> for Value {
    fn from(v: crate::Account) -> Self {
        Value::Bytes(v.0.to_vec())
    }
}

/// A database error, with the statement it came from when there is one.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("SQLite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL: {0}")]
    Postgres(#[from] postgres::Error),
    #[error("{0}")]
    Other(String),
}

/// Which SQL engine a connection talks to (for the few statements that differ).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// One connection to the store's database.
pub trait Connection: Send {
    fn dialect(&self) -> Dialect;
    /// Runs one statement; returns the number of rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError>;
    /// Runs one query; returns all its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError>;
    /// Runs statements without parameters (schema, `BEGIN`, `COMMIT`).
    fn batch(&mut self, sql: &str) -> Result<(), DbError>;
}

/// A result row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row(pub Vec<Value>);

impl Row {
    fn col(&self, i: usize) -> Result<&Value, DbError> {
        self.0
            .get(i)
            .ok_or_else(|| DbError::Other(format!("row has no column {i}")))
    }

    fn mismatch(&self, i: usize, want: &str) -> DbError {
        DbError::Other(format!(
            "column {i}: expected {want}, found {:?}",
            self.0[i]
        ))
    }

    pub fn int(&self, i: usize) -> Result<i64, DbError> {
        match self.col(i)? {
            Value::Int(v) => Ok(*v),
            _ => Err(self.mismatch(i, "an integer")),
        }
    }

    pub fn opt_int(&self, i: usize) -> Result<Option<i64>, DbError> {
        match self.col(i)? {
            Value::Null => Ok(None),
            Value::Int(v) => Ok(Some(*v)),
            _ => Err(self.mismatch(i, "an integer or NULL")),
        }
    }

    pub fn bytes(&self, i: usize) -> Result<&[u8], DbError> {
        match self.col(i)? {
            Value::Bytes(v) => Ok(v),
            _ => Err(self.mismatch(i, "bytes")),
        }
    }

    pub fn bytes32(&self, i: usize) -> Result<[u8; 32], DbError> {
        self.bytes(i)?
            .try_into()
            .map_err(|_| self.mismatch(i, "32 bytes"))
    }

    pub fn account(&self, i: usize) -> Result<crate::Account, DbError> {
        self.bytes32(i).map(crate::Account)
    }

    pub fn opt_account(&self, i: usize) -> Result<Option<crate::Account>, DbError> {
        match self.col(i)? {
            Value::Null => Ok(None),
            _ => self.account(i).map(Some),
        }
    }

    pub fn text(&self, i: usize) -> Result<&str, DbError> {
        match self.col(i)? {
            Value::Text(v) => Ok(v),
            _ => Err(self.mismatch(i, "text")),
        }
    }
}

// ------------------------------------------------------------------ SQLite

/// A SQLite connection in WAL mode (readers never wait for the writer).
pub struct Sqlite(rusqlite::Connection);

impl Sqlite {
    /// Opens (creating if needed) the database file at `path`.
    pub fn open(path: &str) -> Result<Sqlite, DbError> {
        let conn = rusqlite::Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(30))?;
        // WAL with synchronous=NORMAL survives any process crash (a commit is
        // in the log before COMMIT returns); only an OS crash may lose the
        // last commits, never half of one.
        conn.execute_batch(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA cache_size = -65536; PRAGMA temp_store = MEMORY;",
        )?;
        conn.set_prepared_statement_cache_capacity(64);
        Ok(Sqlite(conn))
    }
}

/// `$1` → `?1`: SQLite's numbered parameters, bound by index exactly.
fn sqlite_placeholders(sql: &str) -> String {
    sql.replace('$', "?")
}

fn sqlite_params(params: &[Value]) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value as V;
    params
        .iter()
        .map(|p| match p {
            Value::Null => V::Null,
            Value::Int(v) => V::Integer(*v),
            Value::Bytes(v) => V::Blob(v.clone()),
            Value::Text(v) => V::Text(v.clone()),
        })
        .collect()
}

impl Connection for Sqlite {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let mut stmt = self.0.prepare_cached(&sqlite_placeholders(sql))?;
        let n = stmt.execute(rusqlite::params_from_iter(sqlite_params(params)))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.0.prepare_cached(&sqlite_placeholders(sql))?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(sqlite_params(params)))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut values = Vec::with_capacity(width);
            for i in 0..width {
                values.push(match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Int(v),
                    ValueRef::Blob(v) => Value::Bytes(v.to_vec()),
                    ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                    ValueRef::Real(v) => {
                        return Err(DbError::Other(format!("unexpected REAL {v} in column {i}")))
                    }
                });
            }
            out.push(Row(values));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.0.execute_batch(sql)?)
    }
}

// -------------------------------------------------------------- PostgreSQL

/// A PostgreSQL connection with a per-connection prepared-statement cache.
pub struct Postgres {
    /// Always `Some` until dropped.
    client: Option<postgres::Client>,
    statements: HashMap<String, postgres::Statement>,
}

impl Drop for Postgres {
    /// The synchronous client blocks on its own runtime to close; inside an
    /// async context (a follower that stops with an error) that would panic,
    /// so the close happens on a thread of its own there.
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            if tokio::runtime::Handle::try_current().is_ok() {
                std::thread::spawn(move || drop(client));
            }
        }
    }
}

impl Postgres {
    /// Connects to `url` (`postgres://user@host:port/db`, no TLS: loopback or a private network).
    pub fn connect(url: &str) -> Result<Postgres, DbError> {
        Ok(Postgres {
            client: Some(postgres::Client::connect(url, postgres::NoTls)?),
            statements: HashMap::new(),
        })
    }

    fn client(&mut self) -> &mut postgres::Client {
        self.client.as_mut().expect("client lives until drop")
    }

    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, DbError> {
        if let Some(s) = self.statements.get(sql) {
            return Ok(s.clone());
        }
        let s = self.client().prepare(sql)?;
        self.statements.insert(sql.to_owned(), s.clone());
        Ok(s)
    }
}

static NULL_BIGINT: Option<i64> = None;

fn pg_params(params: &[Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    params
        .iter()
        .map(|p| -> &(dyn postgres::types::ToSql + Sync) {
            match p {
                Value::Null => &NULL_BIGINT,
                Value::Int(v) => v,
                Value::Bytes(v) => v,
                Value::Text(v) => v,
            }
        })
        .collect()
}

fn pg_value(row: &postgres::Row, i: usize) -> Result<Value, DbError> {
    use postgres::types::Type;
    let ty = row.columns()[i].type_().clone();
    Ok(if ty == Type::INT8 {
        row.try_get::<_, Option<i64>>(i)?
            .map_or(Value::Null, Value::Int)
    } else if ty == Type::INT4 {
        row.try_get::<_, Option<i32>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if ty == Type::INT2 {
        row.try_get::<_, Option<i16>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if ty == Type::BOOL {
        row.try_get::<_, Option<bool>>(i)?
            .map_or(Value::Null, |v| Value::Int(v.into()))
    } else if ty == Type::BYTEA {
        row.try_get::<_, Option<Vec<u8>>>(i)?
            .map_or(Value::Null, Value::Bytes)
    } else if ty == Type::TEXT || ty == Type::VARCHAR {
        row.try_get::<_, Option<String>>(i)?
            .map_or(Value::Null, Value::Text)
    } else {
        return Err(DbError::Other(format!(
            "column {i} has type {ty}, which the indexer does not read"
        )));
    })
}

impl Connection for Postgres {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        let stmt = self.statement(sql)?;
        Ok(self.client().execute(&stmt, &pg_params(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        let stmt = self.statement(sql)?;
        self.client()
            .query(&stmt, &pg_params(params))?
            .iter()
            .map(|row| {
                (0..row.len())
                    .map(|i| pg_value(row, i))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        Ok(self.client().batch_execute(sql)?)
    }
}

// -------------------------------------------------------------------- pool

type Opener = Box<dyn Fn() -> Result<Box<dyn Connection>, DbError> + Send + Sync>;

/// Reusable connections for concurrent readers: takes an idle one or opens
/// a new one; keeps at most `idle_max` idle.
pub struct Pool {
    idle: Mutex<Vec<Box<dyn Connection>>>,
    open: Opener,
    idle_max: usize,
}

impl Pool {
    pub fn new(open: Opener, idle_max: usize) -> Pool {
        Pool {
            idle: Mutex::new(Vec::new()),
            open,
            idle_max,
        }
    }

    /// A new connection, not from the pool (the ingest writer holds its own).
    pub fn open(&self) -> Result<Box<dyn Connection>, DbError> {
        (self.open)()
    }

    pub fn get(&self) -> Result<Pooled<'_>, DbError> {
        let idle = self.idle.lock().expect("pool lock").pop();
        let conn = match idle {
            Some(c) => c,
            None => (self.open)()?,
        };
        Ok(Pooled {
            pool: self,
            conn: Some(conn),
        })
    }
}

/// A connection borrowed from a [`Pool`]; goes back on drop.
pub struct Pooled<'a> {
    pool: &'a Pool,
    conn: Option<Box<dyn Connection>>,
}

impl std::ops::Deref for Pooled<'_> {
    type Target = dyn Connection;
    fn deref(&self) -> &Self::Target {
        self.conn.as_deref().expect("pooled connection")
    }
}

impl std::ops::DerefMut for Pooled<'_> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        self.conn.as_deref_mut().expect("pooled connection")
    }
}

impl Drop for Pooled<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            let mut idle = self.pool.idle.lock().expect("pool lock");
            if idle.len() < self.pool.idle_max {
                idle.push(conn);
            }
        }
    }
}

/// Rows per multi-row `INSERT` at most; remainders go out in power-of-two
/// pieces, so a table needs at most 10 distinct (cached) statements.
const INSERT_ROWS: usize = 512;

/// A connection that gathers single-row `INSERT`s and sends each table's rows
/// as multi-row `INSERT`s: PostgreSQL then pays one round trip per up to
/// [`INSERT_ROWS`] rows instead of one per row. Any other statement, query or
/// script first sends what is gathered, so reads see every earlier write;
/// [`Batched::flush`] sends the rest. Statements whose `VALUES` are not plain
/// `($1, …, $n)` (a literal, a `RETURNING`) run at once.
pub struct Batched<'c> {
    inner: &'c mut dyn Connection,
    /// Per statement, in order of first use: its placeholders per row and the
    /// gathered rows' values.
    pending: Vec<(String, usize, Vec<Value>)>,
}

impl<'c> Batched<'c> {
    pub fn new(inner: &'c mut dyn Connection) -> Self {
        Batched {
            inner,
            pending: Vec::new(),
        }
    }

    /// Sends every gathered row.
    pub fn flush(&mut self) -> Result<(), DbError> {
        for (template, columns, values) in std::mem::take(&mut self.pending) {
            let mut rest = &values[..];
            while !rest.is_empty() {
                let rows = (rest.len() / columns).min(INSERT_ROWS);
                let rows = 1 << rows.ilog2(); // a power of two: few distinct statements
                let sql = multi_row_insert(&template, columns, rows)
                    .expect("only batchable statements are gathered");
                let (now, later) = rest.split_at(rows * columns);
                self.inner.execute(&sql, now)?;
                rest = later;
            }
        }
        Ok(())
    }
}

impl Connection for Batched<'_> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    fn execute(&mut self, sql: &str, params: &[Value]) -> Result<u64, DbError> {
        // A statement is checked once, when first gathered; later rows just join it.
        if let Some((_, columns, values)) = self.pending.iter_mut().find(|(t, _, _)| t == sql) {
            if params.len() == *columns {
                values.extend_from_slice(params);
                return Ok(1);
            }
        } else if !params.is_empty() && multi_row_insert(sql, params.len(), 1).is_some() {
            self.pending
                .push((sql.to_owned(), params.len(), params.to_vec()));
            return Ok(1);
        }
        self.flush()?;
        self.inner.execute(sql, params)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DbError> {
        self.flush()?;
        self.inner.query(sql, params)
    }

    fn batch(&mut self, sql: &str) -> Result<(), DbError> {
        self.flush()?;
        self.inner.batch(sql)
    }
}

/// `INSERT INTO t (…) VALUES ($1, …, $n)` with `rows` rows of `columns`
/// placeholders each, numbered on; `None` unless `template` is exactly such a
/// single-row insert of `columns` placeholders.
fn multi_row_insert(template: &str, columns: usize, rows: usize) -> Option<String> {
    let (head, tail) = template.split_once(" VALUES ")?;
    let row = |first: usize| {
        let cells: Vec<String> = (first..first + columns).map(|i| format!("${i}")).collect();
        format!("({})", cells.join(", "))
    };
    if !head.starts_with("INSERT INTO ") || tail.trim_end() != row(1) {
        return None;
    }
    let values: Vec<String> = (0..rows).map(|r| row(1 + r * columns)).collect();
    Some(format!("{head} VALUES {}", values.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_row_inserts_become_multi_row_inserts_and_nothing_else_does() {
        let t = "INSERT INTO t (a, b) VALUES ($1, $2)";
        assert_eq!(
            multi_row_insert(t, 2, 3).as_deref(),
            Some("INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4), ($5, $6)")
        );
        assert_eq!(multi_row_insert(t, 3, 1), None, "a wrong column count");
        for other in [
            "INSERT INTO cursor (id, number) VALUES (1, $1)",
            "INSERT INTO t (a) VALUES ($1) RETURNING a",
            "UPDATE t SET a = $1",
        ] {
            assert_eq!(multi_row_insert(other, 1, 2), None, "{other}");
        }
    }

    #[test]
    fn batched_inserts_arrive_in_order_and_before_any_read() {
        let mut conn = Sqlite::open(":memory:").unwrap();
        conn.batch("CREATE TABLE t (a BIGINT, b TEXT); CREATE TABLE u (c BIGINT)")
            .unwrap();
        let mut batched = Batched::new(&mut conn);
        for i in 0..1300i64 {
            let b = Value::from(format!("row {i}").as_str());
            batched
                .execute("INSERT INTO t (a, b) VALUES ($1, $2)", &[i.into(), b])
                .unwrap();
            batched
                .execute("INSERT INTO u (c) VALUES ($1)", &[(-i).into()])
                .unwrap();
        }
        // A read sends everything gathered first.
        let rows = batched
            .query("SELECT COUNT(*), SUM(a) FROM t", &[])
            .unwrap();
        assert_eq!(rows[0].0, [Value::Int(1300), Value::Int(1299 * 1300 / 2)]);
        batched
            .execute("INSERT INTO u (c) VALUES ($1)", &[Value::Null])
            .unwrap();
        batched.flush().unwrap();
        drop(batched);
        let order = conn
            .query("SELECT a, b FROM t ORDER BY rowid", &[])
            .unwrap();
        assert!(order
            .iter()
            .enumerate()
            .all(|(i, r)| r.0 == [Value::Int(i as i64), Value::Text(format!("row {i}"))]));
        let u = conn.query("SELECT COUNT(*), COUNT(c) FROM u", &[]).unwrap();
        assert_eq!(u[0].0, [Value::Int(1301), Value::Int(1300)]);
    }

    #[test]
    fn sqlite_binds_numbered_placeholders_by_number() {
        let dir = tempfile::tempdir().unwrap();
        let mut db = Sqlite::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
        db.batch("CREATE TABLE t (a BIGINT, b BLOB, c TEXT)")
            .unwrap();
        db.execute(
            "INSERT INTO t (c, b, a) VALUES ($3, $2, $1)",
            &[Value::Int(7), Value::Bytes(vec![1, 2]), "x".into()],
        )
        .unwrap();
        let rows = db
            .query(
                "SELECT a, b, c FROM t WHERE c = $2 AND a = $1",
                &[7.into(), "x".into()],
            )
            .unwrap();
        assert_eq!(
            rows,
            vec![Row(vec![
                Value::Int(7),
                Value::Bytes(vec![1, 2]),
                Value::Text("x".into())
            ])]
        );
        // A hostile string is data, not SQL.
        let rows = db
            .query("SELECT a FROM t WHERE c = $1", &["x' OR '1'='1".into()])
            .unwrap();
        assert!(rows.is_empty());
    }
}

//! Test support shared by the indexer's integration tests: one database of
//! each backend per test (a SQLite file; a fresh database on a PostgreSQL
//! server started once per test binary), and a recorded-stream helper.
//!
//! The PostgreSQL server is Debian's (`/usr/lib/postgresql/<v>/bin`), run
//! from a temporary data directory on a free loopback port. As root (CI and
//! dev machines), it runs as the `postgres` user through `setpriv`, since
//! initdb and postgres refuse to run as root. A watchdog stops it and removes
//! the directory when the test process exits, however it exits. When no
//! server can be started, PostgreSQL runs are skipped with the reason printed.
#![allow(dead_code)] // Each test binary uses part of this module.

use indexer::source::{Block, FileSink};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// A database to run a test against.
pub struct TestDb {
    /// `sqlite` or `postgres`, for assertion messages.
    pub backend: &'static str,
    /// What `Store::open` and `--db` take.
    pub url: String,
    /// Keeps a SQLite file's directory alive.
    _dir: Option<tempfile::TempDir>,
}

/// A SQLite database and, when a server is available, a PostgreSQL one.
pub fn databases() -> Vec<TestDb> {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut dbs = vec![TestDb {
        backend: "sqlite",
        url: dir.path().join("index.sqlite").display().to_string(),
        _dir: Some(dir),
    }];
    match postgres_server() {
        Ok(server) => dbs.push(TestDb {
            backend: "postgres",
            url: server.fresh_database(),
            _dir: None,
        }),
        // CI installs and starts PostgreSQL (scripts/setup.sh): there a missing
        // server is a failure, never a silently skipped backend.
        Err(reason) if std::env::var_os("CI").is_some() => {
            panic!("CI is set but no PostgreSQL server could be started: {reason}")
        }
        Err(reason) => eprintln!("SKIPPED PostgreSQL run: {reason}"),
    }
    dbs
}

/// Writes `blocks` as a recorded stream at `path`.
pub fn record(path: &Path, blocks: &[Block]) {
    let mut sink = FileSink::create(path).expect("create stream");
    for b in blocks {
        sink.append(b).expect("append block");
    }
    sink.finish().expect("flush stream");
}

pub struct PgServer {
    port: u16,
    next_db: AtomicU32,
}

impl PgServer {
    /// Creates an empty database and returns its URL.
    pub fn fresh_database(&self) -> String {
        let name = format!("t{}", self.next_db.fetch_add(1, Ordering::SeqCst));
        let mut admin = postgres::Client::connect(&self.url("postgres"), postgres::NoTls)
            .expect("connect to the test server");
        // The name is made here from a counter, never from input.
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create test database");
        self.url(&name)
    }

    fn url(&self, db: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{db}", self.port)
    }
}

/// The test binary's PostgreSQL server, started on first use.
pub fn postgres_server() -> Result<&'static PgServer, String> {
    static SERVER: OnceLock<Result<PgServer, String>> = OnceLock::new();
    SERVER
        .get_or_init(start_postgres)
        .as_ref()
        .map_err(Clone::clone)
}

fn postgres_bin() -> Result<PathBuf, String> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map_err(|e| format!("/usr/lib/postgresql: {e} (install Debian's `postgresql`)"))?
        .filter_map(|e| e.ok().map(|e| e.path().join("bin")))
        .filter(|p| p.join("postgres").exists())
        .collect();
    versions.sort();
    versions
        .pop()
        .ok_or_else(|| "no PostgreSQL server binaries under /usr/lib/postgresql".into())
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// `program args…`, as the `postgres` user when we are root.
fn as_server_user(program: &Path) -> Command {
    if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            "--reuid=postgres",
            "--regid=postgres",
            "--init-groups",
            "--",
        ])
        .arg(program);
        c
    } else {
        Command::new(program)
    }
}

fn start_postgres() -> Result<PgServer, String> {
    let bin = postgres_bin()?;
    let dir = tempfile::Builder::new()
        .prefix("bionft-pg-")
        .tempdir()
        .map_err(|e| e.to_string())?
        .keep();
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres:postgres"])
            .arg(&dir)
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err("cannot hand the data directory to the `postgres` user".into());
        }
    }
    let data = dir.join("data");
    let init = as_server_user(&bin.join("initdb"))
        .arg("-D")
        .arg(&data)
        .args(["-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("initdb: {e}"))?;
    if !init.status.success() {
        return Err(format!(
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr)
        ));
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map_err(|e| e.to_string())?
        .port();
    let server = as_server_user(&bin.join("postgres"))
        .arg("-D")
        .arg(&data)
        .args(["-p", &port.to_string(), "-k"])
        .arg(&dir)
        .args([
            "-c",
            "listen_addresses=127.0.0.1",
            "-c",
            "fsync=off",
            "-c",
            "max_connections=200",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("postgres: {e}"))?;
    // Stop the server and remove its directory once this process is gone.
    let watchdog = format!(
        "while kill -0 {me} 2>/dev/null; do sleep 0.5; done; kill -INT {pg}; \
         while kill -0 {pg} 2>/dev/null; do sleep 0.2; done; rm -rf '{dir}'",
        me = std::process::id(),
        pg = server.id(),
        dir = dir.display()
    );
    Command::new("sh")
        .args(["-c", &watchdog])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("watchdog: {e}"))?;
    let server = PgServer {
        port,
        next_db: AtomicU32::new(0),
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match postgres::Client::connect(&server.url("postgres"), postgres::NoTls) {
            Ok(_) => return Ok(server),
            Err(e) if Instant::now() > deadline => {
                return Err(format!("the server did not accept connections: {e}"))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(100)),
        }
    }
}

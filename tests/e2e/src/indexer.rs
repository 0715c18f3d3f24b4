//! The real `bionft-indexer` binary following a chain, as a child process.

use anyhow::{bail, Context, Result};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// What `bionft-indexer dump --db DB` prints: every row of the database, table by table.
pub fn dump(bin: &Path, db: &Path) -> Result<String> {
    let out = Command::new(bin)
        .args(["dump", "--db"])
        .arg(db)
        .output()
        .with_context(|| format!("running {} dump", bin.display()))?;
    if !out.status.success() {
        bail!(
            "bionft-indexer dump --db {}: {}",
            db.display(),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(String::from_utf8(out.stdout)?)
}

/// A running `bionft-indexer run`, killed when dropped.
pub struct Indexer {
    child: Child,
    pub addr: SocketAddr,
}

impl Indexer {
    /// Starts `bionft-indexer run --deployment … --db …` on a free loopback
    /// port and waits until its API has indexed block `until_block`.
    pub fn start(bin: &Path, deployment: &Path, db: &Path, until_block: u32) -> Result<Indexer> {
        Indexer::start_with(bin, deployment, db, until_block, &[])
    }

    /// The same with more `bionft-indexer run` flags.
    pub fn start_with(
        bin: &Path,
        deployment: &Path,
        db: &Path,
        until_block: u32,
        flags: &[&str],
    ) -> Result<Indexer> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")?
            .local_addr()?
            .port();
        let addr: SocketAddr = ([127, 0, 0, 1], port).into();
        let child = Command::new(bin)
            .args(["run", "--quiet", "--poll-ms", "200", "--deployment"])
            .arg(deployment)
            .arg("--db")
            .arg(db)
            .args(["--listen", &addr.to_string()])
            .args(flags)
            .stdin(Stdio::null())
            .spawn()
            .with_context(|| format!("starting {}", bin.display()))?;
        let mut indexer = Indexer { child, addr };
        indexer.wait_for(until_block)?;
        Ok(indexer)
    }

    /// Waits until the indexer has ingested block `number` (or fails after a minute).
    pub fn wait_for(&mut self, number: u32) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait()? {
                bail!("bionft-indexer exited early: {status}");
            }
            if let Ok(s) = crate::http::get_json(self.addr, "/status") {
                if s["block"].as_u64().is_some_and(|b| b >= u64::from(number)) {
                    return Ok(());
                }
            }
            if Instant::now() > deadline {
                bail!("bionft-indexer did not reach block {number} within a minute");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Indexer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

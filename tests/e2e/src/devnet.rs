//! A local chain for tests and the demo: `scripts/devnet.sh` on a free
//! loopback port, stopped when the handle drops.

use anyhow::{bail, Context, Result};
use std::path::PathBuf;
use std::process::Command;

/// A running devnet.
pub struct Devnet {
    pub port: u16,
    pub endpoint: String,
}

fn script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/devnet.sh")
}

/// A loopback port nobody listens on right now.
fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Devnet {
    /// Starts a fresh chain at genesis (dev spec) and waits until RPC answers.
    /// The chain stops when the handle drops, or once this process has exited
    /// if it was killed before `Drop` ran (scripts/watchdog.sh).
    pub fn start() -> Result<Devnet> {
        Devnet::start_on(free_port()?)
    }

    /// The same on `port`: e.g. a chain restarted where its clients expect it.
    pub fn start_on(port: u16) -> Result<Devnet> {
        Devnet::start_owned_by(port, std::process::id())
    }

    /// The same, stopped once process `owner` has exited.
    pub fn start_owned_by(port: u16, owner: u32) -> Result<Devnet> {
        let out = Command::new(script())
            .args(["start", "--port", &port.to_string()])
            .env("BIONFT_OWNER_PID", owner.to_string())
            .output()
            .context("running scripts/devnet.sh")?;
        if !out.status.success() {
            bail!(
                "scripts/devnet.sh start failed ({}):\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let endpoint = String::from_utf8(out.stdout)?.trim().to_string();
        if !endpoint.starts_with("ws://") {
            bail!("scripts/devnet.sh printed `{endpoint}` instead of an endpoint");
        }
        Ok(Devnet { port, endpoint })
    }
}

impl Devnet {
    /// Moves the chain's clock to `ms` since the Unix epoch (chopsticks'
    /// `dev_timeTravel`) and builds a block there (`dev_newBlock`), so that
    /// contract calls see the new time.
    pub fn time_travel(&self, ms: u64) -> Result<()> {
        let addr = ([127, 0, 0, 1], self.port).into();
        crate::http::rpc_call(addr, "dev_timeTravel", serde_json::json!([ms]))?;
        crate::http::rpc_call(addr, "dev_newBlock", serde_json::json!([]))?;
        Ok(())
    }
}

impl Drop for Devnet {
    fn drop(&mut self) {
        let _ = Command::new(script())
            .args(["stop", "--port", &self.port.to_string()])
            .status();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;
    use std::time::{Duration, Instant};

    #[test]
    fn an_owner_that_is_not_a_process_id_is_refused_before_anything_starts() -> Result<()> {
        let port = free_port()?;
        let out = Command::new(script())
            .args(["start", "--port", &port.to_string()])
            .env("BIONFT_OWNER_PID", "me")
            .output()?;
        assert_eq!(out.status.code(), Some(2));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("BIONFT_OWNER_PID must be a process id, not 'me'"),
            "{said}"
        );
        assert!(out.stdout.is_empty(), "no endpoint");
        let run_dir = script().parent().unwrap().join("../chain-spec/.devnet");
        assert!(
            !run_dir.join(format!("{port}.pid")).exists(),
            "no chain started"
        );
        Ok(())
    }

    /// A test binary killed before its `Drop` ran (a timeout, Ctrl-C) must not
    /// leave its chain running: the watchdog stops it once its owner is gone.
    #[test]
    fn a_chain_stops_once_its_owner_has_exited() -> Result<()> {
        let mut owner = Command::new("sleep").arg("600").spawn()?;
        let port = free_port()?;
        let devnet = Devnet::start_owned_by(port, owner.id())?;
        let answers = || TcpStream::connect(("127.0.0.1", devnet.port)).is_ok();
        assert!(
            answers(),
            "the chain answers on its port while its owner runs"
        );
        std::thread::sleep(Duration::from_secs(3));
        assert!(answers(), "the chain keeps running while its owner runs");
        owner.kill()?;
        // Reaped: a zombie would still count as running.
        owner.wait()?;
        // Stopped through `devnet.sh stop`: the port closed, the pid files removed
        // (the chain's last, once it has exited; the watchdog's, which ran it).
        let run_dir = script().parent().unwrap().join("../chain-spec/.devnet");
        let files =
            [format!("{port}.pid"), format!("{port}.watchdog.pid")].map(|f| run_dir.join(f));
        let deadline = Instant::now() + Duration::from_secs(30);
        while answers() || files.iter().any(|f| f.exists()) {
            assert!(
                Instant::now() < deadline,
                "30 s after its owner exited, the chain on port {port} answers ({}) or its pid files remain",
                answers()
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Ok(())
    }
}

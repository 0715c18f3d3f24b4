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
    pub fn start() -> Result<Devnet> {
        Devnet::start_on(free_port()?)
    }

    /// The same on `port`: e.g. a chain restarted where its clients expect it.
    pub fn start_on(port: u16) -> Result<Devnet> {
        let out = Command::new(script())
            .args(["start", "--port", &port.to_string()])
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

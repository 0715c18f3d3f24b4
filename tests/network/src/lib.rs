//! A consortium network of real `bionft-node` processes for tests:
//! `scripts/network.sh` in a private state directory, driven node by node,
//! with each node's view of the chain read over its own JSON-RPC.

pub mod rpc;

use anyhow::{bail, Context, Result};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The node binary the tests run: `$BIONFT_NODE`, or the debug build of
/// `chain-spec/node` (scripts/test.sh builds it first). Missing is an error,
/// never a skipped test.
pub fn node_binary() -> Result<PathBuf> {
    let bin = std::env::var_os("BIONFT_NODE").map_or_else(
        || repo().join("chain-spec/node/target/debug/bionft-node"),
        PathBuf::from,
    );
    if !bin.is_file() {
        bail!(
            "{} is missing: build it with `cargo build --manifest-path chain-spec/node/Cargo.toml`",
            bin.display()
        );
    }
    Ok(bin)
}

/// Another binary of the main workspace's build (`bionft`, `bionft-indexer`, …).
pub fn workspace_binary(name: &str) -> Result<PathBuf> {
    // Tests run from target/<profile>/deps/; the binaries sit in target/<profile>/.
    let exe = std::env::current_exe()?;
    let deps = exe.parent().context("test binary without a directory")?;
    e2e_tests::sibling_binary(deps, name)
}

/// Writes the secret phrases of biobanks 1..=`members` to a file only this
/// user can read (`governance.mjs` takes keys from a file, never from the
/// command line); returns its path.
pub fn governance_keys(net: &Network, members: u32) -> Result<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let keys = net.dir().join("secrets/governance-keys");
    let phrases: Vec<String> = (1..=members)
        .map(|i| std::fs::read_to_string(net.dir().join(format!("secrets/biobank-{i}.phrase"))))
        .collect::<Result<_, _>>()?;
    std::fs::write(&keys, phrases.concat())?;
    std::fs::set_permissions(&keys, std::fs::Permissions::from_mode(0o600))?;
    Ok(keys)
}

/// Runs `chain-spec/devnet/governance.mjs ENDPOINT CONSORTIUM KEYS ARGS…`
/// against the network's archive node with the biobanks' keys in `keys`
/// (see [`governance_keys`]); prints its output and returns its stdout, or
/// an error if it failed.
pub fn governance(net: &Network, keys: &Path, args: &[&std::ffi::OsStr]) -> Result<String> {
    let out = Command::new("node")
        .arg(repo().join("chain-spec/devnet/governance.mjs"))
        .arg(&net.endpoint)
        .arg(net.dir().join("consortium.json"))
        .arg(keys)
        .args(args)
        .output()
        .context("running node chain-spec/devnet/governance.mjs")?;
    let said = String::from_utf8(out.stdout)?;
    eprintln!("{said}{}", String::from_utf8_lossy(&out.stderr));
    if !out.status.success() {
        bail!("governance.mjs {args:?} failed ({})", out.status);
    }
    Ok(said)
}

/// A running network (validators 1..=N, archive node 0), cleaned up on drop.
pub struct Network {
    dir: PathBuf,
    node: PathBuf,
    /// The process whose exit stops the nodes.
    owner: u32,
    /// The archive node's WebSocket endpoint, for clients and the indexer.
    pub endpoint: String,
}

impl Network {
    /// Creates and starts a network of `validators` biobanks in a fresh state
    /// directory; returns once the archive node has seen a finalized block.
    /// The nodes stop when the handle drops, or once this process has exited
    /// if it was killed before `Drop` ran (scripts/watchdog.sh).
    pub fn start(validators: u32) -> Result<Network> {
        Network::start_owned_by(validators, std::process::id())
    }

    /// The same, with the nodes stopped once process `owner` has exited.
    pub fn start_owned_by(validators: u32, owner: u32) -> Result<Network> {
        static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("bionft-network-{}-{n}", std::process::id()));
        let mut network = Network {
            dir,
            node: node_binary()?,
            owner,
            endpoint: String::new(),
        };
        let out = network.script(&["start", "--validators", &validators.to_string()])?;
        if !out.starts_with("ws://127.0.0.1:") {
            bail!("scripts/network.sh start printed `{out}` instead of an endpoint");
        }
        network.endpoint = out;
        Ok(network)
    }

    /// The state directory (spec, keys, logs).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Runs `scripts/network.sh ARGS` on this network; returns its stdout.
    pub fn script(&self, args: &[&str]) -> Result<String> {
        let out = Command::new(repo().join("scripts/network.sh"))
            .args(args)
            .env("BIONFT_NETWORK_DIR", &self.dir)
            .env("BIONFT_NODE", &self.node)
            .env("BIONFT_OWNER_PID", self.owner.to_string())
            .output()
            .context("running scripts/network.sh")?;
        if !out.status.success() {
            bail!(
                "scripts/network.sh {} failed ({}):\n{}",
                args.join(" "),
                out.status,
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Ok(String::from_utf8(out.stdout)?.trim().to_string())
    }

    /// SIGKILLs node `i`.
    pub fn kill(&self, i: u32) -> Result<()> {
        self.script(&["kill", &i.to_string()]).map(drop)
    }

    /// Starts node `i` again.
    pub fn restart(&self, i: u32) -> Result<()> {
        self.script(&["restart", &i.to_string()]).map(drop)
    }

    /// Deletes node `i`'s chain database and starts it again.
    pub fn wipe(&self, i: u32) -> Result<()> {
        self.script(&["wipe", &i.to_string()]).map(drop)
    }

    /// Node `i`'s RPC address, from the network's layout file.
    pub fn rpc_addr(&self, i: u32) -> Result<std::net::SocketAddr> {
        let nodes = std::fs::read_to_string(self.dir.join("nodes"))?;
        let port = nodes
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
            .find(|f| f.first() == Some(&i.to_string().as_str()))
            .and_then(|f| f.get(2)?.parse::<u16>().ok())
            .with_context(|| format!("no node {i} in {}", self.dir.display()))?;
        Ok(([127, 0, 0, 1], port).into())
    }

    /// Node `i`'s (best, finalized) block numbers.
    pub fn heads(&self, i: u32) -> Result<(u32, u32)> {
        let addr = self.rpc_addr(i)?;
        let best = rpc::header_number(addr, None)?;
        let finalized_hash = rpc::call(addr, "chain_getFinalizedHead", serde_json::json!([]))?;
        let finalized = rpc::header_number(addr, finalized_hash.as_str())?;
        Ok((best, finalized))
    }

    /// Waits up to `timeout` until `done(best, finalized)` holds on node `i`.
    pub fn wait_until(
        &self,
        i: u32,
        timeout: Duration,
        what: &str,
        done: impl Fn(u32, u32) -> bool,
    ) -> Result<(u32, u32)> {
        let deadline = Instant::now() + timeout;
        loop {
            let heads = self.heads(i);
            if let Ok((best, finalized)) = heads {
                if done(best, finalized) {
                    return Ok((best, finalized));
                }
            }
            if Instant::now() > deadline {
                bail!("node {i}: {what} not reached within {timeout:?} (last: {heads:?})");
            }
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Network {
    fn drop(&mut self) {
        // A failing test keeps the nodes' logs to read; a passing one leaves nothing.
        let (cmd, kept) = if std::thread::panicking() {
            ("stop", true)
        } else {
            ("clean", false)
        };
        if let Err(e) = self.script(&[cmd]) {
            eprintln!("network: {cmd} {}: {e:#}", self.dir.display());
        }
        if kept {
            eprintln!(
                "network: state and node logs kept in {}",
                self.dir.display()
            );
        }
    }
}

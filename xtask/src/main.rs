//! The project's own build steps, run as `cargo xtask <task>`.
//!
//! - `contracts`: build every ink! contract under `contracts/` to optimised
//!   MVP wasm plus metadata and bundle in `target/ink/<name>/` (see
//!   [`contracts`]), then print each contract's code size and code hash.

mod contracts;
mod wasm_post;

use anyhow::{bail, Result};
use std::path::PathBuf;

const USAGE: &str = "usage: cargo xtask contracts

Tasks:
  contracts   build every contract under contracts/ into target/ink/<name>/
              (<name>.wasm, <name>.json metadata, <name>.contract bundle)";

fn main() {
    if let Err(e) = run() {
        eprintln!("xtask: error: {e:#}");
        std::process::exit(2);
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["contracts"] => {
            let built = contracts::build_all(&workspace_root())?;
            println!(
                "{:<12} {:>12} {:>10}  code hash",
                "contract", "size (B)", "size (KiB)"
            );
            for b in &built {
                let hash: String = b.code_hash.iter().map(|x| format!("{x:02x}")).collect();
                let flag = if b.size > contracts::SIZE_GOAL {
                    "  (over the 64 KiB limit)"
                } else {
                    ""
                };
                println!(
                    "{:<12} {:>12} {:>10.1}  0x{hash}{flag}",
                    b.name,
                    b.size,
                    b.size as f64 / 1024.0
                );
            }
            for b in &built {
                eprintln!("xtask: wrote {}", b.bundle.display());
            }
            Ok(())
        }
        ["-h"] | ["--help"] | ["help"] => {
            println!("{USAGE}");
            Ok(())
        }
        _ => bail!("{USAGE}"),
    }
}

/// The workspace root: xtask lives in `<root>/xtask`.
fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask is inside the workspace")
        .to_path_buf()
}

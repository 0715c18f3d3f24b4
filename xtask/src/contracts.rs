//! `cargo xtask contracts`: builds every ink! contract under `contracts/` the
//! way cargo-contract would, with the project's own toolchain set-up.
//!
//! For each contract crate (a workspace package with an `ink-as-dependency`
//! feature: the product's under `contracts/`, the benchmark baseline under
//! `tests/contracts/reference-nft`) it:
//! 1. compiles the crate to `wasm32-unknown-unknown` as a `cdylib` with
//!    Debian's `rustc-web` (`-Zbuild-std=core,alloc`, `target-cpu=mvp`,
//!    profile `contract`), because rustup here has no wasm target or rust-src;
//! 2. caps the imported memory, keeps only `call`/`deploy`, drops custom
//!    sections ([`crate::wasm_post::strip`]);
//! 3. runs `wasm-opt -Oz` (binaryen from npm) with sign-extension lowering;
//! 4. checks the result is valid MVP wasm;
//! 5. generates the ink! metadata by running `ink-metadata-gen` natively with
//!    the contract's feature, and writes `target/ink/<name>/<name>.wasm`,
//!    `<name>.json` (metadata without code) and `<name>.contract` (bundle).
//!
//! Outputs are deterministic for the same sources and toolchain; each file is
//! written to a temporary name and renamed, so a failed build leaves the
//! previous outputs intact.

use crate::wasm_post;
use anyhow::{bail, Context, Result};
use blake2::{digest::consts::U32, Blake2b, Digest};
use contract_metadata::{
    CodeHash, Compiler, Contract, ContractMetadata, Language, Source, SourceCompiler,
    SourceLanguage, SourceWasm,
};
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Debian's toolchain that can build `core`/`alloc` for wasm (see scripts/setup.sh).
const WASM_CARGO: &str = "/usr/bin/cargo";
const WASM_RUSTC: &str = "/usr/bin/rustc";
const WASM_LINKER: &str = "wasm-ld-22";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The ink! version pinned in the workspace `Cargo.toml` (`ink = "=5.1.1"`).
const INK_VERSION: &str = "5.1.1";
/// The size the project aims to keep each contract under.
pub const SIZE_GOAL: usize = 64 * 1024;
/// `wasm-opt` flags, recorded in each bundle's build info.
const WASM_OPT_FLAGS: [&str; 5] = [
    "-Oz",
    "--mvp-features",
    "--enable-sign-ext",
    "--signext-lowering",
    "--zero-filled-memory",
];

/// A contract crate found in the workspace.
struct ContractCrate {
    name: String,
    version: String,
    authors: Vec<String>,
    description: Option<String>,
    license: Option<String>,
}

/// What one contract build produced.
pub struct Built {
    pub name: String,
    pub size: usize,
    pub code_hash: [u8; 32],
    pub bundle: PathBuf,
}

/// Builds all contracts; returns what was written, in name order.
pub fn build_all(root: &Path) -> Result<Vec<Built>> {
    let wasm_opt = root.join("tools/node_modules/.bin/wasm-opt");
    for tool in [
        Path::new(WASM_CARGO),
        Path::new(WASM_RUSTC),
        wasm_opt.as_path(),
    ] {
        if !tool.exists() {
            bail!("{} is missing: run scripts/setup.sh first", tool.display());
        }
    }
    let rustc_version = tool_version(Command::new(WASM_RUSTC).arg("--version"))?;
    let contracts = discover(root)?;
    if contracts.is_empty() {
        bail!("no contract crates found in the workspace");
    }
    let target_dir = root.join("target");
    let mut built = Vec::new();
    for c in &contracts {
        eprintln!("xtask: compiling {} to wasm", c.name);
        compile_wasm(root, &c.name)?;
        let linked = target_dir
            .join(WASM_TARGET)
            .join("contract")
            .join(format!("{}.wasm", c.name.replace('-', "_")));
        let linked =
            std::fs::read(&linked).with_context(|| format!("reading {}", linked.display()))?;
        let stripped =
            wasm_post::strip(&linked).with_context(|| format!("post-processing {}", c.name))?;
        let wasm = optimise(&wasm_opt, &stripped, &target_dir.join("ink"), &c.name)?;
        wasm_post::validate_mvp(&wasm).with_context(|| c.name.clone())?;
        eprintln!("xtask: generating metadata for {}", c.name);
        let abi = generate_abi(root, &c.name)?;
        built.push(write_outputs(
            &target_dir.join("ink").join(&c.name),
            c,
            &rustc_version,
            wasm,
            abi,
        )?);
    }
    Ok(built)
}

/// Contract crates: workspace packages with an `ink-as-dependency` feature.
fn discover(root: &Path) -> Result<Vec<ContractCrate>> {
    let out = run(Command::new(cargo_bin()).current_dir(root).args([
        "metadata",
        "--format-version",
        "1",
        "--no-deps",
        "--offline",
    ]))?;
    let meta: Value = serde_json::from_slice(&out).context("parsing cargo metadata")?;
    let mut found: Vec<ContractCrate> = meta["packages"]
        .as_array()
        .context("cargo metadata has no packages")?
        .iter()
        .filter(|p| p["features"].get("ink-as-dependency").is_some())
        .map(|p| ContractCrate {
            name: p["name"].as_str().unwrap_or_default().to_string(),
            version: p["version"].as_str().unwrap_or_default().to_string(),
            authors: p["authors"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|a| a.as_str().map(str::to_string))
                .collect(),
            description: p["description"].as_str().map(str::to_string),
            license: p["license"].as_str().map(str::to_string),
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

fn compile_wasm(root: &Path, name: &str) -> Result<()> {
    let rustflags = [
        &format!("-Clinker={WASM_LINKER}"),
        "-Clinker-plugin-lto",
        "-Clink-arg=-zstack-size=65536",
        "-Clink-arg=--import-memory",
        "-Ctarget-cpu=mvp",
        "-Zunstable-options",
        "-Cpanic=immediate-abort",
    ]
    .join("\x1f");
    let mut cmd = Command::new(WASM_CARGO);
    cmd.current_dir(root)
        .env("RUSTC", WASM_RUSTC)
        .env("RUSTC_BOOTSTRAP", "1")
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags)
        .env_remove("RUSTFLAGS")
        .env_remove("RUSTC_WRAPPER")
        .env_remove("RUSTC_WORKSPACE_WRAPPER")
        .env_remove("RUSTUP_TOOLCHAIN")
        .args([
            "rustc",
            "--quiet",
            "-p",
            name,
            "--lib",
            "--crate-type",
            "cdylib",
        ])
        .args([
            "--profile",
            "contract",
            "--no-default-features",
            "--target",
            WASM_TARGET,
        ])
        .arg("-Zbuild-std=core,alloc");
    let status = cmd
        .status()
        .with_context(|| format!("running {WASM_CARGO}"))?;
    if !status.success() {
        bail!("compiling {name} to wasm failed ({status})");
    }
    Ok(())
}

fn optimise(wasm_opt: &Path, wasm: &[u8], scratch: &Path, name: &str) -> Result<Vec<u8>> {
    std::fs::create_dir_all(scratch)?;
    let input = scratch.join(format!(".{name}.stripped.wasm"));
    let output = scratch.join(format!(".{name}.opt.wasm"));
    std::fs::write(&input, wasm)?;
    run(Command::new(wasm_opt)
        .arg(&input)
        .args(WASM_OPT_FLAGS)
        .arg("-o")
        .arg(&output))?;
    let optimised = std::fs::read(&output)?;
    std::fs::remove_file(&input)?;
    std::fs::remove_file(&output)?;
    Ok(optimised)
}

/// Runs `ink-metadata-gen` with the contract's feature and parses its JSON.
fn generate_abi(root: &Path, name: &str) -> Result<Map<String, Value>> {
    let out = run(Command::new(cargo_bin()).current_dir(root).args([
        "run",
        "--quiet",
        "-p",
        "ink-metadata-gen",
        "--features",
        name,
    ]))
    .with_context(|| {
        format!("generating metadata for {name} (does xtask/metadata-gen have a `{name}` feature?)")
    })?;
    match serde_json::from_slice(&out).context("parsing ink! metadata")? {
        Value::Object(map) => Ok(map),
        _ => bail!("ink! metadata of {name} is not a JSON object"),
    }
}

fn write_outputs(
    dir: &Path,
    c: &ContractCrate,
    rustc_version: &str,
    wasm: Vec<u8>,
    abi: Map<String, Value>,
) -> Result<Built> {
    let code_hash: [u8; 32] = Blake2b::<U32>::digest(&wasm).into();
    let mut contract = Contract::builder();
    contract
        .name(&c.name)
        .version(semver::Version::parse(&c.version)?)
        .authors(c.authors.iter());
    if let Some(d) = &c.description {
        contract.description(d);
    }
    if let Some(l) = &c.license {
        contract.license(l);
    }
    let contract = contract.build().map_err(anyhow::Error::msg)?;
    let build_info = json!({
        "build_tool": "bionft xtask contracts",
        "rustc": rustc_version,
        "build_std": ["core", "alloc"],
        "profile": "contract",
        "wasm_opt": { "package": "binaryen@116", "flags": WASM_OPT_FLAGS },
    });
    let source = Source::new(
        Some(SourceWasm::new(wasm.clone())),
        CodeHash(code_hash),
        SourceLanguage::new(Language::Ink, semver::Version::parse(INK_VERSION)?),
        SourceCompiler::new(Compiler::RustC, rustc_semver(rustc_version)?),
        build_info.as_object().cloned(),
    );
    let mut bundle = ContractMetadata::new(source, contract, None, None, abi);
    std::fs::create_dir_all(dir)?;
    let bundle_path = dir.join(format!("{}.contract", c.name));
    write_atomically(&bundle_path, &serde_json::to_vec(&bundle)?)?;
    bundle.remove_source_wasm_attribute();
    write_atomically(
        &dir.join(format!("{}.json", c.name)),
        &serde_json::to_vec_pretty(&bundle)?,
    )?;
    write_atomically(&dir.join(format!("{}.wasm", c.name)), &wasm)?;
    Ok(Built {
        name: c.name.clone(),
        size: wasm.len(),
        code_hash,
        bundle: bundle_path,
    })
}

fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("renaming to {}", path.display()))?;
    Ok(())
}

/// `rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)` → 1.96.0
fn rustc_semver(version_line: &str) -> Result<semver::Version> {
    let v = version_line
        .split_whitespace()
        .nth(1)
        .context("unexpected rustc --version output")?;
    Ok(semver::Version::parse(v)?)
}

fn tool_version(cmd: &mut Command) -> Result<String> {
    Ok(String::from_utf8(run(cmd)?)?.trim().to_string())
}

/// The cargo that runs xtask (rustup's), for native steps.
fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn run(cmd: &mut Command) -> Result<Vec<u8>> {
    let out = cmd.output().with_context(|| format!("running {cmd:?}"))?;
    if !out.status.success() {
        bail!(
            "{cmd:?} failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    Ok(out.stdout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rustc_version_lines_parse() {
        let v = rustc_semver("rustc 1.96.0 (ac68faa20 2026-05-25) (built from a source tarball)")
            .unwrap();
        assert_eq!(v, semver::Version::new(1, 96, 0));
        assert!(rustc_semver("rustc").is_err());
    }
}

//! Cross-component flows over real JSON-RPC: [`devnet`] starts the local
//! chain (chopsticks serving the committed dev spec), [`story`] runs the
//! BioNFT story against it with the real contracts and real sequencing
//! files, and [`indexer`] runs the real `bionft-indexer` following it,
//! read back through [`http`]. The `bionft-story` binary is the README's main job; the tests in
//! `tests/` run the same story and check what the indexer answers.

pub mod devnet;
pub mod http;
pub mod indexer;
pub mod story;

/// Where `cargo xtask contracts` writes this checkout's contracts (`target/ink`).
pub fn contracts_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ink")
}

/// The contracts built in this checkout, as the story and the tests deploy them.
pub fn built_contracts() -> anyhow::Result<bionft_client::ops::Bundles> {
    bionft_client::ops::Bundles::from_dir(&contracts_dir())
}

/// Deploys this checkout's contracts with the dev chain's cast, as the story
/// and the tests have it: Alice deploys them (their admin), Bob is a biobank,
/// Charlie a sequencer and Dave a data host.
pub async fn deploy_dev_cast(
    chain: bionft_client::chain::Chain,
) -> anyhow::Result<(
    bionft_client::ops::Bionft,
    bionft_client::deployment::Deployment,
)> {
    use bionft_client::chain::account_of;
    use bionft_client::keys::signer;
    use bionft_primitives::Role;
    let [alice, bob, charlie, dave] = ["//Alice", "//Bob", "//Charlie", "//Dave"].map(signer);
    let roles = [
        (account_of(&bob?), Role::Biobank),
        (account_of(&charlie?), Role::Sequencer),
        (account_of(&dave?), Role::DataHost),
    ];
    bionft_client::ops::Bionft::deploy(chain, &alice?, &roles, &built_contracts()?).await
}

/// Another binary of this build, found beside `beside` (e.g. this crate's
/// `bionft-story`) in the target directory: `bionft`, `bionft-seq` or
/// `bionft-indexer`. `cargo test --workspace` builds them for their own
/// crates' tests; `scripts/run.sh` builds them explicitly.
pub fn sibling_binary(beside: &std::path::Path, name: &str) -> anyhow::Result<std::path::PathBuf> {
    let bin = beside.with_file_name(format!("{name}{}", std::env::consts::EXE_SUFFIX));
    anyhow::ensure!(
        bin.exists(),
        "{} is missing: build it with `cargo build --workspace --bins`",
        bin.display()
    );
    Ok(bin)
}

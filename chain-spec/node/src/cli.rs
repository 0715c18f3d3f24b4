//! The command line: run a node (the default), or one of the subcommands a
//! biobank operator needs.

/// What a biobank operator does, shown at the top of `--help` (sc-cli builds
/// the help's about text from `SubstrateCli::description` and sets its own
/// footer, so this goes into the description).
pub const RECIPE: &str = "\
A biobank's validator, once:
  bionft-node key generate-node-key --file node.key
  bionft-node key insert --chain consortium --base-path DIR --key-type aura --scheme sr25519 --suri <aura secret>
  bionft-node key insert --chain consortium --base-path DIR --key-type gran --scheme ed25519 --suri <grandpa secret>
then:
  bionft-node --chain consortium --validator --base-path DIR --node-key-file node.key \\
      --reserved-only --reserved-nodes <the other members' multiaddrs>

--chain takes dev, consortium (the default; both specs are built into this
binary) or a chain spec file; `consortium-spec` makes one from a
consortium.json. Validators serve only the safe RPC methods unless
--rpc-methods says otherwise. See chain-spec/README.md.";

/// The node's command line: `sc-cli`'s run options, or a subcommand.
#[derive(Debug, clap::Parser)]
pub struct Cli {
    #[command(subcommand)]
    pub subcommand: Option<Subcommand>,

    #[command(flatten)]
    pub run: sc_cli::RunCmd,
}

/// The subcommands.
#[derive(Debug, clap::Subcommand)]
pub enum Subcommand {
    /// Keys: generate or inspect keys, generate a node key, insert Aura (`aura`,
    /// sr25519) and GRANDPA (`gran`, ed25519) keys into a node's keystore.
    #[command(subcommand)]
    Key(sc_cli::KeySubcommand),

    /// Print the raw chain spec of a consortium described by a consortium.json
    /// (governance, endowment, biobanks and their keys), running the released
    /// runtime: no runtime rebuild needed.
    ConsortiumSpec(crate::consortium::ConsortiumSpecCmd),

    /// Delete the chain database under --base-path (the keystore stays).
    PurgeChain(sc_cli::PurgeChainCmd),
}

//! What each command does, and how this node describes itself to `sc-cli`.

use sc_cli::{RpcMethods, SubstrateCli};

use crate::{
    chain_spec,
    cli::{Cli, Subcommand},
    runtime_api::Block,
    service,
};

impl SubstrateCli for Cli {
    fn impl_name() -> String {
        "BioNFT Node".into()
    }

    fn impl_version() -> String {
        env!("CARGO_PKG_VERSION").into()
    }

    fn description() -> String {
        format!(
            "{}\n\n{}",
            env!("CARGO_PKG_DESCRIPTION"),
            crate::cli::RECIPE
        )
    }

    fn author() -> String {
        env!("CARGO_PKG_AUTHORS").into()
    }

    fn support_url() -> String {
        "the BioNFT repository's issues (see chain-spec/README.md)".into()
    }

    fn copyright_start_year() -> i32 {
        2026
    }

    fn load_spec(&self, id: &str) -> Result<Box<dyn sc_service::ChainSpec>, String> {
        chain_spec::load(id)
    }
}

/// Parses the command line and runs it.
pub fn run() -> sc_cli::Result<()> {
    let mut cli = Cli::from_args();
    match &cli.subcommand {
        Some(Subcommand::Key(cmd)) => cmd.run(&cli),
        Some(Subcommand::ConsortiumSpec(cmd)) => {
            println!("{}", crate::consortium::raw_spec(cmd)?);
            Ok(())
        }
        Some(Subcommand::PurgeChain(cmd)) => {
            let runner = cli.create_runner(cmd)?;
            runner.sync_run(|config| cmd.run(config.database))
        }
        None => {
            // A validator's RPC is for its own operator: never the unsafe
            // methods (key insertion, …) unless asked for by name.
            if cli.run.validator && cli.run.rpc_params.rpc_methods == RpcMethods::Auto {
                cli.run.rpc_params.rpc_methods = RpcMethods::Safe;
            }
            let runner = cli.create_runner(&cli.run)?;
            runner.run_node_until_exit(|config| async move {
                match config.network.network_backend {
                    sc_network::config::NetworkBackendType::Libp2p => service::new_full::<
                        sc_network::NetworkWorker<
                            Block,
                            <Block as sp_runtime::traits::Block>::Hash,
                        >,
                    >(config),
                    sc_network::config::NetworkBackendType::Litep2p => {
                        service::new_full::<sc_network::Litep2pNetworkBackend>(config)
                    }
                }
                .map_err(sc_cli::Error::Service)
            })
        }
    }
}

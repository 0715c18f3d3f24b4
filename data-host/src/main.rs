//! `bionft-host`: serve files through the consent gate (`serve`), sign a
//! researcher's request for it (`sign`, e.g. for curl), or make the key
//! that signs its GA4GH visas (`visa-key`).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{anyhow, Context, Result};
use bionft_host::config::Config;
use bionft_host::gate::{now_ms, Gate};
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "bionft-host",
    version,
    about = "The data host's gate: htsget that enforces on-chain consent, logs receipts and proves what it served"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the configured files (see data-host/README.md for the config file).
    Serve {
        #[arg(long, value_name = "CONFIG", env = "BIONFT_HOST_CONFIG")]
        config: PathBuf,
    },
    /// Print the headers of a signed request, one `Name: value` a line (for `curl -H`).
    Sign {
        /// The researcher's key: a key file only you can read (chmod 600), or a dev name
        /// such as //Ferdie [default: $BIONFT_KEY, else a prompt]. Never a secret on the command line.
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// Accept a dev name as --key: only for a gate on a development chain.
        #[arg(long)]
        dev: bool,
        /// The data host's account (its /service-info says).
        #[arg(long, value_name = "ACCOUNT")]
        host: String,
        /// The DUO purpose stated (GRU, HMB+IRB, DS:4989).
        #[arg(long)]
        purpose: String,
        #[arg(long, default_value = "GET")]
        method: String,
        /// Path and query exactly as they will be sent, e.g. /reads/nb-bam?format=BAM.
        #[arg(value_name = "TARGET")]
        target: String,
    },
    /// Make a new ES256 key for signing GA4GH visas (PKCS#8, mode 600; the config's `visa_key`).
    VisaKey {
        /// Where to write it; an existing file is never overwritten.
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Cli::parse()).await {
        eprintln!("bionft-host: {e:#}");
        std::process::exit(2);
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve { config } => {
            let config = Config::load(&config)?;
            let gate = Arc::new(Gate::open(&config).await?);
            let listener = tokio::net::TcpListener::bind(config.listen)
                .await
                .with_context(|| format!("listening on {}", config.listen))?;
            eprintln!(
                "bionft-host: serving {} files on {} as 0x{} (public URL {})",
                gate.files().count(),
                config.listen,
                hex::encode(gate.account().0),
                config.public_url()
            );
            axum::serve(listener, bionft_host::server::router(gate))
                .with_graceful_shutdown(async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await?;
            Ok(())
        }
        Command::Sign {
            key,
            dev,
            host,
            purpose,
            method,
            target,
        } => {
            // Offline: no chain to ask whether dev names are welcome, so --dev says so.
            let key = bionft_client::keys::KeyPolicy {
                dev_keys_allowed: dev,
                chain_type: "not checked offline (--dev accepts a dev name)".into(),
            }
            .from_command_line(key.as_deref())?;
            let host = bionft_client::keys::account(&host)?;
            let mut nonce = [0u8; 16];
            getrandom::getrandom(&mut nonce).map_err(|e| anyhow!("OS randomness: {e}"))?;
            let headers = bionft_host::auth::sign(
                &key,
                &host,
                &method,
                &target,
                &purpose,
                now_ms(),
                &hex::encode(nonce),
            );
            for (name, value) in headers {
                println!("{name}: {value}");
            }
            Ok(())
        }
        Command::VisaKey { file } => {
            let key = bionft_host::visa::VisaKey::create(&file)?;
            println!(
                "{}",
                serde_json::json!({ "visa_key": file, "kid": key.kid() })
            );
            Ok(())
        }
    }
}

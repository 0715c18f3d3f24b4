//! `bionft-indexer`: the command-line front of the [`indexer`] crate.

use clap::{Args, Parser, Subcommand};
use indexer::follow::{follow, FollowOptions, Start};
use indexer::health::Health;
use indexer::ingest::Contracts;
use indexer::rpc::RpcSource;
use indexer::source::{FileSink, FileSource};
use indexer::store::Store;
use indexer::{http, synth, Account};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

const EXAMPLES: &str = "\
Examples:
  # Make a synthetic stream of 1M records and 1M grants, index it, then serve:
  bionft-indexer synth --records 1000000 --grants 1000000 --out stream.bin
  bionft-indexer ingest --source stream.bin --db index.sqlite \\
      --biosample 0xb1b1…b1 --consent 0xc0c0…c0      # (synth prints both)
  bionft-indexer serve --db index.sqlite --listen 127.0.0.1:8080
  curl 'http://127.0.0.1:8080/records/9/lineage?depth=8'
  curl 'http://127.0.0.1:8080/access?record=9&grantee=0x…&purpose=HMB&block=120'

  # Follow a live chain (addresses, endpoint and first block from `bionft deploy`'s file) and serve:
  bionft-indexer run --deployment deployment.json --db index.sqlite
  curl http://127.0.0.1:8080/status     # indexed head; source connected, lag, last error

  # Follow a stream another process appends to, serving queries meanwhile, on PostgreSQL:
  bionft-indexer run --source stream.bin --db postgres://indexer@localhost/bionft \\
      --biosample … --consent …

The API is described at /openapi.json. Exit status: 0 done, 2 error.";

/// Indexes the BioNFT contracts' events and answers lineage, consent and
/// access-audit questions over HTTP.
///
/// The indexer reads finalized blocks only, decodes the `biosample` and
/// `consent` contracts' events with the contracts' own types, and stores them
/// in SQLite (one file, the default) or PostgreSQL (a postgres:// URL). Each
/// batch of blocks is committed together with the cursor, so it can be
/// killed at any moment and restarted: it resumes after the last committed
/// block, never applies a block twice, and refuses a chain whose block at the
/// cursor has another hash (a reset node or another fork).
///
/// `run` is meant to be left running: when the node goes away it keeps
/// serving what is indexed, retries with exponential back-off and resumes
/// at the cursor; a node that is behind the index (re-syncing) is waited
/// for; `/status` says which (source connected or not, since when, the last
/// error, the chain's finalized head and the lag).
#[derive(Parser)]
#[command(name = "bionft-indexer", version, after_help = EXAMPLES)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Follow the chain and serve the HTTP API at the same time.
    Run {
        #[command(flatten)]
        ingest: IngestArgs,
        /// Address to serve the API on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Also serve the built web app from this directory at /app/ (`/` redirects
        /// there), with the deployment file at /app/deployment.json.
        #[arg(long)]
        web: Option<PathBuf>,
    },
    /// Ingest up to the finalized head, then exit (or keep going with --follow).
    Ingest {
        #[command(flatten)]
        ingest: IngestArgs,
        /// Keep following new blocks instead of exiting at the head.
        #[arg(long)]
        follow: bool,
    },
    /// Serve the HTTP API from a database another process fills.
    Serve {
        #[command(flatten)]
        db: DbArg,
        /// Address to serve the API on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
    },
    /// Write a synthetic recorded block stream (benchmarks, crash tests).
    ///
    /// Each sample gets a depth-8 lineage (9 records); grants are spread
    /// evenly over the samples, with ~5% revoked and ~10% used (receipts).
    /// The stream names the contracts 0xb1…b1 (biosample) and 0xc0…c0 (consent).
    Synth {
        /// Records in total.
        #[arg(long, default_value_t = 1_000_000)]
        records: u64,
        /// Grants in total.
        #[arg(long, default_value_t = 1_000_000)]
        grants: u64,
        /// Distinct grantees.
        #[arg(long, default_value_t = 10_000)]
        researchers: u64,
        /// Contract events per block.
        #[arg(long, default_value_t = 200)]
        events_per_block: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Where to write the stream.
        #[arg(long)]
        out: PathBuf,
    },
    /// Print every row of the database in a canonical order (compare two databases with diff).
    Dump {
        #[command(flatten)]
        db: DbArg,
    },
}

#[derive(Args)]
struct DbArg {
    /// The database: a SQLite file (created if missing) or a postgres:// URL.
    #[arg(long, default_value = "bionft-index.sqlite")]
    db: String,
}

#[derive(Args)]
struct IngestArgs {
    #[command(flatten)]
    db: DbArg,
    /// Follow a node's finalized blocks over JSON-RPC (ws://…).
    #[arg(long, conflicts_with = "source")]
    rpc: Option<String>,
    /// Read a recorded block stream instead (length-prefixed SCALE blocks, see `synth`).
    #[arg(long)]
    source: Option<PathBuf>,
    /// Take the endpoint (unless --rpc or --source is given) and both contract
    /// addresses from a deployment file written by `bionft deploy`.
    #[arg(long, conflicts_with_all = ["biosample", "consent"])]
    deployment: Option<PathBuf>,
    /// The biosample contract's address (0x-hex or SS58).
    #[arg(long, requires = "consent")]
    biosample: Option<Account>,
    /// The consent contract's address (0x-hex or SS58).
    #[arg(long, requires = "biosample")]
    consent: Option<Account>,
    /// First block to read into an empty database. Default: the deployment
    /// file's `deployed_at_block`, else 1. Refused when it is after the
    /// deployment block (the contracts' earlier events would be missing from
    /// every answer) or above the chain's finalized head.
    #[arg(long)]
    from_block: Option<u32>,
    /// Commit after at most this many blocks …
    #[arg(long, default_value_t = 1_000)]
    batch_blocks: usize,
    /// … or this many contract events.
    #[arg(long, default_value_t = 20_000)]
    batch_events: usize,
    /// How often to ask for a new finalized head while waiting, in ms.
    #[arg(long, default_value_t = 2_000)]
    poll_ms: u64,
    /// Blocks fetched concurrently over RPC during catch-up (1: one at a time).
    #[arg(long, default_value_t = 64)]
    rpc_window: usize,
    /// Longest wait between attempts to reach a node that is away, in s
    /// (waits double from 0.5 s up to this, with jitter).
    #[arg(long, default_value_t = 30)]
    retry_max_secs: u64,
    /// Give up (exit 2) once the node has been away this long, in s.
    /// Default: never for `run` and `ingest --follow`, 60 for `ingest`.
    #[arg(long)]
    give_up_after_secs: Option<u64>,
    /// No progress lines on stderr.
    #[arg(long)]
    quiet: bool,
}

impl IngestArgs {
    fn options(&self, start: Start, exit_at_head: bool) -> FollowOptions {
        let give_up_after = self
            .give_up_after_secs
            .or(exit_at_head.then_some(60))
            .map(Duration::from_secs);
        FollowOptions {
            start,
            batch_blocks: self.batch_blocks.max(1),
            batch_events: self.batch_events.max(1),
            exit_at_head,
            poll: Duration::from_millis(self.poll_ms),
            retry_cap: Duration::from_secs(self.retry_max_secs.max(1)),
            give_up_after,
            progress: !self.quiet,
            ..FollowOptions::default()
        }
    }
}

type Error = Box<dyn std::error::Error + Send + Sync>;

fn open(db: &DbArg) -> Result<Arc<Store>, Error> {
    Store::open(&db.db)
        .map(Arc::new)
        .map_err(|e| format!("{}: {e}", db.db).into())
}

/// Where blocks come from.
enum Origin {
    File(FileSource),
    Rpc(RpcSource),
}

/// Where an empty database starts: `--from-block`, else the deployment
/// block, else block 1. A start after the deployment block is refused.
fn start(from_block: Option<u32>, deployed_at: Option<u32>) -> Result<Start, Error> {
    match (from_block, deployed_at) {
        (Some(from), Some(deployed)) if from > deployed => Err(format!(
            "--from-block {from} is after block {deployed}, where the contracts were deployed: \
             their events in blocks {deployed}–{} would be missing and every answer incomplete; \
             start at or before block {deployed} (or leave --from-block out)",
            from - 1
        )
        .into()),
        (Some(from), _) => Ok(Start::Given(from)),
        (None, Some(deployed)) => Ok(Start::Deployment(deployed)),
        (None, None) => Ok(Start::Deployment(1)),
    }
}

/// The block origin, the contracts to index and the first block, from the
/// flags or a deployment file.
fn origin_and_contracts(args: &IngestArgs) -> Result<(Origin, Contracts, Start), Error> {
    let deployment = args
        .deployment
        .as_deref()
        .map(bionft_client::deployment::Deployment::load)
        .transpose()
        .map_err(|e| format!("{e:#}"))?;
    let contracts = match (&deployment, args.biosample, args.consent) {
        (Some(d), _, _) => Contracts {
            biosample: d.biosample.address.parse()?,
            consent: d.consent.address.parse()?,
        },
        (None, Some(biosample), Some(consent)) => Contracts { biosample, consent },
        _ => return Err("give --deployment, or both --biosample and --consent".into()),
    };
    let origin = match (&args.source, &args.rpc, &deployment) {
        (Some(path), _, _) => Origin::File(FileSource::open(path)?),
        (None, Some(url), _) => Origin::Rpc(RpcSource::new(url, args.rpc_window)),
        (None, None, Some(d)) => Origin::Rpc(RpcSource::new(&d.endpoint, args.rpc_window)),
        (None, None, None) => return Err("give --rpc, --source or --deployment".into()),
    };
    let deployed_at = deployment.as_ref().and_then(|d| d.deployed_at_block);
    if deployment.is_some() && deployed_at.is_none() && args.from_block.is_none() && !args.quiet {
        eprintln!(
            "bionft-indexer: the deployment file (format 1) does not record the deployment block; reading from block 1"
        );
    }
    Ok((origin, contracts, start(args.from_block, deployed_at)?))
}

/// Opens the block origin and the database's writer (synchronous: the
/// database drivers block), then returns the follower's report and the
/// follow loop to run.
fn ingest(
    store: &Store,
    args: &IngestArgs,
    exit_at_head: bool,
) -> Result<
    (
        Arc<Health>,
        impl std::future::Future<Output = Result<(), Error>>,
    ),
    Error,
> {
    let (origin, contracts, start) = origin_and_contracts(args)?;
    let writer = store.writer(&contracts)?;
    if let (Some(from), Some(cursor)) = (args.from_block, writer.cursor()) {
        eprintln!(
            "bionft-indexer: --from-block {from} ignored: the database continues after block {}",
            cursor.number
        );
    }
    let options = args.options(start, exit_at_head);
    let endpoint = match &origin {
        Origin::File(_) => args
            .source
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
        Origin::Rpc(source) => source.endpoint().to_string(),
    };
    let health = Arc::new(Health::new(endpoint, start.block()));
    let report = health.clone();
    Ok((report, async move {
        match origin {
            Origin::File(source) => follow(&source, writer, contracts, &options, &health).await?,
            Origin::Rpc(source) => follow(&source, writer, contracts, &options, &health).await?,
        };
        Ok(())
    }))
}

async fn serve(
    app: http::App,
    listen: SocketAddr,
    web: Option<indexer::web::WebApp>,
) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| format!("listening on {listen}: {e}"))?;
    eprintln!("bionft-indexer: serving on http://{listen} (API: /openapi.json)");
    let router = match web {
        Some(web) => {
            eprintln!("bionft-indexer: the web app is at http://{listen}/app/");
            indexer::web::router(web).merge(http::router(app))
        }
        None => http::router(app),
    };
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The web app to serve from `dir`, with the deployment file `run` follows.
fn web_app(dir: PathBuf, args: &IngestArgs) -> Result<indexer::web::WebApp, Error> {
    if !dir.join("index.html").is_file() {
        return Err(format!(
            "--web {}: no index.html there (build the app with scripts/build-web.sh)",
            dir.display()
        )
        .into());
    }
    let deployment = match &args.deployment {
        Some(path) => {
            let text =
                std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            let value: serde_json::Value =
                serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            Some(Arc::new(value))
        }
        None => None,
    };
    Ok(indexer::web::WebApp { dir, deployment })
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}

/// Opening databases happens outside the async runtime: the drivers block.
fn main_inner(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Run {
            ingest: args,
            listen,
            web,
        } => {
            let web = web.map(|dir| web_app(dir, &args)).transpose()?;
            let store = open(&args.db)?;
            let (health, following) = ingest(&store, &args, false)?;
            // A follower that stops for good leaves the API serving what is
            // indexed; `/status` says why it stopped.
            let following = async {
                if let Err(e) = following.await {
                    eprintln!("bionft-indexer: the follower stopped: {e}; still serving what is indexed (see /status)");
                }
                std::future::pending::<Result<(), Error>>().await
            };
            let app = http::App {
                store,
                source: Some(health),
            };
            runtime().block_on(async {
                tokio::select! {
                    r = following => r,
                    r = serve(app, listen, web) => r,
                }
            })
        }
        Command::Ingest {
            ingest: args,
            follow,
        } => {
            let store = open(&args.db)?;
            let (_, following) = ingest(&store, &args, !follow)?;
            runtime().block_on(following)
        }
        Command::Serve { db, listen } => {
            let store = open(&db)?;
            runtime().block_on(serve(
                http::App {
                    store,
                    source: None,
                },
                listen,
                None,
            ))
        }
        Command::Synth {
            records,
            grants,
            researchers,
            events_per_block,
            seed,
            out,
        } => {
            let mut sink = FileSink::create(&out).map_err(|e| format!("{}: {e}", out.display()))?;
            let events = synth::generate(
                synth::Shape {
                    records,
                    grants,
                    researchers,
                    events_per_block,
                    seed,
                },
                &mut |block| sink.append(&block),
            )?;
            sink.finish()?;
            eprintln!(
                "bionft-indexer: wrote {events} events to {}; contracts: --biosample {} --consent {}",
                out.display(),
                synth::BIOSAMPLE,
                synth::CONSENT
            );
            Ok(())
        }
        Command::Dump { db } => {
            print!("{}", open(&db)?.dump()?);
            Ok(())
        }
    }
}

fn main() -> std::process::ExitCode {
    match main_inner(Cli::parse()) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bionft-indexer: error: {e}");
            std::process::ExitCode::from(2)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_start_is_the_deployment_block_unless_given_and_never_after_it() {
        assert_eq!(start(None, Some(40)).unwrap(), Start::Deployment(40));
        assert_eq!(start(None, None).unwrap(), Start::Deployment(1));
        assert_eq!(start(Some(12), Some(40)).unwrap(), Start::Given(12));
        assert_eq!(start(Some(40), Some(40)).unwrap(), Start::Given(40));
        assert_eq!(start(Some(90), None).unwrap(), Start::Given(90));
        let refused = start(Some(41), Some(40)).unwrap_err().to_string();
        assert!(
            refused.contains("after block 40") && refused.contains("blocks 40–40"),
            "{refused}"
        );
    }
}

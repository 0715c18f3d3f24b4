//! `bionft-story`: deploys the contracts on a running chain and runs the
//! BioNFT story with real files from `../shared/data`, narrating each step;
//! writes the deployment file for the other tools.

use anyhow::Result;
use clap::Parser;
use e2e_tests::story::{self, Inputs};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    about = "Run the BioNFT v2 story on a running chain: a newborn and both parents (self-consenting) sequenced as a trio; per-sample guardian keys; real files' lineage and a joint VCF; grants from all three; access checked and logged."
)]
struct Args {
    /// Node endpoint (start one with scripts/devnet.sh).
    #[arg(long, default_value = "ws://127.0.0.1:9944")]
    endpoint: String,
    /// Where to write the deployment file.
    #[arg(long, default_value = "deployment.json")]
    deployment: PathBuf,
    /// The shared data directory with the real sequencing files.
    #[arg(long)]
    data: Option<PathBuf>,
    /// Print the outcome as JSON on stdout (narration goes to stderr).
    #[arg(long)]
    json: bool,
}

#[tokio::main]
async fn main() {
    if let Err(e) = run(Args::parse()).await {
        eprintln!("bionft-story: {e:#}");
        std::process::exit(2);
    }
}

async fn run(args: Args) -> Result<()> {
    let inputs = args
        .data
        .as_deref()
        .map_or_else(Inputs::default_shared, Inputs::from_shared);
    let json = args.json;
    // The deployment file is written as soon as the contracts exist, so an
    // indexer can start from it and follow the rest of the story live.
    let outcome = story::run_with(
        &args.endpoint,
        &inputs,
        |line| {
            if json {
                eprintln!("{line}");
            } else {
                println!("{line}");
            }
        },
        |deployment| deployment.save(&args.deployment),
    )
    .await?;
    outcome.deployment.save(&args.deployment)?;
    if json {
        println!(
            "{}",
            serde_json::json!({
                "deployment": outcome.deployment,
                "sample": outcome.sample.to_string(), "mother_sample": outcome.mother_sample.to_string(),
                "father_sample": outcome.father_sample.to_string(),
                "aliquot": outcome.aliquot.to_string(), "run": outcome.run.to_string(),
                "reads": outcome.reads.to_string(), "bam": outcome.bam.to_string(), "bam2": outcome.bam2.to_string(),
                "mother_bam": outcome.mother_bam.to_string(), "father_bam": outcome.father_bam.to_string(),
                "vcf": outcome.vcf.to_string(),
                "grants": outcome.grants.iter().map(u128::to_string).collect::<Vec<_>>(),
                "receipt": outcome.receipt,
                "majority": format!("{:04}-{:02}", outcome.majority.year, outcome.majority.month),
            })
        );
    } else {
        println!("wrote {}", args.deployment.display());
    }
    Ok(())
}

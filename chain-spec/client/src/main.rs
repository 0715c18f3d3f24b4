//! `bionft`: the command line for every BioNFT user, over JSON-RPC.
//!
//! Exit codes: 0 done (or access allowed), 1 refused by a contract (or access
//! denied), 2 any other error (bad input, chain unreachable, dispatch failure).

use anyhow::{anyhow, Context, Result};
use bionft_client::chain::{Chain, ContractRefused};
use bionft_client::deployment::Deployment;
use bionft_client::keys::{account, signer};
use bionft_client::ops::Bionft;
use bionft_primitives::claim::keys::commitment_for_secret;
use bionft_primitives::{salted_commitment, Purpose, RecordKind, Role, YearMonth};
use clap::{Args, Parser, Subcommand};
use serde_json::json;
use std::path::PathBuf;
use subxt::utils::AccountId32;

#[derive(Parser)]
#[command(
    name = "bionft",
    version,
    about = "Operate the BioNFT contracts over JSON-RPC: deploy, mint and register, grant and revoke, claim majority, check and log access.",
    long_about = "Operate the BioNFT contracts over JSON-RPC.\n\n\
Keys (--key) are secret URIs (//Alice, a mnemonic, 0x seed) or files containing one. Accounts are SS58 addresses, \
0x-hex public keys or dev names (//Bob). Purposes are DUO terms: GRU, HMB, DS:<disease id>, POA, NRES, with +MODIFIER \
for conditions (e.g. HMB+IRB+NCU).\n\n\
Start a local chain with scripts/devnet.sh, then `bionft deploy --key //Alice` writes deployment.json for the other commands.\n\n\
Exit codes: 0 done / access allowed, 1 refused by a contract / access denied, 2 error."
)]
struct Cli {
    /// Node endpoint.
    #[arg(
        long,
        global = true,
        default_value = "ws://127.0.0.1:9944",
        env = "BIONFT_ENDPOINT"
    )]
    endpoint: String,
    /// Deployment file written by `bionft deploy`.
    #[arg(
        long,
        global = true,
        default_value = "deployment.json",
        env = "BIONFT_DEPLOYMENT"
    )]
    deployment: PathBuf,
    /// Print one JSON object on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Key {
    /// Signing key: secret URI (//Alice) or a file holding one.
    #[arg(long)]
    key: String,
}

/// A record's salted commitment, given or computed here (the identifier never leaves this machine).
#[derive(Args)]
#[group(required = true, multiple = true)]
struct CommitmentArgs {
    /// The commitment itself: 0x + 64 hex.
    #[arg(long, conflicts_with_all = ["identifier_file", "salt_file"])]
    commitment: Option<String>,
    /// File with the identifier (e.g. a sample barcode) to commit to, with --salt-file.
    #[arg(long, requires = "salt_file")]
    identifier_file: Option<PathBuf>,
    /// File with the sample's salt (kept off chain by the biobank and guardians).
    #[arg(long, requires = "identifier_file")]
    salt_file: Option<PathBuf>,
}

impl CommitmentArgs {
    /// The commitment: as given, or `SHA3-256(salt ‖ identifier)`.
    fn resolve(&self) -> Result<[u8; 32]> {
        match (&self.commitment, &self.identifier_file, &self.salt_file) {
            (Some(c), _, _) => parse_commitment(c),
            (None, Some(id), Some(salt)) => {
                let read = |p: &PathBuf| {
                    std::fs::read(p).with_context(|| format!("reading {}", p.display()))
                };
                Ok(salted_commitment(&read(salt)?, &read(id)?))
            }
            _ => Err(anyhow!(
                "give --commitment, or --identifier-file with --salt-file"
            )),
        }
    }
}

#[derive(Subcommand)]
enum Command {
    /// Governance: upload and instantiate both contracts, grant roles, write the deployment file.
    Deploy {
        #[command(flatten)]
        key: Key,
        /// Accounts to give the biobank role.
        #[arg(long = "biobank")]
        biobanks: Vec<String>,
        /// Accounts to give the sequencer role.
        #[arg(long = "sequencer")]
        sequencers: Vec<String>,
        /// Accounts to give the data-host role.
        #[arg(long = "data-host")]
        data_hosts: Vec<String>,
    },
    /// Biobank operations.
    #[command(subcommand)]
    Biobank(BiobankCmd),
    /// Guardian operations (before majority; the same commands serve the grown-up subject after).
    #[command(subcommand)]
    Guardian(GuardianCmd),
    /// The grown-up subject's operations.
    #[command(subcommand)]
    Subject(SubjectCmd),
    /// Data host operations.
    #[command(subcommand)]
    Host(HostCmd),
    /// Read a record or a grant.
    #[command(subcommand)]
    Show(ShowCmd),
}

#[derive(Subcommand)]
enum BiobankCmd {
    /// Mint a newborn sample's token.
    Mint {
        #[command(flatten)]
        key: Key,
        #[command(flatten)]
        commitment: CommitmentArgs,
        /// Guardian accounts (at least one).
        #[arg(long = "guardian", required = true)]
        guardians: Vec<String>,
        /// File with the claim secret handed to the guardians; only its commitment goes on chain.
        #[arg(long)]
        claim_secret_file: PathBuf,
        /// Coarse majority month, YYYY-MM.
        #[arg(long)]
        majority: Option<String>,
    },
    /// Register an aliquot (or library / run) under parent records.
    Register {
        #[command(flatten)]
        key: Key,
        /// aliquot, library, sequencing-run, reads, alignment or variants.
        #[arg(long)]
        kind: String,
        #[arg(long = "parent", required = true)]
        parents: Vec<u128>,
        #[command(flatten)]
        commitment: CommitmentArgs,
        /// Digest algorithm id (0 sample identifier, 1 bionft-c1 content digest).
        #[arg(long, default_value_t = 0)]
        digest_alg: u16,
    },
    /// Hand a sample to another biobank.
    TransferCustody {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        sample: u128,
        #[arg(long)]
        to: String,
    },
}

#[derive(Subcommand)]
enum GuardianCmd {
    /// Grant a researcher purpose-bound, time-limited access to a record and its descendants.
    Grant {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        sample: u128,
        #[arg(long)]
        grantee: String,
        /// The record the grant covers (with all descendants); default: the sample.
        #[arg(long)]
        scope: Option<u128>,
        /// DUO purpose, e.g. HMB, DS:4989+IRB.
        #[arg(long)]
        purpose: String,
        /// Validity in days from the chain's current block time.
        #[arg(long, default_value_t = 365)]
        days: u64,
    },
    /// Revoke a grant.
    Revoke {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        grant: u128,
    },
    /// Withdraw all consent given so far for a sample.
    WithdrawAll {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        sample: u128,
    },
    /// Withdraw a record and all its descendants.
    Withdraw {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        record: u128,
    },
    /// Add a guardian.
    AddGuardian {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        sample: u128,
        #[arg(long)]
        guardian: String,
    },
    /// Remove a guardian (never the last).
    RemoveGuardian {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        sample: u128,
        #[arg(long)]
        guardian: String,
    },
}

#[derive(Subcommand)]
enum SubjectCmd {
    /// Take control of your record with the claim secret your guardians received.
    Claim {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        sample: u128,
        #[arg(long)]
        secret_file: PathBuf,
    },
    /// Keep a grant your guardians issued in force.
    Confirm {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        grant: u128,
    },
}

#[derive(Subcommand)]
enum HostCmd {
    /// May GRANTEE use RECORD for PURPOSE now? Exit 0 if yes, 1 if no.
    Check {
        #[arg(long)]
        grantee: String,
        #[arg(long)]
        record: u128,
        #[arg(long)]
        purpose: String,
    },
    /// Log an access receipt (refused when the grant does not cover it).
    RecordAccess {
        #[command(flatten)]
        key: Key,
        #[arg(long)]
        grant: u128,
        #[arg(long)]
        record: u128,
        #[arg(long)]
        purpose: String,
    },
}

#[derive(Subcommand)]
enum ShowCmd {
    Record { id: u128 },
    Grant { id: u128 },
}

/// What a command prints, and whether it counts as a "no" (exit 1).
struct Outcome {
    text: String,
    json: serde_json::Value,
    denied: bool,
}

impl Outcome {
    fn done(text: impl Into<String>, json: serde_json::Value) -> Outcome {
        Outcome {
            text: text.into(),
            json,
            denied: false,
        }
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    let as_json = cli.json;
    let code = match run(cli).await {
        Ok(out) => {
            if as_json {
                println!("{}", out.json);
            } else {
                println!("{}", out.text);
            }
            i32::from(out.denied)
        }
        Err(e) => {
            let refused = e.downcast_ref::<ContractRefused>().is_some();
            if as_json {
                println!(
                    "{}",
                    json!({ "error": format!("{e:#}"), "refused": refused })
                );
            }
            eprintln!("bionft: {e:#}");
            if refused {
                1
            } else {
                2
            }
        }
    };
    std::process::exit(code);
}

async fn run(cli: Cli) -> Result<Outcome> {
    let chain = Chain::connect(&cli.endpoint).await?;
    if let Command::Deploy {
        key,
        biobanks,
        sequencers,
        data_hosts,
    } = &cli.command
    {
        let admin = signer(&key.key)?;
        let mut roles = Vec::new();
        for (list, role) in [
            (biobanks, Role::Biobank),
            (sequencers, Role::Sequencer),
            (data_hosts, Role::DataHost),
        ] {
            for a in list {
                roles.push((account(a)?, role));
            }
        }
        let (_, deployment) = Bionft::deploy(chain, &admin, &roles).await?;
        deployment.save(&cli.deployment)?;
        return Ok(Outcome::done(
            format!(
                "biosample {}\nconsent   {}\nwrote {}",
                deployment.biosample.address,
                deployment.consent.address,
                cli.deployment.display()
            ),
            serde_json::to_value(&deployment)?,
        ));
    }
    let deployment = Deployment::load(&cli.deployment)?;
    let b = Bionft::open(chain, &deployment).await?;
    match cli.command {
        Command::Deploy { .. } => unreachable!("handled above"),
        Command::Biobank(cmd) => biobank(&b, cmd).await,
        Command::Guardian(cmd) => guardian(&b, cmd).await,
        Command::Subject(cmd) => subject(&b, cmd).await,
        Command::Host(cmd) => host(&b, cmd).await,
        Command::Show(cmd) => show(&b, cmd).await,
    }
}

async fn biobank(b: &Bionft, cmd: BiobankCmd) -> Result<Outcome> {
    match cmd {
        BiobankCmd::Mint {
            key,
            commitment,
            guardians,
            claim_secret_file,
            majority,
        } => {
            let secret = std::fs::read(&claim_secret_file)
                .with_context(|| format!("reading {}", claim_secret_file.display()))?;
            let guardians = guardians
                .iter()
                .map(|g| account(g))
                .collect::<Result<Vec<_>>>()?;
            let majority = majority.as_deref().map(parse_month).transpose()?;
            let id = b
                .mint_sample(
                    &signer(&key.key)?,
                    commitment.resolve()?,
                    &guardians,
                    commitment_for_secret(&secret)
                        .map_err(|e| anyhow!("deriving the claim key: {e}"))?,
                    majority,
                )
                .await?;
            Ok(Outcome::done(
                format!("minted sample {id}"),
                json!({ "sample": id.to_string() }),
            ))
        }
        BiobankCmd::Register {
            key,
            kind,
            parents,
            commitment,
            digest_alg,
        } => {
            let id = b
                .register_artifact(
                    &signer(&key.key)?,
                    parse_kind(&kind)?,
                    &parents,
                    commitment.resolve()?,
                    digest_alg,
                )
                .await?;
            Ok(Outcome::done(
                format!("registered record {id}"),
                json!({ "record": id.to_string() }),
            ))
        }
        BiobankCmd::TransferCustody { key, sample, to } => {
            b.transfer_custody(&signer(&key.key)?, sample, &account(&to)?)
                .await?;
            Ok(Outcome::done(
                format!("sample {sample} is now in {to}'s custody"),
                json!({ "sample": sample.to_string(), "custodian": to }),
            ))
        }
    }
}

async fn guardian(b: &Bionft, cmd: GuardianCmd) -> Result<Outcome> {
    match cmd {
        GuardianCmd::Grant {
            key,
            sample,
            grantee,
            scope,
            purpose,
            days,
        } => {
            let purpose = parse_purpose(&purpose)?;
            let expires = b.chain.now_millis().await? + days * 86_400_000;
            let id = b
                .grant(
                    &signer(&key.key)?,
                    sample,
                    &account(&grantee)?,
                    scope.unwrap_or(sample),
                    purpose.clone(),
                    expires,
                )
                .await?;
            Ok(Outcome::done(
                format!(
                    "grant {id}: {grantee} may use record {} for {purpose} until {expires} ms",
                    scope.unwrap_or(sample)
                ),
                json!({ "grant": id.to_string(), "expires_at": expires }),
            ))
        }
        GuardianCmd::Revoke { key, grant } => {
            b.revoke(&signer(&key.key)?, grant).await?;
            Ok(Outcome::done(
                format!("grant {grant} revoked"),
                json!({ "revoked": grant.to_string() }),
            ))
        }
        GuardianCmd::WithdrawAll { key, sample } => {
            b.withdraw_all(&signer(&key.key)?, sample).await?;
            Ok(Outcome::done(
                format!("all consent for sample {sample} withdrawn"),
                json!({ "sample": sample.to_string() }),
            ))
        }
        GuardianCmd::Withdraw { key, record } => {
            b.withdraw(&signer(&key.key)?, record).await?;
            Ok(Outcome::done(
                format!("record {record} and its descendants withdrawn"),
                json!({ "withdrawn": record.to_string() }),
            ))
        }
        GuardianCmd::AddGuardian {
            key,
            sample,
            guardian,
        } => {
            b.add_guardian(&signer(&key.key)?, sample, &account(&guardian)?)
                .await?;
            Ok(Outcome::done(
                format!("{guardian} is now a guardian of sample {sample}"),
                json!({ "sample": sample.to_string(), "added": guardian }),
            ))
        }
        GuardianCmd::RemoveGuardian {
            key,
            sample,
            guardian,
        } => {
            b.remove_guardian(&signer(&key.key)?, sample, &account(&guardian)?)
                .await?;
            Ok(Outcome::done(
                format!("{guardian} is no longer a guardian of sample {sample}"),
                json!({ "sample": sample.to_string(), "removed": guardian }),
            ))
        }
    }
}

async fn subject(b: &Bionft, cmd: SubjectCmd) -> Result<Outcome> {
    match cmd {
        SubjectCmd::Claim {
            key,
            sample,
            secret_file,
        } => {
            let secret = std::fs::read(&secret_file)
                .with_context(|| format!("reading {}", secret_file.display()))?;
            b.claim_majority(&signer(&key.key)?, sample, &secret)
                .await?;
            Ok(Outcome::done(
                format!("majority claimed for sample {sample}"),
                json!({ "sample": sample.to_string() }),
            ))
        }
        SubjectCmd::Confirm { key, grant } => {
            b.confirm(&signer(&key.key)?, grant).await?;
            Ok(Outcome::done(
                format!("grant {grant} confirmed"),
                json!({ "confirmed": grant.to_string() }),
            ))
        }
    }
}

async fn host(b: &Bionft, cmd: HostCmd) -> Result<Outcome> {
    match cmd {
        HostCmd::Check {
            grantee,
            record,
            purpose,
        } => {
            let purpose = parse_purpose(&purpose)?;
            Ok(
                match b
                    .check_access(&account(&grantee)?, record, &purpose)
                    .await?
                {
                    Ok(grant) => Outcome::done(
                        format!("allowed under grant {grant}"),
                        json!({ "allowed": true, "grant": grant.to_string() }),
                    ),
                    Err(reason) => Outcome {
                        text: format!("denied: {reason:?}"),
                        json: json!({ "allowed": false, "reason": format!("{reason:?}") }),
                        denied: true,
                    },
                },
            )
        }
        HostCmd::RecordAccess {
            key,
            grant,
            record,
            purpose,
        } => {
            let receipt = b
                .record_access(&signer(&key.key)?, grant, record, parse_purpose(&purpose)?)
                .await?;
            Ok(Outcome::done(
                format!("receipt {receipt}"),
                json!({ "receipt": receipt }),
            ))
        }
    }
}

async fn show(b: &Bionft, cmd: ShowCmd) -> Result<Outcome> {
    match cmd {
        ShowCmd::Record { id } => {
            let r = b
                .get_record(id)
                .await?
                .ok_or_else(|| anyhow!("no record {id}"))?;
            let parents: Vec<String> = r.record.parents.iter().map(u128::to_string).collect();
            Ok(Outcome::done(
                format!(
                    "record {id}: {:?}, {:?}, sample {}, parents {parents:?}",
                    r.record.kind, r.status, r.record.sample
                ),
                json!({
                    "id": id.to_string(), "kind": format!("{:?}", r.record.kind), "status": format!("{:?}", r.status),
                    "sample": r.record.sample.to_string(), "parents": parents,
                    "commitment": format!("0x{}", hex::encode(r.record.commitment)), "digest_alg": r.record.digest_alg,
                    "registered_by": AccountId32(*AsRef::<[u8; 32]>::as_ref(&r.record.registered_by)).to_string(),
                    "registered_at_block": r.record.registered_at_block, "registered_at": r.record.registered_at,
                }),
            ))
        }
        ShowCmd::Grant { id } => {
            let g = b
                .get_grant(id)
                .await?
                .ok_or_else(|| anyhow!("no grant {id}"))?;
            Ok(Outcome::done(
                format!(
                    "grant {id}: sample {}, scope {}, {}, expires {}, revoked {}",
                    g.sample, g.scope, g.purpose, g.expires_at, g.revoked
                ),
                json!({
                    "id": id.to_string(), "sample": g.sample.to_string(), "scope": g.scope.to_string(),
                    "grantee": AccountId32(*AsRef::<[u8; 32]>::as_ref(&g.grantee)).to_string(),
                    "purpose": g.purpose.to_string(), "expires_at": g.expires_at, "revoked": g.revoked,
                    "issuer": format!("{:?}", g.issuer), "confirmed": g.confirmed, "epoch": g.epoch,
                }),
            ))
        }
    }
}

fn parse_commitment(s: &str) -> Result<[u8; 32]> {
    hex::decode(s.trim_start_matches("0x"))
        .ok()
        .and_then(|b| b.try_into().ok())
        .ok_or_else(|| anyhow!("commitment `{s}`: expected 0x and 64 hex digits"))
}

fn parse_purpose(s: &str) -> Result<Purpose> {
    s.parse()
        .map_err(|e| anyhow!("purpose `{s}`: {e:?} (e.g. GRU, HMB+IRB, DS:4989)"))
}

fn parse_kind(s: &str) -> Result<RecordKind> {
    Ok(match s {
        "aliquot" => RecordKind::Aliquot,
        "library" => RecordKind::Library,
        "sequencing-run" => RecordKind::SequencingRun,
        "reads" => RecordKind::Reads,
        "alignment" => RecordKind::Alignment,
        "variants" => RecordKind::Variants,
        _ => {
            return Err(anyhow!(
            "kind `{s}`: expected aliquot, library, sequencing-run, reads, alignment or variants"
        ))
        }
    })
}

fn parse_month(s: &str) -> Result<YearMonth> {
    let (y, m) = s
        .split_once('-')
        .ok_or_else(|| anyhow!("majority `{s}`: expected YYYY-MM"))?;
    let ym = YearMonth {
        year: y.parse()?,
        month: m.parse()?,
    };
    if !ym.is_valid() {
        return Err(anyhow!("majority `{s}`: not a valid month"));
    }
    Ok(ym)
}

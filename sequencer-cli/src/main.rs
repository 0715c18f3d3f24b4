//! The `bionft-seq` command line: thin glue over the `sequencer_cli` library.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};
use serde_json::json;

use sequencer_cli::canonical::{Kind, CHUNK_RECORDS};
use sequencer_cli::digest::{hex, parse_hash};
use sequencer_cli::formats::OpenOptions;
use sequencer_cli::manifest::{FileEntry, Manifest, SCHEMA as MANIFEST_SCHEMA};
use sequencer_cli::output::write_atomically;
use sequencer_cli::pipeline::{digest_file, FileReport, Options};
use sequencer_cli::proof::{Proof, Region};
use sequencer_cli::scheme::Scheme;

/// Minimum salt length: a salt guessable by brute force would let anyone test a digest against
/// the chain.
const MIN_SALT_BYTES: usize = 16;

#[derive(Parser)]
#[command(
    name = "bionft-seq",
    version,
    about = "Canonical content digests, manifests and Merkle proofs for sequencing files",
    long_about = "Canonical content digests, manifests and Merkle proofs for sequencing files.\n\n\
The content digest identifies what a file holds, not its bytes: the same alignments in SAM, BAM \
(any compression level) or CRAM give the same digest, as do the same variants in VCF, VCF.gz or BCF \
and the same reads in plain, gzip or bgzip FASTQ. Header noise (@PG, @CO, dates, @HD) is ignored. \
The format is detected from the content, never the file name.\n\n\
Digest schemes: bionft-c2 (on-chain digest_alg 2, the default for new digests and manifests) and \
bionft-c1 (digest_alg 1, still verified: manifests and proofs are checked with the scheme they \
name). Both are documented in the crate's `canonical` module. The order-independent digest is \
computed with --unordered (c2), always with c1.",
    after_help = "Exit status: 0 ok, 1 content mismatch / invalid proof / nothing in region / submit refused, 2 error.\n\n\
Examples:\n  bionft-seq hash sample.bam sample.cram --reference ref.fa\n  \
head -c 32 /dev/urandom > sample.salt\n  \
bionft-seq manifest sample.bam --salt-file sample.salt -o manifest.json\n  \
bionft-seq verify sample.cram --manifest manifest.json --reference ref.fa\n  \
bionft-seq verify -c manifest.json\n  \
bionft-seq prove sample.bam --region chr1:100000-200000 -o proof.json\n  \
bionft-seq verify-proof proof.json --root <merkle root from the manifest>\n  \
bionft-seq compare sample.bam sample.cram --reference ref.fa\n  \
bionft-seq submit manifest.json --parent 4 --key //Charlie --deployment deployment.json"
)]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Global {
    /// Print machine-readable JSON on stdout instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Digesting threads: one decodes (and digests too when the others are busy), the others
    /// encode and hash; with two or more, a light extra thread folds results in file order.
    /// Defaults to the available cores.
    #[arg(long, short = 't', global = true, value_name = "N")]
    threads: Option<usize>,
    /// FASTA reference to decode CRAM files that do not embed theirs (.fai is used if present).
    /// With c2 it also gives the GA4GH seqcol level-0 digest of the header's sequences.
    #[arg(long, short = 'r', global = true, value_name = "FASTA")]
    reference: Option<PathBuf>,
    /// Digest scheme for new digests, manifests and proofs: c2 (default) or c1. `verify` and
    /// `verify-proof` use the scheme the manifest or proof names.
    #[arg(long, global = true, value_name = "SCHEME", default_value = "c2")]
    scheme: Scheme,
    /// Also compute the order-independent digest (same records in any order give the same
    /// one); c1 always computes it.
    #[arg(long, global = true)]
    unordered: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Print format, record count, file digest (SHA-256 of the bytes) and content digests.
    Hash {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Write a manifest with each file's digests and salted on-chain commitment.
    ///
    /// The commitment is SHA3-256(salt ‖ content digest string). The salt file's bytes are used
    /// exactly as stored (at least 16; 32 random bytes recommended) and never written out. The
    /// manifest is written only if every file digests cleanly.
    Manifest {
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// File whose bytes are the per-sample salt.
        #[arg(long, value_name = "SALT")]
        salt_file: PathBuf,
        /// Where to write the manifest JSON.
        #[arg(long, short = 'o', value_name = "MANIFEST")]
        output: PathBuf,
    },
    /// Check files against a manifest's content digests (exit 1 on mismatch, naming what differs).
    Verify {
        /// The file to check against `--manifest`.
        #[arg(
            value_name = "FILE",
            required_unless_present = "check",
            conflicts_with = "check"
        )]
        file: Option<PathBuf>,
        /// The manifest holding the expected digests.
        #[arg(long, short = 'm', value_name = "MANIFEST", requires = "file")]
        manifest: Option<PathBuf>,
        /// Check every file listed in MANIFEST at its recorded path, like `md5sum -c`.
        #[arg(long, short = 'c', value_name = "MANIFEST")]
        check: Option<PathBuf>,
    },
    /// Write an inclusion proof for the records overlapping a region (SAM/BAM/CRAM/VCF/BCF).
    Prove {
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// NAME, NAME:START-END or NAME:START- (1-based, inclusive).
        #[arg(long, value_name = "REGION")]
        region: Region,
        /// Where to write the proof JSON.
        #[arg(long, short = 'o', value_name = "PROOF")]
        output: PathBuf,
    },
    /// Register a manifest's files on chain as artifacts of PARENT records (exit 1 if refused).
    ///
    /// Each file becomes a `reads`, `alignment` or `variants` record carrying its salted
    /// commitment (the manifest must be made with --salt-file). Nothing is submitted if any file
    /// is already on chain; contract refusals are reported by their names.
    Submit {
        #[arg(value_name = "MANIFEST")]
        manifest: PathBuf,
        /// Parent record id (e.g. the sequencing run, or the alignments of a VCF); repeat for several.
        #[arg(long = "parent", required = true, value_name = "ID")]
        parents: Vec<u128>,
        /// Signing key of a sequencer (or the custodian biobank): a key file only you can
        /// read (chmod 600), or a dev name (//Charlie) on a development chain
        /// [default: $BIONFT_KEY, else a prompt]. Secrets are never taken on the command line.
        #[arg(long, value_name = "KEY")]
        key: Option<String>,
        /// Node endpoint [default: the deployment file's].
        #[arg(long, env = "BIONFT_ENDPOINT")]
        endpoint: Option<String>,
        /// Deployment file written by `bionft deploy`.
        #[arg(long, default_value = "deployment.json", env = "BIONFT_DEPLOYMENT")]
        deployment: PathBuf,
    },
    /// Tell whether two files hold the same content (exit 0) or say what differs (exit 1).
    ///
    /// Compares the header content (reference sequences, read groups, sample names), the record
    /// counts, each read group, and names the first differing record with its number, position
    /// and field. Formats and compressions may differ: a BAM and its CRAM compare equal.
    Compare {
        #[arg(value_name = "A")]
        a: PathBuf,
        #[arg(value_name = "B")]
        b: PathBuf,
    },
    /// Check a proof against a trusted Merkle root (exit 1 when it does not hold).
    VerifyProof {
        #[arg(value_name = "PROOF")]
        proof: PathBuf,
        /// The trusted Merkle root (64 hex digits), e.g. from a manifest.
        #[arg(long, value_name = "HEX")]
        root: String,
    },
}

/// A failure: exit 2 with one line on stderr.
struct Failure(String);

impl Failure {
    fn at(path: &Path, e: impl std::fmt::Display) -> Self {
        Failure(format!("{}: {}", path.display(), one_line(&e.to_string())))
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn main() -> ExitCode {
    // Decoder panics are caught and reported per file; keep their default messages off stderr.
    std::panic::set_hook(Box::new(|_| {}));
    let cli = Cli::parse();
    match run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(Failure(message)) => {
            eprintln!("bionft-seq: error: {message}");
            ExitCode::from(2)
        }
    }
}

fn options(global: &Global, region: Option<Region>) -> Options {
    options_for(global, global.scheme, global.unordered, region)
}

fn options_for(
    global: &Global,
    scheme: Scheme,
    unordered: bool,
    region: Option<Region>,
) -> Options {
    let threads = global
        .threads
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
        .max(1);
    Options {
        threads,
        open: OpenOptions {
            reference: global.reference.clone(),
        },
        progress: true,
        region,
        scheme,
        unordered,
        ..Options::default()
    }
}

fn digest(path: &Path, options: &Options) -> Result<FileReport, Failure> {
    digest_file(path, options).map_err(|e| Failure::at(path, e))
}

fn run(cli: &Cli) -> Result<u8, Failure> {
    let global = &cli.global;
    match &cli.command {
        Command::Hash { files } => hash(global, files),
        Command::Manifest {
            files,
            salt_file,
            output,
        } => manifest(global, files, salt_file, output),
        Command::Verify {
            file,
            manifest,
            check,
        } => match (file, manifest, check) {
            (Some(file), Some(manifest), None) => verify_one(global, file, manifest),
            (None, None, Some(manifest)) => verify_all(global, manifest),
            _ => Err(Failure(
                "verify needs FILE --manifest MANIFEST, or -c MANIFEST".into(),
            )),
        },
        Command::Prove {
            file,
            region,
            output,
        } => prove(global, file, region, output),
        Command::VerifyProof { proof, root } => verify_proof(global, proof, root),
        Command::Compare { a, b } => compare(global, a, b),
        Command::Submit {
            manifest,
            parents,
            key,
            endpoint,
            deployment,
        } => submit(global, manifest, parents, key, endpoint, deployment),
    }
}

fn submit(
    global: &Global,
    manifest: &Path,
    parents: &[u128],
    key: &Option<String>,
    endpoint: &Option<String>,
    deployment: &Path,
) -> Result<u8, Failure> {
    use sequencer_cli::submit;
    let plan = submit::plan(&read_manifest(manifest)?)
        .map_err(|e| Failure::at(manifest, format!("{e:#}")))?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| Failure(e.to_string()))?;
    match runtime.block_on(submit::submit(
        endpoint.as_deref(),
        deployment,
        key.as_deref(),
        parents,
        &plan,
    )) {
        Ok(registered) => {
            let text: String = registered
                .iter()
                .map(|(path, id)| format!("{path}: record {id}\n"))
                .collect();
            let json = json!(registered
                .iter()
                .map(|(path, id)| json!({ "path": path, "record": id.to_string() }))
                .collect::<Vec<_>>());
            print(&if global.json { to_json(&json) } else { text })?;
            Ok(0)
        }
        Err(e) if submit::is_refusal(&e) => {
            eprintln!("bionft-seq: refused: {}", one_line(&format!("{e:#}")));
            Ok(1)
        }
        Err(e) => Err(Failure(one_line(&format!("{e:#}")))),
    }
}

fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
        .map_err(|e| Failure(format!("stdout: {e}")))
}

fn to_json(value: &impl serde::Serialize) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("reports serialise");
    text.push('\n');
    text
}

fn hash(global: &Global, files: &[PathBuf]) -> Result<u8, Failure> {
    let options = options(global, None);
    let mut entries = Vec::new();
    let mut errors = Vec::new();
    for path in files {
        match digest(path, &options) {
            Ok(report) => {
                let entry = FileEntry::new(&path.display().to_string(), &report, None, false);
                if !global.json {
                    print(&hash_text(&entry, report.digests.chunk_leaves.len()))?;
                }
                entries.push(entry);
            }
            Err(Failure(message)) => {
                eprintln!("bionft-seq: error: {message}");
                errors.push(json!({ "path": path.display().to_string(), "error": message }));
            }
        }
    }
    if global.json {
        print(&to_json(&json!({ "files": entries, "errors": errors })))?;
    }
    Ok(if errors.is_empty() { 0 } else { 2 })
}

fn hash_text(entry: &FileEntry, chunks: usize) -> String {
    let mut out = format!(
        "{}\n  format           {} ({})\n  kind             {}\n  records          {}\n  file sha256      {}\n  content digest   {}\n  header digest    {}\n",
        entry.path, entry.format, entry.compression, entry.kind, entry.records, entry.file_sha256, entry.content_digest, entry.header_digest
    );
    if let Some(seqcol) = &entry.reference_seqcol {
        out += &if entry.digest_alg == Scheme::C1.digest_alg() {
            format!(
                "  seqcol           {} (names+lengths), {} (collection)\n",
                seqcol.coordinate_system,
                seqcol.collection.as_deref().unwrap_or_default()
            )
        } else {
            format!(
                "  seqcol           {} (sorted_name_length_pairs), {}\n",
                seqcol.coordinate_system,
                seqcol.collection.as_deref().map_or_else(
                    || "level 0 unknown (give --reference FASTA)".to_owned(),
                    |d| format!("{d} (level 0)")
                )
            )
        };
    }
    out += &format!(
        "  merkle root      {} ({chunks} chunks of {CHUNK_RECORDS} records)\n",
        entry.merkle.root
    );
    if let Some(unordered) = &entry.order_independent {
        out += &format!("  order-independent {unordered}\n");
    }
    for group in &entry.read_groups {
        let id = if group.id.is_empty() {
            "(no RG)"
        } else {
            &group.id
        };
        out += &format!(
            "  read group       {id}: {} records, {}\n",
            group.records, group.digest
        );
    }
    out
}

fn manifest(
    global: &Global,
    files: &[PathBuf],
    salt_file: &Path,
    output: &Path,
) -> Result<u8, Failure> {
    let salt = std::fs::read(salt_file).map_err(|e| Failure::at(salt_file, e))?;
    if salt.len() < MIN_SALT_BYTES {
        return Err(Failure::at(
            salt_file,
            format!(
                "salt has {} bytes, at least {MIN_SALT_BYTES} are needed",
                salt.len()
            ),
        ));
    }
    let options = options(global, None);
    let mut entries = Vec::new();
    for path in files {
        let report = digest(path, &options)?;
        entries.push(FileEntry::new(
            &path.display().to_string(),
            &report,
            Some(&salt),
            true,
        ));
    }
    let manifest = Manifest {
        schema: MANIFEST_SCHEMA.into(),
        files: entries,
    };
    write_atomically(output, to_json(&manifest).as_bytes()).map_err(|e| Failure::at(output, e))?;
    if global.json {
        let summary: Vec<_> = manifest
            .files
            .iter()
            .map(|f| json!({ "path": f.path, "kind": f.kind, "content_digest": f.content_digest, "commitment": f.commitment }))
            .collect();
        print(&to_json(
            &json!({ "manifest": output.display().to_string(), "files": summary }),
        ))?;
    } else {
        for f in &manifest.files {
            print(&format!(
                "{}\t{}\t{}\tcommitment {}\n",
                f.path,
                f.kind,
                f.content_digest,
                f.commitment.as_deref().unwrap_or_default()
            ))?;
        }
        print(&format!("wrote {}\n", output.display()))?;
    }
    Ok(0)
}

fn read_manifest(path: &Path) -> Result<Manifest, Failure> {
    let text = std::fs::read_to_string(path).map_err(|e| Failure::at(path, e))?;
    let manifest: Manifest = serde_json::from_str(&text)
        .map_err(|e| Failure::at(path, format!("not a manifest: {e}")))?;
    if manifest.schema != MANIFEST_SCHEMA {
        return Err(Failure::at(
            path,
            format!(
                "unsupported manifest schema {:?} (this tool reads {MANIFEST_SCHEMA})",
                manifest.schema
            ),
        ));
    }
    if let Some(entry) = manifest.files.iter().find(|f| {
        Scheme::of_content_digest(&f.content_digest)
            .is_none_or(|scheme| scheme.digest_alg() != f.digest_alg)
    }) {
        return Err(Failure::at(
            path,
            format!(
                "{}: unsupported digest scheme {:?} (digest_alg {}); this tool reads bionft-c1 and bionft-c2",
                entry.path, entry.content_digest, entry.digest_alg
            ),
        ));
    }
    Ok(manifest)
}

/// The outcome of checking one file.
enum Outcome {
    Match,
    Mismatch(Vec<String>),
    Error(String),
}

/// Digests `path` with the scheme of the `expected` entry (and its order-independent digest
/// when the entry has one) and compares.
fn check(expected: &FileEntry, path: &Path, global: &Global) -> Outcome {
    let scheme =
        Scheme::of_content_digest(&expected.content_digest).expect("read_manifest checked it");
    let options = options_for(global, scheme, expected.order_independent.is_some(), None);
    match digest(path, &options) {
        Err(Failure(message)) => Outcome::Error(message),
        Ok(report) => {
            let actual = FileEntry::new(&expected.path, &report, None, true);
            let differences = expected.differences(&actual);
            if differences.is_empty() {
                Outcome::Match
            } else {
                Outcome::Mismatch(differences)
            }
        }
    }
}

fn report_outcomes(global: &Global, outcomes: &[(String, Outcome)]) -> Result<u8, Failure> {
    let mut code = 0;
    let mut results = Vec::new();
    for (path, outcome) in outcomes {
        match outcome {
            Outcome::Match => {
                results.push(json!({ "path": path, "status": "ok" }));
                if !global.json {
                    print(&format!("{path}: OK\n"))?;
                }
            }
            Outcome::Mismatch(differences) => {
                code = code.max(1);
                results.push(
                    json!({ "path": path, "status": "mismatch", "differences": differences }),
                );
                if !global.json {
                    print(&format!("{path}: FAILED: {}\n", differences.join("; ")))?;
                }
            }
            Outcome::Error(message) => {
                code = 2;
                eprintln!("bionft-seq: error: {message}");
                results.push(json!({ "path": path, "status": "error", "error": message }));
            }
        }
    }
    if global.json {
        print(&to_json(&json!({ "results": results })))?;
    }
    Ok(code)
}

fn verify_one(global: &Global, file: &Path, manifest_path: &Path) -> Result<u8, Failure> {
    let manifest = read_manifest(manifest_path)?;
    let name = file.file_name();
    let expected = match manifest.files.as_slice() {
        [only] => only,
        files => files
            .iter()
            .find(|f| Path::new(&f.path).file_name() == name)
            .ok_or_else(|| {
                Failure::at(manifest_path, format!("no entry for {}", file.display()))
            })?,
    };
    let outcome = check(expected, file, global);
    report_outcomes(global, &[(file.display().to_string(), outcome)])
}

fn verify_all(global: &Global, manifest_path: &Path) -> Result<u8, Failure> {
    let manifest = read_manifest(manifest_path)?;
    let outcomes: Vec<(String, Outcome)> = manifest
        .files
        .iter()
        .map(|entry| {
            (
                entry.path.clone(),
                check(entry, Path::new(&entry.path), global),
            )
        })
        .collect();
    report_outcomes(global, &outcomes)
}

fn prove(global: &Global, file: &Path, region: &Region, output: &Path) -> Result<u8, Failure> {
    let report = digest(file, &options(global, Some(region.clone())))?;
    if report.kind() == Kind::Reads {
        return Err(Failure::at(
            file,
            "FASTQ reads have no coordinates; region proofs need SAM/BAM/CRAM/VCF/BCF",
        ));
    }
    let Some(proof) = Proof::build(&report, region) else {
        eprintln!(
            "bionft-seq: {}: no records overlap {region}",
            file.display()
        );
        return Ok(1);
    };
    write_atomically(output, to_json(&proof).as_bytes()).map_err(|e| Failure::at(output, e))?;
    let records = proof.region_records();
    if global.json {
        print(&to_json(&json!({
            "proof": output.display().to_string(),
            "region": proof.region,
            "records": records,
            "chunks": proof.chunks.len(),
            "merkle_root": proof.merkle_root,
            "content_digest": proof.content_digest,
        })))?;
    } else {
        print(&format!(
            "{records} records of {} in {} (in {} chunks)\nmerkle root {}\ncontent digest {}\nwrote {}\n",
            file.display(),
            proof.region,
            proof.chunks.len(),
            proof.merkle_root,
            proof.content_digest,
            output.display()
        ))?;
    }
    Ok(0)
}

fn compare(global: &Global, a: &Path, b: &Path) -> Result<u8, Failure> {
    let comparison = sequencer_cli::compare::compare(a, b, &options(global, None))
        .map_err(|e| Failure(one_line(&e.to_string())))?;
    if global.json {
        print(&to_json(&comparison))?;
    } else {
        let mut text = format!(
            "A {} ({} {})\nB {} ({} {})\n{}\n",
            comparison.a.path,
            comparison.a.format,
            comparison.a.compression,
            comparison.b.path,
            comparison.b.format,
            comparison.b.compression,
            if comparison.same_content {
                "same content"
            } else {
                "content differs:"
            }
        );
        for line in comparison.lines() {
            text += &format!("  {line}\n");
        }
        print(&text)?;
    }
    Ok(if comparison.same_content { 0 } else { 1 })
}

fn verify_proof(global: &Global, proof_path: &Path, root: &str) -> Result<u8, Failure> {
    let root =
        parse_hash(root).ok_or_else(|| Failure(format!("--root {root:?} is not 64 hex digits")))?;
    let text = std::fs::read_to_string(proof_path).map_err(|e| Failure::at(proof_path, e))?;
    let proof: Proof = serde_json::from_str(&text)
        .map_err(|e| Failure::at(proof_path, format!("not a proof: {e}")))?;
    let (code, status) = match proof.verify(&root) {
        Ok(records) => (0, json!({ "status": "ok", "records": records })),
        Err(reason) => (1, json!({ "status": "invalid", "reason": reason })),
    };
    if global.json {
        let mut value = status;
        value["proof"] = json!(proof_path.display().to_string());
        value["region"] = json!(proof.region);
        value["merkle_root"] = json!(hex(&root));
        value["content_digest"] = json!(proof.content_digest);
        print(&to_json(&value))?;
    } else if code == 0 {
        print(&format!(
            "{}: OK: {} records in {} belong to {}\n",
            proof_path.display(),
            status["records"],
            proof.region,
            proof.content_digest
        ))?;
    } else {
        print(&format!(
            "{}: FAILED: {}\n",
            proof_path.display(),
            status["reason"].as_str().unwrap_or_default()
        ))?;
    }
    Ok(code)
}

//! The BioNFT story over real JSON-RPC, as the main job and the end-to-end
//! test run it: a biobank mints a newborn's sample, the lab hashes real
//! sequencing files and registers the lineage, a guardian grants a researcher
//! access, and a data host checks and logs the access.
//!
//! Accounts are the dev chain's well-known keys in their roles: Alice
//! (governance, contract admin), Bob (biobank), Charlie (sequencer), Dave
//! (data host), Eve (guardian), Ferdie (researcher).

use anyhow::{ensure, Context, Result};
use bionft_client::chain::Chain;
use bionft_client::deployment::Deployment;
use bionft_client::keys::{account, signer};
use bionft_client::ops::Bionft;
use bionft_primitives::claim::keys::commitment_for_secret;
use bionft_primitives::{
    digest_alg, salted_commitment, AccessDenied, GrantId, Purpose, RecordId, RecordKind, Role,
};
use sequencer_cli::manifest::FileEntry;
use sequencer_cli::pipeline::{digest_file, Options};
use std::path::{Path, PathBuf};

/// Real files from `../shared/data` the lab hashes (see shared/data/MANIFEST.tsv for provenance).
pub struct Inputs {
    pub reads: PathBuf,
    pub bam: PathBuf,
    /// The same alignments as `bam`, recompressed at BGZF level 9.
    pub bam_level9: PathBuf,
    /// The same alignments as `bam`, as CRAM 3.1 (needs `reference`).
    pub cram: PathBuf,
    pub reference: PathBuf,
    /// Other alignments (htslib's range.bam), a second parent for the variants.
    pub second_bam: PathBuf,
    pub vcf: PathBuf,
}

impl Inputs {
    /// The files under a `shared/data` directory.
    pub fn from_shared(data: &Path) -> Inputs {
        Inputs {
            reads: data.join("seqkit/reads_1.fq.gz"),
            bam: data.join("hts-specs/bam_level-1.bam"),
            bam_level9: data.join("hts-specs/bam_level-9.bam"),
            cram: data.join("hts-specs/cram_3.1_level-4.cram"),
            reference: data.join("hts-specs/ce.fa"),
            second_bam: data.join("htslib/range.bam"),
            vcf: data.join("htslib/tabix_vcf_file.vcf"),
        }
    }

    /// `<repo>/../shared/data`, where CI and developers have it.
    pub fn default_shared() -> Inputs {
        Self::from_shared(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
    }
}

/// The claim secret the biobank hands to the guardians at birth (only its commitment goes on chain).
pub const CLAIM_SECRET: &[u8] = b"sealed envelope handed to the parents";

/// What the story created, for printing and for the test's assertions.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub deployment: Deployment,
    pub sample: RecordId,
    pub aliquot: RecordId,
    pub run: RecordId,
    pub reads: RecordId,
    pub bam: RecordId,
    pub bam2: RecordId,
    pub vcf: RecordId,
    pub grant: GrantId,
    pub receipt: u64,
    pub denied_for_ancestry: AccessDenied,
}

/// Salted commitment to a file's content digest, as `bionft-seq manifest` computes it.
fn file_commitment(path: &Path, salt: &[u8], reference: Option<&Path>) -> Result<[u8; 32]> {
    let mut options = Options::default();
    options.open.reference = reference.map(Path::to_path_buf);
    let report =
        digest_file(path, &options).with_context(|| format!("hashing {}", path.display()))?;
    let entry = FileEntry::new(&path.display().to_string(), &report, Some(salt), false);
    let hex = entry
        .commitment
        .context("manifest entry without a commitment")?;
    hex::decode(hex)?
        .try_into()
        .map_err(|_| anyhow::anyhow!("commitment is not 32 bytes"))
}

/// Runs the story against the chain at `endpoint`; `say` narrates each step.
pub async fn run(endpoint: &str, inputs: &Inputs, say: impl FnMut(String)) -> Result<Outcome> {
    run_with(endpoint, inputs, say, |_| Ok(())).await
}

/// [`run`], calling `on_deployed` as soon as the contracts are deployed (before
/// the first sample is minted), e.g. to start an indexer that follows the rest live.
pub async fn run_with(
    endpoint: &str,
    inputs: &Inputs,
    mut say: impl FnMut(String),
    on_deployed: impl FnOnce(&Deployment) -> Result<()>,
) -> Result<Outcome> {
    let chain = Chain::connect(endpoint).await?;
    let [alice, bob, charlie, dave, eve] =
        ["//Alice", "//Bob", "//Charlie", "//Dave", "//Eve"].map(|k| signer(k).expect("dev key"));
    let ferdie = account("//Ferdie")?;
    let roles = [
        (account("//Bob")?, Role::Biobank),
        (account("//Charlie")?, Role::Sequencer),
        (account("//Dave")?, Role::DataHost),
    ];
    let (b, deployment) = Bionft::deploy(chain, &alice, &roles).await?;
    say(format!(
        "deployed biosample at {} and consent at {}",
        deployment.biosample.address, deployment.consent.address
    ));
    on_deployed(&deployment)?;

    // The biobank's secrets for this newborn: never on chain.
    let salt = b"per-sample salt kept by the biobank and guardians".to_vec();
    let barcode = b"NB-2026-000123";

    let sample = b
        .mint_sample(
            &bob,
            salted_commitment(&salt, barcode),
            &[account("//Eve")?],
            commitment_for_secret(CLAIM_SECRET)?,
            None,
        )
        .await?;
    say(format!(
        "Bob (biobank) minted sample {sample} with Eve as guardian"
    ));
    let aliquot = b
        .register_artifact(
            &bob,
            RecordKind::Aliquot,
            &[sample],
            salted_commitment(&salt, b"NB-2026-000123/A1"),
            digest_alg::SAMPLE_IDENTIFIER,
        )
        .await?;
    let run = b
        .register_artifact(
            &charlie,
            RecordKind::SequencingRun,
            &[aliquot],
            salted_commitment(&salt, b"run 2026-11-21 flowcell FC-0042"),
            digest_alg::SAMPLE_IDENTIFIER,
        )
        .await?;
    say(format!(
        "aliquot {aliquot} and sequencing run {run} registered"
    ));

    let content = digest_alg::BIONFT_CONTENT_V1;
    let reads = b
        .register_artifact(
            &charlie,
            RecordKind::Reads,
            &[run],
            file_commitment(&inputs.reads, &salt, None)?,
            content,
        )
        .await?;
    let bam_commitment = file_commitment(&inputs.bam, &salt, None)?;
    let bam = b
        .register_artifact(
            &charlie,
            RecordKind::Alignment,
            &[reads],
            bam_commitment,
            content,
        )
        .await?;
    let bam2 = b
        .register_artifact(
            &charlie,
            RecordKind::Alignment,
            &[reads],
            file_commitment(&inputs.second_bam, &salt, None)?,
            content,
        )
        .await?;
    let vcf = b
        .register_artifact(
            &charlie,
            RecordKind::Variants,
            &[bam, bam2],
            file_commitment(&inputs.vcf, &salt, None)?,
            content,
        )
        .await?;
    say(format!("Charlie (sequencer) registered reads {reads}, alignments {bam} and {bam2}, and variants {vcf} derived from both"));

    // The same alignments recompressed or converted to CRAM: same content, same commitment,
    // so the chain already knows them as record `bam`.
    for copy in [
        file_commitment(&inputs.bam_level9, &salt, None)?,
        file_commitment(&inputs.cram, &salt, Some(&inputs.reference))?,
    ] {
        ensure!(
            copy == bam_commitment,
            "a recompressed or CRAM copy of the same alignments must commit to the same content"
        );
        ensure!(
            b.record_by_commitment(copy).await? == Some(bam),
            "the chain must find the copy as record {bam}"
        );
    }
    say(format!(
        "the level-9 BAM and the CRAM of the same alignments are found on chain as record {bam}"
    ));

    let year = 365 * 86_400_000;
    let expires = b.chain.now_millis().await? + year;
    let grant = b
        .grant(
            &eve,
            sample,
            &ferdie,
            aliquot,
            Purpose::new(bionft_primitives::duo::HMB),
            expires,
        )
        .await?;
    say(format!("Eve (guardian) granted Ferdie HMB use of aliquot {aliquot} and everything derived from it for a year: grant {grant}"));

    let disease = Purpose::disease_specific(4989);
    let allowed = b.check_access(&ferdie, vcf, &disease).await?;
    ensure!(
        allowed == Ok(grant),
        "check_access for a DS purpose under an HMB grant should allow, got {allowed:?}"
    );
    let receipt = b.record_access(&dave, grant, vcf, disease.clone()).await?;
    say(format!("Dave (data host) checked Ferdie's access to variants {vcf} for {disease} (allowed) and logged receipt {receipt}"));
    let ancestry = b
        .check_access(&ferdie, vcf, &Purpose::new(bionft_primitives::duo::POA))
        .await?;
    let denied_for_ancestry = ancestry
        .err()
        .context("ancestry research must not be covered by an HMB grant")?;
    say(format!(
        "an ancestry-research (POA) use of the same file is denied: {denied_for_ancestry:?}"
    ));

    Ok(Outcome {
        deployment,
        sample,
        aliquot,
        run,
        reads,
        bam,
        bam2,
        vcf,
        grant,
        receipt,
        denied_for_ancestry,
    })
}

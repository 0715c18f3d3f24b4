//! The BioNFT v2 story over real JSON-RPC, as the main job and the end-to-end
//! test run it: newborn trio sequencing. A biobank mints a newborn's sample
//! (guardians: the mother and the father, each with a per-sample key; the
//! claim secret generated on their side, the biobank seeing only its
//! commitment) and the parents' own self-consenting samples; it assigns a
//! sequencer to all three; the lab hashes real sequencing files and registers
//! each sample's lineage and the trio's joint VCF; all three authorities
//! grant a researcher access; a data host checks and logs the access, which
//! names all three grants.
//!
//! Accounts are the dev chain's well-known keys in their roles: Alice
//! (governance, contract admin), Bob (biobank), Charlie (sequencer), Dave
//! (data host), Ferdie (researcher). The mother's own key is Eve's and the
//! father's is `//Father`; neither account ever appears on chain: they act
//! through per-sample keys the biobank funds at mint.

use anyhow::{ensure, Context, Result};
use bionft_client::chain::{account_of, Chain};
use bionft_client::deployment::Deployment;
use bionft_client::keys::{account, signer};
use bionft_client::sample_keys::{generate_claim_secret, per_sample_key};
use bionft_primitives::claim::keys::commitment_for_secret;
use bionft_primitives::{
    digest_alg, salted_commitment, AccessDenied, GrantId, Purpose, RecordId, RecordKind, YearMonth,
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
    /// Other alignments (htslib's range.bam), a second alignment of the newborn.
    pub second_bam: PathBuf,
    /// The mother's reads and alignments.
    pub mother_reads: PathBuf,
    pub mother_bam: PathBuf,
    /// The father's reads and alignments.
    pub father_reads: PathBuf,
    pub father_bam: PathBuf,
    /// The trio's joint variant calls.
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
            mother_reads: data.join("fastp/R1.fq"),
            mother_bam: data.join("samtools/checksum_chk1.bam"),
            father_reads: data.join("fastp/R2.fq"),
            father_bam: data.join("samtools/mpileup_mpileup.1.bam"),
            vcf: data.join("htslib/tabix_vcf_file.vcf"),
        }
    }

    /// `<repo>/../shared/data`, where CI and developers have it.
    pub fn default_shared() -> Inputs {
        Self::from_shared(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data"))
    }
}

/// The newborn's sample salt, kept off chain by the biobank and the guardians
/// (random in real use; at least 16 bytes).
pub const NEWBORN_SALT: &[u8] = b"newborn NB-2026-000123: salt kept by biobank and guardians";
/// The mother's own sample salt.
pub const MOTHER_SALT: &[u8] = b"mother MO-2026-000123: salt kept by biobank and mother";
/// The father's own sample salt.
pub const FATHER_SALT: &[u8] = b"father FA-2026-000123: salt kept by biobank and father";
/// The mother's own key (Eve's dev key); on chain only through per-sample keys.
pub const MOTHER_KEY: &str = "//Eve";
/// The father's own key; on chain only through per-sample keys.
pub const FATHER_KEY: &str = "//Father";
/// Plancks the biobank sends each per-sample account at mint (10 units), for fees and deposits.
pub const FUND: u128 = 10_000_000_000_000;

/// What the story created, for printing and for the test's assertions.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub deployment: Deployment,
    /// The newborn's sample, and its parents' own samples.
    pub sample: RecordId,
    pub mother_sample: RecordId,
    pub father_sample: RecordId,
    pub aliquot: RecordId,
    pub run: RecordId,
    pub reads: RecordId,
    pub bam: RecordId,
    pub bam2: RecordId,
    pub mother_bam: RecordId,
    pub father_bam: RecordId,
    /// Every record of the parents' lineages (sample, aliquot, run, reads, alignment), both parents.
    pub parent_records: Vec<RecordId>,
    /// The trio's joint VCF.
    pub vcf: RecordId,
    /// The guardians' grant for the newborn (on its aliquot).
    pub grant: GrantId,
    /// The newborn's, the mother's and the father's grants, in sample order.
    pub grants: Vec<GrantId>,
    pub receipt: u64,
    /// Why the joint VCF was refused while the father had not granted yet.
    pub denied_without_father: AccessDenied,
    pub denied_for_ancestry: AccessDenied,
    /// The newborn's majority month (18 years after the birth month).
    pub majority: YearMonth,
}

impl Outcome {
    /// Every record the joint VCF derives from (itself included), ascending:
    /// what its lineage must show back to all three samples.
    pub fn vcf_lineage(&self) -> Vec<u64> {
        let mut records = vec![
            self.sample,
            self.aliquot,
            self.run,
            self.reads,
            self.bam,
            self.bam2,
            self.vcf,
        ];
        records.extend(&self.parent_records);
        let mut records: Vec<u64> = records.into_iter().map(|r| r as u64).collect();
        records.sort_unstable();
        records
    }
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

/// The calendar month (UTC) containing `ms` since the Unix epoch.
pub fn month_containing(ms: u64) -> YearMonth {
    let mut m = YearMonth {
        year: 1970,
        month: 1,
    };
    loop {
        let next = next_month(m);
        if next.start_millis() > ms {
            return m;
        }
        m = next;
    }
}

/// The month after `m`.
pub fn next_month(m: YearMonth) -> YearMonth {
    if m.month == 12 {
        YearMonth {
            year: m.year + 1,
            month: 1,
        }
    } else {
        YearMonth {
            year: m.year,
            month: m.month + 1,
        }
    }
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
    let [bob, charlie, dave] =
        ["//Bob", "//Charlie", "//Dave"].map(|k| signer(k).expect("dev key"));
    let (mother, father) = (signer(MOTHER_KEY)?, signer(FATHER_KEY)?);
    let ferdie = account("//Ferdie")?;
    let (b, deployment) = crate::deploy_dev_cast(chain).await?;
    say(format!(
        "deployed biosample at {} and consent at {} (consent checks biosample's code hash)",
        deployment.biosample.address, deployment.consent.address
    ));
    on_deployed(&deployment)?;

    // The guardians' side: per-sample keys for the newborn, and the claim secret.
    let mother_for_child = per_sample_key(&mother, NEWBORN_SALT)?;
    let father_for_child = per_sample_key(&father, NEWBORN_SALT)?;
    let guardians = [account_of(&mother_for_child), account_of(&father_for_child)];
    let secret = generate_claim_secret()?;
    let claim = commitment_for_secret(secret.as_bytes())?;
    drop(secret); // sealed in the parents' envelope; the story never needs it again
    say("the parents derived their per-sample guardian keys and generated the claim secret; the biobank receives two accounts and one commitment".into());

    let birth = month_containing(b.chain.now_millis().await?);
    let majority = YearMonth {
        year: birth.year + 18,
        month: birth.month,
    };
    let sample = b
        .mint_sample(
            &bob,
            salted_commitment(NEWBORN_SALT, b"NB-2026-000123"),
            &guardians,
            claim,
            majority,
        )
        .await?;
    b.fund(&bob, &guardians, FUND).await?;
    say(format!(
        "Bob (biobank) minted the newborn's sample {sample} (majority {:04}-{:02}) with both parents' per-sample keys as guardians, and funded those keys",
        majority.year, majority.month
    ));

    // The parents' own samples: self-consenting adults, each with a per-sample subject key.
    let mother_self = per_sample_key(&mother, MOTHER_SALT)?;
    let father_self = per_sample_key(&father, FATHER_SALT)?;
    let mother_sample = b
        .mint_self_consenting(
            &bob,
            salted_commitment(MOTHER_SALT, b"MO-2026-000123"),
            &account_of(&mother_self),
        )
        .await?;
    let father_sample = b
        .mint_self_consenting(
            &bob,
            salted_commitment(FATHER_SALT, b"FA-2026-000123"),
            &account_of(&father_self),
        )
        .await?;
    b.fund(
        &bob,
        &[account_of(&mother_self), account_of(&father_self)],
        FUND,
    )
    .await?;
    ensure!(
        account_of(&mother_self) != guardians[0],
        "the mother's key for her own sample must differ from her key for the child's"
    );
    say(format!(
        "Bob minted the mother's sample {mother_sample} and the father's sample {father_sample} (self-consenting, with other per-sample keys)"
    ));

    for s in [sample, mother_sample, father_sample] {
        b.assign_sequencer(&bob, s, &account_of(&charlie)).await?;
    }
    say("Bob assigned Charlie (sequencer) to all three samples".into());

    let id = digest_alg::SAMPLE_IDENTIFIER;
    // `file_commitment` digests with bionft-seq's default scheme, bionft-c2.
    let content = digest_alg::BIONFT_CONTENT_V2;
    // One sample's wet-lab lineage: aliquot (biobank), run, reads, alignment (sequencer).
    let lineage =
        |s: RecordId, salt: &'static [u8], label: &'static str, reads: PathBuf, bam: PathBuf| {
            let b = &b;
            let (bob, charlie) = (&bob, &charlie);
            async move {
                let aliquot = b
                    .register_artifact(
                        bob,
                        RecordKind::Aliquot,
                        &[s],
                        salted_commitment(salt, format!("{label}/A1").as_bytes()),
                        id,
                    )
                    .await?;
                let run = b
                    .register_artifact(
                        charlie,
                        RecordKind::SequencingRun,
                        &[aliquot],
                        salted_commitment(salt, format!("{label} run flowcell FC-0042").as_bytes()),
                        id,
                    )
                    .await?;
                let reads = b
                    .register_artifact(
                        charlie,
                        RecordKind::Reads,
                        &[run],
                        file_commitment(&reads, salt, None)?,
                        content,
                    )
                    .await?;
                let bam_commitment = file_commitment(&bam, salt, None)?;
                let bam = b
                    .register_artifact(
                        charlie,
                        RecordKind::Alignment,
                        &[reads],
                        bam_commitment,
                        content,
                    )
                    .await?;
                anyhow::Ok((aliquot, run, reads, bam, bam_commitment))
            }
        };
    let (aliquot, run, reads, bam, bam_commitment) = lineage(
        sample,
        NEWBORN_SALT,
        "NB-2026-000123",
        inputs.reads.clone(),
        inputs.bam.clone(),
    )
    .await?;
    let bam2 = b
        .register_artifact(
            &charlie,
            RecordKind::Alignment,
            &[reads],
            file_commitment(&inputs.second_bam, NEWBORN_SALT, None)?,
            content,
        )
        .await?;
    let (m_aliquot, m_run, m_reads, mother_bam, _) = lineage(
        mother_sample,
        MOTHER_SALT,
        "MO-2026-000123",
        inputs.mother_reads.clone(),
        inputs.mother_bam.clone(),
    )
    .await?;
    let (f_aliquot, f_run, f_reads, father_bam, _) = lineage(
        father_sample,
        FATHER_SALT,
        "FA-2026-000123",
        inputs.father_reads.clone(),
        inputs.father_bam.clone(),
    )
    .await?;
    say(format!("each sample's lineage registered (aliquots by Bob; runs, reads, alignments by Charlie): newborn reads {reads}, alignments {bam} and {bam2}; mother's alignment {mother_bam}; father's {father_bam}"));

    let vcf = b
        .register_artifact(
            &charlie,
            RecordKind::Variants,
            &[bam, bam2, mother_bam, father_bam],
            file_commitment(&inputs.vcf, NEWBORN_SALT, None)?,
            content,
        )
        .await?;
    let view = b.get_record(vcf).await?.context("the joint VCF")?;
    ensure!(
        view.record.samples == vec![sample, mother_sample, father_sample],
        "the joint VCF derives from the three samples, got {:?}",
        view.record.samples
    );
    say(format!(
        "Charlie registered the trio's joint VCF {vcf}, derived from samples {sample}, {mother_sample} and {father_sample}"
    ));

    // The same alignments recompressed or converted to CRAM: same content, same commitment,
    // so the chain already knows them as record `bam`.
    for copy in [
        file_commitment(&inputs.bam_level9, NEWBORN_SALT, None)?,
        file_commitment(&inputs.cram, NEWBORN_SALT, Some(&inputs.reference))?,
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
    let hmb = Purpose::new(bionft_primitives::duo::HMB);
    let grant = b
        .grant(
            &mother_for_child,
            sample,
            &ferdie,
            aliquot,
            hmb.clone(),
            expires,
        )
        .await?;
    let mother_grant = b
        .grant(
            &mother_self,
            mother_sample,
            &ferdie,
            mother_sample,
            hmb.clone(),
            expires,
        )
        .await?;
    say(format!("the mother, as the newborn's guardian, granted Ferdie HMB use of aliquot {aliquot} and its descendants (grant {grant}); as herself, of her own sample (grant {mother_grant})"));

    let disease = Purpose::disease_specific(4989);
    let denied_without_father = b
        .check_access(&ferdie, vcf, &disease)
        .await?
        .err()
        .context("the joint VCF must need the father's grant too")?;
    say(format!(
        "without the father's grant, the joint VCF is refused: {denied_without_father:?}"
    ));
    let father_grant = b
        .grant(
            &father_self,
            father_sample,
            &ferdie,
            father_sample,
            hmb,
            expires,
        )
        .await?;
    let grants = vec![grant, mother_grant, father_grant];
    let allowed = b.check_access(&ferdie, vcf, &disease).await?;
    ensure!(
        allowed.as_ref() == Ok(&grants),
        "check_access for a DS purpose under three HMB grants should allow with all three, got {allowed:?}"
    );
    let receipt = b
        .record_access(&dave, &ferdie, vcf, disease.clone())
        .await?;
    say(format!("the father granted too (grant {father_grant}); Dave (data host) checked Ferdie's access to the joint VCF {vcf} for {disease} (allowed under grants {grant}, {mother_grant}, {father_grant}) and logged receipt {receipt}"));
    let ancestry = b
        .check_access(&ferdie, vcf, &Purpose::new(bionft_primitives::duo::POA))
        .await?;
    let denied_for_ancestry = ancestry
        .err()
        .context("ancestry research must not be covered by HMB grants")?;
    say(format!(
        "an ancestry-research (POA) use of the same file is denied: {denied_for_ancestry:?}"
    ));

    Ok(Outcome {
        deployment,
        sample,
        mother_sample,
        father_sample,
        aliquot,
        run,
        reads,
        bam,
        bam2,
        mother_bam,
        father_bam,
        parent_records: vec![
            mother_sample,
            m_aliquot,
            m_run,
            m_reads,
            mother_bam,
            father_sample,
            f_aliquot,
            f_run,
            f_reads,
            father_bam,
        ],
        vcf,
        grant,
        grants,
        receipt,
        denied_without_father,
        denied_for_ancestry,
        majority,
    })
}

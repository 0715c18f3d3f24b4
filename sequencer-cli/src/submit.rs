//! `bionft-seq submit`: registers a manifest's files on chain as artifacts
//! of their parent records (`biosample::register_artifact`), over JSON-RPC
//! with `bionft-client`. [`plan`] is the pure part (what each file becomes);
//! [`submit`] does the chain I/O.

use crate::manifest::Manifest;
use anyhow::{anyhow, bail, Result};
use bionft_client::chain::{Chain, ContractRefused};
use bionft_client::deployment::Deployment;
use bionft_client::keys::KeyPolicy;
use bionft_client::ops::Bionft;
use bionft_primitives::{RecordId, RecordKind};
use std::path::Path;

/// One file's registration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Registration {
    pub path: String,
    pub kind: RecordKind,
    pub commitment: [u8; 32],
    pub digest_alg: u16,
}

/// What each manifest entry registers as; refuses a manifest without
/// commitments (made without `--salt-file`) or with an unknown kind.
pub fn plan(manifest: &Manifest) -> Result<Vec<Registration>> {
    manifest
        .files
        .iter()
        .map(|f| {
            let kind = match f.kind.as_str() {
                "reads" => RecordKind::Reads,
                "alignment" => RecordKind::Alignment,
                "variants" => RecordKind::Variants,
                other => bail!("{}: unknown kind `{other}`", f.path),
            };
            let hex = f.commitment.as_deref().ok_or_else(|| {
                anyhow!(
                    "{}: the manifest has no commitment (make it with --salt-file)",
                    f.path
                )
            })?;
            let commitment = hex::decode(hex.trim_start_matches("0x"))
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| anyhow!("{}: commitment `{hex}` is not 32 bytes of hex", f.path))?;
            Ok(Registration {
                path: f.path.clone(),
                kind,
                commitment,
                digest_alg: u16::from(f.digest_alg),
            })
        })
        .collect()
}

/// A refusal before anything was submitted: a file is already on chain.
#[derive(Debug)]
pub struct AlreadyRegistered {
    pub path: String,
    pub record: RecordId,
}

impl std::fmt::Display for AlreadyRegistered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}: its content is already registered as record {} (DuplicateCommitment)",
            self.path, self.record
        )
    }
}

impl std::error::Error for AlreadyRegistered {}

/// Registers every planned file under `parents`, in manifest order, after
/// checking that none of them is on chain yet (so a refusal submits nothing).
/// Returns each file's new record id.
///
/// `endpoint` defaults to the deployment file's; `key` is the command line's
/// `--key` (else `BIONFT_KEY` or a prompt), by `bionft`'s rules: an owner-only
/// key file, or a dev name on a development chain.
pub async fn submit(
    endpoint: Option<&str>,
    deployment: &Path,
    key: Option<&str>,
    parents: &[RecordId],
    plan: &[Registration],
) -> Result<Vec<(String, RecordId)>> {
    let deployment = Deployment::load(deployment)?;
    let chain = Chain::connect(endpoint.unwrap_or(&deployment.endpoint)).await?;
    let key = &KeyPolicy::for_chain(&chain).await?.from_command_line(key)?;
    let bionft = Bionft::open(chain, &deployment).await?;
    for (i, r) in plan.iter().enumerate() {
        if let Some(record) = bionft.record_by_commitment(r.commitment).await? {
            return Err(AlreadyRegistered {
                path: r.path.clone(),
                record,
            }
            .into());
        }
        if let Some(twin) = plan[..i].iter().find(|p| p.commitment == r.commitment) {
            bail!(
                "{} and {} hold the same content (same commitment); register it once",
                twin.path,
                r.path
            );
        }
    }
    let mut registered = Vec::new();
    for r in plan {
        let id = bionft
            .register_artifact(key, r.kind, parents, r.commitment, r.digest_alg)
            .await
            .map_err(|e| match e.downcast::<ContractRefused>() {
                Ok(refused) => anyhow::Error::new(refused)
                    .context(format!("{} (registered so far: {registered:?})", r.path)),
                Err(e) => e.context(format!("{} (registered so far: {registered:?})", r.path)),
            })?;
        registered.push((r.path.clone(), id));
    }
    Ok(registered)
}

/// Whether `error` is a refusal (exit 1) rather than a failure (exit 2).
pub fn is_refusal(error: &anyhow::Error) -> bool {
    error.downcast_ref::<ContractRefused>().is_some()
        || error.downcast_ref::<AlreadyRegistered>().is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest(json: &str) -> Manifest {
        serde_json::from_str(json).unwrap()
    }

    const ENTRY: &str = r#"{"path":"a.bam","format":"BAM","compression":"bgzf","kind":"alignment","digest_alg":1,
        "commitment":"COMMIT","content_digest":"bionft-c1:00","records":1,"file_size":1,"file_sha256":"00",
        "header_digest":"00","reference_seqcol":null,"order_independent":"00",
        "merkle":{"chunk_records":4096,"root":"00"},"read_groups":[]}"#;

    #[test]
    fn plans_kinds_and_commitments_and_refuses_unsalted_manifests() {
        let good = ENTRY.replace("COMMIT", &"ab".repeat(32));
        let m = manifest(&format!(
            r#"{{"schema":"bionft-seq-manifest/1","files":[{good}]}}"#
        ));
        let p = plan(&m).unwrap();
        assert_eq!(
            p,
            vec![Registration {
                path: "a.bam".into(),
                kind: RecordKind::Alignment,
                commitment: [0xab; 32],
                digest_alg: 1
            }]
        );

        let unsalted = ENTRY.replace(r#""commitment":"COMMIT","#, "");
        let m = manifest(&format!(
            r#"{{"schema":"bionft-seq-manifest/1","files":[{unsalted}]}}"#
        ));
        assert!(plan(&m).unwrap_err().to_string().contains("--salt-file"));

        let short = ENTRY.replace("COMMIT", "abcd");
        let m = manifest(&format!(
            r#"{{"schema":"bionft-seq-manifest/1","files":[{short}]}}"#
        ));
        assert!(plan(&m).unwrap_err().to_string().contains("not 32 bytes"));

        let odd = ENTRY
            .replace("COMMIT", &"ab".repeat(32))
            .replace(r#""kind":"alignment""#, r#""kind":"sample""#);
        let m = manifest(&format!(
            r#"{{"schema":"bionft-seq-manifest/1","files":[{odd}]}}"#
        ));
        assert!(plan(&m).unwrap_err().to_string().contains("unknown kind"));
    }
}

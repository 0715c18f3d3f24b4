//! The deployment file: where the contracts live on which chain, and their
//! ink! metadata. `bionft deploy` writes it; every other command (and the
//! indexer) reads it, so an installed `bionft` needs nothing else.

use crate::bundle::Metadata;
use anyhow::{anyhow, bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use subxt::utils::AccountId32;

/// The file format `bionft deploy` writes. Format 2 added
/// `deployed_at_block`, format 3 each contract's `metadata`. Older files
/// still load (without them), for the indexer; commands that call the
/// contracts ask for a file with metadata.
pub const FORMAT: u32 = 3;

/// One deployed contract.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// SS58 address (generic prefix 42).
    pub address: String,
    /// `0x` + blake2-256 of the code.
    pub code_hash: String,
    /// The contract's ink! metadata without its wasm (format 3 on).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<serde_json::Value>,
}

/// The deployment file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub format: u32,
    pub endpoint: String,
    /// The chain's genesis hash; commands refuse to use the file on another chain.
    pub genesis_hash: String,
    /// The block the contracts were instantiated in: neither has an event
    /// before it, so the indexer starts there. `None` only in a format 1
    /// file, written before the block was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployed_at_block: Option<u32>,
    pub biosample: Deployed,
    pub consent: Deployed,
}

impl Deployed {
    pub fn account(&self) -> Result<AccountId32> {
        crate::keys::account(&self.address)
    }

    /// The contract's metadata, checked against the code hash this file records.
    pub fn metadata(&self) -> Result<Metadata> {
        let json = self.metadata.clone().ok_or_else(|| {
            anyhow!(
                "the deployment file has no contract metadata (an older `bionft deploy` wrote it); run `bionft deploy` again"
            )
        })?;
        let m = Metadata::from_json(json).context("the deployment file's contract metadata")?;
        if m.code_hash_hex() != self.code_hash {
            bail!(
                "the deployment file's metadata of {} is for code {}, but it records code {}",
                m.name,
                m.code_hash_hex(),
                self.code_hash
            );
        }
        Ok(m)
    }
}

impl Deployment {
    pub fn load(path: &Path) -> Result<Deployment> {
        let text = std::fs::read_to_string(path).with_context(|| {
            format!(
                "{}: cannot read the deployment file (run `bionft deploy`)",
                path.display()
            )
        })?;
        let d: Deployment = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a deployment file", path.display()))?;
        let has_metadata = d.biosample.metadata.is_some() && d.consent.metadata.is_some();
        match (d.format, d.deployed_at_block) {
            (FORMAT, Some(_)) if !has_metadata => bail!(
                "{}: deployment format {FORMAT} needs each contract's `metadata`",
                path.display()
            ),
            (1, None) | (2 | FORMAT, Some(_)) => Ok(d),
            (1, Some(_)) => bail!(
                "{}: a format 1 deployment file has no `deployed_at_block`; set `format` to {FORMAT} or run `bionft deploy` again",
                path.display()
            ),
            (2 | FORMAT, None) => bail!(
                "{}: deployment format {FORMAT} needs `deployed_at_block` (the block the contracts were instantiated in)",
                path.display()
            ),
            (other, _) => bail!(
                "{}: deployment format {other} is not supported (this build reads formats 1 to {FORMAT}; a newer `bionft` wrote it?)",
                path.display()
            ),
        }
    }

    /// Writes the file atomically (temporary file, then rename).
    pub fn save(&self, path: &Path) -> Result<()> {
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)
            .with_context(|| format!("writing {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("writing {}", path.display()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployed(address: &str, name: &str, hash: u8) -> Deployed {
        let code_hash = format!("0x{}", hex::encode([hash; 32]));
        Deployed {
            address: address.into(),
            code_hash: code_hash.clone(),
            metadata: Some(serde_json::json!({
                "contract": { "name": name },
                "source": { "hash": code_hash },
                "spec": { "messages": [{ "label": "m", "selector": "0x01020304" }], "constructors": [] },
            })),
        }
    }

    #[test]
    fn round_trips_with_metadata_and_refuses_other_formats() {
        let d = Deployment {
            format: FORMAT,
            endpoint: "ws://127.0.0.1:9944".into(),
            genesis_hash: "0x00".into(),
            deployed_at_block: Some(3),
            biosample: deployed(
                "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
                "biosample",
                1,
            ),
            consent: deployed(
                "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
                "consent",
                2,
            ),
        };
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deployment.json");
        d.save(&path).unwrap();
        let loaded = Deployment::load(&path).unwrap();
        assert_eq!(loaded, d);
        let m = loaded.biosample.metadata().unwrap();
        assert_eq!(
            (m.name.as_str(), m.selector("m").unwrap()),
            ("biosample", [1, 2, 3, 4])
        );

        let refusal = |d: &Deployment| {
            std::fs::write(&path, serde_json::to_vec(d).unwrap()).unwrap();
            Deployment::load(&path).unwrap_err().to_string()
        };
        assert!(refusal(&Deployment {
            format: 99,
            ..d.clone()
        })
        .contains("format 99 is not supported"));
        assert!(refusal(&Deployment {
            deployed_at_block: None,
            ..d.clone()
        })
        .contains("needs `deployed_at_block`"));
        let mut bare = d.clone();
        bare.consent.metadata = None;
        assert!(refusal(&bare).contains("needs each contract's `metadata`"));

        // Metadata of other code than the file records is refused where it is used.
        let mut swapped = d.clone();
        swapped.biosample.metadata = d.consent.metadata.clone();
        let e = swapped.biosample.metadata().unwrap_err().to_string();
        assert!(e.contains("is for code"), "{e}");

        // Format 2 (no metadata) still loads, for the indexer; calls ask for a new file.
        let mut two = serde_json::to_value(&bare).unwrap();
        two["format"] = 2.into();
        two["biosample"].as_object_mut().unwrap().remove("metadata");
        std::fs::write(&path, two.to_string()).unwrap();
        let old = Deployment::load(&path).unwrap();
        assert!(old
            .biosample
            .metadata()
            .unwrap_err()
            .to_string()
            .contains("run `bionft deploy` again"));

        // Format 1, as `bionft deploy` wrote it before the block was recorded.
        two["format"] = 1.into();
        two.as_object_mut().unwrap().remove("deployed_at_block");
        std::fs::write(&path, two.to_string()).unwrap();
        assert_eq!(Deployment::load(&path).unwrap().deployed_at_block, None);
        std::fs::remove_file(&path).unwrap();
        assert!(Deployment::load(&path).is_err());
    }
}

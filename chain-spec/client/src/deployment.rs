//! The deployment file: where the contracts live on which chain. `bionft
//! deploy` writes it; every other command (and the indexer) reads it.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use subxt::utils::AccountId32;

/// Current version of the file format.
pub const FORMAT: u32 = 1;

/// One deployed contract.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Deployed {
    /// SS58 address (generic prefix 42).
    pub address: String,
    /// `0x` + blake2-256 of the code.
    pub code_hash: String,
}

/// The deployment file.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    pub format: u32,
    pub endpoint: String,
    /// The chain's genesis hash; commands refuse to use the file on another chain.
    pub genesis_hash: String,
    pub biosample: Deployed,
    pub consent: Deployed,
}

impl Deployed {
    pub fn account(&self) -> Result<AccountId32> {
        crate::keys::account(&self.address)
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
        if d.format != FORMAT {
            bail!(
                "{}: deployment format {} is not supported (expected {FORMAT})",
                path.display(),
                d.format
            );
        }
        Ok(d)
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

    #[test]
    fn round_trips_and_refuses_other_formats() {
        let d = Deployment {
            format: FORMAT,
            endpoint: "ws://127.0.0.1:9944".into(),
            genesis_hash: "0x00".into(),
            biosample: Deployed {
                address: "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY".into(),
                code_hash: "0x01".into(),
            },
            consent: Deployed {
                address: "5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty".into(),
                code_hash: "0x02".into(),
            },
        };
        let path =
            std::env::temp_dir().join(format!("bionft-deployment-{}.json", std::process::id()));
        d.save(&path).unwrap();
        assert_eq!(Deployment::load(&path).unwrap(), d);
        std::fs::write(
            &path,
            serde_json::to_vec(&Deployment { format: 99, ..d }).unwrap(),
        )
        .unwrap();
        assert!(Deployment::load(&path)
            .unwrap_err()
            .to_string()
            .contains("not supported"));
        std::fs::remove_file(&path).unwrap();
        assert!(Deployment::load(&path).is_err());
    }
}

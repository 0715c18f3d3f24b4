//! The deployment file: where the contracts live on which chain. `bionft
//! deploy` writes it; every other command (and the indexer) reads it.

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};
use std::path::Path;
use subxt::utils::AccountId32;

/// The file format `bionft deploy` writes. Format 2 added
/// `deployed_at_block`; format 1 files (without it) still load, with
/// `deployed_at_block: None`.
pub const FORMAT: u32 = 2;

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
        match (d.format, d.deployed_at_block) {
            (1, None) | (FORMAT, Some(_)) => Ok(d),
            (1, Some(_)) => bail!(
                "{}: a format 1 deployment file has no `deployed_at_block`; set `format` to {FORMAT} or run `bionft deploy` again",
                path.display()
            ),
            (FORMAT, None) => bail!(
                "{}: deployment format {FORMAT} needs `deployed_at_block` (the block the contracts were instantiated in)",
                path.display()
            ),
            (other, _) => bail!(
                "{}: deployment format {other} is not supported (this build reads formats 1 and {FORMAT}; a newer `bionft` wrote it?)",
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

    #[test]
    fn round_trips_and_refuses_other_formats() {
        let d = Deployment {
            format: FORMAT,
            endpoint: "ws://127.0.0.1:9944".into(),
            genesis_hash: "0x00".into(),
            deployed_at_block: Some(3),
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

        // A format 1 file, as `bionft deploy` wrote it before the block was recorded.
        let mut old = serde_json::to_value(&d).unwrap();
        old["format"] = 1.into();
        old.as_object_mut().unwrap().remove("deployed_at_block");
        std::fs::write(&path, old.to_string()).unwrap();
        assert_eq!(
            Deployment::load(&path).unwrap(),
            Deployment {
                format: 1,
                deployed_at_block: None,
                ..d
            }
        );
        std::fs::remove_file(&path).unwrap();
        assert!(Deployment::load(&path).is_err());
    }
}

//! Contract bundles (`.contract`) as `cargo xtask contracts` writes them: the
//! wasm code and the message selectors from the ink! metadata, so callers
//! encode calls from the metadata rather than recomputing selectors.

use anyhow::{anyhow, Context, Result};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A loaded `.contract` bundle.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub name: String,
    pub wasm: Vec<u8>,
    selectors: HashMap<String, [u8; 4]>,
}

impl Bundle {
    /// Loads a `.contract` file.
    pub fn load(path: &Path) -> Result<Bundle> {
        let bytes = std::fs::read(path).with_context(|| {
            format!(
                "{}: cannot read contract bundle (run `cargo xtask contracts`)",
                path.display()
            )
        })?;
        Self::parse(&bytes)
            .with_context(|| format!("{}: not a valid contract bundle", path.display()))
    }

    /// Loads `<workspace>/target/ink/<name>/<name>.contract`.
    pub fn built(name: &str) -> Result<Bundle> {
        Self::load(&built_path(name))
    }

    fn parse(bytes: &[u8]) -> Result<Bundle> {
        let json: serde_json::Value = serde_json::from_slice(bytes)?;
        let name = json["contract"]["name"]
            .as_str()
            .ok_or_else(|| anyhow!("no contract name"))?
            .to_string();
        let wasm = decode_hex(
            json["source"]["wasm"]
                .as_str()
                .ok_or_else(|| anyhow!("no wasm in the bundle"))?,
        )?;
        let mut selectors = HashMap::new();
        for kind in ["messages", "constructors"] {
            for m in json["spec"][kind]
                .as_array()
                .ok_or_else(|| anyhow!("metadata has no {kind}"))?
            {
                let label = m["label"]
                    .as_str()
                    .ok_or_else(|| anyhow!("a {kind} entry has no label"))?;
                let selector = decode_hex(
                    m["selector"]
                        .as_str()
                        .ok_or_else(|| anyhow!("{label} has no selector"))?,
                )?;
                let selector: [u8; 4] = selector
                    .try_into()
                    .map_err(|_| anyhow!("{label}: selector is not 4 bytes"))?;
                selectors.insert(label.to_string(), selector);
            }
        }
        Ok(Bundle {
            name,
            wasm,
            selectors,
        })
    }

    /// The selector of message or constructor `label` (e.g. `mint_sample`, `PSP34::owner_of`).
    pub fn selector(&self, label: &str) -> Result<[u8; 4]> {
        self.selectors
            .get(label)
            .copied()
            .ok_or_else(|| anyhow!("contract {} has no message `{label}`", self.name))
    }

    /// blake2-256 of the wasm: the code hash pallet-contracts gives it.
    pub fn code_hash(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        ink::env::hash_bytes::<ink::env::hash::Blake2x256>(&self.wasm, &mut out);
        out
    }

    /// Call data for `label` with SCALE-encoded `args`.
    pub fn call_data(&self, label: &str, args: impl scale::Encode) -> Result<Vec<u8>> {
        let mut data = self.selector(label)?.to_vec();
        args.encode_to(&mut data);
        Ok(data)
    }
}

/// Where `cargo xtask contracts` writes the bundle of contract `name`.
pub fn built_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("../target/ink/{name}/{name}.contract"))
}

fn decode_hex(s: &str) -> Result<Vec<u8>> {
    Ok(hex::decode(s.trim_start_matches("0x"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_selectors_and_refuses_malformed_bundles() {
        let json = br#"{"contract":{"name":"x"},"source":{"wasm":"0x0061736d"},
            "spec":{"messages":[{"label":"m","selector":"0x01020304"}],"constructors":[{"label":"new","selector":"0x9bae9d5e"}]}}"#;
        let b = Bundle::parse(json).unwrap();
        assert_eq!(b.selector("m").unwrap(), [1, 2, 3, 4]);
        assert_eq!(
            b.call_data("new", 7u8).unwrap(),
            vec![0x9b, 0xae, 0x9d, 0x5e, 7]
        );
        assert!(b.selector("missing").is_err());
        assert!(Bundle::parse(b"{}").is_err());
        assert!(
            Bundle::parse(br#"{"contract":{"name":"x"},"source":{"wasm":"0xzz"},"spec":{}}"#)
                .is_err()
        );
    }
}

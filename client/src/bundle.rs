//! The contracts' ink! metadata and code.
//!
//! [`Metadata`] is what every call needs: the contract's name, its code hash
//! and the message selectors, read from the metadata rather than recomputed.
//! `bionft deploy` stores it in the deployment file, so that every other
//! command (and any installed `bionft`) reads it from there: nothing is
//! loaded from a path fixed at build time. [`Bundle`] adds the wasm, which
//! only uploading code needs (deploy, upgrade): `.contract` files as `cargo
//! xtask contracts` writes them under `target/ink/<name>/`.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A contract's ink! metadata: name, code hash and selectors.
#[derive(Clone, Debug)]
pub struct Metadata {
    pub name: String,
    /// blake2-256 of the wasm (`source.hash`): the code hash pallet-contracts gives it.
    pub code_hash: [u8; 32],
    selectors: HashMap<String, [u8; 4]>,
    /// The metadata document itself, without the wasm.
    json: Value,
}

/// A `.contract` bundle: the metadata and the wasm it describes.
#[derive(Clone, Debug)]
pub struct Bundle {
    pub metadata: Metadata,
    pub wasm: Vec<u8>,
}

impl Metadata {
    /// Reads ink! metadata (a `.json` metadata file's document, or a
    /// `.contract` bundle's, whose wasm is dropped).
    pub fn from_json(mut json: Value) -> Result<Metadata> {
        let name = json["contract"]["name"]
            .as_str()
            .ok_or_else(|| anyhow!("no contract name"))?
            .to_string();
        let code_hash = decode_hex(
            json["source"]["hash"]
                .as_str()
                .ok_or_else(|| anyhow!("no source.hash"))?,
        )?
        .try_into()
        .map_err(|_| anyhow!("source.hash is not 32 bytes"))?;
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
        if let Some(source) = json["source"].as_object_mut() {
            source.remove("wasm");
        }
        Ok(Metadata {
            name,
            code_hash,
            selectors,
            json,
        })
    }

    /// The metadata document (without wasm), as stored in the deployment file.
    pub fn json(&self) -> &Value {
        &self.json
    }

    /// `0x` + hex of the code hash, as the deployment file writes it.
    pub fn code_hash_hex(&self) -> String {
        format!("0x{}", hex::encode(self.code_hash))
    }

    /// The selector of message or constructor `label` (e.g. `mint_sample`, `PSP34::owner_of`).
    pub fn selector(&self, label: &str) -> Result<[u8; 4]> {
        self.selectors
            .get(label)
            .copied()
            .ok_or_else(|| anyhow!("contract {} has no message `{label}`", self.name))
    }

    /// Call data for `label` with SCALE-encoded `args`.
    pub fn call_data(&self, label: &str, args: impl scale::Encode) -> Result<Vec<u8>> {
        let mut data = self.selector(label)?.to_vec();
        args.encode_to(&mut data);
        Ok(data)
    }
}

impl Bundle {
    /// Loads a `.contract` file, checking that its wasm has the hash its metadata states.
    pub fn load(path: &Path) -> Result<Bundle> {
        let bytes = std::fs::read(path).with_context(|| {
            format!(
                "{}: cannot read the contract bundle (build it with `cargo xtask contracts` in a BioNFT checkout, or give its path)",
                path.display()
            )
        })?;
        Self::parse(&bytes)
            .with_context(|| format!("{}: not a valid contract bundle", path.display()))
    }

    /// Loads contract `name` from a directory laid out as `cargo xtask
    /// contracts` writes it: `<dir>/<name>/<name>.contract`.
    pub fn from_dir(dir: &Path, name: &str) -> Result<Bundle> {
        Self::load(&bundle_path(dir, name))
    }

    fn parse(bytes: &[u8]) -> Result<Bundle> {
        let json: Value = serde_json::from_slice(bytes)?;
        let wasm = decode_hex(
            json["source"]["wasm"]
                .as_str()
                .ok_or_else(|| anyhow!("no wasm in the bundle"))?,
        )?;
        let metadata = Metadata::from_json(json)?;
        if code_hash(&wasm) != metadata.code_hash {
            bail!(
                "its wasm does not have the hash its metadata states ({})",
                metadata.code_hash_hex()
            );
        }
        Ok(Bundle { metadata, wasm })
    }
}

/// `<dir>/<name>/<name>.contract`.
pub fn bundle_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(name).join(format!("{name}.contract"))
}

/// blake2-256 of a contract's code: its code hash on pallet-contracts.
pub fn code_hash(wasm: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    ink::env::hash_bytes::<ink::env::hash::Blake2x256>(wasm, &mut out);
    out
}

fn decode_hex(s: &str) -> Result<Vec<u8>> {
    Ok(hex::decode(s.trim_start_matches("0x"))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle_json(wasm: &[u8], hash: [u8; 32]) -> String {
        format!(
            r#"{{"contract":{{"name":"x"}},"source":{{"wasm":"0x{}","hash":"0x{}"}},
            "spec":{{"messages":[{{"label":"m","selector":"0x01020304"}}],"constructors":[{{"label":"new","selector":"0x9bae9d5e"}}]}}}}"#,
            hex::encode(wasm),
            hex::encode(hash)
        )
    }

    #[test]
    fn parses_selectors_and_drops_the_wasm_from_the_metadata() {
        let wasm = b"\0asm\x01\0\0\0";
        let b = Bundle::parse(bundle_json(wasm, code_hash(wasm)).as_bytes()).unwrap();
        assert_eq!(b.wasm, wasm);
        assert_eq!(b.metadata.selector("m").unwrap(), [1, 2, 3, 4]);
        assert_eq!(
            b.metadata.call_data("new", 7u8).unwrap(),
            vec![0x9b, 0xae, 0x9d, 0x5e, 7]
        );
        assert!(b.metadata.selector("missing").is_err());
        // What the deployment file keeps: no wasm, and it reads back the same.
        assert!(b.metadata.json()["source"].get("wasm").is_none());
        let again = Metadata::from_json(b.metadata.json().clone()).unwrap();
        assert_eq!(again.code_hash, b.metadata.code_hash);
        assert_eq!(again.selector("m").unwrap(), [1, 2, 3, 4]);
    }

    #[test]
    fn refuses_malformed_bundles_and_wasm_that_does_not_match_its_hash() {
        assert!(Bundle::parse(b"{}").is_err());
        let bad_hex = bundle_json(b"", [0; 32]).replace("\"wasm\":\"0x\"", "\"wasm\":\"0xzz\"");
        assert!(Bundle::parse(bad_hex.as_bytes()).is_err());
        let wrong = Bundle::parse(bundle_json(b"\0asm", [7; 32]).as_bytes()).unwrap_err();
        assert!(
            wrong.to_string().contains("does not have the hash"),
            "{wrong}"
        );
    }
}

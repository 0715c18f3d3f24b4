//! Which chain to run: `--chain dev`, `--chain consortium` (the default) or a
//! path to a chain spec file.
//!
//! `dev` and `consortium` are the committed specs in `chain-spec/specs/`,
//! compiled into the binary, so the binary alone runs them wherever it is
//! installed. Regenerating a spec (`scripts/build-chain-spec.sh`) therefore
//! needs a node rebuild to take effect under these names; a path always reads
//! the file as it is.

use sc_service::{ChainSpec, GenericChainSpec};

/// The specs the node knows by name, with their bytes.
const BUILT_IN: [(&str, &[u8]); 2] = [
    ("dev", include_bytes!("../../specs/dev.raw.json")),
    (
        "consortium",
        include_bytes!("../../specs/consortium.raw.json"),
    ),
];

/// The chain when `--chain` is not given: the one a biobank operator runs.
const DEFAULT: &str = "consortium";

/// Loads `id`: a built-in name, or else a path to a spec file.
pub fn load(id: &str) -> Result<Box<dyn ChainSpec>, String> {
    let id = if id.is_empty() { DEFAULT } else { id };
    let spec: GenericChainSpec = match BUILT_IN.iter().find(|(name, _)| *name == id) {
        Some((_, bytes)) => GenericChainSpec::from_json_bytes(*bytes)?,
        None => GenericChainSpec::from_json_file(id.into()).map_err(|e| {
            format!(
                "--chain {id}: not `dev` or `consortium`, and not a readable chain spec file: {e}"
            )
        })?,
    };
    Ok(Box::new(spec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_specs_load_with_their_ids() {
        assert_eq!(load("dev").unwrap().id(), "bionft_dev");
        assert_eq!(load("consortium").unwrap().id(), "bionft_consortium");
    }

    #[test]
    fn no_name_is_the_consortium_and_an_unknown_one_a_path() {
        let err = load("no-such-chain").err().unwrap();
        assert!(err.contains("not `dev` or `consortium`"), "{err}");
        assert_eq!(load("").unwrap().id(), "bionft_consortium");
    }
}

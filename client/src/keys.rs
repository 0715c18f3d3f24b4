//! Signing keys and account names on the command line.
//!
//! A key is a secret URI (`//Alice`, a BIP-39 phrase with optional `//hard`
//! and `/soft` junctions, or `0x` + 32-byte hex seed), or the path of a file
//! holding one (so secrets stay out of shell history). An account is an SS58
//! address, `0x` + 32-byte hex, or a dev name (`//Alice`).

use anyhow::{anyhow, bail, Context, Result};
use std::path::Path;
use std::str::FromStr;
use subxt::utils::AccountId32;
use subxt_signer::{sr25519::Keypair, SecretUri};

/// Loads an sr25519 key from a secret URI or from a file containing one.
pub fn signer(spec: &str) -> Result<Keypair> {
    let uri = if looks_like_uri(spec) {
        spec.to_string()
    } else {
        let path = Path::new(spec);
        if !path.is_file() {
            bail!("key `{spec}` is neither a secret URI (e.g. //Alice, a mnemonic) nor a readable key file");
        }
        std::fs::read_to_string(path)
            .with_context(|| format!("reading key file {spec}"))?
            .trim()
            .to_string()
    };
    let uri = SecretUri::from_str(&uri).map_err(|e| anyhow!("invalid secret URI: {e}"))?;
    Keypair::from_uri(&uri).map_err(|e| anyhow!("cannot derive a key: {e}"))
}

fn looks_like_uri(spec: &str) -> bool {
    spec.starts_with("//") || spec.starts_with("0x") || spec.split_whitespace().count() >= 12
}

/// Parses an account: SS58, `0x` hex of 32 bytes, or a dev name (`//Bob`).
pub fn account(spec: &str) -> Result<AccountId32> {
    if spec.starts_with("//") {
        return Ok(signer(spec)?.public_key().to_account_id());
    }
    if let Some(hex) = spec.strip_prefix("0x") {
        let bytes: [u8; 32] = hex::decode(hex)
            .ok()
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| anyhow!("account `{spec}`: expected 0x and 64 hex digits"))?;
        return Ok(AccountId32(bytes));
    }
    AccountId32::from_str(spec).map_err(|e| anyhow!("account `{spec}`: not an SS58 address ({e})"))
}

/// The ink! account id for a chain account.
pub fn ink_account(a: &AccountId32) -> ink::primitives::AccountId {
    ink::primitives::AccountId::from(a.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_names_hex_and_ss58_name_the_same_account() {
        let alice = account("//Alice").unwrap();
        // Alice's well-known sr25519 dev account.
        assert_eq!(
            alice.to_string(),
            "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY"
        );
        assert_eq!(account(&alice.to_string()).unwrap(), alice);
        assert_eq!(
            account(&format!("0x{}", hex::encode(alice.0))).unwrap(),
            alice
        );
    }

    #[test]
    fn bad_keys_and_accounts_are_named() {
        assert!(account("0x1234")
            .unwrap_err()
            .to_string()
            .contains("64 hex digits"));
        assert!(account("not-an-address").is_err());
        assert!(signer("/no/such/key/file")
            .unwrap_err()
            .to_string()
            .contains("neither a secret URI"));
    }

    #[test]
    fn keys_load_from_files() {
        let dir = std::env::temp_dir().join(format!("bionft-key-{}", std::process::id()));
        std::fs::write(&dir, "//Bob\n").unwrap();
        let from_file = signer(dir.to_str().unwrap()).unwrap();
        std::fs::remove_file(&dir).unwrap();
        assert_eq!(
            from_file.public_key().to_account_id(),
            account("//Bob").unwrap()
        );
    }
}

//! The guardians' side of a sample: per-sample keys and the claim secret.
//!
//! **Per-sample keys.** A guardian (or a self-consenting adult) never acts on
//! chain with their own account: for each sample they act with a key derived
//! from their own key and the sample's salt (the secret the biobank and the
//! guardians keep off chain), by sr25519 hard derivation
//!
//! ```text
//! <key>//bionft//<hex of SHA3-256("bionft/guardian" ‖ salt)[..16]>
//! ```
//!
//! Hard derivation needs the secret key, so only the key's holder can compute
//! the per-sample account; accounts of two samples share nothing anybody else
//! can see, and a parent's siblings' samples are not linked through them. The
//! biobank learns only the per-sample account it writes into `mint_sample`
//! (it already knows which sample that is). Salts shorter than
//! [`MIN_SALT_LEN`] bytes are refused: a short salt can be guessed, which
//! would expose both the record commitments and this tag (issue 10, point 8).
//!
//! **The claim secret** is generated here, on the guardians' machine
//! ([`generate_claim_secret`]: 128 random bits as 12 BIP-39 words) and written to
//! a file only its owner can read; the biobank receives only its commitment
//! (`bionft_primitives::claim::keys::commitment_for_secret`). Secret files are read
//! with surrounding whitespace trimmed, so an editor's trailing newline does not
//! change the secret.

use anyhow::{anyhow, bail, Context, Result};
use sha3::{Digest, Sha3_256};
use std::io::Write;
use std::path::Path;
use subxt_signer::sr25519::Keypair;
use subxt_signer::DeriveJunction;

/// The shortest sample salt the client accepts, in bytes.
pub const MIN_SALT_LEN: usize = 16;

/// Domain separator of a sample's guardian-key tag.
pub const GUARDIAN_TAG_DOMAIN: &[u8] = b"bionft/guardian";

/// Refuses a salt shorter than [`MIN_SALT_LEN`].
pub fn check_salt(salt: &[u8], origin: &str) -> Result<()> {
    if salt.len() < MIN_SALT_LEN {
        bail!(
            "{origin}: the sample salt is {} bytes; at least {MIN_SALT_LEN} random bytes are needed \
             (a short salt can be guessed, exposing the sample's commitments and its guardians' keys)",
            salt.len()
        );
    }
    Ok(())
}

/// Reads a sample salt file (bytes as they are) and refuses a short salt.
pub fn read_salt(path: &Path) -> Result<Vec<u8>> {
    let salt = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    check_salt(&salt, &path.display().to_string())?;
    Ok(salt)
}

/// The derivation path component of a sample: hex of the first 16 bytes of
/// `SHA3-256("bionft/guardian" ‖ salt)`.
pub fn sample_tag(salt: &[u8]) -> Result<String> {
    check_salt(salt, "sample salt")?;
    let mut h = Sha3_256::new();
    h.update(GUARDIAN_TAG_DOMAIN);
    h.update(salt);
    Ok(hex::encode(&h.finalize()[..16]))
}

/// `key//bionft//<tag>`: the key with which `key`'s holder acts for the sample salted with `salt`.
pub fn per_sample_key(key: &Keypair, salt: &[u8]) -> Result<Keypair> {
    let tag = sample_tag(salt)?;
    Ok(key.derive([
        DeriveJunction::from("bionft").harden(),
        DeriveJunction::from(tag).harden(),
    ]))
}

/// A fresh claim secret: 128 bits from the operating system's CSPRNG as 12 BIP-39 words.
pub fn generate_claim_secret() -> Result<String> {
    let mut entropy = [0u8; 16];
    getrandom::getrandom(&mut entropy).map_err(|e| anyhow!("no system randomness: {e}"))?;
    let words = subxt_signer::bip39::Mnemonic::from_entropy(&entropy)
        .map_err(|e| anyhow!("encoding the secret as words: {e}"))?;
    Ok(words.to_string())
}

/// Writes `secret` to a new file readable and writable by its owner only
/// (0600); never overwrites an existing file.
pub fn write_secret_file(path: &Path, secret: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).with_context(|| {
        format!(
            "creating {} (an existing secret file is never overwritten)",
            path.display()
        )
    })?;
    writeln!(f, "{secret}").with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}

/// Reads a claim secret file, surrounding whitespace trimmed; refuses an empty one.
pub fn read_claim_secret(path: &Path) -> Result<Vec<u8>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let secret = bytes.trim_ascii().to_vec();
    if secret.is_empty() {
        bail!("{}: the claim secret file is empty", path.display());
    }
    Ok(secret)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::keys::signer;

    const SALT_A: &[u8] = b"sample A salt, 32 bytes long....";
    const SALT_B: &[u8] = b"sample B salt, 32 bytes long....";

    #[test]
    fn two_salts_give_two_unlinkable_accounts_and_the_uri_form_agrees() {
        let eve = signer("//Eve").unwrap();
        let a = per_sample_key(&eve, SALT_A).unwrap().public_key().0;
        let b = per_sample_key(&eve, SALT_B).unwrap().public_key().0;
        assert_ne!(a, b, "two samples, two accounts");
        assert_ne!(a, eve.public_key().0, "never the guardian's own account");
        assert_eq!(
            a,
            per_sample_key(&eve, SALT_A).unwrap().public_key().0,
            "deterministic"
        );
        // The documented form: <key>//bionft//<tag> as a secret URI.
        let uri = format!("//Eve//bionft//{}", sample_tag(SALT_A).unwrap());
        assert_eq!(signer(&uri).unwrap().public_key().0, a);
        // Another guardian with the same salt gets another account.
        let ferdie = signer("//Ferdie").unwrap();
        assert_ne!(per_sample_key(&ferdie, SALT_A).unwrap().public_key().0, a);
    }

    #[test]
    fn short_salts_are_refused_with_a_clear_error() {
        let eve = signer("//Eve").unwrap();
        let err = per_sample_key(&eve, b"15 bytes salt..").unwrap_err();
        assert!(err.to_string().contains("at least 16"), "{err}");
        assert!(per_sample_key(&eve, b"16 bytes salt...").is_ok());
        let path = std::env::temp_dir().join(format!("bionft-salt-{}", std::process::id()));
        std::fs::write(&path, b"short").unwrap();
        let err = read_salt(&path).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        assert!(err.to_string().contains("5 bytes"), "{err}");
    }

    #[test]
    fn claim_secrets_are_fresh_words_in_owner_only_files() {
        let s1 = generate_claim_secret().unwrap();
        let s2 = generate_claim_secret().unwrap();
        assert_ne!(s1, s2);
        assert_eq!(s1.split(' ').count(), 12, "{s1}");
        let path = std::env::temp_dir().join(format!("bionft-secret-{}", std::process::id()));
        let _ = std::fs::remove_file(&path);
        write_secret_file(&path, &s1).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(write_secret_file(&path, &s2).is_err(), "never overwritten");
        assert_eq!(read_claim_secret(&path).unwrap(), s1.as_bytes());
        std::fs::remove_file(&path).unwrap();
    }
}

//! Signing keys and account names.
//!
//! A key is a secret URI (`//Alice`, a BIP-39 phrase with optional `//hard`
//! and `/soft` junctions, or `0x` + 32-byte hex seed). An account is an SS58
//! address, `0x` + 32-byte hex, or a dev name (`//Alice`).
//!
//! [`signer`] takes a URI or a file for programs and tests. The command
//! line goes through [`KeyPolicy`], which keeps secrets off argv: `--key`
//! names a key file that only its owner can read, or a dev name (`//Alice`,
//! public to everyone) that only a development chain accepts; without
//! `--key` the secret comes from `BIONFT_KEY` or a prompt. No error names
//! the secret.

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
            bail!("the key is neither a secret URI (e.g. //Alice, a mnemonic) nor a readable key file");
        }
        std::fs::read_to_string(path)
            .with_context(|| format!("reading key file {}", path.display()))?
            .trim()
            .to_string()
    };
    parse_uri(&uri)
}

fn looks_like_uri(spec: &str) -> bool {
    spec.starts_with("//") || spec.starts_with("0x") || spec.split_whitespace().count() >= 12
}

/// Where a command line's key may come from, and whether dev names may sign.
pub struct KeyPolicy {
    /// The chain is a development chain (`system_chainType` Development or
    /// Local), or the user said so for an offline command.
    pub dev_keys_allowed: bool,
    /// What the chain calls itself, for the refusal (`Live`, or `offline`).
    pub chain_type: String,
}

/// The secret of a command line's key, before it is parsed.
pub enum KeyInput {
    /// `--key VALUE` as typed.
    Arg(String),
    /// `BIONFT_KEY`.
    Env(String),
    /// Typed at a prompt.
    Prompt(String),
}

impl KeyPolicy {
    /// Dev names sign only on a chain that calls itself a development chain
    /// (`system_chainType` `Development` or `Local`).
    pub async fn for_chain(chain: &crate::chain::Chain) -> Result<KeyPolicy> {
        let chain_type = chain.chain_type().await?;
        Ok(KeyPolicy {
            dev_keys_allowed: matches!(chain_type.as_str(), "Development" | "Local"),
            chain_type,
        })
    }

    /// A command line's key: `--key` (`arg`), else `BIONFT_KEY`, else a
    /// prompt on the terminal (not echoed); an error when none is there.
    pub fn from_command_line(&self, arg: Option<&str>) -> Result<Keypair> {
        use std::io::IsTerminal;
        let input = match (arg, std::env::var("BIONFT_KEY")) {
            (Some(arg), _) => KeyInput::Arg(arg.to_string()),
            (None, Ok(secret)) => KeyInput::Env(secret),
            (None, Err(_)) if std::io::stdin().is_terminal() => KeyInput::Prompt(
                rpassword::prompt_password("secret key (BIP-39 phrase or 0x seed; not echoed): ")
                    .context("reading the key from the terminal")?,
            ),
            (None, Err(_)) => bail!(
                "no key: give --key FILE (a key file only you can read), set BIONFT_KEY, or run in a terminal to type it"
            ),
        };
        self.signer(input)
    }

    /// The signing key from `input`, by the rules in the module doc.
    pub fn signer(&self, input: KeyInput) -> Result<Keypair> {
        let (uri, from) = match input {
            KeyInput::Arg(arg) if arg.starts_with("//") => (arg, "--key"),
            KeyInput::Arg(arg) if looks_like_uri(&arg) => bail!(
                "--key takes a key file or a dev name, not a secret: the command line stays in shell history and `ps`. \
                 Put the secret in a file only you can read (chmod 600) and pass its path, set BIONFT_KEY, or leave --key out to be prompted"
            ),
            KeyInput::Arg(path) => (read_key_file(Path::new(&path))?, "the key file"),
            KeyInput::Env(uri) => (uri, "BIONFT_KEY"),
            KeyInput::Prompt(uri) => (uri, "the key typed"),
        };
        let uri = uri.trim();
        if is_dev_name(uri) && !self.dev_keys_allowed {
            bail!(
                "{from} is a development key (//Name), which anyone can sign with: accepted only on a development chain, and this one is {}",
                self.chain_type
            );
        }
        parse_uri(uri).with_context(|| format!("{from}: not a usable key"))
    }
}

/// A dev name: a URI made of hard junctions only, derived from the public
/// development phrase (`//Alice`, `//Eve//stash`).
fn is_dev_name(uri: &str) -> bool {
    uri.starts_with("//")
}

/// Reads a key file, refusing one that others can read.
fn read_key_file(path: &Path) -> Result<String> {
    if !path.is_file() {
        // Not echoed: a mistyped secret is no file either.
        bail!("--key: no such key file (--key takes a key file, or a dev name like //Alice on a development chain)");
    }
    String::from_utf8(read_owner_only(path)?)
        .with_context(|| format!("key file {} is not text", path.display()))
}

/// Reads a secret file (any key: sr25519 URIs here, the data host's visa
/// key), refusing one that others can read.
pub fn read_owner_only(path: &Path) -> Result<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .with_context(|| format!("reading key file {}", path.display()))?
            .permissions()
            .mode()
            & 0o777;
        if mode & 0o077 != 0 {
            bail!(
                "key file {} can be read by others (mode {mode:03o}); make it yours alone: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
    std::fs::read(path).with_context(|| format!("reading key file {}", path.display()))
}

/// Parses a secret URI without echoing it (nor the parser's message, which may quote it).
fn parse_uri(uri: &str) -> Result<Keypair> {
    let uri = SecretUri::from_str(uri).map_err(|_| {
        anyhow!("not a secret URI (a BIP-39 phrase, 0x + 64 hex digits, or //Name)")
    })?;
    Keypair::from_uri(&uri).map_err(|_| {
        anyhow!("cannot derive a key from it (a word not in the BIP-39 list, or a bad checksum?)")
    })
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

    const PHRASE: &str = "bottom drive obey lake curtain smoke basket hold race lonely fit walk";

    fn policy(dev: bool) -> KeyPolicy {
        KeyPolicy {
            dev_keys_allowed: dev,
            chain_type: if dev { "Development" } else { "Live" }.into(),
        }
    }

    fn key_file(dir: &tempfile::TempDir, content: &str, mode: u32) -> String {
        let path = dir.path().join(format!("key-{mode:o}"));
        std::fs::write(&path, content).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        }
        path.to_str().unwrap().to_string()
    }

    #[test]
    fn the_command_line_takes_owner_only_key_files_and_never_a_secret() {
        let dir = tempfile::tempdir().unwrap();
        let live = policy(false);
        let from_file = live
            .signer(KeyInput::Arg(key_file(&dir, PHRASE, 0o600)))
            .unwrap();
        assert_eq!(
            from_file.public_key().0,
            signer(PHRASE).unwrap().public_key().0
        );
        // The same secret from the environment or a prompt.
        for input in [
            KeyInput::Env(PHRASE.into()),
            KeyInput::Prompt(format!("{PHRASE}\n")),
        ] {
            assert_eq!(
                live.signer(input).unwrap().public_key().0,
                from_file.public_key().0
            );
        }
        // A secret on argv, a group-readable file, a missing file: refused, never echoed.
        let words: Vec<&str> = PHRASE.split(' ').collect();
        for (input, expect) in [
            (KeyInput::Arg(PHRASE.into()), "not a secret"),
            (
                KeyInput::Arg(format!("0x{}", "ab".repeat(32))),
                "not a secret",
            ),
            (KeyInput::Arg(key_file(&dir, PHRASE, 0o640)), "chmod 600"),
            (KeyInput::Arg(words[..11].join(" ")), "no such key file"),
            (KeyInput::Env(words[..11].join(" ")), "not a usable key"),
        ] {
            let e = format!("{:#}", live.signer(input).unwrap_err());
            assert!(e.contains(expect), "{e}");
            assert!(
                !words.iter().any(|w| e.contains(w)),
                "a secret word echoed: {e}"
            );
        }
    }

    #[test]
    fn dev_names_sign_only_on_a_development_chain_however_they_come() {
        let dir = tempfile::tempdir().unwrap();
        let alice = signer("//Alice").unwrap().public_key().0;
        assert_eq!(
            policy(true)
                .signer(KeyInput::Arg("//Alice".into()))
                .unwrap()
                .public_key()
                .0,
            alice
        );
        for input in [
            KeyInput::Arg("//Alice".into()),
            KeyInput::Arg(key_file(&dir, "//Alice\n", 0o600)),
            KeyInput::Env("//Alice".into()),
        ] {
            let e = format!("{:#}", policy(false).signer(input).unwrap_err());
            assert!(e.contains("development key") && e.contains("Live"), "{e}");
        }
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

//! The host's configuration file (JSON): where the chain is, the host's
//! key, and which file is which record.
//!
//! ```json
//! {
//!   "endpoint": "ws://127.0.0.1:9944",
//!   "deployment": "deployment.json",
//!   "key": "dave.key",
//!   "listen": "127.0.0.1:8090",
//!   "public_url": "http://127.0.0.1:8090",
//!   "session_secs": 3600, "ticket_secs": 300, "max_skew_secs": 60,
//!   "visa_key": "visa.p8", "visa_secs": 3600,
//!   "files": [
//!     { "id": "nb-bam", "record": 5, "path": "newborn.bam" },
//!     { "id": "nb-cram", "record": 5, "path": "newborn.cram", "reference": "ce.fa" },
//!     { "id": "trio-vcf", "record": 17, "path": "trio.vcf" }
//!   ]
//! }
//! ```
//!
//! `key` is a file holding the data host's secret URI, readable by its owner
//! alone (or, on a development chain, a dev name such as `//Dave`): the same
//! rules as `bionft --key`. Relative paths are read from the config file's
//! directory. `public_url` (default `http://<listen>`) is how
//! researchers reach the host; ticket URLs start with it.

use anyhow::{bail, Context, Result};
use bionft_primitives::RecordId;
use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub endpoint: String,
    pub deployment: PathBuf,
    pub key: String,
    pub listen: SocketAddr,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_url: Option<String>,
    /// A session (grantee, record, purpose) logs one receipt and lasts this long.
    #[serde(default = "default_session_secs")]
    pub session_secs: u64,
    /// How long a ticket's URLs may be fetched.
    #[serde(default = "default_ticket_secs")]
    pub ticket_secs: u64,
    /// How far a signed request's timestamp may be from the host's clock.
    #[serde(default = "default_skew_secs")]
    pub max_skew_secs: u64,
    /// The ES256 key (PKCS#8, owner-only; `bionft-host visa-key FILE` makes
    /// one) that signs GA4GH visas; without it the host issues none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub visa_key: Option<PathBuf>,
    /// A visa lasts at most this long (and never past its grants' expiry).
    #[serde(default = "default_visa_secs")]
    pub visa_secs: u64,
    pub files: Vec<FileConfig>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The htsget id researchers ask for.
    pub id: String,
    /// The record on chain this file is.
    pub record: RecordId,
    pub path: PathBuf,
    /// FASTA reference of a CRAM file (for its proofs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<PathBuf>,
}

fn default_session_secs() -> u64 {
    3600
}
fn default_ticket_secs() -> u64 {
    300
}
fn default_skew_secs() -> u64 {
    60
}
fn default_visa_secs() -> u64 {
    3600
}

impl Config {
    /// Reads `path`, resolving relative paths against its directory.
    pub fn load(path: &Path) -> Result<Config> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        let config: Config = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a bionft-host config", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.resolved(base)
    }

    /// Paths made absolute against `base`, and the file ids checked.
    pub fn resolved(mut self, base: &Path) -> Result<Config> {
        let at = |p: &Path| {
            if p.is_absolute() {
                p.to_path_buf()
            } else {
                base.join(p)
            }
        };
        self.deployment = at(&self.deployment);
        self.visa_key = self.visa_key.as_deref().map(at);
        if !self.key.starts_with("//") {
            self.key = at(Path::new(&self.key)).display().to_string();
        }
        let mut ids = std::collections::BTreeSet::new();
        for f in &mut self.files {
            if f.id.is_empty()
                || !f
                    .id
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b))
            {
                bail!("file id {:?}: use letters, digits, '-', '_' or '.'", f.id);
            }
            if !ids.insert(f.id.clone()) {
                bail!("file id {:?} appears twice", f.id);
            }
            f.path = at(&f.path);
            f.reference = f.reference.as_deref().map(at);
        }
        Ok(self)
    }

    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.listen))
            .trim_end_matches('/')
            .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(files: &str) -> Result<Config> {
        let text = format!(
            r#"{{"endpoint":"ws://x","deployment":"d.json","key":"k","listen":"127.0.0.1:1","files":{files}}}"#
        );
        serde_json::from_str::<Config>(&text)?.resolved(Path::new("/etc/host"))
    }

    #[test]
    fn relative_paths_are_read_from_the_config_directory() {
        let c =
            config(r#"[{"id":"a.bam","record":5,"path":"a.bam","reference":"/r/ce.fa"}]"#).unwrap();
        assert_eq!(c.deployment, PathBuf::from("/etc/host/d.json"));
        assert_eq!(c.key, "/etc/host/k");
        assert_eq!(c.files[0].path, PathBuf::from("/etc/host/a.bam"));
        assert_eq!(c.files[0].reference, Some(PathBuf::from("/r/ce.fa")));
        assert_eq!(c.public_url(), "http://127.0.0.1:1");
        assert_eq!(
            (c.session_secs, c.ticket_secs, c.max_skew_secs, c.visa_secs),
            (3600, 300, 60, 3600)
        );
        assert_eq!(c.visa_key, None);
    }

    #[test]
    fn ids_must_be_unique_and_url_safe() {
        assert!(
            config(r#"[{"id":"a","record":1,"path":"x"},{"id":"a","record":2,"path":"y"}]"#)
                .is_err()
        );
        assert!(config(r#"[{"id":"a/b","record":1,"path":"x"}]"#).is_err());
        assert!(config(r#"[{"id":"a","record":1,"path":"x","extra":1}]"#).is_err());
    }
}

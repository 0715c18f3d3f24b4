//! The indexer's HTTP API as the command line reads it: what an account acts
//! for and holds (`bionft guardian list`, `bionft researcher grants`). The
//! chain has no index by account; the indexer builds one from the contracts'
//! events (see `indexer/`).

use anyhow::{anyhow, bail, Context, Result};
use serde_json::Value;

/// An indexer at `base`, e.g. `http://127.0.0.1:8080`.
pub struct Indexer {
    base: String,
    agent: ureq::Agent,
}

impl Indexer {
    pub fn new(base: &str) -> Indexer {
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(std::time::Duration::from_secs(30)))
            .build()
            .into();
        Indexer {
            base: base.trim_end_matches('/').to_string(),
            agent,
        }
    }

    /// `GET path` as JSON; an error answer comes back with the indexer's own message.
    pub fn get(&self, path: &str) -> Result<Value> {
        let url = format!("{}{path}", self.base);
        let mut response = self.agent.get(&url).call().with_context(|| {
            format!(
                "cannot reach the indexer at {} (is `bionft-indexer run` serving? --indexer sets its address)",
                self.base
            )
        })?;
        let status = response.status();
        let body: Value = response
            .body_mut()
            .read_json()
            .with_context(|| format!("{url}: the answer is not JSON"))?;
        if !status.is_success() {
            bail!(
                "{url}: {} ({status})",
                body["error"]["message"]
                    .as_str()
                    .unwrap_or("the indexer refused the request")
            );
        }
        Ok(body)
    }

    /// Every item of a paged listing (`{items, next}`), following `after=next`.
    pub fn all(&self, path: &str) -> Result<Vec<Value>> {
        let mut items = Vec::new();
        let mut after: Option<i64> = None;
        loop {
            let page = match after {
                None => self.get(path)?,
                Some(a) => self.get(&format!("{path}?after={a}"))?,
            };
            items.extend(
                page["items"]
                    .as_array()
                    .ok_or_else(|| anyhow!("{path}: not a listing"))?
                    .iter()
                    .cloned(),
            );
            match page["next"].as_i64() {
                Some(next) => after = Some(next),
                None => return Ok(items),
            }
        }
    }
}

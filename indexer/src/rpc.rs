//! The live [`BlockSource`]: finalized blocks of a node over JSON-RPC
//! (subxt's legacy backend, through `bionft-client`). Transient RPC failures
//! are retried here with a short back-off; only lasting ones reach the
//! follower, which then stops.

use crate::source::{Block, BlockRef, BlockSource, ContractEvent, SourceError};
use bionft_client::chain::Chain;
use std::future::Future;
use std::time::Duration;

/// Attempts per RPC request before the error reaches the follower.
const ATTEMPTS: u32 = 4;

/// A node's finalized blocks.
pub struct RpcSource {
    chain: Chain,
}

impl RpcSource {
    /// Connects to `endpoint` (`ws://…`).
    pub async fn connect(endpoint: &str) -> Result<RpcSource, SourceError> {
        let chain = Chain::connect(endpoint)
            .await
            .map_err(|e| SourceError(format!("{e:#}")))?;
        Ok(RpcSource { chain })
    }
}

async fn retrying<T, F, Fut>(what: &str, mut call: F) -> Result<T, SourceError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<T>>,
{
    let mut delay = Duration::from_millis(200);
    for attempt in 1..=ATTEMPTS {
        match call().await {
            Ok(v) => return Ok(v),
            Err(e) if attempt == ATTEMPTS => {
                return Err(SourceError(format!(
                    "{what}: {e:#} (after {ATTEMPTS} attempts)"
                )))
            }
            Err(_) => {
                tokio::time::sleep(delay).await;
                delay *= 3;
            }
        }
    }
    unreachable!("the last attempt returns")
}

impl BlockSource for RpcSource {
    async fn finalized_head(&self) -> Result<BlockRef, SourceError> {
        let (number, hash) = retrying("finalized head", || self.chain.finalized_head()).await?;
        Ok(BlockRef { number, hash })
    }

    async fn block(&self, number: u32) -> Result<Option<Block>, SourceError> {
        let contents = retrying(&format!("block {number}"), || {
            self.chain.finalized_block(number)
        })
        .await?;
        Ok(contents.map(|b| Block {
            number: b.number,
            hash: b.hash,
            parent_hash: b.parent_hash,
            timestamp: b.timestamp,
            events: b
                .events
                .into_iter()
                .map(|e| ContractEvent {
                    contract: e.contract,
                    topics: e.topics,
                    data: e.data,
                })
                .collect(),
        }))
    }
}

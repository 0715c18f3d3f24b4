//! The live [`BlockSource`]: finalized blocks of a node over JSON-RPC
//! (through `bionft-client`'s subxt connection).
//!
//! A range of blocks costs one `chain_getBlockHash` for all their hashes,
//! then two requests per block, `chain_getHeader` and one
//! `state_queryStorageAt` for the block's events, timestamp and runtime
//! version, sent concurrently with at most `window` blocks in flight and
//! reassembled in order. Events are decoded with the metadata of the runtime
//! that wrote them, fetched once per runtime version, so a runtime upgrade
//! mid-chain is read correctly.
//!
//! The connection is made lazily and dropped on any failure; the next call
//! connects again. Retrying, back-off and reporting are the follower's
//! ([`crate::follow`]); every failure is returned at once.

use crate::source::{Block, BlockRef, BlockSource, ContractEvent, SourceError};
use anyhow::{anyhow, Context};
use bionft_client::chain::{contract_emitted, Chain, Config};
use futures::{StreamExt, TryStreamExt};
use scale::{Compact, Decode};
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use subxt::client::{ClientAtBlock, OnlineClientAtBlockImpl};
use subxt::config::RpcConfigFor;
use subxt::rpcs::methods::LegacyRpcMethods;
use subxt::rpcs::rpc_params;
use subxt::utils::H256;

/// How long one request may take before the connection counts as lost.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);

/// The storage a block is read from: its events, its time and the runtime
/// version that executed it.
struct Keys {
    events: Vec<u8>,
    now: Vec<u8>,
    runtime: Vec<u8>,
}

/// A plain storage value's key: `twox128(pallet) ‖ twox128(item)`.
fn storage_key(pallet: &str, item: &str) -> Vec<u8> {
    let mut key = sp_crypto_hashing::twox_128(pallet.as_bytes()).to_vec();
    key.extend(sp_crypto_hashing::twox_128(item.as_bytes()));
    key
}

impl Keys {
    fn new() -> Keys {
        Keys {
            events: storage_key("System", "Events"),
            now: storage_key("Timestamp", "Now"),
            runtime: storage_key("System", "LastRuntimeUpgrade"),
        }
    }
}

type AtBlock = ClientAtBlock<Config, OnlineClientAtBlockImpl<Config>>;

/// One connection, with the runtimes (metadata) seen through it.
struct Connection {
    chain: Chain,
    methods: LegacyRpcMethods<RpcConfigFor<Config>>,
    /// A client at some block of each runtime version, by `spec_version`.
    runtimes: tokio::sync::Mutex<HashMap<u32, AtBlock>>,
}

/// A node's finalized blocks.
pub struct RpcSource {
    endpoint: String,
    window: usize,
    keys: Keys,
    connection: tokio::sync::Mutex<Option<Arc<Connection>>>,
}

impl RpcSource {
    /// A source reading `endpoint` (`ws://…`) with up to `window` blocks in
    /// flight. Nothing is connected until the first request.
    pub fn new(endpoint: &str, window: usize) -> RpcSource {
        RpcSource {
            endpoint: endpoint.to_string(),
            window: window.max(1),
            keys: Keys::new(),
            connection: tokio::sync::Mutex::new(None),
        }
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    async fn connection(&self) -> anyhow::Result<Arc<Connection>> {
        let mut slot = self.connection.lock().await;
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let chain = tokio::time::timeout(REQUEST_TIMEOUT, Chain::connect(&self.endpoint))
            .await
            .map_err(|_| anyhow!("no answer within {} s", REQUEST_TIMEOUT.as_secs()))??;
        let c = Arc::new(Connection {
            methods: LegacyRpcMethods::new(chain.rpc().clone()),
            chain,
            runtimes: tokio::sync::Mutex::new(HashMap::new()),
        });
        *slot = Some(c.clone());
        Ok(c)
    }

    /// Runs `call` on the connection; on failure, drops the connection so
    /// that the next call makes a new one.
    async fn on_connection<T, Fut>(
        &self,
        what: &str,
        call: impl FnOnce(Arc<Connection>) -> Fut,
    ) -> Result<T, SourceError>
    where
        Fut: Future<Output = anyhow::Result<T>>,
    {
        let failed = |e: anyhow::Error| SourceError(format!("{}: {what}: {e:#}", self.endpoint));
        let c = self.connection().await.map_err(failed)?;
        match call(c.clone()).await {
            Ok(v) => Ok(v),
            Err(e) => {
                let mut slot = self.connection.lock().await;
                if slot.as_ref().is_some_and(|held| Arc::ptr_eq(held, &c)) {
                    *slot = None;
                }
                Err(failed(e))
            }
        }
    }
}

/// `fut`, or an error once it took longer than [`REQUEST_TIMEOUT`].
async fn timed<T, E>(what: &str, fut: impl Future<Output = Result<T, E>>) -> anyhow::Result<T>
where
    E: std::error::Error + Send + Sync + 'static,
{
    tokio::time::timeout(REQUEST_TIMEOUT, fut)
        .await
        .map_err(|_| anyhow!("{what}: no answer within {} s", REQUEST_TIMEOUT.as_secs()))?
        .with_context(|| what.to_string())
}

impl Connection {
    /// Block `number` with hash `hash`, read with the keys' storage.
    async fn block(&self, keys: &Keys, number: u32, hash: H256) -> anyhow::Result<Block> {
        let storage_keys = [&keys.events[..], &keys.now[..], &keys.runtime[..]];
        let (header, storage) = tokio::try_join!(
            timed("chain_getHeader", self.methods.chain_get_header(Some(hash))),
            timed(
                "state_queryStorageAt",
                self.methods
                    .state_query_storage_at(storage_keys.iter().copied(), Some(hash))
            ),
        )?;
        let header = header.ok_or_else(|| anyhow!("no header for block {number} ({hash:?})"))?;
        let mut values: HashMap<Vec<u8>, Vec<u8>> = HashMap::new();
        for set in storage {
            for (key, value) in set.changes {
                if let Some(value) = value {
                    values.insert(key.0, value.0);
                }
            }
        }
        let timestamp = match values.get(&keys.now) {
            Some(v) => u64::decode(&mut &v[..]).context("Timestamp.Now")?,
            None => 0,
        };
        // LastRuntimeUpgradeInfo starts with the compact spec version.
        let spec_version = match values.get(&keys.runtime) {
            Some(v) => Some(
                Compact::<u32>::decode(&mut &v[..])
                    .context("System.LastRuntimeUpgrade")?
                    .0,
            ),
            None => None,
        };
        let at = self.runtime(spec_version, hash, header.number).await?;
        let mut events = Vec::new();
        let bytes = values.remove(&keys.events).unwrap_or_default();
        for ev in at.events().from_bytes(bytes).iter() {
            if let Some(e) =
                contract_emitted(&ev.with_context(|| format!("block {number}: events"))?)?
            {
                events.push(ContractEvent {
                    contract: e.contract,
                    topics: e.topics,
                    data: e.data,
                });
            }
        }
        Ok(Block {
            number: u32::try_from(header.number)
                .map_err(|_| anyhow!("block {number}: header number {}", header.number))?,
            hash: hash.0,
            parent_hash: header.parent_hash.0,
            timestamp,
            events,
        })
    }

    /// A client with the metadata of runtime `spec_version` (the one that
    /// executed block `hash`), fetched at that block the first time.
    async fn runtime(
        &self,
        spec_version: Option<u32>,
        hash: H256,
        number: u64,
    ) -> anyhow::Result<AtBlock> {
        let mut runtimes = self.runtimes.lock().await;
        if let Some(at) = spec_version.and_then(|v| runtimes.get(&v)) {
            return Ok(at.clone());
        }
        let at = timed(
            "runtime metadata",
            self.chain.api().at_block_hash_and_number(hash, number),
        )
        .await?;
        if let Some(v) = spec_version {
            runtimes.insert(v, at.clone());
        }
        Ok(at)
    }
}

impl BlockSource for RpcSource {
    async fn finalized_head(&self) -> Result<BlockRef, SourceError> {
        self.on_connection("finalized head", |c| async move {
            let (number, hash) = tokio::time::timeout(REQUEST_TIMEOUT, c.chain.finalized_head())
                .await
                .map_err(|_| anyhow!("no answer within {} s", REQUEST_TIMEOUT.as_secs()))??;
            Ok(BlockRef { number, hash })
        })
        .await
    }

    async fn blocks(&self, first: u32, last: u32) -> Result<Vec<Block>, SourceError> {
        let keys = &self.keys;
        let window = self.window;
        self.on_connection(&format!("blocks {first}–{last}"), |c| async move {
            let numbers: Vec<u32> = (first..=last).collect();
            let hashes: Vec<Option<H256>> = timed(
                "chain_getBlockHash",
                c.chain
                    .rpc()
                    .request("chain_getBlockHash", rpc_params![numbers]),
            )
            .await?;
            let known = hashes.into_iter().map_while(|h| h);
            futures::stream::iter(known.zip(first..))
                .map(|(hash, number)| c.block(keys, number, hash))
                .buffered(window)
                .try_collect()
                .await
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_keys_are_the_well_known_ones() {
        let keys = Keys::new();
        assert_eq!(
            hex::encode(keys.events),
            "26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7"
        );
        assert_eq!(
            hex::encode(keys.now),
            "f0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb"
        );
    }
}

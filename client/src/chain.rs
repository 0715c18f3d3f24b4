//! A connection to the BioNFT chain over JSON-RPC (subxt, legacy backend):
//! dry-run contract calls through the `ContractsApi` runtime API, submit them
//! as `Contracts.call` extrinsics, and read back the contract events they
//! emitted, with contract failures reported by the contract's own error name.

use crate::bundle::{Bundle, Metadata};
use anyhow::{anyhow, bail, Context, Result};
use scale::{Decode, Encode};
use std::sync::Arc;
use subxt::backend::LegacyBackend;
use subxt::client::OnlineClientAtBlockImpl;
use subxt::config::RpcConfigFor;
use subxt::dynamic::Value;
use subxt::metadata::ArcMetadata;
use subxt::rpcs::methods::LegacyRpcMethods;
use subxt::utils::AccountId32;
use subxt::{OnlineClient, PolkadotConfig};
use subxt_signer::sr25519::Keypair;

/// The chain's configuration as subxt sees it (AccountId32, `MultiAddress<_, ()>`, u32 blocks).
pub type Config = PolkadotConfig;

/// pallet-contracts' `Weight` as SCALE encodes it.
#[derive(Encode, Decode, Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Weight {
    #[codec(compact)]
    pub ref_time: u64,
    #[codec(compact)]
    pub proof_size: u64,
}

#[derive(Decode, Clone, Copy, Debug)]
enum StorageDeposit {
    Refund(u128),
    Charge(u128),
}

impl StorageDeposit {
    /// Positive when the caller pays, negative on refund.
    fn signed(self) -> i128 {
        match self {
            StorageDeposit::Charge(c) => c as i128,
            StorageDeposit::Refund(r) => -(r as i128),
        }
    }
}

/// The leading fields of pallet-contracts' `ContractResult`, common to calls
/// and instantiations (the rest is decoded per kind).
#[derive(Decode, Debug)]
struct ResultHead {
    _gas_consumed: Weight,
    gas_required: Weight,
    storage_deposit: StorageDeposit,
    debug_message: Vec<u8>,
}

/// `ExecReturnValue`: flags (bit 0 = revert) and the returned bytes.
#[derive(Decode, Debug)]
struct ExecReturnValue {
    flags: u32,
    data: Vec<u8>,
}

/// What a dry run says a call would do.
#[derive(Debug)]
pub struct DryRun {
    pub gas_required: Weight,
    /// Deposit the caller would pay (negative: refund).
    pub storage_deposit: i128,
    pub reverted: bool,
    /// The message's SCALE-encoded return value (`MessageResult<T>`).
    pub data: Vec<u8>,
}

/// An event a contract emitted in a finalized block.
#[derive(Debug, Clone)]
pub struct Emitted {
    pub contract: [u8; 32],
    pub topics: Vec<[u8; 32]>,
    pub data: Vec<u8>,
}

/// A submitted, finalized extrinsic.
#[derive(Debug)]
pub struct Finalized {
    pub block_hash: [u8; 32],
    pub events: Vec<Emitted>,
}

/// A contract refused a call: the message, and the contract's error by name.
#[derive(Debug)]
pub struct ContractRefused {
    pub contract: String,
    pub message: String,
    pub error: String,
}

impl std::fmt::Display for ContractRefused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}::{} refused: {}",
            self.contract, self.message, self.error
        )?;
        match refusal_in_words(&self.error) {
            Some(words) => write!(f, " ({words})"),
            None => Ok(()),
        }
    }
}

/// What the refusals users meet most, and every reason `check_access`
/// denies access for, mean in words (keyed by the contracts' variant names).
pub fn refusal_in_words(error: &str) -> Option<&'static str> {
    Some(match error {
        "NotAttested" => "the custodian biobank has not attested this account as the grown-up subject: it verifies the claimant in person and runs `bionft biobank attest` first",
        "ClaimMismatch" => "the signature does not open the sample's claim commitment: not the claim secret the guardians generated",
        "MajorityNotReached" => "the sample's majority month has not begun",
        "MajorityInPast" => "the majority month has already begun: mint an adult's sample with `bionft biobank mint-adult`",
        "MajorityClaimed" => "the subject is already set",
        "GuardianshipEnded" => "guardians' authority ended at the majority month",
        "Paused" => "governance paused every write (`bionft governance resume`)",
        "NotAssignedSequencer" => "the custodian has not assigned this sequencer to every contributing sample (`bionft biobank assign-sequencer`)",
        "UnknownRecord" => "no such record",
        "InvalidPurpose" => "the requested purpose is not a well-formed DUO purpose",
        "RecordWithdrawn" => "the record, or one it derives from, was withdrawn",
        "RecordSuperseded" => "the record was superseded by a re-processed record: use the new one",
        "NoGrant" => "no grant to this grantee covers the record for one of its samples",
        "OutsideScope" => "the grant covers another part of the lineage",
        "GrantRevoked" => "the grant was revoked",
        "ConsentWithdrawn" => "the subject's consent was withdrawn after the grant was issued",
        "IssuerNoLongerGuardian" => "the guardian who issued the grant resigned or was removed",
        "LapsedAtMajority" => "the guardians' grant lapsed at the subject's majority and the subject has not confirmed it",
        "GrantExpired" => "the grant has expired",
        "PurposeNotPermitted" => "the grant's DUO purpose does not permit this purpose",
        _ => return None,
    })
}

impl std::error::Error for ContractRefused {}

/// A contract instantiated by [`Chain::instantiate`].
#[derive(Debug, Clone)]
pub struct Instantiated {
    pub address: AccountId32,
    pub code_hash: [u8; 32],
    /// The finalized block that holds the instantiation.
    pub block: u32,
}

/// A connection to a node.
#[derive(Clone)]
pub struct Chain {
    api: OnlineClient<Config>,
    rpc: LegacyRpcMethods<RpcConfigFor<Config>>,
    raw: subxt::rpcs::RpcClient,
    endpoint: String,
}

/// Gas headroom over the dry run's `gas_required` (percent).
const GAS_MARGIN_PERCENT: u64 = 20;

impl Chain {
    /// Connects to `endpoint` (`ws://` or `wss://`).
    pub async fn connect(endpoint: &str) -> Result<Chain> {
        let rpc = subxt::rpcs::RpcClient::from_insecure_url(endpoint)
            .await
            .with_context(|| {
                format!("cannot connect to {endpoint} (is the chain running? `scripts/devnet.sh`)")
            })?;
        let methods = LegacyRpcMethods::new(rpc.clone());
        let backend = LegacyBackend::<Config>::builder().build(rpc.clone());
        let api = OnlineClient::from_backend(Arc::new(backend))
            .await
            .with_context(|| format!("{endpoint}: not a usable Substrate node"))?;
        Ok(Chain {
            api,
            rpc: methods,
            raw: rpc,
            endpoint: endpoint.to_string(),
        })
    }

    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The subxt client, for callers that need more (e.g. following blocks).
    pub fn api(&self) -> &OnlineClient<Config> {
        &self.api
    }

    /// The JSON-RPC connection itself, for requests subxt does not wrap
    /// (e.g. many block hashes in one `chain_getBlockHash`).
    pub fn rpc(&self) -> &subxt::rpcs::RpcClient {
        &self.raw
    }

    /// The newest finalized block: (number, hash).
    pub async fn finalized_head(&self) -> Result<(u32, [u8; 32])> {
        let hash = self
            .rpc
            .chain_get_finalized_head()
            .await
            .context("chain_getFinalizedHead")?;
        let header = self
            .rpc
            .chain_get_header(Some(hash))
            .await?
            .ok_or_else(|| anyhow!("no header for the finalized head"))?;
        Ok((u32::try_from(header.number)?, hash.0))
    }

    /// Transfers `amount` plancks from `signer` to `to` (keeping the sender alive)
    /// and waits for finality: e.g. to fund a grown-up subject's new account.
    pub async fn transfer(&self, signer: &Keypair, to: &AccountId32, amount: u128) -> Result<()> {
        let tx = subxt::dynamic::tx(
            "Balances",
            "transfer_keep_alive",
            (
                Value::unnamed_variant("Id", [Value::from_bytes(to.0)]),
                Value::u128(amount),
            ),
        );
        self.sign_and_finalize(&tx, signer, "Balances::transfer_keep_alive")
            .await
            .map(|_| ())
    }

    /// The block time of the best block (`Timestamp.Now`), ms since the Unix epoch.
    pub async fn now_millis(&self) -> Result<u64> {
        let at = self.api.at_current_block().await?;
        let now = at
            .storage()
            .fetch(subxt::dynamic::storage::<(), u64>("Timestamp", "Now"), ())
            .await?;
        Ok(now.decode()?)
    }

    /// The code hash of the contract at `address` (`Contracts.ContractInfoOf`),
    /// or `None` if no contract lives there.
    pub async fn contract_code_hash(&self, address: &AccountId32) -> Result<Option<[u8; 32]>> {
        let at = self.api.at_current_block().await?;
        let info = at
            .storage()
            .try_fetch(
                subxt::dynamic::storage::<(AccountId32,), Value>("Contracts", "ContractInfoOf"),
                (*address,),
            )
            .await
            .context("reading Contracts.ContractInfoOf")?;
        // ContractInfo starts with `trie_id: BoundedVec<u8>`, then `code_hash: H256`.
        info.map(|v| {
            let mut bytes = v.bytes();
            let _trie_id = Vec::<u8>::decode(&mut bytes)?;
            Ok(<[u8; 32]>::decode(&mut bytes)?)
        })
        .transpose()
    }

    /// What the chain spec calls the chain: `Development`, `Local` or `Live`
    /// (`system_chainType`).
    pub async fn chain_type(&self) -> Result<String> {
        self.rpc
            .system_chain_type()
            .await
            .context("system_chainType")
    }

    /// The chain's genesis hash, hex.
    pub fn genesis_hash(&self) -> String {
        format!("0x{}", hex::encode(self.api.genesis_hash()))
    }

    /// Dry-runs a call of `contract` by `origin` with `data` at the best block.
    pub async fn dry_run(
        &self,
        origin: &AccountId32,
        contract: &AccountId32,
        data: Vec<u8>,
    ) -> Result<DryRun> {
        let args = (
            origin.0,
            contract.0,
            0u128,
            None::<Weight>,
            None::<u128>,
            data,
        )
            .encode();
        let at = self.api.at_current_block().await?;
        let bytes = at
            .runtime_apis()
            .call_raw("ContractsApi_call", Some(&args))
            .await
            .context("ContractsApi_call")?;
        let mut input = &bytes[..];
        let head = ResultHead::decode(&mut input).context("decoding ContractsApi_call result")?;
        match u8::decode(&mut input)? {
            0 => {
                let ret = ExecReturnValue::decode(&mut input)?;
                Ok(DryRun {
                    gas_required: head.gas_required,
                    storage_deposit: head.storage_deposit.signed(),
                    reverted: ret.flags & 1 == 1,
                    data: ret.data,
                })
            }
            _ => bail!(
                "{}",
                dispatch_error(input, &head.debug_message, at.metadata())
            ),
        }
    }

    /// Calls a read-only message: dry run only, decoding its return value as `R`.
    pub async fn query<R: Decode>(
        &self,
        origin: &AccountId32,
        contract: &AccountId32,
        bundle: &Metadata,
        message: &str,
        args: impl Encode,
    ) -> Result<R> {
        let run = self
            .dry_run(origin, contract, bundle.call_data(message, args)?)
            .await?;
        decode_message_result(&bundle.name, message, &run.data)
    }

    /// Calls a message that returns `Result<T, E>`: dry-runs it first and
    /// returns the contract's named error without submitting if it would fail;
    /// otherwise submits it, waits for finality and returns the events.
    pub async fn submit<T: Decode, E: Decode + std::fmt::Debug>(
        &self,
        signer: &Keypair,
        contract: &AccountId32,
        bundle: &Metadata,
        message: &str,
        args: impl Encode,
    ) -> Result<(T, Finalized)> {
        let (value, pending) = self
            .send::<T, E>(signer, contract, bundle, message, args, None)
            .await?;
        Ok((value, pending.finalized().await?))
    }

    /// [`Chain::submit`] without the wait: dry-runs, submits and returns the
    /// dry run's value and the transaction in the pool. `nonce` is the
    /// signer's nonce when the caller counts them itself (a burst from one
    /// signer: start from [`Chain::next_nonce`]); `None` asks the node.
    pub async fn send<T: Decode, E: Decode + std::fmt::Debug>(
        &self,
        signer: &Keypair,
        contract: &AccountId32,
        bundle: &Metadata,
        message: &str,
        args: impl Encode,
        nonce: Option<u64>,
    ) -> Result<(T, Pending)> {
        let data = bundle.call_data(message, args)?;
        let origin = account_of(signer);
        let run = self.dry_run(&origin, contract, data.clone()).await?;
        let value = match decode_message_result::<Result<T, E>>(&bundle.name, message, &run.data)? {
            Ok(v) => v,
            Err(e) => {
                return Err(ContractRefused {
                    contract: bundle.name.clone(),
                    message: message.into(),
                    error: format!("{e:?}"),
                }
                .into())
            }
        };
        let tx = subxt::dynamic::tx(
            "Contracts",
            "call",
            (
                Value::unnamed_variant("Id", [Value::from_bytes(contract.0)]),
                Value::u128(0),
                weight_value(with_margin(run.gas_required)),
                Value::unnamed_variant("Some", [Value::u128(deposit_limit(run.storage_deposit))]),
                Value::from_bytes(data),
            ),
        );
        let what = format!("{}::{message}", bundle.name);
        let progress = self.submit_and_watch(&tx, signer, &what, nonce).await?;
        Ok((value, Pending { progress, what }))
    }

    /// Uploads `bundle`'s code and instantiates it with constructor `new(args)`,
    /// and waits for finality.
    pub async fn instantiate(
        &self,
        signer: &Keypair,
        bundle: &Bundle,
        args: impl Encode,
    ) -> Result<Instantiated> {
        let data = bundle.metadata.call_data("new", args)?;
        let origin = account_of(signer);
        // A fresh salt: the address hashes deployer, code, constructor input and
        // salt, so the same admin can deploy the same code again (another deployment).
        let mut salt = vec![0u8; 16];
        getrandom::getrandom(&mut salt).context("drawing a salt from the OS")?;
        // ContractsApi_instantiate(origin, value, gas_limit, storage_deposit_limit, Code::Upload(code), data, salt)
        let mut args = (origin.0, 0u128, None::<Weight>, None::<u128>).encode();
        0u8.encode_to(&mut args); // Code::Upload
        bundle.wasm.encode_to(&mut args);
        (data.clone(), salt.clone()).encode_to(&mut args);
        let at = self.api.at_current_block().await?;
        let bytes = at
            .runtime_apis()
            .call_raw("ContractsApi_instantiate", Some(&args))
            .await
            .context("ContractsApi_instantiate")?;
        let mut input = &bytes[..];
        let head =
            ResultHead::decode(&mut input).context("decoding ContractsApi_instantiate result")?;
        if u8::decode(&mut input)? != 0 {
            bail!(
                "instantiating {} would fail: {}",
                bundle.metadata.name,
                dispatch_error(input, &head.debug_message, at.metadata())
            );
        }
        let ret = ExecReturnValue::decode(&mut input)?;
        if ret.flags & 1 == 1 {
            bail!("the constructor of {} reverted", bundle.metadata.name);
        }
        let tx = subxt::dynamic::tx(
            "Contracts",
            "instantiate_with_code",
            (
                Value::u128(0),
                weight_value(with_margin(head.gas_required)),
                Value::unnamed_variant(
                    "Some",
                    [Value::u128(deposit_limit(head.storage_deposit.signed()))],
                ),
                Value::from_bytes(&bundle.wasm),
                Value::from_bytes(data),
                Value::from_bytes(salt),
            ),
        );
        let progress = self
            .submit_and_watch(
                &tx,
                signer,
                &format!("instantiating {}", bundle.metadata.name),
                None,
            )
            .await?;
        let in_block = progress
            .wait_for_finalized()
            .await
            .map_err(|e| anyhow!("instantiating {}: {e}", bundle.metadata.name))?;
        let block_hash = in_block.block_hash();
        let events = in_block.wait_for_success().await.map_err(|e| {
            anyhow!(
                "instantiating {}: dispatch failed: {e}",
                bundle.metadata.name
            )
        })?;
        let header = self
            .rpc
            .chain_get_header(Some(block_hash))
            .await?
            .ok_or_else(|| anyhow!("no header for block {block_hash:?}"))?;
        let mut address = None;
        let mut code_hash = None;
        for ev in events.iter() {
            let ev = ev?;
            match (ev.pallet_name(), ev.event_name()) {
                ("Contracts", "Instantiated") => {
                    let (_deployer, contract) =
                        <([u8; 32], [u8; 32])>::decode(&mut ev.field_bytes())?;
                    address = Some(AccountId32(contract));
                }
                ("Contracts", "CodeStored") => {
                    code_hash = Some(<[u8; 32]>::decode(&mut ev.field_bytes())?)
                }
                _ => {}
            }
        }
        let address = address.ok_or_else(|| {
            anyhow!(
                "instantiating {}: no Contracts.Instantiated event",
                bundle.metadata.name
            )
        })?;
        // No CodeStored event when the chain already had this code: its hash is the local one.
        let code_hash = code_hash.unwrap_or(bundle.metadata.code_hash);
        Ok(Instantiated {
            address,
            code_hash,
            block: u32::try_from(header.number)?,
        })
    }

    /// Uploads `bundle`'s code (`Determinism::Enforced`, the only kind this
    /// chain accepts) unless the chain already has it; returns its code hash.
    pub async fn upload_code(&self, signer: &Keypair, bundle: &Bundle) -> Result<[u8; 32]> {
        let tx = subxt::dynamic::tx(
            "Contracts",
            "upload_code",
            (
                Value::from_bytes(&bundle.wasm),
                Value::unnamed_variant("None", []),
                Value::unnamed_variant("Enforced", []),
            ),
        );
        self.sign_and_finalize(&tx, signer, &format!("uploading {}", bundle.metadata.name))
            .await?;
        Ok(bundle.metadata.code_hash)
    }

    /// The node's next nonce for `account`: it counts the account's
    /// transactions still in the pool (subxt's default reads only the best
    /// block's state), so a signer may send again before its last
    /// transaction is in a block.
    pub async fn next_nonce(&self, account: &AccountId32) -> Result<u64> {
        self.rpc
            .system_account_next_index(account)
            .await
            .context("reading the signer's next nonce")
    }

    async fn submit_and_watch<Call: subxt::transactions::Payload>(
        &self,
        tx: &Call,
        signer: &Keypair,
        what: &str,
        nonce: Option<u64>,
    ) -> Result<subxt::transactions::TransactionProgress<Config, OnlineClientAtBlockImpl<Config>>>
    {
        let nonce = match nonce {
            Some(n) => n,
            None => self
                .next_nonce(&account_of(signer))
                .await
                .with_context(|| what.to_string())?,
        };
        let params = subxt::config::PolkadotExtrinsicParamsBuilder::<Config>::new()
            .nonce(nonce)
            .build();
        let at = self.api.at_current_block().await?;
        at.transactions()
            .sign_and_submit_then_watch(tx, signer, params)
            .await
            .map_err(|e| anyhow!("{what}: the chain refused the transaction: {e}"))
    }

    async fn sign_and_finalize<Call: subxt::transactions::Payload>(
        &self,
        tx: &Call,
        signer: &Keypair,
        what: &str,
    ) -> Result<Finalized> {
        let progress = self.submit_and_watch(tx, signer, what, None).await?;
        Pending {
            progress,
            what: what.to_string(),
        }
        .finalized()
        .await
    }
}

/// A transaction in the pool (see [`Chain::send`]).
pub struct Pending {
    progress: subxt::transactions::TransactionProgress<Config, OnlineClientAtBlockImpl<Config>>,
    what: String,
}

impl Pending {
    /// Waits until the transaction is finalized and succeeded; returns the
    /// contract events it emitted.
    pub async fn finalized(self) -> Result<Finalized> {
        let what = self.what;
        let in_block = self
            .progress
            .wait_for_finalized()
            .await
            .map_err(|e| anyhow!("{what}: {e}"))?;
        let block_hash = in_block.block_hash();
        let events = in_block
            .wait_for_success()
            .await
            .map_err(|e| anyhow!("{what}: dispatch failed: {e}"))?;
        let mut emitted = Vec::new();
        for ev in events.iter() {
            emitted.extend(contract_emitted(&ev?)?);
        }
        Ok(Finalized {
            block_hash: block_hash.0,
            events: emitted,
        })
    }
}

/// A dispatch error by its runtime name (e.g. `Contracts::ContractTrapped`),
/// with the contract's debug message when there is one.
fn dispatch_error(bytes: &[u8], debug: &[u8], metadata: ArcMetadata) -> String {
    let name = match subxt::error::DispatchError::decode_from(bytes, metadata) {
        Ok(e) => e.to_string(),
        Err(_) => format!("undecodable dispatch error 0x{}", hex::encode(bytes)),
    };
    let debug = String::from_utf8_lossy(debug);
    if debug.trim().is_empty() {
        name
    } else {
        format!("{name} ({})", debug.trim())
    }
}

/// A `Contracts.ContractEmitted` event with its record's topics (`None` for
/// any other event): how followers of the contracts read a block's events.
pub fn contract_emitted(ev: &subxt::events::Event<'_, Config>) -> Result<Option<Emitted>> {
    if (ev.pallet_name(), ev.event_name()) != ("Contracts", "ContractEmitted") {
        return Ok(None);
    }
    let (contract, data) = <([u8; 32], Vec<u8>)>::decode(&mut ev.field_bytes())?;
    Ok(Some(Emitted {
        contract,
        topics: ev.topics().iter().map(|t| t.0).collect(),
        data,
    }))
}

/// The account of a key pair.
pub fn account_of(signer: &Keypair) -> AccountId32 {
    signer.public_key().to_account_id()
}

/// The storage deposit limit to put on an extrinsic after a dry run (0 when it refunds).
fn deposit_limit(signed: i128) -> u128 {
    signed.max(0) as u128
}

fn with_margin(w: Weight) -> Weight {
    Weight {
        ref_time: w.ref_time + w.ref_time * GAS_MARGIN_PERCENT / 100,
        proof_size: w.proof_size + w.proof_size * GAS_MARGIN_PERCENT / 100,
    }
}

fn weight_value(w: Weight) -> Value {
    Value::named_composite([
        ("ref_time", Value::u128(w.ref_time.into())),
        ("proof_size", Value::u128(w.proof_size.into())),
    ])
}

/// Decodes an ink! `MessageResult<R>` (`Result<R, LangError>`).
fn decode_message_result<R: Decode>(contract: &str, message: &str, data: &[u8]) -> Result<R> {
    match <ink::MessageResult<R>>::decode(&mut &data[..]) {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(lang)) => bail!("{contract}::{message}: ink! could not dispatch the call ({lang:?}); is the deployment file for this chain?"),
        Err(e) => bail!("{contract}::{message}: undecodable return value 0x{} ({e})", hex::encode(data)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_get_a_margin_and_message_results_decode() {
        assert_eq!(
            with_margin(Weight {
                ref_time: 100,
                proof_size: 50
            }),
            Weight {
                ref_time: 120,
                proof_size: 60
            }
        );
        let ok: ink::MessageResult<u32> = Ok(7);
        assert_eq!(
            decode_message_result::<u32>("c", "m", &ok.encode()).unwrap(),
            7
        );
        let lang: ink::MessageResult<u32> = Err(ink::LangError::CouldNotReadInput);
        assert!(decode_message_result::<u32>("c", "m", &lang.encode())
            .unwrap_err()
            .to_string()
            .contains("could not dispatch"));
        assert!(decode_message_result::<u32>("c", "m", &[0xff]).is_err());
    }
}

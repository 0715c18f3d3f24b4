//! Drink harness for the BioNFT contracts.
//!
//! Loads the real wasm bundles that `cargo xtask contracts` writes to
//! `target/ink/`, deploys them in drink's in-process pallet-contracts sandbox
//! (wasmi executing the same code a chain would), and calls messages with
//! typed SCALE arguments. Results decode into the contracts' own Rust types;
//! events come back as `ContractEmitted` records and decode with the
//! contracts' own event enums, exactly as the indexer decodes them.
//! Selectors are read from the bundles' metadata, not recomputed.

use biosample::events::BiosampleEvent;
use consent::events::ConsentEvent;
use drink::minimal::{MinimalSandbox, MinimalSandboxRuntime, RuntimeEvent};
use drink::pallet_contracts::{Determinism, StorageDeposit};
use drink::sandbox_api::prelude::*;
use drink::{AccountId32, Sandbox};
use scale::{Decode, Encode};

use bionft_primitives::claim;
pub use bionft_primitives::{duo, AccessDenied, Purpose, RecordId, RecordKind, Role, YearMonth};
pub use ink::primitives::{AccountId, Hash};

/// Well-known test accounts by role; [`account`] turns them into addresses.
pub mod who {
    pub const ADMIN: u8 = 1;
    pub const BIOBANK: u8 = 2;
    pub const SEQUENCER: u8 = 3;
    pub const DATA_HOST: u8 = 4;
    pub const GUARDIAN: u8 = 5;
    pub const GUARDIAN2: u8 = 6;
    pub const CHILD: u8 = 7;
    pub const STRANGER: u8 = 8;
    pub const BIOBANK2: u8 = 9;
    pub const RESEARCHER: u8 = 10;
    pub const RESEARCHER2: u8 = 11;
    /// A sequencer with the role that no custodian assigned to anything.
    pub const SEQUENCER2: u8 = 12;
    /// Self-consenting adults: a newborn's parents in a trio.
    pub const MOTHER: u8 = 13;
    pub const FATHER: u8 = 14;
    /// A guardian of another sample (or a third person nominated as guardian).
    pub const GUARDIAN3: u8 = 15;
    /// Accounts whose role the admin granted and then revoked.
    pub const EX_BIOBANK: u8 = 16;
    pub const EX_SEQUENCER: u8 = 17;
    pub const EX_DATA_HOST: u8 = 18;
}

/// The ink! account id of test account `n`.
pub fn account(n: u8) -> AccountId {
    AccountId::from([n; 32])
}

fn chain_account(n: u8) -> AccountId32 {
    AccountId32::new([n; 32])
}

pub use bionft_client::bundle::Bundle;

/// Loads the bundle `cargo xtask contracts` wrote for contract `name` in this checkout.
pub fn bundle(name: &str) -> Bundle {
    let ink = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/ink");
    Bundle::from_dir(&ink, name).unwrap_or_else(|e| panic!("{e:#}"))
}

/// What one call cost, as pallet-contracts measured it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Cost {
    pub ref_time: u64,
    pub proof_size: u64,
    /// Positive when the caller paid a deposit, negative on refund.
    pub storage_deposit: i128,
}

/// An event a contract emitted, decoded with its own types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    Biosample(BiosampleEvent),
    Consent(ConsentEvent),
}

/// A raw `ContractEmitted` record: emitting contract, topics and data, and
/// the number of the block whose call emitted it.
#[derive(Debug, Clone)]
pub struct Emitted {
    pub block: u32,
    pub contract: AccountId,
    pub topics: Vec<[u8; 32]>,
    pub data: Vec<u8>,
}

/// The header facts of a block [`Chain::advance`] sealed: what a chain
/// follower (the indexer) sees of it besides its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedBlock {
    pub number: u32,
    pub hash: [u8; 32],
    pub parent_hash: [u8; 32],
    /// Block time (`pallet-timestamp`), in ms.
    pub timestamp: u64,
}

/// Which deployed contract to call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Biosample,
    Consent,
    /// The n-th contract deployed with [`Chain::deploy`].
    Extra(usize),
}

/// The sandboxed chain with both contracts deployed and roles handed out.
pub struct Chain {
    sandbox: MinimalSandbox,
    pub biosample: AccountId32,
    pub consent: AccountId32,
    bundles: [Bundle; 2],
    extra: Vec<(AccountId32, Bundle)>,
    /// Events of every successful call so far, in order.
    pub emitted: Vec<Emitted>,
    /// Blocks sealed so far by [`Chain::advance`], in order.
    pub sealed: Vec<SealedBlock>,
    /// Cost of the last call.
    pub last_cost: Cost,
    now: u64,
}

/// Start of sandbox time: 2026-01-01T00:00:00Z, in ms.
pub const GENESIS_TIME: u64 = 1_767_225_600_000;
pub const DAY: u64 = 86_400_000;

impl Chain {
    /// Deploys `biosample` (admin: `who::ADMIN`) and `consent`, and grants the
    /// biobank, sequencer and data-host roles to their test accounts.
    pub fn new() -> Chain {
        Self::with_bundles(bundle("biosample"), bundle("consent"))
    }

    /// Like [`Chain::new`], with bundles loaded once by the caller (faster for many chains).
    pub fn with_bundles(biosample: Bundle, consent: Bundle) -> Chain {
        let mut chain = Self::before_revocations(biosample, consent);
        chain.revoke_former_members();
        chain
    }

    /// Takes their roles from `EX_BIOBANK`, `EX_SEQUENCER` and `EX_DATA_HOST`.
    pub fn revoke_former_members(&mut self) {
        for (n, role) in [
            (who::EX_BIOBANK, Role::Biobank),
            (who::EX_SEQUENCER, Role::Sequencer),
            (who::EX_DATA_HOST, Role::DataHost),
        ] {
            self.call::<Result<(), biosample::Error>>(
                Target::Biosample,
                who::ADMIN,
                "revoke_role",
                (account(n), role),
            )
            .expect("admin revokes roles");
        }
        self.emitted.clear();
    }

    /// Like [`Chain::with_bundles`], but `EX_BIOBANK`, `EX_SEQUENCER` and
    /// `EX_DATA_HOST` still hold their roles (call
    /// [`Chain::revoke_former_members`] once they have acted).
    pub fn before_revocations(biosample: Bundle, consent: Bundle) -> Chain {
        let mut sandbox = MinimalSandbox::default();
        for n in 1..=24 {
            sandbox
                .mint_into(&chain_account(n), 1_000_000_000_000_000)
                .expect("funding test accounts");
        }
        sandbox.set_timestamp(GENESIS_TIME);
        let bio = deploy(&mut sandbox, &biosample, (account(who::ADMIN),));
        let bio_code = code_hash_of(&mut sandbox, &bio);
        let consent_address = deploy(
            &mut sandbox,
            &consent,
            (AccountId::from(*AsRef::<[u8; 32]>::as_ref(&bio)), bio_code),
        );
        let mut chain = Chain {
            sandbox,
            biosample: bio,
            consent: consent_address,
            bundles: [biosample, consent],
            extra: Vec::new(),
            emitted: Vec::new(),
            sealed: Vec::new(),
            last_cost: Cost::default(),
            now: GENESIS_TIME,
        };
        for (n, role) in [
            (who::BIOBANK, Role::Biobank),
            (who::BIOBANK2, Role::Biobank),
            (who::SEQUENCER, Role::Sequencer),
            (who::SEQUENCER2, Role::Sequencer),
            (who::DATA_HOST, Role::DataHost),
            (who::EX_BIOBANK, Role::Biobank),
            (who::EX_SEQUENCER, Role::Sequencer),
            (who::EX_DATA_HOST, Role::DataHost),
        ] {
            chain
                .call::<Result<(), biosample::Error>>(
                    Target::Biosample,
                    who::ADMIN,
                    "grant_role",
                    (account(n), role),
                )
                .expect("admin grants roles");
        }
        chain.emitted.clear();
        chain
    }

    /// Calls `message` on `target` as test account `caller` with SCALE-encoded
    /// `args` and decodes the message's return value as `R`. A reverted call
    /// (a message returning `Err`) still decodes: its data is the `Err`.
    /// Panics if the contract trapped or the dispatch failed.
    pub fn call<R: Decode>(
        &mut self,
        target: Target,
        caller: u8,
        message: &str,
        args: impl Encode,
    ) -> R {
        let (address, bundle) = match target {
            Target::Biosample => (self.biosample.clone(), &self.bundles[0]),
            Target::Consent => (self.consent.clone(), &self.bundles[1]),
            Target::Extra(n) => (self.extra[n].0.clone(), &self.extra[n].1),
        };
        let mut data = bundle
            .metadata
            .selector(message)
            .unwrap_or_else(|e| panic!("{e}"))
            .to_vec();
        args.encode_to(&mut data);
        let gas = MinimalSandbox::default_gas_limit();
        let block = self.sandbox.block_number();
        // pallet-contracts reports every event of the block; start from none.
        self.sandbox.reset_events();
        let result = self.sandbox.call_contract(
            address,
            0,
            data,
            chain_account(caller),
            gas,
            None,
            Determinism::Enforced,
        );
        self.last_cost = Cost {
            ref_time: result.gas_consumed.ref_time(),
            proof_size: result.gas_consumed.proof_size(),
            storage_deposit: match result.storage_deposit {
                StorageDeposit::Charge(c) => c as i128,
                StorageDeposit::Refund(r) => -(r as i128),
            },
        };
        let ret = result.result.unwrap_or_else(|e| {
            panic!(
                "{message}: dispatch failed: {e:?}; debug: {}",
                String::from_utf8_lossy(&result.debug_message)
            )
        });
        if !ret.did_revert() {
            self.emitted
                .extend(result.events.into_iter().flatten().filter_map(
                    |record| match record.event {
                        RuntimeEvent::Contracts(
                            drink::pallet_contracts::Event::ContractEmitted { contract, data },
                        ) => Some(Emitted {
                            block,
                            contract: AccountId::from(*AsRef::<[u8; 32]>::as_ref(&contract)),
                            topics: record.topics.iter().map(|t| t.0).collect(),
                            data,
                        }),
                        _ => None,
                    },
                ));
        }
        let decoded = <ink::MessageResult<R>>::decode(&mut &ret.data[..])
            .unwrap_or_else(|e| panic!("{message}: undecodable return data {:?}: {e}", ret.data));
        decoded.unwrap_or_else(|lang| panic!("{message}: ink! LangError {lang:?}"))
    }

    /// The address of a deployed contract, as an ink! account id.
    pub fn address(&self, target: Target) -> AccountId {
        let a = match target {
            Target::Biosample => &self.biosample,
            Target::Consent => &self.consent,
            Target::Extra(n) => &self.extra[n].0,
        };
        AccountId::from(*AsRef::<[u8; 32]>::as_ref(a))
    }

    /// The code hash the contract at `target` runs now (pallet-contracts' view).
    pub fn code_hash(&mut self, target: Target) -> Hash {
        let a = match target {
            Target::Biosample => self.biosample.clone(),
            Target::Consent => self.consent.clone(),
            Target::Extra(n) => self.extra[n].0.clone(),
        };
        code_hash_of(&mut self.sandbox, &a)
    }

    /// Uploads `wasm` (without instantiating it); returns its code hash.
    pub fn upload(&mut self, wasm: Vec<u8>) -> Hash {
        let uploaded = self
            .sandbox
            .upload_contract(wasm, chain_account(who::ADMIN), None, Determinism::Enforced)
            .unwrap_or_else(|e| panic!("uploading code failed: {e:?}"));
        Hash::from(uploaded.code_hash.0)
    }

    /// Removes uploaded code `code_hash` as `caller` (pallet-contracts
    /// `remove_code`: only its uploader, and only while no contract runs it).
    pub fn remove_code(&mut self, caller: u8, code_hash: Hash) -> Result<(), String> {
        let origin = ink_sandbox::frame_system::RawOrigin::Signed(chain_account(caller));
        let hash: [u8; 32] = code_hash.as_ref().try_into().expect("32 bytes");
        self.sandbox.execute_with(|| {
            drink::pallet_contracts::Pallet::<MinimalSandboxRuntime>::remove_code(
                origin.into(),
                hash.into(),
            )
            .map(|_| ())
            .map_err(|e| format!("{:?}", e.error))
        })
    }

    /// Replaces the bundle used to encode calls to `target` (after its code was upgraded).
    pub fn set_bundle(&mut self, target: Target, bundle: Bundle) {
        match target {
            Target::Biosample => self.bundles[0] = bundle,
            Target::Consent => self.bundles[1] = bundle,
            Target::Extra(n) => self.extra[n].1 = bundle,
        }
    }

    /// Shorthand for a call to `biosample`.
    pub fn bio<R: Decode>(&mut self, caller: u8, message: &str, args: impl Encode) -> R {
        self.call(Target::Biosample, caller, message, args)
    }

    /// Shorthand for a call to `consent`.
    pub fn consent<R: Decode>(&mut self, caller: u8, message: &str, args: impl Encode) -> R {
        self.call(Target::Consent, caller, message, args)
    }

    /// Deploys another contract (constructor `new(args)`); call it with `Target::Extra(n)`.
    pub fn deploy(&mut self, bundle: Bundle, args: impl Encode) -> Target {
        let address = deploy(&mut self.sandbox, &bundle, args);
        self.extra.push((address, bundle));
        Target::Extra(self.extra.len() - 1)
    }

    /// Decodes and drains the events emitted so far.
    pub fn take_events(&mut self) -> Vec<Event> {
        let bio = AccountId::from(*AsRef::<[u8; 32]>::as_ref(&self.biosample));
        std::mem::take(&mut self.emitted)
            .into_iter()
            .map(|e| {
                let decoded = if e.contract == bio {
                    BiosampleEvent::decode(&e.topics, &e.data).map(|o| o.map(Event::Biosample))
                } else {
                    ConsentEvent::decode(&e.topics, &e.data).map(|o| o.map(Event::Consent))
                };
                decoded
                    .expect("event decodes")
                    .expect("event has a known signature topic")
            })
            .collect()
    }

    /// What `claim_majority` takes from test account `claimant`: a signature by `secret`'s
    /// claim key naming this chain's `biosample`, `sample` and `claimant`.
    pub fn claim_signature(&self, secret: &[u8], sample: RecordId, claimant: u8) -> Vec<u8> {
        use secp256k1::{Message, SECP256K1};
        use std::collections::HashMap;
        use std::sync::Mutex;
        // Deriving a claim key is 600,000 PBKDF2 rounds: derive each secret's key once.
        static KEYS: Mutex<Option<HashMap<Vec<u8>, secp256k1::SecretKey>>> = Mutex::new(None);
        let key = *KEYS
            .lock()
            .unwrap()
            .get_or_insert_with(HashMap::new)
            .entry(secret.to_vec())
            .or_insert_with(|| claim::keys::claim_secret_key(secret).expect("a claim key"));
        let contract = AccountId::from(*AsRef::<[u8; 32]>::as_ref(&self.biosample));
        // As `claim::keys::sign_claim`, with the derived key.
        let message =
            Message::from_digest(claim::claim_message(&contract, sample, &account(claimant)));
        let (recovery, compact) = SECP256K1
            .sign_ecdsa_recoverable(&message, &key)
            .serialize_compact();
        let mut signature = compact.to_vec();
        signature.push(recovery.to_i32() as u8);
        signature
    }

    /// Block time now, in ms.
    pub fn now(&self) -> u64 {
        self.now
    }

    /// Seals the current block (recording it in [`Chain::sealed`]) and moves
    /// time forward by `ms`.
    pub fn advance(&mut self, ms: u64) {
        let number = self.sandbox.block_number();
        let parent_hash = self.parent_hash();
        self.sandbox.build_block();
        let hash = self.parent_hash();
        self.sealed.push(SealedBlock {
            number,
            hash,
            parent_hash,
            timestamp: self.now,
        });
        self.now += ms;
        self.sandbox.set_timestamp(self.now);
    }

    /// The hash of the last sealed block (zero before the first).
    fn parent_hash(&mut self) -> [u8; 32] {
        self.sandbox.execute_with(|| {
            ink_sandbox::frame_system::Pallet::<MinimalSandboxRuntime>::parent_hash().0
        })
    }

    /// A snapshot of the whole chain state, for cheap restarts.
    pub fn snapshot(&mut self) -> ink_sandbox::Snapshot {
        self.sandbox.take_snapshot()
    }

    /// Restores a snapshot taken with [`Chain::snapshot`].
    pub fn restore(&mut self, snapshot: ink_sandbox::Snapshot) {
        self.sandbox.restore_snapshot(snapshot);
        self.now = self.sandbox.get_timestamp();
        self.emitted.clear();
        let current = self.sandbox.block_number();
        self.sealed.retain(|b| b.number < current);
    }
}

impl Default for Chain {
    fn default() -> Self {
        Chain::new()
    }
}

/// The code hash of the contract at `address`.
fn code_hash_of(sandbox: &mut MinimalSandbox, address: &AccountId32) -> Hash {
    sandbox.execute_with(|| {
        let hash = drink::pallet_contracts::Pallet::<MinimalSandboxRuntime>::code_hash(address)
            .expect("a contract lives at the address");
        Hash::from(hash.0)
    })
}

/// Uploads and instantiates `bundle` with constructor `new(args)`; returns its address.
pub fn deploy(sandbox: &mut MinimalSandbox, bundle: &Bundle, args: impl Encode) -> AccountId32 {
    let mut data = bundle
        .metadata
        .selector("new")
        .expect("a `new` constructor")
        .to_vec();
    args.encode_to(&mut data);
    let gas = MinimalSandbox::default_gas_limit();
    let result = sandbox.deploy_contract(
        bundle.wasm.clone(),
        0,
        data,
        vec![],
        chain_account(who::ADMIN),
        gas,
        None,
    );
    let ret = result
        .result
        .unwrap_or_else(|e| panic!("deploying failed: {e:?}"));
    assert!(!ret.result.did_revert(), "constructor reverted");
    ret.account_id
}

/// The claim commitment a biobank mints with for `secret` (remembered: each
/// derivation is 600,000 PBKDF2 rounds).
pub fn claim_commitment(secret: &[u8]) -> [u8; 32] {
    use std::collections::HashMap;
    use std::sync::Mutex;
    static COMMITMENTS: Mutex<Option<HashMap<Vec<u8>, [u8; 32]>>> = Mutex::new(None);
    let mut cache = COMMITMENTS.lock().unwrap();
    *cache
        .get_or_insert_with(HashMap::new)
        .entry(secret.to_vec())
        .or_insert_with(|| claim::keys::commitment_for_secret(secret).expect("a claim key"))
}

/// Test-only convenience: a salted commitment stand-in made from one byte.
pub fn commitment(n: u8) -> [u8; 32] {
    [n; 32]
}

/// The labels of every message in the metadata `cargo xtask contracts` wrote
/// for contract `name` (`target/ink/<name>/<name>.json`), with whether each
/// may mutate storage.
pub fn metadata_messages(name: &str) -> Vec<(String, bool)> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../target/ink/{name}/{name}.json"));
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run `cargo xtask contracts`)", path.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("metadata is JSON");
    json["spec"]["messages"]
        .as_array()
        .expect("metadata lists messages")
        .iter()
        .map(|m| {
            (
                m["label"].as_str().expect("a label").to_string(),
                m["mutates"].as_bool().expect("a mutates flag"),
            )
        })
        .collect()
}

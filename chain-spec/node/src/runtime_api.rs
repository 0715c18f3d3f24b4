//! The runtime as the node sees it: an opaque block and the runtime APIs the
//! node calls.
//!
//! The node executes the runtime wasm from the chain spec, so it needs the
//! APIs' *declarations* (names, argument and return types) but none of their
//! code. `impl_runtime_apis!` below generates the client-side `RuntimeApi`
//! from them; the bodies never run (every call goes to the wasm), hence
//! `unimplemented!()`. The types must match the runtime's
//! (`chain-spec/runtime/src/lib.rs`): 32-byte accounts, `u32` nonces and block
//! numbers, `u128` balances, BLAKE2-256 hashing, sr25519 Aura keys.

use sp_core::{crypto::KeyTypeId, OpaqueMetadata};
use sp_runtime::{
    generic,
    traits::{BlakeTwo256, Block as BlockT},
    transaction_validity::{TransactionSource, TransactionValidity},
    ApplyExtrinsicResult, OpaqueExtrinsic,
};
use sp_version::RuntimeVersion;

/// A block with its extrinsics left as opaque bytes.
pub type Block = generic::Block<generic::Header<u32, BlakeTwo256>, OpaqueExtrinsic>;
/// An account: the runtime's `AccountId32`.
pub type AccountId = sp_runtime::AccountId32;
/// An account's transaction counter.
pub type Nonce = u32;
/// A balance in plancks (1 BIO = 10^12).
pub type Balance = u128;
/// Aura authority keys (sr25519).
pub type AuraId = sp_consensus_aura::sr25519::AuthorityId;

/// Stands for the runtime in `impl_runtime_apis!`, which implements the APIs
/// on it; it is never constructed (the calls go to the wasm), hence the allow.
#[allow(dead_code)]
pub struct Runtime;

sp_api::impl_runtime_apis! {
    impl sp_api::Core<Block> for Runtime {
        fn version() -> RuntimeVersion { unimplemented!() }
        fn execute_block(_: <Block as BlockT>::LazyBlock) { unimplemented!() }
        fn initialize_block(_: &<Block as BlockT>::Header) -> sp_runtime::ExtrinsicInclusionMode { unimplemented!() }
    }

    impl sp_api::Metadata<Block> for Runtime {
        fn metadata() -> OpaqueMetadata { unimplemented!() }
        fn metadata_at_version(_: u32) -> Option<OpaqueMetadata> { unimplemented!() }
        fn metadata_versions() -> Vec<u32> { unimplemented!() }
    }

    impl sp_block_builder::BlockBuilder<Block> for Runtime {
        fn apply_extrinsic(_: <Block as BlockT>::Extrinsic) -> ApplyExtrinsicResult { unimplemented!() }
        fn finalize_block() -> <Block as BlockT>::Header { unimplemented!() }
        fn inherent_extrinsics(_: sp_inherents::InherentData) -> Vec<<Block as BlockT>::Extrinsic> { unimplemented!() }
        fn check_inherents(
            _: <Block as BlockT>::LazyBlock,
            _: sp_inherents::InherentData,
        ) -> sp_inherents::CheckInherentsResult {
            unimplemented!()
        }
    }

    impl sp_transaction_pool::runtime_api::TaggedTransactionQueue<Block> for Runtime {
        fn validate_transaction(_: TransactionSource, _: <Block as BlockT>::Extrinsic, _: <Block as BlockT>::Hash) -> TransactionValidity {
            unimplemented!()
        }
    }

    impl sp_offchain::OffchainWorkerApi<Block> for Runtime {
        fn offchain_worker(_: &<Block as BlockT>::Header) { unimplemented!() }
    }

    impl sp_consensus_aura::AuraApi<Block, AuraId> for Runtime {
        fn slot_duration() -> sp_consensus_aura::SlotDuration { unimplemented!() }
        fn authorities() -> Vec<AuraId> { unimplemented!() }
    }

    impl sp_consensus_grandpa::GrandpaApi<Block> for Runtime {
        fn grandpa_authorities() -> sp_consensus_grandpa::AuthorityList { unimplemented!() }
        fn current_set_id() -> sp_consensus_grandpa::SetId { unimplemented!() }
        fn submit_report_equivocation_unsigned_extrinsic(
            _: sp_consensus_grandpa::EquivocationProof<<Block as BlockT>::Hash, u32>,
            _: sp_consensus_grandpa::OpaqueKeyOwnershipProof,
        ) -> Option<()> {
            unimplemented!()
        }
        fn generate_key_ownership_proof(
            _: sp_consensus_grandpa::SetId,
            _: sp_consensus_grandpa::AuthorityId,
        ) -> Option<sp_consensus_grandpa::OpaqueKeyOwnershipProof> {
            unimplemented!()
        }
    }

    impl sp_session::SessionKeys<Block> for Runtime {
        fn generate_session_keys(_: Vec<u8>, _: Option<Vec<u8>>) -> sp_session::OpaqueGeneratedSessionKeys {
            unimplemented!()
        }
        fn decode_session_keys(_: Vec<u8>) -> Option<Vec<(Vec<u8>, KeyTypeId)>> { unimplemented!() }
    }

    impl frame_system_rpc_runtime_api::AccountNonceApi<Block, AccountId, Nonce> for Runtime {
        fn account_nonce(_: AccountId) -> Nonce { unimplemented!() }
    }

    impl pallet_transaction_payment_rpc_runtime_api::TransactionPaymentApi<Block, Balance> for Runtime {
        fn query_info(
            _: <Block as BlockT>::Extrinsic,
            _: u32,
        ) -> pallet_transaction_payment_rpc_runtime_api::RuntimeDispatchInfo<Balance> {
            unimplemented!()
        }
        fn query_fee_details(
            _: <Block as BlockT>::Extrinsic,
            _: u32,
        ) -> pallet_transaction_payment_rpc_runtime_api::FeeDetails<Balance> {
            unimplemented!()
        }
        fn query_weight_to_fee(_: sp_weights::Weight) -> Balance { unimplemented!() }
        fn query_length_to_fee(_: u32) -> Balance { unimplemented!() }
    }

    impl sp_genesis_builder::GenesisBuilder<Block> for Runtime {
        fn build_state(_: Vec<u8>) -> sp_genesis_builder::Result { unimplemented!() }
        fn get_preset(_: &Option<sp_genesis_builder::PresetId>) -> Option<Vec<u8>> { unimplemented!() }
        fn preset_names() -> Vec<sp_genesis_builder::PresetId> { unimplemented!() }
    }
}

//! The node's services: the client and its database, the transaction pool,
//! the import queue, networking, RPC, Aura authoring and the GRANDPA voter.
//!
//! Blocks are imported through GRANDPA's block import (which tracks authority
//! set changes and justifications) behind Aura's verifier (which checks the
//! slot and the author's seal). Validators author with the Aura key and vote
//! with the GRANDPA key in their keystore; other nodes only follow.

use std::{sync::Arc, time::Duration};

use futures::FutureExt;
use sc_client_api::{Backend as _, BlockBackend as _};
use sc_consensus_aura::{ImportQueueParams, SlotProportion, StartAuraParams};
use sc_consensus_grandpa::SharedVoterState;
use sc_service::{error::Error as ServiceError, Configuration, TaskManager, WarpSyncConfig};
use sc_transaction_pool_api::OffchainTransactionPoolFactory;
use sp_consensus_aura::sr25519::AuthorityPair as AuraPair;
use sp_runtime::traits::Block as BlockT;

use crate::runtime_api::{AuraId, Block, RuntimeApi};

/// Runs the runtime wasm from the chain state with the standard host functions.
type Executor = sc_executor::WasmExecutor<sp_io::SubstrateHostFunctions>;
/// The client: chain database plus the runtime, executed from `:code`.
pub type FullClient = sc_service::TFullClient<Block, RuntimeApi, Executor>;
type FullBackend = sc_service::TFullBackend<Block>;
type FullSelectChain = sc_consensus::LongestChain<FullBackend, Block>;
type GrandpaBlockImport =
    sc_consensus_grandpa::GrandpaBlockImport<FullBackend, Block, FullClient, FullSelectChain>;
type TransactionPool = sc_transaction_pool::TransactionPoolHandle<Block, FullClient>;

/// Every this many blocks GRANDPA stores a justification even without an
/// authority set change, so syncing nodes can prove finality in steps.
const JUSTIFICATION_PERIOD: u32 = 512;

/// What both a running node and the maintenance subcommands need.
pub type Partial = sc_service::PartialComponents<
    FullClient,
    FullBackend,
    FullSelectChain,
    sc_consensus::DefaultImportQueue<Block>,
    TransactionPool,
    (
        GrandpaBlockImport,
        sc_consensus_grandpa::LinkHalf<Block, FullClient, FullSelectChain>,
    ),
>;

/// The current slot from the wall clock, with the timestamp it came from.
fn slot_now(
    slot_duration: sp_consensus_aura::SlotDuration,
) -> (
    sp_consensus_aura::inherents::InherentDataProvider,
    sp_timestamp::InherentDataProvider,
) {
    let timestamp = sp_timestamp::InherentDataProvider::from_system_time();
    let slot = sp_consensus_aura::inherents::InherentDataProvider::from_timestamp_and_slot_duration(
        *timestamp,
        slot_duration,
    );
    (slot, timestamp)
}

/// Opens the database, loads the runtime and builds the import queue.
pub fn new_partial(config: &Configuration) -> Result<Partial, ServiceError> {
    let executor = sc_service::new_wasm_executor::<sp_io::SubstrateHostFunctions>(&config.executor);
    let (client, backend, keystore_container, task_manager) =
        sc_service::new_full_parts::<Block, RuntimeApi, _>(config, None, executor, Vec::new())?;
    let client = Arc::new(client);
    let select_chain = sc_consensus::LongestChain::new(backend.clone());

    let transaction_pool = Arc::from(
        sc_transaction_pool::Builder::new(
            task_manager.spawn_essential_handle(),
            client.clone(),
            config.role.is_authority().into(),
        )
        .with_options(config.transaction_pool.clone())
        .with_prometheus(config.prometheus_registry())
        .build(),
    );

    let (grandpa_import, grandpa_link) = sc_consensus_grandpa::block_import(
        client.clone(),
        JUSTIFICATION_PERIOD,
        &client,
        select_chain.clone(),
        None,
    )?;

    let slot_client = client.clone();
    let import_queue =
        sc_consensus_aura::import_queue::<AuraPair, _, _, _, _, _>(ImportQueueParams {
            block_import: grandpa_import.clone(),
            justification_import: Some(Box::new(grandpa_import.clone())),
            client: client.clone(),
            create_inherent_data_providers: move |parent, ()| {
                let slot_client = slot_client.clone();
                async move {
                    let slot_duration =
                        sc_consensus_aura::standalone::slot_duration_at(&*slot_client, parent)?;
                    Ok(slot_now(slot_duration))
                }
            },
            spawner: &task_manager.spawn_essential_handle(),
            registry: config.prometheus_registry(),
            check_for_equivocation: Default::default(),
            telemetry: None,
            compatibility_mode: Default::default(),
        })?;

    Ok(sc_service::PartialComponents {
        client,
        backend,
        task_manager,
        import_queue,
        keystore_container,
        select_chain,
        transaction_pool,
        other: (grandpa_import, grandpa_link),
    })
}

/// Starts a full node: networking, RPC, and for validators Aura and GRANDPA.
pub fn new_full<N>(config: Configuration) -> Result<TaskManager, ServiceError>
where
    N: sc_network::NetworkBackend<Block, <Block as BlockT>::Hash>,
{
    let sc_service::PartialComponents {
        client,
        backend,
        mut task_manager,
        import_queue,
        keystore_container,
        select_chain,
        transaction_pool,
        other: (block_import, grandpa_link),
    } = new_partial(&config)?;

    let mut net_config = sc_network::config::FullNetworkConfiguration::<
        Block,
        <Block as BlockT>::Hash,
        N,
    >::new(&config.network, config.prometheus_registry().cloned());
    let metrics = N::register_notification_metrics(config.prometheus_registry());

    // The GRANDPA protocol name includes the genesis hash: nodes of another
    // chain cannot even gossip votes with this one.
    let genesis = client
        .block_hash(0)?
        .ok_or("the database has no genesis block")?;
    let grandpa_protocol =
        sc_consensus_grandpa::protocol_standard_name(&genesis, &config.chain_spec);
    let (grandpa_protocol_config, grandpa_notifications) =
        sc_consensus_grandpa::grandpa_peers_set_config::<_, N>(
            grandpa_protocol.clone(),
            metrics.clone(),
            net_config.peer_store_handle(),
        );
    net_config.add_notification_protocol(grandpa_protocol_config);

    let warp_sync = Arc::new(sc_consensus_grandpa::warp_proof::NetworkProvider::new(
        backend.clone(),
        grandpa_link.shared_authority_set().clone(),
        Vec::new(),
    ));

    let (network, system_rpc_tx, tx_handler_controller, sync_service, _bitswap) =
        sc_service::build_network(sc_service::BuildNetworkParams {
            config: &config,
            net_config,
            client: client.clone(),
            transaction_pool: transaction_pool.clone(),
            spawn_handle: task_manager.spawn_handle(),
            spawn_essential_handle: task_manager.spawn_essential_handle(),
            import_queue,
            block_announce_validator_builder: None,
            warp_sync_config: Some(WarpSyncConfig::WithProvider(warp_sync)),
            block_relay: None,
            metrics,
            gap_sync_body_policy: None,
        })?;

    if config.offchain_worker.enabled {
        let workers = sc_offchain::OffchainWorkers::new(sc_offchain::OffchainWorkerOptions {
            runtime_api_provider: client.clone(),
            is_validator: config.role.is_authority(),
            keystore: Some(keystore_container.keystore()),
            offchain_db: backend.offchain_storage(),
            transaction_pool: Some(OffchainTransactionPoolFactory::new(
                transaction_pool.clone(),
            )),
            network_provider: Arc::new(network.clone()),
            enable_http_requests: false,
            custom_extensions: |_| vec![],
        })?;
        task_manager.spawn_handle().spawn(
            "offchain-workers-runner",
            "offchain-worker",
            workers
                .run(client.clone(), task_manager.spawn_handle())
                .boxed(),
        );
    }

    let role = config.role;
    let force_authoring = config.force_authoring;
    let name = config.network.node_name.clone();
    let enable_grandpa = !config.disable_grandpa;
    let prometheus_registry = config.prometheus_registry().cloned();

    let rpc_builder = {
        let client = client.clone();
        let pool = transaction_pool.clone();
        Box::new(move |_| crate::rpc::create(client.clone(), pool.clone()).map_err(Into::into))
    };
    sc_service::spawn_tasks(sc_service::SpawnTasksParams {
        network: Arc::new(network.clone()),
        client: client.clone(),
        keystore: keystore_container.keystore(),
        task_manager: &mut task_manager,
        transaction_pool: transaction_pool.clone(),
        rpc_builder,
        backend,
        system_rpc_tx,
        tx_handler_controller,
        sync_service: sync_service.clone(),
        config,
        telemetry: None,
        tracing_execute_block: None,
    })?;

    if role.is_authority() {
        let proposer_factory = sc_basic_authorship::ProposerFactory::new(
            task_manager.spawn_handle(),
            client.clone(),
            transaction_pool.clone(),
            prometheus_registry.as_ref(),
            None,
        );
        let slot_duration = sc_consensus_aura::slot_duration::<AuraId, _, _>(&*client)?;
        let aura = sc_consensus_aura::start_aura::<AuraPair, _, _, _, _, _, _, _, _, _, _>(
            StartAuraParams {
                slot_duration,
                client,
                select_chain,
                block_import,
                proposer_factory,
                create_inherent_data_providers: move |_, ()| async move { Ok(slot_now(slot_duration)) },
                force_authoring,
                backoff_authoring_blocks: None::<()>,
                keystore: keystore_container.keystore(),
                sync_oracle: sync_service.clone(),
                justification_sync_link: sync_service.clone(),
                block_proposal_slot_portion: SlotProportion::new(2f32 / 3f32),
                max_block_proposal_slot_portion: None,
                telemetry: None,
                compatibility_mode: Default::default(),
            },
        )?;
        // Authoring is essential: if it fails, the node stops.
        task_manager
            .spawn_essential_handle()
            .spawn_blocking("aura", Some("block-authoring"), aura);
    }

    if enable_grandpa {
        // Only validators vote; the others verify justifications without a keystore.
        let keystore = role.is_authority().then(|| keystore_container.keystore());
        let voter = sc_consensus_grandpa::run_grandpa_voter(sc_consensus_grandpa::GrandpaParams {
            config: sc_consensus_grandpa::Config {
                gossip_duration: Duration::from_millis(333),
                justification_generation_period: JUSTIFICATION_PERIOD,
                name: Some(name),
                observer_enabled: false,
                keystore,
                local_role: role,
                telemetry: None,
                protocol_name: grandpa_protocol,
            },
            link: grandpa_link,
            network,
            sync: Arc::new(sync_service),
            notification_service: grandpa_notifications,
            voting_rule: sc_consensus_grandpa::VotingRulesBuilder::default().build(),
            prometheus_registry,
            shared_voter_state: SharedVoterState::empty(),
            telemetry: None,
            offchain_tx_pool_factory: OffchainTransactionPoolFactory::new(transaction_pool),
        })?;
        task_manager
            .spawn_essential_handle()
            .spawn_blocking("grandpa-voter", None, voter);
    }

    Ok(task_manager)
}

//! The node's own RPC modules, beside the standard ones `sc-service` serves
//! (`chain`, `state`, `author`, `system`, `chainHead`, …): `system_accountNextIndex`
//! (a nonce that counts the transaction pool) and `payment_queryInfo` /
//! `payment_queryFeeDetails`.

use std::sync::Arc;

use jsonrpsee::RpcModule;
use pallet_transaction_payment_rpc::{TransactionPayment, TransactionPaymentApiServer};
use sc_transaction_pool_api::TransactionPool;
use substrate_frame_rpc_system::{System, SystemApiServer};

use crate::{runtime_api::Block, service::FullClient};

/// The extra modules, merged into one.
pub fn create<P>(
    client: Arc<FullClient>,
    pool: Arc<P>,
) -> Result<RpcModule<()>, Box<dyn std::error::Error + Send + Sync>>
where
    P: TransactionPool<Block = Block> + 'static,
{
    let mut module = RpcModule::new(());
    module.merge(System::new(client.clone(), pool).into_rpc())?;
    module.merge(TransactionPayment::new(client).into_rpc())?;
    Ok(module)
}

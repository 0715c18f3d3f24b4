//! JSON-RPC over plain HTTP POST to one node (what `curl` would send), so a
//! test can ask each node separately what it sees.

use anyhow::{anyhow, Result};
use serde_json::json;
use std::net::SocketAddr;

/// Calls `method` with `params` on the node at `addr`; returns `result`.
pub use e2e_tests::http::rpc_call as call;

/// The number of the block `hash` (the best block if `None`).
pub fn header_number(addr: SocketAddr, hash: Option<&str>) -> Result<u32> {
    let params = hash.map_or_else(|| json!([]), |h| json!([h]));
    let header = call(addr, "chain_getHeader", params)?;
    let number = header["number"]
        .as_str()
        .ok_or_else(|| anyhow!("header without a number: {header}"))?;
    Ok(u32::from_str_radix(number.trim_start_matches("0x"), 16)?)
}

//! JSON-RPC over plain HTTP POST to one node (what `curl` would send), so a
//! test can ask each node separately what it sees.

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// Calls `method` with `params` on the node at `addr`; returns `result`.
pub fn call(addr: SocketAddr, method: &str, params: Value) -> Result<Value> {
    let body = json!({ "id": 1, "jsonrpc": "2.0", "method": method, "params": params }).to_string();
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(3))
        .with_context(|| format!("connecting to {addr}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let (_, payload) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| anyhow!("malformed HTTP response from {addr}"))?;
    let reply: Value = serde_json::from_str(payload)
        .with_context(|| format!("{method} on {addr}: not JSON: {payload}"))?;
    if let Some(error) = reply.get("error") {
        bail!("{method} on {addr}: {error}");
    }
    Ok(reply["result"].clone())
}

/// The number of the block `hash` (the best block if `None`).
pub fn header_number(addr: SocketAddr, hash: Option<&str>) -> Result<u32> {
    let params = hash.map_or_else(|| json!([]), |h| json!([h]));
    let header = call(addr, "chain_getHeader", params)?;
    let number = header["number"]
        .as_str()
        .ok_or_else(|| anyhow!("header without a number: {header}"))?;
    Ok(u32::from_str_radix(number.trim_start_matches("0x"), 16)?)
}

//! The HTTP face of the [`Gate`]: htsget's endpoints, the data and proof
//! URLs tickets point to, and `service-info` (the account requests are
//! signed for).
//!
//! | route | who | answer |
//! |---|---|---|
//! | `GET /reads/{id}`, `GET /variants/{id}` | a signed researcher | an htsget ticket; `BioNFT-Receipt`, `BioNFT-Session`, `BioNFT-Grants` headers |
//! | `GET /data/{id}` | a ticket's bearer token | the file |
//! | `GET /proofs/{id}` | a ticket's bearer token | the region's `bionft-seq` proof (JSON) |
//! | `GET /token` | a signed researcher | an access token that stands for the signature (for htsget clients that only send bearer tokens) |
//! | `GET /visas/{account}` | that account, signed | its GA4GH Passport visas (`{"ga4gh_passport_v1": [jwt, …]}`) |
//! | `GET /.well-known/jwks.json` | anyone | the key that verifies the visas |
//! | `GET /service-info` | anyone | the host's account and files |

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::json;

use crate::gate::Gate;
use crate::htsget::{Endpoint, Error};

pub const RECEIPT: &str = "bionft-receipt";
pub const SESSION: &str = "bionft-session";
pub const GRANTS: &str = "bionft-grants";

const HTSGET_JSON: &str = "application/vnd.ga4gh.htsget.v1.3.0+json; charset=utf-8";

impl IntoResponse for Error {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, self.body().to_string()).into_response();
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(HTSGET_JSON));
        response
    }
}

pub fn router(gate: Arc<Gate>) -> Router {
    Router::new()
        .route("/reads/{id}", get(reads))
        .route("/variants/{id}", get(variants))
        .route("/data/{id}", get(data))
        .route("/proofs/{id}", get(proof))
        .route("/token", get(access_token))
        .route("/visas/{account}", get(visas))
        .route("/.well-known/jwks.json", get(jwks))
        .route("/service-info", get(service_info))
        .with_state(gate)
}

async fn reads(
    gate: State<Arc<Gate>>,
    id: Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    ticket(Endpoint::Reads, gate, id, method, uri, headers).await
}

async fn variants(
    gate: State<Arc<Gate>>,
    id: Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    ticket(Endpoint::Variants, gate, id, method, uri, headers).await
}

async fn ticket(
    endpoint: Endpoint,
    State(gate): State<Arc<Gate>>,
    Path(id): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (target, header) = signed(&uri, &headers);
    match gate
        .ticket(endpoint, &id, method.as_str(), target, header)
        .await
    {
        Ok(issued) => {
            let mut response = Json(issued.ticket).into_response();
            let h = response.headers_mut();
            h.insert(header::CONTENT_TYPE, HeaderValue::from_static(HTSGET_JSON));
            h.insert(RECEIPT, HeaderValue::from(issued.receipt));
            h.insert(
                SESSION,
                HeaderValue::from_static(if issued.new_session {
                    "new"
                } else {
                    "continued"
                }),
            );
            h.insert(GRANTS, grants_header(&issued.grants));
            response
        }
        Err(e) => e.into_response(),
    }
}

fn grants_header(grants: &[u128]) -> HeaderValue {
    let text = grants
        .iter()
        .map(u128::to_string)
        .collect::<Vec<_>>()
        .join(",");
    HeaderValue::from_str(&text).expect("digits and commas")
}

/// The bearer token: `Authorization: Bearer …`, or `?token=` for clients
/// that cannot send a ticket's headers.
fn token<'a>(headers: &'a HeaderMap, query: &'a TokenQuery) -> Option<&'a str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .or(query.token.as_deref())
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

async fn data(
    State(gate): State<Arc<Gate>>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let served = match gate.data(&id, token(&headers, &query)).await {
        Ok(s) => s,
        Err(e) => return e.into_response(),
    };
    let length = match (&served.slice, std::fs::metadata(&served.path)) {
        (_, Err(e)) => {
            return Error::new(500, "InternalError", format!("reading {id}: {e}")).into_response()
        }
        (Some(_), Ok(_)) => None,
        (None, Ok(meta)) => Some(meta.len()),
    };
    let path = served.path.clone();
    let body = stream_blocking(move |out| match served.slice {
        Some((slicer, chunks)) => slicer.write(&path, &chunks, out),
        None => std::io::copy(&mut std::fs::File::open(&path)?, out).map(drop),
    });
    let mut response = body.into_response();
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/octet-stream"),
    );
    if let Some(length) = length {
        h.insert(header::CONTENT_LENGTH, HeaderValue::from(length));
    }
    h.insert(GRANTS, grants_header(&served.grants));
    response
}

/// A response body written by `write` on a blocking thread, streamed as it
/// is written (a file or a slice is never held in memory whole). An error
/// midway ends the body early, so the client sees a broken transfer, never
/// a short file that looks complete.
fn stream_blocking(
    write: impl FnOnce(&mut ChannelWriter) -> std::io::Result<()> + Send + 'static,
) -> Body {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(8);
    tokio::task::spawn_blocking(move || {
        let mut out = ChannelWriter(tx);
        if let Err(e) = write(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
            let _ = out.0.blocking_send(Err(e));
        }
    });
    Body::from_stream(futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|item| (item, rx))
    }))
}

/// Sends what is written to a response body.
struct ChannelWriter(tokio::sync::mpsc::Sender<std::io::Result<Bytes>>);

impl std::io::Write for ChannelWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0
            .blocking_send(Ok(Bytes::copy_from_slice(buf)))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the client left"))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn proof(
    State(gate): State<Arc<Gate>>,
    Path(id): Path<String>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    match gate.proof(&id, token(&headers, &query)).await {
        Ok(json) => {
            let mut response = json.as_str().to_owned().into_response();
            response.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            response
        }
        Err(e) => e.into_response(),
    }
}

async fn access_token(
    State(gate): State<Arc<Gate>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (target, header) = signed(&uri, &headers);
    match gate.access_token(method.as_str(), target, header) {
        Ok(token) => Json(token).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn visas(
    State(gate): State<Arc<Gate>>,
    Path(account): Path<String>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (target, header) = signed(&uri, &headers);
    match gate.visas(&account, method.as_str(), target, header).await {
        Ok(passport) => Json(passport).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn jwks(State(gate): State<Arc<Gate>>) -> Response {
    match gate.jwks() {
        Ok(jwks) => Json(jwks).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn service_info(State(gate): State<Arc<Gate>>) -> Response {
    let mut files: Vec<_> = gate
        .files()
        .map(|f| {
            json!({
                "id": f.id,
                "record": f.record as u64,
                "format": f.format.to_string(),
                "endpoint": if Endpoint::Reads.serves(f.format) { "reads" } else { "variants" },
            })
        })
        .collect();
    files.sort_by(|a, b| a["id"].as_str().cmp(&b["id"].as_str()));
    Json(json!({
        "id": "bionft-host",
        "name": "BioNFT data host gate",
        "type": { "group": "org.ga4gh", "artifact": "htsget", "version": "1.3.0" },
        "account": format!("0x{}", hex::encode(gate.account().0)),
        "files": files,
    }))
    .into_response()
}

/// What a researcher signed: the path and query as sent (`/reads/x?format=BAM`),
/// and the request's headers, looked up by name.
fn signed<'a>(uri: &'a Uri, headers: &'a HeaderMap) -> (&'a str, impl Fn(&str) -> Option<&'a str>) {
    let target = uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or(uri.path());
    (target, move |name: &str| {
        headers.get(name).and_then(|v| v.to_str().ok())
    })
}

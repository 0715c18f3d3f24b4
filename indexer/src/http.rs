//! The HTTP API: thin handlers that parse parameters, ask [`crate::queries`]
//! on a blocking thread, and answer JSON (or DOT/SVG). Every refusal is a
//! 4xx with a JSON body `{"error": {"status", "code", "message"}}`. The API
//! is documented in `openapi.json`, served at `/openapi.json`.

use crate::health::{Health, SourceView};
use crate::queries::{AsOf, Direction, GrantsOf, Page, QueryError, ReceiptsOf};
use crate::store::Store;
use crate::{lineage, Account};
use axum::extract::{FromRequestParts, Path, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::de::DeserializeOwned;
use serde::Deserialize;
use std::sync::Arc;

/// The OpenAPI 3 description of this API.
pub const OPENAPI: &str = include_str!("../openapi.json");

/// A refusal or failure, as the API reports it.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

impl ApiError {
    fn bad_request(message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            code: "bad_request",
            message: message.into(),
        }
    }
}

impl From<QueryError> for ApiError {
    fn from(e: QueryError) -> Self {
        match e {
            QueryError::NotFound(m) => ApiError {
                status: StatusCode::NOT_FOUND,
                code: "not_found",
                message: m,
            },
            QueryError::Invalid(m) => ApiError::bad_request(m),
            QueryError::Db(e) => ApiError {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                code: "database",
                message: e.to_string(),
            },
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({
            "error": { "status": self.status.as_u16(), "code": self.code, "message": self.message }
        });
        (self.status, Json(body)).into_response()
    }
}

/// Query-string parameters, refused as a JSON 400 (unknown names included).
pub struct Params<T>(T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Params<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded::from_str(query)
            .map(Params)
            .map_err(|e| ApiError::bad_request(format!("query parameters: {e}")))
    }
}

/// What the handlers read: the database, and the follower's report on its
/// source when this process follows the chain (`run`; not `serve`).
#[derive(Clone)]
pub struct App {
    pub store: Arc<Store>,
    pub source: Option<Arc<Health>>,
}
type Answer<T> = Result<T, ApiError>;

/// Runs a store query on a blocking thread (the drivers are synchronous).
async fn ask<T: Send + 'static>(
    app: App,
    f: impl FnOnce(&Store) -> Result<T, QueryError> + Send + 'static,
) -> Answer<T> {
    tokio::task::spawn_blocking(move || f(&app.store))
        .await
        .map_err(|e| ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            code: "internal",
            message: e.to_string(),
        })?
        .map_err(ApiError::from)
}

fn id(text: &str, what: &str) -> Answer<i64> {
    text.parse::<i64>().ok().filter(|v| *v > 0).ok_or_else(|| {
        ApiError::bad_request(format!("`{text}` is not a {what} id (a positive integer)"))
    })
}

fn account(text: &str) -> Answer<Account> {
    text.parse()
        .map_err(|e: crate::account::BadAccount| ApiError::bad_request(e.to_string()))
}

fn commitment(text: &str) -> Answer<[u8; 32]> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text.strip_prefix("0x").unwrap_or(text), &mut out).map_err(|_| {
        ApiError::bad_request(format!("`{text}` is not a commitment (64 hex digits)"))
    })?;
    Ok(out)
}

/// Builds the API's router over `app`.
pub fn router(app: App) -> Router {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/status", get(status))
        .route("/records/{id}", get(record))
        .route(
            "/records/by-commitment/{commitment}",
            get(record_by_commitment),
        )
        .route("/records/{id}/lineage", get(lineage_graph))
        .route("/records/{id}/provenance", get(provenance))
        .route("/records/{id}/lineage.dot", get(lineage_dot))
        .route("/records/{id}/lineage.svg", get(lineage_svg))
        .route("/records/{id}/grants", get(record_grants))
        .route("/records/{id}/receipts", get(record_receipts))
        .route("/samples/{id}/grants", get(subject_grants))
        .route("/grantees/{account}/grants", get(grantee_grants))
        .route("/grantees/{account}/receipts", get(grantee_receipts))
        .route("/grants/{id}", get(grant))
        .route("/grants/{id}/receipts", get(grant_receipts))
        .route("/receipts/{id}", get(receipt))
        .route("/access", get(access))
        .route("/accounts/{account}/samples", get(acting_for))
        .fallback(|| async {
            ApiError {
                status: StatusCode::NOT_FOUND,
                code: "no_route",
                message: "no such endpoint; see /openapi.json".into(),
            }
        })
        .with_state(app)
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

/// `/status`: the indexed head, and how the follower's source is doing.
#[derive(serde::Serialize)]
struct Status {
    #[serde(flatten)]
    indexed: crate::queries::Moment,
    /// `null` when this process does not follow the chain (`serve`).
    source: Option<SourceView>,
}

async fn status(State(app): State<App>) -> Answer<impl IntoResponse> {
    let source = app.source.clone();
    let indexed = ask(app, |s| s.status()).await?;
    Ok(Json(Status {
        source: source.map(|h| h.view(indexed.block)),
        indexed,
    }))
}

/// `block` or `time`, at most one: the moment a question is asked at.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AsOfParams {
    block: Option<u32>,
    time: Option<i64>,
}

fn as_of(block: Option<u32>, time: Option<i64>) -> Result<AsOf, ApiError> {
    match (block, time) {
        (Some(_), Some(_)) => Err(ApiError::bad_request("give `block` or `time`, not both")),
        (Some(b), None) => Ok(AsOf::Block(b)),
        (None, Some(t)) => Ok(AsOf::Time(t)),
        (None, None) => Ok(AsOf::Head),
    }
}

async fn record(
    State(app): State<App>,
    Path(rid): Path<String>,
    Params(p): Params<AsOfParams>,
) -> Answer<impl IntoResponse> {
    let rid = id(&rid, "record")?;
    let at = as_of(p.block, p.time)?;
    Ok(Json(ask(app, move |s| s.record(rid, at)).await?))
}

async fn record_by_commitment(
    State(app): State<App>,
    Path(c): Path<String>,
) -> Answer<impl IntoResponse> {
    let c = commitment(&c)?;
    Ok(Json(ask(app, move |s| s.record_by_commitment(c)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LineageParams {
    depth: Option<u32>,
    direction: Option<Direction>,
}

async fn graph(app: App, rid: &str, p: LineageParams) -> Answer<crate::queries::Graph> {
    let rid = id(rid, "record")?;
    let depth = p.depth.unwrap_or(8);
    let direction = p.direction.unwrap_or(Direction::Both);
    ask(app, move |s| s.lineage(rid, depth, direction)).await
}

async fn lineage_graph(
    State(app): State<App>,
    Path(rid): Path<String>,
    Params(p): Params<LineageParams>,
) -> Answer<impl IntoResponse> {
    Ok(Json(graph(app, &rid, p).await?))
}

async fn provenance(
    State(app): State<App>,
    Path(rid): Path<String>,
    Params(p): Params<LineageParams>,
) -> Answer<impl IntoResponse> {
    let g = graph(app.clone(), &rid, p).await?;
    let (g, subjects) = ask(app, move |s| s.subjects(&g).map(|subjects| (g, subjects))).await?;
    Ok(Json(lineage::prov_json(&g, &subjects)))
}

async fn lineage_dot(
    State(app): State<App>,
    Path(rid): Path<String>,
    Params(p): Params<LineageParams>,
) -> Answer<impl IntoResponse> {
    let g = graph(app, &rid, p).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/vnd.graphviz")],
        lineage::dot(&g),
    ))
}

async fn lineage_svg(
    State(app): State<App>,
    Path(rid): Path<String>,
    Params(p): Params<LineageParams>,
) -> Answer<impl IntoResponse> {
    let g = graph(app, &rid, p).await?;
    Ok(([(header::CONTENT_TYPE, "image/svg+xml")], lineage::svg(&g)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PageParams {
    after: Option<i64>,
    limit: Option<u32>,
}

impl PageParams {
    fn page(&self) -> Answer<Page> {
        Ok(Page::new(self.after, self.limit)?)
    }
}

async fn grants(app: App, of: GrantsOf, p: PageParams) -> Answer<Json<impl serde::Serialize>> {
    let page = p.page()?;
    Ok(Json(ask(app, move |s| s.grants(of, page)).await?))
}

async fn receipts(app: App, of: ReceiptsOf, p: PageParams) -> Answer<Json<impl serde::Serialize>> {
    let page = p.page()?;
    Ok(Json(ask(app, move |s| s.receipts(of, page)).await?))
}

async fn record_grants(
    State(app): State<App>,
    Path(rid): Path<String>,
    Params(p): Params<PageParams>,
) -> Answer<impl IntoResponse> {
    grants(app, GrantsOf::Record(id(&rid, "record")?), p).await
}

async fn subject_grants(
    State(app): State<App>,
    Path(sid): Path<String>,
    Params(p): Params<PageParams>,
) -> Answer<impl IntoResponse> {
    grants(app, GrantsOf::Subject(id(&sid, "sample")?), p).await
}

async fn grantee_grants(
    State(app): State<App>,
    Path(a): Path<String>,
    Params(p): Params<PageParams>,
) -> Answer<impl IntoResponse> {
    grants(app, GrantsOf::Grantee(account(&a)?), p).await
}

async fn record_receipts(
    State(app): State<App>,
    Path(rid): Path<String>,
    Params(p): Params<PageParams>,
) -> Answer<impl IntoResponse> {
    receipts(app, ReceiptsOf::Record(id(&rid, "record")?), p).await
}

async fn grantee_receipts(
    State(app): State<App>,
    Path(a): Path<String>,
    Params(p): Params<PageParams>,
) -> Answer<impl IntoResponse> {
    receipts(app, ReceiptsOf::Grantee(account(&a)?), p).await
}

async fn grant_receipts(
    State(app): State<App>,
    Path(gid): Path<String>,
    Params(p): Params<PageParams>,
) -> Answer<impl IntoResponse> {
    receipts(app, ReceiptsOf::Grant(id(&gid, "grant")?), p).await
}

async fn grant(State(app): State<App>, Path(gid): Path<String>) -> Answer<impl IntoResponse> {
    let gid = id(&gid, "grant")?;
    Ok(Json(ask(app, move |s| s.grant(gid)).await?))
}

async fn receipt(State(app): State<App>, Path(rid): Path<String>) -> Answer<impl IntoResponse> {
    let rid = id(&rid, "receipt")?;
    Ok(Json(ask(app, move |s| s.receipt(rid)).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AccessParams {
    record: String,
    grantee: String,
    purpose: String,
    block: Option<u32>,
    time: Option<i64>,
}

async fn access(
    State(app): State<App>,
    Params(p): Params<AccessParams>,
) -> Answer<impl IntoResponse> {
    let record = id(&p.record, "record")?;
    let grantee = account(&p.grantee)?;
    // In a query string `+` arrives as a space; the DUO text form means `+`.
    let purpose: bionft_primitives::Purpose = p.purpose.replace(' ', "+").parse().map_err(|e| {
        ApiError::bad_request(format!(
            "`{}` is not a DUO purpose (e.g. HMB, DS:4989+IRB+NCU): {e:?}",
            p.purpose
        ))
    })?;
    let at = as_of(p.block, p.time)?;
    Ok(Json(
        ask(app, move |s| s.access(record, grantee, &purpose, at)).await?,
    ))
}

/// `/accounts/{account}/samples`: the samples an account is a guardian (in
/// office) or the subject of; the web app's starting point.
async fn acting_for(State(app): State<App>, Path(a): Path<String>) -> Answer<impl IntoResponse> {
    let a = account(&a)?;
    Ok(Json(ask(app, move |s| s.acting_for(a)).await?))
}

//! The HTTP API over an indexed synthetic stream, on both backends: every
//! documented endpoint answers with its documented content type, every
//! malformed or unknown request gets a 4xx with a JSON error, never a 500,
//! and `/status` carries exactly the documented fields.

mod common;

use axum::body::{to_bytes, Body};
use axum::http::{Request, StatusCode};
use indexer::follow::{follow, FollowOptions};
use indexer::health::Health;
use indexer::ingest::Contracts;
use indexer::source::FileSource;
use indexer::store::Store;
use indexer::synth::{self, Shape};
use std::sync::Arc;
use tower::ServiceExt;

/// The grantee of the synthetic stream's first grants (party 0 of role 10).
fn researcher() -> String {
    let mut a = [10u8; 32];
    a[..8].copy_from_slice(&0u64.to_le_bytes());
    format!("0x{}", hex::encode(a))
}

fn indexed(url: &str, rt: &tokio::runtime::Runtime) -> Arc<Store> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("stream");
    let mut blocks = Vec::new();
    synth::generate(
        Shape {
            records: 45,
            grants: 60,
            researchers: 2,
            events_per_block: 10,
            seed: 11,
        },
        &mut |b| {
            blocks.push(b);
            Ok(())
        },
    )
    .unwrap();
    common::record(&path, &blocks);
    let store = Arc::new(Store::open(url).unwrap());
    let contracts = Contracts {
        biosample: synth::BIOSAMPLE,
        consent: synth::CONSENT,
    };
    let source = FileSource::open(&path).unwrap();
    let opts = FollowOptions {
        exit_at_head: true,
        progress: false,
        ..FollowOptions::default()
    };
    rt.block_on(follow(
        &source,
        store.writer(&contracts).unwrap(),
        contracts,
        &opts,
        &Health::new("stream", 1),
    ))
    .unwrap();
    store
}

async fn get(store: &Arc<Store>, uri: &str) -> (StatusCode, String, Vec<u8>) {
    let response = indexer::http::router(indexer::http::App {
        store: store.clone(),
        source: None,
    })
    .oneshot(Request::get(uri).body(Body::empty()).unwrap())
    .await
    .unwrap();
    let status = response.status();
    let ctype = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = to_bytes(response.into_body(), 1 << 24)
        .await
        .unwrap()
        .to_vec();
    (status, ctype, body)
}

/// A valid value for each path parameter of the OpenAPI document.
fn example_path(template: &str) -> String {
    let commitment = {
        let mut c = [0x5a; 32];
        c[..16].copy_from_slice(&9u128.to_le_bytes());
        hex::encode(c)
    };
    template
        .replace("{commitment}", &commitment)
        .replace("{account}", &researcher())
        .replace("{id}", "1")
}

#[test]
fn every_documented_endpoint_answers_with_its_documented_content_type() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let doc: serde_json::Value = serde_json::from_str(indexer::http::OPENAPI).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    assert!(paths.len() >= 17);
    for db in common::databases() {
        let store = indexed(&db.url, &rt);
        for (template, item) in paths {
            let mut uri = example_path(template);
            if template == "/access" {
                uri = format!(
                    "/access?record=9&grantee={}&purpose=HMB&block=2",
                    researcher()
                );
            }
            let (status, ctype, body) = rt.block_on(get(&store, &uri));
            assert_eq!(
                status,
                StatusCode::OK,
                "{}: {uri}: {}",
                db.backend,
                String::from_utf8_lossy(&body)
            );
            let documented = item["get"]["responses"]["200"]["content"]
                .as_object()
                .unwrap()
                .keys()
                .next()
                .unwrap()
                .clone();
            assert!(
                ctype.starts_with(&documented),
                "{uri}: {ctype} vs {documented}"
            );
            if documented == "application/json" {
                serde_json::from_slice::<serde_json::Value>(&body).expect("JSON body");
            }
        }
        // Time travel on a record: the moment asked about comes back with the answer.
        let (status, _, body) = rt.block_on(get(&store, "/records/5?block=2"));
        assert_eq!(status, StatusCode::OK);
        let then: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(then["as_of"]["block"], 2, "{}", db.backend);
        let (_, _, now) = rt.block_on(get(&store, "/records/5"));
        let now: serde_json::Value = serde_json::from_slice(&now).unwrap();
        assert!(now.get("as_of").is_none());
        // The SVG is a drawing of the same lineage the graph describes.
        let (_, _, svg) = rt.block_on(get(&store, "/records/5/lineage.svg?depth=8"));
        let svg = String::from_utf8(svg).unwrap();
        assert_eq!(svg.matches("<rect").count(), 9, "a whole depth-8 lineage");
        assert_eq!(svg.matches("<line").count(), 8);
    }
}

#[test]
fn bad_requests_get_a_json_4xx_never_a_500() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let r = researcher();
    let cases: Vec<(String, StatusCode)> = vec![
        ("/records/0".into(), StatusCode::BAD_REQUEST),
        ("/records/-3".into(), StatusCode::BAD_REQUEST),
        ("/records/abc".into(), StatusCode::BAD_REQUEST),
        (
            "/records/99999999999999999999999".into(),
            StatusCode::BAD_REQUEST,
        ),
        ("/records/123456".into(), StatusCode::NOT_FOUND),
        ("/records/5?block=1&time=5".into(), StatusCode::BAD_REQUEST),
        ("/records/5?block=999999".into(), StatusCode::BAD_REQUEST),
        ("/records/5?blok=1".into(), StatusCode::BAD_REQUEST),
        ("/records/5?block=-1".into(), StatusCode::BAD_REQUEST),
        ("/records/by-commitment/xyz".into(), StatusCode::BAD_REQUEST),
        (
            format!("/records/by-commitment/{}", "ab".repeat(32)),
            StatusCode::NOT_FOUND,
        ),
        (
            "/records/5/lineage?depth=65".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/records/5/lineage?depth=-1".into(),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/records/5/lineage?direction=sideways".into(),
            StatusCode::BAD_REQUEST,
        ),
        ("/records/5/lineage?dept=3".into(), StatusCode::BAD_REQUEST),
        (
            "/records/5/lineage.svg?depth=1000".into(),
            StatusCode::BAD_REQUEST,
        ),
        ("/records/123456/provenance".into(), StatusCode::NOT_FOUND),
        ("/records/5/grants?limit=0".into(), StatusCode::BAD_REQUEST),
        (
            "/records/5/grants?limit=5000".into(),
            StatusCode::BAD_REQUEST,
        ),
        ("/grantees/bob/grants".into(), StatusCode::BAD_REQUEST),
        (
            "/grantees/0x12'%20OR%20'1'='1/receipts".into(),
            StatusCode::BAD_REQUEST,
        ),
        ("/grants/424242".into(), StatusCode::NOT_FOUND),
        ("/grants/424242/receipts".into(), StatusCode::NOT_FOUND),
        ("/receipts/424242".into(), StatusCode::NOT_FOUND),
        ("/samples/424242/grants".into(), StatusCode::NOT_FOUND),
        ("/access?record=9".into(), StatusCode::BAD_REQUEST),
        (
            format!("/access?record=9&grantee={r}&purpose=XYZ"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/access?record=9&grantee={r}&purpose=DS"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/access?record=9&grantee={r}&purpose=HMB+GRU"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/access?record=9&grantee={r}&purpose=HMB&block=1&time=5"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/access?record=9&grantee={r}&purpose=HMB&block=999999"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/access?record=9&grantee={r}&purpose=HMB&time=99999999999999"),
            StatusCode::BAD_REQUEST,
        ),
        (
            format!("/access?record=424242&grantee={r}&purpose=HMB"),
            StatusCode::NOT_FOUND,
        ),
        ("/nowhere".into(), StatusCode::NOT_FOUND),
    ];
    for db in common::databases() {
        let store = indexed(&db.url, &rt);
        for (uri, expected) in &cases {
            let (status, ctype, body) = rt.block_on(get(&store, uri));
            assert_eq!(
                status,
                *expected,
                "{}: {uri}: {}",
                db.backend,
                String::from_utf8_lossy(&body)
            );
            assert!(ctype.starts_with("application/json"), "{uri}");
            let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(json["error"]["status"], expected.as_u16(), "{uri}");
            assert!(!json["error"]["message"].as_str().unwrap().is_empty());
        }
    }
}

#[test]
fn time_travel_before_the_first_block_and_at_a_time_between_blocks() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in common::databases() {
        let store = indexed(&db.url, &rt);
        let r = researcher();
        // Before block 1's time nothing exists yet.
        let (status, _, body) = rt.block_on(get(
            &store,
            &format!("/access?record=1&grantee={r}&purpose=HMB&time=1000"),
        ));
        assert_eq!(status, StatusCode::OK);
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["reason"], "UnknownRecord", "{}", db.backend);
        assert_eq!(json["as_of"]["block"], serde_json::Value::Null);
        // Between two blocks the earlier block's state counts, at the asked time.
        let t = 1_767_225_600_000i64 + 2 * 6_000 + 1;
        let (_, _, body) = rt.block_on(get(
            &store,
            &format!("/access?record=1&grantee={r}&purpose=HMB&time={t}"),
        ));
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(json["as_of"]["block"], 2, "{}", db.backend);
        assert_eq!(json["as_of"]["time"], t);
    }
}

#[test]
fn status_reports_the_source_with_exactly_the_documented_fields() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let doc: serde_json::Value = serde_json::from_str(indexer::http::OPENAPI).unwrap();
    let documented = |schema: &str| {
        let mut keys: Vec<String> = doc["components"]["schemas"][schema]["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        keys.sort();
        keys
    };
    let keys = |v: &serde_json::Value| {
        let mut keys: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
        keys.sort();
        keys
    };
    let db = &common::databases()[0];
    let store = indexed(&db.url, &rt);
    let head = store.cursor().unwrap().unwrap().number;
    let health = Arc::new(Health::new("ws://node", 1));
    health.seen_head(head + 3);
    health.failed(false, "connection refused".into());
    let app = indexer::http::App {
        store,
        source: Some(health),
    };
    let response = rt
        .block_on(
            indexer::http::router(app)
                .oneshot(Request::get("/status").body(Body::empty()).unwrap()),
        )
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let body = rt
        .block_on(to_bytes(response.into_body(), 1 << 20))
        .unwrap();
    let status: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(keys(&status), documented("Status"), "{status}");
    assert_eq!(keys(&status["source"]), documented("Source"), "{status}");
    assert_eq!(status["block"], head);
    assert_eq!(status["source"]["state"], "disconnected");
    assert_eq!(status["source"]["connected"], false);
    assert_eq!(status["source"]["lag"], 3);
    assert_eq!(status["source"]["last_error"], "connection refused");
}

/// The synthetic stream's guardians of sample `s` (its `s`-th sample) are parties 5 and 6.
fn guardian(role: u8, s: u64) -> String {
    let mut a = [role; 32];
    a[..8].copy_from_slice(&s.to_le_bytes());
    format!("0x{}", hex::encode(a))
}

#[test]
fn an_account_acts_for_the_samples_it_guards_and_for_no_others() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    for db in common::databases() {
        let store = indexed(&db.url, &rt);
        let acting = |account: String| {
            let (status, _, body) =
                rt.block_on(get(&store, &format!("/accounts/{account}/samples")));
            assert_eq!(status, StatusCode::OK, "{}", db.url);
            serde_json::from_slice::<serde_json::Value>(&body).unwrap()
        };
        let first = acting(guardian(5, 0));
        assert_eq!(first[0]["sample"], 1, "{first}");
        assert_eq!(first[0]["role"], "guardian");
        assert!(first[0]["authority"].is_boolean());
        assert_eq!(first.as_array().unwrap().len(), 1, "{first}");
        // Both guardians of a sample act for it, and only for it.
        let second = acting(guardian(5, 1));
        assert_eq!(acting(guardian(6, 1)), second);
        let sample = second[0]["sample"].as_i64().unwrap();
        assert!(sample > 1, "{second}");
        let (_, _, record) = rt.block_on(get(&store, &format!("/records/{sample}")));
        let record: serde_json::Value = serde_json::from_slice(&record).unwrap();
        assert_eq!(record["kind"], "sample", "{record}");
        assert_eq!(acting(researcher()), serde_json::json!([]));
    }
}

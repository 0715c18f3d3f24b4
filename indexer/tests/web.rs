//! The web app's routes (`run --web DIR`) beside the API: the app's files
//! with their content types, the deployment file, the redirect from `/`, and
//! nothing outside the directory, however the path is spelled.

use axum::body::{to_bytes, Body};
use axum::http::{header, Request, StatusCode};
use axum::Router;
use indexer::store::Store;
use indexer::web::{router, WebApp};
use std::sync::Arc;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: Vec<u8>,
}

async fn get(app: &Router, uri: &str) -> Answer {
    let response = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        .await
        .unwrap();
    Answer {
        status: response.status(),
        headers: response.headers().clone(),
        body: to_bytes(response.into_body(), 1 << 20)
            .await
            .unwrap()
            .to_vec(),
    }
}

fn app(dir: &std::path::Path, deployment: Option<serde_json::Value>) -> Router {
    let store = Arc::new(Store::open(dir.join("index.sqlite").to_str().unwrap()).unwrap());
    router(WebApp {
        dir: dir.join("dist"),
        deployment: deployment.map(Arc::new),
    })
    .merge(indexer::http::router(indexer::http::App {
        store,
        source: None,
    }))
}

#[test]
fn the_app_its_deployment_and_the_api_share_one_origin_and_nothing_else_is_served() {
    let tmp = tempfile::tempdir().unwrap();
    let dist = tmp.path().join("dist");
    std::fs::create_dir_all(dist.join("assets")).unwrap();
    std::fs::write(dist.join("index.html"), "<!doctype html><title>app</title>").unwrap();
    std::fs::write(dist.join("assets/index-1a2b.js"), "console.log(1)").unwrap();
    std::fs::write(dist.join(".hidden"), "no").unwrap();
    std::fs::write(tmp.path().join("secret.txt"), "outside").unwrap();
    let deployment = serde_json::json!({ "format": 2, "endpoint": "ws://127.0.0.1:9944" });
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let web = app(tmp.path(), Some(deployment.clone()));

        let root = get(&web, "/").await;
        assert!(root.status.is_redirection(), "{}", root.status);
        assert_eq!(root.headers[header::LOCATION], "/app/");

        let index = get(&web, "/app/").await;
        assert_eq!(index.status, StatusCode::OK);
        assert_eq!(
            index.headers[header::CONTENT_TYPE],
            "text/html; charset=utf-8"
        );
        assert_eq!(index.headers[header::CACHE_CONTROL], "no-cache");
        assert!(String::from_utf8_lossy(&index.body).contains("<title>app</title>"));

        let js = get(&web, "/app/assets/index-1a2b.js").await;
        assert_eq!(js.status, StatusCode::OK);
        assert_eq!(
            js.headers[header::CONTENT_TYPE],
            "text/javascript; charset=utf-8"
        );
        assert!(js.headers[header::CACHE_CONTROL]
            .to_str()
            .unwrap()
            .contains("immutable"));

        let d = get(&web, "/app/deployment.json").await;
        assert_eq!(d.status, StatusCode::OK);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&d.body).unwrap(),
            deployment
        );

        for outside in [
            "/app/../secret.txt",
            "/app/%2e%2e/secret.txt",
            "/app/assets/..%2f..%2fsecret.txt",
            "/app/.hidden",
            "/app/missing.js",
        ] {
            let a = get(&web, outside).await;
            assert_eq!(a.status, StatusCode::NOT_FOUND, "{outside}");
            assert!(
                !String::from_utf8_lossy(&a.body).contains("outside"),
                "{outside}"
            );
        }

        // The API is still there, and its own 404s still speak JSON.
        assert_eq!(get(&web, "/openapi.json").await.status, StatusCode::OK);
        let unknown = get(&web, "/no/such/endpoint").await;
        assert_eq!(unknown.status, StatusCode::NOT_FOUND);
        assert!(String::from_utf8_lossy(&unknown.body).contains("no_route"));

        // Without a deployment file the app is told so.
        let bare = app(tmp.path(), None);
        assert_eq!(
            get(&bare, "/app/deployment.json").await.status,
            StatusCode::NOT_FOUND
        );
    });
}

//! The web app's static files and its configuration, served beside the API
//! (`run --web DIR`), so the main job has one URL: `/` redirects to `/app/`,
//! `/app/…` serves the built app (`web-app/dist`), and `/app/deployment.json`
//! is the deployment file the indexer follows (endpoint, genesis hash,
//! contract addresses and code hashes: all public chain facts), from which
//! the app finds the chain and checks the contracts' metadata it carries.
//!
//! Only files under the directory are served: a path with anything but plain
//! components (`..`, a root, a drive) is refused, and so are dot-files.

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use std::path::{Component, PathBuf};
use std::sync::Arc;

/// What `--web` serves.
#[derive(Clone)]
pub struct WebApp {
    /// The built app (its `index.html` at the top).
    pub dir: PathBuf,
    /// The deployment file's JSON, when the indexer was given one.
    pub deployment: Option<Arc<serde_json::Value>>,
}

/// The routes of the web app, to merge with [`crate::http::router`].
pub fn router(web: WebApp) -> Router {
    Router::new()
        .route("/", get(|| async { Redirect::to("/app/") }))
        .route("/app", get(|| async { Redirect::to("/app/") }))
        .route("/app/", get(index))
        .route("/app/deployment.json", get(deployment))
        .route("/app/{*path}", get(file))
        .with_state(Arc::new(web))
}

async fn deployment(State(web): State<Arc<WebApp>>) -> Response {
    match &web.deployment {
        Some(d) => axum::Json(d.as_ref().clone()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            "this indexer was started without --deployment; the app needs it",
        )
            .into_response(),
    }
}

async fn index(State(web): State<Arc<WebApp>>) -> Response {
    serve(web, "index.html".into()).await
}

async fn file(State(web): State<Arc<WebApp>>, Path(path): Path<String>) -> Response {
    serve(web, path).await
}

/// The file at `relative` under the app's directory, or 404.
async fn serve(web: Arc<WebApp>, relative: String) -> Response {
    let Some(path) = safe_join(&web.dir, &relative) else {
        return (StatusCode::NOT_FOUND, "no such file").into_response();
    };
    let content_type = content_type(&relative);
    match tokio::task::spawn_blocking(move || std::fs::read(path)).await {
        Ok(Ok(bytes)) => {
            // Vite names assets by content hash; only index.html must be re-read.
            let cache = if relative.starts_with("assets/") {
                "public, max-age=31536000, immutable"
            } else {
                "no-cache"
            };
            (
                [
                    (header::CONTENT_TYPE, content_type),
                    (header::CACHE_CONTROL, cache),
                    (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
                ],
                bytes,
            )
                .into_response()
        }
        _ => (StatusCode::NOT_FOUND, "no such file").into_response(),
    }
}

/// `dir/relative` when `relative` is made of plain, non-hidden components only.
fn safe_join(dir: &std::path::Path, relative: &str) -> Option<PathBuf> {
    let rel = std::path::Path::new(relative);
    let mut out = dir.to_path_buf();
    let mut any = false;
    for c in rel.components() {
        match c {
            Component::Normal(part) if !part.to_string_lossy().starts_with('.') => {
                out.push(part);
                any = true;
            }
            _ => return None,
        }
    }
    any.then_some(out)
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "wasm" => "application/wasm",
        "map" => "application/json",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_paths_under_the_directory_are_served() {
        let dir = std::path::Path::new("/srv/app");
        assert_eq!(
            safe_join(dir, "assets/index-abc.js"),
            Some(PathBuf::from("/srv/app/assets/index-abc.js"))
        );
        for bad in [
            "../secret",
            "assets/../../x",
            "/etc/passwd",
            ".env",
            "a/.git/config",
            "",
        ] {
            assert_eq!(safe_join(dir, bad), None, "{bad}");
        }
    }

    #[test]
    fn content_types_follow_the_extension() {
        assert_eq!(content_type("index.html"), "text/html; charset=utf-8");
        assert_eq!(
            content_type("assets/a.js"),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(content_type("metadata/consent.json"), "application/json");
        assert_eq!(content_type("blob"), "application/octet-stream");
    }
}

//! The HTTP API: the router and the state every handler shares. One file per resource:
//! [`flows`] (the served flows, and starting runs of them) and [`runs`] (the run table, events,
//! cancel).

mod body;
mod flows;
mod openai;
mod runs;

use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::Uri;
use axum::response::IntoResponse;
use axum::routing::{get, post};

use super::errors::ApiError;
use super::registry::Registry;
use super::runs::{RunConfig, RunTable};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The served flows.
    pub flows: Arc<Registry>,
    /// Every run.
    pub runs: Arc<RunTable>,
    /// Permissions and timeout for every run.
    pub config: Arc<RunConfig>,
    /// The largest request body accepted, in bytes.
    pub body_limit: usize,
}

/// The OpenAPI document of every route below (kept beside them; a test checks each is routed).
const OPENAPI: &str = include_str!("openapi.json");

/// `GET /openapi.json`.
async fn openapi() -> axum::response::Response {
    json_bytes(OPENAPI)
}

/// JSON already written (the OpenAPI document, [`crate::serve::runs::Run::view_json`]) as a
/// `200` answer.
pub fn json_bytes(json: impl Into<axum::body::Body>) -> axum::response::Response {
    (
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        json.into(),
    )
        .into_response()
}

/// The API's routes; anything else is a JSON 404 or 405.
pub fn router(state: AppState) -> Router {
    let body_limit = state.body_limit;
    Router::new()
        .route("/flows", get(flows::list))
        .route("/flows/{name}", get(flows::get))
        .route("/flows/{name}/runs", post(flows::start))
        .route("/runs", get(runs::list))
        .route("/runs/{id}", get(runs::get))
        .route("/runs/{id}/events", get(runs::events))
        .route("/runs/{id}/cancel", post(runs::cancel))
        .route("/runs/{id}/input", post(runs::input))
        .route("/v1/chat/completions", post(openai::chat_completions))
        .route("/v1/models", get(openai::models))
        .route("/v1/models/{model}", get(openai::get_model))
        .route("/openapi.json", get(openapi))
        .merge(super::console::routes())
        .fallback(|uri: Uri| async move { ApiError::route_not_found(uri.path()) })
        .method_not_allowed_fallback(|| async { ApiError::method_not_allowed() })
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
            ApiError::internal("the server hit a bug answering this request").into_response()
        }))
        .with_state(state)
}

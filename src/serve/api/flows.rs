//! `/flows`: the served flows, and `POST /flows/{name}/runs` to start a run of one (wait for
//! its outcome, stream its events, or return its id at once).

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::body::{bad_path, bad_query, initial_store};
use super::{AppState, json_bytes};
use crate::serve::errors::ApiError;
use crate::serve::registry::FlowInfo;
use crate::serve::runs::{self, StartError};
use crate::serve::sse;

/// `GET /flows`: every served flow, by name.
pub async fn list(State(state): State<AppState>) -> Json<Vec<FlowInfo>> {
    Json(state.flows.list().iter().map(|f| f.info.clone()).collect())
}

/// `GET /flows/{name}`.
pub async fn get(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Json<FlowInfo>, ApiError> {
    let Path(name) = name.map_err(|e| bad_path(&e))?;
    let flow = state
        .flows
        .get(&name)
        .ok_or_else(|| ApiError::flow_not_found(&name))?;
    Ok(Json(flow.info.clone()))
}

/// The query of `POST /flows/{name}/runs`.
#[derive(Deserialize)]
pub struct StartQuery {
    /// `false`: answer `202 {id}` at once instead of waiting for the outcome.
    wait: Option<bool>,
}

/// `POST /flows/{name}/runs`: start a run with the body as its store.
pub async fn start(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
    query: Result<Query<StartQuery>, QueryRejection>,
    WantsEvents(events): WantsEvents,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let Path(name) = name.map_err(|e| bad_path(&e))?;
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    let flow = state
        .flows
        .get(&name)
        .ok_or_else(|| ApiError::flow_not_found(&name))?;
    let input = initial_store(body, state.body_limit)?;
    let run = runs::start(&state.runs, &flow, input, &state.config).map_err(start_error)?;
    let location = [(header::LOCATION, format!("/runs/{}", run.id()))];
    if events {
        return Ok((location, sse::events(run, 0)).into_response());
    }
    if query.wait == Some(false) {
        let body = Json(json!({"id": run.id()}));
        return Ok((StatusCode::ACCEPTED, location, body).into_response());
    }
    // A client that goes away drops this future, not the run: it goes on, in `GET /runs`.
    run.ended().await;
    Ok((location, json_bytes(run.view_json())).into_response())
}

/// Why a run could not start, as an answer.
pub fn start_error(e: StartError) -> ApiError {
    match e {
        StartError::Busy(max) => ApiError::busy(max),
        StartError::ShuttingDown => ApiError::shutting_down(),
    }
}

/// Whether the client asked for an event stream (`Accept: text/event-stream`), read from the
/// request's headers in place (a `HeaderMap` extractor would copy them all).
pub struct WantsEvents(pub bool);

impl<S: Send + Sync> FromRequestParts<S> for WantsEvents {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self(wants_events(&parts.headers)))
    }
}

fn wants_events(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|v| {
            v.split(';')
                .next()
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("text/event-stream"))
        })
}

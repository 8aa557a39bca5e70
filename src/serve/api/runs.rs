//! `/runs`: the run table, one run, its events (SSE, resumable), answering its `input()`
//! questions, and cancelling it.

use std::time::Duration;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::body::{answer, bad_path, bad_query};
use super::{AppState, json_bytes};
use crate::serve::errors::ApiError;
use crate::serve::runs::{AnswerError, CancelCause, Run, RunView};
use crate::serve::sse;

/// How long `POST /runs/{id}/cancel` waits for the run to end before answering `202`.
const CANCEL_WAIT: Duration = Duration::from_secs(2);

/// `GET /runs`: every known run, most recent first, without their stores.
pub async fn list(State(state): State<AppState>) -> Json<Vec<RunView<'static>>> {
    Json(state.runs.list().iter().map(|r| r.view(false)).collect())
}

/// `GET /runs/{id}`.
pub async fn get(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let run = find(&state, id)?;
    Ok(json_bytes(run.view_json()))
}

/// The query of `GET /runs/{id}/events`.
#[derive(Deserialize)]
pub struct EventsQuery {
    /// Only events after this `seq` (the `Last-Event-ID` header wins over it).
    after: Option<u64>,
}

/// `GET /runs/{id}/events`: the run's events after `Last-Event-ID` or `?after=` (all by
/// default), then live ones until it ends.
pub async fn events(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    query: Result<Query<EventsQuery>, QueryRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let Query(query) = query.map_err(|e| bad_query(&e))?;
    let run = find(&state, id)?;
    let after = match headers.get("last-event-id") {
        None => query.after.unwrap_or(0),
        Some(v) => {
            let text = v.to_str().unwrap_or("?").trim();
            if text.is_empty() {
                0
            } else {
                text.parse::<u64>().map_err(|_| {
                    ApiError::bad_request(format!(
                        "Last-Event-ID must be an event's seq (a whole number), found `{text}`"
                    ))
                })?
            }
        }
    };
    Ok(sse::events(run, after).into_response())
}

/// `POST /runs/{id}/cancel`: stop a running run. Answers `200` with the run once it has
/// ended (at once if it already had), or `202` if it is still winding down after a moment.
pub async fn cancel(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, ApiError> {
    let run = find(&state, id)?;
    run.cancel(CancelCause::Requested);
    let ended = tokio::time::timeout(CANCEL_WAIT, run.ended()).await.is_ok();
    let status = if ended {
        StatusCode::OK
    } else {
        StatusCode::ACCEPTED
    };
    Ok((status, Json(run.view(true))).into_response())
}

/// `POST /runs/{id}/input`: answer one of the run's open `input()` questions.
pub async fn input(
    State(state): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let run = find(&state, id)?;
    let (key, value) = answer(body, state.body_limit)?;
    match run.questions().answer(&key, value) {
        Ok(()) => Ok(Json(serde_json::json!({"id": run.id(), "key": key}))),
        Err(AnswerError::NothingWaits) => Err(ApiError::not_waiting(run.id())),
        Err(AnswerError::UnknownKey(waiting)) => Err(ApiError::input_not_found(&key, &waiting)),
    }
}

fn find(
    state: &AppState,
    id: Result<Path<String>, PathRejection>,
) -> Result<std::sync::Arc<Run>, ApiError> {
    let Path(id) = id.map_err(|e| bad_path(&e))?;
    state
        .runs
        .get(&id)
        .ok_or_else(|| ApiError::run_not_found(&id))
}

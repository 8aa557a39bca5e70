//! The OpenAI-compatible face: every served flow is a model. `POST /v1/chat/completions` runs
//! the flow named by `model` with `shared.messages` = the request's messages and
//! `shared.params` = its other fields, and answers `shared.reply` as a `chat.completion` (usage
//! summed from the run's `llm_usage` events), or with `stream: true` as `chat.completion.chunk`
//! Server-Sent Events, one per `chunk` event, then `data: [DONE]`. `GET /v1/models` lists the
//! flows. Errors are in OpenAI's shape ([`error`]).

mod error;
mod request;
mod stream;

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use self::error::OpenAiError;
use super::AppState;
use super::body::json_object;
use crate::serve::errors::ApiError;
use crate::serve::runs::{self, Run, Status};

/// The header that names the run behind a completion (`GET /runs/{id}` has its events).
const RUN_HEADER: &str = "x-flowscript-run-id";

/// `POST /v1/chat/completions`.
pub async fn chat_completions(
    State(state): State<AppState>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, OpenAiError> {
    let body = json_object(body, state.body_limit, "a chat completion request").map_err(api)?;
    let req = request::parse(body)?;
    let flow = state
        .flows
        .get(&req.model)
        .ok_or_else(|| OpenAiError::model_not_found(&req.model))?;
    let mut input = serde_json::Map::new();
    input.insert("messages".into(), req.messages.clone());
    input.insert("params".into(), Value::Object(req.params.clone()));
    let run = runs::start(&state.runs, &flow, input, &state.config)
        .map_err(|e| api(super::flows::start_error(e)))?;
    let id = HeaderValue::from_str(run.id()).ok();
    let mut response = if req.stream {
        stream::chunks(run, req.model, req.include_usage).into_response()
    } else {
        // A client that goes away drops this future, not the run.
        run.ended().await;
        Json(completion(&run, &req.model)?).into_response()
    };
    if let Some(id) = id {
        response.headers_mut().insert(RUN_HEADER, id);
    }
    Ok(response)
}

/// The `chat.completion` of an ended run, or why there is none.
fn completion(run: &Arc<Run>, model: &str) -> Result<Value, OpenAiError> {
    let reply = reply(run)?;
    Ok(json!({
        "id": completion_id(run),
        "object": "chat.completion",
        "created": created(run),
        "model": model,
        "choices": [{
            "index": 0,
            "message": {"role": "assistant", "content": reply},
            "logprobs": null,
            "finish_reason": "stop",
        }],
        "usage": run.usage(),
        "system_fingerprint": null,
    }))
}

/// The ended run's `shared.reply`, or the error a client gets instead.
fn reply(run: &Run) -> Result<String, OpenAiError> {
    let view = run.view(true);
    let message = || {
        view.error
            .as_ref()
            .map_or_else(String::new, |e| e.message.clone())
    };
    match view.status {
        Status::Finished => {}
        Status::Failed => {
            return Err(OpenAiError::run(
                "run_failed",
                format!("the flow `{}` failed: {}", view.flow, message()),
            ));
        }
        Status::Cancelled => {
            return Err(OpenAiError::run(
                "run_cancelled",
                format!("the flow `{}` was cancelled: {}", view.flow, message()),
            ));
        }
        Status::Running => {
            return Err(OpenAiError::run("run_unfinished", "the run has not ended"));
        }
    }
    match view.shared.as_ref().and_then(|s| s.get("reply")) {
        Some(Value::String(s)) => Ok(s.clone()),
        other => Err(OpenAiError::run(
            "invalid_reply",
            format!(
                "the flow `{}` finished without a reply: it must write the answer to `shared.reply` as a string (found {})",
                view.flow,
                other.map_or("nothing", crate::input::kind)
            ),
        )),
    }
}

/// `chatcmpl-` and the run's id.
fn completion_id(run: &Run) -> String {
    format!("chatcmpl-{}", run.id())
}

/// When the run started, in Unix seconds (OpenAI's `created`).
fn created(run: &Run) -> u64 {
    run.started() / 1000
}

/// `GET /v1/models`: every served flow as a model.
pub async fn models(State(state): State<AppState>) -> Json<Value> {
    let data: Vec<Value> = state.flows.list().iter().map(|f| model(&f.name)).collect();
    Json(json!({"object": "list", "data": data}))
}

/// `GET /v1/models/{model}`.
pub async fn get_model(
    State(state): State<AppState>,
    name: Result<Path<String>, PathRejection>,
) -> Result<Json<Value>, OpenAiError> {
    let Path(name) = name.map_err(|e| api(super::body::bad_path(&e)))?;
    match state.flows.get(&name) {
        Some(flow) => Ok(Json(model(&flow.name))),
        None => Err(OpenAiError::model_not_found(&name)),
    }
}

fn model(name: &str) -> Value {
    json!({"id": name, "object": "model", "created": 0, "owned_by": "flowscript"})
}

/// An error of the rest of the API in OpenAI's shape.
fn api(e: ApiError) -> OpenAiError {
    let (status, code, message) = e.into_parts();
    OpenAiError::from_api(status, code, message)
}

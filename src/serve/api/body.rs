//! Reading a run's initial store from a request body, and the rejections of axum's extractors
//! turned into the API's JSON errors.

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::StatusCode;
use serde_json::{Map, Value};

use crate::input::kind;
use crate::serve::errors::ApiError;

/// The body as the run's initial store: a JSON object, or `{}` when the body is empty.
pub fn initial_store(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<Map<String, Value>, ApiError> {
    json_object(body, limit, "the run's initial shared store")
}

/// The body of `POST /runs/{id}/input`: `{"key": "...", "value": ...}`; the answer's key and
/// value.
pub fn answer(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
) -> Result<(String, Value), ApiError> {
    const SHAPE: &str = r#"an answer such as {"key": "input-1", "value": "yes"}"#;
    let mut map = json_object(body, limit, SHAPE)?;
    let key = match map.remove("key") {
        Some(Value::String(k)) => k,
        Some(other) => {
            return Err(ApiError::bad_request(format!(
                "`key` must be a string (the `key` of the input_required event), found {}",
                kind(&other)
            )));
        }
        None => {
            return Err(ApiError::bad_request(format!(
                "`key` is missing: send {SHAPE}"
            )));
        }
    };
    let Some(value) = map.remove("value") else {
        return Err(ApiError::bad_request(format!(
            "`value` is missing: send {SHAPE}"
        )));
    };
    if let Some(extra) = map.keys().next() {
        return Err(ApiError::bad_request(format!(
            "unknown field `{extra}`: send {SHAPE}"
        )));
    }
    Ok((key, value))
}

/// The body as a JSON object (`{}` when empty); `what` says what the object is for.
pub fn json_object(
    body: Result<Bytes, BytesRejection>,
    limit: usize,
    what: &str,
) -> Result<Map<String, Value>, ApiError> {
    let bytes = body.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(limit)
        } else {
            ApiError::bad_request(format!("cannot read the request body: {}", e.body_text()))
        }
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => Err(ApiError::not_an_object(what, kind(&other))),
        Err(e) => Err(ApiError::invalid_json(&e)),
    }
}

/// A malformed path segment.
pub fn bad_path(e: &PathRejection) -> ApiError {
    ApiError::bad_request(e.body_text())
}

/// A malformed query string.
pub fn bad_query(e: &QueryRejection) -> ApiError {
    ApiError::bad_request(e.body_text())
}

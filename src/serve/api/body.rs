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
        Ok(other) => Err(ApiError::not_an_object(kind(&other))),
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

//! The API's errors: an HTTP status and a JSON body `{"error": {"code", "message"}}`, with a
//! stable `code` per kind of problem (docs/serve.md lists them).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// An error answer.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
    /// Seconds for `Retry-After`.
    retry_after: Option<u32>,
}

impl ApiError {
    fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// 404: no flow of that name.
    pub fn flow_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "flow_not_found",
            format!("no flow named `{name}` is served (GET /flows lists them)"),
        )
    }

    /// 404: no run with that id (never started, or forgotten past `--keep-runs`).
    pub fn run_not_found(id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "run_not_found",
            format!("no run with id `{id}` (unknown, or ended long enough ago to be forgotten)"),
        )
    }

    /// 404: the run waits on questions, but none with this key.
    pub fn input_not_found(key: &str, waiting: &[String]) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "input_not_found",
            format!(
                "the run waits on no question with key `{key}`; it waits on: {}",
                waiting.join(", ")
            ),
        )
    }

    /// 409: the run waits on no question (it never asked, was answered, or has ended).
    pub fn not_waiting(id: &str) -> Self {
        Self::new(
            StatusCode::CONFLICT,
            "not_waiting",
            format!("run `{id}` is not waiting for input"),
        )
    }

    /// 404: no such endpoint.
    pub fn route_not_found(path: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no endpoint at {path}"),
        )
    }

    /// 405: the endpoint exists but not with this method.
    pub fn method_not_allowed() -> Self {
        Self::new(
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
            "this endpoint does not take that method",
        )
    }

    /// 400: the body is not JSON; the message names the problem and its line and column.
    pub fn invalid_json(e: &serde_json::Error) -> Self {
        let text = e.to_string();
        let what = text.find(" at line ").map_or(text.as_str(), |i| &text[..i]);
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!(
                "the request body is not valid JSON: {what} at line {} column {}",
                e.line(),
                e.column()
            ),
        )
    }

    /// 400: the body is JSON but not an object.
    pub fn not_an_object(what: &str, found: &str) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "invalid_input",
            format!("the request body must be a JSON object ({what}), found {found}"),
        )
    }

    /// 400: a query parameter or header is malformed.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    /// 413: the body is over the limit.
    pub fn too_large(limit: usize) -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!(
                "the request body is larger than {limit} bytes (the `string` limit; \
                 `--limit string=...` changes it)"
            ),
        )
    }

    /// 429: `--max-runs` runs are running.
    pub fn busy(max_runs: u32) -> Self {
        Self {
            retry_after: Some(1),
            ..Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_runs",
                format!("{max_runs} runs are running, the most this server allows (--max-runs)"),
            )
        }
    }

    /// 500: a bug in the server.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }

    /// 503: the server is shutting down and starts no more runs.
    pub fn shutting_down() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting_down",
            "the server is shutting down and starts no new runs",
        )
    }
}

impl ApiError {
    /// The status, code and message (for the OpenAI-compatible endpoints' own shape).
    pub fn into_parts(self) -> (StatusCode, &'static str, String) {
        (self.status, self.code, self.message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({"error": {"code": self.code, "message": self.message}});
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        response
    }
}

//! Errors of the OpenAI-compatible endpoints in OpenAI's shape:
//! `{"error": {"message", "type", "param", "code"}}`, so OpenAI's client libraries raise their
//! usual exceptions (`BadRequestError`, `NotFoundError`, `RateLimitError`, ...).

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answer of `/v1/*`.
#[derive(Debug)]
pub struct OpenAiError {
    status: StatusCode,
    kind: &'static str,
    code: &'static str,
    param: Option<String>,
    message: String,
}

impl OpenAiError {
    /// 400 `invalid_request_error`, about `param` if one is named.
    pub fn invalid(code: &'static str, param: Option<String>, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            kind: "invalid_request_error",
            code,
            param,
            message: message.into(),
        }
    }

    /// 404: `model` names no served flow.
    pub fn model_not_found(model: &str) -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            kind: "invalid_request_error",
            code: "model_not_found",
            param: Some("model".into()),
            message: format!(
                "The model `{model}` does not exist: the models are the served flows (GET /v1/models)"
            ),
        }
    }

    /// The status and message of an error of the rest of the API, in this shape.
    pub fn from_api(status: StatusCode, code: &'static str, message: String) -> Self {
        let kind = match status {
            StatusCode::TOO_MANY_REQUESTS => "rate_limit_error",
            StatusCode::PAYLOAD_TOO_LARGE | StatusCode::BAD_REQUEST => "invalid_request_error",
            _ => "server_error",
        };
        Self {
            status,
            kind,
            code,
            param: None,
            message,
        }
    }

    /// 500: the flow's run failed, was cancelled, or gave no reply.
    pub fn run(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            kind: "server_error",
            code,
            param: None,
            message: message.into(),
        }
    }

    /// The `error` object (also sent as a stream's last chunk).
    pub fn body(&self) -> Value {
        json!({"error": {
            "message": self.message,
            "type": self.kind,
            "param": self.param,
            "code": self.code,
        }})
    }
}

impl IntoResponse for OpenAiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Json(self.body())).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(1));
        }
        response
    }
}

//! Reading `llm::*` answers: a chat completion's text, an SSE stream of deltas (emitted as
//! `chunk` events), and error messages that name the URL and quote the server.

use std::time::Duration;

use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

use super::config::Config;
use crate::events::{Emitter, EventKind};
use crate::host::sse::SseParser;
use crate::host::{HostError, HostErrorKind, net};

/// The first `n` characters of `text`, marked when cut.
pub(super) fn snippet(text: &str, n: usize) -> String {
    let t = text.trim();
    match t.char_indices().nth(n) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

/// The message of an error body (`{"error": {"message"}}`, `{"error": "..."}`, ...).
fn server_message(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let msg = [
        &v["error"]["message"],
        &v["error"],
        &v["message"],
        &v["detail"],
    ]
    .into_iter()
    .find_map(|m| m.as_str().map(str::to_string));
    snippet(&msg.unwrap_or_else(|| text.into_owned()), 500)
}

pub(super) fn status_error(
    call: &str,
    url: &Url,
    status: StatusCode,
    body: &[u8],
    keyless: bool,
    retry_after: Option<Duration>,
) -> HostError {
    let hint = if status == StatusCode::UNAUTHORIZED && keyless {
        " (no API key was sent: set OPENAI_API_KEY or pass #{api_key: ...})"
    } else {
        ""
    };
    let message = format!(
        "{call}: HTTP {status} from {url}: {}{hint}",
        server_message(body)
    );
    HostError::new(HostErrorKind::Http, message)
        .with_status(status.as_u16())
        .with_retry_after(retry_after)
        .at(url.as_str())
}

/// A `Retry-After` header in its seconds form (the date form is not read).
pub(super) fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let secs: f64 = headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse()
        .ok()?;
    (secs.is_finite() && secs >= 0.0)
        .then(|| Duration::from_secs_f64(secs.min(crate::limits::MAX_DURATION_SECS)))
}

/// The assistant's text in a (non-streamed) chat completion.
pub(super) fn content(call: &str, url: &Url, v: &Value) -> Result<String, HostError> {
    if let Some(msg) = v["error"]["message"].as_str().or(v["error"].as_str()) {
        let message = format!("{call}: {url} answered with an error: {msg}");
        return Err(HostError::new(HostErrorKind::Http, message).at(url.as_str()));
    }
    let Some(choice) = v["choices"].get(0) else {
        return Err(HostError::decode(format!(
            "{call}: the response from {url} has no `choices`: {}",
            snippet(&v.to_string(), 200)
        ))
        .at(url.as_str()));
    };
    match &choice["message"]["content"] {
        Value::String(s) => Ok(s.clone()),
        _ => Err(HostError::decode(format!(
            "{call}: choices[0] from {url} has no text content (finish_reason: {})",
            choice["finish_reason"]
        ))
        .at(url.as_str())),
    }
}

pub(super) fn parse_json(
    call: &str,
    url: &Url,
    bytes: &[u8],
    content_type: &str,
) -> Result<Value, HostError> {
    serde_json::from_slice(bytes).map_err(|e| {
        let body = snippet(&String::from_utf8_lossy(bytes), 200);
        HostError::decode(format!(
            "{call}: the response from {url} is not JSON ({content_type}; {e}): {body}"
        ))
        .at(url.as_str())
    })
}

pub(super) fn chunk(events: &Option<Emitter>, text: &str) {
    if let Some(ev) = events {
        ev.emit(EventKind::Emitted {
            data: json!({"type": "chunk", "text": text}),
        });
    }
}

/// Send the `usage` of a completion (or of a stream's last chunk) as an `llm_usage` event, if
/// the provider reported one.
pub(super) fn usage(events: &Option<Emitter>, v: &Value) {
    let (Some(ev), Some(u)) = (events, v.get("usage").filter(|u| u.is_object())) else {
        return;
    };
    let n = |k: &str| u[k].as_u64().unwrap_or(0);
    let (prompt, completion) = (n("prompt_tokens"), n("completion_tokens"));
    ev.emit(EventKind::LlmUsage {
        model: v["model"].as_str().unwrap_or_default().to_string(),
        prompt_tokens: prompt,
        completion_tokens: completion,
        total_tokens: u["total_tokens"]
            .as_u64()
            .unwrap_or(prompt.saturating_add(completion)),
    });
}

/// Read an SSE body to `[DONE]`, emitting each delta.
pub(super) async fn read_stream(
    call: &str,
    mut resp: reqwest::Response,
    cfg: &Config,
    events: Option<Emitter>,
) -> Result<String, HostError> {
    let url = resp.url().clone();
    let mut parser = SseParser::new();
    let mut text = String::new();
    let idle = std::time::Duration::from_secs_f64(cfg.timeout);
    let cut = |text: &str, why: String| {
        let message = format!(
            "{call}: the stream from {url} ended before [DONE] ({why}) after {} characters of text; the answer is incomplete",
            text.chars().count()
        );
        HostError::new(HostErrorKind::Network, message).at(url.as_str())
    };
    loop {
        let read = tokio::time::timeout(idle, resp.chunk())
            .await
            .map_err(|_| {
                let message = format!(
                    "{call}(\"{url}\"): no data for {} s while streaming",
                    cfg.timeout
                );
                HostError::new(HostErrorKind::Timeout, message).at(url.as_str())
            })?;
        let bytes = match read {
            Ok(Some(bytes)) => bytes,
            Ok(None) => break,
            Err(e) => return Err(cut(&text, net::describe(call, &url, &e).message)),
        };
        let ready = parser.push(&bytes).map_err(|e| {
            let message = format!("{call}: {url}: {e}");
            HostError::new(HostErrorKind::Limit, message).at(url.as_str())
        })?;
        for ev in ready {
            if on_event(call, &url, &ev.data, &mut text, &events)? {
                return Ok(text);
            }
        }
    }
    if let Some(ev) = parser.finish() {
        if on_event(call, &url, &ev.data, &mut text, &events)? {
            return Ok(text);
        }
    }
    Err(cut(&text, "the connection closed".into()))
}

/// Handle one SSE `data`; `Ok(true)` at `[DONE]`.
fn on_event(
    call: &str,
    url: &Url,
    data: &str,
    text: &mut String,
    events: &Option<Emitter>,
) -> Result<bool, HostError> {
    if data.trim() == "[DONE]" {
        return Ok(true);
    }
    let v: Value = serde_json::from_str(data).map_err(|e| {
        HostError::decode(format!(
            "{call}: malformed SSE data from {url} ({e}): {}",
            snippet(data, 200)
        ))
        .at(url.as_str())
    })?;
    if let Some(msg) = v["error"]["message"].as_str().or(v["error"].as_str()) {
        let message = format!("{call}: the stream from {url} reported an error: {msg}");
        return Err(HostError::new(HostErrorKind::Http, message).at(url.as_str()));
    }
    usage(events, &v);
    if let Some(delta) = v["choices"][0]["delta"]["content"]
        .as_str()
        .filter(|d| !d.is_empty())
    {
        chunk(events, delta);
        text.push_str(delta);
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_statuses_carry_their_status_and_retry_after() {
        let url = Url::parse("http://h/v1/chat/completions").expect("url");
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::RETRY_AFTER, "2".parse().expect("value"));
        let wait = retry_after(&headers);
        assert_eq!(wait, Some(Duration::from_secs(2)));
        let e = status_error(
            "llm::chat",
            &url,
            StatusCode::TOO_MANY_REQUESTS,
            br#"{"error":{"message":"slow down"}}"#,
            false,
            wait,
        );
        assert_eq!(e.kind, HostErrorKind::Http);
        assert_eq!((e.status, e.retry_after), (Some(429), wait));
        assert_eq!(e.url.as_deref(), Some(url.as_str()));
        assert!(
            e.message.contains("HTTP 429") && e.message.contains("slow down"),
            "{e}"
        );
        // The date form and nonsense are not read.
        headers.insert(
            reqwest::header::RETRY_AFTER,
            "Wed, 21 Oct 2015 07:28:00 GMT".parse().expect("value"),
        );
        assert_eq!(retry_after(&headers), None);
        let bad = parse_json("llm::chat", &url, b"<html>", "text/html").unwrap_err();
        assert_eq!(bad.kind, HostErrorKind::Decode);
    }

    #[test]
    fn server_messages_are_extracted() {
        assert_eq!(
            server_message(br#"{"error":{"message":"bad key"}}"#),
            "bad key"
        );
        assert_eq!(server_message(br#"{"error":"nope"}"#), "nope");
        assert_eq!(server_message(b"plain failure\n"), "plain failure");
    }
}

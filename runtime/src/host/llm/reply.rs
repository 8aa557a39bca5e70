//! Reading `llm::*` answers: a chat completion's text, an SSE stream of deltas (emitted as
//! `chunk` events), and error messages that name the URL and quote the server.

use reqwest::{StatusCode, Url};
use serde_json::{Value, json};

use super::config::Config;
use crate::events::{Emitter, EventKind};
use crate::host::net;
use crate::host::sse::SseParser;

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
) -> String {
    let hint = if status == StatusCode::UNAUTHORIZED && keyless {
        " (no API key was sent: set OPENAI_API_KEY or pass #{api_key: ...})"
    } else {
        ""
    };
    format!(
        "{call}: HTTP {status} from {url}: {}{hint}",
        server_message(body)
    )
}

/// The assistant's text in a (non-streamed) chat completion.
pub(super) fn content(call: &str, url: &Url, v: &Value) -> Result<String, String> {
    if let Some(msg) = v["error"]["message"].as_str().or(v["error"].as_str()) {
        return Err(format!("{call}: {url} answered with an error: {msg}"));
    }
    let Some(choice) = v["choices"].get(0) else {
        return Err(format!(
            "{call}: the response from {url} has no `choices`: {}",
            snippet(&v.to_string(), 200)
        ));
    };
    match &choice["message"]["content"] {
        Value::String(s) => Ok(s.clone()),
        _ => Err(format!(
            "{call}: choices[0] from {url} has no text content (finish_reason: {})",
            choice["finish_reason"]
        )),
    }
}

pub(super) fn parse_json(
    call: &str,
    url: &Url,
    bytes: &[u8],
    content_type: &str,
) -> Result<Value, String> {
    serde_json::from_slice(bytes).map_err(|e| {
        let body = snippet(&String::from_utf8_lossy(bytes), 200);
        format!("{call}: the response from {url} is not JSON ({content_type}; {e}): {body}")
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
) -> Result<String, String> {
    let url = resp.url().clone();
    let mut parser = SseParser::new();
    let mut text = String::new();
    let idle = std::time::Duration::from_secs_f64(cfg.timeout);
    let cut = |text: &str, why: String| {
        format!(
            "{call}: the stream from {url} ended before [DONE] ({why}) after {} characters of text; the answer is incomplete",
            text.chars().count()
        )
    };
    loop {
        let read = tokio::time::timeout(idle, resp.chunk())
            .await
            .map_err(|_| {
                format!(
                    "{call}(\"{url}\"): no data for {} s while streaming",
                    cfg.timeout
                )
            })?;
        let bytes = match read {
            Ok(Some(bytes)) => bytes,
            Ok(None) => break,
            Err(e) => return Err(cut(&text, net::describe(call, &e))),
        };
        let ready = parser
            .push(&bytes)
            .map_err(|e| format!("{call}: {url}: {e}"))?;
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
) -> Result<bool, String> {
    if data.trim() == "[DONE]" {
        return Ok(true);
    }
    let v: Value = serde_json::from_str(data).map_err(|e| {
        format!(
            "{call}: malformed SSE data from {url} ({e}): {}",
            snippet(data, 200)
        )
    })?;
    if let Some(msg) = v["error"]["message"].as_str().or(v["error"].as_str()) {
        return Err(format!(
            "{call}: the stream from {url} reported an error: {msg}"
        ));
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
    fn server_messages_are_extracted() {
        assert_eq!(
            server_message(br#"{"error":{"message":"bad key"}}"#),
            "bad key"
        );
        assert_eq!(server_message(br#"{"error":"nope"}"#), "nope");
        assert_eq!(server_message(b"plain failure\n"), "plain failure");
    }
}

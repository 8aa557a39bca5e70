//! `llm::chat(prompt_or_messages[, opts])` and `llm::stream(...)`: OpenAI-compatible chat
//! completions (`POST {base_url}/chat/completions`), needing `--allow-net`. `stream` reads the
//! SSE deltas, emits each as a `chunk` event and returns the whole text; a stream that ends
//! before `[DONE]` is an error, never a silently shortened answer.

mod config;
mod reply;

use std::sync::Arc;

use reqwest::Method;
use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use rhai::{Dynamic, Engine, EvalAltResult, Map, Module, NativeCallContext};
use serde_json::json;

use self::config::{Config, config, messages};
use self::reply::{chunk, content, parse_json, read_stream, retry_after, status_error, usage};
use super::http::{is_json, reg};
use super::net::{self, Request};
use super::{HostContext, HostError, HostFuture, Permissions};
use crate::events::Emitter;

/// Send the request and read the answer. `timeout` bounds a whole chat; for a stream it bounds
/// the wait for the response and then each gap between chunks.
async fn complete(
    call: &'static str,
    cfg: Config,
    req: Request,
    perms: Arc<Permissions>,
    events: Option<Emitter>,
    stream: bool,
) -> Result<Dynamic, HostError> {
    let keyless = cfg.api_key.is_none();
    let limits = cfg.limits;
    let timeout = Some(cfg.timeout);
    let whole = async {
        let resp = net::send(call, req, perms).await?;
        let (url, status) = (resp.url().clone(), resp.status());
        let ct = resp
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("no content type")
            .to_string();
        if stream && status.is_success() && !is_json(resp.headers()) {
            return Ok(Err(resp));
        }
        let wait = retry_after(resp.headers());
        let bytes = net::read_body(call, &url, resp, &limits).await?;
        if !status.is_success() {
            return Err(status_error(call, &url, status, &bytes, keyless, wait));
        }
        let answer = parse_json(call, &url, &bytes, &ct)?;
        usage(&events, &answer);
        content(call, &url, &answer).map(Ok)
    };
    match net::with_timeout(call, &cfg.url, timeout, whole).await? {
        Ok(text) => {
            if stream {
                chunk(&events, &text); // The server answered in one piece.
            }
            Ok(Dynamic::from(text))
        }
        Err(resp) => read_stream(call, resp, &cfg, events)
            .await
            .map(Dynamic::from),
    }
}

fn ask(call: &'static str, input: &Dynamic, opts: Option<&Map>, stream: bool) -> HostFuture {
    let perms = Arc::new(net::permissions());
    let events = HostContext::current()
        .map(|c| c.events.clone())
        .filter(Emitter::enabled);
    let prepared = (|| {
        let mut cfg = config(call, opts, |k| std::env::var(k).ok())?;
        cfg.limits = HostContext::limits();
        let mut body = json!({"model": cfg.model, "messages": messages(call, input)?});
        if let Some(t) = cfg.temperature {
            body["temperature"] = json!(t);
        }
        if let Some(n) = cfg.max_tokens {
            body["max_tokens"] = json!(n);
        }
        if stream {
            body["stream"] = json!(true);
        }
        let url = net::check_url(call, &cfg.url, &perms)?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(key) = &cfg.api_key {
            let v = HeaderValue::from_str(&format!("Bearer {key}")).map_err(|_| {
                HostError::invalid(format!("{call}: the API key is not a valid header value"))
            })?;
            headers.insert(AUTHORIZATION, v);
        }
        let body = Some(body.to_string().into_bytes());
        Ok::<_, HostError>((
            cfg,
            Request {
                method: Method::POST,
                url,
                headers,
                body,
            },
        ))
    })();
    let secret_url = env_url_to_hide(&perms);
    Box::pin(async move {
        let run = async {
            let (cfg, req) = prepared?;
            complete(call, cfg, req, perms, events, stream).await
        };
        run.await.map_err(|e| match &secret_url {
            Some((forms, label)) => e.map_text(|text| {
                forms
                    .iter()
                    .fold(text.to_string(), |t, f| t.replace(f.as_str(), label))
            }),
            None => e,
        })
    })
}

/// When the URL comes from `OPENAI_BASE_URL` and the run may not read that variable, its
/// spellings (as set, as sent) and the label messages show instead: the variable's name and
/// the origin, which `--allow-net` needs.
fn env_url_to_hide(perms: &Permissions) -> Option<(Vec<String>, String)> {
    let raw = std::env::var("OPENAI_BASE_URL")
        .ok()
        .filter(|v| !v.trim().is_empty())?;
    if perms.check_env("", "OPENAI_BASE_URL").is_ok() {
        return None;
    }
    let full = format!("{}/chat/completions", raw.trim_end_matches('/'));
    let parsed = reqwest::Url::parse(&full).ok();
    let origin = parsed.as_ref().map_or_else(
        || "an invalid URL".to_string(),
        |u| u.origin().ascii_serialization(),
    );
    let mut forms = vec![full.clone(), raw.clone()];
    if let Some(u) = &parsed {
        forms.insert(0, u.as_str().to_string());
        forms.push(net::redact_url(u));
    }
    // Longest first, so a spelling is never left half replaced by a shorter one.
    forms.sort_by_key(|f| std::cmp::Reverse(f.len()));
    Some((forms, format!("$OPENAI_BASE_URL ({origin})")))
}

type RhaiResult = Result<Dynamic, Box<EvalAltResult>>;

fn call(
    ctx: NativeCallContext,
    name: &'static str,
    input: Dynamic,
    opts: Option<Map>,
    stream: bool,
) -> RhaiResult {
    super::wait(&ctx, name, || ask(name, &input, opts.as_ref(), stream))
}

/// Register the `llm` module.
pub(super) fn register(engine: &mut Engine) {
    const CHAT: &str = "/// Ask an OpenAI-compatible chat model; returns the assistant's text.\n/// `prompt`: a string or an array of `#{role, content}` maps. Options: `base_url`, `model`,\n/// `api_key`, `temperature`, `max_tokens`, `timeout` (else `OPENAI_BASE_URL`, `FLOWSCRIPT_MODEL`,\n/// `OPENAI_API_KEY`). Needs `--allow-net`.";
    const STREAM: &str = "/// Like `llm::chat`, streaming: each delta is emitted as a `chunk` event; returns the whole text.";
    let mut m = Module::new();
    for (name, doc, stream) in [("chat", CHAT, false), ("stream", STREAM, true)] {
        let full: &'static str = if stream { "llm::stream" } else { "llm::chat" };
        reg(name, &["prompt: ?", "String"], doc)
            .set_into_module(&mut m, move |ctx: NativeCallContext, p: Dynamic| {
                call(ctx, full, p, None, stream)
            });
        reg(name, &["prompt: ?", "opts: Map", "String"], doc)
            .set_into_module(&mut m, move |ctx: NativeCallContext, p: Dynamic, o: Map| {
                call(ctx, full, p, Some(o), stream)
            });
    }
    engine.register_static_module("llm", m.into());
}

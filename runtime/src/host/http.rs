//! `http::get(url[, opts])` and `http::post(url, body[, opts])`: plain HTTP requests from
//! scripts, needing `--allow-net`. A response of any status is returned (only failures to get
//! one are thrown), as `#{status, headers, body}` with a JSON body already parsed.

use std::sync::Arc;

use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Response};
use rhai::NativeCallContext;
use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, ImmutableString, Map, Module};

use super::net::{self, Request};
use super::{HostError, HostFuture};
use crate::limits::Limits;
use crate::value::{describe, from_json, to_json};

/// Options of `http::get` / `http::post`.
const OPTION_KEYS: &str = "headers, timeout";

type RhaiResult = Result<Dynamic, Box<EvalAltResult>>;

/// Options that apply to any request: extra headers and a timeout in seconds.
#[derive(Default)]
pub(crate) struct Opts {
    pub headers: HeaderMap,
    pub timeout: Option<f64>,
}

/// Read the `headers` map of an options map.
pub(crate) fn headers(call: &str, value: &Dynamic) -> Result<HeaderMap, HostError> {
    let map = value.read_lock::<Map>().ok_or_else(|| {
        HostError::invalid(format!(
            "{call}: `headers` must be a map, found {}",
            describe(value)
        ))
    })?;
    let mut out = HeaderMap::new();
    for (k, v) in map.iter() {
        let name = HeaderName::from_bytes(k.as_bytes())
            .map_err(|_| HostError::invalid(format!("{call}: invalid header name \"{k}\"")))?;
        let text = if v.is_string() || v.is_int() || v.is_float() || v.is_bool() {
            v.to_string()
        } else {
            return Err(HostError::invalid(format!(
                "{call}: header \"{k}\" must be a string, found {}",
                describe(v)
            )));
        };
        let value = HeaderValue::from_str(&text)
            .map_err(|_| HostError::invalid(format!("{call}: invalid value for header \"{k}\"")))?;
        out.append(name, value);
    }
    Ok(out)
}

fn opts(call: &str, map: &Map) -> Result<Opts, HostError> {
    let mut out = Opts::default();
    for (k, v) in map.iter() {
        match k.as_str() {
            "headers" => out.headers = headers(call, v)?,
            "timeout" => out.timeout = Some(net::timeout_secs(call, v)?),
            other => {
                return Err(HostError::invalid(format!(
                    "{call}: unknown option `{other}` (the options are {OPTION_KEYS})"
                )));
            }
        }
    }
    Ok(out)
}

/// A request body: a map or array (or number, bool) is sent as JSON, a string as text, a blob
/// as bytes, `()` as nothing. Returns the bytes and the content type to use unless one is given.
fn encode_body(call: &str, body: &Dynamic) -> Result<(Option<Vec<u8>>, &'static str), HostError> {
    if body.is_unit() {
        return Ok((None, ""));
    }
    if body.is_string() {
        let text = body.clone().into_string().unwrap_or_default();
        return Ok((Some(text.into_bytes()), "text/plain; charset=utf-8"));
    }
    if let Some(blob) = body.read_lock::<rhai::Blob>() {
        return Ok((Some(blob.clone()), "application/octet-stream"));
    }
    if body.is_map() || body.is_array() || body.is_int() || body.is_float() || body.is_bool() {
        let json = serde_json::to_vec(&to_json(body))
            .map_err(|e| HostError::invalid(format!("{call}: {e}")))?;
        return Ok((Some(json), "application/json"));
    }
    Err(HostError::invalid(format!(
        "{call}: the body must be a map, array, string or blob, found {}",
        describe(body)
    )))
}

/// Whether a response's content type is JSON (`application/json`, `application/x+json`, ...).
pub(crate) fn is_json(resp_headers: &HeaderMap) -> bool {
    resp_headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || mime.ends_with("+json") || mime == "text/json"
        })
}

/// A response as `#{status, headers, body}`.
async fn to_map(call: &str, resp: Response, limits: &Limits) -> Result<Dynamic, HostError> {
    let status = resp.status().as_u16();
    let url = resp.url().clone();
    let mut hdrs = Map::new();
    for (name, value) in resp.headers() {
        let value = String::from_utf8_lossy(value.as_bytes());
        match hdrs.get_mut(name.as_str()) {
            Some(prev) => *prev = format!("{prev}, {value}").into(),
            None => {
                hdrs.insert(name.as_str().into(), value.into_owned().into());
            }
        }
    }
    let json = is_json(resp.headers());
    let bytes = net::read_body(call, &url, resp, limits).await?;
    let body = match json.then(|| serde_json::from_slice(&bytes)) {
        Some(Ok(value)) => from_json(&value),
        _ => Dynamic::from(String::from_utf8_lossy(&bytes).into_owned()),
    };
    let mut out = Map::new();
    out.insert("status".into(), Dynamic::from_int(status.into()));
    out.insert("headers".into(), Dynamic::from_map(hdrs));
    out.insert("body".into(), body);
    Ok(Dynamic::from_map(out))
}

/// Check everything, then send; argument errors come back as a ready failed future.
fn request(method: Method, url: &str, body: &Dynamic, options: Option<&Map>) -> HostFuture {
    let call = if method == Method::GET {
        "http::get"
    } else {
        "http::post"
    };
    let perms = Arc::new(net::permissions());
    let prepared = (|| {
        let opts = options.map_or_else(|| Ok(Opts::default()), |m| opts(call, m))?;
        let parsed = net::check_url(call, url, &perms)?;
        let (bytes, content_type) = encode_body(call, body)?;
        let mut headers = opts.headers;
        if bytes.is_some() && !headers.contains_key(CONTENT_TYPE) {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        }
        let req = Request {
            method,
            url: parsed,
            headers,
            body: bytes,
        };
        Ok::<_, HostError>((req, opts.timeout))
    })();
    let url = url.to_string();
    // A request never waits forever: without a `timeout` option the `http-timeout` limit holds.
    let limits = super::HostContext::limits();
    let default_timeout = limits.http_timeout_secs as f64;
    Box::pin(async move {
        let (req, timeout) = prepared?;
        let timeout = Some(timeout.unwrap_or(default_timeout));
        net::with_timeout(call, &url, timeout, async {
            let resp = net::send(call, req, perms).await?;
            to_map(call, resp, &limits).await
        })
        .await
    })
}

fn get(ctx: NativeCallContext, url: ImmutableString, options: Option<Map>) -> RhaiResult {
    super::wait(&ctx, "http::get", || {
        request(Method::GET, &url, &Dynamic::UNIT, options.as_ref())
    })
}

fn post(
    ctx: NativeCallContext,
    url: ImmutableString,
    body: Dynamic,
    options: Option<Map>,
) -> RhaiResult {
    super::wait(&ctx, "http::post", || {
        request(Method::POST, &url, &body, options.as_ref())
    })
}

/// A function registration with its signature and doc comment, for the editor.
pub(crate) fn reg(name: &str, params: &[&str], doc: &str) -> FuncRegistration {
    FuncRegistration::new(name)
        .with_volatility(true)
        .with_params_info(params)
        .with_comments([doc])
}

/// Register the `http` module.
pub(super) fn register(engine: &mut Engine) {
    const GET: &str = "/// GET `url`; returns `#{status, headers, body}` (JSON bodies parsed).\n/// Options: `#{headers: #{..}, timeout: seconds}`. Needs `--allow-net`.";
    const POST: &str = "/// POST `body` (map/array → JSON, string → text) to `url`; returns `#{status, headers, body}`.\n/// Options: `#{headers: #{..}, timeout: seconds}`. Needs `--allow-net`.";
    let mut m = Module::new();
    reg("get", &["url: String", "Map"], GET)
        .set_into_module(&mut m, |ctx: NativeCallContext, url: ImmutableString| {
            get(ctx, url, None)
        });
    reg("get", &["url: String", "opts: Map", "Map"], GET).set_into_module(
        &mut m,
        |ctx: NativeCallContext, url: ImmutableString, o: Map| get(ctx, url, Some(o)),
    );
    reg("post", &["url: String", "body: ?", "Map"], POST).set_into_module(
        &mut m,
        |ctx: NativeCallContext, url: ImmutableString, body: Dynamic| post(ctx, url, body, None),
    );
    reg(
        "post",
        &["url: String", "body: ?", "opts: Map", "Map"],
        POST,
    )
    .set_into_module(
        &mut m,
        |ctx: NativeCallContext, url: ImmutableString, body: Dynamic, o: Map| {
            post(ctx, url, body, Some(o))
        },
    );
    engine.register_static_module("http", m.into());
}

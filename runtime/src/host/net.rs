//! What `http::*` and `llm::*` share: the process's one HTTP client, the `--allow-net` check on
//! every host contacted (redirects included, so they are followed here, not by reqwest), and
//! error messages that name the URL.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, COOKIE, HeaderMap, LOCATION};
use reqwest::{Client, Method, StatusCode, Url};

use super::{HostContext, HostError, HostErrorKind, Permissions};
use crate::limits::MAX_DURATION_SECS;

/// Redirects followed before giving up.
const MAX_REDIRECTS: usize = 10;

/// The process's HTTP client: HTTP/1.1 with keep-alive and a generous pool, shared by every run
/// so connections are reused across items and runs. Built once; a failure is kept and reported.
pub(super) fn client() -> Result<&'static Client, HostError> {
    static CLIENT: OnceLock<Result<Client, HostError>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            // reqwest is built without a crypto provider (no aws-lc, no OpenSSL): use ring, unless
            // the embedding program installed one already (then `Err` just says so).
            let _ = rustls::crypto::ring::default_provider().install_default();
            Client::builder()
                .http1_only()
                .pool_max_idle_per_host(1024)
                .pool_idle_timeout(Duration::from_secs(90))
                .tcp_nodelay(true)
                .connect_timeout(Duration::from_secs(30))
                .redirect(reqwest::redirect::Policy::none())
                .user_agent(concat!("flowscript/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| {
                    let message = format!("the HTTP client could not be set up: {}", chain(&e));
                    HostError::new(HostErrorKind::Network, message)
                })
        })
        .as_ref()
        .map_err(Clone::clone)
}

/// The current run's permissions (none outside a run).
pub(super) fn permissions() -> Permissions {
    HostContext::current().map_or_else(Permissions::default, |c| c.permissions.clone())
}

/// Parse `url` and check that the run may contact its host.
pub(super) fn check_url(call: &str, url: &str, perms: &Permissions) -> Result<Url, HostError> {
    let invalid = |why: &str| HostError::invalid(format!("{call}: invalid URL \"{url}\": {why}"));
    let parsed = Url::parse(url).map_err(|e| invalid(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(invalid("only http and https are supported"));
    }
    let host = parsed.host_str().ok_or_else(|| invalid("no host"))?;
    perms
        .check_net(
            &format!("{call}(\"{url}\")"),
            host,
            parsed.port_or_known_default(),
        )
        .map_err(|d| HostError::from(d).at(url))?;
    Ok(parsed)
}

/// One request to send (and re-send along redirects).
pub(super) struct Request {
    /// `GET`, `POST`.
    pub method: Method,
    /// Where.
    pub url: Url,
    /// Request headers.
    pub headers: HeaderMap,
    /// The body, if any.
    pub body: Option<Vec<u8>>,
}

/// Send `req`, following redirects (each target is checked against `perms`; credentials are not
/// sent to another origin; 303, and 301/302 after a POST, continue as a body-less GET).
pub(super) async fn send(
    call: &str,
    mut req: Request,
    perms: Arc<Permissions>,
) -> Result<reqwest::Response, HostError> {
    let client = client()?;
    for _ in 0..=MAX_REDIRECTS {
        let mut builder = client
            .request(req.method.clone(), req.url.clone())
            .headers(req.headers.clone());
        if let Some(body) = &req.body {
            builder = builder.body(body.clone());
        }
        let resp = builder
            .send()
            .await
            .map_err(|e| describe(call, &req.url, &e))?;
        let status = resp.status();
        let location = resp
            .headers()
            .get(LOCATION)
            .and_then(|l| l.to_str().ok())
            .map(str::to_string);
        let Some(location) = location.filter(|_| status.is_redirection()) else {
            return Ok(resp);
        };
        let next = req.url.join(&location).map_err(|e| {
            let message = format!(
                "{call}(\"{}\"): bad redirect to \"{location}\": {e}",
                req.url
            );
            HostError::decode(message).at(req.url.as_str())
        })?;
        check_url(call, next.as_str(), &perms)?;
        if next.origin() != req.url.origin() {
            req.headers.remove(AUTHORIZATION);
            req.headers.remove(COOKIE);
        }
        let to_get = status == StatusCode::SEE_OTHER
            || (req.method == Method::POST
                && matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND));
        if to_get {
            req.method = Method::GET;
            req.body = None;
            req.headers.remove(reqwest::header::CONTENT_TYPE);
        }
        req.url = next;
    }
    let message = format!(
        "{call}(\"{}\"): more than {MAX_REDIRECTS} redirects",
        req.url
    );
    Err(HostError::new(HostErrorKind::Network, message).at(req.url.as_str()))
}

/// Read a whole response body, up to the `string` limit.
pub(super) async fn read_body(
    call: &str,
    url: &Url,
    mut resp: reqwest::Response,
    limits: &crate::limits::Limits,
) -> Result<Vec<u8>, HostError> {
    let max = limits.string_bytes;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe(call, url, &e))? {
        if body.len() + chunk.len() > max {
            let message = format!(
                "{call}(\"{url}\"): {}",
                crate::limits::limit_message(
                    "the response body is larger than a string may be",
                    "string",
                    limits
                )
            );
            return Err(HostError::new(HostErrorKind::Limit, message).at(url.as_str()));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// Run `fut`, failing with a message naming the URL once `timeout` has passed.
pub(super) async fn with_timeout<T>(
    call: &str,
    url: &str,
    timeout: Option<f64>,
    fut: impl Future<Output = Result<T, HostError>>,
) -> Result<T, HostError> {
    match timeout {
        None => fut.await,
        Some(secs) => tokio::time::timeout(Duration::from_secs_f64(secs), fut)
            .await
            .unwrap_or_else(|_| {
                let message = format!("{call}(\"{url}\"): timed out after {secs} s");
                Err(HostError::new(HostErrorKind::Timeout, message).at(url))
            }),
    }
}

/// A `timeout` option: a finite number of seconds > 0.
pub(super) fn timeout_secs(call: &str, value: &rhai::Dynamic) -> Result<f64, HostError> {
    let secs = value
        .as_float()
        .ok()
        .or_else(|| value.as_int().ok().map(|i| i as f64));
    match secs {
        Some(s) if s.is_finite() && s > 0.0 && s <= MAX_DURATION_SECS => Ok(s),
        _ => Err(HostError::invalid(format!(
            "{call}: `timeout` must be a number of seconds > 0 and at most 365 days, found {}",
            crate::value::describe(value)
        ))),
    }
}

/// A reqwest error talking to `url` as one line naming the call and the URL, with its causes.
/// (reqwest's own error names the URL only for some failures; a body cut short has none.)
pub(super) fn describe(call: &str, url: &Url, e: &reqwest::Error) -> HostError {
    let (kind, what) = if e.is_timeout() {
        (HostErrorKind::Timeout, "timed out")
    } else if e.is_connect() {
        (HostErrorKind::Network, "could not connect")
    } else if e.is_decode() {
        (HostErrorKind::Decode, "reading the response failed")
    } else if e.is_body() {
        (HostErrorKind::Network, "reading the response failed")
    } else if e.is_builder() {
        (HostErrorKind::Invalid, "invalid request")
    } else {
        (HostErrorKind::Network, "request failed")
    };
    let url = e.url().unwrap_or(url);
    let message = format!("{call}(\"{url}\"): {what}: {}", chain(e));
    HostError::new(kind, message).at(url.as_str())
}

/// An error's causes, joined with `: `, without reqwest's own "error sending request for url"
/// wrapper (the URL is named already) or hyper's "client error (Connect)".
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !text.starts_with("client error (") && !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}

/// Query parameters whose values are never shown: names containing one of these.
const SECRET_PARAMS: &[&str] = &[
    "key",
    "token",
    "secret",
    "pass",
    "pwd",
    "sig",
    "auth",
    "session",
    "credential",
    "code",
];

/// `url` fit for a message: userinfo (`user:password@`) and the values of secret-looking query
/// parameters replaced by `REDACTED`.
pub(super) fn redact_url(url: &Url) -> String {
    let mut url = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        let _ = url.set_password(None);
        let _ = url.set_username("REDACTED");
    }
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(k, v)| {
                let lower = k.to_ascii_lowercase();
                let secret = SECRET_PARAMS.iter().any(|s| lower.contains(s));
                let v = if secret {
                    "REDACTED".into()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// `text` with every `http://` or `https://` URL in it passed through [`redact_url`]; a URL
/// that does not parse loses everything between its scheme and an `@`.
pub(super) fn redact_urls(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(start) = find_scheme(rest) {
        out.push_str(&rest[..start]);
        let tail = &rest[start..];
        let end = tail
            .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | '<' | '>'))
            .unwrap_or(tail.len());
        let candidate = &tail[..end];
        match Url::parse(candidate) {
            Ok(url) => out.push_str(&redact_url(&url)),
            Err(_) => match (candidate.find("://"), candidate.rfind('@')) {
                (Some(s), Some(at)) if at > s => {
                    out.push_str(&candidate[..s + 3]);
                    out.push_str("REDACTED");
                    out.push_str(&candidate[at..]);
                }
                _ => out.push_str(candidate),
            },
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

fn find_scheme(text: &str) -> Option<usize> {
    let lower = text.to_ascii_lowercase();
    match (lower.find("http://"), lower.find("https://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_invalid_and_other_hosts_denied() {
        let only = Permissions {
            net: crate::host::Grant::Only(vec!["127.0.0.1:1".into()]),
            ..Permissions::default()
        };
        let e = check_url("http::get", "ftp://x/", &only).unwrap_err();
        assert_eq!(e.kind, HostErrorKind::Invalid);
        let e = check_url("http::get", "http://elsewhere:2/", &only).unwrap_err();
        assert_eq!(e.kind, HostErrorKind::Denied);
        assert_eq!(e.url.as_deref(), Some("http://elsewhere:2/"));
        assert!(check_url("http::get", "http://127.0.0.1:1/x", &only).is_ok());
    }

    #[tokio::test]
    async fn a_call_timeout_is_a_timeout_naming_the_url() {
        let slow = std::future::pending::<Result<(), HostError>>();
        let e = with_timeout("http::get", "http://h/", Some(0.01), slow)
            .await
            .unwrap_err();
        assert_eq!(
            (e.kind, e.url.as_deref()),
            (HostErrorKind::Timeout, Some("http://h/"))
        );
    }

    #[test]
    fn messages_lose_credentials_in_urls() {
        let msg = "llm::chat(\"https://user:hunter2@api.example.com/v1?api_key=sk-1&page=2\") needs net permission";
        let shown = redact_urls(msg);
        assert!(
            !shown.contains("hunter2") && !shown.contains("sk-1"),
            "{shown}"
        );
        assert!(shown.contains("REDACTED@api.example.com"), "{shown}");
        assert!(
            shown.contains("page=2") && shown.ends_with("needs net permission"),
            "{shown}"
        );
        assert_eq!(redact_urls("no url here"), "no url here");
        assert_eq!(
            redact_urls("bad http://u:p@[zz/x end"),
            "bad http://REDACTED@[zz/x end"
        );
        let url = Url::parse("http://h/p?access_token=t&x=1#f").expect("url");
        assert_eq!(redact_url(&url), "http://h/p?access_token=REDACTED&x=1#f");
    }
}

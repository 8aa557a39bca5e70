//! `llm::*` configuration: options first, then the host's environment (`OPENAI_BASE_URL`,
//! `OPENAI_API_KEY`, `FLOWSCRIPT_MODEL`), and the messages to send.

use rhai::{Dynamic, Map};
use serde_json::{Value, json};

use crate::host::{HostError, net};
use crate::value::{describe, to_json};

/// The option keys, for messages.
const OPTION_KEYS: &str = "base_url, model, api_key, temperature, max_tokens, timeout";
/// Where requests go unless `base_url` or `OPENAI_BASE_URL` says.
const DEFAULT_BASE_URL: &str = "https://api.openai.com/v1";
/// Seconds to wait for a response (and, when streaming, for each chunk) unless `timeout` says.
const DEFAULT_TIMEOUT: f64 = 120.0;

/// Where and how to ask, from the options, else the host's environment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub url: String,
    pub model: String,
    pub api_key: Option<String>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<i64>,
    pub timeout: f64,
    /// Whether `url` came from `OPENAI_BASE_URL` (messages then name the variable, not it).
    pub url_from_env: bool,
    /// The run's limits (the response body is bounded by `string`).
    pub limits: crate::limits::Limits,
}

/// Whether two base URLs name the same endpoint (scheme, host, port and path; a trailing `/`
/// aside).
fn same_endpoint(a: &str, b: &str) -> bool {
    let parse = |s: &str| reqwest::Url::parse(s.trim_end_matches('/')).ok();
    match (parse(a), parse(b)) {
        (Some(a), Some(b)) => {
            a.scheme() == b.scheme()
                && a.host_str() == b.host_str()
                && a.port_or_known_default() == b.port_or_known_default()
                && a.path().trim_end_matches('/') == b.path().trim_end_matches('/')
                && a.username() == b.username()
        }
        _ => false,
    }
}

fn string_opt(call: &str, key: &str, v: &Dynamic) -> Result<String, HostError> {
    v.clone().into_string().map_err(|_| {
        HostError::invalid(format!(
            "{call}: `{key}` must be a string, found {}",
            describe(v)
        ))
    })
}

/// Resolve the configuration: `opts` first, then `env` (`OPENAI_BASE_URL`, `OPENAI_API_KEY`,
/// `FLOWSCRIPT_MODEL`; empty values count as unset).
pub(crate) fn config(
    call: &str,
    opts: Option<&Map>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Config, HostError> {
    let env = |k: &str| env(k).filter(|v| !v.trim().is_empty());
    let (mut base, mut model, mut api_key) = (None, None, None);
    let (mut temperature, mut max_tokens, mut timeout) = (None, None, DEFAULT_TIMEOUT);
    for (k, v) in opts.into_iter().flat_map(|m| m.iter()) {
        match k.as_str() {
            "base_url" => base = Some(string_opt(call, k, v)?),
            "model" => model = Some(string_opt(call, k, v)?),
            "api_key" => api_key = Some(string_opt(call, k, v)?),
            "temperature" => match v.as_float().ok().or(v.as_int().ok().map(|i| i as f64)) {
                Some(t) if t.is_finite() => temperature = Some(t),
                _ => {
                    return Err(HostError::invalid(format!(
                        "{call}: `temperature` must be a number"
                    )));
                }
            },
            "max_tokens" => match v.as_int() {
                Ok(n) if n > 0 => max_tokens = Some(n),
                _ => {
                    return Err(HostError::invalid(format!(
                        "{call}: `max_tokens` must be an integer > 0"
                    )));
                }
            },
            "timeout" => timeout = net::timeout_secs(call, v)?,
            other => {
                return Err(HostError::invalid(format!(
                    "{call}: unknown option `{other}` (the options are {OPTION_KEYS})"
                )));
            }
        }
    }
    let env_base = env("OPENAI_BASE_URL");
    let home = env_base.clone().unwrap_or_else(|| DEFAULT_BASE_URL.into());
    let from_env = base.is_none() && env_base.is_some();
    // The environment's key belongs to the environment's endpoint (or the default one): a
    // script that sends requests elsewhere brings its own `api_key`.
    let at_home = base.as_deref().is_none_or(|b| same_endpoint(b, &home));
    let base = base.unwrap_or(home);
    let model = model.or_else(|| env("FLOWSCRIPT_MODEL")).ok_or_else(|| {
        HostError::invalid(format!(
            "{call}: no model: pass #{{model: \"...\"}} or set FLOWSCRIPT_MODEL"
        ))
    })?;
    Ok(Config {
        url: format!("{}/chat/completions", base.trim_end_matches('/')),
        model,
        api_key: api_key.or_else(|| env("OPENAI_API_KEY").filter(|_| at_home)),
        temperature,
        max_tokens,
        timeout,
        url_from_env: from_env,
        limits: crate::limits::Limits::default(),
    })
}

/// A prompt string becomes one user message; an array of `#{role, content}` maps is sent as is.
pub(crate) fn messages(call: &str, input: &Dynamic) -> Result<Value, HostError> {
    if input.is_string() {
        return Ok(json!([{"role": "user", "content": to_json(input)}]));
    }
    let Some(arr) = input.read_lock::<rhai::Array>() else {
        return Err(HostError::invalid(format!(
            "{call}: expected a prompt string or an array of #{{role, content}} maps, found {}",
            describe(input)
        )));
    };
    if arr.is_empty() {
        return Err(HostError::invalid(format!(
            "{call}: the messages array is empty"
        )));
    }
    for (i, m) in arr.iter().enumerate() {
        let ok = m.read_lock::<Map>().is_some_and(|m| {
            m.get("role").is_some_and(Dynamic::is_string) && m.contains_key("content")
        });
        if !ok {
            return Err(HostError::invalid(format!(
                "{call}: message {i} must be a map with `role` and `content`"
            )));
        }
    }
    Ok(to_json(input))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_prefers_options_then_environment() {
        let env = |k: &str| match k {
            "OPENAI_BASE_URL" => Some("http://local:1/v1/".to_string()),
            "FLOWSCRIPT_MODEL" => Some("env-model".to_string()),
            "OPENAI_API_KEY" => Some(String::new()),
            _ => None,
        };
        let c = config("llm::chat", None, env).expect("config");
        assert_eq!(c.url, "http://local:1/v1/chat/completions");
        assert_eq!(
            (c.model.as_str(), c.api_key, c.timeout),
            ("env-model", None, 120.0)
        );
        let mut opts = Map::new();
        opts.insert("model".into(), "m".into());
        opts.insert("max_tokens".into(), Dynamic::from_int(5));
        let c = config("llm::chat", Some(&opts), |_| None).expect("config");
        assert_eq!(c.url, "https://api.openai.com/v1/chat/completions");
        assert_eq!((c.model.as_str(), c.max_tokens), ("m", Some(5)));
        // The environment's key goes only to the environment's endpoint.
        let keyed = |k: &str| match k {
            "OPENAI_BASE_URL" => Some("http://local:1/v1".to_string()),
            "OPENAI_API_KEY" => Some("sk-env".to_string()),
            _ => None,
        };
        let mut elsewhere = Map::new();
        elsewhere.insert("model".into(), "m".into());
        elsewhere.insert("base_url".into(), "http://attacker:2/v1".into());
        let c = config("llm::chat", Some(&elsewhere), keyed).expect("config");
        assert_eq!(c.api_key, None);
        elsewhere.insert("base_url".into(), "http://local:1/v1/".into());
        let c = config("llm::chat", Some(&elsewhere), keyed).expect("config");
        assert_eq!(c.api_key.as_deref(), Some("sk-env"));
        elsewhere.insert("api_key".into(), "sk-own".into());
        elsewhere.insert("base_url".into(), "http://attacker:2/v1".into());
        let c = config("llm::chat", Some(&elsewhere), keyed).expect("config");
        assert_eq!(c.api_key.as_deref(), Some("sk-own"));
        let e = config("llm::chat", None, |_| None).unwrap_err();
        assert!(e.message.contains("FLOWSCRIPT_MODEL"), "{e}");
        assert_eq!(e.kind, crate::host::HostErrorKind::Invalid);
        opts.insert("modle".into(), "x".into());
        assert!(
            config("llm::chat", Some(&opts), |_| None)
                .unwrap_err()
                .message
                .contains("unknown option `modle`")
        );
    }

    #[test]
    fn prompts_and_message_arrays() {
        assert_eq!(
            messages("c", &"hi".into()).expect("ok"),
            json!([{"role": "user", "content": "hi"}])
        );
        let bad = Dynamic::from_array(vec![Dynamic::from_int(1)]);
        assert!(
            messages("c", &bad)
                .unwrap_err()
                .message
                .contains("message 0")
        );
        assert!(messages("c", &Dynamic::UNIT).is_err());
    }
}

//! Record mode's option parser: a constructor's option map checked into [`NodeOptions`] and its
//! hooks, with unknown keys and bad values as diagnostics at the key or value that is wrong.

use rhai::{Dynamic, FnPtr, Map};

use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::graph::facts::OptionKey;
use crate::graph::options::allowed_keys;
use crate::graph::{Backoff, HookKind, NodeKind, NodeOptions, OnError};
use crate::limits::Limits;
use crate::span::Span;
use crate::value::seconds;

/// The result of checking one option map.
#[derive(Debug, Default)]
pub(crate) struct ParsedOptions {
    /// The checked values.
    pub options: NodeOptions,
    /// Hook function pointers by kind, as given.
    pub hooks: Vec<(HookKind, FnPtr)>,
    /// Problems found (the offending keys are ignored).
    pub diagnostics: Vec<Diagnostic>,
}

/// Check an option map for a constructor; unknown keys and bad values become diagnostics,
/// located at the key (or value) in `keys` when the map was a literal, else at `span`.
pub(crate) fn parse(kind: NodeKind, map: &Map, span: &Span, keys: &[OptionKey]) -> ParsedOptions {
    let mut out = ParsedOptions::default();
    let allowed = allowed_keys(kind);
    let ctor = kind.constructor();
    for (key, value) in map {
        let key = key.as_str();
        let written = keys.iter().find(|k| k.key == key);
        if !allowed.contains(&key) {
            let at = written.map_or(span, |k| &k.key_span);
            let mut d = Diagnostic::new(
                Code::UnknownOption,
                at.clone(),
                format!("unknown option `{key}` for {ctor}()"),
            );
            d = match did_you_mean(key, allowed) {
                Some(s) => {
                    let d = d.with_help(format!("did you mean `{s}`?"));
                    match written {
                        Some(k) => d.with_fix(k.key_span.clone(), s),
                        None => d,
                    }
                }
                None => d.with_help(format!("{ctor}() takes: {}", allowed.join(", "))),
            };
            out.diagnostics.push(d);
            continue;
        }
        if let Err(msg) = apply(&mut out, key, value) {
            out.diagnostics.push(
                Diagnostic::new(
                    Code::InvalidOptionValue,
                    written.map_or(span, |k| &k.value_span).clone(),
                    format!("invalid value for option `{key}` of {ctor}(): {msg}"),
                )
                .with_help(help_for(key)),
            );
        }
    }
    out
}

/// What a valid value of `key` is, from the one option table.
fn help_for(key: &str) -> &'static str {
    crate::graph::options::option(key).map_or("see the option list of the constructor", |o| o.takes)
}

fn apply(out: &mut ParsedOptions, key: &str, value: &Dynamic) -> Result<(), String> {
    let opts = &mut out.options;
    match key {
        "prep" | "exec" | "post" | "fallback" => {
            let kind = HookKind::ALL
                .into_iter()
                .find(|k| k.key() == key)
                .unwrap_or(HookKind::Exec);
            if value.is_unit() {
                return Ok(());
            }
            let ptr = value
                .read_lock::<FnPtr>()
                .map(|p| p.clone())
                .ok_or_else(|| format!("expected a function, found {}", value.type_name()))?;
            // Captured values live as long as the program, outside the recording's stack.
            crate::value::check_depth(value, Limits::default().depth)
                .map_err(|e| format!("the closure captures a value that {e}"))?;
            out.hooks.push((kind, ptr));
        }
        "retries" => {
            let n = positive(value)?;
            opts.retries = u32::try_from(n).map_err(|_| format!("{n} is too large"))?;
        }
        "wait" => opts.wait = seconds(value)?,
        "timeout" if value.is_unit() => opts.timeout = None,
        "timeout" => opts.timeout = Some(seconds(value)?),
        "backoff" => {
            opts.backoff = one_of(
                value,
                &[
                    ("fixed", Backoff::Fixed),
                    ("exponential", Backoff::Exponential),
                ],
                "a backoff",
            )?
        }
        "jitter" => {
            opts.jitter = value
                .as_bool()
                .map_err(|t| format!("expected true or false, found {t}"))?
        }
        "concurrency" => {
            let n = positive(value)?;
            opts.concurrency = Some(usize::try_from(n).map_err(|_| format!("{n} is too large"))?);
        }
        "on_error" => {
            opts.on_error = one_of(
                value,
                &[("fail", OnError::Fail), ("collect", OnError::Collect)],
                "an on_error mode",
            )?
        }
        "max_steps" => {
            let n = positive(value)?;
            opts.max_steps = Some(n as u64);
        }
        "params" => {
            let map = value
                .read_lock::<Map>()
                .ok_or_else(|| format!("expected a map, found {}", value.type_name()))?;
            let map = Dynamic::from_map(map.clone());
            crate::value::check_depth(&map, Limits::default().depth)
                .map_err(|e| format!("the map {e}"))?;
            match crate::value::to_json(&map) {
                serde_json::Value::Object(m) => opts.params = m,
                _ => return Err("expected a map".into()),
            }
        }
        _ => {}
    }
    Ok(())
}

fn int(value: &Dynamic) -> Result<i64, String> {
    value
        .as_int()
        .map_err(|t| format!("expected an integer, found {t}"))
}

/// An integer of at least 1.
fn positive(value: &Dynamic) -> Result<i64, String> {
    let n = int(value)?;
    if n < 1 {
        return Err(format!("{n} (must be at least 1)"));
    }
    Ok(n)
}

/// One of `choices`' strings, as its value; `what` names the kind in the error.
fn one_of<T: Copy>(value: &Dynamic, choices: &[(&str, T)], what: &str) -> Result<T, String> {
    let s = string(value)?;
    choices
        .iter()
        .find(|(name, _)| *name == s)
        .map(|(_, v)| *v)
        .ok_or_else(|| format!("\"{s}\" is not {what}"))
}

fn string(value: &Dynamic) -> Result<String, String> {
    value
        .clone()
        .into_string()
        .map_err(|t| format!("expected a string, found {t}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_keys_only() {
        let keys = allowed_keys(NodeKind::Parallel);
        assert_eq!(did_you_mean("retires", keys), Some("retries"));
        assert_eq!(did_you_mean("concurency", keys), Some("concurrency"));
        assert_eq!(did_you_mean("zzzzzz", keys), None);
    }
}

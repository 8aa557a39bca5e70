//! The initial store of a run: `--input FILE.json` and `--set key=value` overrides.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Map, Value};

/// Read `--input` (a JSON object) and apply `--set` pairs on top.
pub fn initial_store(input: Option<&Path>, sets: &[String]) -> anyhow::Result<Map<String, Value>> {
    let mut store = match input {
        None => Map::new(),
        Some(path) => read_object(path)?,
    };
    for set in sets {
        let (key, value) = parse_set(set)?;
        store.insert(key, value);
    }
    Ok(store)
}

fn read_object(path: &Path) -> anyhow::Result<Map<String, Value>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read input file {}", path.display()))?;
    match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(other) => bail!(
            "{}: the input must be a JSON object, found {}",
            path.display(),
            kind(&other)
        ),
        Err(e) => {
            let line = text.lines().nth(e.line().saturating_sub(1)).unwrap_or("");
            bail!(
                "{}:{}:{}: invalid JSON: {}\n  | {}\n  | {}^",
                path.display(),
                e.line(),
                e.column(),
                strip_position(&e.to_string()),
                line,
                " ".repeat(e.column().saturating_sub(1))
            )
        }
    }
}

/// `key=value`: the value is JSON when it parses as JSON, otherwise a plain string.
fn parse_set(set: &str) -> anyhow::Result<(String, Value)> {
    let Some((key, raw)) = set.split_once('=') else {
        bail!("--set {set}: expected key=value, e.g. --set name='\"Ada\"' or --set n=3");
    };
    let key = key.trim();
    if key.is_empty() {
        bail!("--set {set}: the key is empty");
    }
    let value = serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.to_string()));
    Ok((key.to_string(), value))
}

/// What a JSON value is, for messages ("an array", "null"): `input` and `serve` bodies.
pub fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn strip_position(msg: &str) -> &str {
    msg.find(" at line ").map_or(msg, |i| &msg[..i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_values_are_json_or_strings() {
        assert_eq!(parse_set("n=3").unwrap(), ("n".into(), Value::from(3)));
        assert_eq!(parse_set("s=hi").unwrap(), ("s".into(), Value::from("hi")));
        assert_eq!(
            parse_set("a=[1]").unwrap(),
            ("a".into(), serde_json::json!([1]))
        );
        assert!(parse_set("nokey").is_err());
        assert!(parse_set("=1").is_err());
    }
}

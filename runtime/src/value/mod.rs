//! Values as they travel through a run: conversions between Rhai values and JSON (the store,
//! inputs, events and outputs are JSON), depth checks, descriptions for messages, and the run's
//! one shared [`Store`].

mod seconds;
pub(crate) mod store;

use rhai::{Array, Dynamic, FnPtr, Map};
use serde_json::Value;

pub(crate) use seconds::seconds;
pub(crate) use store::Store;

use crate::limits::MAX_DEPTH_CAP;

/// A Rhai value as JSON. Never fails: values JSON cannot hold are described as strings
/// (`"Fn(name)"`, `"<shared store>"`), non-finite floats become `null`, and what nests deeper than
/// [`MAX_DEPTH_CAP`] levels becomes a string saying so (callers that must refuse such values
/// check [`check_depth`] first, with the run's own limit).
pub(crate) fn to_json(value: &Dynamic) -> Value {
    to_json_within(value, MAX_DEPTH_CAP)
}

/// A Rhai map as a JSON object, as [`to_json`] converts a map value.
pub(crate) fn map_to_json(map: &Map) -> Value {
    map_within(map, MAX_DEPTH_CAP)
}

fn map_within(map: &Map, depth: usize) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.to_string(), to_json_within(v, depth - 1)))
            .collect(),
    )
}

fn to_json_within(value: &Dynamic, depth: usize) -> Value {
    if value.is_unit() {
        return Value::Null;
    }
    if let Ok(b) = value.as_bool() {
        return Value::Bool(b);
    }
    if let Ok(i) = value.as_int() {
        return Value::from(i);
    }
    if let Ok(f) = value.as_float() {
        return serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number);
    }
    if let Ok(c) = value.as_char() {
        return Value::String(c.to_string());
    }
    if value.is_string() {
        return Value::String(value.clone().into_string().unwrap_or_default());
    }
    if (value.is_array() || value.is_map()) && depth == 0 {
        return Value::String(format!("<nested deeper than {MAX_DEPTH_CAP} levels>"));
    }
    if let Some(arr) = value.read_lock::<Array>() {
        return Value::Array(arr.iter().map(|v| to_json_within(v, depth - 1)).collect());
    }
    if let Some(map) = value.read_lock::<Map>() {
        return map_within(&map, depth);
    }
    if let Some(ptr) = value.read_lock::<FnPtr>() {
        return Value::String(format!("Fn({})", ptr.fn_name()));
    }
    if value.is::<Store>() {
        return Value::String("<shared store>".into());
    }
    if let Some(blob) = value.read_lock::<rhai::Blob>() {
        return Value::Array(blob.iter().map(|b| Value::from(*b)).collect());
    }
    Value::String(value.to_string())
}

/// A value nested deeper than a depth limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("nests arrays, maps or closures more than {limit} levels deep (limit `depth`)")]
pub(crate) struct TooDeep {
    /// The limit it exceeds.
    pub limit: usize,
}

/// `Err` when `value` nests arrays, maps or closures' captured values more than `max` levels
/// deep. The walk stops at `max`, so it is safe on any value a script can build.
pub(crate) fn check_depth(value: &Dynamic, max: usize) -> Result<(), TooDeep> {
    if within(value, max.min(MAX_DEPTH_CAP)) {
        Ok(())
    } else {
        Err(TooDeep { limit: max })
    }
}

/// Whether `value`'s containers nest at most `levels` deep.
fn within(value: &Dynamic, levels: usize) -> bool {
    if let Some(arr) = value.read_lock::<Array>() {
        return levels > 0 && arr.iter().all(|v| within(v, levels - 1));
    }
    if let Some(map) = value.read_lock::<Map>() {
        return levels > 0 && map.values().all(|v| within(v, levels - 1));
    }
    if let Some(ptr) = value.read_lock::<FnPtr>() {
        return ptr.curry().is_empty()
            || (levels > 0 && ptr.curry().iter().all(|v| within(v, levels - 1)));
    }
    true
}

/// JSON as a Rhai value (objects become maps, integers that fit `i64` stay integers).
pub(crate) fn from_json(value: &Value) -> Dynamic {
    match value {
        Value::Null => Dynamic::UNIT,
        Value::Bool(b) => Dynamic::from_bool(*b),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Dynamic::from_int(i),
            None => Dynamic::from_float(n.as_f64().unwrap_or(f64::NAN)),
        },
        Value::String(s) => Dynamic::from(s.clone()),
        Value::Array(a) => Dynamic::from_array(a.iter().map(from_json).collect()),
        Value::Object(o) => Dynamic::from_map(from_json_map(o)),
    }
}

/// A JSON object as a Rhai map.
pub(crate) fn from_json_map(map: &serde_json::Map<String, Value>) -> Map {
    map.iter()
        .map(|(k, v)| (k.as_str().into(), from_json(v)))
        .collect()
}

/// A short description of a value for messages: its type and, for scalars, the value.
pub(crate) fn describe(value: &Dynamic) -> String {
    if value.is_unit() {
        "()".into()
    } else if value.is_string() || value.is_int() || value.is_float() || value.is_bool() {
        format!("{} {}", value.type_name(), to_json(value))
    } else {
        value.type_name().to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let v: Value = serde_json::json!({"a": [1, 2.5, "x", null, true], "b": {"c": -3}});
        assert_eq!(to_json(&from_json(&v)), v);
    }

    fn nested(levels: usize) -> Dynamic {
        let mut v = Dynamic::from_array(Array::new());
        for _ in 1..levels {
            v = Dynamic::from_array(vec![v]);
        }
        v
    }

    #[test]
    fn depth_is_checked_without_walking_past_the_limit() {
        assert!(check_depth(&nested(3), 3).is_ok());
        assert_eq!(check_depth(&nested(4), 3), Err(TooDeep { limit: 3 }));
        assert!(check_depth(&Dynamic::from_int(1), 0).is_ok());
        // Far deeper than the cap: the walk stops at the cap; dropping it here is on a test
        // thread's stack, so keep it within what that holds.
        let deep = nested(5000);
        assert!(check_depth(&deep, 100_000).is_err());
        let json = to_json(&deep);
        let mut v = &json;
        let mut levels = 0;
        while let Value::Array(a) = v {
            levels += 1;
            v = &a[0];
        }
        assert_eq!(levels, MAX_DEPTH_CAP);
        assert!(v.as_str().is_some_and(|s| s.contains("nested deeper")));
    }
}

//! Conversions between Rhai values and JSON: the store, inputs, events and outputs are JSON.

use rhai::{Array, Dynamic, FnPtr, Map};
use serde_json::Value;

use super::store::Store;

/// A Rhai value as JSON. Never fails: values JSON cannot hold are described as strings
/// (`"Fn(name)"`, `"<shared store>"`), and non-finite floats become `null`.
pub fn to_json(value: &Dynamic) -> Value {
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
    if let Some(arr) = value.read_lock::<Array>() {
        return Value::Array(arr.iter().map(to_json).collect());
    }
    if let Some(map) = value.read_lock::<Map>() {
        return Value::Object(
            map.iter()
                .map(|(k, v)| (k.to_string(), to_json(v)))
                .collect(),
        );
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

/// JSON as a Rhai value (objects become maps, integers that fit `i64` stay integers).
pub fn from_json(value: &Value) -> Dynamic {
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
pub fn from_json_map(map: &serde_json::Map<String, Value>) -> Map {
    map.iter()
        .map(|(k, v)| (k.as_str().into(), from_json(v)))
        .collect()
}

/// A short description of a value for messages: its type and, for scalars, the value.
pub fn describe(value: &Dynamic) -> String {
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
}

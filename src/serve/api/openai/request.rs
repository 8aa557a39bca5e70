//! Reading a `POST /v1/chat/completions` body: `model` (a served flow), `messages` (checked
//! message by message, so a bad role is a `400` naming it, never a `500`), `stream`, and the
//! other fields, which the run gets as `shared.params`.

use serde_json::{Map, Value};

use super::error::OpenAiError;
use crate::input::kind;

/// The roles a message may have.
const ROLES: [&str; 6] = [
    "system",
    "developer",
    "user",
    "assistant",
    "tool",
    "function",
];

/// A checked chat completion request.
pub struct ChatRequest {
    /// The flow to run.
    pub model: String,
    /// `messages`, as sent.
    pub messages: Value,
    /// Every other field (`temperature`, `stream`, `user`, ...), as sent.
    pub params: Map<String, Value>,
    /// `stream: true`.
    pub stream: bool,
    /// `stream_options.include_usage: true`: a last chunk carries the usage.
    pub include_usage: bool,
}

/// Check a request body (already a JSON object).
pub fn parse(mut body: Map<String, Value>) -> Result<ChatRequest, OpenAiError> {
    let model = match body.remove("model") {
        Some(Value::String(m)) if !m.is_empty() => m,
        Some(other) => {
            return Err(OpenAiError::invalid(
                "invalid_type",
                Some("model".into()),
                format!(
                    "`model` must be a flow's name (a string), found {}",
                    kind(&other)
                ),
            ));
        }
        None => {
            return Err(OpenAiError::invalid(
                "missing_required_parameter",
                Some("model".into()),
                "you must provide a model parameter: the name of a served flow (GET /v1/models)",
            ));
        }
    };
    let messages = body.remove("messages").ok_or_else(|| {
        OpenAiError::invalid(
            "missing_required_parameter",
            Some("messages".into()),
            "you must provide `messages`, an array of {role, content}",
        )
    })?;
    check_messages(&messages)?;
    let stream = match body.get("stream") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(OpenAiError::invalid(
                "invalid_type",
                Some("stream".into()),
                format!("`stream` must be a boolean, found {}", kind(other)),
            ));
        }
    };
    match body.get("n") {
        None | Some(Value::Null) => {}
        Some(n) if n.as_u64() == Some(1) => {}
        Some(n) => {
            return Err(OpenAiError::invalid(
                "unsupported_value",
                Some("n".into()),
                format!("only n = 1 is supported (a flow gives one reply), found {n}"),
            ));
        }
    }
    let include_usage = body
        .get("stream_options")
        .is_some_and(|o| o["include_usage"] == Value::Bool(true));
    Ok(ChatRequest {
        model,
        messages,
        params: body,
        stream,
        include_usage,
    })
}

fn check_messages(messages: &Value) -> Result<(), OpenAiError> {
    let bad = |param: String, message: String| {
        Err(OpenAiError::invalid("invalid_value", Some(param), message))
    };
    let Some(list) = messages.as_array() else {
        return bad(
            "messages".into(),
            format!("`messages` must be an array, found {}", kind(messages)),
        );
    };
    if list.is_empty() {
        return bad("messages".into(), "`messages` must not be empty".into());
    }
    for (i, m) in list.iter().enumerate() {
        let Some(m) = m.as_object() else {
            return bad(
                format!("messages[{i}]"),
                format!(
                    "messages[{i}] must be an object with `role` and `content`, found {}",
                    kind(m)
                ),
            );
        };
        let role = match m.get("role") {
            Some(Value::String(r)) => r.as_str(),
            Some(other) => {
                return bad(
                    format!("messages[{i}].role"),
                    format!("messages[{i}].role must be a string, found {}", kind(other)),
                );
            }
            None => {
                return bad(
                    format!("messages[{i}].role"),
                    format!("messages[{i}] has no `role`"),
                );
            }
        };
        if !ROLES.contains(&role) {
            return bad(
                format!("messages[{i}].role"),
                format!(
                    "invalid value for messages[{i}].role: `{role}` is not one of {}",
                    ROLES.join(", ")
                ),
            );
        }
        match m.get("content") {
            Some(Value::String(_) | Value::Array(_)) => {}
            // An assistant message that only calls tools has no content.
            None | Some(Value::Null) if role == "assistant" => {}
            Some(other) => {
                return bad(
                    format!("messages[{i}].content"),
                    format!(
                        "messages[{i}].content must be a string or an array of parts, found {}",
                        kind(other)
                    ),
                );
            }
            None => {
                return bad(
                    format!("messages[{i}].content"),
                    format!("messages[{i}] ({role}) has no `content`"),
                );
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn err(body: Value) -> Value {
        let Value::Object(map) = body else { panic!() };
        match parse(map) {
            Ok(_) => panic!("accepted"),
            Err(e) => e.body()["error"].clone(),
        }
    }

    #[test]
    fn a_bad_role_names_the_message_and_the_roles() {
        let e = err(
            json!({"model": "m", "messages": [{"role": "user", "content": "hi"}, {"role": "wizard", "content": "x"}]}),
        );
        assert_eq!(e["param"], "messages[1].role");
        assert_eq!(e["type"], "invalid_request_error");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("`wizard` is not one of system")
        );
    }

    #[test]
    fn missing_and_mistyped_fields_are_named() {
        assert_eq!(err(json!({"messages": []}))["param"], "model");
        assert_eq!(err(json!({"model": "m"}))["param"], "messages");
        assert_eq!(
            err(json!({"model": "m", "messages": "hi"}))["param"],
            "messages"
        );
        assert_eq!(
            err(json!({"model": "m", "messages": [{"role": "user"}]}))["param"],
            "messages[0].content"
        );
        assert_eq!(
            err(
                json!({"model": "m", "messages": [{"role": "user", "content": 1}], "stream": "yes"})
            )["param"],
            "messages[0].content"
        );
        assert_eq!(
            err(
                json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "stream": "yes"})
            )["param"],
            "stream"
        );
        assert_eq!(
            err(json!({"model": "m", "messages": [{"role": "user", "content": "x"}], "n": 2}))["param"],
            "n"
        );
    }

    #[test]
    fn the_other_fields_become_params() {
        let Value::Object(map) = json!({"model": "m", "messages": [{"role": "assistant", "content": null}], "temperature": 0.2, "stream": true, "stream_options": {"include_usage": true}})
        else {
            panic!()
        };
        let Ok(r) = parse(map) else { panic!("valid") };
        assert_eq!(r.model, "m");
        assert!(r.stream && r.include_usage);
        assert_eq!(r.params["temperature"], 0.2);
        assert!(!r.params.contains_key("model") && !r.params.contains_key("messages"));
    }
}

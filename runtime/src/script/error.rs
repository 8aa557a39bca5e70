//! Reading Rhai errors: the innermost error's message without Rhai's position suffix, and its
//! position, so messages can name file:line:column themselves.

use rhai::{EvalAltResult, Position};

/// The innermost error's message (a thrown string as itself) and position.
pub fn message_and_position(err: &EvalAltResult) -> (String, Position) {
    let inner = err.unwrap_inner();
    let pos = inner.position();
    let message = match inner {
        EvalAltResult::ErrorRuntime(v, _) if v.is_string() => {
            v.clone().into_string().unwrap_or_default()
        }
        EvalAltResult::ErrorRuntime(v, _) => super::value::to_json(v).to_string(),
        other => {
            let text = other.to_string();
            let suffix = format!(" ({pos})");
            text.strip_suffix(&suffix).unwrap_or(&text).to_string()
        }
    };
    (message, pos)
}

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
        // The progress callback's reason (record-mode limits, cancellation), not Rhai's bare
        // "Script terminated".
        EvalAltResult::ErrorTerminated(v, _) if v.is_string() => {
            v.clone().into_string().unwrap_or_default()
        }
        // Rhai write-locks a captured variable while a method runs on it; a closure argument
        // capturing that same variable (`shared.update("n", |n| n + shared.step)`) then trips
        // Rhai's data-race check, whose message alone does not say what to change.
        EvalAltResult::ErrorDataRace(..) => format!(
            "{}: a closure passed to a method captures the variable the method is called on; \
             read what the closure needs into a local first (`let step = shared.step;`)",
            strip_position(inner, pos)
        ),
        other => strip_position(other, pos),
    };
    (message, pos)
}

/// An error's text without Rhai's ` (line x, position y)` suffix.
fn strip_position(err: &EvalAltResult, pos: Position) -> String {
    let text = err.to_string();
    let suffix = format!(" ({pos})");
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

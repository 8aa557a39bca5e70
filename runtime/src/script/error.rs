//! Reading Rhai errors: the innermost error's message without Rhai's position suffix, and its
//! position, so messages can name file:line:column themselves.

use std::path::Path;

use rhai::{EvalAltResult, Position};

use crate::limits::{Limits, limit_message};

/// The innermost error's message (a thrown string as itself) and position; a broken limit is
/// named with its value and the flag that raises it.
pub(crate) fn message_and_position(err: &EvalAltResult, limits: &Limits) -> (String, Position) {
    let inner = err.unwrap_inner();
    let pos = inner.position();
    let message = match inner {
        EvalAltResult::ErrorDataTooLarge(what, _) => data_too_large(what, limits),
        EvalAltResult::ErrorTooManyModules(_) => limit_message(
            "the script imports more modules than allowed",
            "modules",
            limits,
        ),
        EvalAltResult::ErrorRuntime(v, _) if v.is_string() => {
            v.clone().into_string().unwrap_or_default()
        }
        EvalAltResult::ErrorRuntime(v, _) => crate::value::to_json(v).to_string(),
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
        EvalAltResult::ErrorFunctionNotFound(sig, _) => {
            function_not_found(sig).unwrap_or_else(|| strip_position(inner, pos))
        }
        other => strip_position(other, pos),
    };
    (message, pos)
}

/// The graph API's and the host's global functions: what a misspelled call most likely meant.
fn known_functions() -> Vec<&'static str> {
    let mut names: Vec<&str> = crate::graph::NodeKind::ALL
        .iter()
        .map(|k| k.constructor())
        .collect();
    names.extend(crate::host::GLOBALS);
    // Rhai's own, which flowscript configures (where its output goes).
    names.push("print");
    names
}

/// A clearer word for Rhai's `Function not found: nodes (&str | ImmutableString | String, map)`:
/// a did-you-mean for a misspelled constructor or host function, or for a known one the types
/// its arguments may not have. `None` for anything else (a script function, a method).
fn function_not_found(sig: &str) -> Option<String> {
    let (name, args) = sig.split_once(" (").unwrap_or((sig, ")"));
    let args = args.strip_suffix(')').unwrap_or(args);
    let shown: Vec<String> = if args.trim().is_empty() {
        Vec::new()
    } else {
        args.split(", ").map(type_word).collect()
    };
    let known = known_functions();
    if known.contains(&name) {
        return Some(format!(
            "{name}() cannot be called with ({}): no form of {name}() takes these arguments",
            shown.join(", ")
        ));
    }
    let close = crate::diagnostic::did_you_mean(name, &known)?;
    Some(format!(
        "there is no function `{name}`: did you mean `{close}`? (called with ({}))",
        shown.join(", ")
    ))
}

/// A Rhai type in a signature as users write values: `&str | ImmutableString | String` is a
/// string.
fn type_word(t: &str) -> String {
    let t = t.trim();
    if t.contains("ImmutableString") || t == "&str" || t == "String" {
        "string".into()
    } else if t == "i64" {
        "integer".into()
    } else if t == "f64" {
        "float".into()
    } else {
        t.to_string()
    }
}

/// Where an error happened in the script's own file, and — when it happened inside a function
/// of an imported module — the words that say where in the module (`in module lib.rhai (at
/// lib.rhai:3:5): `), to put before the message. Without a module, the innermost position.
pub(crate) fn locate(err: &EvalAltResult, root: Option<&Path>) -> (Position, Option<String>) {
    let mut cur = err;
    while let EvalAltResult::ErrorInFunctionCall(_, source, inner, pos) = cur {
        if super::modules::is_module_source(source) {
            let name = super::modules::display_name(Path::new(source), root);
            let at = super::modules::line_column(err.unwrap_inner().position());
            return (*pos, Some(format!("in module {name} (at {name}:{at}): ")));
        }
        cur = inner;
    }
    (err.unwrap_inner().position(), None)
}

/// An error's text without Rhai's ` (line x, position y)` suffix.
fn strip_position(err: &EvalAltResult, pos: Position) -> String {
    let text = err.to_string();
    let suffix = format!(" ({pos})");
    text.strip_suffix(&suffix).unwrap_or(&text).to_string()
}

/// Rhai's "Length of string" / "Size of array/BLOB" / "Size of object map" as our limit.
fn data_too_large(what: &str, limits: &Limits) -> String {
    let (text, name) = if what.contains("string") {
        ("a string would be longer than allowed", "string")
    } else if what.contains("map") {
        ("a map would have more entries than allowed", "map")
    } else {
        (
            "an array or blob would have more elements than allowed",
            "array",
        )
    };
    limit_message(text, name, limits)
}

//! `json::parse(text)` and `json::stringify(value[, pretty])`: pure, allowed anywhere.

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, Module, NativeCallContext};

use super::effect::{error, string_arg};
use super::{HostContext, HostError};
use crate::value::{check_depth, from_json, to_json};

/// Texts at least this long are parsed on the blocking pool, so a big document does not stall
/// the worker thread other scripts are waiting on.
const OFFLOAD_BYTES: usize = 256 * 1024;

/// Parse JSON text into a Rhai value: objects become maps, arrays arrays, `null` `()`.
fn parse(ctx: NativeCallContext, text: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    let text = string_arg(&ctx, "json::parse", "a", text)?;
    if text.len() >= OFFLOAD_BYTES && crate::co::in_coroutine() {
        let owned = text.to_string();
        return super::wait(&ctx, "json::parse", move || {
            Box::pin(async move {
                tokio::task::spawn_blocking(move || parse_text(&owned))
                    .await
                    .map_err(|e| HostError::io(format!("json::parse: {e}")))?
            })
        });
    }
    parse_text(&text).map_err(|e| error(&ctx, e.message))
}

fn parse_text(text: &str) -> Result<Dynamic, HostError> {
    match serde_json::from_str::<serde_json::Value>(text) {
        Ok(v) => Ok(from_json(&v)),
        Err(e) => {
            // serde_json appends " at line L column C"; say it once, in our own words.
            let full = e.to_string();
            let what = full
                .rsplit_once(" at line ")
                .map_or(full.as_str(), |(m, _)| m);
            Err(HostError::decode(format!(
                "json::parse: invalid JSON at line {}, column {}: {what}",
                e.line(),
                e.column()
            )))
        }
    }
}

/// A value as JSON text, compact or pretty.
fn stringify_with(
    ctx: NativeCallContext,
    value: Dynamic,
    pretty: bool,
) -> Result<String, Box<EvalAltResult>> {
    check_depth(&value, HostContext::limits().depth)
        .map_err(|e| error(&ctx, format!("json::stringify: the value {e}")))?;
    let json = to_json(&value);
    let text = if pretty {
        serde_json::to_string_pretty(&json)
    } else {
        serde_json::to_string(&json)
    };
    text.map_err(|e| error(&ctx, format!("json::stringify: {e}")))
}

/// Register the `json` module.
pub(super) fn register(engine: &mut Engine) {
    let mut module = Module::new();
    FuncRegistration::new("parse")
        .with_params_info(["text: String", "Dynamic"])
        .with_comments([
            "/// Parse JSON text: objects become maps, `null` becomes `()`.",
            "/// Invalid JSON is an error giving the line and column.",
        ])
        .set_into_module(&mut module, parse);
    FuncRegistration::new("stringify")
        .with_params_info(["value: Dynamic", "String"])
        .with_comments(["/// A value as compact JSON text."])
        .set_into_module(&mut module, |ctx: NativeCallContext, v: Dynamic| {
            stringify_with(ctx, v, false)
        });
    FuncRegistration::new("stringify")
        .with_params_info(["value: Dynamic", "pretty: bool", "String"])
        .with_comments(["/// A value as JSON text, indented when `pretty` is true."])
        .set_into_module(&mut module, stringify_with);
    engine.register_static_module("json", module.into());
}

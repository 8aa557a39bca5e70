//! `emit(map)` and `log(value)`: a script's own events. Both are run effects: at the top level
//! they are reported as `effect-at-top-level` and do nothing.

use rhai::{Dynamic, Engine, EvalAltResult, NativeCallContext};
use serde_json::{Value, json};

use super::context::HostContext;
use super::effect::{at_top_level, error};
use super::json::{MAX_DEPTH, too_deep};
use crate::events::EventKind;
use crate::script::value::{describe, to_json};

/// Send `data` (a map) as an `emitted` event.
fn emit(ctx: NativeCallContext, data: Dynamic) -> Result<(), Box<EvalAltResult>> {
    if at_top_level(&ctx, "emit") {
        return Ok(());
    }
    if !data.is_map() {
        return Err(error(
            &ctx,
            format!(
                "emit() takes a map such as #{{type: \"progress\", done: 3}}, found {}",
                describe(&data)
            ),
        ));
    }
    if too_deep(&data, MAX_DEPTH) {
        return Err(error(
            &ctx,
            format!("emit(): the map nests more than {MAX_DEPTH} levels deep"),
        ));
    }
    let host = HostContext::current()
        .ok_or_else(|| error(&ctx, "emit() can only be called inside a hook"))?;
    host.events.emit(EventKind::Emitted {
        data: to_json(&data),
    });
    Ok(())
}

/// Write `value` to stderr (strings as they are, anything else as JSON) and emit it as
/// `#{type: "log", message}`.
fn log(ctx: NativeCallContext, value: Dynamic) -> Result<(), Box<EvalAltResult>> {
    if at_top_level(&ctx, "log") {
        return Ok(());
    }
    let message = if value.is_string() {
        value.into_string().unwrap_or_default()
    } else if too_deep(&value, MAX_DEPTH) {
        describe(&value)
    } else {
        to_json(&value).to_string()
    };
    eprintln!("{message}");
    if let Some(host) = HostContext::current() {
        host.events.emit(EventKind::Emitted {
            data: json!({"type": "log", "message": Value::String(message)}),
        });
    }
    Ok(())
}

/// Register `emit` and `log`. Rhai's math package has a `log(float)` (base-10 logarithm): the
/// float overload registered here shadows it, so `log(1.5)` logs; `log(x, 10.0)` still computes.
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("emit", emit)
        .register_fn("log", log)
        .register_fn("log", |ctx: NativeCallContext, x: rhai::FLOAT| {
            log(ctx, Dynamic::from_float(x))
        });
}

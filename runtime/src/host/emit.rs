//! `emit(map)` and `log(value)`: a script's own events. Both are run effects: at the top level
//! they are reported as `effect-at-top-level` and do nothing.

use std::io::Write;

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, NativeCallContext};
use serde_json::{Value, json};

use super::context::HostContext;
use super::effect::{at_top_level, error};
use crate::events::EventKind;
use crate::value::{check_depth, describe, to_json};

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
    check_depth(&data, HostContext::limits().depth)
        .map_err(|e| error(&ctx, format!("emit(): the map {e}")))?;
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
    } else if check_depth(&value, HostContext::limits().depth).is_err() {
        describe(&value)
    } else {
        to_json(&value).to_string()
    };
    // A closed stderr is not the script's failure.
    let _ = writeln!(std::io::stderr(), "{message}");
    if let Some(host) = HostContext::current() {
        host.events.emit(EventKind::Emitted {
            data: json!({"type": "log", "message": Value::String(message)}),
        });
    }
    Ok(())
}

/// Register `emit` and `log`. Rhai's math package has a `log(float)` (base-10 logarithm): the
/// float overload registered here shadows it, so `log(1.5)` logs; `log(x, 10.0)` still computes.
pub(super) fn register(engine: &mut Engine) {
    const LOG: &str = "/// Write `value` to stderr (a string as it is, anything else as JSON) and send it as an\n/// `emitted` event `#{type: \"log\", message}`.";
    FuncRegistration::new("emit")
        .with_params_info(["data: Map", "()"])
        .with_comments(["/// Send the map `data` to the run's event stream as an `emitted` event."])
        .register_into_engine(engine, emit);
    FuncRegistration::new("log")
        .with_params_info(["value: Dynamic", "()"])
        .with_comments([LOG])
        .register_into_engine(engine, log);
    FuncRegistration::new("log")
        .with_params_info(["value: f64", "()"])
        .with_comments([LOG])
        .register_into_engine(engine, |ctx: NativeCallContext, x: rhai::FLOAT| {
            log(ctx, Dynamic::from_float(x))
        });
}

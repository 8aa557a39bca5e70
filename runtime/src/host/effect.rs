//! What every host function with an effect does first: refuse to act while the graph is being
//! recorded, check the run's permissions, and turn bad arguments into script errors.

use rhai::{Dynamic, EvalAltResult, NativeCallContext};

use super::context::HostContext;
use super::permissions::{Denied, Permissions};
use crate::graph::Diagnostic;
use crate::graph::build::with_recorder;
use crate::script::value::describe;

/// A script error at the call's position.
pub(crate) fn error(ctx: &NativeCallContext, message: impl Into<String>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into().into(), ctx.call_position()).into()
}

/// Whether the graph is being recorded (the script's top level is running). If so, the call to
/// `name` is reported as `effect-at-top-level` and the caller must not perform its effect.
pub(crate) fn at_top_level(ctx: &NativeCallContext, name: &str) -> bool {
    let pos = ctx.call_position();
    with_recorder(|r| {
        let d = Diagnostic::error(
            "effect-at-top-level",
            r.span(pos),
            format!("{name}() was called while the graph is being built; it was not performed"),
        )
        .with_help("host I/O belongs inside a hook (prep, exec, post or fallback)");
        r.diagnose(d);
    })
    .is_some()
}

/// Check the running run's permissions (everything is denied outside a run). A denied call
/// fails with the [`Denied`] message, which names the flag to add.
pub(crate) fn permit(
    ctx: &NativeCallContext,
    check: impl FnOnce(&Permissions) -> Result<(), Denied>,
) -> Result<(), Box<EvalAltResult>> {
    let host = HostContext::current();
    let none = Permissions::default();
    let permissions = host.as_deref().map_or(&none, |h| &h.permissions);
    check(permissions).map_err(|d| error(ctx, d.to_string()))
}

/// A string argument, or an error naming the call and what it expected.
pub(crate) fn string_arg(
    ctx: &NativeCallContext,
    call: &str,
    what: &str,
    value: Dynamic,
) -> Result<String, Box<EvalAltResult>> {
    if value.is_string() {
        Ok(value.into_string().unwrap_or_default())
    } else {
        Err(error(
            ctx,
            format!("{call}() takes {what} string, found {}", describe(&value)),
        ))
    }
}

/// How a call is shown in messages: `fs::read("data.txt")`.
pub(crate) fn call_text(call: &str, arg: &str) -> String {
    format!("{call}({})", serde_json::Value::from(arg))
}

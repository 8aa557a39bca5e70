//! What every host function with an effect does first: refuse to act while the graph is being
//! recorded, check the run's permissions, and turn bad arguments into script errors.

use std::cell::Cell;

use rhai::{Dynamic, EvalAltResult, NativeCallContext, Position};

use super::context::HostContext;
use super::permissions::{Denied, Permissions};
use crate::value::describe;

/// A script error at the call's position.
pub(crate) fn error(ctx: &NativeCallContext, message: impl Into<String>) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into().into(), ctx.call_position()).into()
}

/// Where an attempted effect is reported while effects are refused: the call's name and position.
pub(super) type RefusedEffect = fn(&str, Position);

thread_local! {
    /// While a graph is recorded on this thread: where an attempted effect is reported.
    static REFUSING: Cell<Option<RefusedEffect>> = const { Cell::new(None) };
}

/// Run `f` with every host effect refused, each attempt handed to `report` (the script layer's
/// record mode installs this while the top level runs; the host knows nothing of recording).
pub(crate) fn refusing_effects<R>(report: RefusedEffect, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<RefusedEffect>);
    impl Drop for Restore {
        fn drop(&mut self) {
            REFUSING.set(self.0);
        }
    }
    let _restore = Restore(REFUSING.replace(Some(report)));
    f()
}

/// Whether effects are refused here (the script's top level is running). If so, the call to
/// `name` has been reported and the caller must not perform its effect.
pub(crate) fn at_top_level(ctx: &NativeCallContext, name: &str) -> bool {
    match REFUSING.get() {
        Some(report) => {
            report(name, ctx.call_position());
            true
        }
        None => false,
    }
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

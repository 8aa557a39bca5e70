//! Host functions scripts call for effects; every wait goes through [`wait`], which suspends the
//! script's coroutine instead of blocking a thread.

mod atomic_write;
pub(crate) mod context;
mod effect;
mod emit;
mod env;
mod error;
pub(crate) mod fs;
mod http;
mod imports;
pub(crate) mod input;
mod json;
mod llm;
mod net;
pub(crate) mod permissions;
mod process;
mod sse;
mod time;

pub(crate) use context::HostContext;
pub(crate) use effect::refusing_effects;
pub(crate) use error::HostFuture;
pub use error::{HostError, HostErrorKind};
pub(crate) use imports::ImportPolicy;
pub use input::{Answer, HumanInput};
pub use permissions::{Denied, Grant, Permissions};

use rhai::{Dynamic, Engine, EvalAltResult, NativeCallContext};

use crate::co::{self, SuspendError};

/// The host's global functions (outside a module), as scripts call them; each is registered
/// with its doc comments, which the language server reads from the engine's metadata.
pub const GLOBALS: [&str; 6] = ["emit", "log", "env", "now", "sleep", "input"];

/// Register every host function.
pub(crate) fn register(engine: &mut Engine) {
    time::register(engine);
    http::register(engine);
    llm::register(engine);
    emit::register(engine);
    env::register(engine);
    json::register(engine);
    fs::register(engine);
    process::register(engine);
    input::register(engine);
}

/// Suspend the calling script until `fut` completes. While the graph is being recorded, the
/// effect is not performed: it is reported as `effect-at-top-level` and `()` is returned.
pub(crate) fn wait(
    ctx: &NativeCallContext,
    name: &str,
    fut: impl FnOnce() -> HostFuture,
) -> Result<Dynamic, Box<EvalAltResult>> {
    let pos = ctx.call_position();
    if effect::at_top_level(ctx, name) {
        return Ok(Dynamic::UNIT);
    }
    match co::await_value(fut()) {
        Ok(Ok(v)) => Ok(v),
        // Host messages name URLs; never with credentials in them.
        Ok(Err(e)) => {
            let e = e.map_text(net::redact_urls);
            Err(EvalAltResult::ErrorRuntime(e.message.into(), pos).into())
        }
        Err(SuspendError::Interrupted(i)) => {
            Err(EvalAltResult::ErrorTerminated(i.message().into(), pos).into())
        }
        Err(SuspendError::Forbidden(place)) => Err(EvalAltResult::ErrorRuntime(
            format!("{name}() cannot wait inside {place}").into(),
            pos,
        )
        .into()),
        Err(SuspendError::NotRunning) => Err(EvalAltResult::ErrorRuntime(
            format!("{name}() can only be called inside a hook").into(),
            pos,
        )
        .into()),
    }
}

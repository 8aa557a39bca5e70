//! `sleep(seconds)`: a timer wait that holds no thread; `now()`: the wall clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, NativeCallContext};

use crate::limits::MAX_DURATION_SECS;

fn sleep(ctx: NativeCallContext, seconds: f64) -> Result<Dynamic, Box<EvalAltResult>> {
    if !seconds.is_finite() || !(0.0..=MAX_DURATION_SECS).contains(&seconds) {
        return Err(EvalAltResult::ErrorRuntime(
            format!(
                "sleep() takes a number of seconds from 0 to {MAX_DURATION_SECS} (365 days), found {seconds:e}"
            )
            .into(),
            ctx.call_position(),
        )
        .into());
    }
    super::wait(&ctx, "sleep", || {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_secs_f64(seconds)).await;
            Ok(Dynamic::UNIT)
        })
    })
}

/// Seconds since the Unix epoch, with sub-second precision. Pure: allowed anywhere.
fn now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0.0, |d| d.as_secs_f64())
}

/// Register `sleep` for integer and float seconds, and `now`, with their signatures and doc
/// comments for the editor.
pub(super) fn register(engine: &mut Engine) {
    const SLEEP: &str =
        "/// Wait `seconds` (0 to 365 days) without holding a thread: the run's other items go on.";
    FuncRegistration::new("now")
        .with_params_info(["f64"])
        .with_comments(["/// Seconds since the Unix epoch, as a float. Pure: allowed anywhere."])
        .register_into_engine(engine, now);
    FuncRegistration::new("sleep")
        .with_params_info(["seconds: f64", "()"])
        .with_comments([SLEEP])
        .register_into_engine(engine, sleep);
    FuncRegistration::new("sleep")
        .with_params_info(["seconds: i64", "()"])
        .with_comments([SLEEP])
        .register_into_engine(engine, |ctx: NativeCallContext, s: rhai::INT| {
            sleep(ctx, s as f64)
        });
}

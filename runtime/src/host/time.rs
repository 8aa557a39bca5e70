//! `sleep(seconds)`: a timer wait that holds no thread.

use std::time::Duration;

use rhai::{Dynamic, Engine, EvalAltResult, NativeCallContext};

fn sleep(ctx: NativeCallContext, seconds: f64) -> Result<Dynamic, Box<EvalAltResult>> {
    if !seconds.is_finite() || seconds < 0.0 {
        return Err(EvalAltResult::ErrorRuntime(
            format!("sleep() takes a number of seconds ≥ 0, found {seconds}").into(),
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

/// Register `sleep` for integer and float seconds.
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("sleep", sleep)
        .register_fn("sleep", |ctx: NativeCallContext, s: rhai::INT| {
            sleep(ctx, s as f64)
        });
}

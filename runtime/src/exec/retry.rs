//! One exec with its retry policy: attempts, wait with backoff and jitter, per-attempt timeout,
//! then fallback. State is per call, so every batch item retries on its own.

use std::time::Duration;

use rhai::{Dynamic, Map};

use super::hook::call;
use super::{Failure, RunCx};
use crate::co::{self, Interrupt};
use crate::events::EventKind;
use crate::graph::{Backoff, HookKind, NodeId};
use crate::limits::MAX_DURATION_SECS;

/// The wait before attempt `attempt + 1`, after `attempt` failed (1-based).
pub(crate) fn wait_after(base: f64, backoff: Backoff, jitter: bool, attempt: u32) -> f64 {
    let mut w = match backoff {
        Backoff::Fixed => base,
        Backoff::Exponential => base * 2f64.powi(attempt.saturating_sub(1).min(60) as i32),
    };
    if jitter {
        w *= 0.5 + fastrand::f64() * 0.5;
    }
    // Exponential growth must not leave the durations a clock can hold.
    w.min(MAX_DURATION_SECS)
}

/// Run node `id`'s exec on `input` with its retries and fallback.
pub(crate) fn exec_with_retry(
    cx: &RunCx,
    id: NodeId,
    input: &Dynamic,
    params: &Map,
    path: &dyn std::fmt::Display,
) -> Result<Dynamic, Failure> {
    let spec = &cx.prog.graph.nodes[id];
    let opts = &spec.options;
    if cx.prog.hooks[id].exec.is_none() {
        return Ok(Dynamic::UNIT);
    }
    let timeout = opts.timeout.map(Duration::from_secs_f64);
    let mut attempt = 1;
    loop {
        let (result, timed_out) = co::with_timeout(timeout, || {
            call(cx, id, HookKind::Exec, vec![input.clone()], params, path)
        });
        let failure = match result {
            Ok(v) => return Ok(v),
            Err(f) if f.is_cancelled() || co::is_cancelled() => {
                return Err(Failure::cancelled(f.path));
            }
            Err(mut f) => {
                if timed_out || f.interrupt == Some(Interrupt::TimedOut) {
                    let secs = opts.timeout.unwrap_or_default();
                    f = Failure::new(
                        format!("exec of '{}' timed out after {secs}s", spec.name),
                        f.path,
                        f.span,
                    );
                }
                f
            }
        };
        if attempt < opts.retries {
            let wait = wait_after(opts.wait, opts.backoff, opts.jitter, attempt);
            attempt += 1;
            if cx.events.enabled() {
                cx.events.emit(EventKind::NodeRetry {
                    path: path.to_string(),
                    attempt,
                    error: failure.message.clone(),
                    wait,
                });
            }
            if wait > 0.0 {
                let sleep = tokio::time::sleep(Duration::from_secs_f64(wait));
                if co::await_value(sleep).is_err() {
                    return Err(Failure::cancelled(failure.path));
                }
            }
            continue;
        }
        if cx.prog.hooks[id].fallback.is_some() {
            let args = vec![input.clone(), failure.value];
            return call(cx, id, HookKind::Fallback, args, params, path);
        }
        return Err(failure);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_backoff_doubles() {
        let waits: Vec<f64> = (1..=4)
            .map(|k| wait_after(0.5, Backoff::Exponential, false, k))
            .collect();
        assert_eq!(waits, vec![0.5, 1.0, 2.0, 4.0]);
        assert_eq!(wait_after(0.5, Backoff::Fixed, false, 3), 0.5);
        assert_eq!(
            wait_after(1e6, Backoff::Exponential, false, 200),
            MAX_DURATION_SECS
        );
        for k in 1..50 {
            let w = wait_after(1.0, Backoff::Fixed, true, k);
            assert!((0.5..=1.0).contains(&w), "{w}");
        }
    }
}

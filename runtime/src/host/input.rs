//! `input(prompt[, #{key, timeout}])`: a hook asks a person and waits for the answer without
//! holding a thread. Who answers is the embedder's [`HumanInput`]: the terminal under
//! `flowscript run`, `POST /runs/{id}/input` under `flowscript serve`.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, Map, NativeCallContext};

use super::context::HostContext;
use super::effect::{at_top_level, error};
use super::{HostError, HostErrorKind};
use crate::events::EventKind;
use crate::limits::MAX_DURATION_SECS;
use crate::value::{check_depth, describe, from_json};

/// The longest key accepted, in bytes: keys travel in URLs' bodies and event streams.
pub(crate) const MAX_KEY_LEN: usize = 256;

/// An answer on its way: resolves with the value, or an error saying why none will come.
/// Dropping it withdraws the question.
pub type Answer = Pin<Box<dyn Future<Output = Result<serde_json::Value, HostError>> + Send>>;

/// Someone who answers `input()`.
pub trait HumanInput: Send + Sync {
    /// Register the question `key` and return the answer to come. Called before the
    /// `input_required` event is sent, so an answer given as soon as the event is seen finds the
    /// question waiting. An error (a key already waiting, too many questions) fails the call;
    /// its message is what the script sees.
    fn ask(&self, key: &str, prompt: &str) -> Result<Answer, HostError>;
}

/// The options `input()` takes.
struct Options {
    key: Option<String>,
    timeout: Option<f64>,
}

fn options(ctx: &NativeCallContext, map: &Map) -> Result<Options, Box<EvalAltResult>> {
    let mut opts = Options {
        key: None,
        timeout: None,
    };
    for (name, value) in map {
        match name.as_str() {
            "key" if value.is_unit() => {}
            "key" => {
                let key = value.clone().into_string().map_err(|_| {
                    error(
                        ctx,
                        format!("input(): `key` must be a string, found {}", describe(value)),
                    )
                })?;
                if key.is_empty() || key.len() > MAX_KEY_LEN {
                    return Err(error(
                        ctx,
                        format!("input(): `key` must be 1 to {MAX_KEY_LEN} bytes long"),
                    ));
                }
                opts.key = Some(key);
            }
            "timeout" if value.is_unit() => {}
            "timeout" => {
                // The same reading of seconds as the `timeout` option, and above 0.
                match crate::value::seconds(value) {
                    Ok(s) if s > 0.0 => opts.timeout = Some(s),
                    _ => {
                        return Err(error(
                            ctx,
                            format!(
                                "input(): `timeout` takes a number of seconds above 0 and up to {MAX_DURATION_SECS} (365 days), found {}",
                                describe(value)
                            ),
                        ));
                    }
                }
            }
            other => {
                return Err(error(
                    ctx,
                    format!("input(): unknown option `{other}` (the options are key and timeout)"),
                ));
            }
        }
    }
    Ok(opts)
}

/// Ask `prompt` and wait for the answer: a string from the terminal, any JSON value from a
/// client (as the matching Rhai value).
fn input(
    ctx: NativeCallContext,
    prompt: Dynamic,
    opts: Map,
) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, "input") {
        return Ok(Dynamic::UNIT);
    }
    let prompt = prompt.into_string().map_err(|found| {
        error(
            &ctx,
            format!("input() takes the question as a string, found {found}"),
        )
    })?;
    let opts = options(&ctx, &opts)?;
    let host = HostContext::current()
        .ok_or_else(|| error(&ctx, "input() can only be called inside a hook"))?;
    let key = opts.key.unwrap_or_else(|| {
        let n = host.questions.fetch_add(1, Ordering::Relaxed) + 1;
        format!("input-{n}")
    });
    let Some(human) = host.human.clone() else {
        return Err(error(
            &ctx,
            format!(
                "input({}) has no one to answer it: `flowscript run` asks on the terminal when stdin is one, and `flowscript serve` takes answers at POST /runs/{{id}}/input",
                serde_json::Value::from(prompt.as_str())
            ),
        ));
    };
    let answer = human
        .ask(&key, &prompt)
        .map_err(|e| error(&ctx, e.message))?;
    host.events.emit(EventKind::InputRequired {
        key: key.clone(),
        prompt,
    });
    let depth = host.limits.depth;
    let events = host.events.clone();
    let value = super::wait(&ctx, "input", move || {
        Box::pin(async move {
            let value = match opts.timeout {
                None => answer.await?,
                Some(secs) => tokio::time::timeout(Duration::from_secs_f64(secs), answer)
                    .await
                    .map_err(|_| {
                        let message = format!("input(\"{key}\"): no answer within {secs}s");
                        HostError::new(HostErrorKind::Timeout, message)
                    })??,
            };
            events.emit(EventKind::InputReceived { key });
            Ok(from_json(&value))
        })
    })?;
    check_depth(&value, depth).map_err(|e| error(&ctx, format!("input(): the answer {e}")))?;
    Ok(value)
}

/// Register `input(prompt)` and `input(prompt, options)`.
pub(crate) fn register(engine: &mut Engine) {
    const INPUT: &str = "/// Ask a person `prompt` and wait for the answer without holding a thread. Sends\n/// `input_required {key, prompt}`; `flowscript run` asks on the terminal, `flowscript serve`\n/// takes the answer at `POST /runs/{id}/input`.";
    FuncRegistration::new("input")
        .with_params_info(["prompt: String", "Dynamic"])
        .with_comments([INPUT])
        .register_into_engine(engine, |ctx: NativeCallContext, prompt: Dynamic| {
            input(ctx, prompt, Map::new())
        });
    FuncRegistration::new("input")
        .with_params_info(["prompt: String", "opts: Map", "Dynamic"])
        .with_comments(["/// Like `input(prompt)`, with options `key` (what the answer is sent under) and `timeout`\n/// (seconds)."])
        .register_into_engine(engine, input);
}

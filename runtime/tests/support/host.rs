//! Helpers for the host-function tests: run a script with permissions, and build grants.

use std::path::Path;
use std::sync::Arc;

use flowscript_runtime::events::CollectSink;
use flowscript_runtime::{CancellationToken, Event, EventKind, RunOptions, RunOutcome, Runtime};
use flowscript_runtime::{Grant, Permissions};
use serde_json::Value;

/// Run `src` with `input` as the store, `permissions`, and a cancellation token; collect events.
pub async fn run_full(
    src: &str,
    input: Value,
    permissions: Permissions,
    cancel: CancellationToken,
) -> (RunOutcome, Vec<Event>) {
    let input = match input {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    run_with(
        src,
        RunOptions {
            input,
            cancel,
            permissions,
            ..RunOptions::default()
        },
    )
    .await
}

/// Run `src` with `opts` (its sink replaced by one that collects the events).
pub async fn run_with(src: &str, opts: RunOptions) -> (RunOutcome, Vec<Event>) {
    let loaded = Runtime::new().load("test.flow.rhai", src);
    let program = loaded
        .program
        .unwrap_or_else(|| panic!("load failed: {:#?}", loaded.diagnostics));
    let sink = Arc::new(CollectSink::default());
    let outcome = program
        .run(RunOptions {
            sink: Some(sink.clone()),
            ..opts
        })
        .await;
    (outcome, sink.events())
}

/// Run `src` with `input` and `permissions`.
pub async fn run_as(src: &str, input: Value, permissions: Permissions) -> (RunOutcome, Vec<Event>) {
    run_full(src, input, permissions, CancellationToken::new()).await
}

/// The final store of a run expected to succeed.
pub async fn ok_store(src: &str, input: Value, permissions: Permissions) -> Value {
    let (outcome, _) = run_as(src, input, permissions).await;
    if let Err(e) = &outcome.result {
        panic!("run failed: {e:?}");
    }
    outcome.shared
}

/// The error message of a run expected to fail.
pub async fn err_message(src: &str, input: Value, permissions: Permissions) -> String {
    let (outcome, _) = run_as(src, input, permissions).await;
    outcome.result.expect_err("run should fail").message
}

/// A grant of exactly these paths.
pub fn only(paths: &[&Path]) -> Grant {
    Grant::Only(paths.iter().map(|p| p.display().to_string()).collect())
}

/// The data of `emitted` events, in order.
pub fn emitted(events: &[Event]) -> Vec<Value> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Emitted { data } => Some(data.clone()),
            _ => None,
        })
        .collect()
}

/// The codes of `src`'s diagnostics, and whether it loaded.
pub fn load_codes(src: &str) -> (Vec<String>, bool) {
    let loaded = Runtime::new().load("test.flow.rhai", src);
    (
        loaded
            .diagnostics
            .iter()
            .map(|d| d.code.to_string())
            .collect(),
        loaded.program.is_some(),
    )
}

/// A one-node script whose exec calls `body` with the store's `arg` as `x`, storing the result
/// in `shared.out`.
pub fn exec_script(body: &str) -> String {
    format!(
        "let a = node(\"a\", #{{\n    prep: |shared| shared.arg,\n    exec: |x| {body},\n    \
         post: |shared, p, e| {{ shared.out = e; }},\n}});\nflow(\"main\", a)\n"
    )
}

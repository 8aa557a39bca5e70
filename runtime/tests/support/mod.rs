//! Shared helpers for the runtime's behaviour tests: load a script, run it, collect events.

#![allow(dead_code)]

use std::sync::Arc;

use flowscript_runtime::events::CollectSink;
use flowscript_runtime::{Event, EventKind, Loaded, RunOptions, RunOutcome, Runtime};
use serde_json::Value;

/// Load `src`, panicking with the diagnostics if it has errors.
pub fn load(src: &str) -> Loaded {
    let loaded = Runtime::new().load("test.flow.rhai", src);
    assert!(
        loaded.program.is_some(),
        "load failed: {:#?}",
        loaded.diagnostics
    );
    loaded
}

/// Load `src` and return its diagnostics (it may fail to load).
pub fn diagnostics(src: &str) -> Vec<flowscript_runtime::Diagnostic> {
    Runtime::new().load("test.flow.rhai", src).diagnostics
}

/// Run `src` with `input` and collect its events.
pub async fn run_with(src: &str, input: Value) -> (RunOutcome, Vec<Event>) {
    let loaded = load(src);
    let sink = Arc::new(CollectSink::default());
    let input = match input {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    let outcome = loaded
        .program
        .expect("program")
        .run(RunOptions {
            input,
            sink: Some(sink.clone()),
            ..Default::default()
        })
        .await;
    (outcome, sink.events())
}

/// Run `src` with an empty store.
pub async fn run(src: &str) -> (RunOutcome, Vec<Event>) {
    run_with(src, serde_json::json!({})).await
}

/// The final store of a successful run.
pub async fn shared(src: &str) -> Value {
    let (outcome, _) = run(src).await;
    if let Err(e) = &outcome.result {
        panic!("run failed: {e:?}");
    }
    outcome.shared
}

/// The failure of a run expected to fail.
pub async fn failure(src: &str) -> flowscript_runtime::RunError {
    let (outcome, _) = run(src).await;
    outcome.result.expect_err("run should fail")
}

/// Warnings' codes among events.
pub fn warning_codes(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Warning { code, .. } => Some(code.clone()),
            _ => None,
        })
        .collect()
}

/// The paths of `node_started` events, in order.
pub fn started(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::NodeStarted { path, .. } => Some(path.clone()),
            _ => None,
        })
        .collect()
}

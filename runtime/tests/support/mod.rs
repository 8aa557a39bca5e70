//! The one support module of the runtime's behaviour tests: load a script, run it, collect
//! events; [`host`] runs with permissions for the host-function tests, [`peer`] is a real HTTP
//! peer for `http::*` and `llm::*`. Each test binary uses part of it, hence the one allow.

#![allow(dead_code)]

pub mod host;
pub mod peer;

use std::sync::Arc;

use flowscript_runtime::events::CollectSink;
use flowscript_runtime::{Diagnostic, Event, EventKind, Loaded, RunOptions, RunOutcome, Runtime};
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
    run_cancellable(src, input, Default::default()).await
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
            EventKind::Warning { code, .. } => Some(code.to_string()),
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

/// Run `src` with `opts`, collecting its events in a sink that is returned too (to look at events
/// that arrive after the run returned).
pub async fn run_collecting(src: &str, opts: RunOptions) -> (RunOutcome, Arc<CollectSink>) {
    // Like `flowscript run`: the input's keys count as written.
    let load = flowscript_runtime::LoadOptions {
        known_keys: opts.input.keys().cloned().collect(),
        ..Default::default()
    };
    let loaded = Runtime::new().load_with("test.flow.rhai", src, &load);
    assert!(
        loaded.program.is_some(),
        "load failed: {:#?}",
        loaded.diagnostics
    );
    let sink = Arc::new(CollectSink::default());
    let outcome = loaded
        .program
        .expect("program")
        .run(RunOptions {
            sink: Some(sink.clone()),
            ..opts
        })
        .await;
    (outcome, sink)
}

/// Run `src` with `input`, a cancellation token, and collect its events.
pub async fn run_cancellable(
    src: &str,
    input: Value,
    cancel: flowscript_runtime::CancellationToken,
) -> (RunOutcome, Vec<Event>) {
    let input = match input {
        Value::Object(m) => m,
        _ => Default::default(),
    };
    let opts = RunOptions {
        input,
        cancel,
        ..Default::default()
    };
    let (outcome, sink) = run_collecting(src, opts).await;
    (outcome, sink.events())
}

/// The diagnostics' codes, in order.
pub fn codes(diags: &[flowscript_runtime::Diagnostic]) -> Vec<String> {
    diags.iter().map(|d| d.code.to_string()).collect()
}

/// The single diagnostic with `code` among those of `src`; panics if there is not exactly one.
pub fn the_diagnostic(src: &str, code: &str) -> flowscript_runtime::Diagnostic {
    let all = diagnostics(src);
    let found: Vec<_> = all.iter().filter(|d| d.code == code).cloned().collect();
    assert_eq!(found.len(), 1, "expected one `{code}` in {all:#?}");
    found.into_iter().next().expect("one diagnostic")
}

/// Assert `src` fails to load with an error diagnostic of `code`, and return it.
pub fn load_error(src: &str, code: &str) -> flowscript_runtime::Diagnostic {
    let loaded = Runtime::new().load("test.flow.rhai", src);
    assert!(loaded.program.is_none(), "should not load: {src}");
    let d = loaded
        .diagnostics
        .iter()
        .find(|d| d.code == code)
        .unwrap_or_else(|| panic!("no `{code}` in {:#?}", loaded.diagnostics))
        .clone();
    assert!(d.is_error(), "{d:?} should be an error");
    d
}

/// `node_retry` events as (path, attempt, error, wait).
pub fn retries(events: &[Event]) -> Vec<(String, u32, String, f64)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::NodeRetry {
                path,
                attempt,
                error,
                wait,
            } => Some((path.clone(), *attempt, error.clone(), *wait)),
            _ => None,
        })
        .collect()
}

/// Each event's `type` tag, in order.
pub fn types(events: &[Event]) -> Vec<String> {
    events
        .iter()
        .map(|e| {
            serde_json::to_value(e).expect("event json")["type"]
                .as_str()
                .unwrap_or_default()
                .to_string()
        })
        .collect()
}

/// Warning events as (code, message, path).
pub fn warnings(events: &[Event]) -> Vec<(String, String, Option<String>)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Warning {
                code,
                message,
                path,
                ..
            } => Some((code.to_string(), message.clone(), path.clone())),
            _ => None,
        })
        .collect()
}

/// The graph's edges as (from name, action, to name or "end"), in definition order.
pub fn edges(loaded: &Loaded) -> Vec<(String, String, String)> {
    let g = loaded.graph.as_ref().expect("graph");
    g.edges
        .iter()
        .map(|e| {
            let to = match e.to {
                flowscript_runtime::graph::Target::Node(n) => g.nodes[n].name.clone(),
                flowscript_runtime::graph::Target::End => "end".into(),
            };
            (g.nodes[e.from].name.clone(), e.action.clone(), to)
        })
        .collect()
}

/// Owned triple for comparing with [`edges`].
pub fn edge(from: &str, action: &str, to: &str) -> (String, String, String) {
    (from.into(), action.into(), to.into())
}

/// Run `src` and keep the sink, to look at events that arrive after the run returned.
pub async fn run_keep_sink(src: &str) -> (RunOutcome, Arc<CollectSink>) {
    run_collecting(src, RunOptions::default()).await
}

/// Warnings raised while running (they name a node path), without the load-time ones.
pub fn run_warnings(events: &[Event]) -> Vec<(String, String, Option<String>)> {
    warnings(events)
        .into_iter()
        .filter(|w| w.2.is_some())
        .collect()
}

/// Codes of the warnings raised while running.
pub fn run_warning_codes(events: &[Event]) -> Vec<String> {
    run_warnings(events).into_iter().map(|w| w.0).collect()
}

/// The codes of `diagnostics` that are `code`.
pub fn only<'a>(diagnostics: &'a [Diagnostic], code: &str) -> Vec<&'a str> {
    diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .filter(|c| *c == code)
        .collect()
}

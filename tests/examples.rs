//! Every example in `scripts/` loads without errors, runs offline on tokio's paused clock (sleeps
//! are instant, ordering is deterministic), and its event trace and final store are snapshots.
//!
//! Regenerate with `INSTA_UPDATE=always cargo test --test examples` (or `cargo insta test`), then
//! read the changed snapshots: a snapshot showing wrong behaviour is a bug, not a new truth.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use flowscript_runtime::events::CollectSink;
use flowscript_runtime::{Event, EventKind, RunOptions, Runtime};
use serde_json::{Value, json};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Strings holding `prefix` (the script's absolute path, in `run_started` and spans) are made
/// relative, so snapshots do not depend on where the repository lives.
fn relativize(value: &mut Value, prefix: &str) {
    match value {
        Value::String(s) if s.contains(prefix) => *s = s.replace(prefix, ""),
        Value::Array(items) => items.iter_mut().for_each(|v| relativize(v, prefix)),
        Value::Object(map) => map.values_mut().for_each(|v| relativize(v, prefix)),
        _ => {}
    }
}

/// One event as one line of JSON: `seq` and `type` first, then the other fields by name.
/// Wall-clock `ms` is redacted; the final store is shown once, below the trace, not again in
/// `run_finished` / `run_failed`.
fn event_line(event: &Event, prefix: &str) -> String {
    let mut value = serde_json::to_value(event).expect("events serialise");
    relativize(&mut value, prefix);
    let Value::Object(mut fields) = value else {
        panic!("an event serialises as an object: {value}");
    };
    if fields.contains_key("ms") {
        fields.insert("ms".into(), json!("[ms]"));
    }
    if fields.contains_key("shared") {
        fields.insert("shared".into(), json!("[the final store, below]"));
    }
    let mut parts = Vec::new();
    for key in ["seq", "type"] {
        if let Some(v) = fields.remove(key) {
            parts.push(format!("{}:{v}", json!(key)));
        }
    }
    parts.extend(fields.iter().map(|(k, v)| format!("{}:{v}", json!(k))));
    format!("{{{}}}", parts.join(","))
}

/// Load `scripts/{name}.flow.rhai`, run it with an empty store, and snapshot what happened.
async fn check(name: &str) {
    let path: PathBuf = root().join("scripts").join(format!("{name}.flow.rhai"));
    let loaded = Runtime::new()
        .load_file(&path)
        .unwrap_or_else(|e| panic!("{e}"));
    let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{name} has load errors: {errors:#?}");
    let program = loaded
        .program
        .unwrap_or_else(|| panic!("{name} loaded without a program"));

    let sink = Arc::new(CollectSink::default());
    let t0 = tokio::time::Instant::now();
    let outcome = program
        .run(RunOptions {
            input: Default::default(),
            sink: Some(sink.clone()),
            ..Default::default()
        })
        .await;
    // On the paused clock this is the sum of the waits the run really had to do.
    let virtual_ms = t0.elapsed().as_millis() as u64;
    let events = sink.events();

    for (i, e) in events.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "{name}: event seq must count from 1");
    }
    if let Err(e) = &outcome.result {
        panic!("{name}: an example must run to completion, but it failed: {e}");
    }
    let Some(last) = events.last() else {
        panic!("{name} produced no events");
    };
    match (&last.kind, &outcome.result) {
        (EventKind::RunFinished { action, shared }, Ok(result)) => {
            assert_eq!(action, result, "{name}: run_finished action");
            assert_eq!(shared, &outcome.shared, "{name}: run_finished store");
        }
        (EventKind::RunFailed { error, shared, .. }, Err(e)) => {
            assert_eq!(error, &e.message, "{name}: run_failed error");
            assert_eq!(shared, &outcome.shared, "{name}: run_failed store");
        }
        (kind, result) => panic!("{name}: last event {kind:?} does not match {result:?}"),
    }

    let prefix = format!("{}/", root().display());
    let result = match &outcome.result {
        Ok(action) => json!({ "ok": action }),
        Err(e) => json!({ "error": e.message, "path": e.path }),
    };
    let mut text = format!("result: {result}\nvirtual_ms: {virtual_ms}\nevents:\n");
    for e in &events {
        text.push_str("  ");
        text.push_str(&event_line(e, &prefix));
        text.push('\n');
    }
    let shared = serde_json::to_string_pretty(&outcome.shared).expect("the store serialises");
    text.push_str(&format!("shared: {shared}\n"));
    insta::with_settings!({
        description => format!("scripts/{name}.flow.rhai run with an empty store on a paused clock"),
        omit_expression => true,
    }, {
        insta::assert_snapshot!(name, text);
    });
}

/// One test per example, so a failure names it; `EXAMPLES` lists them for the coverage test.
macro_rules! examples {
    ($($test:ident => $file:literal),* $(,)?) => {
        const EXAMPLES: &[&str] = &[$($file),*];
        $(
            #[tokio::test(start_paused = true)]
            async fn $test() {
                check($file).await;
            }
        )*
    };
}

examples! {
    hello => "hello",
    looping => "loop",
    batch => "batch",
    fanout => "fanout",
    retry => "retry",
    nested => "nested",
    forecast => "forecast",
    collect => "collect",
    router => "router",
}

#[test]
fn every_script_has_a_snapshot_test() {
    let mut found: Vec<String> = std::fs::read_dir(root().join("scripts"))
        .expect("scripts/ exists")
        .map(|entry| {
            entry
                .expect("readable entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter_map(|f| f.strip_suffix(".flow.rhai").map(str::to_owned))
        .collect();
    found.sort();
    let mut tested: Vec<String> = EXAMPLES.iter().map(|s| s.to_string()).collect();
    tested.sort();
    assert_eq!(
        found, tested,
        "every scripts/*.flow.rhai needs a line in `examples!` in tests/examples.rs (and each line a script)"
    );
}

//! (docs/host.md) pure and event host functions: `json::{parse, stringify}`, `now`, `env`, `emit`,
//! `log`. json and now are allowed anywhere; env needs `--allow-env`; emit and log are effects.

mod support;

use flowscript_runtime::EventKind;
use flowscript_runtime::{Grant, Permissions};
use serde_json::json;
use support::host::*;

fn none() -> Permissions {
    Permissions::default()
}

#[tokio::test]
async fn json_parse_builds_maps_arrays_and_units() {
    let text = r#"{"a": [1, 2.5, "s", null, true], "b": {"c": -3}}"#;
    let store = ok_store(&exec_script("json::parse(x)"), json!({"arg": text}), none()).await;
    assert_eq!(
        store["out"],
        json!({"a": [1, 2.5, "s", null, true], "b": {"c": -3}})
    );
}

#[tokio::test]
async fn json_parse_reports_the_line_and_column_of_invalid_json() {
    let text = "{\n  \"a\": 1,\n  oops\n}";
    let msg = err_message(&exec_script("json::parse(x)"), json!({"arg": text}), none()).await;
    assert!(msg.contains("json::parse"), "{msg}");
    assert!(msg.contains("line 3, column 3"), "{msg}");
    assert!(msg.contains("key must be a string"), "{msg}");
    let msg = err_message(
        &exec_script("json::parse(x)"),
        json!({"arg": "[1, 2"}),
        none(),
    )
    .await;
    assert!(msg.contains("line 1, column 5"), "{msg}");
}

#[tokio::test]
async fn json_parse_of_a_non_string_is_a_clear_error() {
    let msg = err_message(&exec_script("json::parse(x)"), json!({"arg": 5}), none()).await;
    assert!(
        msg.contains("json::parse() takes a string, found i64 5"),
        "{msg}"
    );
}

#[tokio::test]
async fn json_stringify_compact_and_pretty() {
    let store = ok_store(
        &exec_script("[json::stringify(x), json::stringify(x, true), json::stringify(())]"),
        json!({"arg": {"k": [1, "two"]}}),
        none(),
    )
    .await;
    assert_eq!(
        store["out"],
        json!([
            r#"{"k":[1,"two"]}"#,
            "{\n  \"k\": [\n    1,\n    \"two\"\n  ]\n}",
            "null"
        ])
    );
}

#[tokio::test]
async fn json_round_trips_through_a_script() {
    let v = json!({"n": 1, "f": 0.5, "s": "é\"\n", "l": [[], {}], "t": false});
    let store = ok_store(
        &exec_script("json::parse(json::stringify(x))"),
        json!({"arg": v}),
        none(),
    )
    .await;
    assert_eq!(store["out"], v);
}

#[tokio::test]
async fn json_stringify_refuses_absurd_nesting_instead_of_crashing() {
    let src = exec_script("{ let v = []; for i in 0..500 { v = [v]; } json::stringify(v) }");
    let msg = err_message(&src, json!({}), none()).await;
    assert!(
        msg.contains("more than 128 levels deep (limit `depth`)"),
        "{msg}"
    );
}

#[tokio::test]
async fn json_and_now_are_allowed_at_the_top_level() {
    let src = r#"
        let cfg = json::parse("{\"n\": 2}");
        let started = now();
        let a = node("a", #{ post: |shared, p, e| { shared.n = cfg.n; shared.t = started; } });
        flow("main", a)
    "#;
    let (codes, loaded) = load_codes(src);
    assert!(loaded && codes.is_empty(), "{codes:?}");
    let store = ok_store(src, json!({}), none()).await;
    assert_eq!(store["n"], 2);
    assert!(store["t"].as_f64().is_some_and(|t| t > 1.7e9), "{store}");
}

#[tokio::test]
async fn now_is_seconds_since_the_epoch_as_a_float() {
    let before = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .expect("clock")
        .as_secs_f64();
    let store = ok_store(&exec_script("now()"), json!({}), none()).await;
    let t = store["out"].as_f64().expect("a float");
    assert!(t >= before - 1.0 && t < before + 60.0, "{t} vs {before}");
}

#[tokio::test]
async fn env_reads_a_variable_when_allowed() {
    let path = std::env::var("PATH").expect("PATH is set for tests");
    let all = Permissions {
        env: Grant::All,
        ..none()
    };
    let store = ok_store(&exec_script("env(x)"), json!({"arg": "PATH"}), all.clone()).await;
    assert_eq!(store["out"], json!(path));
    let unset = "FLOWSCRIPT_TEST_SURELY_UNSET_VARIABLE";
    let store = ok_store(&exec_script("env(x)"), json!({"arg": unset}), all.clone()).await;
    assert_eq!(store["out"], json!(null));
    let store = ok_store(&exec_script("env(x)"), json!({"arg": "A=B"}), all).await;
    assert_eq!(store["out"], json!(null));
}

#[tokio::test]
async fn env_is_denied_without_allow_env_and_scoped_by_name() {
    let msg = err_message(&exec_script("env(x)"), json!({"arg": "PATH"}), none()).await;
    assert!(msg.contains("needs env permission"), "{msg}");
    assert!(msg.contains("--allow-env"), "{msg}");
    let only_path = Permissions {
        env: Grant::Only(vec!["PATH".into()]),
        ..none()
    };
    ok_store(
        &exec_script("env(x)"),
        json!({"arg": "PATH"}),
        only_path.clone(),
    )
    .await;
    let msg = err_message(&exec_script("env(x)"), json!({"arg": "HOME"}), only_path).await;
    assert!(msg.contains("--allow-env=HOME"), "{msg}");
}

#[tokio::test]
async fn env_of_a_non_string_is_a_clear_error() {
    let all = Permissions::all();
    let msg = err_message(&exec_script("env(x)"), json!({"arg": [1]}), all).await;
    assert!(
        msg.contains("env() takes a variable name as a string"),
        "{msg}"
    );
}

#[tokio::test]
async fn emit_sends_emitted_events_in_order_within_the_node() {
    let src = r#"
        let a = node("a", #{ exec: |x| { emit(#{type: "progress", n: 1}); emit(#{type: "progress", n: 2}); } });
        let b = node("b", #{ prep: |shared| emit(#{type: "chunk", text: "hi", nested: [1, #{k: ()}]}) });
        a >> b;
        flow("main", a)
    "#;
    let (outcome, events) = run_as(src, json!({}), none()).await;
    outcome.result.expect("run succeeds");
    assert_eq!(
        emitted(&events),
        vec![
            json!({"type": "progress", "n": 1}),
            json!({"type": "progress", "n": 2}),
            json!({"type": "chunk", "text": "hi", "nested": [1, {"k": null}]}),
        ]
    );
    // Each emitted event lies inside its node's visit, and seq keeps increasing.
    let trace: Vec<String> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::NodeStarted { path, .. } => Some(format!("start {path}")),
            EventKind::NodeFinished { path, .. } => Some(format!("end {path}")),
            EventKind::Emitted { data } => Some(format!("emit {}", data["type"])),
            _ => None,
        })
        .collect();
    assert_eq!(
        trace,
        [
            "start main",
            "start main/a",
            "emit \"progress\"",
            "emit \"progress\"",
            "end main/a",
            "start main/b",
            "emit \"chunk\"",
            "end main/b",
            "end main"
        ]
    );
    assert!(events.windows(2).all(|w| w[0].seq < w[1].seq));
}

#[tokio::test]
async fn emit_of_a_non_map_is_a_clear_error() {
    let msg = err_message(&exec_script("emit(x)"), json!({"arg": "text"}), none()).await;
    assert!(msg.contains("emit() takes a map"), "{msg}");
    assert!(msg.contains("found string \"text\""), "{msg}");
}

#[tokio::test]
async fn log_writes_and_emits_a_log_event() {
    let src = exec_script(r#"{ log("hello"); log(#{k: [1, 2]}); log(42); log(1.5) }"#);
    let (outcome, events) = run_as(&src, json!({}), none()).await;
    outcome.result.expect("run succeeds");
    assert_eq!(
        emitted(&events),
        vec![
            json!({"type": "log", "message": "hello"}),
            json!({"type": "log", "message": "{\"k\":[1,2]}"}),
            json!({"type": "log", "message": "42"}),
            json!({"type": "log", "message": "1.5"}),
        ]
    );
}

#[test]
fn emit_log_and_env_at_the_top_level_are_effects() {
    for call in [r#"emit(#{type: "x"})"#, r#"log("x")"#, r#"env("HOME")"#] {
        let src = format!("let a = node(\"a\");\n{call};\nflow(\"main\", a)");
        let (codes, loaded) = load_codes(&src);
        assert!(!loaded, "{call} should not load");
        assert_eq!(codes, ["effect-at-top-level"], "{call}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn big_json_is_parsed_off_the_worker_with_the_same_results_and_errors() {
    // Over the 256 KiB offload threshold: parsed on the blocking pool.
    let items: Vec<i64> = (0..60_000).collect();
    let text = serde_json::to_string(&json!({"items": items})).unwrap();
    assert!(text.len() > 256 * 1024);
    let store = ok_store(
        &exec_script("{ let v = json::parse(x); let s = 0; for i in v.items { s += i } s }"),
        json!({"arg": text}),
        none(),
    )
    .await;
    assert_eq!(store["out"], json!(1_799_970_000_i64));
    let broken = format!("{}\n  oops", &text[..text.len() - 1]);
    let msg = err_message(
        &exec_script("json::parse(x)"),
        json!({"arg": broken}),
        none(),
    )
    .await;
    assert!(
        msg.contains("json::parse: invalid JSON at line 2, column 3"),
        "{msg}"
    );
}

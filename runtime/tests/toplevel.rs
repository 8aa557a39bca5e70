//! (docs/language.md) loading: the script's last expression is the entry, record mode performs no
//! effects, syntax and top-level errors are diagnostics with positions, and record mode is
//! bounded so a hostile top level cannot hang the loader.

mod support;

use std::time::{Duration, Instant};

use flowscript_runtime::RecordLimits;
use flowscript_runtime::{Runtime, Severity};
use serde_json::json;
use support::*;

#[test]
fn syntax_error_is_a_diagnostic_with_line_and_column() {
    let src = "let a = node(\"a\");\nlet b = node(\"b\" #{});\na";
    let loaded = Runtime::new().load("bad.flow.rhai", src);
    assert!(loaded.program.is_none());
    assert!(loaded.graph.is_none());
    assert_eq!(loaded.diagnostics.len(), 1, "{:?}", loaded.diagnostics);
    let d = &loaded.diagnostics[0];
    assert_eq!(d.code, "syntax");
    assert_eq!(d.severity, Severity::Error);
    assert_eq!(&*d.span.file, "bad.flow.rhai");
    assert_eq!(d.span.line, 2);
    assert!(d.span.column >= 17, "{:?}", d.span);
}

#[test]
fn unclosed_block_is_a_syntax_error() {
    let d = load_error(
        "let a = node(\"a\", #{\n  exec: |x| { x + 1\n});\na",
        "syntax",
    );
    assert!(d.span.line >= 2, "{:?}", d.span);
}

#[test]
fn effect_at_top_level_is_diagnosed_and_not_performed() {
    let t0 = Instant::now();
    let d = load_error(
        "let a = node(\"a\");\nsleep(30);\nflow(\"main\", a)",
        "effect-at-top-level",
    );
    assert!(
        t0.elapsed() < Duration::from_secs(5),
        "the sleep was performed"
    );
    assert_eq!(d.span.line, 2);
    assert!(d.span.column > 0);
    assert!(d.message.contains("sleep"), "{}", d.message);
}

#[test]
fn effect_in_a_function_called_at_top_level_is_diagnosed() {
    let d = load_error(
        "fn pause() { sleep(10); }\nlet a = node(\"a\");\npause();\na",
        "effect-at-top-level",
    );
    assert_eq!(d.span.line, 1);
}

#[test]
fn effects_inside_hooks_are_fine_at_load() {
    let loaded = load("let a = node(\"a\", #{ exec: |x| sleep(100) });\na");
    assert!(loaded.diagnostics.is_empty());
}

#[test]
fn hooks_do_not_run_while_loading() {
    let loaded = load(
        r#"
        let a = node("a", #{ prep: |shared| throw "prep ran", exec: |x| throw "exec ran" });
        flow("main", a)
    "#,
    );
    assert!(loaded.diagnostics.is_empty());
}

#[test]
fn top_level_infinite_loop_is_stopped_by_the_operation_limit() {
    let rt = Runtime::with_limits(RecordLimits {
        max_operations: 100_000,
        deadline: Duration::from_secs(30),
    });
    let t0 = Instant::now();
    let loaded = rt.load(
        "loop.flow.rhai",
        "let a = node(\"a\");\nlet i = 0;\nloop { i += 1; }\na",
    );
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(loaded.program.is_none());
    let d = &loaded.diagnostics[0];
    assert_eq!(d.severity, Severity::Error);
    assert!(d.message.contains("operations"), "{}", d.message);
    assert!(d.message.contains("hooks"), "{}", d.message);
    assert_eq!(d.span.line, 3);
}

#[test]
fn top_level_infinite_loop_is_stopped_by_the_deadline() {
    let rt = Runtime::with_limits(RecordLimits {
        max_operations: u64::MAX,
        deadline: Duration::from_millis(100),
    });
    let t0 = Instant::now();
    let loaded = rt.load("loop.flow.rhai", "let a = node(\"a\");\nloop { }\na");
    assert!(t0.elapsed() < Duration::from_secs(5));
    assert!(loaded.program.is_none());
    let d = &loaded.diagnostics[0];
    assert!(d.message.contains("longer than"), "{}", d.message);
    assert_eq!(d.span.line, 2);
}

#[test]
fn top_level_infinite_loop_with_default_limits_does_not_hang() {
    let t0 = Instant::now();
    let loaded = Runtime::new().load("loop.flow.rhai", "let n = 0;\nwhile true { n += 1; }\n");
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    assert!(loaded.program.is_none());
    assert!(loaded.has_errors());
    assert!(
        loaded.diagnostics[0].message.contains("building the graph"),
        "{}",
        loaded.diagnostics[0].message
    );
}

#[test]
fn thrown_error_at_top_level_is_a_diagnostic_with_position() {
    let d = load_error(
        "let a = node(\"a\");\n\n    throw \"bad config\";\na",
        "script-error",
    );
    assert_eq!(d.message, "bad config");
    assert_eq!(d.span.line, 3);
    assert_eq!(d.span.column, 5);
}

#[test]
fn runtime_error_at_top_level_is_a_diagnostic_with_position() {
    let d = load_error(
        "let a = node(\"a\");\nlet x = undefined_thing + 1;\na",
        "script-error",
    );
    assert!(d.message.contains("undefined_thing"), "{}", d.message);
    assert_eq!(d.span.line, 2);
}

#[test]
fn constructor_misuse_is_a_diagnostic() {
    let d = load_error("let a = node(5);\na", "script-error");
    assert!(d.message.contains("name"), "{}", d.message);
    let d = load_error("let f = flow(\"f\", 3);\nf", "script-error");
    assert!(d.message.contains("start"), "{}", d.message);
    let d = load_error("let a = node(\"a\", 3);\na", "script-error");
    assert!(d.message.contains("option map"), "{}", d.message);
}

#[test]
fn script_without_an_entry_is_an_error() {
    let d = load_error(
        "let a = node(\"a\");\nlet f = flow(\"main\", a);",
        "no-entry",
    );
    assert!(
        d.help
            .unwrap_or_default()
            .contains("last statement its entry")
    );
    let d = load_error("let a = node(\"a\");\n42", "no-entry");
    assert!(d.message.contains("42"), "{}", d.message);
}

#[tokio::test]
async fn a_trailing_semicolon_keeps_the_last_value_as_the_entry() {
    // Rhai keeps the last statement's value even after `;`, so this still names the entry.
    let s = shared(
        "let a = node(\"a\", #{ post: |shared, p, e| { shared.ok = true; } });\nflow(\"main\", a);",
    )
    .await;
    assert_eq!(s, json!({"ok": true}));
}

#[test]
fn helper_functions_can_build_nodes() {
    let loaded = load(
        r#"
        fn step(name, add) {
            node(name, #{ exec: |x| x + add, post: |shared, p, e| { shared[name] = e; } })
        }
        let a = step("a", 1);
        let b = step("b", 2);
        a >> b;
        flow("main", a)
    "#,
    );
    let g = loaded.graph.expect("graph");
    let names: Vec<&str> = g.nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b", "main"]);
}

#[tokio::test]
async fn nodes_built_by_helpers_run_with_their_captures() {
    let s = shared(
        r#"
        fn step(name, add) {
            node(name, #{ prep: |shared| 10, exec: |x| x + add, post: |shared, p, e| { shared[name] = e; } })
        }
        let a = step("a", 1);
        let b = step("b", 2);
        a >> b;
        flow("main", a)
    "#,
    )
    .await;
    assert_eq!(s, json!({"a": 11, "b": 12}));
}

#[tokio::test]
async fn warnings_do_not_block_the_program_and_it_runs_repeatedly() {
    let loaded = load(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.n = if shared.n == () { 1 } else { shared.n + 1 }; } });
        let b = node("b");
        a >> b;
        a >> end;
        a
    "#,
    );
    assert_eq!(codes(&loaded.diagnostics), vec!["overwritten-edge"]);
    let program = loaded.program.expect("program");
    for _ in 0..3 {
        // Every run starts from its own input: runs do not share a store.
        let outcome = program.run(Default::default()).await;
        assert_eq!(outcome.shared, json!({"n": 1}));
    }
}

#[tokio::test]
async fn runaway_recursion_in_a_hook_fails_the_run_cleanly() {
    let err = failure(
        r#"
        fn deep(n) { deep(n + 1) }
        let a = node("a", #{ exec: |x| deep(0) });
        a
    "#,
    )
    .await;
    assert!(
        err.message.to_lowercase().contains("stack") || err.message.contains("call"),
        "{}",
        err.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_keyword_is_an_identifier_everywhere() {
    let s = shared(
        r#"
        fn helper(shared) { shared.from_fn = true; }
        let a = node("a", #{ post: |shared, p, e| { helper(shared); let shared2 = shared; shared2.copy = 1; } });
        a
    "#,
    )
    .await;
    assert_eq!(s, json!({"from_fn": true, "copy": 1}));
}

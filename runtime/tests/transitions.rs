//! (docs/language.md) transitions: `>>`, `a - "x" >> b`, chains, `.then`, `.on`, `end`, non-string
//! labels, invalid targets and overwritten edges.

mod support;

use flowscript_runtime::{EventKind, Severity};
use serde_json::json;
use support::*;

const NODES: &str = r#"
let a = node("a", #{ post: |shared, p, e| { shared.push("seen", "a"); shared.act_a ?? () } });
let b = node("b", #{ post: |shared, p, e| { shared.push("seen", "b"); shared.act_b ?? () } });
let c = node("c", #{ post: |shared, p, e| { shared.push("seen", "c"); shared.act_c ?? () } });
"#;

/// The wiring is on line 5 of the script.
fn script(wiring: &str) -> String {
    format!("{}\n{wiring}\nflow(\"main\", a)", NODES.trim_end())
}

#[tokio::test]
async fn shift_is_the_default_edge_and_returns_its_target() {
    let src = script("let r = a >> b; r >> c;");
    assert_eq!(
        edges(&load(&src)),
        vec![edge("a", "default", "b"), edge("b", "default", "c")]
    );
    assert_eq!(shared(&src).await["seen"], json!(["a", "b", "c"]));
}

#[tokio::test]
async fn default_chain() {
    let src = script("a >> b >> c;");
    assert_eq!(
        edges(&load(&src)),
        vec![edge("a", "default", "b"), edge("b", "default", "c")]
    );
}

#[tokio::test]
async fn labelled_edge() {
    let src = script(r#"a - "x" >> b;"#);
    assert_eq!(edges(&load(&src)), vec![edge("a", "x", "b")]);
    let (outcome, _) = run_with(&src, json!({"act_a": "x"})).await;
    assert_eq!(outcome.shared["seen"], json!(["a", "b"]));
}

#[tokio::test]
async fn labelled_chain_wires_the_label_first_then_defaults() {
    // a - "x" >> b >> c  is  a –x→ b, b → c
    let src = script(r#"a - "x" >> b >> c;"#);
    let mut got = edges(&load(&src));
    got.sort();
    assert_eq!(got, vec![edge("a", "x", "b"), edge("b", "default", "c")]);
    let (outcome, _) = run_with(&src, json!({"act_a": "x"})).await;
    assert_eq!(outcome.shared["seen"], json!(["a", "b", "c"]));
}

#[tokio::test]
async fn labelled_chain_returns_its_last_target() {
    let src = script(r#"let t = a - "x" >> b >> c; t >> a;"#);
    let mut got = edges(&load(&src));
    got.sort();
    assert_eq!(
        got,
        vec![
            edge("a", "x", "b"),
            edge("b", "default", "c"),
            edge("c", "default", "a")
        ]
    );
}

#[tokio::test]
async fn default_then_labelled_chain() {
    // a >> b - "x" >> c  is  a → b, b –x→ c
    let src = script(r#"a >> b - "x" >> c;"#);
    let mut got = edges(&load(&src));
    got.sort();
    assert_eq!(got, vec![edge("a", "default", "b"), edge("b", "x", "c")]);
    let (outcome, _) = run_with(&src, json!({"act_b": "x"})).await;
    assert_eq!(outcome.shared["seen"], json!(["a", "b", "c"]));
}

#[tokio::test]
async fn then_and_on_return_their_target() {
    let src = script(r#"a.then(b).on("x", c).then(a);"#);
    assert_eq!(
        edges(&load(&src)),
        vec![
            edge("a", "default", "b"),
            edge("b", "x", "c"),
            edge("c", "default", "a")
        ]
    );
    let (outcome, _) = run_with(&src, json!({"act_b": "x", "act_c": "stop"})).await;
    assert_eq!(outcome.shared["seen"], json!(["a", "b", "c"]));
    assert_eq!(outcome.result, Ok("stop".to_string()));
}

#[tokio::test]
async fn end_as_a_target_of_every_form() {
    let src = script(r#"a - "x" >> end; a.on("y", end); b.then(end); c >> end;"#);
    assert_eq!(
        edges(&load(&src)),
        vec![
            edge("a", "x", "end"),
            edge("a", "y", "end"),
            edge("b", "default", "end"),
            edge("c", "default", "end")
        ]
    );
    let (outcome, events) = run_with(&src, json!({"act_a": "y"})).await;
    assert_eq!(outcome.result, Ok("y".to_string()));
    assert_eq!(outcome.shared["seen"], json!(["a"]));
    // b and c end in `end` but nothing leads to them.
    assert_eq!(warning_codes(&events), vec!["unreachable-node"; 2]);
}

#[tokio::test]
async fn labelled_chain_ending_in_end() {
    let src = script(r#"a - "x" >> b >> end;"#);
    let mut got = edges(&load(&src));
    got.sort();
    assert_eq!(got, vec![edge("a", "x", "b"), edge("b", "default", "end")]);
}

#[test]
fn non_string_label_is_an_error_with_a_span() {
    let src = script("a - 3 >> b;");
    let d = load_error(&src, "invalid-label");
    assert_eq!(d.span.line, 5, "{d:?}");
    assert!(d.span.column > 0);
    assert!(d.message.contains("string"), "{}", d.message);
}

#[test]
fn non_string_label_in_on_is_an_error() {
    let d = load_error(&script("a.on(7, b);"), "invalid-label");
    assert_eq!(d.span.line, 5);
}

#[test]
fn unit_label_is_an_error() {
    load_error(&script("a - () >> b;"), "invalid-label");
}

#[test]
fn transition_to_a_non_node_is_an_invalid_target() {
    for wiring in [
        "a >> 5;",
        r#"a >> "b";"#,
        r#"a - "x" >> 5;"#,
        "a.then(#{});",
        r#"a.on("x", "b");"#,
    ] {
        let d = load_error(&script(wiring), "invalid-target");
        assert_eq!(d.span.line, 5, "{wiring}: {d:?}");
    }
}

#[test]
fn minus_without_a_label_is_an_invalid_target() {
    load_error(&script("a - b;"), "invalid-target");
}

#[tokio::test]
async fn overwritten_edge_is_a_warning_and_the_later_edge_wins() {
    let src = script("a >> b;\na >> c;");
    let loaded = load(&src);
    let d: Vec<_> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.code == "overwritten-edge")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", loaded.diagnostics);
    assert_eq!(d[0].severity, Severity::Warning);
    assert_eq!(d[0].span.line, 6, "the second edge's line");
    assert!(d[0].message.contains("'a'"), "{}", d[0].message);
    assert!(d[0].message.contains("'b'") && d[0].message.contains("'c'"));
    assert_eq!(edges(&loaded), vec![edge("a", "default", "c")]);
    assert_eq!(shared(&src).await["seen"], json!(["a", "c"]));
}

#[tokio::test]
async fn overwritten_labelled_edge_through_different_forms() {
    let src = script(r#"a - "x" >> b; a.on("x", c);"#);
    let loaded = load(&src);
    assert_eq!(only(&loaded.diagnostics, "overwritten-edge").len(), 1);
    assert_eq!(edges(&loaded), vec![edge("a", "x", "c")]);
    // `""` and `"default"` are the same edge as `>>`.
    let src = script(r#"a >> b; a - "" >> c;"#);
    assert_eq!(only(&load(&src).diagnostics, "overwritten-edge").len(), 1);
}

#[tokio::test]
async fn overwritten_edge_warning_events_come_before_run_started() {
    let src = script("a >> b;\na >> c;\nb >> a;\nb >> c;");
    let (outcome, events) = run(&src).await;
    assert!(outcome.result.is_ok());
    let t = types(&events);
    let before = t.iter().position(|t| t == "run_started").unwrap();
    assert!(t[..before].iter().all(|t| t == "warning"), "{t:?}");
    let codes = warning_codes(&events);
    let overwritten: Vec<_> = codes.iter().filter(|c| *c == "overwritten-edge").collect();
    assert_eq!(overwritten.len(), 2, "{codes:?}");
    let first = events
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Warning { code, .. } if code == "overwritten-edge"));
    match first.map(|e| &e.kind) {
        Some(EventKind::Warning { span, path, .. }) => {
            assert_eq!(span.as_ref().map(|s| s.line), Some(6));
            assert_eq!(path, &None);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn transitions_inside_a_hook_fail_the_run() {
    let err = failure(
        r#"
        let a = node("a", #{ exec: |x| { let n = node("n"); n } });
        flow("main", a)
    "#,
    )
    .await;
    assert!(err.message.contains("top level"), "{}", err.message);
}

#[test]
fn end_has_no_successors() {
    let d = load_error(&script("end >> a;"), "script-error");
    assert!(d.message.contains("end"), "{}", d.message);
    assert_eq!(d.span.line, 5);
}

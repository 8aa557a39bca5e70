//! (docs/language.md) routing: post's value is the action; `()`, `""` and `"default"` take the default
//! edge; an unmatched action ends the flow (warning only when the node has other edges); `end`
//! ends quietly; cycles and `max_steps`.

mod support;

use serde_json::json;
use support::*;

/// A node `name` whose post records its visit and returns `action` (Rhai source).
fn visit(name: &str, action: &str) -> String {
    format!(
        r#"let {name} = node("{name}", #{{ post: |shared, p, e| {{ shared.push("seen", "{name}"); {action} }} }});"#
    )
}

#[tokio::test]
async fn unit_empty_and_default_all_take_the_default_edge() {
    let src = format!(
        "{}\n{}\n{}\n{}\na >> b >> c >> d;\nflow(\"main\", a)",
        visit("a", "()"),
        visit("b", r#""""#),
        visit("c", r#""default""#),
        visit("d", "()"),
    );
    let (outcome, events) = run(&src).await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(outcome.shared["seen"], json!(["a", "b", "c", "d"]));
    assert!(warning_codes(&events).is_empty());
}

#[tokio::test]
async fn a_post_without_a_value_is_the_default_action() {
    // `{ shared.x = 1; }` ends with a statement: its value is ().
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.x = 1; } });
        let b = node("b", #{ post: |shared, p, e| { shared.y = 2; } });
        a >> b;
        flow("main", a)
    "#,
    )
    .await;
    assert_eq!(s, json!({"x": 1, "y": 2}));
}

#[tokio::test]
async fn named_action_takes_its_labelled_edge_not_the_default() {
    let src = format!(
        "{}\n{}\n{}\na - \"left\" >> l;\na >> r;\nflow(\"main\", a)",
        visit("a", r#""left""#),
        visit("l", "()"),
        visit("r", "()"),
    );
    let (outcome, events) = run(&src).await;
    assert_eq!(outcome.shared["seen"], json!(["a", "l"]));
    assert_eq!(started(&events), vec!["main", "main/a", "main/l"]);
}

#[tokio::test]
async fn default_edge_declared_with_a_label_string_is_the_same_edge() {
    // `a - "default" >> b` is the default edge; `()` from post follows it.
    let src = format!(
        "{}\n{}\na - \"default\" >> b;\nflow(\"main\", a)",
        visit("a", "()"),
        visit("b", "()"),
    );
    let loaded = load(&src);
    assert_eq!(edges(&loaded), vec![edge("a", "default", "b")]);
    assert_eq!(shared(&src).await["seen"], json!(["a", "b"]));
}

#[tokio::test]
async fn unmatched_action_ends_the_flow_with_a_warning_naming_node_and_edges() {
    let src = format!(
        "{}\n{}\n{}\na - \"yes\" >> b;\na >> c;\nflow(\"main\", a)",
        visit("a", r#""maybe""#),
        visit("b", "()"),
        visit("c", "()"),
    );
    let (outcome, events) = run(&src).await;
    // The flow ends successfully with the unmatched action as its last action; no fall-back to
    // the default edge.
    assert_eq!(outcome.result, Ok("maybe".to_string()));
    assert_eq!(outcome.shared["seen"], json!(["a"]));
    let w = run_warnings(&events);
    assert_eq!(w.len(), 1, "{w:?}");
    let (code, message, path) = &w[0];
    assert_eq!(code, "unmatched-action");
    assert!(message.contains("'a'"), "{message}");
    assert!(message.contains("maybe"), "{message}");
    assert!(message.contains("\"yes\""), "{message}");
    assert!(message.contains("\"default\""), "{message}");
    assert_eq!(path.as_deref(), Some("main/a"));
}

#[tokio::test]
async fn default_action_without_default_edge_warns_when_other_edges_exist() {
    let src = format!(
        "{}\n{}\na - \"yes\" >> b;\nflow(\"main\", a)",
        visit("a", "()"),
        visit("b", "()"),
    );
    let (outcome, events) = run(&src).await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(outcome.shared["seen"], json!(["a"]));
    assert_eq!(run_warning_codes(&events), vec!["unmatched-action"]);
}

#[tokio::test]
async fn unmatched_action_on_a_node_without_edges_ends_quietly() {
    let src = format!(
        "{}\n{}\na >> b;\nflow(\"main\", a)",
        visit("a", "()"),
        visit("b", r#""whatever""#),
    );
    let (outcome, events) = run(&src).await;
    assert_eq!(outcome.result, Ok("whatever".to_string()));
    assert_eq!(outcome.shared["seen"], json!(["a", "b"]));
    assert!(warning_codes(&events).is_empty());
}

#[tokio::test]
async fn edge_to_end_ends_quietly() {
    let src = format!(
        "{}\n{}\na - \"stop\" >> end;\na >> b;\nflow(\"main\", a)",
        visit("a", r#""stop""#),
        visit("b", "()"),
    );
    let (outcome, events) = run(&src).await;
    assert_eq!(outcome.result, Ok("stop".to_string()));
    assert_eq!(outcome.shared["seen"], json!(["a"]));
    assert!(run_warning_codes(&events).is_empty());
}

#[tokio::test]
async fn default_edge_to_end_ends_quietly() {
    let src = format!("{}\na >> end;\nflow(\"main\", a)", visit("a", "()"));
    let (outcome, events) = run(&src).await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert!(warning_codes(&events).is_empty());
}

#[tokio::test]
async fn cycles_are_followed_until_an_exit() {
    let s = shared(
        r#"
        let step = node("step", #{
            post: |shared, p, e| {
                shared.n = if shared.n == () { 1 } else { shared.n + 1 };
                if shared.n < 4 { "again" } else { "done" }
            },
        });
        let fin = node("fin", #{ post: |shared, p, e| { shared.fin = shared.n; } });
        step - "again" >> step;
        step - "done" >> fin;
        flow("main", step)
    "#,
    )
    .await;
    assert_eq!(s, json!({"n": 4, "fin": 4}));
}

#[tokio::test]
async fn two_node_cycle_alternates() {
    let s = shared(
        r#"
        let ping = node("ping", #{ post: |shared, p, e| { shared.push("log", "ping"); } });
        let pong = node("pong", #{
            post: |shared, p, e| { shared.push("log", "pong"); if shared.log.len() < 6 { "back" } else { "stop" } },
        });
        ping >> pong;
        pong - "back" >> ping;
        pong - "stop" >> end;
        flow("main", ping)
    "#,
    )
    .await;
    assert_eq!(
        s["log"],
        json!(["ping", "pong", "ping", "pong", "ping", "pong"])
    );
}

#[tokio::test]
async fn max_steps_fails_the_run_naming_the_node() {
    let (outcome, events) = run(r#"
        let spin = node("spin", #{ post: |shared, p, e| { shared.push("v", 1); } });
        spin >> spin;
        flow("looping", spin, #{ max_steps: 5 })
    "#)
    .await;
    let err = outcome.result.expect_err("must fail");
    assert!(!err.cancelled);
    assert!(err.message.contains("max_steps"), "{}", err.message);
    assert!(err.message.contains("'spin'"), "{}", err.message);
    assert_eq!(err.path.as_deref(), Some("looping/spin"));
    // Exactly max_steps visits happened before the run failed.
    assert_eq!(outcome.shared["v"], json!([1, 1, 1, 1, 1]));
    assert_eq!(
        types(&events).last().map(String::as_str),
        Some("run_failed")
    );
}

#[tokio::test]
async fn max_steps_allows_exactly_that_many_visits() {
    let (outcome, _) = run(r#"
        let spin = node("spin", #{
            post: |shared, p, e| { shared.push("v", 1); if shared.v.len() == 3 { "stop" } },
        });
        spin >> spin;
        spin - "stop" >> end;
        flow("main", spin, #{ max_steps: 3 })
    "#)
    .await;
    assert_eq!(outcome.result, Ok("stop".to_string()));
    assert_eq!(outcome.shared["v"], json!([1, 1, 1]));
}

#[tokio::test]
async fn max_steps_of_a_nested_flow_names_the_inner_node() {
    let err = failure(
        r#"
        let spin = node("spin");
        spin >> spin;
        let inner = flow("inner", spin, #{ max_steps: 2 });
        flow("outer", inner)
    "#,
    )
    .await;
    assert_eq!(err.path.as_deref(), Some("outer/inner/spin"));
    assert!(err.message.contains("'spin'"), "{}", err.message);
}

#[tokio::test]
async fn non_string_action_fails_the_run_naming_the_node() {
    let err = failure(
        r#"
        let a = node("weird", #{ post: |shared, p, e| 42 });
        flow("main", a)
    "#,
    )
    .await;
    assert!(err.message.contains("'weird'"), "{}", err.message);
    assert_eq!(err.path.as_deref(), Some("main/weird"));
}

#[tokio::test]
async fn run_result_is_the_entry_flows_last_action() {
    let (outcome, events) = run(r#"
        let a = node("a", #{ post: |shared, p, e| "next" });
        let b = node("b", #{ post: |shared, p, e| "finished" });
        a - "next" >> b;
        flow("main", a)
    "#)
    .await;
    assert_eq!(outcome.result, Ok("finished".to_string()));
    match &events.last().expect("events").kind {
        flowscript_runtime::EventKind::RunFinished { action, shared } => {
            assert_eq!(action, "finished");
            assert_eq!(shared, &json!({}));
        }
        other => panic!("last event {other:?}"),
    }
}

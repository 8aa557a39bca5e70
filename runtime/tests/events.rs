//! (docs/events.md) events: increasing `seq`, build warnings before `run_started`, node and item
//! events with breadcrumbs, and the final `run_finished` / `run_failed`.

mod support;

use flowscript_runtime::EventKind;
use flowscript_runtime::graph::NodeKind;
use serde_json::json;
use support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seq_starts_at_one_and_increases_by_one() {
    let (_, events) = run(r#"
        let a = node("a");
        let b = node("b");
        a >> b;
        a >> end;
        let p = parallel("p", #{ retries: 2, prep: |shared| [1, 2, 3, 4, 5, 6, 7, 8], exec: |x| { sleep(0.001 * x); if x == 3 { throw "once" } x }, fallback: |x, e| 0 });
        let f = batch_flow("f", p, #{ prep: |shared| [#{}, #{}] });
        flow("main", f)
    "#)
    .await;
    assert!(events.len() > 20, "{}", events.len());
    let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
    let want: Vec<u64> = (1..=events.len() as u64).collect();
    assert_eq!(seqs, want);
}

#[tokio::test]
async fn a_simple_run_has_the_expected_event_sequence() {
    let (outcome, events) = run(r#"
        let a = node("a", #{ post: |shared, p, e| "go" });
        let b = node("b", #{ post: |shared, p, e| { shared.b = 1; } });
        a - "go" >> b;
        flow("main", a)
    "#)
    .await;
    assert!(outcome.result.is_ok());
    assert_eq!(
        types(&events),
        vec![
            "run_started",
            "node_started",
            "node_started",
            "node_finished",
            "node_started",
            "node_finished",
            "node_finished",
            "run_finished"
        ]
    );
    let finished: Vec<(String, String)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::NodeFinished { path, action, ms } => {
                assert!(*ms >= 0.0);
                Some((path.clone(), action.clone()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        finished,
        vec![
            ("main/a".to_string(), "go".to_string()),
            ("main/b".to_string(), "default".to_string()),
            ("main".to_string(), "default".to_string()),
        ]
    );
    match &events[1].kind {
        EventKind::NodeStarted {
            path,
            kind,
            attempt,
        } => {
            assert_eq!(path, "main");
            assert_eq!(*kind, NodeKind::Flow);
            assert_eq!(*attempt, 1);
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn build_warnings_come_first_with_their_spans() {
    let (_, events) =
        run("let a = node(\"a\");\nlet b = node(\"b\");\na >> b;\na >> end;\na").await;
    let started = types(&events)
        .iter()
        .position(|t| t == "run_started")
        .expect("run_started");
    assert!(
        events[..started]
            .iter()
            .all(|e| matches!(e.kind, EventKind::Warning { .. }))
    );
    let overwritten = events[..started]
        .iter()
        .find(|e| matches!(&e.kind, EventKind::Warning { code, .. } if code == "overwritten-edge"))
        .expect("overwritten-edge");
    match &overwritten.kind {
        EventKind::Warning {
            code,
            span,
            path,
            message,
            repeat,
        } => {
            assert!(!repeat);
            assert_eq!(code, "overwritten-edge");
            assert_eq!(span.as_ref().map(|s| s.line), Some(4));
            assert!(path.is_none());
            assert!(message.contains("end"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(started, 1, "{:?}", types(&events));
    assert_eq!(events[0].seq, 1);
}

#[tokio::test]
async fn run_warnings_carry_the_node_path() {
    let (_, events) = run(r#"
        let a = node("a", #{ post: |shared, p, e| "nope" });
        let b = node("b");
        a - "yes" >> b;
        let inner = flow("inner", a);
        flow("main", inner)
    "#)
    .await;
    let w = run_warnings(&events);
    assert_eq!(w.len(), 1);
    assert_eq!(w[0].2.as_deref(), Some("main/inner/a"));
}

#[tokio::test(start_paused = true)]
async fn item_and_retry_events_name_the_item() {
    let (_, events) = run(r#"
        let p = parallel("p", #{
            retries: 2, wait: 0.25,
            prep: |shared| [#{s: shared, i: 0}, #{s: shared, i: 1}],
            exec: |it| { if it.i == 1 && it.s.failed != true { it.s.failed = true; throw "flaky"; } it.i },
        });
        flow("main", p)
    "#)
    .await;
    assert_eq!(
        retries(&events),
        vec![("main/p[1]".to_string(), 2, "flaky".to_string(), 0.25)]
    );
    let mut items: Vec<(String, usize, usize)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ItemFinished { path, index, of } => Some((path.clone(), *index, *of)),
            _ => None,
        })
        .collect();
    items.sort();
    assert_eq!(
        items,
        vec![("main/p".to_string(), 0, 2), ("main/p".to_string(), 1, 2)]
    );
}

#[tokio::test]
async fn run_failed_is_last_and_carries_error_store_path_and_span() {
    let (outcome, events) =
        run("let a = node(\"a\", #{ post: |shared, p, e| { shared.k = 1; throw \"oops\"; } });\na")
            .await;
    let err = outcome.result.expect_err("fails");
    match &events.last().expect("event").kind {
        EventKind::RunFailed {
            error,
            shared,
            path,
            span,
        } => {
            assert_eq!(error, "oops");
            assert_eq!(shared, &json!({"k": 1}));
            assert_eq!(path.as_deref(), Some("main/a"));
            let span = span.as_ref().expect("span");
            assert_eq!(span.line, 1);
            assert!(span.column > 40, "{span:?}");
            assert_eq!(Some(span), err.span.as_ref());
        }
        other => panic!("{other:?}"),
    }
    // A failed node has no node_finished.
    assert!(!types(&events).iter().any(|t| t == "node_finished"));
}

#[tokio::test]
async fn events_serialise_with_a_type_tag_and_seq() {
    let (_, events) = run("let a = node(\"a\");\na").await;
    let first = serde_json::to_value(&events[0]).expect("json");
    assert_eq!(first["type"], json!("run_started"));
    assert_eq!(first["seq"], json!(1));
    assert_eq!(first["flow"], json!("main"));
    let last = serde_json::to_value(events.last().expect("event")).expect("json");
    assert_eq!(last["type"], json!("run_finished"));
    assert_eq!(last["action"], json!("default"));
    assert_eq!(last["shared"], json!({}));
}

#[tokio::test]
async fn a_run_without_a_sink_still_works() {
    let loaded = load(
        "let a = node(\"a\", #{ post: |shared, p, e| { shared.x = 1; \"odd\" } });\nlet b = node(\"b\");\na - \"x\" >> b;\na",
    );
    let outcome = loaded
        .program
        .expect("program")
        .run(Default::default())
        .await;
    assert_eq!(outcome.result, Ok("odd".to_string()));
    assert_eq!(outcome.shared, json!({"x": 1}));
}

fn finished_items(events: &[flowscript_runtime::Event]) -> Vec<usize> {
    item_events(events)
        .into_iter()
        .filter_map(|(t, i)| (t == "item_finished").then_some(i))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn item_finished_is_only_reported_for_items_with_a_result() {
    let src = r#"
        let p = parallel("p", #{ ON_ERROR
            prep: |shared| [0.1, 0.5, 1.0],
            exec: |d| { sleep(d); if d == 0.1 { throw "boom" } d },
        });
        flow("main", p)
    "#;
    // Failing batch: item 0 failed, items 1 and 2 were cancelled; none of them finished.
    let (outcome, events) = run(&src.replace("ON_ERROR", "")).await;
    assert_eq!(outcome.result.expect_err("fails").message, "boom");
    assert_eq!(finished_items(&events), Vec::<usize>::new());
    // Collecting: every item has a result (ok or error), in completion order.
    let (outcome, events) = run(&src.replace("ON_ERROR", "on_error: \"collect\",")).await;
    assert!(outcome.result.is_ok());
    assert_eq!(finished_items(&events), vec![0, 1, 2]);
}

/// The item events of `events` as `(type, index)`, in order.
fn item_events(events: &[flowscript_runtime::Event]) -> Vec<(&'static str, usize)> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ItemStarted { index, .. }
            | EventKind::ItemFailed { index, .. }
            | EventKind::ItemFinished { index, .. } => Some((e.kind.type_name(), *index)),
            _ => None,
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn every_item_starts_then_finishes_or_fails_and_cancelled_items_do_not_fail() {
    let src = r#"
        let p = parallel("p", #{ ON_ERROR
            concurrency: 2,
            prep: |shared| [0.1, 0.5, 1.0],
            exec: |d| { sleep(d); if d == 0.1 { throw "boom" } d },
        });
        flow("main", p)
    "#;
    // Failing fast: item 0 fails; item 1 (running) is cancelled and item 2 never starts.
    let (_, events) = run(&src.replace("ON_ERROR", "")).await;
    assert_eq!(
        item_events(&events),
        vec![("item_started", 0), ("item_started", 1), ("item_failed", 0)]
    );
    let failed = events.iter().find_map(|e| match &e.kind {
        EventKind::ItemFailed { error, of, .. } => Some((error.clone(), *of)),
        _ => None,
    });
    assert_eq!(failed, Some(("boom".to_string(), 3)));
    // Collecting: the failed item's error is its result, so it also finishes.
    let (_, events) = run(&src.replace("ON_ERROR", "on_error: \"collect\",")).await;
    assert_eq!(
        item_events(&events),
        vec![
            ("item_started", 0),
            ("item_started", 1),
            ("item_failed", 0),
            ("item_finished", 0),
            ("item_started", 2),
            ("item_finished", 1),
            ("item_finished", 2),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_batch_item_that_fails_ends_the_batch_and_a_fallback_is_no_failure() {
    let src = r#"
        let b = batch("b", #{ FALLBACK
            prep: |shared| [1, 2, 3],
            exec: |x| { if x == 2 { throw "two" } x },
        });
        flow("main", b)
    "#;
    let (_, events) = run(&src.replace("FALLBACK", "")).await;
    assert_eq!(
        item_events(&events),
        vec![
            ("item_started", 0),
            ("item_finished", 0),
            ("item_started", 1),
            ("item_failed", 1)
        ]
    );
    let (outcome, events) = run(&src.replace("FALLBACK", "fallback: |x, e| 0,")).await;
    assert!(outcome.result.is_ok());
    assert!(
        !item_events(&events)
            .iter()
            .any(|(t, _)| *t == "item_failed"),
        "{events:?}"
    );
}

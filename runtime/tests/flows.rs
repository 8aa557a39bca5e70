//! (docs/language.md) flows: a flow is a node; its action is its last inner action, or post's value
//! when it has a post (which gets the last action as exec_res); flow-level prep/post; batch and
//! parallel flows run one sub-run per param map; the script's entry.

mod support;

use flowscript_runtime::EventKind;
use serde_json::json;
use support::*;
use tokio::time::Instant;

#[tokio::test]
async fn flow_action_is_its_last_inner_action_and_the_parent_routes_on_it() {
    let (outcome, events) = run(r#"
        let a = node("a", #{ post: |shared, p, e| { shared.push("seen", "a"); "x" } });
        let inner = flow("inner", a);
        let on_x = node("on_x", #{ post: |shared, p, e| { shared.push("seen", "on_x"); } });
        let other = node("other", #{ post: |shared, p, e| { shared.push("seen", "other"); } });
        inner - "x" >> on_x;
        inner >> other;
        flow("main", inner)
    "#)
    .await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(outcome.shared["seen"], json!(["a", "on_x"]));
    assert_eq!(
        started(&events),
        vec!["main", "main/inner", "main/inner/a", "main/on_x"]
    );
    // The inner node's unmatched "x" is not warned about: it has no edges.
    assert!(warning_codes(&events).is_empty());
}

#[tokio::test]
async fn flow_ending_at_end_returns_that_action() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| "stop" });
        let b = node("b");
        a - "stop" >> end;
        a >> b;
        let inner = flow("inner", a);
        let after = node("after", #{ post: |shared, p, e| { shared.after = true; } });
        inner - "stop" >> after;
        flow("main", inner)
    "#,
    )
    .await;
    assert_eq!(s["after"], json!(true));
}

#[tokio::test]
async fn flow_post_value_is_the_action_and_gets_the_last_action() {
    let (outcome, _) = run(r#"
        let a = node("a", #{ post: |shared, p, e| "inner-last" });
        let inner = flow("inner", a, #{
            prep: |shared| "flow-prep",
            post: |shared, p, last| { shared.p = p; shared.last = last; "routed" },
        });
        let r = node("r", #{ post: |shared, p, e| { shared.r = true; "fin" } });
        let d = node("d", #{ post: |shared, p, e| { shared.d = true; } });
        inner - "routed" >> r;
        inner - "inner-last" >> d;
        flow("main", inner)
    "#)
    .await;
    assert_eq!(outcome.result, Ok("fin".to_string()));
    assert_eq!(
        outcome.shared,
        json!({"p": "flow-prep", "last": "inner-last", "r": true})
    );
}

#[tokio::test]
async fn flow_post_returning_unit_is_the_default_action() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| "x" });
        let inner = flow("inner", a, #{ post: |shared, p, last| { shared.last = last; } });
        let next = node("next", #{ post: |shared, p, e| { shared.next = true; } });
        inner >> next;
        flow("main", inner)
    "#,
    )
    .await;
    assert_eq!(s, json!({"last": "x", "next": true}));
}

#[tokio::test]
async fn flow_prep_runs_before_and_post_after_the_inner_nodes() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.push("log", "a"); } });
        let b = node("b", #{ post: |shared, p, e| { shared.push("log", "b"); } });
        a >> b;
        flow("main", a, #{
            prep: |shared| { shared.push("log", "prep"); },
            post: |shared, p, e| { shared.push("log", "post"); },
        })
    "#,
    )
    .await;
    assert_eq!(s["log"], json!(["prep", "a", "b", "post"]));
}

#[tokio::test]
async fn entry_flow_post_decides_the_run_result() {
    let (outcome, _) = run(r#"
        let a = node("a", #{ post: |shared, p, e| "x" });
        flow("main", a, #{ post: |shared, p, last| `${last}!` })
    "#)
    .await;
    assert_eq!(outcome.result, Ok("x!".to_string()));
}

#[tokio::test]
async fn flow_can_be_a_start_node_and_be_revisited() {
    let s = shared(
        r#"
        let tick = node("tick", #{ post: |shared, p, e| { shared.push("t", 1); } });
        let inner = flow("inner", tick);
        let check = node("check", #{ post: |shared, p, e| if shared.t.len() < 3 { "again" } });
        inner >> check;
        check - "again" >> inner;
        flow("main", inner)
    "#,
    )
    .await;
    assert_eq!(s["t"], json!([1, 1, 1]));
}

#[tokio::test]
async fn flows_nest_three_deep_and_paths_show_it() {
    let (outcome, events) = run(r#"
        let leaf = node("leaf", #{ post: |shared, p, e| { shared.leaf = true; "up" } });
        let f1 = flow("f1", leaf);
        let f2 = flow("f2", f1);
        let f3 = flow("f3", f2);
        f3
    "#)
    .await;
    assert_eq!(outcome.result, Ok("up".to_string()));
    assert_eq!(
        started(&events),
        vec!["f3", "f3/f2", "f3/f2/f1", "f3/f2/f1/leaf"]
    );
}

#[tokio::test]
async fn a_node_as_entry_is_the_start_of_an_implicit_flow() {
    let (outcome, events) = run(r#"
        let a = node("a", #{ post: |shared, p, e| { shared.push("seen", "a"); "go" } });
        let b = node("b", #{ post: |shared, p, e| { shared.push("seen", "b"); } });
        a - "go" >> b;
        a
    "#)
    .await;
    assert_eq!(outcome.shared["seen"], json!(["a", "b"]));
    match &events[0].kind {
        EventKind::RunStarted { flow, file } => {
            assert_eq!(flow, "main");
            assert_eq!(file, "test.flow.rhai");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(started(&events), vec!["main", "main/a", "main/b"]);
}

#[tokio::test]
async fn a_flow_as_entry_names_the_run() {
    let (_, events) = run(r#"let a = node("a"); flow("pipeline", a)"#).await;
    match &events[0].kind {
        EventKind::RunStarted { flow, .. } => assert_eq!(flow, "pipeline"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_entry_is_the_last_expression_not_the_last_flow_made() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.a = true; } });
        let b = node("b", #{ post: |shared, p, e| { shared.b = true; } });
        let fa = flow("fa", a);
        let fb = flow("fb", b);
        fa
    "#,
    )
    .await;
    assert_eq!(s, json!({"a": true}));
}

#[tokio::test(start_paused = true)]
async fn batch_flow_runs_one_sub_run_per_param_map_in_order() {
    let (outcome, events) = run(r#"
        let load = node("load", #{
            prep: |shared, params| params.i,
            exec: |i| { sleep(0.1 * (3 - i)); i },
            post: |shared, p, e, params| { shared.push("order", params.i); },
        });
        let save = node("save", #{ post: |shared, p, e, params| { shared.push("saved", params.i); } });
        load >> save;
        let each = batch_flow("each", load, #{
            prep: |shared| [#{i: 0}, #{i: 1}, #{i: 2}],
            post: |shared, p, e| { shared.p = p; shared.e = type_of(e); "all" },
        });
        flow("main", each)
    "#)
    .await;
    assert_eq!(outcome.result, Ok("all".to_string()));
    assert_eq!(outcome.shared["order"], json!([0, 1, 2]));
    assert_eq!(outcome.shared["saved"], json!([0, 1, 2]));
    assert_eq!(outcome.shared["p"], json!([{"i": 0}, {"i": 1}, {"i": 2}]));
    assert_eq!(outcome.shared["e"], json!("()"));
    let s = started(&events);
    assert!(s.contains(&"main/each[0]/load".to_string()), "{s:?}");
    assert!(s.contains(&"main/each[2]/save".to_string()), "{s:?}");
}

#[tokio::test]
async fn batch_flow_without_post_takes_the_default_edge() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| "inner-action" });
        let each = batch_flow("each", a, #{ prep: |shared| [#{}] });
        let next = node("next", #{ post: |shared, p, e| { shared.next = true; } });
        each >> next;
        flow("main", each)
    "#,
    )
    .await;
    assert_eq!(s, json!({"next": true}));
}

#[tokio::test(start_paused = true)]
async fn parallel_flow_runs_sub_runs_concurrently() {
    let t0 = Instant::now();
    let s = shared(
        r#"
        let work = node("work", #{
            prep: |shared, params| params.d,
            exec: |d| { sleep(d); d },
            post: |shared, p, e, params| { shared.push("done", params.d); },
        });
        let all = parallel_flow("all", work, #{
            prep: |shared| [#{d: 3}, #{d: 1}, #{d: 2}],
            post: |shared, p, e| { shared.e = type_of(e); },
        });
        flow("main", all)
    "#,
    )
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    assert!((3.0..3.5).contains(&elapsed), "{elapsed}");
    assert_eq!(s["done"], json!([1, 2, 3]));
    assert_eq!(s["e"], json!("()"));
}

#[tokio::test(start_paused = true)]
async fn failing_parallel_flow_sub_run_cancels_its_siblings() {
    let t0 = Instant::now();
    let (outcome, _) = run(r#"
        let step = node("step", #{
            prep: |shared, params| {
                if params.i == 0 { sleep(0.1); throw "sub-run 0 failed"; }
                sleep(5);
                shared.push("late", params.i);
            },
        });
        let after = node("after", #{ post: |shared, p, e| { shared.push("late", "after"); } });
        step >> after;
        let all = parallel_flow("all", step, #{
            prep: |shared| [#{i: 0}, #{i: 1}, #{i: 2}],
            post: |shared, p, e| { shared.post = true; },
        });
        flow("main", all)
    "#)
    .await;
    let err = outcome.result.expect_err("fails");
    assert_eq!(err.message, "sub-run 0 failed");
    assert_eq!(err.path.as_deref(), Some("main/all[0]/step"));
    assert!(!err.cancelled);
    assert_eq!(outcome.shared, json!({}));
    assert!(t0.elapsed().as_secs_f64() < 1.0);
}

#[tokio::test(start_paused = true)]
async fn parallel_flow_collect_reports_each_sub_run() {
    let s = shared(
        r#"
        let step = node("step", #{
            prep: |shared, params| if params.i == 1 { throw #{ i: 1 } },
            post: |shared, p, e, params| `done ${params.i}`,
        });
        let all = parallel_flow("all", step, #{
            on_error: "collect",
            prep: |shared| [#{i: 0}, #{i: 1}],
            post: |shared, p, e| { shared.e = e; },
        });
        flow("main", all)
    "#,
    )
    .await;
    assert_eq!(s["e"], json!([{"ok": "done 0"}, {"error": {"i": 1}}]));
}

#[tokio::test(start_paused = true)]
async fn parallel_flow_concurrency_is_respected() {
    let s = shared(
        r#"
        let step = node("step", #{
            prep: |shared| {
                let now = shared.update("cur", |c| if c == () { 1 } else { c + 1 });
                shared.update("max", |m| if m == () || m < now { now } else { m });
                sleep(0.1);
                shared.update("cur", |c| c - 1);
            },
        });
        let all = parallel_flow("all", step, #{
            concurrency: 2,
            prep: |shared| { let a = []; for i in 0..7 { a.push(#{i: i}) } a },
        });
        flow("main", all)
    "#,
    )
    .await;
    assert_eq!(s["max"], json!(2));
    assert_eq!(s["cur"], json!(0));
}

#[tokio::test]
async fn batch_flow_items_must_be_maps() {
    let err = failure(
        r#"
        let a = node("a");
        let each = batch_flow("each", a, #{ prep: |shared| [#{}, 3] });
        flow("main", each)
    "#,
    )
    .await;
    assert!(err.message.contains("param maps"), "{}", err.message);
    assert!(err.message.contains("item 1"), "{}", err.message);
}

#[tokio::test]
async fn failure_inside_a_nested_flow_fails_the_run_with_the_inner_path() {
    let (outcome, events) = run(r#"
        let a = node("a", #{ prep: |shared| { shared.before = 1; }, exec: |p| throw "deep" });
        let inner = flow("inner", a);
        flow("main", inner)
    "#)
    .await;
    let err = outcome.result.expect_err("fails");
    assert_eq!(err.message, "deep");
    assert_eq!(err.path.as_deref(), Some("main/inner/a"));
    let span = err.span.expect("span");
    assert_eq!(span.line, 2);
    match &events.last().expect("event").kind {
        EventKind::RunFailed {
            error,
            shared,
            path,
            span,
        } => {
            assert_eq!(error, "deep");
            assert_eq!(shared, &json!({"before": 1}));
            assert_eq!(path.as_deref(), Some("main/inner/a"));
            assert_eq!(span.as_ref().map(|s| s.line), Some(2));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn failing_sub_run_cancels_parallel_items_nested_in_siblings() {
    let t0 = Instant::now();
    let (outcome, sink) = run_keep_sink(r#"
        let inner = parallel("inner", #{
            prep: |shared, params| if params.i == 0 { [0] } else { [shared, shared, shared] },
            exec: |x| { if x == 0 { sleep(0.1); throw "first sub-run failed"; } sleep(5); x.push("late", 1); },
        });
        let all = parallel_flow("all", inner, #{ prep: |shared| [#{i: 0}, #{i: 1}, #{i: 2}] });
        flow("main", all)
    "#)
    .await;
    assert_eq!(
        outcome.result.expect_err("fails").message,
        "first sub-run failed"
    );
    assert!(t0.elapsed().as_secs_f64() < 1.0);
    assert_eq!(outcome.shared, json!({}));
    // Let any straggler run: nothing may happen after the run reported its end.
    let n = sink.events().len();
    tokio::time::sleep(std::time::Duration::from_secs(10)).await;
    let events = sink.events();
    assert_eq!(events.len(), n, "{:?}", types(&events[n..]));
    assert_eq!(
        types(&events).last().map(String::as_str),
        Some("run_failed")
    );
}

#[tokio::test]
async fn batch_flow_with_no_items_still_runs_post() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.ran = true; } });
        let each = batch_flow("each", a, #{ prep: |shared| (), post: |shared, p, e| { shared.p = type_of(p); shared.e = type_of(e); } });
        let all = parallel_flow("all", a, #{ prep: |shared| [], post: |shared, p, e| { shared.pp = p; } });
        each >> all;
        flow("main", each)
    "#,
    )
    .await;
    assert_eq!(s, json!({"p": "()", "e": "()", "pp": []}));
}

//! (docs/language.md) batches: `batch` runs exec once per item in order, `parallel` gathers items
//! (results in input order), prep `()` means no items, failing items cancel siblings or are
//! collected, and `concurrency` bounds the items in flight.

mod support;

use flowscript_runtime::EventKind;
use serde_json::json;
use support::*;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn batch_runs_exec_once_per_item_in_order() {
    let (outcome, events) = run(r#"
        let b = batch("b", #{
            prep: |shared| [#{s: shared, x: 3}, #{s: shared, x: 1}, #{s: shared, x: 2}],
            exec: |it| { sleep(0.1 * it.x); it.s.push("order", it.x); it.x * 10 },
            post: |shared, p, r| { shared.r = r; shared.prep_len = p.len(); "done" },
        });
        b
    "#)
    .await;
    assert_eq!(outcome.result, Ok("done".to_string()));
    assert_eq!(outcome.shared["order"], json!([3, 1, 2]));
    assert_eq!(outcome.shared["r"], json!([30, 10, 20]));
    assert_eq!(outcome.shared["prep_len"], json!(3));
    let items: Vec<(usize, usize)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::ItemFinished { path, index, of } => {
                assert_eq!(path, "main/b");
                Some((*index, *of))
            }
            _ => None,
        })
        .collect();
    assert_eq!(items, vec![(0, 3), (1, 3), (2, 3)]);
}

#[tokio::test(start_paused = true)]
async fn batch_items_are_sequential() {
    let t0 = Instant::now();
    shared(
        r#"
        let b = batch("b", #{ prep: |shared| [1, 1, 1], exec: |x| sleep(x) });
        b
    "#,
    )
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    assert!((3.0..3.5).contains(&elapsed), "{elapsed}");
}

#[tokio::test(start_paused = true)]
async fn parallel_items_overlap() {
    let t0 = Instant::now();
    shared(
        r#"
        let p = parallel("p", #{ prep: |shared| [1, 1, 1, 1], exec: |x| sleep(x) });
        p
    "#,
    )
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    assert!((1.0..1.5).contains(&elapsed), "{elapsed}");
}

#[tokio::test(start_paused = true)]
async fn parallel_results_in_input_order_whatever_the_completion_order() {
    let s = shared(
        r#"
        let p = parallel("p", #{
            prep: |shared| [#{s: shared, d: 3}, #{s: shared, d: 1}, #{s: shared, d: 4}, #{s: shared, d: 2}],
            exec: |it| { sleep(0.1 * it.d); it.s.push("done", it.d); `r${it.d}` },
            post: |shared, p, r| { shared.r = r; },
        });
        p
    "#,
    )
    .await;
    assert_eq!(s["done"], json!([1, 2, 3, 4]));
    assert_eq!(s["r"], json!(["r3", "r1", "r4", "r2"]));
}

#[tokio::test(start_paused = true)]
async fn post_gets_preps_own_value() {
    let s = shared(
        r#"
        let b = batch("b", #{
            prep: |shared| [1, 2],
            exec: |x| x + 1,
            post: |shared, p, r| { shared.p = p; shared.r = r; },
        });
        let q = parallel("q", #{
            prep: |shared| [5],
            exec: |x| x * 2,
            post: |shared, p, r| { shared.qp = p; shared.qr = r; },
        });
        b >> q;
        b
    "#,
    )
    .await;
    assert_eq!(s, json!({"p": [1, 2], "r": [2, 3], "qp": [5], "qr": [10]}));
}

#[tokio::test(start_paused = true)]
async fn prep_unit_means_no_items() {
    for ctor in ["batch", "parallel"] {
        let src = format!(
            r#"
            let b = {ctor}("b", #{{
                prep: |shared| (),
                exec: |x| {{ throw "never called"; }},
                post: |shared, p, r| {{ shared.p = type_of(p); shared.r = r; shared.t = type_of(r); "empty" }},
            }});
            b
        "#
        );
        let (outcome, events) = run(&src).await;
        assert_eq!(outcome.result, Ok("empty".to_string()), "{ctor}");
        assert_eq!(
            outcome.shared,
            json!({"p": "()", "r": [], "t": "array"}),
            "{ctor}"
        );
        assert!(
            !types(&events).iter().any(|t| t == "item_finished"),
            "{ctor}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn missing_prep_means_no_items() {
    let s = shared(
        r#"
        let b = parallel("b", #{ exec: |x| throw "never", post: |shared, p, r| { shared.r = r; } });
        b
    "#,
    )
    .await;
    assert_eq!(s["r"], json!([]));
}

#[tokio::test(start_paused = true)]
async fn empty_array_means_no_items() {
    let s = shared(
        r#"
        let b = batch("b", #{ prep: |shared| [], exec: |x| throw "never", post: |shared, p, r| { shared.r = r; shared.p = p; } });
        b
    "#,
    )
    .await;
    assert_eq!(s, json!({"r": [], "p": []}));
}

#[tokio::test(start_paused = true)]
async fn prep_that_is_not_an_array_fails_the_node() {
    for ctor in ["batch", "parallel", "batch_flow", "parallel_flow"] {
        let src = if ctor.ends_with("flow") {
            format!(
                r#"let a = node("a"); let b = {ctor}("b", a, #{{ prep: |shared| shared.n ?? 5 }}); flow("main", b)"#
            )
        } else {
            format!(r#"let b = {ctor}("b", #{{ prep: |shared| shared.n ?? 5 }}); flow("main", b)"#)
        };
        let err = failure(&src).await;
        assert!(err.message.contains("array"), "{ctor}: {}", err.message);
        assert!(err.message.contains("'b'"), "{ctor}: {}", err.message);
        assert_eq!(err.path.as_deref(), Some("main/b"), "{ctor}");
    }
}

#[tokio::test(start_paused = true)]
async fn failing_batch_item_without_fallback_fails_the_node() {
    let (outcome, _) = run(r#"
        let b = batch("b", #{
            prep: |shared| [#{s: shared, i: 0}, #{s: shared, i: 1}, #{s: shared, i: 2}],
            exec: |it| { if it.i == 1 { throw "item 1 broke" } it.s.push("ran", it.i); },
            post: |shared, p, r| { shared.post = true; },
        });
        b
    "#)
    .await;
    let err = outcome.result.expect_err("fails");
    assert_eq!(err.message, "item 1 broke");
    assert_eq!(err.path.as_deref(), Some("main/b[1]"));
    // Later items do not run, post does not run.
    assert_eq!(outcome.shared, json!({"ran": [0]}));
}

#[tokio::test(start_paused = true)]
async fn failing_parallel_item_cancels_its_siblings() {
    let t0 = Instant::now();
    let (outcome, _) = run(r#"
        let p = parallel("p", #{
            prep: |shared| [#{s: shared, i: 0}, #{s: shared, i: 1}, #{s: shared, i: 2}],
            exec: |it| {
                if it.i == 1 { sleep(0.1); throw "item 1 broke"; }
                sleep(5);
                it.s.push("late", it.i);
            },
            post: |shared, p, r| { shared.post = true; },
        });
        p
    "#)
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    let err = outcome.result.expect_err("fails");
    assert_eq!(err.message, "item 1 broke");
    assert_eq!(err.path.as_deref(), Some("main/p[1]"));
    assert!(!err.cancelled);
    assert_eq!(outcome.shared, json!({}));
    assert!(elapsed < 1.0, "siblings were waited for: {elapsed}");
}

#[tokio::test(start_paused = true)]
async fn cancelled_siblings_are_not_retried_nor_sent_to_fallback() {
    let (outcome, events) = run(r#"
        let p = parallel("p", #{
            retries: 3,
            prep: |shared| [#{s: shared, i: 0}, #{s: shared, i: 1}],
            exec: |it| {
                it.s.push("tries", it.i);
                if it.i == 0 { sleep(0.1); throw #{ fatal: true }; }
                sleep(5);
            },
            fallback: |it, err| { if it.i == 0 { throw err } it.s.fallback_for_1 = true; },
        });
        p
    "#)
    .await;
    let err = outcome.result.expect_err("fails");
    assert!(err.message.contains("fatal"), "{}", err.message);
    // Item 0: three attempts then fallback rethrows; item 1 was cancelled mid-sleep.
    let tries = outcome.shared["tries"].as_array().expect("tries").clone();
    assert_eq!(tries.iter().filter(|t| **t == json!(0)).count(), 3);
    assert_eq!(tries.iter().filter(|t| **t == json!(1)).count(), 1);
    assert!(outcome.shared.get("fallback_for_1").is_none());
    assert!(retries(&events).iter().all(|r| r.0 == "main/p[0]"));
}

#[tokio::test(start_paused = true)]
async fn collect_gives_ok_and_error_maps_and_post_runs() {
    let (outcome, _) = run(r#"
        let p = parallel("p", #{
            on_error: "collect",
            prep: |shared| [1, 2, 3, 4],
            exec: |x| {
                sleep(0.1 * (5 - x));
                if x == 2 { throw `bad ${x}` }
                if x == 4 { throw #{ code: 4 } }
                x * 10
            },
            post: |shared, p, r| { shared.r = r; "collected" },
        });
        p
    "#)
    .await;
    assert_eq!(outcome.result, Ok("collected".to_string()));
    assert_eq!(
        outcome.shared["r"],
        json!([{"ok": 10}, {"error": "bad 2"}, {"ok": 30}, {"error": {"code": 4}}])
    );
}

#[tokio::test(start_paused = true)]
async fn collect_uses_fallback_first() {
    let s = shared(
        r#"
        let p = parallel("p", #{
            on_error: "collect",
            prep: |shared| [1, 2],
            exec: |x| if x == 2 { throw "bad" } else { x },
            fallback: |x, err| `saved ${err}`,
            post: |shared, p, r| { shared.r = r; },
        });
        p
    "#,
    )
    .await;
    assert_eq!(s["r"], json!([{"ok": 1}, {"ok": "saved bad"}]));
}

#[tokio::test(start_paused = true)]
async fn collect_error_holds_the_timeout_message() {
    let s = shared(
        r#"
        let p = parallel("p", #{
            on_error: "collect", timeout: 1,
            prep: |shared| [0.5, 3],
            exec: |d| { sleep(d); d },
            post: |shared, p, r| { shared.r = r; },
        });
        p
    "#,
    )
    .await;
    assert_eq!(s["r"][0], json!({"ok": 0.5}));
    let e = s["r"][1]["error"].as_str().expect("message");
    assert!(e.contains("timed out"), "{e}");
}

#[tokio::test(start_paused = true)]
async fn collect_with_no_failures_and_no_items() {
    let s = shared(
        r#"
        let p = parallel("p", #{ on_error: "collect", prep: |shared| [1], exec: |x| x, post: |shared, p, r| { shared.r = r; } });
        let q = parallel("q", #{ on_error: "collect", prep: |shared| (), post: |shared, p, r| { shared.q = r; } });
        p >> q;
        p
    "#,
    )
    .await;
    assert_eq!(s, json!({"r": [{"ok": 1}], "q": []}));
}

/// A parallel node of `n` items whose exec tracks items in flight (`shared.cur`) and the most
/// seen at once (`shared.max`) with atomic updates.
fn in_flight(n: usize, opts: &str) -> String {
    format!(
        r#"
        let p = parallel("p", #{{
            {opts}
            prep: |shared| {{ let a = []; for i in 0..{n} {{ a.push(#{{s: shared, i: i}}) }} a }},
            exec: |it| {{
                let now = it.s.update("cur", |c| if c == () {{ 1 }} else {{ c + 1 }});
                it.s.update("max", |m| if m == () || m < now {{ now }} else {{ m }});
                sleep(0.05 + 0.01 * (it.i % 3));
                it.s.update("cur", |c| c - 1);
                it.i
            }},
            post: |shared, p, r| {{ shared.r = r.len(); }},
        }});
        p
    "#
    )
}

#[tokio::test(start_paused = true)]
async fn concurrency_bounds_items_in_flight() {
    let s = shared(&in_flight(12, "concurrency: 3,")).await;
    assert_eq!(s["max"], json!(3));
    assert_eq!(s["cur"], json!(0));
    assert_eq!(s["r"], json!(12));
}

#[tokio::test(start_paused = true)]
async fn concurrency_one_is_sequential() {
    let s = shared(&in_flight(5, "concurrency: 1,")).await;
    assert_eq!(s["max"], json!(1));
}

#[tokio::test(start_paused = true)]
async fn parallel_is_unbounded_without_concurrency() {
    let s = shared(&in_flight(40, "")).await;
    assert_eq!(s["max"], json!(40));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrency_bound_holds_on_many_threads() {
    let s = shared(&in_flight(30, "concurrency: 4,").replace("0.05", "0.005")).await;
    assert_eq!(s["max"], json!(4));
    assert_eq!(s["cur"], json!(0));
}

#[tokio::test(start_paused = true)]
async fn batch_of_a_nested_batch_node_inside_a_flow_keeps_paths() {
    let (_, events) = run(r#"
        let b = parallel("b", #{ retries: 2, prep: |shared| [1, 2], exec: |x| if x == 2 { throw "once" } else { x }, fallback: |x, e| 0 });
        let inner = flow("inner", b);
        flow("outer", inner)
    "#)
    .await;
    let r = retries(&events);
    assert_eq!(r.len(), 1);
    assert_eq!(r[0].0, "outer/inner/b[1]");
    assert!(started(&events).contains(&"outer/inner/b".to_string()));
}

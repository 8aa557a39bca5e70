//! (the execution model) cancellation and preemption: the run's `cancel` token ends waits at once and stops
//! scripts at their next check (never retried, never sent to fallback), and CPU-bound items
//! yield so timers still fire promptly.

mod support;

use std::time::Duration;

use flowscript_runtime::CancellationToken;
use serde_json::json;
use support::*;
use tokio::time::Instant;

/// Cancel `token` after `after` (on the test's clock).
fn cancel_after(token: &CancellationToken, after: Duration) {
    let token = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(after).await;
        token.cancel();
    });
}

#[tokio::test(start_paused = true)]
async fn cancel_during_a_sleep_ends_the_run_promptly() {
    let cancel = CancellationToken::new();
    cancel_after(&cancel, Duration::from_secs(1));
    let t0 = Instant::now();
    let (outcome, events) = run_cancellable(
        r#"
        let a = node("a", #{
            prep: |shared| { shared.before = true; shared },
            exec: |s| { sleep(100); s.after = true; },
        });
        a
    "#,
        json!({}),
        cancel,
    )
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    assert!((1.0..1.5).contains(&elapsed), "{elapsed}");
    let err = outcome.result.expect_err("cancelled");
    assert!(err.cancelled);
    assert_eq!(outcome.shared, json!({"before": true}));
    assert_eq!(
        types(&events).last().map(String::as_str),
        Some("run_failed")
    );
}

#[tokio::test(start_paused = true)]
async fn cancellation_is_not_retried_nor_sent_to_fallback() {
    let cancel = CancellationToken::new();
    cancel_after(&cancel, Duration::from_millis(500));
    let (outcome, events) = run_cancellable(
        r#"
        let a = node("a", #{
            retries: 5, wait: 1,
            prep: |shared| shared,
            exec: |s| { s.push("tries", 1); sleep(10); },
            fallback: |s, err| { s.fallback = err; "saved" },
            post: |shared, p, e| { shared.post = true; },
        });
        a
    "#,
        json!({}),
        cancel,
    )
    .await;
    assert!(outcome.result.expect_err("cancelled").cancelled);
    assert_eq!(outcome.shared, json!({"tries": [1]}));
    assert!(retries(&events).is_empty());
}

#[tokio::test(start_paused = true)]
async fn cancel_during_a_retry_wait_ends_the_run() {
    let cancel = CancellationToken::new();
    cancel_after(&cancel, Duration::from_secs(2));
    let t0 = Instant::now();
    let (outcome, _) = run_cancellable(
        r#"
        let a = node("a", #{
            retries: 3, wait: 60,
            prep: |shared| shared,
            exec: |s| { s.push("tries", 1); throw "fail"; },
            fallback: |s, err| { s.fallback = true; },
        });
        a
    "#,
        json!({}),
        cancel,
    )
    .await;
    assert!(t0.elapsed().as_secs_f64() < 3.0);
    assert!(outcome.result.expect_err("cancelled").cancelled);
    assert_eq!(outcome.shared, json!({"tries": [1]}));
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_every_parallel_item() {
    let cancel = CancellationToken::new();
    cancel_after(&cancel, Duration::from_secs(1));
    let t0 = Instant::now();
    let (outcome, _) = run_cancellable(
        r#"
        let p = parallel("p", #{
            on_error: "collect",
            prep: |shared| [shared, shared, shared],
            exec: |s| { sleep(50); s.push("done", 1); },
            post: |shared, p, r| { shared.post = true; },
        });
        p
    "#,
        json!({}),
        cancel,
    )
    .await;
    assert!(t0.elapsed().as_secs_f64() < 2.0);
    assert!(outcome.result.expect_err("cancelled").cancelled);
    assert_eq!(outcome.shared, json!({}));
}

#[tokio::test(start_paused = true)]
async fn cancel_stops_a_batch_flow_between_sub_runs() {
    let cancel = CancellationToken::new();
    cancel_after(&cancel, Duration::from_millis(1500));
    let (outcome, _) = run_cancellable(
        r#"
        let step = node("step", #{ prep: |shared, params| { sleep(1); shared.push("done", params.i); } });
        let each = batch_flow("each", step, #{ prep: |shared| [#{i: 0}, #{i: 1}, #{i: 2}] });
        flow("main", each)
    "#,
        json!({}),
        cancel,
    )
    .await;
    assert!(outcome.result.expect_err("cancelled").cancelled);
    assert_eq!(outcome.shared, json!({"done": [0]}));
}

/// Run `src`, cancel it after 50 ms of real time, and assert it ends cancelled within 500 ms.
async fn assert_cancelled_promptly(src: &str) {
    let cancel = CancellationToken::new();
    cancel_after(&cancel, Duration::from_millis(50));
    let t0 = std::time::Instant::now();
    let (outcome, _) = run_cancellable(src, json!({}), cancel).await;
    assert!(
        t0.elapsed() < Duration::from_millis(500),
        "{:?}",
        t0.elapsed()
    );
    assert!(outcome.result.expect_err("cancelled").cancelled);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_a_cpu_bound_hook() {
    assert_cancelled_promptly(
        r#"
        let a = node("a", #{ exec: |x| { let i = 0; loop { i += 1; } } });
        a
    "#,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_stops_an_endless_cycle_of_cheap_nodes() {
    // No hook waits or runs long enough for a progress check: the walk itself must notice.
    assert_cancelled_promptly(
        r#"
        let a = node("a");
        let b = node("b", #{ post: |shared, p, e| () });
        a >> b >> a;
        a
    "#,
    )
    .await;
}

#[tokio::test(start_paused = true)]
async fn a_run_cancelled_before_it_starts_runs_no_node() {
    let cancel = CancellationToken::new();
    cancel.cancel();
    let (outcome, _) = run_cancellable(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.a = true; } });
        flow("main", a)
    "#,
        json!({}),
        cancel,
    )
    .await;
    assert!(outcome.result.expect_err("cancelled").cancelled);
    assert_eq!(outcome.shared, json!({}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpu_bound_items_let_a_timer_item_finish_promptly() {
    // Item 0 sleeps 20 ms then raises a flag; items 1..=4 spin until they see it (or give up).
    // Without preemption both workers stay inside spinning items and the flag comes late.
    let t0 = std::time::Instant::now();
    let s = shared(
        r#"
        let p = parallel("p", #{
            prep: |shared| { shared.stop = false; [#{s: shared, i: 0}, #{s: shared, i: 1}, #{s: shared, i: 2}, #{s: shared, i: 3}, #{s: shared, i: 4}] },
            exec: |it| {
                if it.i == 0 { sleep(0.02); it.s.stop = true; return -1; }
                let n = 0;
                while n < 5000000 { n += 1; if n % 64 == 0 && it.s.stop { break; } }
                n
            },
            post: |shared, p, r| { shared.r = r; },
        });
        p
    "#,
    )
    .await;
    let elapsed = t0.elapsed();
    let r = s["r"].as_array().expect("results").clone();
    assert_eq!(r[0], json!(-1));
    for (i, n) in r.iter().enumerate().skip(1) {
        assert!(
            n.as_i64().unwrap_or(i64::MAX) < 5_000_000,
            "item {i} never saw the flag: {r:?}"
        );
    }
    assert!(elapsed < Duration::from_millis(300), "{elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cpu_bound_parallel_items_finish_correctly() {
    let s = shared(
        r#"
        let p = parallel("p", #{
            prep: |shared| [1, 2, 3, 4, 5, 6],
            exec: |k| { let acc = 0; for i in 0..20000 { acc += i % k; } acc },
            post: |shared, p, r| { shared.r = r; },
        });
        p
    "#,
    )
    .await;
    let want: Vec<i64> = (1..=6)
        .map(|k| (0..20000i64).map(|i| i % k).sum())
        .collect();
    assert_eq!(s["r"], json!(want));
}

const NESTED: &str = r#"
    let inner = parallel("inner", #{
        prep: |shared, params| if params.i == 0 { [0] } else { [shared, shared, shared] },
        exec: |x| {
            if x == 0 { sleep(0.01); throw "first sub-run failed"; }
            sleep(0.5);
            x.push("late", 1);
        },
    });
    let all = parallel_flow("all", inner, #{ prep: |shared| [#{i: 0}, #{i: 1}, #{i: 2}] });
    flow("main", all)
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nested_items_end_before_the_run_reports_its_end() {
    // A failing sub-run cancels its siblings and the parallel items inside them; every one of
    // them has ended (and reported) before `run_failed`, the stream's last event.
    for _ in 0..5 {
        let t0 = std::time::Instant::now();
        let (outcome, sink) = run_keep_sink(NESTED).await;
        assert_eq!(
            outcome.result.expect_err("fails").message,
            "first sub-run failed"
        );
        assert!(
            t0.elapsed() < Duration::from_millis(300),
            "{:?}",
            t0.elapsed()
        );
        assert_eq!(outcome.shared, json!({}));
        let n = sink.events().len();
        tokio::time::sleep(Duration::from_millis(30)).await;
        let events = sink.events();
        assert_eq!(events.len(), n, "late events: {:?}", types(&events[n..]));
        assert_eq!(
            types(&events).last().map(String::as_str),
            Some("run_failed")
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_cancel_reaches_nested_items_before_the_run_ends() {
    let cancel = CancellationToken::new();
    cancel_after(&cancel, Duration::from_millis(30));
    let t0 = std::time::Instant::now();
    let (outcome, events) = run_cancellable(
        &NESTED.replace("sleep(0.01); throw", "sleep(5); throw"),
        json!({}),
        cancel,
    )
    .await;
    assert!(
        t0.elapsed() < Duration::from_millis(300),
        "{:?}",
        t0.elapsed()
    );
    assert!(outcome.result.expect_err("cancelled").cancelled);
    // Every started item ended before run_failed, and none of the cancelled ones claims to have
    // finished.
    let t = types(&events);
    assert_eq!(t.last().map(String::as_str), Some("run_failed"));
    let items = t.iter().filter(|t| *t == "item_finished").count();
    assert_eq!(items, 0, "{t:?}");
}

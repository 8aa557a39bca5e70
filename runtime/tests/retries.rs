//! (docs/language.md) retries: only exec is retried, `retries` attempts in all, `wait` between attempts
//! (none after the last) with fixed or exponential backoff and jitter, then fallback(prep_res,
//! err) with the thrown value, per-item retry state, and per-attempt `timeout`.

mod support;

use serde_json::json;
use support::*;
use tokio::time::Instant;

/// An exec that counts its attempts in `shared.tries` (the store travels in prep_res) and
/// throws `"boom N"` until attempt `ok_at`.
fn flaky(ok_at: i64, opts: &str) -> String {
    format!(
        r#"
        let a = node("a", #{{
            {opts}
            prep: |shared| shared,
            exec: |s| {{
                s.update("tries", |n| if n == () {{ 1 }} else {{ n + 1 }});
                if s.tries < {ok_at} {{ throw `boom ${{s.tries}}`; }}
                `ok after ${{s.tries}}`
            }},
            post: |shared, p, e| {{ shared.result = e; }},
        }});
        flow("main", a)
    "#
    )
}

#[tokio::test(start_paused = true)]
async fn exec_is_retried_until_it_succeeds() {
    let (outcome, events) = run(&flaky(3, "retries: 5,")).await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(outcome.shared["tries"], json!(3));
    assert_eq!(outcome.shared["result"], json!("ok after 3"));
    let r = retries(&events);
    assert_eq!(r.len(), 2);
    assert_eq!(r[0], ("main/a".into(), 2, "boom 1".into(), 0.0));
    assert_eq!(r[1], ("main/a".into(), 3, "boom 2".into(), 0.0));
}

#[tokio::test(start_paused = true)]
async fn retries_counts_attempts_in_all_then_the_error_propagates() {
    let (outcome, events) = run(&flaky(100, "retries: 3,")).await;
    let err = outcome.result.expect_err("fails");
    assert_eq!(err.message, "boom 3");
    assert_eq!(err.path.as_deref(), Some("main/a"));
    assert!(err.span.is_some());
    assert_eq!(outcome.shared["tries"], json!(3));
    assert!(
        !outcome
            .shared
            .as_object()
            .expect("map")
            .contains_key("result")
    );
    assert_eq!(retries(&events).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn default_is_a_single_attempt() {
    let (outcome, events) = run(&flaky(100, "")).await;
    assert_eq!(outcome.result.expect_err("fails").message, "boom 1");
    assert_eq!(outcome.shared["tries"], json!(1));
    assert!(retries(&events).is_empty());
}

#[tokio::test(start_paused = true)]
async fn prep_is_not_retried() {
    let (outcome, events) = run(r#"
        let a = node("a", #{
            retries: 4,
            prep: |shared| { shared.push("preps", 1); throw "prep failed"; },
            exec: |p| { 1 },
        });
        a
    "#)
    .await;
    assert_eq!(outcome.result.expect_err("fails").message, "prep failed");
    assert_eq!(outcome.shared["preps"], json!([1]));
    assert!(retries(&events).is_empty());
}

#[tokio::test(start_paused = true)]
async fn post_is_not_retried_and_exec_runs_once() {
    let (outcome, events) = run(r#"
        let a = node("a", #{
            retries: 4,
            prep: |shared| shared,
            exec: |s| { s.push("execs", 1); },
            post: |shared, p, e| { shared.push("posts", 1); throw "post failed"; },
            fallback: |p, err| "never",
        });
        a
    "#)
    .await;
    assert_eq!(outcome.result.expect_err("fails").message, "post failed");
    assert_eq!(outcome.shared["posts"], json!([1]));
    assert_eq!(outcome.shared["execs"], json!([1]));
    assert!(retries(&events).is_empty());
}

#[tokio::test(start_paused = true)]
async fn fixed_wait_between_attempts_and_none_after_the_last() {
    let t0 = Instant::now();
    let (outcome, events) = run(&flaky(100, "retries: 3, wait: 2,")).await;
    let elapsed = t0.elapsed().as_secs_f64();
    assert!(outcome.result.is_err());
    let waits: Vec<f64> = retries(&events).iter().map(|r| r.3).collect();
    assert_eq!(waits, vec![2.0, 2.0]);
    // Two waits of 2 s; no wait after the third (last) attempt.
    assert!((4.0..4.5).contains(&elapsed), "{elapsed}");
}

#[tokio::test(start_paused = true)]
async fn exponential_backoff_doubles_each_wait() {
    let t0 = Instant::now();
    let (outcome, events) = run(&flaky(
        100,
        "retries: 5, wait: 0.5, backoff: \"exponential\",",
    ))
    .await;
    let elapsed = t0.elapsed().as_secs_f64();
    assert!(outcome.result.is_err());
    let r = retries(&events);
    let waits: Vec<f64> = r.iter().map(|r| r.3).collect();
    assert_eq!(waits, vec![0.5, 1.0, 2.0, 4.0]);
    let attempts: Vec<u32> = r.iter().map(|r| r.1).collect();
    assert_eq!(attempts, vec![2, 3, 4, 5]);
    let errors: Vec<&str> = r.iter().map(|r| r.2.as_str()).collect();
    assert_eq!(errors, vec!["boom 1", "boom 2", "boom 3", "boom 4"]);
    assert!((7.5..8.0).contains(&elapsed), "{elapsed}");
}

#[tokio::test(start_paused = true)]
async fn jitter_scales_each_wait_into_half_to_full() {
    let (_, events) = run(&flaky(
        100,
        "retries: 6, wait: 1, backoff: \"exponential\", jitter: true,",
    ))
    .await;
    let waits: Vec<f64> = retries(&events).iter().map(|r| r.3).collect();
    assert_eq!(waits.len(), 5);
    for (k, w) in waits.iter().enumerate() {
        let full = 2f64.powi(k as i32);
        assert!(
            *w >= full * 0.5 && *w <= full,
            "wait {k} = {w}, full {full}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn fallback_gets_prep_res_and_the_thrown_value() {
    let s = shared(
        r#"
        let a = node("a", #{
            retries: 2,
            prep: |shared| "the prep",
            exec: |p| throw "x",
            fallback: |p, err| #{ p: p, err: err },
            post: |shared, p, e| { shared.got = e; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["got"], json!({"p": "the prep", "err": "x"}));
}

#[tokio::test(start_paused = true)]
async fn fallback_err_keeps_a_thrown_map() {
    let s = shared(
        r#"
        let a = node("a", #{
            exec: |p| throw #{ code: 7, why: "nope" },
            fallback: |p, err| err.code + 1,
            post: |shared, p, e| { shared.got = e; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["got"], json!(8));
}

#[tokio::test(start_paused = true)]
async fn fallback_err_is_the_message_for_script_errors() {
    let s = shared(
        r#"
        let a = node("a", #{
            exec: |p| no_such_function(p),
            fallback: |p, err| err,
            post: |shared, p, e| { shared.got = e; shared.t = type_of(e); },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["t"], json!("string"));
    let msg = s["got"].as_str().expect("string");
    assert!(msg.contains("no_such_function"), "{msg}");
}

#[tokio::test(start_paused = true)]
async fn fallback_runs_after_every_attempt_failed_and_its_error_propagates() {
    let (outcome, _) = run(r#"
        let a = node("a", #{
            retries: 3,
            prep: |shared| shared,
            exec: |s| { s.push("tries", 1); throw "x"; },
            fallback: |s, err| { s.push("fallbacks", err); throw "fallback too"; },
        });
        a
    "#)
    .await;
    assert_eq!(outcome.result.expect_err("fails").message, "fallback too");
    assert_eq!(outcome.shared["tries"], json!([1, 1, 1]));
    assert_eq!(outcome.shared["fallbacks"], json!(["x"]));
}

#[tokio::test(start_paused = true)]
async fn retry_state_is_per_item_in_batch() {
    // Every item fails its first attempt; with per-item state each gets its own second try.
    let (outcome, events) = run(r#"
        let b = batch("b", #{
            retries: 2,
            prep: |shared| [#{s: shared, i: 0}, #{s: shared, i: 1}, #{s: shared, i: 2}],
            exec: |it| {
                let k = `t${it.i}`;
                it.s.update(k, |n| if n == () { 1 } else { n + 1 });
                if it.s[k] == 1 { throw `first ${it.i}`; }
                it.i * 10
            },
            post: |shared, p, r| { shared.r = r; },
        });
        b
    "#)
    .await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(outcome.shared["r"], json!([0, 10, 20]));
    assert_eq!(outcome.shared["t0"], json!(2));
    assert_eq!(outcome.shared["t2"], json!(2));
    let r = retries(&events);
    let paths: Vec<&str> = r.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(paths, vec!["main/b[0]", "main/b[1]", "main/b[2]"]);
    assert!(r.iter().all(|r| r.1 == 2));
}

#[tokio::test(start_paused = true)]
async fn retry_state_is_per_item_in_parallel() {
    // Items fail at different times and overlap; each still gets exactly `retries` attempts.
    let (outcome, events) = run(r#"
        let p = parallel("p", #{
            retries: 3, wait: 0.1,
            prep: |shared| { let a = []; for i in 0..6 { a.push(#{s: shared, i: i}) } a },
            exec: |it| {
                let k = `t${it.i}`;
                it.s.update(k, |n| if n == () { 1 } else { n + 1 });
                sleep(0.01 * (6 - it.i));
                if it.s[k] < 3 { throw `fail ${it.i}`; }
                it.i
            },
            post: |shared, p, r| { shared.r = r; },
        });
        p
    "#)
    .await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(outcome.shared["r"], json!([0, 1, 2, 3, 4, 5]));
    for i in 0..6 {
        assert_eq!(outcome.shared[format!("t{i}")], json!(3), "item {i}");
    }
    let r = retries(&events);
    assert_eq!(r.len(), 12);
    for i in 0..6 {
        let mine: Vec<u32> = r
            .iter()
            .filter(|r| r.0 == format!("main/p[{i}]"))
            .map(|r| r.1)
            .collect();
        assert_eq!(mine, vec![2, 3], "item {i}");
    }
}

#[tokio::test(start_paused = true)]
async fn batch_fallback_gets_the_item() {
    let s = shared(
        r#"
        let b = batch("b", #{
            prep: |shared| [1, 2, 3],
            exec: |x| if x == 2 { throw `bad ${x}` } else { x },
            fallback: |x, err| `${err} (item ${x})`,
            post: |shared, p, r| { shared.r = r; },
        });
        b
    "#,
    )
    .await;
    assert_eq!(s["r"], json!([1, "bad 2 (item 2)", 3]));
}

#[tokio::test(start_paused = true)]
async fn timeout_fails_a_slow_attempt_then_fallback_names_it() {
    let t0 = Instant::now();
    let (outcome, events) = run(r#"
        let a = node("a", #{
            retries: 2, timeout: 1,
            prep: |shared| shared,
            exec: |s| { s.push("tries", 1); sleep(60); s.slow_done = true; "slow" },
            fallback: |p, err| err,
            post: |shared, p, e| { shared.got = e; },
        });
        a
    "#)
    .await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    let elapsed = t0.elapsed().as_secs_f64();
    assert!((2.0..2.5).contains(&elapsed), "{elapsed}");
    assert_eq!(outcome.shared["tries"], json!([1, 1]));
    assert!(outcome.shared.get("slow_done").is_none());
    let err = outcome.shared["got"].as_str().expect("a message string");
    assert!(err.contains("timed out"), "{err}");
    assert!(err.contains("'a'"), "{err}");
    let r = retries(&events);
    assert_eq!(r.len(), 1);
    assert!(r[0].2.contains("timed out"), "{:?}", r[0]);
}

#[tokio::test(start_paused = true)]
async fn timeout_then_a_fast_retry_succeeds() {
    let s = shared(
        r#"
        let a = node("a", #{
            retries: 3, timeout: 1, wait: 0.5,
            prep: |shared| shared,
            exec: |s| {
                s.update("n", |n| if n == () { 1 } else { n + 1 });
                if s.n == 1 { sleep(30); }
                `attempt ${s.n}`
            },
            post: |shared, p, e| { shared.got = e; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["got"], json!("attempt 2"));
}

#[tokio::test(start_paused = true)]
async fn timeout_without_fallback_fails_the_run() {
    let err = failure(
        r#"
        let a = node("slowpoke", #{ timeout: 0.5, exec: |p| { sleep(10); 1 } });
        a
    "#,
    )
    .await;
    assert!(!err.cancelled);
    assert!(err.message.contains("timed out"), "{}", err.message);
    assert!(err.message.contains("slowpoke"), "{}", err.message);
    assert_eq!(err.path.as_deref(), Some("main/slowpoke"));
}

#[tokio::test(start_paused = true)]
async fn timeout_is_per_attempt_not_per_node() {
    // Three attempts of 0.8 s each under a 1 s timeout: none times out.
    let s = shared(
        r#"
        let a = node("a", #{
            retries: 3, timeout: 1,
            prep: |shared| shared,
            exec: |s| { s.push("t", 1); sleep(0.8); if s.t.len() < 3 { throw "again" } "ok" },
            post: |shared, p, e| { shared.got = e; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["got"], json!("ok"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn timeout_stops_a_cpu_bound_attempt() {
    let t0 = std::time::Instant::now();
    let s = shared(
        r#"
        let a = node("a", #{
            timeout: 0.1,
            exec: |p| { let i = 0; loop { i += 1; } },
            fallback: |p, err| err,
            post: |shared, p, e| { shared.got = e; },
        });
        a
    "#,
    )
    .await;
    assert!(t0.elapsed().as_secs_f64() < 1.0, "{:?}", t0.elapsed());
    let err = s["got"].as_str().expect("string");
    assert!(err.contains("timed out"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn try_catch_inside_exec_cannot_swallow_a_timeout() {
    let s = shared(
        r#"
        let a = node("a", #{
            timeout: 1,
            prep: |shared| shared,
            exec: |s| {
                try { sleep(10); } catch (e) { s.caught = true; }
                s.after = true;
                "finished"
            },
            fallback: |p, err| "timed out",
            post: |shared, p, e| { shared.got = e; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["got"], json!("timed out"));
    assert!(s.get("after").is_none(), "{s}");
}

#[tokio::test(start_paused = true)]
async fn a_timeout_does_not_outlive_its_attempt() {
    // The batch's 1 s deadline applies to its exec attempts only: its fallback, its post and
    // the next node may take longer.
    let s = shared(
        r#"
        let b = batch("b", #{
            timeout: 1,
            prep: |shared| [5, 0.1],
            exec: |d| { sleep(d); d },
            fallback: |d, err| { sleep(2); "late" },
            post: |shared, p, r| { sleep(2); shared.r = r; },
        });
        let next = node("next", #{ exec: |p| { sleep(3); "slow but fine" }, post: |shared, p, e| { shared.next = e; } });
        b >> next;
        b
    "#,
    )
    .await;
    assert_eq!(s, json!({"r": ["late", 0.1], "next": "slow but fine"}));
}

#[tokio::test(start_paused = true)]
async fn the_timeout_message_names_the_limit() {
    let s = shared(
        r#"
        let a = node("a", #{ timeout: 1.5, exec: |p| sleep(3), fallback: |p, err| err, post: |shared, p, e| { shared.err = e; } });
        a
    "#,
    )
    .await;
    let err = s["err"].as_str().expect("string");
    assert!(err.contains("1.5s"), "{err}");
}

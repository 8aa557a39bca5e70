//! `branches(name, #{a: x, b: y}[, opts])`: different sub-flows run concurrently on one store and
//! join; post sees every branch's last action; a failing branch cancels the others unless
//! `on_error: "collect"`.

mod support;

use serde_json::json;
use support::*;

const TWO_WAYS: &str = r#"
    let fetch = node("fetch", #{
        exec: |x| { sleep(0.2); "web" },
        post: |shared, p, e| { shared.push("log", `fetch ${e}`); "fetched" },
    });
    let parse = node("parse", #{ post: |shared, p, e| { shared.push("log", "parse"); "parsed" } });
    fetch - "fetched" >> parse;
    let think = node("think", #{
        exec: |x| { sleep(0.1); 42 },
        post: |shared, p, e| { shared.push("log", `think ${e}`); shared.answer = e; "done" },
    });
    let side = flow("side", think);
    let both = branches("both", #{ web: fetch, mind: side }, #{
        prep: |shared| "prepared",
        post: |shared, p, results| { shared.results = results; shared.prep = p; "joined" },
    });
    let after = node("after", #{ post: |shared, p, e| { shared.after = true; } });
    both - "joined" >> after;
    flow("main", both)
"#;

#[tokio::test(start_paused = true)]
async fn branches_run_concurrently_and_join_with_their_last_actions() {
    let t0 = tokio::time::Instant::now();
    let (outcome, events) = run(TWO_WAYS).await;
    assert_eq!(outcome.result.as_deref(), Ok("default"));
    // Concurrent: the slower branch (0.2 s) bounds the node, not the sum (0.3 s).
    assert_eq!(t0.elapsed().as_millis(), 200);
    let s = outcome.shared;
    assert_eq!(s["results"], json!({"web": "parsed", "mind": "done"}));
    assert_eq!(s["prep"], "prepared");
    assert_eq!(s["answer"], 42);
    assert_eq!(s["after"], true);
    // One store: both branches appended to the same array, the faster one first.
    assert_eq!(s["log"], json!(["think 42", "fetch web", "parse"]));
    let paths = started(&events);
    for p in [
        "main/both",
        "main/both/web/fetch",
        "main/both/web/parse",
        "main/both/mind/side",
        "main/both/mind/side/think",
        "main/after",
    ] {
        assert!(paths.iter().any(|x| x == p), "{p} not in {paths:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn without_post_the_action_is_default() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.a = 1; "x" } });
        let b = node("b", #{ post: |shared, p, e| { shared.b = 2; "y" } });
        let j = branches("j", #{ a: a, b: b });
        let next = node("next", #{ post: |shared, p, e| { shared.next = true; } });
        j >> next;
        flow("main", j)
    "#,
    )
    .await;
    assert_eq!(s, json!({"a": 1, "b": 2, "next": true}));
}

#[tokio::test(start_paused = true)]
async fn a_failing_branch_cancels_the_others() {
    let (outcome, _) = run(r#"
        let slow = node("slow", #{ exec: |x| { sleep(5); 1 }, post: |shared, p, e| { shared.slow = e; } });
        let bad = node("bad", #{ exec: |x| { sleep(0.1); throw "broken" } });
        let j = branches("j", #{ slow: slow, bad: bad });
        flow("main", j)
    "#)
    .await;
    let err = outcome.result.expect_err("fails");
    assert_eq!(err.message, "broken");
    assert_eq!(err.path.as_deref(), Some("main/j/bad/bad"));
    assert_eq!(outcome.shared, json!({}), "the slow branch never wrote");
}

#[tokio::test(start_paused = true)]
async fn collect_gives_ok_and_error_per_branch() {
    let s = shared(
        r#"
        let good = node("good", #{ post: |shared, p, e| "fine" });
        let bad = node("bad", #{ exec: |x| throw #{code: 7} });
        let j = branches("j", #{ good: good, bad: bad }, #{
            on_error: "collect",
            post: |shared, p, r| { shared.r = r; },
        });
        flow("main", j)
    "#,
    )
    .await;
    assert_eq!(
        s["r"],
        json!({"good": {"ok": "fine"}, "bad": {"error": {"code": 7}}})
    );
}

#[test]
fn branch_targets_must_be_nodes_and_options_are_checked() {
    let d = load_error(
        r#"let a = node("a"); let j = branches("j", #{ a: a, b: 3 }); flow("main", j)"#,
        "invalid-target",
    );
    assert!(d.message.contains("branch `b`"), "{}", d.message);
    let d = load_error(
        r#"let a = node("a"); let j = branches("j", #{ a: a }, #{ concurrency: 2 }); flow("main", j)"#,
        "unknown-option",
    );
    assert!(d.message.contains("concurrency"), "{}", d.message);
}

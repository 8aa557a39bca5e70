//! (docs/language.md) params: default `#{}`, the entry flow's `params` passed down, a nested flow's
//! own params merged under what is passed down, batch items merged over both, and nothing
//! leaking outward or to a batch flow's successors.

mod support;

use serde_json::json;
use support::*;

/// A node `name` that records the params it sees under `shared.seen.<name>` (pushed).
fn spy(name: &str) -> String {
    format!(
        r#"let {name} = node("{name}", #{{ prep: |shared, params| {{ shared.push("{name}", params); }} }});"#
    )
}

#[tokio::test]
async fn params_default_to_an_empty_map() {
    let s = shared(&format!("{}\nflow(\"main\", a)", spy("a"))).await;
    assert_eq!(s["a"], json!([{}]));
    let s = shared(&format!("{}\na", spy("a"))).await;
    assert_eq!(s["a"], json!([{}]));
}

#[tokio::test]
async fn every_hook_sees_the_entry_flows_params() {
    let s = shared(
        r#"
        let a = node("a", #{
            prep: |shared, params| { shared.prep = params.k; },
            exec: |p, params| params.k + 1,
            post: |shared, p, e, params| { shared.exec = e; shared.post = params.k; },
        });
        flow("main", a, #{ params: #{ k: 1 } })
    "#,
    )
    .await;
    assert_eq!(s, json!({"prep": 1, "exec": 2, "post": 1}));
}

#[tokio::test]
async fn nodes_at_one_level_share_the_params() {
    let src = format!(
        "{}\n{}\na >> b;\nflow(\"main\", a, #{{ params: #{{ k: \"v\", n: 2 }} }})",
        spy("a"),
        spy("b")
    );
    let s = shared(&src).await;
    assert_eq!(s["a"], json!([{"k": "v", "n": 2}]));
    assert_eq!(s["b"], json!([{"k": "v", "n": 2}]));
}

#[tokio::test]
async fn params_are_read_only_for_hooks() {
    let s = shared(
        r#"
        let a = node("a", #{ prep: |shared, params| { params.k = "changed"; params.extra = 1; } });
        let b = node("b", #{ prep: |shared, params| { shared.b = params; } });
        a >> b;
        flow("main", a, #{ params: #{ k: "orig" } })
    "#,
    )
    .await;
    assert_eq!(s["b"], json!({"k": "orig"}));
}

#[tokio::test]
async fn nested_flow_own_params_merge_under_passed_down() {
    let src = format!(
        r#"
        {}
        {}
        {}
        let inner = flow("inner", i, #{{ params: #{{ shared_key: "inner", own: "inner" }} }});
        o1 >> inner >> o2;
        flow("main", o1, #{{ params: #{{ shared_key: "outer", top: 1 }} }})
    "#,
        spy("o1"),
        spy("i"),
        spy("o2")
    );
    let s = shared(&src).await;
    // Passed-down keys win over the nested flow's own.
    assert_eq!(
        s["i"],
        json!([{"shared_key": "outer", "top": 1, "own": "inner"}])
    );
    // Nothing leaks outward: the outer level keeps its own params.
    assert_eq!(s["o1"], json!([{"shared_key": "outer", "top": 1}]));
    assert_eq!(s["o2"], json!([{"shared_key": "outer", "top": 1}]));
}

#[tokio::test]
async fn flow_hooks_see_their_merged_params() {
    let s = shared(
        r#"
        let a = node("a");
        let inner = flow("inner", a, #{
            params: #{ own: 1, k: "inner" },
            prep: |shared, params| { shared.prep = params; },
            post: |shared, p, e, params| { shared.post = params; },
        });
        flow("main", inner, #{ params: #{ k: "outer" } })
    "#,
    )
    .await;
    assert_eq!(s["prep"], json!({"own": 1, "k": "outer"}));
    assert_eq!(s["post"], json!({"own": 1, "k": "outer"}));
}

#[tokio::test]
async fn a_flow_used_as_entry_passes_its_own_params() {
    let src = format!(
        "{}\nlet inner = flow(\"inner\", i, #{{ params: #{{ x: 1 }} }});\ninner",
        spy("i")
    );
    assert_eq!(shared(&src).await["i"], json!([{"x": 1}]));
}

#[tokio::test]
async fn batch_flow_items_merge_over_flow_and_passed_down_params() {
    let src = format!(
        r#"
        {}
        {}
        let each = batch_flow("each", i, #{{
            params: #{{ k: "own", own: 1 }},
            prep: |shared| [#{{ k: "item0", item: 0 }}, #{{ item: 1 }}],
            post: |shared, p, e, params| {{ shared.post = params; }},
        }});
        each >> after;
        flow("main", each, #{{ params: #{{ k: "outer", top: 1 }} }})
    "#,
        spy("i"),
        spy("after")
    );
    let s = shared(&src).await;
    assert_eq!(
        s["i"],
        json!([
            {"k": "item0", "own": 1, "top": 1, "item": 0},
            {"k": "outer", "own": 1, "top": 1, "item": 1},
        ])
    );
    // The batch flow's post and its successors never see item params.
    assert_eq!(s["post"], json!({"k": "outer", "own": 1, "top": 1}));
    assert_eq!(s["after"], json!([{"k": "outer", "top": 1}]));
}

#[tokio::test(start_paused = true)]
async fn parallel_flow_items_merge_and_do_not_leak() {
    let src = format!(
        r#"
        {}
        let work = node("work", #{{
            prep: |shared, params| {{ sleep(0.1 * (3 - params.i)); shared.push("w", params); }},
        }});
        let all = parallel_flow("all", work, #{{
            params: #{{ base: true }},
            prep: |shared| [#{{ i: 0 }}, #{{ i: 1, base: false }}, #{{ i: 2 }}],
        }});
        all >> after;
        flow("main", all)
    "#,
        spy("after")
    );
    let s = shared(&src).await;
    assert_eq!(
        s["w"],
        json!([{"base": true, "i": 2}, {"base": false, "i": 1}, {"base": true, "i": 0}])
    );
    assert_eq!(s["after"], json!([{}]));
}

#[tokio::test]
async fn sub_runs_of_a_batch_flow_do_not_share_params() {
    // A nested flow inside a batch flow sees the item's params; the next item starts clean.
    let s = shared(
        r#"
        let leaf = node("leaf", #{ prep: |shared, params| { shared.push("leaf", params); } });
        let nested = flow("nested", leaf, #{ params: #{ n: 0 } });
        let each = batch_flow("each", nested, #{ prep: |shared| [#{ a: 1 }, #{ b: 2, n: 9 }] });
        flow("main", each)
    "#,
    )
    .await;
    assert_eq!(s["leaf"], json!([{"a": 1, "n": 0}, {"b": 2, "n": 9}]));
}

#[tokio::test]
async fn plain_batch_nodes_see_the_levels_params() {
    let s = shared(
        r#"
        let b = batch("b", #{
            prep: |shared, params| [1, 2],
            exec: |x, params| x * params.m,
            post: |shared, p, r, params| { shared.r = r; },
        });
        flow("main", b, #{ params: #{ m: 10 } })
    "#,
    )
    .await;
    assert_eq!(s["r"], json!([10, 20]));
}

#[tokio::test]
async fn params_hold_json_values() {
    let src = format!(
        "{}\nflow(\"main\", a, #{{ params: #{{ s: \"x\", n: 1, f: 1.5, b: true, l: [1, #{{ z: () }}], m: #{{ q: 2 }} }} }})",
        spy("a")
    );
    let s = shared(&src).await;
    assert_eq!(
        s["a"],
        json!([{"s": "x", "n": 1, "f": 1.5, "b": true, "l": [1, {"z": null}], "m": {"q": 2}}])
    );
}

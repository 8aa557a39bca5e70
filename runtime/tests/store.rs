//! (docs/language.md) shared store: one handle per run (never a copy), `shared.k` / `shared["k"]`,
//! missing keys read `()`, atomic `push` and `update`, JSON values; closure captures are copied
//! per invocation.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn dot_and_index_access_read_and_write_the_same_store() {
    let src = r#"
        let a = node("a", #{
            post: |shared, p, e| {
                shared.x = shared["in"] + 1;
                shared["y"] = shared.x * 2;
                let k = "dyn";
                shared[k] = `key ${k}`;
            },
        });
        a
    "#;
    let (outcome, _) = run_with(src, json!({"in": 1})).await;
    assert_eq!(
        outcome.shared,
        json!({"in": 1, "x": 2, "y": 4, "dyn": "key dyn"})
    );
}

#[tokio::test]
async fn missing_key_reads_unit() {
    let s = shared(
        r#"
        let a = node("a", #{
            prep: |shared| [shared.nope, shared["nada"]],
            post: |shared, p, e| { shared.types = p.map(|v| type_of(v)); shared.is_unit = p[0] == (); },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s, json!({"types": ["()", "()"], "is_unit": true}));
}

#[tokio::test]
async fn input_seeds_the_store_and_the_final_store_is_returned() {
    let src = r#"
        let a = node("a", #{ post: |shared, p, e| { shared.list.push(4); shared.obj.n += 1; shared.list2 = shared.list; } });
        a
    "#;
    let (outcome, events) = run_with(
        src,
        json!({"list": [1, 2, 3], "obj": {"n": 1}, "keep": "me"}),
    )
    .await;
    assert_eq!(outcome.shared["keep"], json!("me"));
    assert_eq!(outcome.shared["obj"], json!({"n": 2}));
    assert_eq!(outcome.shared["list2"], json!([1, 2, 3, 4]));
    match &events.last().expect("event").kind {
        flowscript_runtime::EventKind::RunFinished { shared, .. } => {
            assert_eq!(shared, &outcome.shared)
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn the_store_is_one_handle_across_nodes_flows_and_items() {
    let s = shared(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.n = 1; } });
        let b = node("b", #{ prep: |shared| shared, exec: |s| { s.n += 1; }, });
        let items = parallel("items", #{
            prep: |shared| [shared, shared],
            exec: |s| s.update("n", |n| n + 10),
        });
        let inner = flow("inner", items);
        let each = batch_flow("each", node("c", #{ prep: |shared| shared.update("n", |n| n * 2) }), #{ prep: |shared| [#{}, #{}] });
        a >> b >> inner >> each;
        a
    "#,
    )
    .await;
    // 1, +1 via prep_res, +10 twice from items, *2 twice from sub-runs.
    assert_eq!(s["n"], json!(88));
}

#[tokio::test]
async fn push_appends_creating_the_array() {
    let s = shared(
        r#"
        let a = node("a", #{
            post: |shared, p, e| {
                shared.push("log", 1);
                shared.push("log", "two");
                shared.push("log", #{ three: 3 });
                shared.unit = ();
                shared.push("unit", 1);
            },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["log"], json!([1, "two", {"three": 3}]));
    assert_eq!(s["unit"], json!([1]));
}

#[tokio::test]
async fn push_onto_a_non_array_fails_naming_the_key() {
    let err = failure(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.k = 5; shared.push("k", 1); } });
        a
    "#,
    )
    .await;
    assert!(err.message.contains("shared.k"), "{}", err.message);
    assert_eq!(err.span.map(|s| s.line), Some(2));
}

#[tokio::test]
async fn update_returns_and_stores_the_new_value() {
    let s = shared(
        r#"
        let a = node("a", #{
            post: |shared, p, e| {
                let v = shared.update("c", |old| if old == () { "first" } else { old + "!" });
                let w = shared.update("c", |old| old + "!");
                shared.v = v; shared.w = w;
            },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s, json!({"c": "first!", "v": "first", "w": "first!"}));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn update_is_atomic_under_parallel_items() {
    let s = shared(
        r#"
        let p = parallel("p", #{
            prep: |shared| { shared.n = 0; let a = []; for i in 0..300 { a.push(shared) } a },
            exec: |s| {
                sleep(0.001);
                s.update("n", |n| n + 1);
                for k in 0..3 { s.update("n", |n| { let x = n; for j in 0..20 { x += 0 } x + 1 }); }
                s.push("pushed", 1);
            },
        });
        p
    "#,
    )
    .await;
    assert_eq!(s["n"], json!(1200));
    assert_eq!(s["pushed"].as_array().map(Vec::len), Some(300));
}

#[tokio::test]
async fn update_closure_may_read_the_store_through_another_handle() {
    // The store lock is re-entrant: the closure may read the store while update holds it.
    let s = shared(
        r#"
        let a = node("a", #{
            prep: |shared| shared,
            post: |shared, s, e| { shared.step = 5; s.update("n", |n| shared.step * 2); () },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["n"], json!(10));
}

#[tokio::test]
async fn update_closure_capturing_its_receiver_gets_a_helpful_error() {
    // Rhai locks a captured variable while a method runs on it; the closure capturing the same
    // `shared` variable trips Rhai's data-race check. The message says what to do instead.
    let err = failure(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.step = 5; shared.update("n", |n| shared.step); } });
        a
    "#,
    )
    .await;
    assert!(err.message.contains("Data race"), "{}", err.message);
    assert!(
        err.message.contains("into a local first"),
        "{}",
        err.message
    );
}

#[tokio::test]
async fn update_closure_cannot_wait() {
    let err = failure(
        r#"
        let a = node("a", #{ post: |shared, p, e| { shared.update("n", |n| { sleep(0.01); 1 }); } });
        a
    "#,
    )
    .await;
    assert!(err.message.contains("sleep"), "{}", err.message);
    assert!(err.message.contains("update"), "{}", err.message);
}

#[tokio::test]
async fn store_holds_json_values() {
    let s = shared(
        r#"
        let a = node("a", #{
            post: |shared, p, e| {
                shared.s = "text"; shared.i = -3; shared.f = 2.5; shared.b = false; shared.u = ();
                shared.arr = [1, [2, 3], #{ k: "v" }];
                shared.map = #{ nested: #{ deep: [true] } };
                shared.ch = 'c';
            },
        });
        a
    "#,
    )
    .await;
    assert_eq!(
        s,
        json!({
            "s": "text", "i": -3, "f": 2.5, "b": false, "u": null,
            "arr": [1, [2, 3], {"k": "v"}],
            "map": {"nested": {"deep": [true]}},
            "ch": "c"
        })
    );
}

#[tokio::test]
async fn failed_run_reports_the_store_as_it_stood() {
    let (outcome, _) = run(r#"
        let a = node("a", #{ post: |shared, p, e| { shared.done = "a"; } });
        let b = node("b", #{ prep: |shared| { shared.half = true; throw "stop here"; } });
        a >> b;
        a
    "#)
    .await;
    assert!(outcome.result.is_err());
    assert_eq!(outcome.shared, json!({"done": "a", "half": true}));
}

#[tokio::test]
async fn store_helpers() {
    let s = shared(
        r#"
        let a = node("a", #{
            post: |shared, p, e| {
                shared.a = 1; shared.b = 2;
                shared.had = shared.contains("a");
                shared.removed = shared.remove("b");
                shared.gone = !shared.contains("b");
            },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s, json!({"a": 1, "had": true, "removed": 2, "gone": true}));
}

#[tokio::test]
async fn captured_variables_do_not_persist_across_visits() {
    let s = shared(
        r#"
        let count = 0;
        let list = [];
        let a = node("a", #{
            exec: |p| { count += 1; list.push(count); [count, list.len()] },
            post: |shared, p, e| {
                shared.push("seen", e);
                if shared.seen.len() < 3 { "again" }
            },
        });
        a - "again" >> a;
        a
    "#,
    )
    .await;
    assert_eq!(s["seen"], json!([[1, 1], [1, 1], [1, 1]]));
}

#[tokio::test(start_paused = true)]
async fn captured_variables_are_private_to_each_parallel_item() {
    let s = shared(
        r#"
        let total = 0;
        let p = parallel("p", #{
            prep: |shared| [1, 2, 3, 4],
            exec: |x| { total += x; sleep(0.01 * x); total += x; total },
            post: |shared, p, r| { shared.r = r; },
        });
        p
    "#,
    )
    .await;
    assert_eq!(s["r"], json!([2, 4, 6, 8]));
}

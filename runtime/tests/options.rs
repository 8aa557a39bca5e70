//! (docs/language.md) option maps and hooks: checked keys with did-you-mean, invalid values, every
//! option optional, hooks by arity with the optional trailing `params`, `bad-arity`, and script
//! functions (`Fn("name")`) as hooks.

mod support;

use serde_json::json;
use support::*;

fn with_opts(ctor: &str, opts: &str) -> String {
    // The flow constructors start with `a`; the other kinds leave it out (it would be unused).
    let (a, call) = match ctor {
        "flow" | "batch_flow" | "parallel_flow" => {
            ("node(\"a\")", format!("{ctor}(\"x\", a, #{{ {opts} }})"))
        }
        _ => ("()", format!("{ctor}(\"x\", #{{ {opts} }})")),
    };
    format!("let a = {a};\nlet x = {call};\nflow(\"main\", x)")
}

#[test]
fn unknown_key_suggests_the_close_one() {
    let d = load_error(&with_opts("node", "retires: 3"), "unknown-option");
    assert_eq!(d.span.line, 2);
    assert!(d.message.contains("retires"), "{}", d.message);
    let help = d.help.expect("help");
    assert!(help.contains("retries"), "{help}");
}

#[test]
fn unknown_keys_suggest_for_every_constructor() {
    for (ctor, typo, want) in [
        ("parallel", "concurency: 2", "concurrency"),
        ("batch", "fallbak: |p, e| 1", "fallback"),
        ("flow", "max_step: 3", "max_steps"),
        ("batch_flow", "parms: #{}", "params"),
        ("parallel_flow", "on_eror: \"fail\"", "on_error"),
        ("parallel", "timout: 1", "timeout"),
    ] {
        let d = load_error(&with_opts(ctor, typo), "unknown-option");
        let help = d.help.unwrap_or_default();
        assert!(help.contains(want), "{ctor} {typo}: {help}");
    }
}

#[test]
fn keys_of_other_kinds_are_unknown() {
    // `concurrency` and `on_error` belong to the parallel kinds; `exec` and `retries` to nodes.
    load_error(&with_opts("node", "concurrency: 2"), "unknown-option");
    load_error(
        &with_opts("batch", "on_error: \"collect\""),
        "unknown-option",
    );
    load_error(&with_opts("flow", "exec: |x| x"), "unknown-option");
    load_error(&with_opts("batch_flow", "concurrency: 2"), "unknown-option");
    load_error(&with_opts("flow", "retries: 2"), "unknown-option");
}

#[test]
fn a_far_off_key_lists_the_accepted_ones() {
    let d = load_error(&with_opts("node", "zzzzzzzz: 1"), "unknown-option");
    let help = d.help.expect("help");
    assert!(help.contains("retries") && help.contains("exec"), "{help}");
}

#[test]
fn invalid_values_are_load_errors() {
    for (ctor, opt) in [
        ("node", "retries: 0"),
        ("node", "retries: -2"),
        ("node", "retries: 1.5"),
        ("node", "retries: \"3\""),
        ("node", "wait: -1"),
        ("node", "wait: -0.5"),
        ("node", "wait: \"soon\""),
        ("node", "backoff: \"linear\""),
        ("node", "backoff: 2"),
        ("node", "jitter: \"yes\""),
        ("node", "timeout: -1"),
        ("node", "exec: 5"),
        ("node", "prep: \"shared.k\""),
        ("parallel", "concurrency: 0"),
        ("parallel", "on_error: \"ignore\""),
        ("parallel", "on_error: true"),
        ("flow", "max_steps: 0"),
        ("flow", "params: 5"),
        ("parallel_flow", "concurrency: -1"),
    ] {
        let d = load_error(&with_opts(ctor, opt), "invalid-option-value");
        assert_eq!(d.span.line, 2, "{ctor} {opt}");
        let key = opt.split(':').next().unwrap_or_default();
        assert!(d.message.contains(key), "{ctor} {opt}: {}", d.message);
        assert!(d.help.is_some(), "{ctor} {opt}");
    }
}

#[test]
fn valid_values_load() {
    for (ctor, opt) in [
        (
            "node",
            "retries: 1, wait: 0, backoff: \"fixed\", jitter: false, timeout: 2",
        ),
        (
            "node",
            "retries: 5, wait: 0.25, backoff: \"exponential\", jitter: true, timeout: 0.5",
        ),
        ("batch", "retries: 2"),
        ("parallel", "concurrency: 1, on_error: \"collect\""),
        ("parallel", "on_error: \"fail\""),
        ("flow", "max_steps: 1, params: #{a: 1}"),
        ("batch_flow", "params: #{}"),
        ("parallel_flow", "concurrency: 4, on_error: \"collect\""),
    ] {
        let loaded = load(&with_opts(ctor, opt));
        assert!(loaded.diagnostics.is_empty(), "{ctor} {opt}");
    }
}

#[test]
fn every_problem_in_one_map_is_reported() {
    let d = diagnostics(&with_opts("node", "retires: 3, wait: -1, backoff: \"x\""));
    let mut c = codes(&d);
    c.sort();
    assert_eq!(
        c,
        vec![
            "invalid-option-value",
            "invalid-option-value",
            "unknown-option"
        ]
    );
}

#[tokio::test]
async fn every_option_is_optional() {
    let (outcome, _) = run(r#"
        let a = node("a");
        let b = node("b", #{});
        let c = batch("c");
        let d = parallel("d", #{});
        let inner = flow("inner", a);
        let e = batch_flow("e", b);
        let f = parallel_flow("f", b);
        inner >> c >> d >> e >> f;
        flow("main", inner)
    "#)
    .await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(outcome.shared, json!({}));
}

#[tokio::test]
async fn missing_hooks_pass_unit() {
    // No prep: exec gets (); no exec: post gets () as exec_res.
    let s = shared(
        r#"
        let a = node("a", #{
            exec: |p| type_of(p),
            post: |shared, p, e| { shared.exec_saw = e; shared.post_prep = type_of(p); },
        });
        let b = node("b", #{ post: |shared, p, e| { shared.b = type_of(e); } });
        a >> b;
        a
    "#,
    )
    .await;
    assert_eq!(s, json!({"exec_saw": "()", "post_prep": "()", "b": "()"}));
}

#[tokio::test]
async fn hooks_with_and_without_trailing_params() {
    let s = shared(
        r#"
        let short = node("short", #{
            prep: |shared| "p",
            exec: |p| p + "e",
            post: |shared, p, e| { shared.short = e; },
        });
        let long = node("long", #{
            prep: |shared, params| params.tag,
            exec: |p, params| p + params.tag,
            fallback: |p, err, params| "unused",
            post: |shared, p, e, params| { shared.long = e + params.tag; },
        });
        short >> long;
        flow("main", short, #{ params: #{ tag: "T" } })
    "#,
    )
    .await;
    assert_eq!(s, json!({"short": "pe", "long": "TTT"}));
}

#[tokio::test]
async fn fallback_with_params() {
    let s = shared(
        r#"
        let a = node("a", #{
            exec: |p| throw "no",
            fallback: |p, err, params| `${err}-${params.k}`,
            post: |shared, p, e| { shared.r = e; },
        });
        flow("main", a, #{ params: #{ k: 9 } })
    "#,
    )
    .await;
    assert_eq!(s["r"], json!("no-9"));
}

#[test]
fn bad_arity_hooks_are_errors_with_the_signature_as_help() {
    for (opt, sig) in [
        ("exec: || 1", "exec(prep_res[, params])"),
        ("exec: |a, b, c| 1", "exec(prep_res[, params])"),
        ("prep: |a, b, c| 1", "prep(shared[, params])"),
        (
            "post: |s, p| 1",
            "post(shared, prep_res, exec_res[, params])",
        ),
        (
            "post: |a, b, c, d, e| 1",
            "post(shared, prep_res, exec_res[, params])",
        ),
        ("fallback: |p| 1", "fallback(prep_res, err[, params])"),
    ] {
        let d = load_error(&with_opts("node", opt), "bad-arity");
        assert_eq!(d.span.line, 2, "{opt}");
        let help = d.help.unwrap_or_default();
        assert!(help.contains(sig), "{opt}: {help}");
    }
}

#[test]
fn flow_hooks_are_arity_checked_too() {
    load_error(&with_opts("flow", "post: |s| 1"), "bad-arity");
    load_error(&with_opts("batch_flow", "prep: || []"), "bad-arity");
}

#[tokio::test]
async fn captured_variables_do_not_count_as_parameters() {
    let s = shared(
        r#"
        let k = 10;
        let suffix = "!";
        let a = node("a", #{
            exec: |p| k + 1,
            post: |shared, p, e| { shared.r = `${e}${suffix}`; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["r"], json!("11!"));
}

#[tokio::test]
async fn script_functions_as_hooks() {
    let src = r#"
        fn load_it(shared) { shared.input * 2 }
        fn work(x, params) { x + params.add }
        fn save(shared, p, e) { shared.out = e; "done" }
        fn rescue(p, err) { "rescued " + err }
        fn broken(x) { throw "bad" }
        let a = node("a", #{ prep: Fn("load_it"), exec: Fn("work"), post: Fn("save") });
        let b = node("b", #{ exec: Fn("broken"), fallback: Fn("rescue"), post: |shared, p, e| { shared.b = e; } });
        a - "done" >> b;
        flow("main", a, #{ params: #{ add: 1 } })
    "#;
    let (outcome, _) = run_with(src, json!({"input": 20})).await;
    assert_eq!(outcome.result, Ok("default".to_string()));
    assert_eq!(
        outcome.shared,
        json!({"input": 20, "out": 41, "b": "rescued bad"})
    );
}

#[tokio::test]
async fn script_function_hooks_read_the_input() {
    let src = r#"
        fn load_it(shared) { shared.input * 2 }
        fn work(x, params) { x + params.add }
        fn save(shared, p, e) { shared.out = e; }
        let a = node("a", #{ prep: Fn("load_it"), exec: Fn("work"), post: Fn("save") });
        flow("main", a, #{ params: #{ add: 1 } })
    "#;
    let (outcome, _) = run_with(src, json!({"input": 20})).await;
    assert_eq!(outcome.shared["out"], json!(41));
}

#[test]
fn script_function_with_the_wrong_arity_is_bad_arity() {
    let d = load_error(
        "fn five(a, b, c, d, e) { 1 }\nlet a = node(\"a\", #{ exec: Fn(\"five\") });\na",
        "bad-arity",
    );
    assert!(d.message.contains("5"), "{}", d.message);
    assert!(d.help.unwrap_or_default().contains("`five`"));
}

#[tokio::test]
async fn function_pointer_to_a_script_function_with_curry() {
    let s = shared(
        r#"
        fn add(n, x) { x + n }
        let a = node("a", #{
            prep: |shared| 1,
            exec: Fn("add").curry(100),
            post: |shared, p, e| { shared.r = e; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["r"], json!(101));
}

#[tokio::test]
async fn options_accept_unit_for_hooks() {
    // `exec: ()` is the same as leaving it out.
    let s = shared(
        r#"
        let a = node("a", #{ exec: (), post: |shared, p, e| { shared.e = type_of(e); } });
        a
    "#,
    )
    .await;
    assert_eq!(s["e"], json!("()"));
}

#[tokio::test]
async fn native_functions_as_hooks() {
    let s = shared(
        r#"
        let a = node("a", #{
            prep: |shared| "quiet",
            exec: Fn("to_upper"),
            post: |shared, p, e| { shared.r = e; },
        });
        a
    "#,
    )
    .await;
    assert_eq!(s["r"], json!("QUIET"));
}

#[tokio::test]
async fn a_hook_naming_no_function_fails_when_called() {
    let err = failure(
        r#"
        let a = node("a", #{ exec: Fn("no_such_hook") });
        a
    "#,
    )
    .await;
    assert!(err.message.contains("no_such_hook"), "{}", err.message);
    assert_eq!(err.path.as_deref(), Some("main/a"));
}

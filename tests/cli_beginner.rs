//! The mistakes a newcomer makes first, each caught with a clear word by `flowscript check`
//! (and so by `run` and the editor): a node left unwired, a misspelled constructor or host
//! function, a known function called with the wrong arguments, a hook with the wrong number of
//! parameters; and `check --set` counting a key as provided, as `run --set` does.

mod support;

use serde_json::Value;
use support::cli::flowscript;

/// `check --format json` on `src` (and `extra` flags): the diagnostics.
fn check(src: &str, extra: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("first.flow.rhai");
    std::fs::write(&path, src).expect("write");
    let out = flowscript()
        .arg("check")
        .arg(&path)
        .args(["--format", "json"])
        .args(extra)
        .output()
        .expect("check");
    serde_json::from_slice(&out.stdout).expect("a JSON array")
}

fn one<'a>(found: &'a [Value], code: &str) -> &'a Value {
    let hits: Vec<&Value> = found.iter().filter(|d| d["code"] == code).collect();
    assert_eq!(hits.len(), 1, "one {code} in {found:#?}");
    hits[0]
}

#[test]
fn a_node_left_unwired_is_an_unused_node_with_the_edge_to_add() {
    let found = check(
        r#"let parse = node("parse", #{ post: |shared, p, e| { shared.items = [1, 2]; } });
let total = node("total", #{ post: |shared, p, e| { shared.sum = 3; } });
flow("sum", parse)
"#,
        &[],
    );
    let d = one(&found, "unused-node");
    assert_eq!(d["severity"], "warning");
    assert_eq!(d["line"], 2);
    assert_eq!(
        d["message"],
        "node('total') is never used: no edge leads to or from this node and no flow starts with it"
    );
    assert!(
        d["help"]
            .as_str()
            .expect("help")
            .contains("`parse >> total`"),
        "{d}"
    );
    // Wired, it is not reported.
    let found = check(
        r#"let parse = node("parse", #{});
let total = node("total", #{});
parse >> total;
flow("sum", parse)
"#,
        &[],
    );
    assert!(
        found.iter().all(|d| d["code"] != "unused-node"),
        "{found:#?}"
    );
}

#[test]
fn a_misspelled_constructor_or_host_function_gets_a_did_you_mean() {
    let found = check("let a = nodes(\"a\", #{});\nflow(\"f\", a)\n", &[]);
    let d = one(&found, "script-error");
    assert_eq!(
        d["message"],
        "there is no function `nodes`: did you mean `node`? (called with (string, map))"
    );
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(9))
    );

    let found = check(
        "let a = node(\"a\", #{});\nlet f = flwo(\"f\", a);\nf\n",
        &[],
    );
    assert!(
        one(&found, "script-error")["message"]
            .as_str()
            .expect("message")
            .contains("did you mean `flow`?")
    );
}

#[test]
fn a_host_function_with_the_wrong_arguments_says_so_when_it_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("emit.flow.rhai");
    std::fs::write(
        &path,
        "let a = node(\"a\", #{ exec: |p| emit(\"saved\", 14) });\nflow(\"f\", a)\n",
    )
    .expect("write");
    let out = flowscript().arg("run").arg(&path).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("emit() cannot be called with (string, integer)"),
        "{err}"
    );
}

#[test]
fn a_hook_with_the_wrong_arity_reads_well() {
    let found = check(
        "let a = node(\"a\", #{ exec: |x, y, z| x });\nflow(\"f\", a)\n",
        &[],
    );
    let d = one(&found, "bad-arity");
    assert_eq!(
        d["message"],
        "the exec hook of this node() takes 3 parameter(s), but an exec hook takes 1 or 2"
    );
    // The span is the parameter list `|x, y, z|`, not the body.
    assert_eq!(
        (
            d["line"].as_u64(),
            d["column"].as_u64(),
            d["end_column"].as_u64()
        ),
        (Some(1), Some(28), Some(37)),
        "{d}"
    );
}

#[test]
fn check_set_counts_a_key_as_provided() {
    let src = "let a = node(\"a\", #{ prep: |shared| shared.name, post: |shared, p, e| { shared.out = p; } });\nflow(\"f\", a)\n";
    assert!(check(src, &[]).iter().any(|d| d["code"] == "unwritten-key"));
    assert!(
        check(src, &["--set", "name=Ada"])
            .iter()
            .all(|d| d["code"] != "unwritten-key")
    );
}

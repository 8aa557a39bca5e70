//! `flowscript run` through the real binary: stdout/stderr split, exit codes, error messages.

mod support;

use predicates::prelude::*;
use serde_json::{Value, json};
use support::cli::flowscript;
use tempfile::TempDir;

struct Script {
    dir: TempDir,
    path: std::path::PathBuf,
}

fn script(src: &str) -> Script {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("t.flow.rhai");
    std::fs::write(&path, src).expect("write script");
    Script { dir, path }
}

const GREET: &str = r#"
let greet = node("greet", #{
    prep: |shared| shared.name ?? "world",
    exec: |name| `hello ${name}`,
    post: |shared, p, e| { shared.greeting = e; print("printed to stderr"); },
});
flow("main", greet)
"#;

fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON value")
}

#[test]
fn run_prints_the_final_store_on_stdout_only() {
    let s = script(GREET);
    let out = flowscript().arg("run").arg(&s.path).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout_json(&out), json!({"greeting": "hello world"}));
    assert!(String::from_utf8_lossy(&out.stderr).contains("printed to stderr"));
}

#[test]
fn input_file_and_set_build_the_store() {
    let s = script(GREET);
    let input = s.dir.path().join("in.json");
    std::fs::write(&input, r#"{"name": "file", "keep": [1, 2]}"#).expect("write");
    let out = flowscript()
        .arg("run")
        .arg(&s.path)
        .arg("--input")
        .arg(&input)
        .args(["--set", "name=Ada", "--set", "n=3"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        stdout_json(&out),
        json!({"greeting": "hello Ada", "name": "Ada", "keep": [1, 2], "n": 3})
    );
}

#[test]
fn events_jsonl_streams_events_ending_with_run_finished() {
    let s = script(GREET);
    let out = flowscript()
        .arg("run")
        .arg(&s.path)
        .args(["--events", "jsonl"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is JSON"))
        .collect();
    let types: Vec<&str> = events
        .iter()
        .map(|e| e["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        types,
        [
            "run_started",
            "node_started",
            "node_started",
            "node_finished",
            "node_finished",
            "run_finished"
        ]
    );
    let seqs: Vec<u64> = events
        .iter()
        .map(|e| e["seq"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(seqs, (1..=6).collect::<Vec<_>>());
    let last = events.last().expect("events");
    assert_eq!(last["action"], "default");
    assert_eq!(last["shared"], json!({"greeting": "hello world"}));
}

#[test]
fn a_thrown_error_fails_the_run_with_its_location() {
    let s = script("let a = node(\"a\", #{ exec: |x| throw \"boom\" });\nflow(\"main\", a)\n");
    let out = flowscript().arg("run").arg(&s.path).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("boom"), "{err}");
    assert!(err.contains("t.flow.rhai:1:32"), "{err}");
    assert!(err.contains("main/a"), "{err}");
    assert_eq!(
        stdout_json(&out),
        json!({}),
        "the store as it stood is still printed"
    );

    let out = flowscript()
        .arg("run")
        .arg(&s.path)
        .args(["--events", "jsonl"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let last: Value = serde_json::from_str(stdout.lines().last().expect("lines")).expect("json");
    assert_eq!(last["type"], "run_failed");
    assert_eq!(last["error"], "boom");
    assert_eq!(last["path"], "main/a");
    assert_eq!(last["span"]["line"], 1);
}

#[test]
fn syntax_errors_name_file_line_and_column() {
    let s = script("let a = node(\"a\", #{ exec: |x| { x + ; } });\n");
    flowscript()
        .arg("run")
        .arg(&s.path)
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains("syntax"))
        .stderr(predicate::str::contains("t.flow.rhai:1:38"))
        .stderr(predicate::str::contains("x + ;"));
}

#[test]
fn unknown_options_suggest_the_right_key() {
    let s = script("let a = node(\"a\", #{ retires: 3 });\nflow(\"main\", a)\n");
    flowscript()
        .arg("run")
        .arg(&s.path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown option `retires`"))
        .stderr(predicate::str::contains("did you mean `retries`?"))
        .stderr(predicate::str::contains("t.flow.rhai:1:22"));
}

#[test]
fn bad_option_values_and_labels_are_load_errors() {
    let s = script(
        "let a = node(\"a\", #{ retries: 0 });\nlet b = node(\"b\");\na - 3 >> b;\nflow(\"main\", a)\n",
    );
    flowscript()
        .arg("run")
        .arg(&s.path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid-option-value"))
        .stderr(predicate::str::contains("invalid-label"))
        .stderr(predicate::str::contains("t.flow.rhai:3:5"))
        .stderr(predicate::str::contains("2 errors"));
}

#[test]
fn a_script_without_an_entry_is_a_load_error() {
    let s = script("let a = node(\"a\");\n");
    flowscript()
        .arg("run")
        .arg(&s.path)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must end with its entry"));
}

#[test]
fn missing_files_and_bad_input_are_usage_errors() {
    flowscript()
        .args(["run", "/nonexistent/x.flow.rhai"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read /nonexistent/x.flow.rhai",
        ));

    let s = script(GREET);
    let bad = s.dir.path().join("bad.json");
    std::fs::write(&bad, "{\"a\": 1,}").expect("write");
    flowscript()
        .arg("run")
        .arg(&s.path)
        .arg("--input")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("bad.json:1:9: invalid JSON"));

    let arr = s.dir.path().join("arr.json");
    std::fs::write(&arr, "[1]").expect("write");
    flowscript()
        .arg("run")
        .arg(&s.path)
        .arg("--input")
        .arg(&arr)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("must be a JSON object"));

    flowscript()
        .arg("run")
        .arg(&s.path)
        .args(["--set", "novalue"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected key=value"));

    flowscript().args(["run"]).assert().code(2);
}

#[test]
fn warnings_go_to_stderr_and_the_run_goes_on() {
    let s = script(
        r#"
let a = node("a", #{ post: |shared, p, e| "other" });
let b = node("b");
let c = node("c");
a - "x" >> b;
a - "x" >> c;
flow("main", a)
"#,
    );
    let out = flowscript().arg("run").arg(&s.path).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("overwritten-edge"), "{err}");
    assert!(err.contains("unmatched-action"), "{err}");
    assert_eq!(stdout_json(&out), json!({}));
}

#[test]
fn max_steps_fails_the_run_naming_the_node() {
    let s = script(
        r#"
let a = node("a", #{ post: |shared, p, e| "again" });
a - "again" >> a;
flow("main", a, #{ max_steps: 3 })
"#,
    );
    flowscript()
        .arg("run")
        .arg(&s.path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains("max_steps (3)"))
        .stderr(predicate::str::contains("main/a"));
}

//! `flowscript check`: every load diagnostic, rustc-style or as JSON, exit 1 on errors; the
//! examples check clean.

mod support;

use predicates::prelude::*;
use serde_json::Value;
use support::cli::flowscript;

const BROKEN: &str = r#"let a = node("a", #{ retires: 3, exec: |x| x });
let b = node("b", #{ post: |a, b| () });
a - 3 >> b;
a - "x" >> b;
a - "x" >> a;
flow("main", a)
"#;

fn broken() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.flow.rhai");
    std::fs::write(&path, BROKEN).expect("write");
    (dir, path)
}

#[test]
fn the_examples_check_clean() {
    let scripts: Vec<_> = std::fs::read_dir("scripts")
        .expect("scripts/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.to_string_lossy().ends_with(".flow.rhai"))
        .collect();
    assert!(scripts.len() >= 6);
    flowscript()
        .arg("check")
        .args(&scripts)
        .assert()
        .success()
        .stderr(predicate::str::contains(format!(
            "ok: 0 errors, 0 warnings in {} files",
            scripts.len()
        )));
}

#[test]
fn human_output_shows_snippets_help_and_a_summary() {
    let (_dir, path) = broken();
    flowscript()
        .arg("check")
        .arg(&path)
        .assert()
        .code(1)
        .stdout("")
        .stderr(predicate::str::contains("unknown option `retires`"))
        .stderr(predicate::str::contains("did you mean `retries`?"))
        .stderr(predicate::str::contains("broken.flow.rhai:1:22"))
        .stderr(predicate::str::contains("bad-arity"))
        .stderr(predicate::str::contains("invalid-label"))
        .stderr(predicate::str::contains("overwritten-edge"))
        .stderr(predicate::str::contains(
            "failed: 3 errors, 2 warnings in 1 file",
        ));
}

#[test]
fn json_output_is_one_array_of_located_diagnostics() {
    let (_dir, path) = broken();
    let out = flowscript()
        .arg("check")
        .arg(&path)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).expect("one JSON array");
    let codes: Vec<&str> = all
        .iter()
        .map(|d| d["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        [
            "unknown-option",
            "bad-arity",
            "invalid-label",
            "overwritten-edge",
            "dead-edge"
        ]
    );
    let first = &all[0];
    assert_eq!(first["severity"], "error");
    assert_eq!(first["line"], 1);
    assert_eq!(first["column"], 22);
    assert_eq!(first["end_line"], 1);
    assert_eq!(first["end_column"], 29);
    assert_eq!(first["help"], "did you mean `retries`?");
    assert!(
        first["file"]
            .as_str()
            .unwrap_or("")
            .ends_with("broken.flow.rhai")
    );
    assert_eq!(all[3]["severity"], "warning");
    assert_eq!(all[3]["line"], 5);
}

#[test]
fn a_missing_comma_is_reported_where_it_belongs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("comma.flow.rhai");
    // Rhai notices at `wait` (line 4); the comma belongs after `2 // two` on line 3.
    let src = "let a = node(\"a\", #{\n    exec: |x| x,\n    retries: 2 // two\n\n    wait: 1,\n});\nflow(\"main\", a)\n";
    std::fs::write(&path, src).expect("write");
    let out = flowscript()
        .arg("check")
        .arg(&path)
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let all: Vec<Value> = serde_json::from_slice(&out.stdout).expect("one JSON array");
    assert_eq!(all.len(), 1, "{all:?}");
    let d = &all[0];
    assert_eq!(d["code"], "syntax");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(3), Some(15))
    );
    let message = d["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("missing ','") && message.contains("object map"),
        "{message}"
    );
}

#[test]
fn unreadable_files_and_bad_input_are_usage_errors() {
    flowscript()
        .args(["check", "/nonexistent.flow.rhai"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "cannot read /nonexistent.flow.rhai",
        ));
    let (dir, path) = broken();
    let bad = dir.path().join("in.json");
    std::fs::write(&bad, "{").expect("write");
    flowscript()
        .arg("check")
        .arg(&path)
        .arg("--input")
        .arg(&bad)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("invalid JSON"));
    flowscript().arg("check").assert().code(2);
}

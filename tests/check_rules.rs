//! One fixture per diagnostic code under `tests/check/`: each rule fires on its fixture, with
//! the human rendering and the JSON snapshotted; errors exit 1, warnings alone exit 0.

mod support;

use flowscript_runtime::{Code, Severity};
use serde_json::Value;
use support::cli::flowscript;

/// Every code `check` can report, with whether it is an error: the runtime's one table of codes
/// (the language server's own codes have no fixture).
fn rules() -> impl Iterator<Item = (&'static str, bool)> {
    Code::ALL
        .iter()
        .filter(|c| !c.editor_only())
        .map(|c| (c.as_str(), c.severity() == Severity::Error))
}

fn check(path: &str, format: &str) -> std::process::Output {
    flowscript()
        .args(["check", path, "--format", format])
        .output()
        .expect("run flowscript check")
}

#[test]
fn every_rule_fires_on_its_fixture() {
    for (rule, is_error) in rules() {
        let path = format!("tests/check/{rule}.flow.rhai");
        let json = check(&path, "json");
        assert_eq!(json.status.code(), Some(i32::from(is_error)), "{rule}");
        let found: Vec<Value> = serde_json::from_slice(&json.stdout).expect("a JSON array");
        let d = found
            .iter()
            .find(|d| d["code"] == rule)
            .unwrap_or_else(|| panic!("{rule} did not fire: {found:#?}"));
        let severity = if is_error { "error" } else { "warning" };
        assert_eq!(d["severity"], severity, "{rule}");
        assert_eq!(d["file"], path.as_str());
        assert!(
            d["line"].as_u64() > Some(1),
            "{rule}: located below the comment"
        );
        assert!(
            (d["end_line"].as_u64(), d["end_column"].as_u64())
                > (d["line"].as_u64(), d["column"].as_u64()),
            "{rule}: a range, not a point: {d}"
        );
        insta::assert_json_snapshot!(format!("{rule}.json"), found);

        let human = check(&path, "human");
        assert_eq!(human.status.code(), json.status.code(), "{rule}");
        assert!(
            human.stdout.is_empty(),
            "{rule}: human output goes to stderr"
        );
        let text = String::from_utf8(human.stderr).expect("utf-8");
        assert!(text.contains(&format!("{rule}\n")), "{rule}: {text}");
        insta::assert_snapshot!(format!("{rule}.human"), text);
    }
}

#[test]
fn docs_check_md_lists_every_code_with_its_severity() {
    let doc = std::fs::read_to_string("docs/check.md").expect("docs/check.md");
    let rows: Vec<(String, String)> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| {
            let (code, rest) = l.split_once("` | ")?;
            let severity = rest.split(" |").next()?;
            Some((code.to_string(), severity.to_string()))
        })
        .collect();
    let table: Vec<(String, String)> = Code::ALL
        .iter()
        .map(|c| {
            let severity = match c.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            (c.as_str().to_string(), severity.to_string())
        })
        .collect();
    assert_eq!(
        rows, table,
        "docs/check.md's code table, in the order of Code::ALL"
    );
}

#[test]
fn every_fixture_names_its_rule_first() {
    let mut fixtures: Vec<String> = std::fs::read_dir("tests/check")
        .expect("tests/check")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    fixtures.sort();
    let mut expected: Vec<String> = rules().map(|(r, _)| format!("{r}.flow.rhai")).collect();
    expected.sort();
    assert_eq!(fixtures, expected, "one fixture per rule, nothing else");
    for (rule, _) in rules() {
        let text = std::fs::read_to_string(format!("tests/check/{rule}.flow.rhai")).expect("read");
        assert!(text.starts_with(&format!("// {rule}: ")), "{rule}");
    }
}

#[test]
fn input_keys_count_as_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in.json");
    std::fs::write(&input, r#"{"artcle": "given"}"#).expect("write");
    let out = flowscript()
        .args([
            "check",
            "tests/check/unwritten-key.flow.rhai",
            "--format",
            "json",
        ])
        .arg("--input")
        .arg(&input)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "[]");
}

#[test]
fn run_stops_on_validation_errors_with_the_same_rendering() {
    let run = flowscript()
        .args(["run", "tests/check/not-an-array.flow.rhai"])
        .output()
        .expect("run");
    assert_eq!(run.status.code(), Some(2));
    assert!(run.stdout.is_empty());
    let check = check("tests/check/not-an-array.flow.rhai", "human");
    let run_err = String::from_utf8_lossy(&run.stderr);
    let check_err = String::from_utf8_lossy(&check.stderr);
    let report = check_err.split("failed:").next().unwrap_or("");
    assert!(report.contains("not-an-array"));
    assert!(run_err.starts_with(report), "{run_err}");
}

#[test]
fn run_prints_and_emits_warnings_and_goes_on() {
    let out = flowscript()
        .args([
            "run",
            "tests/check/dead-edge.flow.rhai",
            "--events",
            "jsonl",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("dead-edge"));
    let events: Vec<Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(events[0]["type"], "warning");
    assert_eq!(events[0]["code"], "dead-edge");
    assert_eq!(events[0]["span"]["line"], 12);
    assert_eq!(events[1]["type"], "run_started");
    assert_eq!(events.last().expect("events")["type"], "run_finished");
}

//! Warnings once each: a warning found while running that repeats one found while loading is
//! not printed again on stderr (its event stays, marked `repeat`), and with `--events jsonl`
//! warnings reach stderr exactly as without it.

mod support;

use serde_json::Value;
use support::cli::flowscript;

/// `a`'s post returns "x", which has no edge: found while loading, and again while running.
const PREDICTED: &str = r#"let a = node("a", #{ post: |shared, p, e| "x" });
let b = node("b");
a - "y" >> b;
flow("main", a)
"#;

/// The action is computed: only the run can find it unmatched.
const COMPUTED: &str = r#"let a = node("a", #{ post: |shared, p, e| shared.next ?? "z" });
let b = node("b");
a - "y" >> b;
flow("main", a)
"#;

fn run(src: &str, events: bool) -> (String, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("w.flow.rhai");
    std::fs::write(&path, src).expect("write");
    let mut cmd = flowscript();
    cmd.arg("run").arg(&path);
    if events {
        cmd.args(["--events", "jsonl"]);
    }
    let out = cmd.output().expect("run");
    assert!(out.status.success(), "{out:?}");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The `unmatched-action` warning events on stdout.
fn warning_events(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).expect("a JSON line"))
        .filter(|e| e["type"] == "warning" && e["code"] == "unmatched-action")
        .collect()
}

#[test]
fn a_predicted_warning_is_printed_once_and_its_repeat_is_marked() {
    for events in [false, true] {
        let (stdout, stderr) = run(PREDICTED, events);
        assert_eq!(
            stderr.matches("unmatched-action").count(),
            1,
            "once on stderr (events: {events}):\n{stderr}"
        );
        assert!(stderr.contains("post of 'a' can return \"x\""), "{stderr}");
        assert!(!stderr.contains("returned action"), "{stderr}");
        if events {
            let warnings = warning_events(&stdout);
            assert_eq!(warnings.len(), 2, "{warnings:#?}");
            assert!(warnings[0].get("repeat").is_none(), "{}", warnings[0]);
            assert_eq!(warnings[1]["repeat"], true, "{}", warnings[1]);
            assert_eq!(warnings[1]["path"], "main/a");
        }
    }
}

#[test]
fn a_warning_only_the_run_finds_reaches_stderr_with_or_without_events() {
    for events in [false, true] {
        let (stdout, stderr) = run(COMPUTED, events);
        assert!(
            stderr.contains("warning[unmatched-action]: 'a' returned action \"z\""),
            "events: {events}:\n{stderr}"
        );
        if events {
            let warnings = warning_events(&stdout);
            assert_eq!(warnings.len(), 1);
            assert!(warnings[0].get("repeat").is_none());
        }
    }
}

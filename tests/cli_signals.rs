//! Ctrl-C and SIGTERM during `flowscript run` cancel in-flight work, flush
//! `run_failed {error: "cancelled"}` and exit 130.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const SLOW: &str = r#"
let wait = parallel("wait", #{
    prep: |shared| [1, 2, 3],
    exec: |x| { sleep(30); x },
    post: |shared, p, e| { shared.done = true; },
});
let spin = node("spin", #{ exec: |x| { let n = 0; loop { n += 1; } } });
let both = branches("both", #{ wait: wait, spin: spin });
flow("main", both)
"#;

fn interrupt_with(signal: &str) {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("slow.flow.rhai");
    std::fs::write(&script, SLOW).expect("write");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("flowscript"))
        .arg("run")
        .arg(&script)
        .args(["--events", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // Wait until the work is in flight: the spinning node and the sleeping items have started.
    let mut seen = Vec::new();
    while !seen
        .iter()
        .any(|l: &String| l.contains("main/both/spin/spin"))
    {
        seen.push(lines.next().expect("an event").expect("utf-8"));
    }
    std::thread::sleep(Duration::from_millis(100));
    let t0 = Instant::now();
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(status.success());
    let rest: Vec<String> = lines.map(|l| l.expect("utf-8")).collect();
    let exit = child.wait().expect("wait");
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t0.elapsed()
    );
    assert_eq!(exit.code(), Some(130), "{signal}");
    let last: serde_json::Value =
        serde_json::from_str(rest.last().expect("a last event")).expect("json");
    assert_eq!(last["type"], "run_failed");
    assert_eq!(last["error"], "cancelled");
    assert_eq!(last["shared"], serde_json::json!({}));
}

#[test]
fn ctrl_c_cancels_the_run_and_exits_130() {
    interrupt_with("-INT");
}

#[test]
fn sigterm_cancels_the_run_and_exits_130() {
    interrupt_with("-TERM");
}

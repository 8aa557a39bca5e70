//! Resource bounds as an attacker tests them, through the binary (fixtures in
//! `tests/hostile/limits`): every limit is an error naming the limit and the line, in every
//! mode; the process stays within its address space (it runs under `ulimit -v`, above the
//! `memory` limit's worst overshoot); deep values never overflow a stack; durations no clock
//! holds are errors, not panics or hangs.

#![cfg(unix)]

mod support;

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use support::hostile::{flat, store};

/// Address space the process may use: far more than any of these needs, far less than the
/// unbounded versions of these scripts took before they were bounded.
const ADDRESS_SPACE_KIB: u64 = 16 * 1024 * 1024;

fn fixture(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile/limits")
        .join(name)
        .display()
        .to_string()
}

/// `flowscript ARGS` under `ulimit -v`, with a generous wall-clock bound.
fn bounded(args: &[&str]) -> Output {
    let bin = assert_cmd::cargo::cargo_bin("flowscript");
    let t0 = Instant::now();
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!(
            "ulimit -v {ADDRESS_SPACE_KIB} && exec \"$0\" \"$@\""
        ))
        .arg(bin)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("runs");
    assert!(
        t0.elapsed() < Duration::from_secs(60),
        "{args:?} took {:?}",
        t0.elapsed()
    );
    out
}

fn err(out: &Output) -> String {
    flat(&String::from_utf8_lossy(&out.stderr))
}

/// The process ended by itself with `code` (no signal, no abort) and said `needle`.
fn fails_with(out: &Output, code: i32, needle: &str) {
    assert_eq!(out.status.code(), Some(code), "{}", err(out));
    assert!(
        err(out).contains(needle),
        "expected {needle:?} in:\n{}",
        err(out)
    );
}

#[test]
fn the_top_level_is_bounded_in_check_graph_and_run() {
    const TIME: &str = "while building the graph";
    let cases: [(&str, &[&str]); 7] = [
        ("top_doubling.flow.rhai", &["the `string` limit is 16MiB"]),
        ("top_pad.flow.rhai", &["the `string` limit is 16MiB"]),
        ("top_blob.flow.rhai", &["the `array` limit is 1000000"]),
        ("top_split.flow.rhai", &["the `array` limit is 1000000"]),
        ("top_sort.flow.rhai", &[TIME]),
        // However far the loop gets in the time allowed, the captured value is refused.
        ("deep_top.flow.rhai", &[TIME, "more than 128 levels deep"]),
        ("print_flood.flow.rhai", &[TIME]),
    ];
    for (file, needles) in cases {
        let path = fixture(file);
        for (cmd, code) in [("check", 1), ("graph", 1), ("run", 2)] {
            let out = bounded(&[cmd, &path]);
            assert_eq!(out.status.code(), Some(code), "{cmd} {file}: {}", err(&out));
            assert!(
                needles.iter().any(|n| err(&out).contains(n)),
                "{cmd} {file}: expected one of {needles:?} in:\n{}",
                err(&out)
            );
        }
    }
    // The line is named.
    let out = bounded(&["check", "--format", "json", &fixture("top_pad.flow.rhai")]);
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(found[0]["line"], 3, "{found}");
}

#[test]
fn hooks_fail_their_node_at_a_limit_naming_it_and_the_line() {
    // Hooks run without the engine's per-value checks (they made every method call on a big
    // array walk it); what they allocate is bounded by `memory`, and the runtime's own builders
    // check `string` and `array` first.
    for file in ["hook_string.flow.rhai", "hook_array.flow.rhai"] {
        let out = bounded(&["run", &fixture(file), "--limit", "memory=512MiB"]);
        fails_with(&out, 1, "the `memory` limit is 512MiB");
        assert!(err(&out).contains(&format!("{file}:3:")), "{}", err(&out));
    }
    let out = bounded(&["run", &fixture("hook_pad.flow.rhai")]);
    fails_with(&out, 1, "the `string` limit is 16MiB");
    let out = bounded(&[
        "run",
        &fixture("hook_pad.flow.rhai"),
        "--limit",
        "string=1GiB",
    ]);
    fails_with(&out, 1, "the `string` limit is 1GiB");
}

#[test]
fn deep_values_are_errors_where_they_leave_a_hook_and_safe_inside_it() {
    fails_with(
        &bounded(&["run", &fixture("deep_store.flow.rhai")]),
        1,
        "shared.v: the value nests arrays, maps or closures more than 128 levels deep",
    );
    fails_with(
        &bounded(&["run", &fixture("deep_return.flow.rhai")]),
        1,
        "exec of 'deep' returned a value that nests",
    );
    let out = bounded(&["run", &fixture("deep_local.flow.rhai")]);
    assert_eq!(out.status.code(), Some(0), "{}", err(&out));
    let result = &store(&out)["result"];
    assert!(result[0].as_i64().is_some_and(|n| n > 1000), "{result}");
    assert_eq!(
        result[1],
        "cannot compare values nested more than 256 levels deep"
    );
}

#[test]
fn durations_no_clock_holds_are_errors() {
    let out = bounded(&[
        "check",
        "--format",
        "json",
        &fixture("timeout_huge.flow.rhai"),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let found: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let codes: Vec<(&str, i64)> = found
        .as_array()
        .expect("array")
        .iter()
        .map(|d| {
            (
                d["code"].as_str().unwrap_or(""),
                d["line"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [("invalid-option-value", 2), ("invalid-option-value", 3)]
    );
    for seconds in ["1e300", "9000000000000000000", "-1", "31536001"] {
        let out = bounded(&[
            "run",
            &fixture("sleep_huge.flow.rhai"),
            "--set",
            &format!("seconds={seconds}"),
        ]);
        fails_with(
            &out,
            1,
            "sleep() takes a number of seconds from 0 to 31536000",
        );
    }
}

fn spawn_sorting() -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("flowscript"))
        .args([
            "run",
            &fixture("sort_forever.flow.rhai"),
            "--events",
            "jsonl",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn")
}

#[test]
fn a_sort_callback_honours_the_timeout_and_signals() {
    let t0 = Instant::now();
    let out = bounded(&["run", &fixture("sort_timeout.flow.rhai")]);
    fails_with(&out, 1, "exec of 'sorter' timed out after 1s");
    assert!(
        t0.elapsed() < Duration::from_secs(10),
        "took {:?}",
        t0.elapsed()
    );

    for signal in ["-INT", "-TERM"] {
        use std::io::BufRead;
        let mut child = spawn_sorting();
        let mut lines = std::io::BufReader::new(child.stdout.take().expect("stdout")).lines();
        while !lines
            .next()
            .expect("an event")
            .expect("utf-8")
            .contains("\"sorting\"")
        {}
        std::thread::sleep(Duration::from_millis(200));
        let t0 = Instant::now();
        let killed = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill");
        assert!(killed.success());
        let status = child.wait().expect("wait");
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "{signal} took {:?}",
            t0.elapsed()
        );
        assert_eq!(status.code(), Some(130), "{signal}");
    }
}

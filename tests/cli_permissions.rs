//! `flowscript run` permission flags through the real binary: effects are denied by default with
//! an error naming the flag (exit 1), and `--allow-read[=paths]` or `-A` allow them.

mod support;

use serde_json::{Value, json};
use support::cli::flowscript;
use tempfile::TempDir;

/// A script that reads `shared.path` into `shared.text`, and a data file beside it.
struct Fixture {
    dir: TempDir,
    script: std::path::PathBuf,
    data: std::path::PathBuf,
}

const READER: &str = r#"
let read = node("read", #{
    prep: |shared| shared.path,
    exec: |path| fs::read(path),
    post: |shared, p, text| { shared.text = text; },
});
flow("main", read)
"#;

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("read.flow.rhai");
    std::fs::write(&script, READER).expect("write script");
    let data = dir.path().join("data.txt");
    std::fs::write(&data, "some data").expect("write data");
    Fixture { dir, script, data }
}

fn run(f: &Fixture, flags: &[&str]) -> std::process::Output {
    flowscript()
        .arg("run")
        .arg(&f.script)
        .arg("--set")
        .arg(format!("path={}", f.data.display()))
        .args(flags)
        .output()
        .expect("run")
}

fn stdout_json(out: &std::process::Output) -> Value {
    serde_json::from_slice(&out.stdout).expect("stdout is one JSON value")
}

#[test]
fn fs_read_is_denied_without_allow_read() {
    let f = fixture();
    let out = run(&f, &[]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("needs read permission"), "{stderr}");
    assert!(stderr.contains("--allow-read"), "{stderr}");
    assert!(stdout_json(&out).get("text").is_none());
}

#[test]
fn allow_read_allows_it() {
    let f = fixture();
    let out = run(&f, &["--allow-read"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout_json(&out)["text"], json!("some data"));
}

#[test]
fn allow_read_scoped_to_a_directory() {
    let f = fixture();
    let inside = format!("--allow-read={}", f.dir.path().display());
    let out = run(&f, &[&inside]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout_json(&out)["text"], json!("some data"));

    let elsewhere = tempfile::tempdir().expect("tempdir");
    let outside = format!("--allow-read={}", elsewhere.path().display());
    let out = run(&f, &[&outside]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("--allow-read={}", f.data.display())),
        "{stderr}"
    );
}

#[test]
fn allow_all_allows_it() {
    let f = fixture();
    let out = run(&f, &["-A"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout_json(&out)["text"], json!("some data"));
}

#[test]
fn other_flags_do_not_allow_reading() {
    let f = fixture();
    let out = run(&f, &["--allow-write", "--allow-run", "--allow-env"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--allow-read"));
}

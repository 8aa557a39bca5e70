//! The process's own I/O under attack, through the binary: a signal at any moment of an
//! `fs::write` over an existing file leaves the old file or the complete new one (never a
//! mix, never an empty file), and a closed stdout or stderr ends the process quietly instead of
//! a panic.

#![cfg(unix)]

mod support;

use std::process::{Command, Stdio};
use std::time::Duration;

use support::hostile::Tree;

const OLD: &str = "the old contents, which must survive any interruption\n";
const SIZE: usize = 48 << 20;

/// Start overwriting `target` with `SIZE` bytes, send `signal` after `delay`, and return what
/// the file holds afterwards and which temporary files are left beside it.
fn interrupted_write(tree: &Tree, signal: &str, delay: Duration) -> (Vec<u8>, Vec<String>) {
    let dir = tree.path("out");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let target = dir.join("target.txt");
    std::fs::write(&target, OLD).expect("write");
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("flowscript"))
        .arg("run")
        .arg(tree.path("fs/big_write.flow.rhai"))
        .args(["--set", &format!("path={}", target.display())])
        .args(["--set", &format!("size={SIZE}")])
        .args(["--limit", "string=64MiB"])
        .arg(format!("--allow-write={}", dir.display()))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    std::thread::sleep(delay);
    let _ = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status();
    child.wait().expect("wait");
    let left = std::fs::read_dir(&dir)
        .expect("read_dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter(|n| n != "target.txt")
        .collect();
    (
        std::fs::read(&target).expect("the target still exists"),
        left,
    )
}

#[test]
fn a_signal_at_any_moment_leaves_the_old_file_or_the_new_one() {
    let tree = Tree::new();
    let mut outcomes = (0, 0);
    for signal in ["-KILL", "-TERM", "-INT"] {
        for ms in [0, 30, 100, 250, 600, 1500] {
            let (bytes, left) = interrupted_write(&tree, signal, Duration::from_millis(ms));
            if bytes == OLD.as_bytes() {
                outcomes.0 += 1;
            } else {
                assert_eq!(bytes.len(), SIZE, "{signal} after {ms} ms: a partial file");
                assert!(
                    bytes.iter().all(|&b| b == b'x'),
                    "{signal} after {ms} ms: mixed bytes"
                );
                outcomes.1 += 1;
            }
            // Only SIGKILL can leave the temporary file behind; the others clean up.
            if signal != "-KILL" {
                assert!(left.is_empty(), "{signal} after {ms} ms left {left:?}");
            }
            for name in &left {
                assert!(name.ends_with(".flowscript-tmp"), "unexpected file {name}");
                let _ = std::fs::remove_file(tree.path("out").join(name));
            }
        }
    }
    // Interruptions landed both before the rename and after it.
    assert!(outcomes.0 > 0 && outcomes.1 > 0, "{outcomes:?}");
}

/// Run `script` under bash and return the flowscript command's exit status and its stderr.
fn shell(script: &str, args: &[&str]) -> (i32, String) {
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin("flowscript"))
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("bash");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let status = stdout
        .lines()
        .find_map(|l| l.strip_prefix("status="))
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(-1);
    (status, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[test]
fn a_closed_stdout_or_stderr_ends_the_process_quietly() {
    let tree = Tree::new();
    let hello = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/hello.flow.rhai");
    let hello = hello.to_str().expect("utf-8");
    // A store far bigger than a pipe holds, so the writer sees the reader go.
    let big = tree.path("big.json");
    let name = "n".repeat(1 << 20);
    std::fs::write(&big, format!("{{\"name\": \"{name}\"}}")).expect("write");
    let big = big.to_str().expect("utf-8");
    for (script, args) in [
        (
            r#""$0" graph "$1" | true; echo "status=${PIPESTATUS[0]}""#,
            vec![hello],
        ),
        (
            r#""$0" check --format json "$1" | true; echo "status=${PIPESTATUS[0]}""#,
            vec![hello],
        ),
        (
            r#""$0" run "$1" --input "$2" | head -c 10 >/dev/null; echo "status=${PIPESTATUS[0]}""#,
            vec![hello, big],
        ),
        (
            r#""$0" run "$1" --input "$2" --events jsonl | head -c 10 >/dev/null; echo "status=${PIPESTATUS[0]}""#,
            vec![hello, big],
        ),
        (r#""$0" run "$1" >&-; echo "status=$?""#, vec![hello]),
    ] {
        let (status, stderr) = shell(script, &args);
        assert!(!stderr.contains("panicked"), "{script}: {stderr}");
        assert!(
            matches!(status, 0 | 1),
            "{script}: status {status}, {stderr}"
        );
    }
    // stderr closed while the script prints and the run fails.
    let failing = tree.path("limits/hook_string.flow.rhai");
    let (status, _) = shell(
        r#""$0" run "$1" 2>&-; echo "status=$?""#,
        &[failing.to_str().expect("utf-8")],
    );
    assert_eq!(status, 1);
    let flood = tree.path("limits/print_flood.flow.rhai");
    let (status, _) = shell(
        r#""$0" check "$1" 2>&-; echo "status=$?""#,
        &[flood.to_str().expect("utf-8")],
    );
    assert_eq!(status, 1);
}

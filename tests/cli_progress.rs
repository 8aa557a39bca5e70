//! `flowscript run`'s live progress: on a terminal (a real pseudo-terminal, through util-linux
//! `script`) the running node and a bar of a parallel node's items are drawn on stderr and a
//! summary line stays; not when stderr is not a terminal (unless `--progress always`), and
//! never with `--events` or `--progress never`.

#![cfg(unix)]

mod support;

use std::process::Command;

use support::cli::flowscript;

// Item 7 fails both its attempts: one retry, then it fails for good (collected).
const FLOW: &str = r#"let load = node("load", #{ exec: |p| { sleep(0.2); 1 } });
let each = parallel("each", #{
    concurrency: 4,
    retries: 2,
    on_error: "collect",
    prep: |shared| { let a = []; for i in 0..20 { a.push(i); } a },
    exec: |x| { sleep(0.1); if x == 7 { throw "seven"; } x * 2 },
    post: |shared, p, r| { shared.out = r.len(); },
});
load >> each;
flow("main", load)
"#;

fn script_file() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("progress.flow.rhai");
    std::fs::write(&path, FLOW).expect("write");
    (dir, path)
}

/// Run `flowscript run FILE FLAGS` on a pseudo-terminal; everything the terminal showed.
fn on_terminal(flags: &str) -> String {
    let (dir, path) = script_file();
    let screen = dir.path().join("screen.txt");
    let bin = assert_cmd::cargo::cargo_bin("flowscript");
    let command = format!("{} run {} {flags}", bin.display(), path.display());
    let status = Command::new("timeout")
        .args(["60", "script", "-qec", &command])
        .arg(&screen)
        .env("NO_COLOR", "1")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .status()
        .expect("script(1)");
    assert!(status.success(), "{status}");
    std::fs::read_to_string(&screen).expect("the screen")
}

#[test]
fn on_a_terminal_the_running_node_and_a_bar_of_items_show_then_a_summary() {
    let screen = on_terminal("");
    assert!(screen.contains("running main/load"), "{screen}");
    assert!(
        screen.contains("main/each ["),
        "the parallel node's bar: {screen}"
    );
    assert!(screen.contains("/20 items"), "{screen}");
    assert!(
        screen.contains(" in flight"),
        "items in flight on the bar: {screen}"
    );
    assert!(
        screen.contains("in flight, 1 retries"),
        "the bar counts retries: {screen}"
    );
    assert!(
        screen.contains("1 failed"),
        "the bar counts failures: {screen}"
    );
    assert!(
        screen.contains("finished in ") && screen.contains("20 items, 1 retries, 1 items failed"),
        "the summary line: {screen}"
    );
    assert!(
        screen.contains("\"out\": 20"),
        "the store still prints: {screen}"
    );
}

#[test]
fn events_or_never_turn_it_off_on_a_terminal() {
    for flags in ["--events jsonl", "--progress never"] {
        let screen = on_terminal(flags);
        assert!(!screen.contains("items"), "{flags}: {screen}");
        assert!(!screen.contains("finished in "), "{flags}: {screen}");
    }
}

#[test]
fn off_a_terminal_only_always_shows_it() {
    let (_dir, path) = script_file();
    let quiet = flowscript().arg("run").arg(&path).output().expect("run");
    assert!(quiet.status.success());
    assert!(
        String::from_utf8_lossy(&quiet.stderr).is_empty(),
        "{quiet:?}"
    );
    let forced = flowscript()
        .arg("run")
        .arg(&path)
        .args(["--progress", "always"])
        .output()
        .expect("run");
    assert!(forced.status.success());
    let err = String::from_utf8_lossy(&forced.stderr);
    assert!(
        err.contains("finished in ") && err.contains("20 items"),
        "{err}"
    );
    assert_eq!(
        String::from_utf8_lossy(&forced.stdout).trim(),
        "{\n  \"out\": 20\n}"
    );
}

//! (docs/host.md) `process::run(args[, #{cwd, stdin}])` with real processes: output and status
//! (non-zero is returned, not thrown), stdin and cwd, `--allow-run` checks, bad arguments, no
//! effect at the top level, and the child killed when the exec times out or the run is cancelled.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use flowscript_runtime::CancellationToken;
use flowscript_runtime::{Grant, Permissions};
use serde_json::json;
use support::host::*;

fn run_all() -> Permissions {
    Permissions {
        run: Grant::All,
        ..Permissions::default()
    }
}

#[tokio::test]
async fn echo_returns_status_stdout_and_stderr() {
    let store = ok_store(
        &exec_script(r#"process::run(["echo", "hello", "world"])"#),
        json!({}),
        run_all(),
    )
    .await;
    assert_eq!(
        store["out"],
        json!({"status": 0, "stdout": "hello world\n", "stderr": ""})
    );
}

#[tokio::test]
async fn a_non_zero_status_is_returned_not_thrown() {
    let store = ok_store(
        &exec_script(r#"process::run(["sh", "-c", "echo out; echo err >&2; exit 3"])"#),
        json!({}),
        run_all(),
    )
    .await;
    assert_eq!(
        store["out"],
        json!({"status": 3, "stdout": "out\n", "stderr": "err\n"})
    );
}

#[tokio::test]
async fn stdin_is_fed_to_the_program() {
    let big = "line\n".repeat(200_000); // 1 MB: more than a pipe buffer each way
    let store = ok_store(
        &exec_script(r#"process::run(["cat"], #{stdin: x})"#),
        json!({"arg": big}),
        run_all(),
    )
    .await;
    assert_eq!(store["out"]["status"], 0);
    assert_eq!(store["out"]["stdout"], json!(big));
    // Without `stdin`, the program reads an empty input rather than waiting on ours.
    let store = ok_store(
        &exec_script(r#"process::run(["cat"])"#),
        json!({}),
        run_all(),
    )
    .await;
    assert_eq!(store["out"]["stdout"], "");
}

/// `--allow-run` with reading the given folder allowed.
fn run_in(dir: &Path) -> Permissions {
    Permissions {
        read: Grant::Only(vec![dir.display().to_string()]),
        ..run_all()
    }
}

#[tokio::test]
async fn cwd_sets_the_working_directory() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = ok_store(
        &exec_script(r#"process::run(["pwd"], #{cwd: x})"#),
        json!({"arg": dir.path().display().to_string()}),
        run_in(dir.path()),
    )
    .await;
    let printed = store["out"]["stdout"]
        .as_str()
        .expect("stdout")
        .trim()
        .to_string();
    assert_eq!(
        Path::new(&printed).canonicalize().expect("pwd"),
        dir.path().canonicalize().expect("dir")
    );
    let msg = err_message(
        &exec_script(r#"process::run(["pwd"], #{cwd: x})"#),
        json!({"arg": "/no/such/dir"}),
        Permissions {
            read: Grant::All,
            ..run_all()
        },
    )
    .await;
    assert!(
        msg.contains("cwd \"/no/such/dir\" is not a directory"),
        "{msg}"
    );
}

#[tokio::test]
async fn cwd_needs_read_permission_for_that_folder() {
    let dir = tempfile::tempdir().expect("tempdir");
    let src = exec_script(r#"process::run(["pwd"], #{cwd: x})"#);
    let input = json!({"arg": dir.path().display().to_string()});
    let msg = err_message(&src, input.clone(), run_all()).await;
    assert!(msg.contains("with cwd"), "{msg}");
    assert!(msg.contains("needs read permission"), "{msg}");
    // A link inside the granted folder to a folder outside it does not widen the grant.
    let granted = tempfile::tempdir().expect("tempdir");
    let link = granted.path().join("out");
    std::os::unix::fs::symlink(dir.path(), &link).expect("symlink");
    let msg = err_message(
        &src,
        json!({"arg": link.display().to_string()}),
        run_in(granted.path()),
    )
    .await;
    assert!(msg.contains("needs read permission"), "{msg}");
}

#[tokio::test]
async fn running_needs_allow_run_scoped_by_program() {
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("ran");
    let src = exec_script(r#"process::run(["touch", x])"#);
    let input = json!({"arg": marker.display().to_string()});
    let msg = err_message(&src, input.clone(), Permissions::default()).await;
    assert!(msg.contains("needs run permission"), "{msg}");
    assert!(msg.contains("--allow-run"), "{msg}");
    assert!(!marker.exists(), "a denied program ran");

    let only_echo = Permissions {
        run: Grant::Only(vec!["echo".into()]),
        ..Permissions::default()
    };
    let msg = err_message(&src, input, only_echo.clone()).await;
    assert!(msg.contains("--allow-run=touch"), "{msg}");
    assert!(!marker.exists(), "a denied program ran");
    let store = ok_store(
        &exec_script(r#"process::run(["echo", "ok"])"#),
        json!({}),
        only_echo,
    )
    .await;
    assert_eq!(store["out"]["stdout"], "ok\n");
}

#[tokio::test]
async fn a_missing_program_is_a_clear_error() {
    let msg = err_message(
        &exec_script(r#"process::run(["flowscript-no-such-program", "x"])"#),
        json!({}),
        run_all(),
    )
    .await;
    assert!(
        msg.contains("process::run(): program \"flowscript-no-such-program\" not found"),
        "{msg}"
    );
}

#[tokio::test]
async fn bad_arguments_are_clear_errors() {
    let cases = [
        (r#"process::run("echo hi")"#, "takes an array of strings"),
        (r#"process::run([])"#, "found []"),
        (
            r#"process::run(["echo", 5])"#,
            "args[1] must be a string, found i64 5",
        ),
        (r#"process::run(["echo"], "x")"#, "takes options as a map"),
        (
            r#"process::run(["echo"], #{cwdd: "/"})"#,
            "unknown option `cwdd`",
        ),
        (
            r#"process::run(["cat"], #{stdin: 5})"#,
            "option `stdin` must be a string",
        ),
    ];
    for (call, expected) in cases {
        let msg = err_message(&exec_script(call), json!({}), run_all()).await;
        assert!(msg.contains(expected), "{call}: {msg}");
    }
}

#[test]
fn process_at_the_top_level_is_diagnosed_and_not_performed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let marker = dir.path().join("ran");
    let lit = serde_json::to_string(&marker.display().to_string()).expect("literal");
    let src = format!("let a = node(\"a\");\nprocess::run([\"touch\", {lit}]);\nflow(\"main\", a)");
    let (codes, loaded) = load_codes(&src);
    assert!(!loaded);
    assert_eq!(codes, ["effect-at-top-level"]);
    assert!(!marker.exists(), "the top-level process ran");
}

/// Whether `pid` is a live process (a zombie awaiting its parent's reaping counts as dead).
fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat
            .rsplit_once(')')
            .is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Wait (up to `limit`) for `pid` to die.
fn dies_within(pid: u32, limit: Duration) -> bool {
    let t0 = Instant::now();
    while t0.elapsed() < limit {
        if !alive(pid) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

/// A node that records the child's pid in `shared.pidfile` and then sleeps 5 s as that process.
const SLEEPER: &str = r#"
let a = node("a", #{
    timeout: TIMEOUT,
    prep: |shared| shared.pidfile,
    exec: |pidfile| process::run(["sh", "-c", `echo $$ > ${pidfile}; exec sleep 5`]),
    post: |shared, p, e| { shared.out = e; },
});
a
"#;

fn read_pid(path: &Path) -> u32 {
    std::fs::read_to_string(path)
        .expect("the child wrote its pid")
        .trim()
        .parse()
        .expect("a pid")
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timed_out_exec_kills_the_process_promptly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    let src = SLEEPER.replace("TIMEOUT", "0.5");
    let t0 = Instant::now();
    let (outcome, _) = run_as(
        &src,
        json!({"pidfile": pidfile.display().to_string()}),
        run_all(),
    )
    .await;
    let elapsed = t0.elapsed();
    let err = outcome.result.expect_err("the exec timed out");
    assert!(err.message.contains("timed out"), "{}", err.message);
    assert!(elapsed < Duration::from_secs(3), "took {elapsed:?}");
    let pid = read_pid(&pidfile);
    assert!(
        dies_within(pid, Duration::from_secs(2)),
        "sleep (pid {pid}) still runs"
    );
}

#[cfg(target_os = "linux")]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_run_kills_the_process() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pidfile = dir.path().join("pid");
    let src = SLEEPER.replace("timeout: TIMEOUT,", "");
    let cancel = CancellationToken::new();
    let trigger = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(500)).await;
        trigger.cancel();
    });
    let t0 = Instant::now();
    let input = json!({"pidfile": pidfile.display().to_string()});
    let (outcome, _) = run_full(&src, input, run_all(), cancel).await;
    let err = outcome.result.expect_err("cancelled");
    assert!(err.cancelled, "{err:?}");
    assert!(
        t0.elapsed() < Duration::from_secs(3),
        "took {:?}",
        t0.elapsed()
    );
    let pid = read_pid(&pidfile);
    assert!(
        dies_within(pid, Duration::from_secs(2)),
        "sleep (pid {pid}) still runs"
    );
}

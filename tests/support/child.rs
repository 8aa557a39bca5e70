//! What the tests that drive a browser or an editor share: running a child to completion
//! within a time limit, reading both of its pipes while it runs, and ending it (its process
//! group first, with SIGTERM) when it takes too long.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Run `cmd` within `limit`, returning its stdout; panics (with both outputs) on failure.
pub fn run(mut cmd: Command, what: &str, limit: Duration, hint: &str) -> String {
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}: {hint}"));
    let stdout = child.stdout.take().expect("stdout");
    let stderr = child.stderr.take().expect("stderr");
    // Read both pipes while waiting, so a chatty child never blocks on a full pipe.
    let out = std::thread::spawn(move || std::io::read_to_string(stdout).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(stderr).unwrap_or_default());
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        if started.elapsed() > limit {
            // SIGTERM first: the script's handler ends Chromium's process group.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(3));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = out.join().unwrap_or_default();
    let err = err.join().unwrap_or_default();
    println!("--- {what}: stdout\n{out}\n--- {what}: stderr\n{err}");
    match status {
        None => panic!("{what} did not finish in {limit:?}:\n{out}\n{err}"),
        Some(s) if !s.success() => panic!("{what} failed ({s}):\n{out}\n{err}"),
        Some(_) => out,
    }
}

//! `input()` under `flowscript run`: on a terminal the question is asked on stderr and the line
//! typed answers it (driven through a real pseudo-terminal by util-linux `script`); with stdin
//! not a terminal the run fails saying who could answer.

#![cfg(unix)]

mod support;

use std::process::{Command, Stdio};

use support::cli::flowscript;

const ASKING: &str = r#"
let ask = node("ask", #{
    exec: |p| [input("Approve?"), input("Why?", #{ key: "why" })],
    post: |shared, p, answers| { shared.answer = answers[0]; shared.why = answers[1]; },
});
flow("asking", ask)
"#;

#[test]
fn on_a_terminal_the_typed_lines_answer_the_questions_in_turn() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("asking.flow.rhai");
    std::fs::write(&script, ASKING).expect("write");
    let bin = assert_cmd::cargo::cargo_bin("flowscript");
    let command = format!("{} run {}", bin.display(), script.display());
    // `script` runs the command on a new pseudo-terminal and types our stdin into it.
    let out = Command::new("timeout")
        .args(["60", "script", "-qec", &command, "/dev/null"])
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            use std::io::Write;
            child
                .stdin
                .take()
                .expect("stdin")
                .write_all(b"yes please\nit reads well\n")?;
            child.wait_with_output()
        })
        .expect("run under script(1)");
    let text = String::from_utf8_lossy(&out.stdout).replace('\r', "");
    assert!(
        out.status.success(),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("Approve?"), "the question is shown: {text}");
    assert!(
        text.contains("Why?"),
        "the second question is shown: {text}"
    );
    assert!(text.contains(r#""answer": "yes please""#), "{text}");
    assert!(text.contains(r#""why": "it reads well""#), "{text}");
}

#[test]
fn without_a_terminal_input_fails_saying_who_could_answer() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = dir.path().join("asking.flow.rhai");
    std::fs::write(&script, ASKING).expect("write");
    let out = flowscript()
        .arg("run")
        .arg(&script)
        .write_stdin("")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(r#"input("Approve?") has no one to answer it"#),
        "{err}"
    );
    assert!(
        err.contains("asking.flow.rhai:3:"),
        "the call is located: {err}"
    );
}

//! `flowscript serve` driven by real client libraries, as applications use it: Python's
//! `httpx` + `httpx-sse` reading a run's events over two connections (resuming with
//! `Last-Event-ID`), and the official `openai` SDK calling `/v1`. The libraries are pinned in
//! `tests/serve/clients/requirements.txt` and installed by `tests/install-tools` into
//! `target/serve-clients-venv`; these tests fail, never skip, without them.

#![cfg(unix)]

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::serve::{Server, fixture};

fn python() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target"),
        PathBuf::from,
    );
    target.join("serve-clients-venv/bin/python")
}

/// Run `tests/serve/clients/SCRIPT BASE` with the clients' Python; its stdout.
fn client_script(script: &str, server: &Server) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/serve/clients")
        .join(script);
    let out = Command::new("timeout")
        .arg("60")
        .arg(python())
        .arg(&path)
        .arg(&server.base)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}: run tests/install-tools", python().display()));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{script} failed ({}):\n{stdout}\n{stderr}\nserver:\n{}",
        out.status,
        server.stderr()
    );
    println!("{stdout}");
    stdout
}

#[test]
fn httpx_sse_resumes_with_last_event_id_and_gets_exactly_the_missed_events() {
    let server = Server::with_args(&[fixture("chatty")]);
    let out = client_script("sse_resume.py", &server);
    assert!(out.contains("ok: 10 + "), "{out}");
}

#[test]
fn the_openai_sdk_completes_streams_and_raises_its_own_errors() {
    let server = Server::with_args(&[fixture("echo")]);
    let out = client_script("openai_sdk.py", &server);
    assert!(out.contains("4 errors raised"), "{out}");
}

#[test]
fn the_openapi_document_is_valid_openapi() {
    let server = Server::with_args(&[fixture("echo")]);
    let out = client_script("openapi_check.py", &server);
    assert!(out.contains("ok: a valid OpenAPI 3.1.0 document"), "{out}");
}

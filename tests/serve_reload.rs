//! `flowscript serve --reload`: an edited script is served without a restart, a version that
//! no longer loads is reported and the last good one keeps serving, and a renamed entry flow
//! moves to its new name.

#![cfg(unix)]

mod support;

use std::time::{Duration, Instant};

use serde_json::json;
use support::serve::{Server, bounded, client, status_and_json};

fn script(flow: &str, word: &str) -> String {
    format!(
        "let hi = node(\"hi\", #{{ post: |shared, p, e| {{ shared.word = \"{word}\"; }} }});\nflow(\"{flow}\", hi)\n"
    )
}

/// Run `flow` and return its `shared.word` (or the error code).
async fn word(server: &Server, flow: &str) -> String {
    let url = server.url(&format!("/flows/{flow}/runs"));
    let (_, body) = status_and_json(
        client()
            .post(url)
            .json(&json!({}))
            .send()
            .await
            .expect("request"),
    )
    .await;
    body["shared"]["word"]
        .as_str()
        .or(body["error"]["code"].as_str())
        .unwrap_or_default()
        .to_string()
}

/// Wait (bounded) until `check` holds.
async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let t0 = Instant::now();
    while !check().await {
        assert!(t0.elapsed() < Duration::from_secs(20), "never: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Replace the file the way editors save: a new file renamed over the old one.
fn save(path: &std::path::Path, text: &str) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, text).expect("write");
    std::fs::rename(&tmp, path).expect("rename");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_are_served_broken_versions_are_not_and_renames_move() {
    bounded(async {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("greet.flow.rhai");
        std::fs::write(&path, script("greet", "one")).expect("write");
        let server = Server::with_args(&[path.display().to_string(), "--reload".into()]);
        assert_eq!(word(&server, "greet").await, "one");

        save(&path, &script("greet", "two"));
        eventually("the edit is served", async || {
            word(&server, "greet").await == "two"
        })
        .await;

        save(
            &path,
            "let broken = node(\"x\", #{ exec: |x| x + });\nflow(\"greet\", broken)\n",
        );
        eventually("the load error is reported", async || {
            server.stderr().contains("no longer loads")
        })
        .await;
        assert!(
            server.stderr().contains("greet.flow.rhai:1:"),
            "{}",
            server.stderr()
        );
        assert_eq!(
            word(&server, "greet").await,
            "two",
            "the last good version serves"
        );

        save(&path, &script("hello", "three"));
        eventually("the renamed flow is served", async || {
            word(&server, "hello").await == "three"
        })
        .await;
        assert_eq!(word(&server, "greet").await, "flow_not_found");
        assert!(
            server.stderr().contains("serving flow `hello`"),
            "{}",
            server.stderr()
        );
    })
    .await;
}

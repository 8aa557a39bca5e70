//! The web console of `flowscript serve` (docs/serve.md, "Web console"): its files as HTTP
//! serves them (types, caching, the Content-Security-Policy, 404s), the `graph` map that lets
//! it colour the drawing, and the page itself in headless Chromium (`tests/serve/console.mjs`,
//! playwright-core and Debian's chromium from `tests/install-tools`; screenshots of every step
//! under `target/console-screenshots/`). Fixtures are in `tests/serve/console/`. The browser
//! test fails, never skips, when the tools are missing.

#![cfg(unix)]

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use serde_json::Value;
use support::serve::{Server, bounded, client};

const INSTALL_HINT: &str =
    "run `tests/install-tools` (Debian's chromium, playwright-core in tests/vscode/node_modules)";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Serve every flow of `tests/serve/console/`.
fn console_server() -> Server {
    let dir = root().join("tests/serve/console");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/serve/console")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".flow.rhai"))
        .map(|p| p.display().to_string())
        .collect();
    files.sort();
    assert!(files.len() >= 3, "fixtures: {files:?}");
    Server::with_args(&files)
}

/// GET `path`, with `If-None-Match: etag` when given.
async fn get(server: &Server, path: &str, etag: Option<&str>) -> reqwest::Response {
    let mut request = client().get(server.url(path));
    if let Some(tag) = etag {
        request = request.header("If-None-Match", tag);
    }
    request.send().await.expect("GET")
}

fn header(r: &reqwest::Response, name: &str) -> String {
    r.headers()
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

#[tokio::test]
async fn the_console_files_are_served_with_their_types_a_csp_and_etags() {
    bounded(async {
        let server = console_server();
        for (path, ctype, needle) in [
            ("/", "text/html", "<title>flowscript console</title>"),
            ("/console/console.js", "text/javascript", "RunView"),
            ("/console/console.css", "text/css", "--finished"),
            ("/console/mermaid.min.js", "text/javascript", "mermaid"),
        ] {
            let r = get(&server, path, None).await;
            assert_eq!(r.status(), 200, "{path}");
            assert!(header(&r, "content-type").starts_with(ctype), "{path}");
            let csp = header(&r, "content-security-policy");
            for part in [
                "default-src 'none'",
                "script-src 'self'",
                "connect-src 'self'",
            ] {
                assert!(csp.contains(part), "{path}: CSP {csp}");
            }
            assert_eq!(header(&r, "x-content-type-options"), "nosniff");
            assert_eq!(header(&r, "cache-control"), "no-cache", "{path}");
            let etag = header(&r, "etag");
            assert!(
                etag.starts_with('"') && etag.ends_with('"'),
                "{path}: {etag}"
            );
            let body = r.text().await.expect("body");
            assert!(body.contains(needle), "{path} lacks {needle}");
            // A current copy is not sent again.
            let again = get(&server, path, Some(&etag)).await;
            assert_eq!(again.status(), 304, "{path} revalidated");
            assert_eq!(header(&again, "etag"), etag);
        }
        let page = get(&server, "/", None).await.text().await.expect("page");
        assert!(
            !page.contains("http://") && !page.contains("https://"),
            "{page}"
        );
        for missing in ["/console/nope.js", "/console/..%2Fmod.rs", "/console/"] {
            let r = get(&server, missing, None).await;
            assert_eq!(r.status(), 404, "{missing}");
            let body: Value = r.json().await.expect("a JSON error");
            assert_eq!(body["error"]["code"], "not_found", "{missing}");
        }
        let post = client().post(server.url("/")).send().await.expect("POST /");
        assert_eq!(post.status(), 405);
    })
    .await;
}

#[tokio::test]
async fn a_flow_maps_its_nodes_to_the_drawing() {
    bounded(async {
        let server = console_server();
        let r = get(&server, "/flows/steps", None).await;
        assert_eq!(r.status(), 200);
        let flow: Value = r.json().await.expect("JSON");
        let graph = &flow["graph"];
        let mermaid = flow["mermaid"].as_str().expect("mermaid");
        let nodes = graph["nodes"].as_array().expect("nodes");
        let names: Vec<&str> = nodes.iter().filter_map(|n| n["name"].as_str()).collect();
        assert_eq!(names, ["greet", "count", "done", "steps"], "{graph}");
        for n in nodes {
            let id = n["id"].as_str().expect("id");
            assert!(
                mermaid.contains(&format!("{id}[")),
                "{id} is drawn: {mermaid}"
            );
        }
        let entry = nodes
            .iter()
            .find(|n| n["id"] == graph["entry"])
            .expect("the entry is a node");
        assert_eq!(entry["name"], "steps");
        assert_eq!(entry["kind"], "flow");
        // The entry's sub-run reaches its three nodes, in walk order.
        let reach: Vec<&str> = entry["reach"]
            .as_array()
            .expect("reach")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert_eq!(reach, ["n0", "n1", "n2"]);
        assert!(
            nodes[0].get("reach").is_none(),
            "a plain node reaches nothing"
        );

        // A branches node lists its branches, each with what it reaches.
        let flow: Value = get(&server, "/flows/nested", None)
            .await
            .json()
            .await
            .expect("JSON");
        let nodes = flow["graph"]["nodes"].as_array().expect("nodes");
        let id_of = |name: &str| {
            nodes
                .iter()
                .find(|n| n["name"] == name)
                .and_then(|n| n["id"].as_str())
                .unwrap_or_else(|| panic!("no {name}"))
                .to_string()
        };
        let both = nodes.iter().find(|n| n["name"] == "both").expect("both");
        assert_eq!(both["kind"], "branches");
        assert!(both.get("reach").is_none());
        let branches: Vec<(String, Vec<String>)> = both["branches"]
            .as_array()
            .expect("branches")
            .iter()
            .map(|b| {
                let reach = b["reach"].as_array().expect("reach");
                let ids = reach.iter().filter_map(Value::as_str).map(String::from);
                (b["name"].as_str().unwrap_or("").to_string(), ids.collect())
            })
            .collect();
        assert!(
            branches.contains(&("research".into(), vec![id_of("research")])),
            "{branches:?}"
        );
        assert!(
            branches.contains(&("draft".into(), vec![id_of("outline")])),
            "{branches:?}"
        );
        // The batch flow reaches its node; a breadcrumb's `[i]` is an item of it.
        let each = nodes.iter().find(|n| n["name"] == "each").expect("each");
        assert_eq!(each["reach"], serde_json::json!([id_of("translate")]));
    })
    .await;
}

/// Where the screenshots go: `target/console-screenshots` (under `CARGO_TARGET_DIR` if set).
fn screenshot_dir() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    tmp.parent().unwrap_or(tmp).join("console-screenshots")
}

#[test]
fn the_console_runs_flows_in_headless_chromium() {
    let harness = root().join("tests/vscode/node_modules/playwright-core/package.json");
    assert!(harness.is_file(), "no playwright-core: {INSTALL_HINT}");
    assert!(
        Path::new("/usr/bin/chromium").is_file() || std::env::var_os("CHROMIUM").is_some(),
        "no /usr/bin/chromium: {INSTALL_HINT}"
    );
    let server = console_server();
    // Only this run's screenshots: a step that no longer exists leaves no stale picture.
    let _ = std::fs::remove_dir_all(screenshot_dir());
    let mut cmd = Command::new("node");
    cmd.arg(root().join("tests/serve/console.mjs"))
        .arg(&server.base)
        .env("CONSOLE_SCREENSHOT_DIR", screenshot_dir())
        .current_dir(root());
    let out = support::child::run(
        cmd,
        "the console in Chromium",
        Duration::from_secs(240),
        INSTALL_HINT,
    );
    assert!(
        out.contains(" passed, 0 failed"),
        "{out}\n--- server\n{}",
        server.stderr()
    );
}

//! In-process protocol tests: JSON-RPC messages through the tower-lsp-server service, as an
//! editor would send them.

use std::time::Duration;

use serde_json::{Value, json};

use flowscript_lsp::harness;

const URI: &str = "file:///tmp/demo.flow.rhai";

const SCRIPT: &str = r#"let load = node("load", #{
    retires: 3,
    post: |shared, p, e| { shared.files = e; "done" },
});
let report = node("report", #{ exec: |x| fs::read(x) });
load - "done" >> report;
flow("main", load)
"#;

struct Client(harness::Client);

impl Client {
    async fn start() -> Self {
        let mut c = Client(harness::Client::start());
        let init = c
            .request("initialize", json!({"capabilities": {}, "processId": null}))
            .await;
        assert!(
            init["capabilities"]["completionProvider"].is_object(),
            "{init}"
        );
        c.notify("initialized", json!({})).await;
        c
    }

    async fn request(&mut self, method: &'static str, params: Value) -> Value {
        self.0.request(method, params).await.expect("a result")
    }

    async fn notify(&mut self, method: &'static str, params: Value) {
        self.0.notify(method, params).await;
    }

    /// The next publishDiagnostics notification.
    async fn diagnostics(&mut self) -> Value {
        let wait = self.0.notification("textDocument/publishDiagnostics");
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .expect("diagnostics within 10 s")
            .expect("server alive")
    }

    async fn open(&mut self, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "flowscript", "version": 1, "text": text}}),
        )
        .await;
    }
}

fn at(line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
}

fn labels(resp: &Value) -> Vec<String> {
    resp.as_array()
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i["label"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_session_through_every_method() {
    let mut c = Client::start().await;
    c.open(SCRIPT).await;

    let diags = c.diagnostics().await;
    assert_eq!(diags["version"], 1);
    let first = &diags["diagnostics"][0];
    assert_eq!(first["code"], "unknown-option", "{diags}");
    assert_eq!(first["range"]["start"], json!({"line": 1, "character": 4}));
    assert_eq!(first["range"]["end"], json!({"line": 1, "character": 11}));

    // Completion of option keys in the map of node("load", #{ … }), at the start of line 2.
    let resp = c.request("textDocument/completion", at(2, 4)).await;
    let l = labels(&resp);
    assert!(l.contains(&"retries".to_string()), "{l:?}");
    assert!(!l.contains(&"concurrency".to_string()), "{l:?}");

    // Hover on `load` in `load - "done"`.
    let resp = c.request("textDocument/hover", at(5, 1)).await;
    let md = resp["contents"]["value"].as_str().unwrap_or_default();
    assert!(md.contains("**node** `load`"), "{md}");
    assert!(md.contains("→ `report`"), "{md}");

    // Definition of `report` in `>> report`.
    let resp = c.request("textDocument/definition", at(5, 18)).await;
    assert_eq!(
        resp["range"]["start"],
        json!({"line": 4, "character": 4}),
        "{resp}"
    );

    let resp = c
        .request(
            "textDocument/documentSymbol",
            json!({"textDocument": {"uri": URI}}),
        )
        .await;
    assert_eq!(resp[0]["name"], "main", "{resp}");
    let children: Vec<_> = resp[0]["children"]
        .as_array()
        .map(|c| c.iter().map(|s| s["name"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(children, [json!("load"), json!("report")]);

    let resp = c
        .request(
            "textDocument/codeAction",
            json!({"textDocument": {"uri": URI},
                   "range": {"start": {"line": 1, "character": 6}, "end": {"line": 1, "character": 6}},
                   "context": {"diagnostics": []}}),
        )
        .await;
    let edit = &resp[0]["edit"]["changes"][URI][0];
    assert_eq!(edit["newText"], "retries", "{resp}");
    assert_eq!(resp[0]["kind"], "quickfix");

    let resp = c
        .request("flowscript/graph", json!({"textDocument": {"uri": URI}}))
        .await;
    let mermaid = resp["mermaid"].as_str().unwrap_or_default();
    assert!(mermaid.starts_with("flowchart"), "{mermaid}");
    assert!(mermaid.contains("report"), "{mermaid}");
    assert_eq!(resp["stale"], false, "{resp}");
    // Each drawn node with its id in the drawing and its constructor's place.
    let report = resp["nodes"]
        .as_array()
        .and_then(|nodes| nodes.iter().find(|n| n["name"] == "report"))
        .cloned()
        .unwrap_or_default();
    assert!(mermaid.contains(&format!("{}[", report["id"].as_str().unwrap_or("?"))));
    assert_eq!(report["kind"], "node", "{resp}");
    assert_eq!(
        report["range"]["start"],
        json!({"line": 4, "character": 13})
    );
    assert_eq!(resp["entry"]["name"], "main", "{resp}");
    assert_eq!(
        resp["entry"]["range"]["start"],
        json!({"line": 6, "character": 0})
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stale_versions_are_dropped_and_broken_lines_still_complete() {
    let mut c = Client::start().await;
    c.open(SCRIPT).await;
    let _ = c.diagnostics().await;
    // Two quick edits: only the last version's diagnostics are published.
    for (version, text) in [
        (2, SCRIPT.replace("retires", "retries")),
        (3, format!("{SCRIPT}let broken = ;\n")),
    ] {
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version},
                   "contentChanges": [{"text": text}]}),
        )
        .await;
    }
    let diags = c.diagnostics().await;
    assert_eq!(diags["version"], 3, "{diags}");
    assert_eq!(diags["diagnostics"][0]["code"], "syntax", "{diags}");
    // Completion after `load - "` on a new line still knows the actions.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 4},
               "contentChanges": [{"text": format!("{SCRIPT}let broken = ;\nload - \"")}]}),
    )
    .await;
    let resp = c.request("textDocument/completion", at(9, 8)).await;
    assert_eq!(labels(&resp), ["done"], "{resp}");
    // The preview keeps the last good graph, marked stale.
    let resp = c
        .request("flowscript/graph", json!({"textDocument": {"uri": URI}}))
        .await;
    assert_eq!(resp["stale"], true, "{resp}");
    assert!(
        resp["mermaid"].as_str().unwrap_or("").contains("report"),
        "{resp}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_documents_do_not_hang_the_server() {
    let mut c = Client::start().await;
    let huge = "let a = node(\"a\", #{ retries: 1 });\n".repeat(150_000);
    for (version, text) in [
        (
            1,
            "let a = node(\"a\");\nloop { }\nflow(\"main\", a)\n".to_string(),
        ),
        (2, huge),
    ] {
        let t = std::time::Instant::now();
        c.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": URI, "languageId": "flowscript", "version": version, "text": text}}),
        )
        .await;
        let resp = c.request("textDocument/completion", at(0, 0)).await;
        assert!(labels(&resp).contains(&"node".to_string()));
        let _ = c.request("textDocument/hover", at(0, 9)).await;
        assert!(
            t.elapsed() < Duration::from_secs(2),
            "requests took {:?}",
            t.elapsed()
        );
        let diags = c.diagnostics().await;
        assert!(
            !diags["diagnostics"].as_array().is_none_or(Vec::is_empty),
            "{diags:.300}"
        );
    }
}

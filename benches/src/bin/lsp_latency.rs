//! Language-server latency on a generated 2,000-line script, through the in-process service:
//! after each edit (`didChange`), the time until `publishDiagnostics` arrives (minus the fixed
//! debounce) and the time of a completion request sent right after the edit.
//!
//! Targets (issue 5): diagnostics p95 ≤ 50 ms, completion p95 ≤ 10 ms. Prints p50/p95 and one
//! JSON line; `--iterations N` (default 40).

use std::time::{Duration, Instant};

use flowscript_lsp::server::{self, Backend};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;

const URI: &str = "file:///bench/big.flow.rhai";
/// The server waits this long for more typing before analysing (see `server::did_change`).
const DEBOUNCE: Duration = Duration::from_millis(150);

/// A script of 2,003 lines: 286 five-line nodes, wired in a chain with labelled edges.
fn script(variant: usize) -> (String, u32, u32) {
    let mut s = String::new();
    let n = 286;
    for i in 0..n {
        let retries = if i == n / 2 { variant % 5 + 1 } else { 2 };
        s.push_str(&format!(
            "let n{i} = node(\"n{i}\", #{{\n    retries: {retries},\n    exec: |x| x + {i},\n    post: |shared, p, e| {{ shared.k{i} = e; if e > 3 {{ return \"big\"; }} \"small\" }},\n}});\n"
        ));
    }
    for i in 0..n - 1 {
        s.push_str(&format!("n{i} - \"small\" >> n{};\n", i + 1));
        s.push_str(&format!("n{i} - \"big\" >> end;\n"));
    }
    s.push_str(&format!(
        "n{0} - \"big\" >> end;\nn{0} - \"small\" >> end;\n",
        n - 1
    ));
    s.push_str("flow(\"main\", n0)\n");
    // Complete at the start of the `exec` line of the middle node: option keys.
    let line = (n / 2) as u32 * 5 + 2;
    (s, line, 4)
}

struct Client {
    service: LspService<Backend>,
    notes: mpsc::UnboundedReceiver<(String, Value)>,
    id: i64,
}

impl Client {
    async fn call(&mut self, method: &'static str, params: Value, notify: bool) -> Option<Value> {
        let mut b = Request::build(method).params(params);
        if !notify {
            self.id += 1;
            b = b.id(self.id);
        }
        let svc = self.service.ready().await.ok()?;
        let resp = svc.call(b.finish()).await.ok()??;
        resp.into_parts().1.ok()
    }

    async fn diagnostics(&mut self, version: i64) -> Value {
        loop {
            let (method, params) = self.notes.recv().await.expect("server alive");
            if method == "textDocument/publishDiagnostics" && params["version"] == version {
                return params;
            }
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let iterations: usize = std::env::args()
        .skip_while(|a| a != "--iterations")
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let (service, socket) = server::service();
    let (tx, notes) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut socket = socket;
        while let Some(req) = socket.next().await {
            let (method, _, params) = req.into_parts();
            let _ = tx.send((method.to_string(), params.unwrap_or(Value::Null)));
        }
    });
    let mut c = Client {
        service,
        notes,
        id: 0,
    };
    c.call("initialize", json!({"capabilities": {}}), false)
        .await;
    c.call("initialized", json!({}), true).await;
    let (text, line, character) = script(0);
    let lines = text.lines().count();
    c.call(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "flowscript", "version": 1, "text": text}}),
        true,
    )
    .await;
    let first = c.diagnostics(1).await;
    assert!(
        first["diagnostics"].as_array().is_some_and(Vec::is_empty),
        "{first}"
    );

    let mut diag_ms = Vec::new();
    let mut completion_ms = Vec::new();
    for k in 0..iterations {
        let version = k as i64 + 2;
        let (text, _, _) = script(k + 1);
        let edited = Instant::now();
        c.call(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}),
            true,
        )
        .await;
        let t = Instant::now();
        let items = c
            .call(
                "textDocument/completion",
                json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
                false,
            )
            .await
            .unwrap_or(Value::Null);
        completion_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let labels: Vec<&str> = items
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["label"].as_str()).collect())
            .unwrap_or_default();
        assert!(labels.contains(&"timeout"), "{labels:?}");
        c.diagnostics(version).await;
        diag_ms.push((edited.elapsed().saturating_sub(DEBOUNCE)).as_secs_f64() * 1e3);
    }
    diag_ms.sort_by(f64::total_cmp);
    completion_ms.sort_by(f64::total_cmp);
    let (d50, d95) = (percentile(&diag_ms, 0.5), percentile(&diag_ms, 0.95));
    let (c50, c95) = (
        percentile(&completion_ms, 0.5),
        percentile(&completion_ms, 0.95),
    );
    println!("script: {lines} lines, {iterations} edits");
    println!(
        "diagnostics after an edit (minus the {} ms debounce): p50 {d50:.2} ms, p95 {d95:.2} ms (target 50)",
        DEBOUNCE.as_millis()
    );
    println!("completion after an edit: p50 {c50:.2} ms, p95 {c95:.2} ms (target 10)");
    // Where the diagnostics time goes: the runtime's load versus the lexical outline.
    let (text, _, _) = script(1);
    let runtime = flowscript_runtime::Runtime::with_limits(flowscript_lsp::analysis::EDITOR_LIMITS);
    let mut load_ms = Vec::new();
    let mut quick_ms = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        let loaded = runtime.load("big.flow.rhai", &text);
        load_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(!loaded.has_errors());
        let t = Instant::now();
        let _ = flowscript_lsp::analysis::Analysis::quick("big.flow.rhai", &text, None);
        quick_ms.push(t.elapsed().as_secs_f64() * 1e3);
    }
    load_ms.sort_by(f64::total_cmp);
    quick_ms.sort_by(f64::total_cmp);
    println!(
        "of which: runtime load (compile + record + validate) p50 {:.2} ms; tokens + outline p50 {:.2} ms",
        percentile(&load_ms, 0.5),
        percentile(&quick_ms, 0.5)
    );
    println!(
        "{}",
        json!({"bench": "lsp_latency", "lines": lines, "edits": iterations,
               "diagnostics_ms": {"p50": d50, "p95": d95},
               "completion_ms": {"p50": c50, "p95": c95}})
    );
}

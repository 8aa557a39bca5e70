//! Language-server latency on a generated 2,000-line script, through the in-process service:
//! after each edit (`didChange`), the time until `publishDiagnostics` arrives (minus the fixed
//! debounce) and the time of a completion request sent right after the edit.
//!
//! Targets (issue 5): diagnostics p95 ≤ 50 ms, completion p95 ≤ 10 ms. Prints p50/p95 and one
//! JSON line; `--iterations N` (default 40).

use std::time::{Duration, Instant};

use flowscript_lsp::harness::Client;
use serde_json::{Value, json};

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

/// The next `publishDiagnostics` for `version` (older versions' are skipped).
async fn diagnostics(c: &mut Client, version: i64) -> Value {
    loop {
        let params = c
            .notification("textDocument/publishDiagnostics")
            .await
            .expect("server alive");
        if params["version"] == version {
            return params;
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
    let mut c = Client::start();
    c.request("initialize", json!({"capabilities": {}}))
        .await
        .expect("initialize");
    c.notify("initialized", json!({})).await;
    let (text, line, character) = script(0);
    let lines = text.lines().count();
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "flowscript", "version": 1, "text": text}}),
    )
    .await;
    let first = diagnostics(&mut c, 1).await;
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
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": URI, "version": version}, "contentChanges": [{"text": text}]}),
        )
        .await;
        let t = Instant::now();
        let items = c
            .request(
                "textDocument/completion",
                json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}}),
            )
            .await
            .unwrap_or(Value::Null);
        completion_ms.push(t.elapsed().as_secs_f64() * 1e3);
        let labels: Vec<&str> = items
            .as_array()
            .map(|a| a.iter().filter_map(|i| i["label"].as_str()).collect())
            .unwrap_or_default();
        assert!(labels.contains(&"timeout"), "{labels:?}");
        diagnostics(&mut c, version).await;
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
        let loaded = runtime.load_with(
            "big.flow.rhai",
            &text,
            &flowscript_runtime::LoadOptions::check_only(),
        );
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

//! `flowscript check` on a generated 2,000-line script (issue: under 50 ms): the in-process load
//! (compile + record + facts + validate, what `check` does) and the whole `flowscript check`
//! process, medians and p95 over `--runs` (default 30).
//!
//! Build with `cargo build --release -p flowscript -p flowscript-bench`, then run
//! `target/release/check_2000 [--lines 2000] [--runs 30]`.

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use flowscript_bench::{arg_or, generated, median, r3};
use flowscript_runtime::{LoadOptions, Runtime};

fn p95(xs: &[f64]) -> f64 {
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    v[((v.len() as f64 * 0.95).ceil() as usize).clamp(1, v.len()) - 1]
}

fn main() {
    let lines: usize = arg_or("lines", 2000);
    let runs: usize = arg_or("runs", 30);
    let src = generated::pipeline(lines);
    let dir = std::env::temp_dir().join(format!("flowscript-check-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("generated.flow.rhai");
    std::fs::write(&path, &src).expect("write script");

    let runtime = Runtime::new();
    let opts = LoadOptions::check_only();
    let first = runtime.load_file_with(&path, &opts).expect("read");
    let nodes = first.graph.as_ref().map_or(0, |g| g.nodes.len());
    assert!(
        first.diagnostics.is_empty(),
        "the generated script must check clean: {:#?}",
        first.diagnostics
    );
    let mut load_ms = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let loaded = runtime.load_file_with(&path, &opts).expect("read");
        load_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(loaded.graph.is_some());
    }

    let exe: PathBuf = std::env::current_exe()
        .expect("current exe")
        .with_file_name("flowscript");
    let mut process_ms = Vec::new();
    if exe.exists() {
        for _ in 0..runs {
            let t = Instant::now();
            let status = Command::new(&exe)
                .arg("check")
                .arg(&path)
                .stderr(std::process::Stdio::null())
                .status()
                .expect("run flowscript check");
            process_ms.push(t.elapsed().as_secs_f64() * 1e3);
            assert!(status.success(), "flowscript check failed");
        }
    } else {
        eprintln!(
            "{} not built; only the in-process load is measured",
            exe.display()
        );
    }
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "check bench: {} lines, {nodes} nodes, {runs} runs",
        src.lines().count()
    );
    println!(
        "  in-process load+validate: median {} ms, p95 {} ms",
        r3(median(&load_ms)),
        r3(p95(&load_ms))
    );
    if !process_ms.is_empty() {
        println!(
            "  `flowscript check` process: median {} ms, p95 {} ms (goal < 50 ms)",
            r3(median(&process_ms)),
            r3(p95(&process_ms))
        );
    }
}

//! W5 startup — whole-process cost (WORKLOADS.md "W5").
//!
//! Wall time from spawn to exit of a fresh `flowscript` process (the release CLI binary),
//! measured here with a monotonic clock; 3 untimed warm-up runs, then the median of 20 runs,
//! stdout discarded. Cases:
//! - `flowscript --version`: the binary with no work (its floor, like `python -c pass`);
//! - `flowscript run w5_oneflow.flow.rhai --set counter=0`: load, build and run a 1-node flow
//!   whose node increments `counter` (checked once: the printed store has `counter == 1`).
//!
//! The binary is `--flowscript PATH`, `FLOWSCRIPT_BIN`, or `flowscript` next to this
//! executable (both land in `target/release`).
//!
//! `cargo build --release -p flowscript -p flowscript-bench && target/release/w5_startup`

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::Instant;

use flowscript_bench::{Record, arg, arg_or, max, median, min, r3};
use serde_json::{Value, json};

fn flowscript_bin() -> PathBuf {
    if let Some(p) = arg("flowscript").or_else(|| std::env::var("FLOWSCRIPT_BIN").ok()) {
        return PathBuf::from(p);
    }
    let exe = std::env::current_exe().expect("current exe");
    exe.with_file_name("flowscript")
}

fn time_cmd(bin: &PathBuf, args: &[&str], runs: usize, warmup: usize) -> Vec<f64> {
    let mut walls = Vec::new();
    for i in 0..warmup + runs {
        let t0 = Instant::now();
        let status = Command::new(bin)
            .args(args)
            .stdout(Stdio::null())
            .status()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
        let dt = t0.elapsed().as_secs_f64();
        assert!(
            status.success(),
            "{} {args:?} failed: {status}",
            bin.display()
        );
        if i >= warmup {
            walls.push(dt);
        }
    }
    walls
}

fn main() {
    let rec = Record::start("W5");
    let runs: usize = arg_or("runs", 20);
    let warmup: usize = arg_or("warmup", 3);
    let bin = flowscript_bin();
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("workloads/w5_oneflow.flow.rhai");
    let script = script.to_str().expect("utf-8 path").to_string();

    // The check, outside the timing: the 1-node flow really ran.
    let out = Command::new(&bin)
        .args(["run", &script, "--set", "counter=0"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", bin.display()));
    assert!(out.status.success(), "1-node flow failed: {out:?}");
    let store: Value = serde_json::from_slice(&out.stdout).expect("the store as JSON");
    assert_eq!(store["counter"], json!(1), "counter after the 1-node flow");

    let cases: [(&str, Vec<&str>); 2] = [
        ("flowscript --version", vec!["--version"]),
        (
            "run 1-node flow",
            vec!["run", &script, "--set", "counter=0"],
        ),
    ];
    let results = cases
        .iter()
        .map(|(variant, args)| {
            let walls = time_cmd(&bin, args, runs, warmup);
            json!({
                "variant": variant,
                "argv": format!("flowscript {}", args.join(" ").replace(&script, "benches/workloads/w5_oneflow.flow.rhai")),
                "runs": runs,
                "wall_ms": r3(median(&walls) * 1e3),
                "min_ms": r3(min(&walls) * 1e3),
                "max_ms": r3(max(&walls) * 1e3),
            })
        })
        .collect();
    rec.emit(
        json!({ "runs": runs, "warmup": warmup }),
        results,
        json!({ "binary": bin.display().to_string() }),
    );
}

//! Shared helpers for flowscript's peer benchmarks (W1–W5 of
//! `bench/WORKLOADS.md` of the PocketFlow peers, `PEERS_DIR`): loading scripts, timing, process CPU time, peak RSS,
//! load average, and the one JSON line every benchmark binary prints.
//!
//! The output record has the shape of the Python peers' `_common.emit`, with
//! `"peer": "flowscript"`, so `benches/compare.py` can put both side by side.

pub mod generated;

/// The allocator the `flowscript` binary uses (counting live bytes for the `memory` limit), so
/// the benchmarks measure what users run.
#[global_allocator]
static ALLOC: flowscript_runtime::Counting<mimalloc::MiMalloc> =
    flowscript_runtime::Counting::new(mimalloc::MiMalloc);

use std::time::Instant;

use flowscript_runtime::Permissions;
use flowscript_runtime::{Program, RunOptions, RunOutcome, Runtime};
use serde_json::{Map, Value, json};

/// The version of the flowscript crates being measured.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

/// W2's script: one unbounded `parallel` of `shared.n` items, each `sleep(0.05)` then `item * 2`;
/// post stores `shared.sum` (`n*(n-1)`).
pub const W2_SCRIPT: &str = r#"
let fanout = parallel("fanout", #{
    prep: |shared| {
        let items = [];
        for i in 0..shared.n { items.push(i); }
        items
    },
    exec: |item| {
        sleep(0.05);
        item * 2
    },
    post: |shared, prep_res, exec_res| {
        let s = 0;
        for v in exec_res { s += v; }
        shared.sum = s;
    },
});
flow("main", fanout)
"#;

/// Load `src` as a flow script; panics with the diagnostics if it does not load.
pub fn load(name: &str, src: &str) -> Program {
    let loaded = Runtime::new().load(name, src);
    match loaded.program {
        Some(p) => p,
        None => panic!("{name} failed to load: {:#?}", loaded.diagnostics),
    }
}

/// A shared-store map from a JSON object literal (anything else gives an empty map).
pub fn input(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Run `program` once with `input` as the shared store and every permission granted; panics
/// if the run fails. Returns the outcome (for the final store).
pub async fn run(program: &Program, input: Map<String, Value>) -> RunOutcome {
    let outcome = program
        .run(RunOptions {
            input,
            permissions: Permissions::all(),
            ..Default::default()
        })
        .await;
    if let Err(e) = &outcome.result {
        panic!("run failed: {e} ({e:?})");
    }
    outcome
}

/// A tokio runtime with `workers` worker threads (`None`: one per core, like the CLI).
pub fn tokio_runtime(workers: Option<usize>) -> tokio::runtime::Runtime {
    let mut b = tokio::runtime::Builder::new_multi_thread();
    if let Some(w) = workers {
        b.worker_threads(w);
    }
    b.enable_all().build().expect("tokio runtime")
}

/// Worker threads a default multi-thread runtime gets (tokio: one per core, or
/// `TOKIO_WORKER_THREADS`).
pub fn default_workers() -> usize {
    std::env::var("TOKIO_WORKER_THREADS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Median of `xs` (mean of the middle two for an even count, like Python's
/// `statistics.median`). Panics on an empty slice.
pub fn median(xs: &[f64]) -> f64 {
    assert!(!xs.is_empty(), "median of nothing");
    let mut v = xs.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Smallest value of `xs`.
pub fn min(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::INFINITY, f64::min)
}

/// Largest value of `xs`.
pub fn max(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::NEG_INFINITY, f64::max)
}

/// Round to 6 significant digits (the peers' `r3`: `float(f"{x:.6g}")`).
pub fn r3(x: f64) -> f64 {
    if x == 0.0 || !x.is_finite() {
        return x;
    }
    format!("{x:.5e}").parse().unwrap_or(x)
}

/// User + system CPU seconds of this process so far (all threads), from the process CPU clock.
pub fn cpu_s() -> f64 {
    let t = rustix::time::clock_gettime(rustix::time::ClockId::ProcessCPUTime);
    t.tv_sec as f64 + t.tv_nsec as f64 * 1e-9
}

/// Peak resident set size of this process so far in MB (`VmHWM` of `/proc/self/status`, what
/// `getrusage`'s `ru_maxrss` reports on Linux), rounded to 0.1 like the peers.
pub fn peak_rss_mb() -> f64 {
    round1(proc_status_kib("VmHWM:").unwrap_or(0.0) / 1024.0)
}

/// Current resident set size in MB (`VmRSS` of `/proc/self/status`).
pub fn current_rss_mb() -> f64 {
    round1(proc_status_kib("VmRSS:").unwrap_or(0.0) / 1024.0)
}

fn proc_status_kib(key: &str) -> Option<f64> {
    let s = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = s.lines().find(|l| l.starts_with(key))?;
    line[key.len()..].split_whitespace().next()?.parse().ok()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The 1-minute load average, rounded to 0.01.
pub fn loadavg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(-1.0, |x| (x * 100.0).round() / 100.0)
}

/// Wall and CPU time of one measured section.
#[derive(Debug, Clone, Copy)]
pub struct Stopwatch {
    t0: Instant,
    c0: f64,
}

impl Stopwatch {
    /// Start measuring.
    pub fn start() -> Self {
        let c0 = cpu_s();
        Self {
            t0: Instant::now(),
            c0,
        }
    }

    /// `(wall seconds, process CPU seconds)` since [`Stopwatch::start`].
    pub fn stop(&self) -> (f64, f64) {
        let wall = self.t0.elapsed().as_secs_f64();
        (wall, cpu_s() - self.c0)
    }
}

/// The record every benchmark prints: create it at process start (it takes the start load
/// average), then [`Record::emit`] it once at the end.
pub struct Record {
    workload: &'static str,
    loadavg_start: f64,
}

impl Record {
    /// Begin the record of `workload` ("W1".."W5").
    pub fn start(workload: &'static str) -> Self {
        Self {
            workload,
            loadavg_start: loadavg(),
        }
    }

    /// Print exactly one JSON line: `{peer, peer_version, workload, params, results,
    /// process_peak_rss_mb, loadavg_start, loadavg_end[, run, cpu_busy_before], ...extra}`.
    pub fn emit(self, params: Value, results: Vec<Value>, extra: Value) {
        let mut rec = json!({
            "peer": "flowscript",
            "peer_version": VERSION,
            "workload": self.workload,
            "python": Value::Null,
            "params": params,
            "results": results,
            "process_peak_rss_mb": peak_rss_mb(),
            "loadavg_start": self.loadavg_start,
            "loadavg_end": loadavg(),
        });
        let obj = rec.as_object_mut().expect("object");
        if let Some(run) = env_parse::<i64>("BENCH_RUN") {
            obj.insert("run".into(), run.into());
        }
        if let Some(busy) = env_parse::<f64>("BENCH_BUSY_BEFORE") {
            obj.insert("cpu_busy_before".into(), busy.into());
        }
        if let Value::Object(extra) = extra {
            obj.extend(extra);
        }
        println!("{rec}");
    }
}

fn env_parse<T: std::str::FromStr>(name: &str) -> Option<T> {
    std::env::var(name).ok()?.parse().ok()
}

/// The value following `--name` on the command line, if any.
pub fn arg(name: &str) -> Option<String> {
    let flag = format!("--{name}");
    let args: Vec<String> = std::env::args().collect();
    let i = args.iter().position(|a| *a == flag)?;
    args.get(i + 1).cloned()
}

/// `--name N` parsed, or `default`; panics on an unparsable value.
pub fn arg_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match arg(name) {
        Some(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("--{name}: cannot parse {v:?}")),
        None => default,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_matches_python() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 2.0, 3.0]), 2.5);
    }

    #[test]
    fn r3_keeps_six_digits() {
        assert_eq!(r3(1.234_567_89), 1.23457);
        assert_eq!(r3(0.000_123_456_789), 0.000_123_457);
        assert_eq!(r3(0.0), 0.0);
    }

    #[test]
    fn process_stats_are_sane() {
        assert!(peak_rss_mb() > 0.0);
        let before = cpu_s();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(
            cpu_s() > before,
            "the CPU clock moves while computing ({x})"
        );
    }
}

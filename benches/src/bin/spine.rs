//! Spine benchmarks (issue "The runtime spine"): prints medians, asserts only correctness.
//!
//! - io-fanout: one `parallel` node of 10,000 items that each `sleep(0.05)`; goal < 0.3 s wall.
//! - cpu-parallel: a CPU-bound `parallel` batch on 1 and on 2 worker threads; goal ≈ 2× faster
//!   on 2 (this machine has 2 cores).
//!
//! Run with `cargo run --release -p flowscript-bench --bin spine`.

use std::time::Instant;

use flowscript_runtime::{Program, RunOptions, Runtime};

const IO_FANOUT: &str = r#"
let fan = parallel("fan", #{
    prep: |shared| { let items = []; for i in 0..shared.n { items.push(i) } items },
    exec: |i| { sleep(0.05); i * 2 },
    post: |shared, items, out| { let s = 0; for v in out { s += v } shared.sum = s; },
});
flow("main", fan)
"#;

const CPU_PARALLEL: &str = r#"
let cpu = parallel("cpu", #{
    prep: |shared| { let items = []; for i in 0..shared.n { items.push(i) } items },
    exec: |item| {
        let acc = item;
        for k in 0..20000 { acc = (acc * 31 + k) % 1000003; }
        acc
    },
    post: |shared, items, out| { let s = 0; for v in out { s += v } shared.sum = s; },
});
flow("main", cpu)
"#;

fn program(src: &str) -> Program {
    let loaded = Runtime::new().load("bench.flow.rhai", src);
    loaded
        .program
        .unwrap_or_else(|| panic!("bench script failed to load: {:?}", loaded.diagnostics))
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Wall seconds of each of `repeats` runs of `prog` with `n` items on `workers` threads.
fn time_runs(
    prog: &Program,
    n: i64,
    workers: usize,
    repeats: usize,
) -> (Vec<f64>, serde_json::Value) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("tokio runtime");
    let mut times = Vec::new();
    let mut shared = serde_json::Value::Null;
    for _ in 0..repeats {
        let mut input = serde_json::Map::new();
        input.insert("n".into(), n.into());
        input.insert("counter".into(), 0.into());
        let t0 = Instant::now();
        let outcome = rt.block_on(prog.run(RunOptions {
            input,
            ..Default::default()
        }));
        times.push(t0.elapsed().as_secs_f64());
        assert!(outcome.result.is_ok(), "run failed: {:?}", outcome.result);
        shared = outcome.shared;
    }
    (times, shared)
}

/// A chain of `n` nodes, each incrementing `shared.counter` through prep/exec/post (W1's shape).
fn chain_script(n: usize) -> String {
    let mut src = String::new();
    for i in 0..n {
        src.push_str(&format!(
            "let n{i} = node(\"n{i}\", #{{ prep: |shared| shared.counter, exec: |c| c + 1, post: |shared, p, e| {{ shared.counter = e; }} }});\n"
        ));
        if i > 0 {
            src.push_str(&format!("n{} >> n{i};\n", i - 1));
        }
    }
    src.push_str("flow(\"chain\", n0)\n");
    src
}

fn main() {
    let chain = program(&chain_script(1000));
    let (times, shared) = time_runs(&chain, 0, 1, 15);
    assert_eq!(shared["counter"], serde_json::json!(1000));
    println!(
        "chain       1,000 nodes, 1 worker: median {:.1} µs per node (informational; W1 is measured by the W benches)",
        median(times) * 1e6 / 1000.0
    );

    let io = program(IO_FANOUT);
    let (times, shared) = time_runs(&io, 10_000, 2, 5);
    assert_eq!(shared["sum"], serde_json::json!(99_990_000));
    println!(
        "io-fanout   10,000 items x sleep(0.05), 2 workers: median {:.3} s wall (runs: {})  goal < 0.300 s",
        median(times.clone()),
        fmt(&times)
    );

    let cpu = program(CPU_PARALLEL);
    let (one, s1) = time_runs(&cpu, 200, 1, 3);
    let (two, s2) = time_runs(&cpu, 200, 2, 3);
    assert_eq!(s1["sum"], s2["sum"]);
    let (m1, m2) = (median(one.clone()), median(two.clone()));
    println!(
        "cpu-parallel 200 items x 20,000 iterations, 1 worker:  median {m1:.3} s (runs: {})",
        fmt(&one)
    );
    println!(
        "cpu-parallel 200 items x 20,000 iterations, 2 workers: median {m2:.3} s (runs: {})",
        fmt(&two)
    );
    println!(
        "cpu-parallel speed-up 2 vs 1 workers: {:.2}x  goal ≈ 2x",
        m1 / m2
    );
}

fn fmt(xs: &[f64]) -> String {
    xs.iter()
        .map(|x| format!("{x:.3}"))
        .collect::<Vec<_>>()
        .join(", ")
}

//! W1 chain — per-node orchestration overhead (WORKLOADS.md "W1").
//!
//! A flow of 1,000 nodes in sequence built by the script's top level in a loop (node i's only
//! successor is node i+1 via the default edge). Each node: prep reads `shared.counter`, exec
//! returns `prep + 1`, post writes `shared.counter` and returns `()` (the default action).
//! Timed section: one `program.run(..).await` of the already-loaded program inside an
//! already-running tokio runtime; loading (compile + record the 1,000-node graph + validate)
//! is `build_ms`. 2 warm-up runs, then 15 timed runs (fresh store `{counter: 0}` each);
//! `counter == 1000` is checked after every run.
//!
//! flowscript has one (async) API, so the peers' sync/async split becomes the runtime the run
//! is driven by: the CLI's default multi-thread runtime (one worker per core) and a 1-worker
//! one.
//!
//! `cargo run --release -p flowscript-bench --bin w1_chain [-- --nodes 1000 --repeats 15 --warmup 2]`

use std::time::Instant;

use flowscript_bench::{Record, Stopwatch, arg_or, input, load, max, median, min, r3, run};
use serde_json::{Value, json};

fn script(nodes: usize) -> String {
    format!(
        r#"
let nodes = [];
for i in 0..{nodes} {{
    nodes.push(node(`inc${{i}}`, #{{
        prep: |shared| shared.counter,
        exec: |c| c + 1,
        post: |shared, prep_res, exec_res| {{ shared.counter = exec_res; }},
    }}));
}}
for i in 1..{nodes} {{
    nodes[i - 1] >> nodes[i];
}}
flow("chain", nodes[0])
"#
    )
}

fn measure(
    variant: &str,
    workers: Option<usize>,
    nodes: usize,
    warmup: usize,
    repeats: usize,
) -> Value {
    let src = script(nodes);
    let t0 = Instant::now();
    let program = load("w1_chain.flow.rhai", &src);
    let build_s = t0.elapsed().as_secs_f64();

    let rt = flowscript_bench::tokio_runtime(workers);
    let (walls, cpus) = rt.block_on(async {
        let (mut walls, mut cpus) = (Vec::new(), Vec::new());
        for i in 0..warmup + repeats {
            let shared = input(json!({ "counter": 0 }));
            let sw = Stopwatch::start();
            let outcome = run(&program, shared).await;
            let (wall, cpu) = sw.stop();
            assert_eq!(
                outcome.shared["counter"],
                json!(nodes),
                "counter after a run"
            );
            if i >= warmup {
                walls.push(wall);
                cpus.push(cpu);
            }
        }
        (walls, cpus)
    });
    let m = median(&walls);
    json!({
        "variant": variant,
        "workers": workers.unwrap_or_else(flowscript_bench::default_workers),
        "nodes": nodes,
        "repeats": walls.len(),
        "total_ms": r3(m * 1e3),
        "per_node_us": r3(m / nodes as f64 * 1e6),
        "min_total_ms": r3(min(&walls) * 1e3),
        "max_total_ms": r3(max(&walls) * 1e3),
        "cpu_ms": r3(median(&cpus) * 1e3),
        "build_ms": r3(build_s * 1e3),
    })
}

fn main() {
    let rec = Record::start("W1");
    let nodes: usize = arg_or("nodes", 1000);
    let repeats: usize = arg_or("repeats", 15);
    let warmup: usize = arg_or("warmup", 2);
    let results = vec![
        measure("flow run (default runtime)", None, nodes, warmup, repeats),
        measure("flow run (1 worker)", Some(1), nodes, warmup, repeats),
    ];
    rec.emit(
        json!({ "nodes": nodes, "repeats": repeats, "warmup": warmup }),
        results,
        json!({}),
    );
}

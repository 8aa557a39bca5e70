//! W3 cpu-batch — CPU-bound items in a parallel batch (WORKLOADS.md "W3").
//!
//! One `parallel` node of 200 items `0..199`; exec(item) runs the fixed loop in the script
//! language (Rhai: interpreted by the runtime — on Rhai's `grain` bytecode VM where the runtime
//! lowers the hook, else the AST walker; there is no native code for it):
//!
//! ```text
//! acc = item; for k in 0..200000 { acc = (acc * 31 + k) % 1000003 }; acc
//! ```
//!
//! post stores `shared.checksum = sum(results)`, which must be 100192406 (printed as
//! `checksum`). Timed section: one flow run, 1 run per process. Reports `wall_s` and `cpu_s`
//! (process user+sys, all threads); the items spread over the runtime's worker threads (one
//! per core by default), so the ideal is about (1-core time) / 2 on this 2-core machine.
//!
//! `cargo run --release -p flowscript-bench --bin w3_cpu_batch [-- --items 200 --iters 200000]`

use flowscript_bench::{Record, Stopwatch, arg_or, input, load, max, median, min, r3, run};
use serde_json::json;

const CHECKSUM_200: i64 = 100_192_406;

fn script(iters: i64) -> String {
    format!(
        r#"
let cpu = parallel("cpu", #{{
    prep: |shared| {{
        let items = [];
        for i in 0..shared.items {{ items.push(i); }}
        items
    }},
    exec: |item| {{
        let acc = item;
        for k in 0..{iters} {{
            acc = (acc * 31 + k) % 1000003;
        }}
        acc
    }},
    post: |shared, prep_res, exec_res| {{
        let s = 0;
        for v in exec_res {{ s += v; }}
        shared.checksum = s;
    }},
}});
flow("main", cpu)
"#
    )
}

fn main() {
    let rec = Record::start("W3");
    let items: i64 = arg_or("items", 200);
    let iters: i64 = arg_or("iters", 200_000);
    let repeats: usize = arg_or("repeats", 1);
    let workers: Option<usize> =
        flowscript_bench::arg("workers").map(|w| w.parse().expect("--workers N"));

    let program = load("w3_cpu_batch.flow.rhai", &script(iters));
    let rt = flowscript_bench::tokio_runtime(workers);
    let (walls, cpus, checksum) = rt.block_on(async {
        let (mut walls, mut cpus, mut checksum) = (Vec::new(), Vec::new(), json!(null));
        for _ in 0..repeats {
            let sw = Stopwatch::start();
            let outcome = run(&program, input(json!({ "items": items }))).await;
            let (wall, cpu) = sw.stop();
            let c = outcome.shared["checksum"].clone();
            assert!(
                checksum.is_null() || checksum == c,
                "checksum differs across runs"
            );
            checksum = c;
            walls.push(wall);
            cpus.push(cpu);
        }
        (walls, cpus, checksum)
    });
    if items == 200 && iters == 200_000 {
        assert_eq!(checksum, json!(CHECKSUM_200), "W3 checksum");
    }
    let m = median(&walls);
    let res = json!({
        "variant": "parallel node (Rhai script loop)",
        "workers": workers.unwrap_or_else(flowscript_bench::default_workers),
        "items": items,
        "iters": iters,
        "repeats": walls.len(),
        "wall_s": r3(m),
        "cpu_s": r3(median(&cpus)),
        "per_item_ms": r3(m / items as f64 * 1e3),
        "min_wall_s": r3(min(&walls)),
        "max_wall_s": r3(max(&walls)),
        "ns_per_iter_cpu": r3(median(&cpus) / (items * iters) as f64 * 1e9),
    });
    rec.emit(
        json!({ "items": items, "iters": iters, "repeats": repeats }),
        vec![res],
        json!({ "checksum": checksum, "interpreter": "rhai (script loop, not native)" }),
    );
}

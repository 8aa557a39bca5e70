//! W2 io-fanout — many concurrent waits (WORKLOADS.md "W2").
//!
//! One `parallel` node (no `concurrency`: unbounded, like PocketFlow's `asyncio.gather`) is the
//! start node of the flow. prep returns the items `0..N` (built by a script loop), exec(item)
//! does `sleep(0.05)` (a timer: the item's coroutine suspends, no thread waits) and returns
//! `item * 2`, post stores `shared.sum` (checked: `N*(N-1)`, 64-bit). Timed section: one
//! flow run; 3 timed runs in one process (the first is also `first_wall_s`); median `wall_s`.
//! `peak_rss_mb` is the whole process's `ru_maxrss` at the end; `rss_before_mb` is the RSS
//! just before the first run. Run N = 10,000 and N = 100,000 as separate processes.
//!
//! `cargo run --release -p flowscript-bench --bin w2_io_fanout -- 10000` (or `--n 100000`)

use flowscript_bench::{
    Record, Stopwatch, W2_SCRIPT, arg, current_rss_mb, input, load, max, median, min, peak_rss_mb,
    r3, run,
};
use serde_json::json;

const SLEEP_S: f64 = 0.05;

fn main() {
    let rec = Record::start("W2");
    // N: `--n N`, or the first positional argument; default 10,000.
    let n: i64 = arg("n")
        .or_else(|| std::env::args().nth(1).filter(|a| !a.starts_with("--")))
        .map_or(10_000, |v| v.parse().expect("N must be an integer"));
    let repeats: usize = flowscript_bench::arg_or("repeats", 3);

    let program = load("w2_io_fanout.flow.rhai", W2_SCRIPT);
    let rt = flowscript_bench::tokio_runtime(None);
    let rss_before = current_rss_mb();
    let (walls, cpus) = rt.block_on(async {
        let (mut walls, mut cpus) = (Vec::new(), Vec::new());
        for _ in 0..repeats {
            let shared = input(json!({ "n": n }));
            let sw = Stopwatch::start();
            let outcome = run(&program, shared).await;
            let (wall, cpu) = sw.stop();
            assert_eq!(outcome.shared["sum"], json!(n * (n - 1)), "sum");
            walls.push(wall);
            cpus.push(cpu);
        }
        (walls, cpus)
    });
    let m = median(&walls);
    let res = json!({
        "variant": "parallel node (unbounded)",
        "workers": flowscript_bench::default_workers(),
        "n": n,
        "repeats": repeats,
        "wall_s": r3(m),
        "overhead_s": r3(m - SLEEP_S),
        "first_wall_s": r3(walls[0]),
        "min_wall_s": r3(min(&walls)),
        "max_wall_s": r3(max(&walls)),
        "cpu_s": r3(median(&cpus)),
        "rss_before_mb": rss_before,
        "peak_rss_mb": peak_rss_mb(),
    });
    rec.emit(
        json!({ "n": n, "sleep_s": SLEEP_S, "repeats": repeats }),
        vec![res],
        json!({}),
    );
}

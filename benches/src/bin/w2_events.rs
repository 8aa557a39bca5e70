//! W2 with its event stream going to a slow reader: does a consumer that cannot keep up stall
//! the run? 10,000 `parallel` items each `sleep(0.05)` (W2), with `--events jsonl`'s sink
//! writing to a reader that takes `RATE` bytes per second (a pipe someone reads slowly).
//!
//! Variants, in one process, interleaved:
//! - `none`: no events (the floor);
//! - `inline`: each event written and flushed on the emitting thread under the emitter's lock
//!   (how `JsonlSink` worked before it had a writer thread);
//! - `queued`: `JsonlSink` (a writer thread behind a bounded queue).
//!
//! `run_s` is how long the run took; `drained_s` adds the time until the reader has every event.
//! `cargo run --release -p flowscript-bench --bin w2_events -- [--n 10000] [--rate 2000000]`

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use flowscript_bench::{Record, W2_SCRIPT, arg_or, load, median, r3};
use flowscript_runtime::events::JsonlSink;
use flowscript_runtime::{Event, EventSink, Permissions, RunOptions};
use serde_json::json;

/// A reader that takes `rate` bytes per second: each write waits as long as reading it would.
struct SlowReader {
    rate: f64,
    bytes: usize,
}

impl Write for SlowReader {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        std::thread::sleep(Duration::from_secs_f64(buf.len() as f64 / self.rate));
        self.bytes += buf.len();
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The old way: serialize, write and flush on the emitting thread, through a line buffer as
/// stdout has (one write per event).
struct Inline(Mutex<std::io::LineWriter<SlowReader>>);

impl EventSink for Inline {
    fn event(&self, event: Event) {
        let Ok(mut w) = self.0.lock() else { return };
        if serde_json::to_writer(&mut *w, &event).is_ok() {
            let _ = w.write_all(b"\n");
            let _ = w.flush();
        }
    }
}

fn main() {
    let rec = Record::start("W2-events");
    let n: i64 = arg_or("n", 10_000);
    let rate: f64 = arg_or("rate", 2_000_000.0);
    let repeats: usize = arg_or("repeats", 3);
    let program = load("w2_events.flow.rhai", W2_SCRIPT);
    let rt = flowscript_bench::tokio_runtime(None);
    let variants = ["none", "inline", "queued"];
    let mut runs: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    let mut drains: Vec<Vec<f64>> = vec![Vec::new(); variants.len()];
    for _ in 0..repeats {
        for (v, name) in variants.iter().enumerate() {
            let reader = || SlowReader { rate, bytes: 0 };
            let queued = Arc::new(JsonlSink::new(reader()));
            let sink: Option<Arc<dyn EventSink>> = match *name {
                "none" => None,
                "inline" => Some(Arc::new(Inline(Mutex::new(std::io::LineWriter::new(
                    reader(),
                ))))),
                _ => Some(queued.clone()),
            };
            let mut input = serde_json::Map::new();
            input.insert("n".into(), json!(n));
            let start = Instant::now();
            let outcome = rt.block_on(program.run(RunOptions {
                input,
                sink,
                permissions: Permissions::all(),
                ..RunOptions::default()
            }));
            let run_s = start.elapsed().as_secs_f64();
            queued.finish();
            let drained_s = start.elapsed().as_secs_f64();
            assert_eq!(outcome.shared["sum"], json!(n * (n - 1)), "sum");
            runs[v].push(run_s);
            drains[v].push(drained_s);
        }
    }
    let results = variants
        .iter()
        .enumerate()
        .map(|(v, name)| {
            json!({
                "variant": name,
                "run_s": r3(median(&runs[v])),
                "drained_s": r3(median(&drains[v])),
            })
        })
        .collect();
    rec.emit(
        json!({ "n": n, "reader_bytes_per_s": rate, "repeats": repeats }),
        results,
        json!({}),
    );
}

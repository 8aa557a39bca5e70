//! W4 http-fanout — real HTTP over loopback with a concurrency limit (WORKLOADS.md "W4").
//!
//! One `parallel` node of 1,000 items with `concurrency: 100` (flowscript's own limiter: at
//! most 100 execs, hence requests, in flight). exec(i) POSTs the OpenAI-style chat request
//! `{"model":"bench-model","messages":[{"role":"user","content":"item <i>"}]}` with
//! `http::post`, requires a 2xx status, and returns `body.choices[0].message.content` (the body
//! arrives parsed); post checks that reply i is `"echo: item <i>"`. The HTTP client is the
//! runtime's one process-wide pooled client (keep-alive).
//!
//! Server: `http_server.py` of the peers in a separate process (`--port 0 --delay-ms 20`; we
//! read its `LISTENING http://127.0.0.1:PORT` line), or an existing one given with `--url BASE`
//! / `W4_URL=BASE`. Timing: 1 untimed warm-up batch (`cold_wall_s`: it also opens the pooled
//! connections), then the median of 5 timed batches (`wall_s`). Ideal: 0.2 s.
//!
//! `cargo run --release -p flowscript-bench --bin w4_http_fanout [-- --url http://127.0.0.1:PORT]`
//! Env: `PEERS_DIR` (the PocketFlow peers' folder; required unless `--url` is given), `PYTHON`
//! (`python3`).

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};

use flowscript_bench::{Record, Stopwatch, arg, arg_or, input, load, max, median, min, r3};
use flowscript_runtime::Permissions;
use flowscript_runtime::RunOptions;
use serde_json::{Value, json};

fn script(url: &str) -> String {
    let url = serde_json::to_string(url).expect("url as a string literal");
    format!(
        r#"
let fanout = parallel("fanout", #{{
    concurrency: 100,
    prep: |shared| {{
        let items = [];
        for i in 0..shared.n {{ items.push(i); }}
        items
    }},
    exec: |i, params| {{
        let r = http::post(params.url, #{{
            model: "bench-model",
            messages: [#{{ role: "user", content: `item ${{i}}` }}],
        }});
        if r.status < 200 || r.status > 299 {{ throw `HTTP ${{r.status}}`; }}
        r.body.choices[0].message.content
    }},
    post: |shared, items, replies| {{
        for i in items {{
            if replies[i] != `echo: item ${{i}}` {{ throw `item ${{i}}: got ${{replies[i]}}`; }}
        }}
        shared.ok = replies.len();
    }},
}});
flow("main", fanout, #{{ params: #{{ url: {url} }} }})
"#
    )
}

/// The peers' `http_server.py`, started as a separate process; killed on drop.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start() -> Self {
        let peers = std::env::var_os("PEERS_DIR").map(PathBuf::from).unwrap_or_else(|| {
            panic!("set PEERS_DIR to the peers' folder (it holds bench/http_server.py), or pass --url")
        });
        let script = peers.join("bench/http_server.py");
        let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        let mut child = Command::new(&python)
            .arg(&script)
            .args(["--port", "0", "--delay-ms", "20", "--max-seconds", "900"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {python} {}: {e}", script.display()));
        let stdout = child.stdout.take().expect("server stdout");
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("server's first line");
        let base = match line.trim().strip_prefix("LISTENING ") {
            Some(b) => b.to_string(),
            None => {
                let _ = child.kill();
                panic!("server did not start: {line:?}");
            }
        };
        Self { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn main() {
    let rec = Record::start("W4");
    let n: i64 = arg_or("n", 1000);
    let repeats: usize = arg_or("repeats", 5);
    let given = arg("url").or_else(|| std::env::var("W4_URL").ok());
    let server = if given.is_none() {
        Some(Server::start())
    } else {
        None
    };
    let base = given.unwrap_or_else(|| server.as_ref().map(|s| s.base.clone()).unwrap_or_default());
    let url = format!("{}/v1/chat/completions", base.trim_end_matches('/'));

    let program = load("w4_http_fanout.flow.rhai", &script(&url));
    let rt = flowscript_bench::tokio_runtime(None);
    let outcome: Result<(Vec<f64>, Vec<f64>), String> = rt.block_on(async {
        let (mut walls, mut cpus) = (Vec::new(), Vec::new());
        for _ in 0..1 + repeats {
            let sw = Stopwatch::start();
            let out = program
                .run(RunOptions {
                    input: input(json!({ "n": n })),
                    permissions: Permissions::all(),
                    ..Default::default()
                })
                .await;
            let (wall, cpu) = sw.stop();
            if let Err(e) = out.result {
                return Err(e.to_string());
            }
            assert_eq!(out.shared["ok"], json!(n), "replies checked");
            walls.push(wall);
            cpus.push(cpu);
        }
        Ok((walls, cpus))
    });
    drop(server);

    let params = json!({ "n": n, "concurrency": 100, "delay_ms": 20, "repeats": repeats });
    let (walls, cpus) = match outcome {
        Ok(v) => v,
        Err(e) => {
            // Most likely the runtime has no `http` module yet: report it instead of a number.
            let missing = e.contains("http::post") && e.contains("not found");
            let why = if missing {
                format!("http module missing: {e}")
            } else {
                e
            };
            rec.emit(params, Vec::new(), json!({ "error": why }));
            std::process::exit(1);
        }
    };
    let timed = &walls[1..];
    let res: Value = json!({
        "variant": "parallel node, concurrency: 100, http::post",
        "client": "flowscript http (reqwest, process-wide pool)",
        "workers": flowscript_bench::default_workers(),
        "n": n,
        "concurrency": 100,
        "repeats": timed.len(),
        "wall_s": r3(median(timed)),
        "cold_wall_s": r3(walls[0]),
        "min_wall_s": r3(min(timed)),
        "max_wall_s": r3(max(timed)),
        "cpu_s": r3(median(&cpus[1..])),
        "req_per_s": r3(n as f64 / median(timed)),
    });
    rec.emit(params, vec![res], json!({}));
}

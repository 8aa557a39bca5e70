//! A thousand concurrent runs of a flow that sleeps 50 ms, each followed over its own event
//! stream: every run finishes, each stream is complete and in `seq` order with nothing lost,
//! duplicated or from another run, and the server's peak memory is reported (and bounded).

#![cfg(unix)]

mod support;

use std::time::Instant;

use serde_json::{Value, json};
use support::serve::{Server, SseReader, assert_complete, bounded, client, emitted, fixture, get};

const RUNS: usize = 1000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_concurrent_runs_all_finish_with_complete_isolated_streams() {
    bounded(async {
        let server = Server::with_args(&[fixture("sleepy"), "--max-runs".into(), "2000".into()]);
        let baseline = server.peak_rss();
        let http = client();
        let t0 = Instant::now();
        let runs = (0..RUNS).map(|i| {
            let request = http
                .post(server.url("/flows/sleepy/runs"))
                .header("accept", "text/event-stream")
                .json(&json!({"ms": 50, "tag": format!("run-{i}")}));
            async move {
                let response = request.send().await.expect("POST");
                (i, SseReader::new(response).collect().await)
            }
        });
        let results = futures::future::join_all(runs).await;
        let wall = t0.elapsed();
        let peak = server.peak_rss();
        for (i, messages) in &results {
            assert_complete(messages, 1);
            let first = messages[0].json();
            let last = messages.last().expect("terminal").json();
            assert_eq!(last["type"], "run_finished", "run {i}: {last}");
            assert_eq!(last["shared"]["seen"], format!("run-{i}"));
            let tags: Vec<Value> = emitted(messages).iter().map(|d| d["tag"].clone()).collect();
            assert_eq!(tags, [json!(format!("run-{i}")), json!(format!("run-{i}"))]);
            assert_eq!(first["type"], "run_started");
        }
        let (_, list) = get(&server, "/runs").await;
        let list = list.as_array().expect("runs");
        assert_eq!(list.len(), RUNS);
        assert!(list.iter().all(|r| r["status"] == "finished"));
        // How many ran at once, from the runs' own start and end times (ms).
        let mut edges: Vec<(u64, i32)> = list
            .iter()
            .flat_map(|r| {
                let start = r["started"].as_u64().unwrap_or(0);
                let end = r["ended"].as_u64().unwrap_or(start);
                [(start, 1), (end, -1)]
            })
            .collect();
        edges.sort_by_key(|&(t, d)| (t, d));
        let (mut now, mut most) = (0i32, 0i32);
        for (_, d) in edges {
            now += d;
            most = most.max(now);
        }
        let mib = |b: u64| b as f64 / (1 << 20) as f64;
        eprintln!(
            "{RUNS} concurrent 50 ms runs with streams: {:.2} s wall; server peak RSS {:.1} MiB \
             ({:.1} MiB before the runs, {:.1} KiB per run); at most {most} running at once",
            wall.as_secs_f64(),
            mib(peak),
            mib(baseline),
            (peak.saturating_sub(baseline)) as f64 / 1024.0 / RUNS as f64,
        );
        assert!(
            peak < 512 << 20,
            "the server's peak memory is out of bounds: {:.1} MiB",
            mib(peak)
        );
    })
    .await;
}

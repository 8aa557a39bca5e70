//! `flowscript serve` through the real binary on a free loopback port: every endpoint and error
//! code, SSE framing, order and resume, cancel, limits (max-runs, body size, run timeout, event
//! buffer), isolation, and graceful shutdown on SIGTERM. Fixtures are in
//! `tests/serve/`.

#![cfg(unix)]

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::serve::{
    Server, SseReader, all_fixtures, assert_complete, assert_error, bounded, client, emitted,
    events, fixture, get, start, start_detached, status_and_json,
};

const SSE: &str = "text/event-stream";

/// Read messages until an `emitted` one whose data has `type == kind` (the run is past it).
async fn read_until_emitted(reader: &mut SseReader, kind: &str) {
    while let Some(m) = reader.next().await {
        if m.event.as_deref() == Some("emitted") && m.json()["data"]["type"] == kind {
            return;
        }
    }
    panic!("the stream closed before an emitted `{kind}`");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flows_are_listed_and_described_and_unknown_paths_are_json_404s() {
    bounded(async {
        let server = Server::start(&[]);
        let (status, flows) = get(&server, "/flows").await;
        assert_eq!(status, 200);
        let names: Vec<&str> = flows
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["asking", "chatty", "failing", "quick", "sleepy"]);
        let (status, quick) = get(&server, "/flows/quick").await;
        assert_eq!(status, 200);
        assert_eq!(quick["file"], fixture("quick"));
        assert_eq!(quick["nodes"], json!(["echo", "quick"]));
        assert!(
            quick["mermaid"]
                .as_str()
                .unwrap()
                .starts_with("flowchart TD\n")
        );
        assert_eq!(flows[3], quick);

        let (status, body) = get(&server, "/flows/nope").await;
        assert!(assert_error(status, &body, 404, "flow_not_found").contains("nope"));
        let (status, body) = start(&server, "nope", "", json!({})).await;
        assert_error(status, &body, 404, "flow_not_found");
        let (status, body) = get(&server, "/runs/nope").await;
        assert_error(status, &body, 404, "run_not_found");
        let (status, body) = get(&server, "/nowhere").await;
        assert_error(status, &body, 404, "not_found");
        let response = client().delete(server.url("/flows")).send().await.unwrap();
        let (status, body) = status_and_json(response).await;
        assert_error(status, &body, 405, "method_not_allowed");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_waiting_post_answers_with_the_outcome_and_the_run_is_recorded() {
    bounded(async {
        let server = Server::start(&["--keep-runs", "3"]);
        let (status, run) = start(&server, "quick", "", json!({"x": 5})).await;
        assert_eq!(status, 200, "{run}");
        assert_eq!(run["status"], "finished");
        assert_eq!(run["action"], "default");
        assert_eq!(run["shared"], json!({"x": 5, "echo": 5}));
        assert!(run.get("error").is_none());
        let id = run["id"].as_str().unwrap();
        let (status, recorded) = get(&server, &format!("/runs/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(recorded, run);
        assert_eq!(recorded["flow"], "quick");
        let (started, ended) = (
            run["started"].as_u64().unwrap(),
            run["ended"].as_u64().unwrap(),
        );
        assert!(
            started > 1_600_000_000_000 && ended >= started,
            "unix ms: {run}"
        );

        // An empty body is an empty store (`quick` writes `x`, absent, to `echo`).
        let response = client()
            .post(server.url("/flows/quick/runs"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/runs/")
        );
        let empty: Value = response.json().await.unwrap();
        assert_eq!(empty["shared"], json!({"echo": null}));

        let (status, failed) = start(&server, "failing", "", json!({"k": 1})).await;
        assert_eq!(status, 200);
        assert_eq!(failed["status"], "failed");
        assert_eq!(failed["shared"], json!({"k": 1}));
        assert_eq!(failed["error"]["message"], "boom: this flow always fails");
        assert_eq!(failed["error"]["path"], "failing/boom");
        assert_eq!(failed["error"]["span"]["line"], 3);
        assert!(failed.get("action").is_none());

        // Most recent first, without stores; past --keep-runs the oldest ended run is gone.
        let (_, fourth) = start(&server, "quick", "", json!({})).await;
        let (_, list) = get(&server, "/runs").await;
        let ids: Vec<&str> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap())
            .collect();
        let want = [&fourth, &failed, &empty].map(|r| r["id"].as_str().unwrap());
        assert_eq!(ids, want);
        assert!(list[0].get("shared").is_none());
        assert_eq!(list[1]["status"], "failed");
        let (status, _) = get(&server, &format!("/runs/{id}")).await;
        assert_eq!(status, 404, "forgotten past --keep-runs");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_bodies_and_queries_are_400_naming_the_problem_and_big_ones_413() {
    bounded(async {
        let server = Server::start(&["--limit", "string=1KiB"]);
        let post = |body: &'static str| {
            client()
                .post(server.url("/flows/quick/runs"))
                .header("content-type", "application/json")
                .body(body)
                .send()
        };
        let response = post("{\n  \"x\": 1,\n  oops\n}").await.unwrap();
        let (status, body) = status_and_json(response).await;
        let message = assert_error(status, &body, 400, "invalid_json");
        assert!(message.contains("line 3 column 3"), "{message}");
        let response = post("[1, 2]").await.unwrap();
        let (status, body) = status_and_json(response).await;
        let message = assert_error(status, &body, 400, "invalid_input");
        assert!(
            message.contains("JSON object") && message.contains("an array"),
            "{message}"
        );

        let big = json!({"text": "x".repeat(2048)});
        let (status, body) = start(&server, "quick", "", big).await;
        let message = assert_error(status, &body, 413, "payload_too_large");
        assert!(message.contains("1024 bytes"), "{message}");
        let (status, _) = start(&server, "quick", "", json!({"x": "small"})).await;
        assert_eq!(status, 200);

        let (status, body) = start(&server, "quick", "?wait=perhaps", json!({})).await;
        assert_error(status, &body, 400, "bad_request");
        let (status, body) = get(&server, "/runs").await;
        assert_eq!(status, 200);
        let id = body[0]["id"].as_str().unwrap();
        let (status, body) = get(&server, &format!("/runs/{id}/events?after=-1")).await;
        assert_error(status, &body, 400, "bad_request");
        let response = client()
            .get(server.url(&format!("/runs/{id}/events")))
            .header("Last-Event-ID", "seven")
            .send()
            .await
            .unwrap();
        let (status, body) = status_and_json(response).await;
        let message = assert_error(status, &body, 400, "bad_request");
        assert!(message.contains("Last-Event-ID"), "{message}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wait_false_answers_202_at_once_and_the_run_goes_on() {
    bounded(async {
        let server = Server::start(&[]);
        let t0 = Instant::now();
        let response = client()
            .post(server.url("/flows/sleepy/runs?wait=false"))
            .json(&json!({"ms": 600, "tag": "later"}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 202);
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let body: Value = response.json().await.unwrap();
        assert!(
            t0.elapsed() < Duration::from_millis(500),
            "{:?}",
            t0.elapsed()
        );
        let id = body["id"].as_str().unwrap();
        assert_eq!(body, json!({"id": id}));
        assert_eq!(location, format!("/runs/{id}"));
        let (_, run) = get(&server, &location).await;
        assert_eq!(run["status"], "running");
        assert_eq!(
            run["shared"],
            json!({"ms": 600, "tag": "later"}),
            "the input while running"
        );
        assert!(run.get("ended").is_none());
        let messages = events(&server, id, None).await.collect().await;
        assert_complete(&messages, 1);
        let (_, run) = get(&server, &location).await;
        assert_eq!(run["status"], "finished");
        assert_eq!(run["shared"]["seen"], "later");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accept_event_stream_streams_every_event_in_order_then_closes() {
    bounded(async {
        let server = Server::start(&[]);
        let response = client()
            .post(server.url("/flows/chatty/runs"))
            .header("accept", SSE)
            .json(&json!({"n": 5, "tag": "s"}))
            .send()
            .await
            .unwrap();
        let location = response.headers()["location"].to_str().unwrap().to_string();
        let messages = SseReader::new(response).collect().await;
        assert_complete(&messages, 1);
        let kinds: Vec<&str> = messages
            .iter()
            .map(|m| m.event.as_deref().unwrap())
            .collect();
        assert_eq!(kinds[0], "run_started");
        assert_eq!(kinds.iter().filter(|k| **k == "emitted").count(), 5);
        assert_eq!(*kinds.last().unwrap(), "run_finished");
        let progress: Vec<Value> = emitted(&messages).iter().map(|d| d["i"].clone()).collect();
        assert_eq!(progress, [0, 1, 2, 3, 4].map(Value::from));
        let last = messages.last().unwrap().json();
        assert_eq!(last["shared"], json!({"n": 5, "tag": "s", "said": 5}));
        let (_, run) = get(&server, &location).await;
        assert_eq!(run["status"], "finished");

        // A failing run's stream ends with run_failed.
        let response = client()
            .post(server.url("/flows/failing/runs"))
            .header("accept", "application/json, text/event-stream;q=0.9")
            .send()
            .await
            .unwrap();
        let messages = SseReader::new(response).collect().await;
        assert_complete(&messages, 1);
        let last = messages.last().unwrap().json();
        assert_eq!(last["type"], "run_failed");
        assert_eq!(last["error"], "boom: this flow always fails");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_finished_run_replays_from_any_point_and_closes() {
    bounded(async {
        let server = Server::start(&[]);
        let (_, run) = start(&server, "chatty", "", json!({"n": 20})).await;
        let id = run["id"].as_str().unwrap();
        let all = events(&server, id, None).await.collect().await;
        assert_complete(&all, 1);
        let n = all.len() as u64;
        for k in [0, 1, 10, n - 1] {
            let rest = events(&server, id, Some(k)).await.collect().await;
            assert_eq!(rest, all[k as usize..], "after Last-Event-ID {k}");
            let url = server.url(&format!("/runs/{id}/events?after={k}"));
            let response = client().get(url).send().await.unwrap();
            assert_eq!(SseReader::new(response).collect().await, all[k as usize..]);
        }
        // Nothing after the terminal event: the stream closes empty. The header wins over ?after.
        assert!(
            events(&server, id, Some(n))
                .await
                .collect()
                .await
                .is_empty()
        );
        let url = server.url(&format!("/runs/{id}/events?after=1"));
        let response = client().get(url).header("Last-Event-ID", "15").send().await;
        assert_eq!(SseReader::new(response.unwrap()).collect().await, all[15..]);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resuming_a_live_stream_delivers_exactly_the_missing_events() {
    bounded(async {
        let server = Server::start(&[]);
        let id = start_detached(&server, "chatty", json!({"n": 30, "pause": 0.02})).await;
        let mut first = events(&server, &id, None).await;
        let mut got = Vec::new();
        while got.len() < 10 {
            got.push(first.next().await.expect("a message"));
        }
        drop(first); // the client disconnects mid-run
        let (_, run) = get(&server, &format!("/runs/{id}")).await;
        assert_eq!(run["status"], "running", "resumed while live");
        let last = got.last().unwrap().seq();
        got.extend(events(&server, &id, Some(last)).await.collect().await);
        assert_complete(&got, 1);
        assert_eq!(emitted(&got).len(), 30);
        assert_eq!(got, events(&server, &id, None).await.collect().await);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_ends_a_running_run_promptly_and_its_streams_get_the_terminal_event() {
    bounded(async {
        let server = Server::start(&[]);
        let id = start_detached(&server, "sleepy", json!({"ms": 60000})).await;
        let mut stream = events(&server, &id, None).await;
        read_until_emitted(&mut stream, "before").await;
        let waiting = tokio::spawn({
            let url = server.url("/flows/sleepy/runs");
            async move { client().post(url).json(&json!({"ms": 5})).send().await }
        });
        let t0 = Instant::now();
        let url = server.url(&format!("/runs/{id}/cancel"));
        let response = client().post(&url).send().await.unwrap();
        assert_eq!(response.status(), 200);
        let run: Value = response.json().await.unwrap();
        assert!(t0.elapsed() < Duration::from_secs(2), "{:?}", t0.elapsed());
        assert_eq!(run["status"], "cancelled");
        assert_eq!(run["error"]["message"], "cancelled");
        let rest = stream.collect().await;
        let last = rest.last().expect("a terminal event").json();
        assert_eq!(last["type"], "run_failed");
        assert_eq!(last["error"], "cancelled");
        assert_eq!(
            get(&server, &format!("/runs/{id}")).await.1["status"],
            "cancelled"
        );
        // Cancelling an ended run changes nothing; other runs are untouched.
        let again: Value = client()
            .post(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(again, run);
        let other: Value = waiting.await.unwrap().unwrap().json().await.unwrap();
        assert_eq!(other["status"], "finished");
        let response = client()
            .post(server.url("/runs/nope/cancel"))
            .send()
            .await
            .unwrap();
        let (status, body) = status_and_json(response).await;
        assert_error(status, &body, 404, "run_not_found");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_runs_refuses_more_concurrent_runs_with_429() {
    bounded(async {
        let server = Server::start(&["--max-runs", "2"]);
        let a = start_detached(&server, "sleepy", json!({"ms": 60000})).await;
        let _b = start_detached(&server, "sleepy", json!({"ms": 60000})).await;
        let response = client()
            .post(server.url("/flows/quick/runs"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 429);
        assert_eq!(response.headers()["retry-after"], "1");
        let body: Value = response.json().await.unwrap();
        assert!(assert_error(429, &body, 429, "too_many_runs").contains("--max-runs"));
        let cancel = client()
            .post(server.url(&format!("/runs/{a}/cancel")))
            .send();
        assert_eq!(cancel.await.unwrap().status(), 200);
        // The slot frees as the cancelled run's task ends, just after its terminal event.
        let t0 = Instant::now();
        loop {
            let (status, _) = start(&server, "quick", "", json!({})).await;
            if status == 200 {
                break;
            }
            assert_eq!(status, 429);
            assert!(
                t0.elapsed() < Duration::from_secs(5),
                "the slot was not freed"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn run_timeout_fails_a_run_that_takes_too_long() {
    bounded(async {
        let server = Server::start(&["--run-timeout", "0.3"]);
        let t0 = Instant::now();
        let (status, run) = start(&server, "sleepy", "", json!({"ms": 60000})).await;
        assert_eq!(status, 200);
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
        assert_eq!(run["status"], "failed");
        let message = run["error"]["message"].as_str().unwrap();
        assert!(
            message.contains("timed out") && message.contains("--run-timeout"),
            "{message}"
        );
        let id = run["id"].as_str().unwrap();
        let messages = events(&server, id, None).await.collect().await;
        assert_complete(&messages, 1);
        assert_eq!(messages.last().unwrap().json()["error"], message);
        let (_, quick) = start(&server, "sleepy", "", json!({"ms": 10})).await;
        assert_eq!(quick["status"], "finished");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_leaving_a_waiting_post_does_not_cancel_the_run() {
    bounded(async {
        let server = Server::start(&[]);
        let gone = client()
            .post(server.url("/flows/sleepy/runs"))
            .json(&json!({"ms": 800, "tag": "orphan"}))
            .timeout(Duration::from_millis(200))
            .send()
            .await;
        assert!(gone.is_err_and(|e| e.is_timeout()), "the client gave up");
        let (_, list) = get(&server, "/runs").await;
        let run = &list[0];
        assert_eq!(run["flow"], "sleepy");
        assert_eq!(run["status"], "running");
        let id = run["id"].as_str().unwrap();
        let messages = events(&server, id, None).await.collect().await;
        assert_complete(&messages, 1);
        let (_, run) = get(&server, &format!("/runs/{id}")).await;
        assert_eq!(run["status"], "finished");
        assert_eq!(run["shared"]["seen"], "orphan");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_runs_never_see_each_others_store_or_events() {
    bounded(async {
        let server = Server::start(&[]);
        let run = |tag: &'static str| {
            let url = server.url("/flows/chatty/runs");
            async move {
                let mut body = json!({"n": 20, "pause": 0.01, "tag": tag});
                body[tag] = json!(true);
                let response = client().post(url).header("accept", SSE).json(&body).send();
                SseReader::new(response.await.unwrap()).collect().await
            }
        };
        let (a, b) = tokio::join!(run("a"), run("b"));
        for (tag, other, messages) in [("a", "b", &a), ("b", "a", &b)] {
            assert_complete(messages, 1);
            let data = emitted(messages);
            assert_eq!(data.len(), 20);
            assert!(data.iter().all(|d| d["tag"] == tag), "{tag}: {data:?}");
            let shared = &messages.last().unwrap().json()["shared"];
            assert_eq!(shared[tag], true);
            assert!(
                shared.get(other).is_none(),
                "{tag} saw {other}'s store: {shared}"
            );
            assert!(
                messages
                    .iter()
                    .all(|m| !m.data.contains(&format!("\"{other}\"")))
            );
        }
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_asking_for_dropped_events_gets_a_stream_error() {
    bounded(async {
        let server = Server::start(&["--event-buffer", "5"]);
        let (_, run) = start(&server, "chatty", "", json!({"n": 20})).await;
        let id = run["id"].as_str().unwrap();
        let messages = events(&server, id, None).await.collect().await;
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert_eq!(messages[0].event.as_deref(), Some("stream_error"));
        assert_eq!(
            messages[0].id, None,
            "no id: Last-Event-ID stays the last event received"
        );
        let data = messages[0].json();
        assert_eq!(data["type"], "stream_error");
        assert!(
            data["message"]
                .as_str()
                .unwrap()
                .contains("no longer buffered"),
            "{data}"
        );
        // The newest five are still there.
        let total = 26; // 20 emitted, 3 started, 2 finished, run_finished
        let tail = events(&server, id, Some(total - 5)).await.collect().await;
        assert_complete(&tail, total - 4);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_lets_short_runs_finish_then_cancels_the_rest_and_exits_0() {
    bounded(async {
        let mut server = Server::start(&["--grace", "1"]);
        let long = start_detached(&server, "sleepy", json!({"ms": 60000})).await;
        let mut stream = events(&server, &long, None).await;
        read_until_emitted(&mut stream, "before").await;
        let short = tokio::spawn({
            let url = server.url("/flows/sleepy/runs");
            async move { client().post(url).json(&json!({"ms": 400})).send().await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        let t0 = Instant::now();
        server.signal("-TERM");
        let short: Value = short.await.unwrap().unwrap().json().await.unwrap();
        assert_eq!(
            short["status"], "finished",
            "a run within the grace period finishes"
        );
        let rest = stream.collect().await;
        let last = rest.last().expect("the terminal event").json();
        assert_eq!(last["type"], "run_failed");
        assert_eq!(last["error"], "cancelled: the server is shutting down");
        let status = server.wait_exit(Duration::from_secs(10));
        assert_eq!(status.code(), Some(0), "{}", server.stderr());
        assert!(t0.elapsed() < Duration::from_secs(6), "{:?}", t0.elapsed());
        assert!(
            server.stderr().contains("shutting down"),
            "{}",
            server.stderr()
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_second_signal_during_the_grace_period_cancels_at_once() {
    bounded(async {
        let mut server = Server::start(&["--grace", "60"]);
        let id = start_detached(&server, "sleepy", json!({"ms": 60000})).await;
        let mut stream = events(&server, &id, None).await;
        read_until_emitted(&mut stream, "before").await;
        server.signal("-INT");
        let t0 = Instant::now();
        while !server.stderr().contains("waiting up to 60s for 1 run") {
            assert!(t0.elapsed() < Duration::from_secs(5), "{}", server.stderr());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        server.signal("-INT");
        let rest = stream.collect().await;
        assert_eq!(
            rest.last().unwrap().json()["error"],
            "cancelled: the server is shutting down"
        );
        assert_eq!(server.wait_exit(Duration::from_secs(10)).code(), Some(0));
        assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    })
    .await;
}

#[test]
fn load_errors_and_duplicate_names_stop_the_server_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.flow.rhai");
    std::fs::write(&broken, "let a = node(\"a\", #{});\nflow(\"main\", b)\n").unwrap();
    let serve = |files: &[String]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_flowscript"))
            .arg("serve")
            .args(files)
            .args(["--addr", "127.0.0.1:0"])
            .env("NO_COLOR", "1")
            .output()
            .unwrap()
    };
    let out = serve(&[fixture("quick"), broken.display().to_string()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("broken.flow.rhai:2:14"),
        "the diagnostic is rendered: {stderr}"
    );
    assert!(stderr.contains("Variable not found: b"), "{stderr}");
    assert!(stderr.contains("could not load"), "{stderr}");
    assert!(!stderr.contains("listening"), "{stderr}");

    let mut twice = all_fixtures();
    twice.push(fixture("quick"));
    let out = serve(&twice);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("both define the flow `quick`"), "{stderr}");

    let out = serve(&[dir.path().join("missing.flow.rhai").display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.flow.rhai"));
}

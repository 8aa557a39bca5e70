//! The OpenAI-compatible face of `flowscript serve`: `/v1/chat/completions` (a flow per model,
//! `shared.messages` / `shared.params` in, `shared.reply` out, usage summed from the run's
//! `llm::*` calls, chunk streaming ending in `[DONE]`), `/v1/models`, and errors in OpenAI's
//! shape. The official `openai` Python SDK drives the same endpoints in `tests/serve_clients.rs`.

#![cfg(unix)]

mod support;

use axum::Json;
use axum::routing::post;
use serde_json::{Value, json};
use support::serve::{Server, bounded, client, fixture, status_and_json};

/// A fake OpenAI-compatible provider on a free port: every chat answers `fake answer N` with
/// usage 5 + 2 tokens. Its `/v1` URL.
async fn fake_provider() -> String {
    let counter = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
    let app = axum::Router::new().route(
        "/v1/chat/completions",
        post(move |Json(_body): Json<Value>| {
            let n = counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            async move {
                Json(json!({
                    "model": "fake-1",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": format!("fake answer {n}")}, "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7},
                }))
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}/v1")
}

fn server(extra: &[&str]) -> Server {
    let mut args: Vec<String> = ["echo", "ask_llm", "sleepy"]
        .iter()
        .map(|f| fixture(f))
        .collect();
    args.extend(extra.iter().map(|s| s.to_string()));
    Server::with_args(&args)
}

async fn complete(server: &Server, body: Value) -> (u16, Value) {
    let url = server.url("/v1/chat/completions");
    status_and_json(client().post(url).json(&body).send().await.expect("POST")).await
}

fn user(text: &str) -> Value {
    json!([{"role": "system", "content": "be kind"}, {"role": "user", "content": text}])
}

/// The `error` object of an OpenAI-shaped error answer with `status`.
fn openai_error(status: u16, body: &Value, want: u16) -> Value {
    assert_eq!(status, want, "{body}");
    let e = body["error"].clone();
    for field in ["message", "type", "param", "code"] {
        assert!(e.get(field).is_some(), "no {field} in {body}");
    }
    e
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_completion_runs_the_flow_and_answers_its_reply() {
    bounded(async {
        let server = server(&[]);
        let (status, body) = complete(
            &server,
            json!({"model": "echo", "messages": user("hello there"), "temperature": 0.25}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["object"], "chat.completion");
        assert_eq!(body["model"], "echo");
        assert!(body["id"].as_str().expect("a string").starts_with("chatcmpl-"));
        assert!(body["created"].as_u64().expect("a number") > 1_700_000_000);
        assert_eq!(
            body["choices"],
            json!([{"index": 0, "message": {"role": "assistant", "content": "You said: hello there"}, "logprobs": null, "finish_reason": "stop"}])
        );
        assert_eq!(
            body["usage"],
            json!({"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0})
        );
        // The run is an ordinary run: the other fields arrived as shared.params.
        let id = body["id"].as_str().expect("a string").trim_start_matches("chatcmpl-");
        let (_, run) =
            status_and_json(client().get(server.url(&format!("/runs/{id}"))).send().await.expect("request"))
                .await;
        assert_eq!(run["shared"]["temperature"], 0.25);
        assert_eq!(run["shared"]["messages"], user("hello there"));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_is_summed_over_the_runs_llm_calls() {
    bounded(async {
        let provider = fake_provider().await;
        let host = provider
            .trim_start_matches("http://")
            .trim_end_matches("/v1")
            .to_string();
        let server = server(&[&format!("--allow-net={host}")]);
        let (status, body) = complete(
            &server,
            json!({"model": "ask_llm", "messages": user("hi"), "base_url": provider}),
        )
        .await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(
            body["choices"][0]["message"]["content"],
            "fake answer 1 / fake answer 2"
        );
        assert_eq!(
            body["usage"],
            json!({"prompt_tokens": 10, "completion_tokens": 4, "total_tokens": 14})
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn streaming_sends_one_chunk_per_chunk_event_then_done() {
    bounded(async {
        let server = server(&[]);
        let url = server.url("/v1/chat/completions");
        let body = json!({"model": "echo", "messages": user("a b c"), "stream": true, "stream_options": {"include_usage": true}});
        let response = client().post(url).json(&body).send().await.expect("POST");
        assert_eq!(response.status(), 200);
        assert!(response.headers().get("x-flowscript-run-id").is_some());
        let mut reader = support::serve::SseReader::new(response);
        let mut datas = Vec::new();
        while let Some(m) = reader.next().await {
            datas.push(m.data);
        }
        assert_eq!(datas.last().map(String::as_str), Some("[DONE]"));
        let chunks: Vec<Value> = datas[..datas.len() - 1]
            .iter()
            .map(|d| serde_json::from_str(d).expect("json"))
            .collect();
        assert!(chunks.iter().all(|c| c["object"] == "chat.completion.chunk"));
        let id = &chunks[0]["id"];
        assert!(chunks.iter().all(|c| &c["id"] == id), "one id per completion");
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        let text: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str())
            .collect();
        assert_eq!(text, "You said: a b c");
        // "You", " said:", " a", " b", " c": one chunk each, after the role chunk.
        let contents = chunks
            .iter()
            .filter(|c| c["choices"][0]["delta"]["content"].as_str().is_some_and(|t| !t.is_empty()))
            .count();
        assert_eq!(contents, 5);
        let finish = &chunks[chunks.len() - 2];
        assert_eq!(finish["choices"][0]["finish_reason"], "stop");
        let usage = &chunks[chunks.len() - 1];
        assert_eq!(usage["choices"], json!([]));
        assert_eq!(usage["usage"]["total_tokens"], 0);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_flow_is_an_openai_error_streamed_or_not() {
    bounded(async {
        let server = server(&[]);
        let (status, body) =
            complete(&server, json!({"model": "echo", "messages": user("fail")})).await;
        let e = openai_error(status, &body, 500);
        assert_eq!(e["code"], "run_failed");
        assert!(
            e["message"]
                .as_str()
                .unwrap()
                .contains("the echo was asked to fail"),
            "{e}"
        );

        let (status, body) = complete(
            &server,
            json!({"model": "echo", "messages": user("silent")}),
        )
        .await;
        let e = openai_error(status, &body, 500);
        assert_eq!(e["code"], "invalid_reply");
        assert!(
            e["message"]
                .as_str()
                .expect("a string")
                .contains("shared.reply"),
            "{e}"
        );

        let url = server.url("/v1/chat/completions");
        let body = json!({"model": "echo", "messages": user("fail"), "stream": true});
        let response = client().post(url).json(&body).send().await.expect("POST");
        let mut reader = support::serve::SseReader::new(response);
        let mut last = None;
        while let Some(m) = reader.next().await {
            last = Some(m.data);
        }
        let last: Value = serde_json::from_str(&last.expect("a message")).expect("json");
        assert_eq!(last["error"]["code"], "run_failed", "{last}");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_400s_or_404s_in_openai_shape() {
    bounded(async {
        let server = server(&[]);
        for (body, want, param) in [
            (
                json!({"model": "nope", "messages": user("x")}),
                404,
                "model",
            ),
            (json!({"messages": user("x")}), 400, "model"),
            (json!({"model": "echo"}), 400, "messages"),
            (
                json!({"model": "echo", "messages": [{"role": "wizard", "content": "x"}]}),
                400,
                "messages[0].role",
            ),
            (
                json!({"model": "echo", "messages": [{"role": "user", "content": 3}]}),
                400,
                "messages[0].content",
            ),
            (
                json!({"model": "echo", "messages": user("x"), "n": 3}),
                400,
                "n",
            ),
        ] {
            let (status, answer) = complete(&server, body.clone()).await;
            let e = openai_error(status, &answer, want);
            assert_eq!(e["param"], param, "{body}: {answer}");
        }
        let raw = client()
            .post(server.url("/v1/chat/completions"))
            .body("{\"model\": ")
            .send()
            .await
            .expect("POST");
        let (status, answer) = status_and_json(raw).await;
        let e = openai_error(status, &answer, 400);
        assert_eq!(e["code"], "invalid_json");
        assert_eq!(e["type"], "invalid_request_error");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_max_runs_a_completion_is_a_rate_limit_error() {
    bounded(async {
        let server = server(&["--max-runs", "1"]);
        let url = server.url("/flows/sleepy/runs?wait=false");
        let (status, _) = status_and_json(
            client()
                .post(url)
                .json(&json!({"ms": 3000}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 202);
        let url = server.url("/v1/chat/completions");
        let response = client()
            .post(url)
            .json(&json!({"model": "echo", "messages": user("x")}))
            .send()
            .await
            .expect("POST");
        assert_eq!(response.headers()["retry-after"], "1");
        let (status, body) = status_and_json(response).await;
        let e = openai_error(status, &body, 429);
        assert_eq!(e["type"], "rate_limit_error");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn models_are_the_served_flows() {
    bounded(async {
        let server = server(&[]);
        let get = |path: &str| client().get(server.url(path)).send();
        let (status, list) = status_and_json(get("/v1/models").await.expect("request")).await;
        assert_eq!(status, 200);
        assert_eq!(list["object"], "list");
        let ids: Vec<&str> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["id"].as_str().expect("request"))
            .collect();
        assert_eq!(ids, ["ask_llm", "echo", "sleepy"]);
        assert_eq!(list["data"][1]["object"], "model");
        let (status, one) = status_and_json(get("/v1/models/echo").await.expect("request")).await;
        assert_eq!((status, one["id"].as_str()), (200, Some("echo")));
        let (status, body) = status_and_json(get("/v1/models/nope").await.expect("request")).await;
        assert_eq!(openai_error(status, &body, 404)["code"], "model_not_found");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_openapi_document_lists_exactly_routed_endpoints() {
    bounded(async {
        let server = server(&[]);
        let response = client()
            .get(server.url("/openapi.json"))
            .send()
            .await
            .expect("GET");
        assert_eq!(response.headers()["content-type"], "application/json");
        let (status, doc) = status_and_json(response).await;
        assert_eq!(status, 200);
        assert_eq!(doc["openapi"], "3.1.0");
        let paths = doc["paths"].as_object().expect("paths");
        assert!(paths.len() >= 13, "{}", paths.len());
        for (path, ops) in paths {
            let concrete = path
                .replace("{name}", "echo")
                .replace("{model}", "echo")
                .replace("{id}", "0000");
            for method in ops.as_object().expect("operations").keys() {
                let request = match method.as_str() {
                    "get" => client().get(server.url(&concrete)),
                    "post" => client().post(server.url(&concrete)).body("{}"),
                    other => panic!("unexpected method {other} for {path}"),
                };
                let response = request
                    .timeout(std::time::Duration::from_secs(10))
                    .send()
                    .await
                    .expect("request");
                let status = response.status().as_u16();
                let text = response.text().await.unwrap_or_default();
                // Routed: anything but the router's own 404 (`not_found`) and 405.
                assert_ne!(status, 405, "{method} {path} is not routed");
                assert!(
                    !(status == 404 && text.contains("\"not_found\"")),
                    "{method} {path} is not routed: {text}"
                );
            }
        }
        // And nothing routed is missing from it: the API's endpoints as docs/serve.md names them.
        for path in [
            "/flows",
            "/flows/{name}",
            "/flows/{name}/runs",
            "/runs",
            "/runs/{id}",
            "/runs/{id}/events",
            "/runs/{id}/cancel",
            "/runs/{id}/input",
            "/v1/chat/completions",
            "/v1/models",
            "/v1/models/{model}",
            "/openapi.json",
            "/",
        ] {
            assert!(paths.contains_key(path), "{path} is not in /openapi.json");
        }
    })
    .await;
}

//! `llm::chat` / `llm::stream` against a real OpenAI-compatible peer on 127.0.0.1: requests
//! as sent, answers, SSE streaming with chunk events, and every way an answer can go wrong.

mod support;

use std::time::Duration;

use flowscript_runtime::Permissions;
use flowscript_runtime::{CancellationToken, EventKind};
use serde_json::{Value, json};
use support::peer::{Reply, allow, run_allowed, serve, store};

/// A one-node flow whose exec runs `body` (with `BASE` replaced by the peer's `/v1` URL and
/// `OPTS` by options naming it) and stores its value as `r`, or the error as `err`.
fn script(body: &str, base: &str, retries: u32) -> String {
    r#"
    let a = node("a", #{
        retries: RETRIES,
        exec: |x| { BODY },
        fallback: |x, err| #{ err: err },
        post: |shared, p, e| { shared.r = e; },
    });
    a
    "#
    .replace("RETRIES", &retries.to_string())
    .replace("BODY", body)
    .replace("OPTS", r#"#{base_url: "BASE", model: "m1", timeout: 5}"#)
    .replace("BASE", base)
}

fn answer(text: &str) -> Reply {
    Reply::json(
        200,
        json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}]}),
    )
}

fn delta(text: &str) -> String {
    json!({"choices": [{"index": 0, "delta": {"content": text}}]}).to_string()
}

async fn err_of(src: &str) -> String {
    let r = store(src).await.expect("run");
    r["r"]["err"].as_str().unwrap_or_default().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_sends_the_request_and_returns_the_text() {
    let peer = serve(|req, _| {
        let body: Value = serde_json::from_str(&req.body).unwrap_or_default();
        let ok = req.method == "POST"
            && req.path == "/v1/chat/completions"
            && req.header("authorization") == Some("Bearer k1")
            && req.header("content-type") == Some("application/json")
            && body["model"] == "m1"
            && body.get("stream").is_none();
        match ok {
            true => answer("ok"),
            false => Reply::text(400, "text/plain", "unexpected request"),
        }
    })
    .await;
    let body = r#"[
        llm::chat("hi", #{base_url: "BASE/", model: "m1", api_key: "k1", temperature: 0.5}),
        llm::chat([#{role: "system", content: "be brief"}, #{role: "user", content: "x"}],
                  #{base_url: "BASE", model: "m1", api_key: "k1", max_tokens: 3}),
    ]"#;
    let r = store(&script(body, &peer.url("/v1"), 1))
        .await
        .expect("run");
    assert_eq!(r["r"], json!(["ok", "ok"]));
    let sent: Vec<Value> = peer
        .seen
        .lock()
        .iter()
        .map(|s| serde_json::from_str(&s.body).expect("json"))
        .collect();
    assert_eq!(
        sent[0]["messages"],
        json!([{"role": "user", "content": "hi"}])
    );
    assert_eq!(
        (&sent[0]["temperature"], &sent[0]["max_tokens"]),
        (&json!(0.5), &Value::Null)
    );
    assert_eq!(
        sent[1]["messages"],
        json!([{"role": "system", "content": "be brief"}, {"role": "user", "content": "x"}])
    );
    assert_eq!(sent[1]["max_tokens"], 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chat_reports_non_json_bodies_missing_choices_and_error_statuses() {
    let peer = serve(|req, _| match req.path.as_str() {
        "/html/chat/completions" => Reply::text(200, "text/html", "<html>gateway</html>"),
        "/empty/chat/completions" => Reply::json(200, json!({"id": "x", "choices": []})),
        _ => Reply::json(
            401,
            json!({"error": {"message": "Incorrect API key provided"}}),
        ),
    })
    .await;
    let err = err_of(&script("llm::chat(\"q\", OPTS)", &peer.url("/html"), 1)).await;
    assert!(
        err.contains("not JSON") && err.contains("<html>gateway"),
        "{err}"
    );
    let err = err_of(&script("llm::chat(\"q\", OPTS)", &peer.url("/empty"), 1)).await;
    assert!(err.contains("no `choices`"), "{err}");
    let err = err_of(&script("llm::chat(\"q\", OPTS)", &peer.url("/auth"), 1)).await;
    assert!(
        err.contains("HTTP 401") && err.contains("Incorrect API key provided"),
        "{err}"
    );
    assert!(
        err.contains("/auth/chat/completions") && err.contains("OPENAI_API_KEY"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_500_is_retried_by_the_node_and_then_succeeds() {
    let peer = serve(|_, i| match i {
        0 => Reply::json(500, json!({"error": {"message": "overloaded"}})),
        _ => answer("second time"),
    })
    .await;
    let src = script("llm::chat(\"q\", OPTS)", &peer.url("/v1"), 2);
    let (outcome, events) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    assert_eq!(outcome.shared["r"], "second time");
    assert_eq!(peer.hits(), 2);
    let retry = support::retries(&events);
    assert_eq!(retry.len(), 1);
    assert!(
        retry[0].2.contains("HTTP 500") && retry[0].2.contains("overloaded"),
        "{retry:?}"
    );
}

fn chunks(events: &[flowscript_runtime::Event]) -> Vec<String> {
    events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Emitted { data } if data["type"] == "chunk" => {
                data["text"].as_str().map(str::to_string)
            }
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stream_emits_chunks_in_order_and_returns_their_concatenation() {
    let first = delta("Hel");
    let (a, b) = first.split_at(first.len() / 2);
    let parts = vec![
        (Duration::ZERO, ": keep-alive\r\n\r\n".to_string()),
        (Duration::from_millis(5), format!("data: {a}")),
        (Duration::from_millis(5), format!("{b}\r\n\r\n")),
        (
            Duration::from_millis(5),
            format!("data: {}\n\ndata: {}\n\n", delta("lo"), delta(" wörld")),
        ),
        (
            Duration::from_millis(5),
            "data: {\"choices\":[],\"usage\":{}}\n\n".into(),
        ),
        (Duration::from_millis(5), "data: [DONE]\n\n".into()),
    ];
    let peer = serve(move |req, _| {
        let body: Value = serde_json::from_str(&req.body).unwrap_or_default();
        match body["stream"] == true {
            true => Reply::Stream {
                content_type: "text/event-stream",
                parts: parts.clone(),
            },
            false => Reply::text(400, "text/plain", "not streamed"),
        }
    })
    .await;
    let src = script("llm::stream(\"q\", OPTS)", &peer.url("/v1"), 1);
    let (outcome, events) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    assert_eq!(outcome.shared["r"], "Hello wörld");
    assert_eq!(chunks(&events), ["Hel", "lo", " wörld"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_and_truncated_streams_are_errors() {
    let peer = serve(|req, _| match req.path.as_str() {
        "/bad/chat/completions" => Reply::sse(&[&delta("a"), "{not json"], Duration::ZERO),
        "/err/chat/completions" => Reply::sse(
            &[&delta("a"), r#"{"error":{"message":"model overloaded"}}"#],
            Duration::ZERO,
        ),
        // The server dies mid-stream: the connection drops inside a chunk.
        "/drop/chat/completions" => Reply::Cut {
            content_type: "text/event-stream",
            parts: vec![(Duration::ZERO, format!("data: {}\n\n", delta("half ")))],
        },
        _ => Reply::sse(
            &[&delta("partial "), &delta("answer")],
            Duration::from_millis(5),
        ),
    })
    .await;
    let err = err_of(&script("llm::stream(\"q\", OPTS)", &peer.url("/bad"), 1)).await;
    assert!(
        err.contains("malformed SSE data") && err.contains("{not json"),
        "{err}"
    );
    let err = err_of(&script("llm::stream(\"q\", OPTS)", &peer.url("/err"), 1)).await;
    assert!(err.contains("model overloaded"), "{err}");

    let src = script("llm::stream(\"q\", OPTS)", &peer.url("/cut"), 1);
    let (outcome, events) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    let err = outcome.shared["r"]["err"].as_str().unwrap_or_default();
    assert!(
        err.contains("ended before [DONE]") && err.contains("incomplete"),
        "{err}"
    );
    assert_eq!(
        chunks(&events),
        ["partial ", "answer"],
        "chunks already seen stay emitted"
    );

    let src = script("llm::stream(\"q\", OPTS)", &peer.url("/drop"), 1);
    let (outcome, events) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    let err = outcome.shared["r"]["err"].as_str().unwrap_or_default();
    assert!(
        err.contains("ended before [DONE]") && err.contains("after 5 characters"),
        "{err}"
    );
    assert_eq!(chunks(&events), ["half "]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn llm_calls_need_net_permission_for_their_host() {
    let peer = serve(|_, _| answer("x")).await;
    let src = script("llm::chat(\"q\", OPTS)", &peer.url("/v1"), 1);
    let (outcome, _) = run_allowed(&src, Permissions::default(), CancellationToken::new()).await;
    let err = outcome.shared["r"]["err"].as_str().unwrap_or_default();
    assert!(
        err.contains("llm::chat") && err.contains("--allow-net"),
        "{err}"
    );
    assert_eq!(peer.hits(), 0);
    let (outcome, _) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    assert_eq!(outcome.shared["r"], "x");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reported_token_usage_becomes_llm_usage_events() {
    let usage = json!({"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10});
    let streamed = json!({"model": "m1-s", "choices": [], "usage": {"prompt_tokens": 2, "completion_tokens": 5}});
    let peer = serve(move |req, _| {
        let body: Value = serde_json::from_str(&req.body).unwrap_or_default();
        if body["stream"] == true {
            Reply::sse(&[&delta("x"), &streamed.to_string(), "[DONE]"], Duration::ZERO)
        } else {
            Reply::json(
                200,
                json!({"model": "m1-2026", "usage": usage, "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}]}),
            )
        }
    })
    .await;
    let src = script(
        "[llm::chat(\"q\", OPTS), llm::stream(\"q\", OPTS)]",
        &peer.url("/v1"),
        1,
    );
    let (outcome, events) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    assert_eq!(outcome.shared["r"], json!(["ok", "x"]));
    let usages: Vec<(String, u64, u64, u64)> = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::LlmUsage {
                model,
                prompt_tokens,
                completion_tokens,
                total_tokens,
            } => Some((
                model.clone(),
                *prompt_tokens,
                *completion_tokens,
                *total_tokens,
            )),
            _ => None,
        })
        .collect();
    assert_eq!(
        usages,
        vec![
            ("m1-2026".to_string(), 7, 3, 10),
            ("m1-s".to_string(), 2, 5, 7)
        ]
    );
}

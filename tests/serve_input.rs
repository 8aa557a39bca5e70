//! Human input under `flowscript serve`: a hook's `input()` shows up as an `input_required`
//! event, `POST /runs/{id}/input` answers it (404 for a key nobody asked, 409 when nothing
//! waits), and the run goes on with the answered value; a cancelled run's question is gone.

#![cfg(unix)]

mod support;

use serde_json::{Value, json};
use support::serve::{
    Server, SseReader, assert_error, bounded, client, events, start_detached, status_and_json,
};

/// POST an answer body to run `id`.
async fn answer(server: &Server, id: &str, body: Value) -> (u16, Value) {
    let url = server.url(&format!("/runs/{id}/input"));
    status_and_json(client().post(url).json(&body).send().await.expect("POST")).await
}

/// Read the stream until `input_required`; its data.
async fn next_question(reader: &mut SseReader) -> Value {
    while let Some(m) = reader.next().await {
        if m.event.as_deref() == Some("input_required") {
            return m.json();
        }
    }
    panic!("the stream closed before input_required");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_answer_resumes_the_run_with_its_value() {
    bounded(async {
        let server = Server::start(&[]);
        let id = start_detached(&server, "asking", json!({"twice": true})).await;
        let mut stream = events(&server, &id, None).await;
        let q = next_question(&mut stream).await;
        assert_eq!(q["key"], "approve");
        assert_eq!(q["prompt"], "Approve?");

        let (status, body) = answer(&server, &id, json!({"key": "nope", "value": 1})).await;
        let msg = assert_error(status, &body, 404, "input_not_found");
        assert!(msg.contains("it waits on: approve"), "{msg}");

        let value = json!({"ok": true, "by": "Ada", "notes": [1, 2.5, null]});
        let (status, body) = answer(&server, &id, json!({"key": "approve", "value": value})).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body, json!({"id": id, "key": "approve"}));

        // The second question has the default key, numbered per run.
        let q = next_question(&mut stream).await;
        assert_eq!(q["key"], "input-1");
        let (status, _) = answer(&server, &id, json!({"key": "approve", "value": 2})).await;
        assert_eq!(status, 404, "an answered key is no longer open");
        let (status, _) = answer(&server, &id, json!({"key": "input-1", "value": "because"})).await;
        assert_eq!(status, 200);

        let mut last = None;
        while let Some(m) = stream.next().await {
            last = Some(m);
        }
        let end = last.expect("a terminal event");
        assert_eq!(end.event.as_deref(), Some("run_finished"), "{}", end.data);
        assert_eq!(end.json()["shared"]["answer"], value);
        assert_eq!(end.json()["shared"]["why"], "because");

        let (status, body) = answer(&server, &id, json!({"key": "approve", "value": 3})).await;
        assert_error(status, &body, 409, "not_waiting");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_are_refused_clearly_when_nothing_waits_or_the_body_is_wrong() {
    bounded(async {
        let server = Server::start(&[]);
        let (status, body) = answer(&server, "0123", json!({"key": "k", "value": 1})).await;
        assert_error(status, &body, 404, "run_not_found");

        let sleepy = start_detached(&server, "sleepy", json!({"ms": 2000})).await;
        let (status, body) = answer(&server, &sleepy, json!({"key": "k", "value": 1})).await;
        assert_error(status, &body, 409, "not_waiting");

        for (bad, want) in [
            (json!({"value": 1}), "`key` is missing"),
            (json!({"key": 7, "value": 1}), "`key` must be a string"),
            (json!({"key": "k"}), "`value` is missing"),
            (
                json!({"key": "k", "value": 1, "extra": 2}),
                "unknown field `extra`",
            ),
            (json!([1]), "must be a JSON object"),
        ] {
            let (status, body) = answer(&server, &sleepy, bad.clone()).await;
            assert_eq!(status, 400, "{bad}: {body}");
            let msg = body["error"]["message"].as_str().expect("message");
            assert!(msg.contains(want), "{bad}: {msg}");
        }
        let url = server.url(&format!("/runs/{sleepy}/input"));
        let raw = client()
            .post(url)
            .body("{\"key\": ")
            .send()
            .await
            .expect("POST");
        let (status, body) = status_and_json(raw).await;
        assert_error(status, &body, 400, "invalid_json");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_a_waiting_run_withdraws_its_question() {
    bounded(async {
        let server = Server::start(&[]);
        let id = start_detached(&server, "asking", json!({"anon": true})).await;
        let mut stream = events(&server, &id, None).await;
        assert_eq!(next_question(&mut stream).await["key"], "input-1");
        let url = server.url(&format!("/runs/{id}/cancel"));
        let (status, run) = status_and_json(client().post(url).send().await.expect("cancel")).await;
        assert_eq!(status, 200, "{run}");
        assert_eq!(run["status"], "cancelled");
        let (status, body) = answer(&server, &id, json!({"key": "input-1", "value": 1})).await;
        assert_error(status, &body, 409, "not_waiting");
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unanswered_question_times_out_and_fails_the_run() {
    bounded(async {
        let server = Server::start(&[]);
        let id = start_detached(&server, "asking", json!({"timeout": 0.2})).await;
        let mut stream = events(&server, &id, None).await;
        next_question(&mut stream).await;
        let mut last = None;
        while let Some(m) = stream.next().await {
            last = Some(m);
        }
        let end = last.expect("terminal");
        assert_eq!(end.event.as_deref(), Some("run_failed"));
        let error = end.json()["error"].as_str().unwrap_or("").to_string();
        assert!(
            error.contains("input(\"approve\"): no answer within 0.2s"),
            "{error}"
        );
    })
    .await;
}

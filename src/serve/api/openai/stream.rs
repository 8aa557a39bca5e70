//! `stream: true`: the run's `chunk` events (from `llm::stream` or `emit(#{type: "chunk",
//! text})`) as `chat.completion.chunk` Server-Sent Events: a first chunk with the role, one per
//! chunk event, a last one with `finish_reason`, optionally one with `usage`, then
//! `data: [DONE]`. A flow that streamed nothing sends its `shared.reply` as one chunk; a run that
//! fails sends an `error` object (OpenAI's clients raise it) and the stream ends.

use std::convert::Infallible;
use std::sync::Arc;

use axum::response::sse::{Event as SseEvent, Sse};
use flowscript_runtime::EventKind;
use futures::Stream;
use serde_json::{Value, json};

use super::{completion_id, created, reply};
use crate::serve::runs::Run;
use crate::serve::sse::{Cursor, Next, keep_alive};

/// Where a stream is.
struct State {
    cursor: Cursor,
    model: String,
    include_usage: bool,
    /// Whether any content chunk was sent.
    streamed: bool,
    /// Messages ready to send, in order.
    queue: std::collections::VecDeque<String>,
    finished: bool,
}

/// The completion chunks of `run`.
pub fn chunks(
    run: Arc<Run>,
    model: String,
    include_usage: bool,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let mut state = State {
        cursor: Cursor::new(run, 0),
        model,
        include_usage,
        streamed: false,
        queue: Default::default(),
        finished: false,
    };
    let first = state.chunk(json!({"role": "assistant", "content": ""}), Value::Null);
    state.queue.push_back(first);
    let stream = futures::stream::unfold(state, |mut s| async move {
        let data = s.next().await?;
        Some((Ok(SseEvent::default().data(data)), s))
    });
    Sse::new(stream).keep_alive(keep_alive())
}

impl State {
    /// The next `data:` to send, or `None` after `[DONE]` or an error.
    async fn next(&mut self) -> Option<String> {
        loop {
            if let Some(data) = self.queue.pop_front() {
                return Some(data);
            }
            if self.finished {
                return None;
            }
            match self.cursor.next().await {
                Some(Next::Event(e)) => {
                    if let Some(text) = chunk_text(&e.event.kind) {
                        self.streamed = true;
                        let c = self.chunk(json!({"content": text}), Value::Null);
                        self.queue.push_back(c);
                    }
                }
                Some(Next::Dropped { .. }) | None => self.end(),
            }
        }
    }

    /// The run has ended (or its stream is cut): the reply or the error, then the end.
    fn end(&mut self) {
        self.finished = true;
        let run = self.cursor.run.clone();
        match reply(&run) {
            Ok(text) => {
                if !self.streamed && !text.is_empty() {
                    let c = self.chunk(json!({"content": text}), Value::Null);
                    self.queue.push_back(c);
                }
                let last = self.chunk(json!({}), json!("stop"));
                self.queue.push_back(last);
                if self.include_usage {
                    let mut u = self.envelope();
                    u["choices"] = json!([]);
                    u["usage"] = json!(run.usage());
                    self.queue.push_back(u.to_string());
                }
                self.queue.push_back("[DONE]".into());
            }
            // A stream already answered 200: the error travels in it, as OpenAI sends them.
            Err(e) => self.queue.push_back(e.body().to_string()),
        }
    }

    fn envelope(&self) -> Value {
        let run = &self.cursor.run;
        json!({
            "id": completion_id(run),
            "object": "chat.completion.chunk",
            "created": created(run),
            "model": self.model,
            "system_fingerprint": null,
        })
    }

    fn chunk(&self, delta: Value, finish_reason: Value) -> String {
        let mut c = self.envelope();
        c["choices"] = json!([{
            "index": 0,
            "delta": delta,
            "logprobs": null,
            "finish_reason": finish_reason,
        }]);
        c.to_string()
    }
}

/// The text of an `emitted` event that is a chunk (`data: {type: "chunk", text}`).
fn chunk_text(kind: &EventKind) -> Option<String> {
    let EventKind::Emitted { data } = kind else {
        return None;
    };
    (data["type"] == "chunk")
        .then(|| data["text"].as_str().map(str::to_string))
        .flatten()
}

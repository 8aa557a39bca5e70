//! A run's events as Server-Sent Events: one message per event (`id:` its `seq`, `event:` its
//! `type`, `data:` the event as JSON), from a cursor on, live until the run's terminal event,
//! then the stream closes.
//!
//! A reader that asks for events the run's buffer no longer holds, or falls so far behind that
//! they were dropped while it read, gets one `stream_error` message (no `id:`, so a client's
//! `Last-Event-ID` stays the last event it got) and the stream closes.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use serde_json::json;
use tokio::sync::watch;

use super::runs::{Read, Run};

/// Comments sent while a run is quiet, so proxies keep the connection.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The events of `run` after `after` (0: all), live until it ends.
pub fn events(run: Arc<Run>, after: u64) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let cursor = Cursor {
        rx: run.subscribe(),
        run,
        after,
        done: false,
    };
    let stream = futures::stream::unfold(cursor, |mut c| async move {
        let event = c.next().await?;
        Some((Ok(event), c))
    });
    Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}

/// One reader's place in a run's stream.
struct Cursor {
    run: Arc<Run>,
    rx: watch::Receiver<u64>,
    /// The last `seq` delivered.
    after: u64,
    done: bool,
}

impl Cursor {
    /// The next message, or `None` once the stream is complete.
    async fn next(&mut self) -> Option<SseEvent> {
        if self.done {
            return None;
        }
        loop {
            // Mark the current value seen before reading: an event stored after the read
            // changes it again, so the wait below cannot miss it.
            self.rx.borrow_and_update();
            match self.run.read(self.after) {
                Read::Event(e) => {
                    self.after = e.seq;
                    self.done = e.terminal;
                    return Some(
                        SseEvent::default()
                            .id(e.seq.to_string())
                            .event(e.kind)
                            .data(e.json.as_str()),
                    );
                }
                Read::Dropped { through } => {
                    self.done = true;
                    return Some(stream_error(&self.run, self.after, through));
                }
                Read::End => return None,
                Read::Wait => {
                    if self.rx.changed().await.is_err() {
                        return None;
                    }
                }
            }
        }
    }
}

/// The terminal message for a reader whose next events were dropped.
fn stream_error(run: &Run, after: u64, through: u64) -> SseEvent {
    let message = format!(
        "events {}..={through} of run {} are no longer buffered (a run keeps its newest events \
         only; see --event-buffer); GET /runs/{} has the run's outcome",
        after + 1,
        run.id(),
        run.id()
    );
    SseEvent::default()
        .event("stream_error")
        .data(json!({"type": "stream_error", "message": message}).to_string())
}

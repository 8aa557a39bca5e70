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

use super::runs::{Read, Run, Stored};

/// Comments sent while a run is quiet, so proxies keep the connection.
const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// The events of `run` after `after` (0: all), live until it ends.
pub fn events(run: Arc<Run>, after: u64) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>>> {
    let stream = futures::stream::unfold(Cursor::new(run, after), |mut c| async move {
        let message = match c.next().await? {
            Next::Event(e) => SseEvent::default()
                .id(e.seq.to_string())
                .event(e.kind)
                .data(e.json()),
            Next::Dropped { after, through } => stream_error(&c.run, after, through),
        };
        Some((Ok(message), c))
    });
    Sse::new(stream).keep_alive(keep_alive())
}

/// The comments every event stream of the server sends while it is quiet.
pub fn keep_alive() -> KeepAlive {
    KeepAlive::new().interval(KEEP_ALIVE)
}

/// What a reader gets next.
pub enum Next {
    /// The next event.
    Event(Arc<Stored>),
    /// The events after `after` up to `through` were dropped before the reader got them; the
    /// stream ends here.
    Dropped {
        /// The last `seq` the reader got.
        after: u64,
        /// The last dropped `seq`.
        through: u64,
    },
}

/// One reader's place in a run's stream: every event after it, live, until the terminal one.
pub struct Cursor {
    /// The run read.
    pub run: Arc<Run>,
    rx: watch::Receiver<u64>,
    /// The last `seq` delivered.
    after: u64,
    done: bool,
}

impl Cursor {
    /// A reader of `run`'s events after `after` (0: all).
    pub fn new(run: Arc<Run>, after: u64) -> Self {
        Self {
            rx: run.subscribe(),
            run,
            after,
            done: false,
        }
    }

    /// The next event, or `None` once the stream is complete (after the terminal event or a
    /// [`Next::Dropped`]).
    pub async fn next(&mut self) -> Option<Next> {
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
                    return Some(Next::Event(e));
                }
                Read::Dropped { through } => {
                    self.done = true;
                    return Some(Next::Dropped {
                        after: self.after,
                        through,
                    });
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
pub fn stream_error(run: &Run, after: u64, through: u64) -> SseEvent {
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

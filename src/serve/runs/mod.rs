//! Run records: one per run a client started, with its status, outcome, bounded event buffer,
//! cancellation token and the signal live readers wait on.
//!
//! Events go into the record through [`RunSink`] (the runtime's [`EventSink`]); the terminal
//! event (`run_finished` / `run_failed`) also sets the status, under the same lock, so a client
//! that has seen it and then asks `GET /runs/{id}` sees the run ended.

mod buffer;
mod launch;
mod questions;
mod table;

use std::borrow::Cow;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flowscript_runtime::{CancellationToken, Event, EventKind, EventSink, Span};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{Notify, watch};

pub use buffer::{BufferLimits, Read, Stored};
pub use launch::{RunConfig, start};
pub use questions::{AnswerError, Questions, RunAnswerer};
pub use table::{RunTable, StartError};

use buffer::EventBuffer;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Started and not ended.
    Running,
    /// The entry flow finished (`action` says how).
    Finished,
    /// An error ended it, or `--run-timeout` did.
    Failed,
    /// `POST /runs/{id}/cancel` or the server's shutdown ended it.
    Cancelled,
}

/// Why a run's token was cancelled; the first cause wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CancelCause {
    /// A client asked (`POST /runs/{id}/cancel`).
    Requested,
    /// The run took longer than `--run-timeout`.
    Timeout(Duration),
    /// The server shut down and the grace period ran out.
    Shutdown,
}

/// Why a run failed (or what stopped it), as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunErrorInfo {
    /// What went wrong.
    pub message: String,
    /// The failing node's breadcrumb.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Where in the script.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// A run as `GET /runs/{id}` shows it, owned ([`Run::view`]) or borrowed from the locked
/// record to be written out at once ([`Run::view_json`]). Times are Unix milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct RunView<'a> {
    /// The run's id.
    pub id: Cow<'a, str>,
    /// The flow it runs.
    pub flow: Cow<'a, str>,
    /// Where it is.
    pub status: Status,
    /// The entry flow's last action, once finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Cow<'a, str>>,
    /// The store: the initial one while running, the final one after. Left out of lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<Cow<'a, Value>>,
    /// Why it failed or was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<Cow<'a, RunErrorInfo>>,
    /// When it started (Unix ms).
    pub started: u64,
    /// When it ended (Unix ms).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended: Option<u64>,
}

/// What changes while a run goes on, under one lock.
struct State {
    status: Status,
    action: Option<String>,
    shared: Value,
    error: Option<RunErrorInfo>,
    ended: Option<u64>,
    events: EventBuffer,
    usage: Usage,
}

/// Token usage summed over a run's `llm_usage` events.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
    /// Their total.
    pub total_tokens: u64,
}

/// One run: its identity, outcome and events.
pub struct Run {
    id: String,
    flow: String,
    started: u64,
    cancel: CancellationToken,
    cause: OnceLock<CancelCause>,
    state: Mutex<State>,
    /// The last `seq` stored: stream readers wait for it to change. Only sent while someone
    /// reads: waking nobody still costs a lock per shard.
    stored: watch::Sender<u64>,
    /// Wakes those waiting for the run to end.
    end: Notify,
    /// Its open `input()` questions.
    questions: Arc<Questions>,
}

impl Run {
    /// A running run of `flow` starting from `input`.
    pub fn new(id: String, flow: String, input: Value, limits: BufferLimits) -> Self {
        Self {
            id,
            flow,
            started: unix_ms(),
            cancel: CancellationToken::new(),
            cause: OnceLock::new(),
            state: Mutex::new(State {
                status: Status::Running,
                action: None,
                shared: input,
                error: None,
                ended: None,
                events: EventBuffer::new(limits),
                usage: Usage::default(),
            }),
            stored: watch::Sender::new(0),
            end: Notify::new(),
            questions: Arc::default(),
        }
    }

    /// Its open `input()` questions.
    pub fn questions(&self) -> &Arc<Questions> {
        &self.questions
    }

    /// The run's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// When it started (Unix ms).
    pub fn started(&self) -> u64 {
        self.started
    }

    /// The run's token, for the runtime.
    pub fn token(&self) -> &CancellationToken {
        &self.cancel
    }

    /// Stop the run for `cause` (the first cause is the one reported). Ended runs ignore it.
    pub fn cancel(&self, cause: CancelCause) {
        let _ = self.cause.set(cause);
        self.cancel.cancel();
    }

    /// Whether the run has ended.
    pub fn is_ended(&self) -> bool {
        self.state.lock().status != Status::Running
    }

    /// The run as the API shows it; `with_store` includes `shared`.
    pub fn view(&self, with_store: bool) -> RunView<'static> {
        let state = self.state.lock();
        let v = self.view_of(&state, with_store);
        RunView {
            id: Cow::Owned(v.id.into_owned()),
            flow: Cow::Owned(v.flow.into_owned()),
            status: v.status,
            action: v.action.map(|a| Cow::Owned(a.into_owned())),
            shared: v.shared.map(|s| Cow::Owned(s.into_owned())),
            error: v.error.map(|e| Cow::Owned(e.into_owned())),
            started: v.started,
            ended: v.ended,
        }
    }

    /// The run with its store as JSON, written while the record is locked (no copy of the
    /// store is made).
    pub fn view_json(&self) -> Vec<u8> {
        let state = self.state.lock();
        // A view is strings, numbers and a JSON value: writing it to memory cannot fail.
        serde_json::to_vec(&self.view_of(&state, true)).unwrap_or_default()
    }

    fn view_of<'a>(&'a self, state: &'a State, with_store: bool) -> RunView<'a> {
        RunView {
            id: Cow::Borrowed(&self.id),
            flow: Cow::Borrowed(&self.flow),
            status: state.status,
            action: state.action.as_deref().map(Cow::Borrowed),
            shared: with_store.then_some(Cow::Borrowed(&state.shared)),
            error: state.error.as_ref().map(Cow::Borrowed),
            started: self.started,
            ended: state.ended,
        }
    }

    /// The token usage of the run's `llm::*` calls so far.
    pub fn usage(&self) -> Usage {
        self.state.lock().usage
    }

    /// What a reader that has delivered events up to `after` reads next.
    pub fn read(&self, after: u64) -> Read {
        self.state.lock().events.read(after)
    }

    /// A receiver that changes whenever an event is stored after it was made. A reader must
    /// subscribe before it reads the buffer: then an event is either in what it read or
    /// announced to it (the writer looks for receivers after storing, under the same lock).
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.stored.subscribe()
    }

    /// Wait until the run has ended.
    pub async fn ended(&self) {
        let notified = self.end.notified();
        tokio::pin!(notified);
        // Registered before the check, so an end between the two still wakes it.
        notified.as_mut().enable();
        if self.is_ended() {
            return;
        }
        notified.await;
    }

    /// Store one event from the runtime. The terminal event sets the outcome; a cancelled
    /// run's `run_failed` says why it was cancelled (a timeout makes it `failed`).
    fn record(&self, event: Event) {
        let cancelled = match &event.kind {
            EventKind::RunFailed { error, .. }
                if error == "cancelled" && self.cancel.is_cancelled() =>
            {
                Some(self.cause.get().copied().unwrap_or(CancelCause::Requested))
            }
            _ => None,
        };
        let mut event = event;
        if let (Some(cause), EventKind::RunFailed { error, .. }) = (cancelled, &mut event.kind) {
            *error = cancel_message(cause);
        }
        let stored = Arc::new(Stored::new(event));
        let (seq, readers) = {
            let mut state = self.state.lock();
            if state.events.is_closed() {
                return;
            }
            match &stored.event.kind {
                EventKind::RunFinished { action, shared } => {
                    state.status = Status::Finished;
                    state.action = Some(action.clone());
                    state.shared = shared.clone();
                    state.ended = Some(unix_ms());
                }
                EventKind::RunFailed {
                    error,
                    shared,
                    path,
                    span,
                } => {
                    state.status = match cancelled {
                        Some(CancelCause::Requested | CancelCause::Shutdown) => Status::Cancelled,
                        Some(CancelCause::Timeout(_)) | None => Status::Failed,
                    };
                    state.shared = shared.clone();
                    state.error = Some(RunErrorInfo {
                        message: error.clone(),
                        path: path.clone(),
                        span: span.clone(),
                    });
                    state.ended = Some(unix_ms());
                }
                EventKind::LlmUsage {
                    prompt_tokens,
                    completion_tokens,
                    total_tokens,
                    ..
                } => {
                    let u = &mut state.usage;
                    u.prompt_tokens = u.prompt_tokens.saturating_add(*prompt_tokens);
                    u.completion_tokens = u.completion_tokens.saturating_add(*completion_tokens);
                    u.total_tokens = u.total_tokens.saturating_add(*total_tokens);
                }
                _ => {}
            }
            state.events.push(stored.clone());
            (state.events.last_seq(), self.stored.receiver_count() > 0)
        };
        if readers {
            self.stored.send_replace(seq);
        }
        if stored.terminal {
            self.end.notify_waiters();
        }
    }

    /// End a run whose task stopped without a terminal event (it panicked): streams and waiters
    /// must still see it end.
    pub fn fail_unfinished(&self, message: &str) {
        let (seq, shared) = {
            let state = self.state.lock();
            if state.events.is_closed() {
                return;
            }
            (state.events.last_seq() + 1, state.shared.clone())
        };
        self.record(Event {
            seq,
            kind: EventKind::RunFailed {
                error: message.to_string(),
                shared,
                path: None,
                span: None,
            },
        });
    }
}

/// What a cancelled run's error says.
fn cancel_message(cause: CancelCause) -> String {
    match cause {
        CancelCause::Requested => "cancelled".to_string(),
        CancelCause::Shutdown => "cancelled: the server is shutting down".to_string(),
        CancelCause::Timeout(d) => format!(
            "timed out: the run took longer than {}s (--run-timeout)",
            d.as_secs_f64()
        ),
    }
}

/// The runtime's sink for one run: every event goes into the run's record.
pub struct RunSink(pub Arc<Run>);

impl EventSink for RunSink {
    fn event(&self, event: Event) {
        self.0.record(event);
    }
}

/// Now, in Unix milliseconds.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

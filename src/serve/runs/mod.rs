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

use std::sync::{Arc, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use flowscript_runtime::{CancellationToken, Event, EventKind, EventSink, Span};
use parking_lot::Mutex;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

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

/// A run as `GET /runs/{id}` shows it. Times are Unix milliseconds.
#[derive(Debug, Clone, Serialize)]
pub struct RunView {
    /// The run's id.
    pub id: String,
    /// The flow it runs.
    pub flow: String,
    /// Where it is.
    pub status: Status,
    /// The entry flow's last action, once finished.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    /// The store: the initial one while running, the final one after. Left out of lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shared: Option<Value>,
    /// Why it failed or was cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<RunErrorInfo>,
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
    /// The last `seq` stored: readers wait for it to change.
    stored: watch::Sender<u64>,
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
    pub fn view(&self, with_store: bool) -> RunView {
        let state = self.state.lock();
        RunView {
            id: self.id.clone(),
            flow: self.flow.clone(),
            status: state.status,
            action: state.action.clone(),
            shared: with_store.then(|| state.shared.clone()),
            error: state.error.clone(),
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

    /// A receiver that changes whenever an event is stored.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.stored.subscribe()
    }

    /// Wait until the run has ended.
    pub async fn ended(&self) {
        let mut rx = self.subscribe();
        loop {
            rx.borrow_and_update();
            if self.is_ended() {
                return;
            }
            // The sender lives as long as the run, and `self` borrows the run.
            if rx.changed().await.is_err() {
                return;
            }
        }
    }

    /// Store one event from the runtime. The terminal event sets the outcome; a cancelled
    /// run's `run_failed` says why it was cancelled (a timeout makes it `failed`).
    fn record(&self, event: &Event) {
        let cancelled = match &event.kind {
            EventKind::RunFailed { error, .. }
                if error == "cancelled" && self.cancel.is_cancelled() =>
            {
                Some(self.cause.get().copied().unwrap_or(CancelCause::Requested))
            }
            _ => None,
        };
        let rewritten;
        let event = match cancelled {
            Some(cause) => {
                let mut e = event.clone();
                if let EventKind::RunFailed { error, .. } = &mut e.kind {
                    *error = cancel_message(cause);
                }
                rewritten = e;
                &rewritten
            }
            None => event,
        };
        let stored = Arc::new(Stored::new(event));
        let seq = {
            let mut state = self.state.lock();
            if state.events.is_closed() {
                return;
            }
            match &event.kind {
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
            state.events.push(stored);
            state.events.last_seq()
        };
        self.stored.send_replace(seq);
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
        self.record(&Event {
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
    fn event(&self, event: &Event) {
        self.0.record(event);
    }
}

/// Now, in Unix milliseconds.
pub fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

//! Typed run events: what the executor (and, later, scripts) report while a flow runs.

pub mod sink;

use std::sync::Arc;

use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::diagnostic::Code;
use crate::graph::NodeKind;
use crate::span::Span;

pub use sink::{CollectSink, EventSink, JsonlSink};

/// One event with its sequence number (monotonic per run, starting at 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Position in the run's stream; lets a consumer resume.
    pub seq: u64,
    /// What happened.
    #[serde(flatten)]
    pub kind: EventKind,
}

/// What happened, tagged by `type` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// The run began.
    RunStarted {
        /// The entry flow's name.
        flow: String,
        /// The script.
        file: String,
    },
    /// A node (or flow) began a visit.
    NodeStarted {
        /// Breadcrumb such as `main/summarize` or `main/each[2]/load`.
        path: String,
        /// The node's kind.
        kind: NodeKind,
        /// 1 for the visit's first attempt (retries are `node_retry`).
        attempt: u32,
    },
    /// An exec attempt failed and will be tried again.
    NodeRetry {
        /// Breadcrumb, with `[i]` for a batch item.
        path: String,
        /// The attempt about to start (2 for the first retry).
        attempt: u32,
        /// The failed attempt's error.
        error: String,
        /// Seconds waited before the next attempt.
        wait: f64,
    },
    /// A batch item (or sub-run) began: it holds one of the node's `concurrency` slots until it
    /// finishes or fails.
    ItemStarted {
        /// The batch node's breadcrumb.
        path: String,
        /// The item's index.
        index: usize,
        /// The number of items.
        of: usize,
    },
    /// A batch item (or sub-run) failed for good: its retries (and fallback, if any) are spent.
    ItemFailed {
        /// The batch node's breadcrumb.
        path: String,
        /// The item's index.
        index: usize,
        /// The number of items.
        of: usize,
        /// The item's error.
        error: String,
    },
    /// A batch item finished.
    ItemFinished {
        /// The batch node's breadcrumb.
        path: String,
        /// The item's index.
        index: usize,
        /// The number of items.
        of: usize,
    },
    /// A node (or flow) finished a visit.
    NodeFinished {
        /// Breadcrumb.
        path: String,
        /// The action its post returned (normalised; `"default"` for `()`).
        action: String,
        /// Wall time of the visit in milliseconds.
        ms: f64,
    },
    /// A script's own event: `emit(#{type: "progress", ...})`, `log(...)`, or an `llm::stream`
    /// chunk (`#{type: "chunk", text}`).
    Emitted {
        /// The emitted map, as JSON.
        data: serde_json::Value,
    },
    /// A hook called `input(prompt)` and waits for an answer (the terminal under `run`,
    /// `POST /runs/{id}/input` under `serve`).
    InputRequired {
        /// What the answer is sent under: `#{key}` or `input-N` (N counts the run's questions).
        key: String,
        /// The question.
        prompt: String,
    },
    /// The question `key` got its answer; the hook goes on.
    InputReceived {
        /// The question's key.
        key: String,
    },
    /// An `llm::*` call's token usage, as the provider reported it.
    LlmUsage {
        /// The model that answered.
        model: String,
        /// Tokens in the prompt.
        prompt_tokens: u64,
        /// Tokens in the answer.
        completion_tokens: u64,
        /// Their sum, as the provider counts it.
        total_tokens: u64,
    },
    /// Something probably wrong that did not stop the run.
    Warning {
        /// Stable code such as `unmatched-action` or `overwritten-edge`.
        code: Code,
        /// What happened.
        message: String,
        /// Where in the script, if known.
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
        /// The node breadcrumb, for warnings found while running.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        /// A warning found while running that a warning found while loading already said (the
        /// same code, node and action): a consumer that showed that one can skip this one.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        repeat: bool,
    },
    /// The run finished: the entry flow's last action and the final store.
    RunFinished {
        /// The entry flow's action.
        action: String,
        /// The final shared store.
        shared: serde_json::Value,
    },
    /// The run failed.
    RunFailed {
        /// The error message (or the thrown value, as text).
        error: String,
        /// The store as it stood.
        shared: serde_json::Value,
        /// The breadcrumb of the failing node.
        #[serde(skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        /// Where in the script.
        #[serde(skip_serializing_if = "Option::is_none")]
        span: Option<Span>,
    },
}

impl EventKind {
    /// The `type` tag serde writes for this kind (SSE `event:` names, filters).
    pub fn type_name(&self) -> &'static str {
        match self {
            Self::RunStarted { .. } => "run_started",
            Self::NodeStarted { .. } => "node_started",
            Self::NodeRetry { .. } => "node_retry",
            Self::ItemStarted { .. } => "item_started",
            Self::ItemFailed { .. } => "item_failed",
            Self::ItemFinished { .. } => "item_finished",
            Self::NodeFinished { .. } => "node_finished",
            Self::Emitted { .. } => "emitted",
            Self::InputRequired { .. } => "input_required",
            Self::InputReceived { .. } => "input_received",
            Self::LlmUsage { .. } => "llm_usage",
            Self::Warning { .. } => "warning",
            Self::RunFinished { .. } => "run_finished",
            Self::RunFailed { .. } => "run_failed",
        }
    }
}

/// The last `seq` handed out and the sink, locked together.
struct Numbered {
    seq: u64,
    sink: Arc<dyn EventSink>,
}

/// Hands events to a sink in `seq` order.
#[derive(Clone)]
pub struct Emitter {
    inner: Option<Arc<Mutex<Numbered>>>,
}

impl Emitter {
    /// An emitter writing to `sink`.
    pub fn new(sink: Arc<dyn EventSink>) -> Self {
        Self {
            inner: Some(Arc::new(Mutex::new(Numbered { seq: 0, sink }))),
        }
    }

    /// An emitter that drops everything (and costs nothing).
    pub fn disabled() -> Self {
        Self { inner: None }
    }

    /// Whether events are wanted; callers skip building them otherwise.
    pub fn enabled(&self) -> bool {
        self.inner.is_some()
    }

    /// Emit one event.
    pub fn emit(&self, kind: EventKind) {
        if let Some(inner) = &self.inner {
            // One lock for numbering and writing keeps the stream in `seq` order.
            let mut guard = inner.lock();
            guard.seq += 1;
            let event = Event {
                seq: guard.seq,
                kind,
            };
            guard.sink.event(event);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_names_are_the_tags_serde_writes() {
        let s = || "x".to_string();
        let kinds = [
            EventKind::RunStarted {
                flow: s(),
                file: s(),
            },
            EventKind::NodeStarted {
                path: s(),
                kind: NodeKind::Node,
                attempt: 1,
            },
            EventKind::NodeRetry {
                path: s(),
                attempt: 2,
                error: s(),
                wait: 0.0,
            },
            EventKind::ItemStarted {
                path: s(),
                index: 0,
                of: 1,
            },
            EventKind::ItemFailed {
                path: s(),
                index: 0,
                of: 1,
                error: s(),
            },
            EventKind::ItemFinished {
                path: s(),
                index: 0,
                of: 1,
            },
            EventKind::NodeFinished {
                path: s(),
                action: s(),
                ms: 0.0,
            },
            EventKind::Emitted {
                data: serde_json::Value::Null,
            },
            EventKind::InputRequired {
                key: s(),
                prompt: s(),
            },
            EventKind::InputReceived { key: s() },
            EventKind::LlmUsage {
                model: s(),
                prompt_tokens: 1,
                completion_tokens: 2,
                total_tokens: 3,
            },
            EventKind::Warning {
                code: Code::UnmatchedAction,
                message: s(),
                span: None,
                path: None,
                repeat: false,
            },
            EventKind::RunFinished {
                action: s(),
                shared: serde_json::Value::Null,
            },
            EventKind::RunFailed {
                error: s(),
                shared: serde_json::Value::Null,
                path: None,
                span: None,
            },
        ];
        for kind in kinds {
            let json = serde_json::to_value(&kind).expect("json");
            assert_eq!(json["type"], kind.type_name());
        }
    }
}

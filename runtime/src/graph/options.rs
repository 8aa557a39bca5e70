//! Node options as the graph holds them (checked values) and which keys each constructor takes.

use serde::{Deserialize, Serialize};

use super::NodeKind;

/// How the wait between attempts grows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backoff {
    /// The same `wait` every time.
    #[default]
    Fixed,
    /// The k-th wait is `wait × 2^(k-1)`.
    Exponential,
}

/// What a failing item does to a parallel node.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// The node fails and the item's siblings are cancelled.
    #[default]
    Fail,
    /// Every item's result becomes `#{ok: v}` or `#{error: e}` and post always runs.
    Collect,
}

/// The checked, non-hook options of a node or flow (the defaults docs/language.md lists).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeOptions {
    /// Attempts in all (≥ 1).
    pub retries: u32,
    /// Seconds between attempts.
    pub wait: f64,
    /// Growth of the wait.
    pub backoff: Backoff,
    /// Scale each wait by a uniform factor in [0.5, 1.0].
    pub jitter: bool,
    /// Seconds per exec attempt.
    pub timeout: Option<f64>,
    /// Items in flight at once (parallel kinds).
    pub concurrency: Option<usize>,
    /// Failing items: fail or collect (parallel kinds).
    pub on_error: OnError,
    /// Node visits allowed in this flow before the run fails (flows).
    pub max_steps: Option<u64>,
    /// Params the flow passes down (flows), as JSON.
    pub params: serde_json::Map<String, serde_json::Value>,
}

impl Default for NodeOptions {
    fn default() -> Self {
        Self {
            retries: 1,
            wait: 0.0,
            backoff: Backoff::Fixed,
            jitter: false,
            timeout: None,
            concurrency: None,
            on_error: OnError::Fail,
            max_steps: None,
            params: serde_json::Map::new(),
        }
    }
}

/// The option keys a constructor accepts.
pub fn allowed_keys(kind: NodeKind) -> &'static [&'static str] {
    const NODE: &[&str] = &[
        "prep", "exec", "post", "fallback", "retries", "wait", "backoff", "jitter", "timeout",
    ];
    const PARALLEL: &[&str] = &[
        "prep",
        "exec",
        "post",
        "fallback",
        "retries",
        "wait",
        "backoff",
        "jitter",
        "timeout",
        "concurrency",
        "on_error",
    ];
    const FLOW: &[&str] = &["prep", "post", "params", "max_steps"];
    const PARALLEL_FLOW: &[&str] = &[
        "prep",
        "post",
        "params",
        "max_steps",
        "concurrency",
        "on_error",
    ];
    const BRANCHES: &[&str] = &["prep", "post", "on_error"];
    match kind {
        NodeKind::Branches => BRANCHES,
        NodeKind::Node | NodeKind::Batch => NODE,
        NodeKind::Parallel => PARALLEL,
        NodeKind::Flow | NodeKind::BatchFlow => FLOW,
        NodeKind::ParallelFlow => PARALLEL_FLOW,
    }
}

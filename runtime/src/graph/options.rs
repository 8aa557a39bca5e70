//! Node options as the graph holds them (checked values), and the one table of option keys:
//! which constructor takes which, what each means, and what a bad value's help says. The option
//! parser, `check`'s help and the language server's completion and hover all read [`OPTIONS`].

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

/// One option key of the constructors' option maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionInfo {
    /// The key.
    pub key: &'static str,
    /// What it does, with its default (hover and completion show this).
    pub doc: &'static str,
    /// What a valid value is (the help of an `invalid-option-value`).
    pub takes: &'static str,
}

const HOOK_TAKES: &str =
    "a hook is a closure such as `|shared| shared.k` or a script function `Fn(\"name\")`";
const SECONDS: &str = "a number of seconds ≥ 0 and at most 365 days (31536000)";

/// Every option key, hooks first.
pub const OPTIONS: &[OptionInfo] = &[
    OptionInfo {
        key: "prep",
        doc: "`prep(shared[, params])`: read what the node needs from the store; its value is `prep_res`.",
        takes: HOOK_TAKES,
    },
    OptionInfo {
        key: "exec",
        doc: "`exec(prep_res[, params])`: the work (retried); its value is `exec_res`.",
        takes: HOOK_TAKES,
    },
    OptionInfo {
        key: "post",
        doc: "`post(shared, prep_res, exec_res[, params])`: write results; its value is the action (`()` = default edge).",
        takes: HOOK_TAKES,
    },
    OptionInfo {
        key: "fallback",
        doc: "`fallback(prep_res, err[, params])`: the value of exec when every attempt failed.",
        takes: HOOK_TAKES,
    },
    OptionInfo {
        key: "retries",
        doc: "Attempts in all (default 1, at least 1).",
        takes: "`retries` is the number of attempts in all: an integer ≥ 1",
    },
    OptionInfo {
        key: "wait",
        doc: "Seconds between attempts (default 0).",
        takes: SECONDS,
    },
    OptionInfo {
        key: "backoff",
        doc: "`\"fixed\"` (default) or `\"exponential\"`: the k-th wait is `wait × 2^(k-1)`.",
        takes: "`backoff` is \"fixed\" or \"exponential\"",
    },
    OptionInfo {
        key: "jitter",
        doc: "`true` scales each wait by a uniform factor in [0.5, 1.0].",
        takes: "`jitter` is true or false",
    },
    OptionInfo {
        key: "timeout",
        doc: "Seconds per exec attempt; a timed-out attempt counts as failed.",
        takes: SECONDS,
    },
    OptionInfo {
        key: "concurrency",
        doc: "Items (or sub-runs) in flight at once; unbounded when absent.",
        takes: "`concurrency` is the number of items in flight: an integer ≥ 1",
    },
    OptionInfo {
        key: "on_error",
        doc: "`\"fail\"` (default: the node fails, siblings are cancelled) or `\"collect\"` (each result is `#{ok: v}` or `#{error: e}`).",
        takes: "`on_error` is \"fail\" or \"collect\"",
    },
    OptionInfo {
        key: "max_steps",
        doc: "Node visits allowed in this flow before the run fails.",
        takes: "`max_steps` is an integer ≥ 1",
    },
    OptionInfo {
        key: "params",
        doc: "A map of params the flow passes down to its nodes' hooks.",
        takes: "`params` is a map such as #{lang: \"en\"}",
    },
];

/// The table's entry for `key`.
pub fn option(key: &str) -> Option<&'static OptionInfo> {
    OPTIONS.iter().find(|o| o.key == key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_allowed_key_is_in_the_table_and_every_entry_is_allowed_somewhere() {
        for kind in NodeKind::ALL {
            for key in allowed_keys(kind) {
                assert!(option(key).is_some(), "{key} of {kind:?}");
            }
        }
        for o in OPTIONS {
            assert!(
                NodeKind::ALL
                    .iter()
                    .any(|k| allowed_keys(*k).contains(&o.key)),
                "{} is taken by no constructor",
                o.key
            );
        }
    }
}

//! Why a node visit failed: the message, the value fallback sees as `err`, where, and whether it
//! was an interruption (cancellation or timeout) rather than an error of the script.

use rhai::{Dynamic, EvalAltResult};

use crate::co::Interrupt;
use crate::limits::MAX_DEPTH_CAP;
use crate::span::Span;

/// A failed hook, node or flow.
#[derive(Debug, Clone)]
pub(crate) struct Failure {
    /// Human-readable message.
    pub message: String,
    /// What `fallback`'s `err` and `#{error: e}` hold: the thrown value, or the message.
    pub value: Dynamic,
    /// Breadcrumb of the failing node.
    pub path: String,
    /// Where in the script.
    pub span: Option<Span>,
    /// Set when the visit was cancelled or timed out.
    pub interrupt: Option<Interrupt>,
}

impl Failure {
    /// A failure with a plain message.
    pub(crate) fn new(
        message: impl Into<String>,
        path: impl Into<String>,
        span: Option<Span>,
    ) -> Self {
        let message = message.into();
        Self {
            value: Dynamic::from(message.clone()),
            message,
            path: path.into(),
            span,
            interrupt: None,
        }
    }

    /// The run or the item's siblings were cancelled.
    pub(crate) fn cancelled(path: impl Into<String>) -> Self {
        Self {
            interrupt: Some(Interrupt::Cancelled),
            ..Self::new("cancelled", path, None)
        }
    }

    /// A visit stopped by cancellation or a timeout before it began.
    pub(crate) fn interrupted(interrupt: Interrupt, path: impl Into<String>) -> Self {
        match interrupt {
            Interrupt::Cancelled => Self::cancelled(path),
            Interrupt::TimedOut => Self {
                interrupt: Some(Interrupt::TimedOut),
                ..Self::new("timed out", path, None)
            },
        }
    }

    /// Whether this is a cancellation (never retried, never sent to fallback).
    pub(crate) fn is_cancelled(&self) -> bool {
        self.interrupt == Some(Interrupt::Cancelled)
    }

    /// A script error from Rhai: thrown values keep their value; other errors become their
    /// message; the innermost position in the script's own file is used (an error inside an
    /// imported module's function says where in the module).
    pub(crate) fn from_rhai(
        err: &EvalAltResult,
        file: &std::sync::Arc<str>,
        path: impl Into<String>,
        fallback_span: &Span,
        limits: &crate::limits::Limits,
        root: Option<&std::path::Path>,
    ) -> Self {
        let inner = err.unwrap_inner();
        let (pos, module) = crate::script::error::locate(err, root);
        let span = if pos.is_none() {
            Some(fallback_span.clone())
        } else {
            Some(Span::at(file, pos))
        };
        let in_module = |m: String| match &module {
            Some(prefix) => format!("{prefix}{m}"),
            None => m,
        };
        let path = path.into();
        match inner {
            EvalAltResult::ErrorRuntime(value, _) => {
                let message = if value.is_string() {
                    value.clone().into_string().unwrap_or_default()
                } else {
                    crate::value::to_json(value).to_string()
                };
                // A thrown value travels on to fallback, siblings and events like a result.
                let deep = crate::value::check_depth(value, MAX_DEPTH_CAP).is_err();
                Self {
                    value: if deep {
                        Dynamic::from(message.clone())
                    } else {
                        value.clone()
                    },
                    message: in_module(message),
                    path,
                    span,
                    interrupt: None,
                }
            }
            // Cancellation and timeouts interrupt the visit; any other termination (the
            // `memory` limit) is an error of the script like a thrown one.
            EvalAltResult::ErrorTerminated(value, _) => {
                let text = value.to_string();
                let interrupt = match text.as_str() {
                    "timed out" => Some(Interrupt::TimedOut),
                    "cancelled" => Some(Interrupt::Cancelled),
                    _ => None,
                };
                Self {
                    interrupt,
                    ..Self::new(text, path, span)
                }
            }
            other => {
                let (message, _) = crate::script::error::message_and_position(other, limits);
                Self::new(in_module(message), path, span)
            }
        }
    }
}

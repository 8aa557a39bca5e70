//! About how many bytes an event's JSON takes, without writing it: the replay buffer's byte
//! bound is counted with this, so storing an event costs a walk of its values, not a
//! serialization. The estimate counts every string and value the JSON holds (escapes aside)
//! plus a fixed allowance for the field names, `seq` and `type`.

use flowscript_runtime::{EventKind, Span};
use serde_json::Value;

/// Field names, punctuation, `seq` and `type`: every event's JSON has about this much.
const FRAME: usize = 64;
/// A number as JSON, at most about this long.
const NUMBER: usize = 20;

/// The estimated JSON size of an event of this kind.
pub fn of(kind: &EventKind) -> usize {
    FRAME
        + match kind {
            EventKind::RunStarted { flow, file } => flow.len() + file.len(),
            EventKind::NodeStarted { path, .. } => path.len() + NUMBER,
            EventKind::NodeRetry { path, error, .. } => path.len() + error.len() + 2 * NUMBER,
            EventKind::ItemStarted { path, .. } | EventKind::ItemFinished { path, .. } => {
                path.len() + 2 * NUMBER
            }
            EventKind::ItemFailed { path, error, .. } => path.len() + error.len() + 2 * NUMBER,
            EventKind::NodeFinished { path, action, .. } => path.len() + action.len() + NUMBER,
            EventKind::Emitted { data } => value(data),
            EventKind::InputRequired { key, prompt } => key.len() + prompt.len(),
            EventKind::InputReceived { key } => key.len(),
            EventKind::LlmUsage { model, .. } => model.len() + 3 * NUMBER,
            EventKind::Warning {
                code,
                message,
                span,
                path,
                ..
            } => {
                code.as_str().len() + message.len() + span_size(span.as_ref()) + opt(path.as_ref())
            }
            EventKind::RunFinished { action, shared } => action.len() + value(shared),
            EventKind::RunFailed {
                error,
                shared,
                path,
                span,
            } => error.len() + value(shared) + opt(path.as_ref()) + span_size(span.as_ref()),
        }
}

fn opt(s: Option<&String>) -> usize {
    s.map_or(0, String::len)
}

fn span_size(span: Option<&Span>) -> usize {
    span.map_or(0, |s| s.file.len() + 4 * NUMBER)
}

/// A value's JSON size, walked with a stack of its own (a deep value cannot exhaust ours).
fn value(v: &Value) -> usize {
    let mut total = 0;
    let mut todo = vec![v];
    while let Some(v) = todo.pop() {
        total += match v {
            Value::Null | Value::Bool(_) => 5,
            Value::Number(_) => NUMBER,
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                todo.extend(items);
                2 + items.len()
            }
            Value::Object(map) => {
                todo.extend(map.values());
                2 + map.keys().map(|k| k.len() + 4).sum::<usize>()
            }
        };
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use flowscript_runtime::Event;
    use serde_json::json;

    /// The estimate is within a small factor of the real size, for small and large events.
    #[test]
    fn the_estimate_follows_the_json_size() {
        let big = "x".repeat(100_000);
        let kinds = [
            EventKind::NodeStarted {
                path: "main/each[2]/load".into(),
                kind: flowscript_runtime::graph::NodeKind::Node,
                attempt: 1,
            },
            EventKind::Emitted {
                data: json!({"type": "chunk", "text": big}),
            },
            EventKind::RunFinished {
                action: "default".into(),
                shared: json!({"items": (0..1000).map(|i| json!({"i": i, "name": "n"})).collect::<Vec<_>>()}),
            },
        ];
        for kind in kinds {
            let estimate = of(&kind);
            let real = serde_json::to_string(&Event { seq: 1, kind }).map_or(0, |s| s.len());
            assert!(
                estimate * 2 >= real && estimate <= real * 3,
                "estimate {estimate} for {real} bytes"
            );
        }
    }
}

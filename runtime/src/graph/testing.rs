//! Hand-made graphs for the graph layer's unit tests (nesting, validation, drawings).

use std::sync::Arc;

use super::{Branch, Edge, FlowGraph, NodeId, NodeKind, NodeSpec, Target};
use crate::span::Span;

/// A node of a kind, for hand-made graphs.
pub(crate) fn spec(id: NodeId, name: &str, kind: NodeKind, start: Option<NodeId>) -> NodeSpec {
    NodeSpec {
        start,
        ..NodeSpec::new(id, name, kind, span())
    }
}

fn span() -> Span {
    Span::at(&Arc::from("t.flow.rhai"), rhai::Position::new(1, 1))
}

/// An edge.
pub(crate) fn edge(from: NodeId, action: &str, to: Target) -> Edge {
    Edge {
        from,
        action: action.into(),
        to,
        span: span(),
    }
}

/// `main(prepare(load >> count) >> each(translate >> review))`, `review - "stop" >> end`,
/// plus `both` branches {a: translate, b: stray} after `each`.
pub(crate) fn sample() -> FlowGraph {
    let mut nodes = vec![
        spec(0, "load", NodeKind::Node, None),
        spec(1, "count", NodeKind::Batch, None),
        spec(2, "prepare", NodeKind::Flow, Some(0)),
        spec(3, "translate", NodeKind::Parallel, None),
        spec(4, "review", NodeKind::Node, None),
        spec(5, "each", NodeKind::BatchFlow, Some(3)),
        spec(6, "stray", NodeKind::Node, None),
        spec(7, "both", NodeKind::Branches, None),
        spec(8, "main", NodeKind::Flow, Some(2)),
    ];
    nodes[7].branches = vec![
        Branch {
            name: "a".into(),
            start: 3,
        },
        Branch {
            name: "b".into(),
            start: 6,
        },
    ];
    FlowGraph {
        file: "t.flow.rhai".into(),
        nodes,
        edges: vec![
            edge(0, "default", Target::Node(1)),
            edge(3, "default", Target::Node(4)),
            edge(4, "stop", Target::End),
            edge(2, "default", Target::Node(5)),
            edge(5, "", Target::Node(7)),
        ],
        entry: 8,
    }
}

//! `unused-node`: a node or flow that was constructed but is neither wired (no edge in or out,
//! not the start of a flow or branch) nor the entry: most often a deleted `a >> b` line.

use super::Input;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::{NodeKind, Target};

/// One warning per constructed node that nothing uses. The help suggests the edge that was
/// most likely meant: from the last reached node without successors defined before it.
pub(super) fn unused_nodes(input: &Input, out: &mut Vec<Diagnostic>) {
    let graph = input.graph;
    let n = graph.nodes.len();
    let mut used = vec![false; n];
    used[graph.entry] = true;
    for &n in input.replaced {
        if let Some(u) = used.get_mut(n) {
            *u = true;
        }
    }
    for node in &graph.nodes {
        for start in node
            .start
            .into_iter()
            .chain(node.branches.iter().map(|b| b.start))
        {
            used[start] = true;
        }
    }
    for e in &graph.edges {
        used[e.from] = true;
        if let Target::Node(to) = e.to {
            used[to] = true;
        }
    }
    for node in graph.nodes.iter().filter(|node| !used[node.id]) {
        let what = match node.kind {
            NodeKind::Flow | NodeKind::BatchFlow | NodeKind::ParallelFlow => "flow",
            _ => "node",
        };
        // A reached node with nothing after it, made before this one: `before >> node`.
        let before = graph
            .nodes
            .iter()
            .filter(|b| {
                input.reached[b.id]
                    && b.id != graph.entry
                    && input.edges(b.id).is_empty()
                    && (b.span.line, b.span.column) < (node.span.line, node.span.column)
                    && !matches!(
                        b.kind,
                        NodeKind::Flow | NodeKind::BatchFlow | NodeKind::ParallelFlow
                    )
            })
            .max_by_key(|b| (b.span.line, b.span.column));
        let help = match before {
            Some(b) => format!(
                "wire it in, e.g. `{} >> {}` (with the variables that hold them), or remove it",
                b.name, node.name
            ),
            None => "wire it into a flow (`a >> it`, or as a flow's start), or remove it".into(),
        };
        out.push(
            Diagnostic::new(
                Code::UnusedNode,
                node.span.clone(),
                format!(
                    "{}('{}') is never used: no edge leads to or from this {what} and no flow starts with it",
                    node.kind.constructor(),
                    node.name
                ),
            )
            .with_help(help),
        );
    }
}

//! Drawing a [`FlowGraph`] for people and tools: `flowscript graph --format mermaid|dot|json`.
//!
//! Each renderer is a pure function from the graph to text:
//! - [`mermaid::render`]: a `flowchart TD` (renders in GitHub, VS Code and the editor preview);
//! - [`dot::render`]: a Graphviz `digraph` (`dot -Tsvg`);
//! - [`json`]: the [`FlowGraph`] itself, serialised (its serde shape is the documented model).
//!
//! Both drawings show the same picture:
//! - a node is a box, a `batch` a double-bordered box, a `parallel` a hexagon;
//! - every flow kind (`flow`, `batch_flow`, `parallel_flow`) and `branches` is a *container* (a
//!   mermaid subgraph, a Graphviz cluster) holding the nodes its sub-runs can reach, nested;
//!   its title names it and its kind, and each kind has its own border;
//! - inside every container a small filled circle marks where its sub-run starts (for
//!   `branches`, one edge per branch, labelled with the branch's name);
//! - the terminal `end` is a double circle inside the container whose flow it ends;
//! - edges carry their action, except the default one;
//! - the entry flow's title says `entry` and its border is thick.
//!
//! Which container draws a node is decided once, by [`Layout::of`](super::nesting::Layout::of): a node reachable (following
//! edges) from the starts of several containers is drawn in the shallowest one, ties going to the
//! lower id, so output is deterministic. Node names are labels only (they need not be unique);
//! identifiers are built from indices: `n3` for node 3, `s3`/`e3` for container 3's start and end
//! markers, `e_top` for an `end` outside any container.
//!
//! The renderers never panic: indices out of range (a hand-made graph) are skipped, and deep
//! nesting is walked without recursion. Viewers have limits of their own: mermaid refuses to
//! render diagrams over 50 000 characters or 500 edges unless configured otherwise
//! (`maxTextSize`, `maxEdges`).

pub mod dot;
pub mod mermaid;

use super::nesting::Layout;
use super::{FlowGraph, NodeId, NodeKind, NodeSpec, Target};

/// The graph as JSON: the serde form of [`FlowGraph`], pretty-printed.
pub fn json(graph: &FlowGraph) -> String {
    // Serialising plain data with string keys cannot fail; keep a fallback anyway.
    serde_json::to_string_pretty(graph).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("cannot serialise the graph: {e}") }).to_string()
    })
}

/// The label of an edge: its action, or `None` for the default edge (`"default"` or `""`).
pub fn edge_label(action: &str) -> Option<&str> {
    match super::normalize_action(action) {
        super::DEFAULT_ACTION => None,
        a => Some(a),
    }
}

/// The title of a node or container: its name, then its kind unless it is a plain node, and
/// `entry` for the entry flow, e.g. `main (flow, entry)`.
pub fn title(node: &NodeSpec, is_entry: bool) -> String {
    match (node.kind, is_entry) {
        (NodeKind::Node, false) => node.name.clone(),
        (NodeKind::Node, true) => format!("{} (entry)", node.name),
        (kind, false) => format!("{} ({})", node.name, kind.constructor()),
        (kind, true) => format!("{} ({}, entry)", node.name, kind.constructor()),
    }
}

/// Indentation for a nesting depth (capped, so hostile nesting cannot blow up the output).
pub(crate) fn indent(depth: usize) -> String {
    "  ".repeat(depth.min(16) + 1)
}

/// Each `end` drawn: the container whose flow it ends (`None` at the top level), in order of
/// first use. An edge to `end` ends the flow its source is drawn in.
pub(crate) fn ends(graph: &FlowGraph, layout: &Layout) -> Vec<Option<NodeId>> {
    let mut found: Vec<Option<NodeId>> = Vec::new();
    for e in &graph.edges {
        if e.to == Target::End && e.from < graph.nodes.len() {
            let at = layout.parent[e.from];
            if !found.contains(&at) {
                found.push(at);
            }
        }
    }
    found
}

/// The identifier of a node (`n3`), of a container's start marker (`s3`) and of an end marker
/// (`e3`, or `e_top` outside any container); shared by both drawings.
pub mod ids {
    use super::NodeId;

    /// A node or container.
    pub fn node(id: NodeId) -> String {
        format!("n{id}")
    }

    /// A container's start marker.
    pub fn start(id: NodeId) -> String {
        format!("s{id}")
    }

    /// The `end` of a container's flow, or of the top level.
    pub fn end(at: Option<NodeId>) -> String {
        at.map_or_else(|| "e_top".to_string(), |c| format!("e{c}"))
    }
}

/// `text` on one line for a comment: control characters, line and paragraph separators, and
/// the characters in `also` become spaces.
fn one_line(text: &str, also: &[char]) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || also.contains(&c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::nesting::Layout;
    use crate::graph::testing::sample;

    #[test]
    fn ends_belong_to_the_flow_their_source_is_drawn_in() {
        let g = sample();
        assert_eq!(ends(&g, &Layout::of(&g)), vec![Some(5)]);
    }

    #[test]
    fn titles_and_labels() {
        let g = sample();
        assert_eq!(title(&g.nodes[8], true), "main (flow, entry)");
        assert_eq!(title(&g.nodes[0], false), "load");
        assert_eq!(title(&g.nodes[0], true), "load (entry)");
        assert_eq!(title(&g.nodes[5], false), "each (batch_flow)");
        assert_eq!(edge_label("default"), None);
        assert_eq!(edge_label(""), None);
        assert_eq!(edge_label("x"), Some("x"));
        assert!(json(&g).contains("\"batch_flow\""));
    }
}

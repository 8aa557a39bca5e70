//! The graph as a Graphviz `digraph` (see the [module docs](super) for the picture).
//!
//! Containers are `subgraph cluster_nN` blocks; with `compound=true`, an edge to or from a
//! container is drawn between the clusters' borders (`lhead`/`ltail`), anchored on the
//! container's start marker. Shapes: node `box` (rounded), batch `box` with a double border,
//! parallel `hexagon`, start marker `point`, end `doublecircle`. Labels are quoted and escaped by
//! [`quote`].

use std::fmt::Write as _;

use super::{edge_label, ends, ids, indent, title};
use crate::graph::nesting::{Layout, Visit, is_container, starts};
use crate::graph::{FlowGraph, NodeId, NodeKind, Target};

const BATCH_FILL: &str = "#fff8e6";
const PARALLEL_FILL: &str = "#eaf2ff";

/// Render `graph` as a Graphviz digraph. Never panics; see the [module docs](super).
pub fn render(graph: &FlowGraph) -> String {
    let layout = Layout::of(graph);
    let ends = ends(graph, &layout);
    let mut out = String::from("digraph flowscript {\n");
    let _ = writeln!(out, "  // flowscript graph: {}", comment(&graph.file));
    out.push_str("  compound=true;\n");
    out.push_str("  fontname=\"Helvetica\";\n");
    out.push_str(
        "  node [shape=box, style=\"rounded,filled\", fillcolor=\"#ffffff\", fontname=\"Helvetica\"];\n",
    );
    out.push_str("  edge [fontname=\"Helvetica\", fontsize=10];\n");

    for visit in layout.walk(graph) {
        match visit {
            Visit::Enter { id, depth } => {
                let Some(node) = graph.nodes.get(id) else {
                    continue;
                };
                let pad = indent(depth);
                let is_entry = layout.entry == Some(id);
                let text = quote(&title(node, is_entry));
                if is_container(node.kind) {
                    let _ = writeln!(out, "{pad}subgraph cluster_{} {{", ids::node(id));
                    let inner = indent(depth + 1);
                    let (style, fill) = match node.kind {
                        NodeKind::BatchFlow => ("rounded,dashed,filled", BATCH_FILL),
                        NodeKind::ParallelFlow => ("rounded,dashed,filled", PARALLEL_FILL),
                        NodeKind::Branches => ("rounded,dotted,filled", PARALLEL_FILL),
                        _ => ("rounded,filled", "#fafafa"),
                    };
                    let width = if is_entry { "2.5" } else { "1" };
                    let _ = writeln!(
                        out,
                        "{inner}label={text}; style=\"{style}\"; fillcolor=\"{fill}\"; penwidth={width};"
                    );
                    let _ = writeln!(
                        out,
                        "{inner}{} [shape=point, width=0.12, label=\"\", fillcolor=\"#222222\", color=\"#222222\"];",
                        ids::start(id)
                    );
                } else {
                    let shape = match node.kind {
                        NodeKind::Batch => {
                            format!(", style=filled, peripheries=2, fillcolor=\"{BATCH_FILL}\"")
                        }
                        NodeKind::Parallel => {
                            format!(", shape=hexagon, style=filled, fillcolor=\"{PARALLEL_FILL}\"")
                        }
                        _ => String::new(),
                    };
                    let width = if is_entry { ", penwidth=2.5" } else { "" };
                    let _ = writeln!(out, "{pad}{} [label={text}{shape}{width}];", ids::node(id));
                }
            }
            Visit::Leave { id, depth } => {
                if ends.contains(&Some(id)) {
                    end_marker(&mut out, &indent(depth + 1), Some(id));
                }
                let _ = writeln!(out, "{}}}", indent(depth));
            }
        }
    }
    if ends.contains(&None) {
        end_marker(&mut out, &indent(0), None);
    }

    let n = graph.nodes.len();
    for (c, node) in graph.nodes.iter().enumerate() {
        for (branch, start) in starts(graph, node) {
            let from = End::marker(ids::start(c), Some(c));
            let to = End::node(graph, &layout, start);
            edge(&mut out, &layout, &from, branch, &to);
        }
    }
    for e in &graph.edges {
        if e.from >= n {
            continue;
        }
        let from = End::node(graph, &layout, e.from);
        let to = match e.to {
            Target::Node(to) if to < n => End::node(graph, &layout, to),
            Target::Node(_) => continue,
            Target::End => {
                let at = layout.parent[e.from];
                End::marker(ids::end(at), at)
            }
        };
        edge(&mut out, &layout, &from, edge_label(&e.action), &to);
    }
    out.push_str("}\n");
    out
}

/// The `end` marker of a container's flow (or of the top level).
fn end_marker(out: &mut String, pad: &str, at: Option<NodeId>) {
    let _ = writeln!(
        out,
        "{pad}{} [label=\"end\", shape=doublecircle, width=0.3, fontsize=9, fillcolor=\"#ffffff\"];",
        ids::end(at)
    );
}

/// One end of an edge: the Graphviz node it is attached to, the container whose border clips
/// it (for an edge to or from a container), and the innermost container holding the anchor.
struct End {
    anchor: String,
    clip: Option<NodeId>,
    holder: Option<NodeId>,
}

impl End {
    /// A node, or a container (anchored on its start marker and clipped to its border).
    fn node(graph: &FlowGraph, layout: &Layout, id: NodeId) -> Self {
        if graph.nodes.get(id).is_some_and(|n| is_container(n.kind)) {
            Self {
                anchor: ids::start(id),
                clip: Some(id),
                holder: Some(id),
            }
        } else {
            Self {
                anchor: ids::node(id),
                clip: None,
                holder: layout.parent.get(id).copied().flatten(),
            }
        }
    }

    /// A start or end marker drawn inside `holder`.
    fn marker(anchor: String, holder: Option<NodeId>) -> Self {
        Self {
            anchor,
            clip: None,
            holder,
        }
    }

    /// Whether the anchor is drawn inside `container`'s cluster.
    fn is_in(&self, layout: &Layout, container: NodeId) -> bool {
        self.holder
            .is_some_and(|h| h == container || layout.is_inside(h, container))
    }
}

/// One edge line: clipped to container borders where Graphviz allows it (the other end must be
/// outside that cluster), labelled when `action` is given.
fn edge(out: &mut String, layout: &Layout, from: &End, action: Option<&str>, to: &End) {
    let mut attrs = Vec::new();
    if let Some(c) = from.clip.filter(|&c| !to.is_in(layout, c)) {
        attrs.push(format!("ltail=cluster_{}", ids::node(c)));
    }
    if let Some(c) = to.clip.filter(|&c| !from.is_in(layout, c)) {
        attrs.push(format!("lhead=cluster_{}", ids::node(c)));
    }
    if let Some(a) = action {
        attrs.push(format!("label={}", quote(a)));
    }
    let _ = write!(out, "  {} -> {}", from.anchor, to.anchor);
    if !attrs.is_empty() {
        let _ = write!(out, " [{}]", attrs.join(", "));
    }
    out.push_str(";\n");
}

/// Longest quoted text, in bytes, before it is cut with `…` (Graphviz rejects quoted strings
/// over 16 KiB).
const MAX_QUOTED: usize = 8 * 1024;

/// A DOT double-quoted string showing `text` literally.
///
/// `"` and `\` are backslash-escaped, `&` becomes `&amp;` (Graphviz decodes HTML entities in
/// labels), a newline becomes the centred line break `\n`, and other control characters become
/// spaces. Text longer than 8 KiB is cut and ends with `…`.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_QUOTED) + 8);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if out.len() >= MAX_QUOTED {
            out.push('…');
            break;
        }
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '&' => out.push_str("&amp;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push_str("\\n"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text for a `//` comment: one line, no control characters.
fn comment(text: &str) -> String {
    super::one_line(text, &[])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testing::{edge as mk_edge, sample, spec};

    #[test]
    fn quoting() {
        assert_eq!(quote("load"), "\"load\"");
        assert_eq!(quote("say \"hi\""), "\"say \\\"hi\\\"\"");
        assert_eq!(quote("a\\nb"), "\"a\\\\nb\"");
        assert_eq!(quote("a&lt;b"), "\"a&amp;lt;b\"");
        assert_eq!(quote("one\r\ntwo\tthree\0"), "\"one\\ntwo three \"");
        assert_eq!(quote("ends with \\"), "\"ends with \\\\\"");
        assert_eq!(quote("日本 😀"), "\"日本 😀\"");
        let long = quote(&"\"".repeat(100_000));
        assert!(
            long.len() < MAX_QUOTED + 16 && long.ends_with("\\\"…\""),
            "{}",
            &long[long.len() - 10..]
        );
    }

    #[test]
    fn the_sample_has_clusters_shapes_and_clipped_edges() {
        let text = render(&sample());
        assert!(text.starts_with("digraph flowscript {\n"));
        assert!(text.ends_with("}\n"));
        assert!(text.contains("subgraph cluster_n8 {"));
        assert!(text.contains("label=\"main (flow, entry)\""));
        assert!(text.contains("penwidth=2.5"));
        assert!(text.contains("n3 [label=\"translate (parallel)\", shape=hexagon"));
        assert!(text.contains("n1 [label=\"count (batch)\", style=filled, peripheries=2"));
        assert!(text.contains("e5 [label=\"end\", shape=doublecircle"));
        assert!(text.contains("n4 -> e5 [label=\"stop\"];"));
        // Flow to flow: border to border.
        assert!(text.contains("s2 -> s5 [ltail=cluster_n2, lhead=cluster_n5];"));
        // The entry's start marker to its first (nested) flow: clipped at the head only.
        assert!(text.contains("s8 -> s2 [lhead=cluster_n2];"));
        assert!(text.contains("s7 -> n3 [label=\"a\"];"));
        assert_eq!(text.matches('{').count(), text.matches('}').count());
    }

    #[test]
    fn an_edge_from_a_flow_into_itself_is_not_clipped() {
        let g = FlowGraph {
            file: "t".into(),
            nodes: vec![
                spec(0, "a", NodeKind::Node, None),
                spec(1, "f", NodeKind::Flow, Some(0)),
            ],
            edges: vec![
                mk_edge(1, "back", Target::Node(0)),
                mk_edge(1, "again", Target::Node(1)),
            ],
            entry: 1,
        };
        let text = render(&g);
        assert!(text.contains("s1 -> n0 [label=\"back\"];"), "{text}");
        assert!(text.contains("s1 -> s1 [label=\"again\"];"), "{text}");
    }
}

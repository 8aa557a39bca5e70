//! The graph as a mermaid `flowchart TD` (see the [module docs](super) for the picture).
//!
//! Shapes: node `n["…"]`, batch `n[["…"]]` (subroutine), parallel `n{{"…"}}` (hexagon), start
//! marker `s((" "))` (a small filled circle), end `e((("end")))` (double circle); containers are
//! `subgraph n["…"] … end`. Classes (`fsFlow`, `fsBatchFlow`, `fsParallelFlow`, `fsBranches`,
//! `fsBatch`, `fsParallel`, `fsStart`, `fsEnd`, `fsEntry`) give each kind its border and fill.
//!
//! Every label is quoted and escaped ([`label`]), so no name or action can break the diagram's
//! syntax, start a markdown string, carry a directive or inject HTML.

use std::fmt::Write as _;

use super::{edge_label, ends, ids, indent, title};
use crate::graph::nesting::{Layout, Visit, is_container, starts};
use crate::graph::{FlowGraph, NodeKind, Target};

/// The class definitions, appended to every diagram.
const CLASS_DEFS: &[(&str, &str)] = &[
    ("fsFlow", "fill:#fafafa,stroke:#555"),
    (
        "fsBatchFlow",
        "fill:#fff8e6,stroke:#8a6d1f,stroke-dasharray:6 3",
    ),
    (
        "fsParallelFlow",
        "fill:#eaf2ff,stroke:#2f5d9e,stroke-dasharray:6 3",
    ),
    (
        "fsBranches",
        "fill:#eaf2ff,stroke:#2f5d9e,stroke-dasharray:2 2",
    ),
    ("fsBatch", "fill:#fff8e6,stroke:#8a6d1f"),
    ("fsParallel", "fill:#eaf2ff,stroke:#2f5d9e"),
    ("fsStart", "fill:#222,stroke:#222,color:#222"),
    ("fsEnd", "fill:#fff,stroke:#222"),
    ("fsEntry", "stroke-width:3px"),
];

/// The class of a kind, if it has one of its own.
fn class_of(kind: NodeKind) -> Option<&'static str> {
    match kind {
        NodeKind::Node => None,
        NodeKind::Batch => Some("fsBatch"),
        NodeKind::Parallel => Some("fsParallel"),
        NodeKind::Flow => Some("fsFlow"),
        NodeKind::BatchFlow => Some("fsBatchFlow"),
        NodeKind::ParallelFlow => Some("fsParallelFlow"),
        NodeKind::Branches => Some("fsBranches"),
    }
}

/// Render `graph` as a mermaid flowchart. Never panics; see the [module docs](super).
pub fn render(graph: &FlowGraph) -> String {
    let layout = Layout::of(graph);
    let mut out = String::from("flowchart TD\n");
    let _ = writeln!(out, "  %% flowscript graph: {}", comment(&graph.file));
    let ends = ends(graph, &layout);
    let mut classes: Vec<(&str, Vec<String>)> =
        CLASS_DEFS.iter().map(|&(c, _)| (c, Vec::new())).collect();
    let mut add_class = |class: &str, id: String| {
        if let Some((_, members)) = classes.iter_mut().find(|(c, _)| *c == class) {
            members.push(id);
        }
    };

    for visit in layout.walk(graph) {
        match visit {
            Visit::Enter { id, depth } => {
                let Some(node) = graph.nodes.get(id) else {
                    continue;
                };
                let pad = indent(depth);
                let text = label(&title(node, layout.entry == Some(id)));
                let nid = ids::node(id);
                if is_container(node.kind) {
                    let _ = writeln!(out, "{pad}subgraph {nid}[\"{text}\"]");
                    let inner = indent(depth + 1);
                    // Without it mermaid turns a nested subgraph's layout sideways.
                    let _ = writeln!(out, "{inner}direction TB");
                    let _ = writeln!(out, "{inner}{}((\" \"))", ids::start(id));
                    add_class("fsStart", ids::start(id));
                } else {
                    let shape = match node.kind {
                        NodeKind::Batch => ("[[\"", "\"]]"),
                        NodeKind::Parallel => ("{{\"", "\"}}"),
                        _ => ("[\"", "\"]"),
                    };
                    let _ = writeln!(out, "{pad}{nid}{}{text}{}", shape.0, shape.1);
                }
                if let Some(class) = class_of(node.kind) {
                    add_class(class, nid.clone());
                }
                if layout.entry == Some(id) {
                    add_class("fsEntry", nid);
                }
            }
            Visit::Leave { id, depth } => {
                if ends.contains(&Some(id)) {
                    let _ = writeln!(
                        out,
                        "{}{}(((\"end\")))",
                        indent(depth + 1),
                        ids::end(Some(id))
                    );
                    add_class("fsEnd", ids::end(Some(id)));
                }
                let _ = writeln!(out, "{}end", indent(depth));
            }
        }
    }
    if ends.contains(&None) {
        let _ = writeln!(out, "  {}(((\"end\")))", ids::end(None));
        add_class("fsEnd", ids::end(None));
    }

    for (c, node) in graph.nodes.iter().enumerate() {
        for (branch, start) in starts(graph, node) {
            edge(&mut out, &ids::start(c), branch, &ids::node(start));
        }
    }
    for e in &graph.edges {
        let Some(parent) = layout.parent.get(e.from) else {
            continue;
        };
        let to = match e.to {
            Target::Node(to) if to < graph.nodes.len() => ids::node(to),
            Target::Node(_) => continue,
            Target::End => ids::end(*parent),
        };
        edge(&mut out, &ids::node(e.from), edge_label(&e.action), &to);
    }

    for &(class, style) in CLASS_DEFS {
        let _ = writeln!(out, "  classDef {class} {style}");
    }
    for (class, members) in classes {
        if !members.is_empty() {
            let _ = writeln!(out, "  class {} {class}", members.join(","));
        }
    }
    out
}

/// One edge line, labelled when `action` is given.
fn edge(out: &mut String, from: &str, action: Option<&str>, to: &str) {
    match action {
        Some(a) => {
            let _ = writeln!(out, "  {from} -->|\"{}\"| {to}", label(a));
        }
        None => {
            let _ = writeln!(out, "  {from} --> {to}");
        }
    }
}

/// Escape text for a quoted mermaid label (`"…"`), never empty.
///
/// Characters that mermaid or HTML would read become HTML named entities, which both mermaid's
/// parser and the browser leave as text: `"` `&quot;`, `&` `&amp;`, `<` `&lt;`, `>` `&gt;`,
/// `#` `&num;` (mermaid reads `#…;` as its own entity syntax), `%` `&percnt;` (no `%%{…}%%`
/// directive can be smuggled in), and the backtick `&grave;` (no markdown string). A line break
/// becomes `<br/>`, other control characters a space. Mermaid's entity placeholders `¶ß` and
/// `ﬂ°` are split by an invisible word joiner so they show as typed. An empty or blank text is a
/// single space (mermaid rejects `""`).
pub fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev = None;
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("&quot;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '#' => out.push_str("&num;"),
            '%' => out.push_str("&percnt;"),
            '`' => out.push_str("&grave;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' | '\u{2028}' | '\u{2029}' => out.push_str("<br/>"),
            c if c.is_control() => out.push(' '),
            c => {
                if matches!((prev, c), (Some('¶'), 'ß') | (Some('ﬂ'), '°')) {
                    out.push('\u{2060}');
                }
                out.push(c);
            }
        }
        prev = Some(c);
    }
    if out.trim().is_empty() {
        return " ".to_string();
    }
    out
}

/// Text for a `%%` comment: one line, no control characters.
fn comment(text: &str) -> String {
    super::one_line(text, &['%'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testing::sample;

    #[test]
    fn labels_are_escaped_into_entities() {
        assert_eq!(label("load"), "load");
        assert_eq!(label("say \"hi\""), "say &quot;hi&quot;");
        assert_eq!(label("a#quot;b #35;"), "a&num;quot;b &num;35;");
        assert_eq!(
            label("x|y <b>&`%%{init}%%"),
            "x|y &lt;b&gt;&amp;&grave;&percnt;&percnt;{init}&percnt;&percnt;"
        );
        assert_eq!(
            label("one\ntwo\r\nthree\u{2028}"),
            "one<br/>two<br/>three<br/>"
        );
        assert_eq!(label("tab\there\0"), "tab here ");
        assert_eq!(label("résumé 日本 😀 ¶ ß"), "résumé 日本 😀 ¶ ß");
        assert_eq!(label("¶ßﬂ°"), "¶\u{2060}ßﬂ\u{2060}°");
        assert_eq!(label(""), " ");
        assert_eq!(label(" \t "), " ");
        assert_eq!(label("end"), "end");
    }

    #[test]
    fn the_sample_has_every_shape() {
        let text = render(&sample());
        assert!(text.starts_with("flowchart TD\n"));
        assert!(text.contains("subgraph n8[\"main (flow, entry)\"]"));
        assert!(text.contains("subgraph n5[\"each (batch_flow)\"]"));
        assert!(text.contains("n1[[\"count (batch)\"]]"));
        assert!(text.contains("n3{{\"translate (parallel)\"}}"));
        assert!(text.contains("n0[\"load\"]"));
        assert!(text.contains("e5(((\"end\")))"));
        assert!(text.contains("n4 -->|\"stop\"| e5"));
        assert!(text.contains("s7 -->|\"a\"| n3"));
        assert!(text.contains("s8 --> n2"));
        assert!(text.contains("n0 --> n1"));
        assert!(
            text.contains("n5 --> n7"),
            "the empty action is the default edge"
        );
        assert!(text.contains("class n8 fsEntry"));
        // Every subgraph is closed.
        let opened = text.matches("subgraph ").count();
        let closed = text.lines().filter(|l| l.trim() == "end").count();
        assert_eq!(opened, closed);
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(render(&sample()), render(&sample()));
    }
}

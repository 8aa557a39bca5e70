//! The document's graph for the editor's preview: the mermaid drawing (by the runtime's
//! renderer, the same as `flowscript graph --format mermaid`), whether it is this text's or the
//! last good version's, and where each drawn node is defined, so a click can jump there and a
//! code lens can sit above the entry flow.

use flowscript_runtime::graph::render::{ids, mermaid};
use flowscript_runtime::graph::{NodeKind, NodeSpec};

use super::Analysis;
use super::document::TextRange;

/// What the preview shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Preview {
    /// The graph as a mermaid flowchart.
    pub mermaid: String,
    /// Whether the graph was recorded from this text (else from the last version that built).
    pub current: bool,
    /// Every drawn node or flow that can be found in this text, in graph order.
    pub nodes: Vec<PreviewNode>,
    /// The entry flow, when it can be found in this text.
    pub entry: Option<PreviewNode>,
}

/// A drawn node and where it is defined.
#[derive(Debug, Clone, PartialEq)]
pub struct PreviewNode {
    /// The node's id in the drawing (`n3`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its constructor.
    pub kind: NodeKind,
    /// The constructor's name in this text.
    pub range: TextRange,
}

/// The graph as a mermaid flowchart, when the text (or the last good version) built one.
pub fn mermaid(a: &Analysis) -> Option<String> {
    a.graph().map(mermaid::render)
}

/// The preview: drawing, freshness and node locations.
pub fn preview(a: &Analysis) -> Option<Preview> {
    let graph = a.graph()?;
    let located = |n: &NodeSpec| {
        locate(a, n).map(|range| PreviewNode {
            id: ids::node(n.id),
            name: n.name.clone(),
            kind: n.kind,
            range,
        })
    };
    Some(Preview {
        mermaid: mermaid::render(graph),
        current: a.graph_is_current(),
        nodes: graph.nodes.iter().filter_map(located).collect(),
        entry: graph.nodes.get(graph.entry).and_then(located),
    })
}

/// Where `n` is defined in this text: the constructor call of the outline with its name and
/// kind (the one at its recorded place when names repeat); else, for a graph of this text, its
/// recorded span. A stale graph's spans may point anywhere, so they are not used.
fn locate(a: &Analysis, n: &NodeSpec) -> Option<TextRange> {
    let doc = a.document();
    let calls = a.outline().calls.iter();
    let mut same = calls.filter(|c| c.kind == n.kind && c.name.as_deref() == Some(&n.name));
    let first = same.next();
    let at_span = |r: &TextRange| {
        let (line, col) = doc.line_col(r.start);
        n.span.line == line + 1 && n.span.column == col + 1
    };
    if let Some(first) = first {
        let exact = std::iter::once(first)
            .chain(same)
            .find(|c| at_span(&c.ctor_range));
        return Some(exact.unwrap_or(first).ctor_range);
    }
    if !a.graph_is_current() || !n.span.is_known() || *n.span.file != *a.file() {
        return None;
    }
    let start = doc.offset_at(n.span.line, n.span.column);
    let end = doc.offset_at(n.span.end_line, n.span.end_column).max(start);
    Some(TextRange::new(start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCRIPT: &str =
        "let a = node(\"a\");\nlet b = batch(\"b\", #{});\na - \"go\" >> b;\nflow(\"main\", a)";

    #[test]
    fn renders_the_recorded_graph() {
        let a = Analysis::new("t.flow.rhai", SCRIPT);
        let m = mermaid(&a).unwrap_or_default();
        assert!(m.starts_with("flowchart"), "{m}");
        assert!(m.contains("go"), "{m}");
    }

    /// Each located node as `id name@line:col`, for snapshots.
    fn located(a: &Analysis, p: &Preview) -> Vec<String> {
        p.nodes
            .iter()
            .chain(p.entry.iter())
            .map(|n| {
                let (line, col) = a.document().line_col(n.range.start);
                let text = a.document().slice(n.range);
                format!(
                    "{} {} ({:?}) at {}:{} `{text}`",
                    n.id,
                    n.name,
                    n.kind,
                    line + 1,
                    col + 1
                )
            })
            .collect()
    }

    #[test]
    fn locates_every_node_and_the_entry() {
        let a = Analysis::new("t.flow.rhai", SCRIPT);
        let p = preview(&a).expect("a graph");
        assert!(p.current);
        insta::assert_debug_snapshot!(located(&a, &p), @r#"
        [
            "n0 a (Node) at 1:9 `node`",
            "n1 b (Batch) at 2:9 `batch`",
            "n2 main (Flow) at 4:1 `flow`",
            "n2 main (Flow) at 4:1 `flow`",
        ]
        "#);
        for n in &p.nodes {
            assert!(
                p.mermaid.contains(&format!("{}[", n.id)),
                "{} not drawn",
                n.id
            );
        }
    }

    #[test]
    fn a_broken_text_keeps_the_last_graph_marked_stale_located_in_the_new_text() {
        let good = Analysis::new("t.flow.rhai", SCRIPT);
        let broken_text = format!(
            "// a new first line\n{}",
            SCRIPT.replace("#{}", "#{ retries: }")
        );
        let broken = Analysis::with_previous("t.flow.rhai", &broken_text, Some(&good));
        let p = preview(&broken).expect("the last good graph");
        assert!(!p.current);
        assert_eq!(p.mermaid, preview(&good).expect("graph").mermaid);
        let lines: Vec<String> = located(&broken, &p);
        assert_eq!(lines[0], "n0 a (Node) at 2:9 `node`");
        assert_eq!(lines[2], "n2 main (Flow) at 5:1 `flow`");
    }

    #[test]
    fn repeated_names_resolve_by_position() {
        let text = "let a = node(\"x\");\nlet b = node(\"x\");\na >> b;\nflow(\"main\", a)";
        let a = Analysis::new("t.flow.rhai", text);
        let p = preview(&a).expect("graph");
        let lines = located(&a, &p);
        assert_eq!(lines[0], "n0 x (Node) at 1:9 `node`");
        assert_eq!(lines[1], "n1 x (Node) at 2:9 `node`");
    }

    #[test]
    fn no_graph_no_preview() {
        let a = Analysis::new("t.flow.rhai", "let x = ");
        assert!(preview(&a).is_none());
    }
}

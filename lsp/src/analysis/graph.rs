//! The document's graph as mermaid, for the editor's preview (rendered by the runtime's
//! renderer, the same as `flowscript graph --format mermaid`).

use super::Analysis;

/// The graph as a mermaid flowchart, when the text (or the last good version) built one.
pub fn mermaid(a: &Analysis) -> Option<String> {
    a.graph()
        .map(flowscript_runtime::graph::render::mermaid::render)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_the_recorded_graph() {
        let a = Analysis::new(
            "t.flow.rhai",
            "let a = node(\"a\");\nlet b = node(\"b\");\na - \"go\" >> b;\nflow(\"main\", a)",
        );
        let m = mermaid(&a).unwrap_or_default();
        assert!(m.starts_with("flowchart"), "{m}");
        assert!(m.contains("go"), "{m}");
    }
}

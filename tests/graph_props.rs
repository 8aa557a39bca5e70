//! The graph renderers on random graphs: any `FlowGraph` — every kind, names and actions full of
//! quotes, entities, line breaks and unicode, starts and edges out of range, flows nested in
//! themselves — renders without panicking to well-formed text; and a fixed sample of such
//! graphs passes mermaid's own parser and Graphviz's `dot` (see `tests/graph_tools`).

mod support;

use flowscript_runtime::graph::render::{self, dot, mermaid};
use flowscript_runtime::graph::{Branch, Edge, FlowGraph, NodeKind, NodeOptions, NodeSpec, Target};
use flowscript_runtime::span::Span;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;

const KINDS: [NodeKind; 7] = NodeKind::ALL;

/// Text made of pieces that mean something to mermaid, DOT, HTML or JSON.
fn text() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(vec![
        "a",
        "load",
        "é",
        "日本",
        "😀",
        "\u{200d}",
        "\u{202e}",
        "\"",
        "'",
        "#",
        "#quot;",
        "#35;",
        ";",
        ":",
        "|",
        "<",
        ">",
        "<br/>",
        "&",
        "&amp;",
        "&#34;",
        "`",
        "\\",
        "\\n",
        "\\N",
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\0",
        "\u{2028}",
        " ",
        "end",
        "subgraph",
        "graph",
        "%%",
        "%%{init}%%",
        "-->",
        "--",
        "->",
        "[",
        "]",
        "{",
        "}",
        "(",
        ")",
        "ß",
        "¶ß",
        "ﬂ°",
        "default",
        "style:",
        "classDef",
        "class",
        "click",
        "o",
        "x",
        "digraph",
        "cluster_n0",
        "n0",
        "s0",
        "e_top",
    ]);
    prop_oneof![
        prop::collection::vec(piece, 0..6).prop_map(|p| p.concat()),
        "\\PC{0,12}",
    ]
}

fn span() -> Span {
    // Through serde, so this test does not depend on how spans are built.
    serde_json::from_value(serde_json::json!({ "file": "prop.flow.rhai", "line": 1, "column": 1 }))
        .expect("span")
}

/// A random graph of up to 10 nodes; indices may point one or two past the end.
fn graph() -> impl Strategy<Value = FlowGraph> {
    (1usize..10).prop_flat_map(|n| {
        let id = 0..n + 2;
        let node = (
            prop::sample::select(KINDS.to_vec()),
            text(),
            prop::option::of(id.clone()),
            prop::collection::vec((text(), id.clone()), 0..3),
        );
        let edge = (
            id.clone(),
            prop_oneof![Just("default".to_string()), Just(String::new()), text()],
            prop::option::of(id.clone()),
        );
        (
            prop::collection::vec(node, n),
            prop::collection::vec(edge, 0..3 * n),
            id,
        )
            .prop_map(|(nodes, edges, entry)| FlowGraph {
                file: "prop.flow.rhai".into(),
                nodes: nodes
                    .into_iter()
                    .enumerate()
                    .map(|(i, (kind, name, start, branches))| NodeSpec {
                        start,
                        branches: branches
                            .into_iter()
                            .map(|(name, start)| Branch { name, start })
                            .collect(),
                        ..NodeSpec::new(i, name, kind, span())
                    })
                    .collect(),
                edges: edges
                    .into_iter()
                    .map(|(from, action, to)| Edge {
                        from,
                        action,
                        to: to.map_or(Target::End, Target::Node),
                        span: span(),
                    })
                    .collect(),
                entry,
            })
    })
}

/// Structural checks that hold for any graph.
fn well_formed(g: &FlowGraph) {
    let m = mermaid::render(g);
    assert!(m.starts_with("flowchart TD\n"));
    let opened = m
        .lines()
        .filter(|l| l.trim_start().starts_with("subgraph "))
        .count();
    let closed = m.lines().filter(|l| l.trim() == "end").count();
    assert_eq!(opened, closed, "{m}");
    let d = dot::render(g);
    assert!(d.starts_with("digraph flowscript {\n") && d.ends_with("}\n"));
    let json: FlowGraph = serde_json::from_str(&render::json(g)).expect("json round-trips");
    assert_eq!(json.nodes.len(), g.nodes.len());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn renderers_never_panic(g in graph()) {
        well_formed(&g);
    }
}

#[test]
fn deep_nesting_renders_without_recursion() {
    // 20 000 flows, each the start of the next: a tree 20 000 deep.
    let n = 20_000;
    let nodes = (0..n)
        .map(|i| NodeSpec {
            id: i,
            name: format!("f{i}"),
            kind: if i == 0 {
                NodeKind::Node
            } else {
                NodeKind::Flow
            },
            options: NodeOptions::default(),
            prep: None,
            exec: None,
            post: None,
            fallback: None,
            start: i.checked_sub(1),
            branches: Vec::new(),
            span: span(),
        })
        .collect();
    let g = FlowGraph {
        file: "deep".into(),
        nodes,
        edges: Vec::new(),
        entry: n - 1,
    };
    well_formed(&g);
}

/// A fixed sample (same seed every run) through the real tools, in one process each.
#[test]
fn a_random_sample_passes_mermaid_and_graphviz() {
    let mut runner = TestRunner::deterministic();
    let graphs: Vec<FlowGraph> = (0..150)
        .map(|_| graph().new_tree(&mut runner).expect("tree").current())
        .collect();

    let texts: Vec<String> = graphs.iter().map(mermaid::render).collect();
    for (text, result) in texts
        .iter()
        .zip(support::graph_tools::mermaid_parse_all(&texts))
    {
        if let Some(error) = result {
            panic!("mermaid rejects a random graph's diagram:\n{error}\n--- diagram ---\n{text}");
        }
    }

    // dot reads many graphs from one input; on failure, find the culprit one by one.
    let all: String = graphs.iter().map(dot::render).collect();
    if support::graph_tools::dot_svg(&all).is_err() {
        for g in &graphs {
            let text = dot::render(g);
            if let Err(e) = support::graph_tools::dot_svg(&text) {
                panic!("dot rejects a random graph's drawing:\n{e}\n--- drawing ---\n{text}");
            }
        }
    }
}

#[test]
fn very_long_names_pass_both_tools() {
    // Graphviz rejects quoted strings over 16 KiB: the DOT renderer cuts labels.
    let mut g = TestRunner::deterministic();
    let mut graph = graph().new_tree(&mut g).expect("tree").current();
    graph.nodes[0].name = "\"long\" ".repeat(6_000);
    graph.entry = 0;
    let text = mermaid::render(&graph);
    assert_eq!(support::graph_tools::mermaid_parse_all(&[text]), vec![None]);
    support::graph_tools::dot_svg(&dot::render(&graph)).expect("dot accepts the cut label");
}

//! Generated scripts and graphs: loading (compile, record, facts, validate) never panics, only
//! reports known codes at positions inside the script, and is deterministic; the validator
//! accepts any consistent graph with no facts at all.

use std::collections::HashSet;

use flowscript_runtime::graph::facts::ScriptFacts;
use flowscript_runtime::graph::validate::validate;
use flowscript_runtime::graph::{Branch, Edge, FlowGraph, NodeKind, NodeOptions, NodeSpec, Target};
use flowscript_runtime::{Code, Runtime, Span};
use proptest::prelude::*;

/// The codes of the graph rules in `graph/validate/`.
const VALIDATOR_CODES: [Code; 7] = [
    Code::NotAnArray,
    Code::UnreachableNode,
    Code::UnusedNode,
    Code::UnmatchedAction,
    Code::DeadEdge,
    Code::NoExit,
    Code::UnwrittenKey,
];

const POSTS: [&str; 8] = [
    r#""a""#,
    r#""b""#,
    "()",
    r#"if shared.x ?? 0 > 1 { "a" } else { "b" }"#,
    "shared.k",
    "42",
    r#"{ shared.out = e; "c" }"#,
    r#"{ if e == () { return "a"; } shared["j"] }"#,
];

const PREPS: [&str; 6] = [
    "[1, 2]",
    r#""s""#,
    "shared.k",
    r#"shared["j"]"#,
    "()",
    "#{a: 1}",
];

const KINDS: [&str; 3] = ["node", "batch", "parallel"];

fn script() -> impl Strategy<Value = String> {
    let node = (
        0..KINDS.len(),
        0..POSTS.len(),
        0..PREPS.len(),
        any::<bool>(),
    );
    (
        prop::collection::vec(node, 1..7),
        prop::collection::vec((0..7usize, 0..4usize, 0..8usize), 0..12),
        any::<bool>(),
        0..7usize,
    )
        .prop_map(|(nodes, edges, wrap, entry)| {
            let n = nodes.len();
            let mut s = String::new();
            for (i, (kind, post, prep, opts)) in nodes.iter().enumerate() {
                let extra = if *opts { "retries: 2, " } else { "" };
                s += &format!(
                    "let n{i} = {}(\"n{i}\", #{{ {extra}prep: |shared| {}, post: |shared, p, e| {} }});\n",
                    KINDS[*kind], PREPS[*prep], POSTS[*post]
                );
            }
            for (from, label, to) in edges {
                let to = if to >= n { "end".to_string() } else { format!("n{to}") };
                let label = ["", " - \"a\"", " - \"b\"", " - \"zz\""][label];
                s += &format!("n{}{label} >> {to};\n", from % n);
            }
            let start = format!("n{}", entry % n);
            if wrap {
                s += &format!("let inner = flow(\"inner\", {start}, #{{ max_steps: 9 }});\n");
                s += "flow(\"main\", inner)\n";
            } else {
                s += &format!("flow(\"main\", {start})\n");
            }
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn loading_generated_scripts_reports_known_codes_inside_the_script(src in script()) {
        let runtime = Runtime::new();
        let loaded = runtime.load("gen.flow.rhai", &src);
        let lines = src.lines().count();
        for d in &loaded.diagnostics {
            prop_assert!(d.span.line <= lines + 1, "{d}");
            prop_assert!(
                (d.span.end_line, d.span.end_column) >= (d.span.line, d.span.column),
                "{d}"
            );
        }
        let again = runtime.load("gen.flow.rhai", &src);
        prop_assert_eq!(&loaded.diagnostics, &again.diagnostics);
    }

    #[test]
    fn the_validator_accepts_any_consistent_graph(
        kinds in prop::collection::vec((0..7usize, any::<bool>()), 1..12),
        edges in prop::collection::vec((0..12usize, 0..3usize, 0..13usize), 0..30),
        branches in prop::collection::vec((0..12usize, 0..12usize), 0..4),
        entry in 0..12usize,
    ) {
        let n = kinds.len();
        let file: std::sync::Arc<str> = "g.flow.rhai".into();
        let all = NodeKind::ALL;
        let mut nodes: Vec<NodeSpec> = kinds
            .iter()
            .enumerate()
            .map(|(id, (k, bounded))| {
                let kind = all[*k];
                let mut options = NodeOptions::default();
                if *bounded {
                    options.max_steps = Some(3);
                }
                NodeSpec {
                    options,
                    start: kind.is_flow().then_some((id + 1) % n),
                    ..NodeSpec::new(id, format!("n{id}"), kind, Span::point(&file, id + 1, 1))
                }
            })
            .collect();
        for (at, start) in branches {
            let at = at % n;
            if nodes[at].kind == NodeKind::Branches {
                nodes[at].branches.push(Branch { name: format!("b{start}"), start: start % n });
            }
        }
        let edges = edges
            .into_iter()
            .map(|(from, action, to)| Edge {
                from: from % n,
                action: ["default", "a", "b"][action].to_string(),
                to: if to >= n { Target::End } else { Target::Node(to) },
                span: Span::point(&file, 1, 1),
            })
            .collect();
        let graph = FlowGraph { file: file.to_string(), nodes, edges, entry: entry % n };
        let found = validate(&graph, &ScriptFacts::default(), &HashSet::new(), &[]);
        // The validator reports only the graph rules (the others belong to the loader).
        for d in &found {
            prop_assert!(VALIDATOR_CODES.contains(&d.code), "{d}");
            prop_assert!(!d.message.is_empty(), "{d}");
        }
    }
}

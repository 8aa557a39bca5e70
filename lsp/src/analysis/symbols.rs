//! Document symbols: flows with the nodes of their sub-graphs nested under them, the other
//! nodes, and script functions. Nesting comes from the recorded graph, by the same rule the
//! graph preview draws it (`graph::nesting::Layout`); without a graph (the text does not
//! build), the constructor calls are listed flat.

use std::collections::HashMap;

use flowscript_runtime::FlowGraph;
use flowscript_runtime::graph::NodeId;
use flowscript_runtime::graph::nesting::{Layout, Visit};

use super::Analysis;
use super::document::TextRange;
use super::outline::CtorCall;

/// What a symbol is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SymbolKind {
    /// A flow (`flow`, `batch_flow`, `parallel_flow`, `branches`).
    Flow,
    /// A node (`node`, `batch`, `parallel`).
    Node,
    /// A script function.
    Function,
}

/// One symbol, with its children.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Symbol {
    /// The variable's name, or the node's when unbound.
    pub name: String,
    /// `parallel "summarize"`.
    pub detail: String,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub range: TextRange,
    /// The name to select.
    pub selection: TextRange,
    /// Nested symbols.
    pub children: Vec<Symbol>,
}

/// The document's symbols.
pub fn symbols(a: &Analysis) -> Vec<Symbol> {
    let outline = a.outline();
    let mut out = Vec::new();
    let graph = a.graph().filter(|_| a.graph_is_current());
    match graph {
        Some(graph) => {
            let ids: Vec<Option<NodeId>> = outline.calls.iter().map(|c| a.node_of(c)).collect();
            out.extend(nested(graph, &outline.calls, &ids));
        }
        None => out.extend(outline.calls.iter().map(leaf)),
    }
    for f in &outline.fns {
        out.push(Symbol {
            name: f.name.clone(),
            detail: format!("fn({})", f.params.join(", ")),
            kind: SymbolKind::Function,
            range: f.range,
            selection: f.name_range,
            children: Vec::new(),
        });
    }
    out
}

/// The calls' symbols nested the way the graph preview draws them ([`Layout`]): each call sits
/// inside the symbol of the nearest container around its node that has a call of its own, in
/// source order. The first call of a node stands for it. Built bottom-up without recursion, so a
/// hostile nesting depth cannot overflow the stack.
fn nested(graph: &FlowGraph, calls: &[CtorCall], ids: &[Option<NodeId>]) -> Vec<Symbol> {
    let layout = Layout::of(graph);
    let n = graph.nodes.len();
    let mut first: HashMap<NodeId, usize> = HashMap::new();
    for (i, id) in ids.iter().enumerate() {
        if let Some(id) = id.filter(|&id| id < n) {
            first.entry(id).or_insert(i);
        }
    }
    // Pre-order: every container comes before what it holds.
    let order: Vec<NodeId> = layout
        .walk(graph)
        .into_iter()
        .filter_map(|v| match v {
            Visit::Enter { id, .. } => Some(id),
            Visit::Leave { .. } => None,
        })
        .collect();
    let mut rank = vec![0; n];
    let mut holder: Vec<Option<NodeId>> = vec![None; n];
    for (r, &id) in order.iter().enumerate() {
        rank[id] = r;
        holder[id] = layout.parent[id].and_then(|p| {
            if first.contains_key(&p) {
                Some(p)
            } else {
                holder[p]
            }
        });
    }
    let mut built: Vec<Option<Symbol>> = calls.iter().map(|c| Some(leaf(c))).collect();
    let mut inner: Vec<(usize, NodeId)> = ids
        .iter()
        .enumerate()
        .filter_map(|(i, id)| id.filter(|&id| id < n).map(|id| (i, id)))
        .collect();
    // Deepest first, so a symbol has all its children before it moves into its parent.
    inner.sort_by_key(|&(_, id)| std::cmp::Reverse(rank[id]));
    for (i, id) in inner {
        let Some(parent) = holder[id].map(|h| first[&h]).filter(|&p| p != i) else {
            continue;
        };
        if let Some(sym) = built[i].take()
            && let Some(p) = built[parent].as_mut()
        {
            p.children.push(sym);
        }
    }
    let mut out: Vec<Symbol> = built.into_iter().flatten().collect();
    let mut todo: Vec<&mut Symbol> = out.iter_mut().collect();
    while let Some(sym) = todo.pop() {
        sym.children.sort_by_key(|c| c.range.start);
        todo.extend(sym.children.iter_mut());
    }
    out
}

fn leaf(call: &CtorCall) -> Symbol {
    let name = call.name.clone().unwrap_or_default();
    let is_flow = call.kind.is_flow() || call.kind == flowscript_runtime::graph::NodeKind::Branches;
    Symbol {
        name: call.var.clone().unwrap_or_else(|| name.clone()),
        detail: format!("{} \"{name}\"", call.kind.constructor()),
        kind: if is_flow {
            SymbolKind::Flow
        } else {
            SymbolKind::Node
        },
        range: TextRange::new(
            call.var_range.map_or(call.call_range.start, |r| r.start),
            call.call_range.end,
        ),
        selection: call.var_range.unwrap_or(call.ctor_range),
        children: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flows_nest_their_nodes() {
        let src = r#"
fn helper(x) { x }
let a = node("a");
let b = node("b");
let c = node("c");
a >> b;
let inner = flow("inner", c);
b >> inner;
flow("main", a)
"#;
        let a = Analysis::new("t.flow.rhai", src);
        insta::assert_yaml_snapshot!(symbols(&a));
    }

    #[test]
    fn a_node_two_flows_reach_nests_where_the_preview_draws_it() {
        // `step` is reachable from `main` (through `a`) and from `inner`: the preview draws it
        // once, in the shallower `main`, and so does the outline.
        let src = r#"
let step = node("step");
let a = node("a");
let inner = flow("inner", step);
a - "x" >> step;
a >> inner;
let main = flow("main", a);
main
"#;
        let a = Analysis::new("t.flow.rhai", src);
        let syms = symbols(&a);
        let names = |s: &[Symbol]| s.iter().map(|s| s.name.clone()).collect::<Vec<_>>();
        assert_eq!(names(&syms), ["main"]);
        assert_eq!(names(&syms[0].children), ["step", "a", "inner"]);
        assert!(syms[0].children[2].children.is_empty());
        let graph = a.graph().expect("graph");
        let layout = flowscript_runtime::graph::nesting::Layout::of(graph);
        let step = graph
            .nodes
            .iter()
            .position(|n| n.name == "step")
            .expect("step");
        let main = graph
            .nodes
            .iter()
            .position(|n| n.name == "main")
            .expect("main");
        assert_eq!(layout.parent[step], Some(main));
    }
}

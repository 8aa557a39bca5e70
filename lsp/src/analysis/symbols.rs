//! Document symbols: flows with the nodes of their sub-graphs nested under them, the other
//! nodes, and script functions. Nesting comes from the recorded graph; without one (the text
//! does not build), the constructor calls are listed flat.

use std::collections::{BTreeSet, HashMap};

use flowscript_runtime::FlowGraph;
use flowscript_runtime::graph::{NodeId, Target};

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
            let mut by_node: HashMap<NodeId, &CtorCall> = HashMap::new();
            for call in &outline.calls {
                if let Some(id) = a.node_of(call) {
                    by_node.entry(id).or_insert(call);
                }
            }
            let mut nested = BTreeSet::new();
            for node in &graph.nodes {
                let shown = by_node.contains_key(&node.id);
                if shown && (node.kind.is_flow() || !node.branches.is_empty()) {
                    nested.extend(members(graph, node.id));
                }
            }
            for call in &outline.calls {
                match a.node_of(call) {
                    Some(id) if nested.contains(&id) => {}
                    Some(id) => {
                        let mut path = vec![id];
                        out.push(node_symbol(graph, &by_node, call, id, &mut path));
                    }
                    None => out.push(leaf(call)),
                }
            }
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

/// The nodes of a flow's (or branches node's) sub-graph, in id order.
fn members(graph: &FlowGraph, flow: NodeId) -> BTreeSet<NodeId> {
    let Some(spec) = graph.nodes.get(flow) else {
        return BTreeSet::new();
    };
    let mut todo: Vec<NodeId> = spec.start.into_iter().collect();
    todo.extend(spec.branches.iter().map(|b| b.start));
    let mut seen = BTreeSet::new();
    while let Some(n) = todo.pop() {
        if n == flow || !seen.insert(n) {
            continue;
        }
        for e in graph.edges_from(n) {
            if let Target::Node(t) = e.to {
                todo.push(t);
            }
        }
    }
    seen
}

fn node_symbol(
    graph: &FlowGraph,
    by_node: &HashMap<NodeId, &CtorCall>,
    call: &CtorCall,
    id: NodeId,
    path: &mut Vec<NodeId>,
) -> Symbol {
    let mut sym = leaf(call);
    let is_container = graph
        .nodes
        .get(id)
        .is_some_and(|n| n.kind.is_flow() || !n.branches.is_empty());
    if is_container && path.len() < 16 {
        for m in members(graph, id) {
            if path.contains(&m) {
                continue;
            }
            if let Some(child) = by_node.get(&m) {
                path.push(m);
                sym.children
                    .push(node_symbol(graph, by_node, child, m, path));
                path.pop();
            }
        }
    }
    sym
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
}

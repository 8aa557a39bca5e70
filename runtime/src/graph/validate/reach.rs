//! `unreachable-node` and `no-exit`: what the entry reaches, and loops nothing leaves.

use std::collections::VecDeque;

use super::Input;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::{FlowGraph, NodeId, Target};

/// Where control can go from `node`: the start of its sub-graph, its branches, its edges.
fn children(input: &Input, node: NodeId) -> Vec<NodeId> {
    let spec = &input.graph.nodes[node];
    spec.start
        .into_iter()
        .chain(spec.branches.iter().map(|b| b.start))
        .chain(successors(input, node))
        .collect()
}

/// The nodes `node`'s edges lead to.
fn successors(input: &Input, node: NodeId) -> Vec<NodeId> {
    input
        .edges(node)
        .iter()
        .filter_map(|e| match e.to {
            Target::Node(n) => Some(n),
            Target::End => None,
        })
        .collect()
}

/// Every node `from` leads to (itself included), breadth first, following `next`.
fn closure(graph: &FlowGraph, from: NodeId, next: impl Fn(NodeId) -> Vec<NodeId>) -> Vec<NodeId> {
    let mut seen = vec![false; graph.nodes.len()];
    let mut order = Vec::new();
    let mut queue = VecDeque::from([from]);
    while let Some(n) = queue.pop_front() {
        if n >= seen.len() || std::mem::replace(&mut seen[n], true) {
            continue;
        }
        order.push(n);
        queue.extend(next(n));
    }
    order
}

/// The nodes a sub-graph starting at `start` walks through (edges only, not into nested flows).
fn members(input: &Input, start: NodeId) -> Vec<NodeId> {
    closure(input.graph, start, |n| successors(input, n))
}

/// Nodes the entry reaches, by id.
pub(super) fn reachable(input: &Input) -> Vec<bool> {
    let graph = input.graph;
    let mut out = vec![false; graph.nodes.len()];
    for n in closure(graph, graph.entry, |n| children(input, n)) {
        out[n] = true;
    }
    out
}

/// Nodes that are defined and wired (an edge in or out, or a sub-graph's start) but that the
/// entry never reaches. One warning per unreachable region, at its first node.
pub(super) fn unreachable_nodes(input: &Input, out: &mut Vec<Diagnostic>) {
    let graph = input.graph;
    let reached = &input.reached;
    let mut wired = vec![false; graph.nodes.len()];
    let mut has_pred = vec![false; graph.nodes.len()];
    for node in &graph.nodes {
        for c in children(input, node.id) {
            wired[c] = true;
            has_pred[c] |= !reached[node.id];
        }
    }
    for e in &graph.edges {
        wired[e.from] = true;
    }
    let mut covered = vec![false; graph.nodes.len()];
    // Regions' roots first (no unreachable predecessor), then whatever cycles remain.
    let roots = (0..graph.nodes.len()).filter(|&n| !has_pred[n]);
    let rest = (0..graph.nodes.len()).filter(|&n| has_pred[n]);
    for n in roots.chain(rest) {
        if reached[n] || !wired[n] || covered[n] {
            continue;
        }
        let region = closure(graph, n, |m| children(input, m));
        for &m in &region {
            covered[m] = true;
        }
        let node = &graph.nodes[n];
        let entry = &graph.nodes[graph.entry];
        let more = region.iter().filter(|&&m| !reached[m]).count() - 1;
        let also = if more > 0 {
            format!(" (nor {more} node(s) it leads to)")
        } else {
            String::new()
        };
        out.push(
            Diagnostic::new(
                Code::UnreachableNode,
                node.span.clone(),
                format!(
                    "{}('{}') is wired but never runs: the entry flow '{}' does not reach it{also}",
                    node.kind.constructor(),
                    node.name,
                    entry.name
                ),
            )
            .with_help("wire it into the entry flow, or remove it"),
        );
    }
}

/// A loop from which no path reaches an exit (a node without successors, an edge to `end`, or
/// an action without an edge) in a flow without `max_steps`.
pub(super) fn no_exit(input: &Input, out: &mut Vec<Diagnostic>) {
    let graph = input.graph;
    let reached = &input.reached;
    let mut reported = vec![false; graph.nodes.len()];
    for owner in graph.nodes.iter().filter(|n| reached[n.id]) {
        if owner.options.max_steps.is_some() {
            continue;
        }
        let starts = owner
            .start
            .into_iter()
            .chain(owner.branches.iter().map(|b| b.start));
        for start in starts {
            let nodes = members(input, start);
            let trapped = trapped(input, &nodes);
            let Some(&first) = trapped.first() else {
                continue;
            };
            if trapped.iter().any(|&n| reported[n]) {
                continue;
            }
            for &n in &trapped {
                reported[n] = true;
            }
            let names: Vec<String> = trapped
                .iter()
                .map(|&n| format!("'{}'", graph.nodes[n].name))
                .collect();
            let node = &graph.nodes[first];
            out.push(
                Diagnostic::new(
                    Code::NoExit,
                    node.span.clone(),
                    format!(
                        "once '{}' runs, {}('{}') never ends: no path from {} reaches a node \
                         without successors, `end`, or an action without an edge, and it sets no max_steps",
                        node.name,
                        owner.kind.constructor(),
                        owner.name,
                        names.join(", ")
                    ),
                )
                .with_help(format!(
                    "add an exit (e.g. `{} - \"done\" >> end`) or set `max_steps` on '{}'",
                    node.name, owner.name
                )),
            );
        }
    }
}

/// The members of a sub-graph that cannot reach an exit, in walk order.
fn trapped(input: &Input, nodes: &[NodeId]) -> Vec<NodeId> {
    let graph = input.graph;
    let exits = |n: NodeId| {
        let edges = input.edges(n);
        if edges.is_empty() || edges.iter().any(|e| e.to == Target::End) {
            return true;
        }
        match input.actions(n) {
            None => true,
            Some(actions) => actions.iter().any(|a| input.successor(n, a).is_none()),
        }
    };
    // Walk backwards from the exits along the sub-graph's edges.
    let mut preds: Vec<Vec<NodeId>> = vec![Vec::new(); graph.nodes.len()];
    let mut can_exit = vec![false; graph.nodes.len()];
    let mut queue = VecDeque::new();
    for &n in nodes {
        for m in successors(input, n) {
            preds[m].push(n);
        }
        if exits(n) {
            can_exit[n] = true;
            queue.push_back(n);
        }
    }
    while let Some(n) = queue.pop_front() {
        for &p in &preds[n] {
            if !std::mem::replace(&mut can_exit[p], true) {
                queue.push_back(p);
            }
        }
    }
    nodes.iter().copied().filter(|&n| !can_exit[n]).collect()
}

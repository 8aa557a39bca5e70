//! `unreachable-node` and `no-exit`: what the entry reaches, and loops nothing leaves.

use std::collections::VecDeque;

use super::Input;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::nesting::starts;
use crate::graph::{FlowGraph, NodeId, Target};

/// Where control can go from `node`: the starts of its sub-graphs, then its edges.
fn children(input: &Input, node: NodeId) -> Vec<NodeId> {
    let graph = input.graph;
    starts(graph, &graph.nodes[node])
        .into_iter()
        .map(|(_, s)| s)
        .chain(input.reach.successors(node).iter().copied())
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
            let nodes = input.reach.from([start]);
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
        for &m in input.reach.successors(n) {
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

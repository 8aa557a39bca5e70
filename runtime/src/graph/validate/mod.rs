//! The validator: pure rules over a recorded [`FlowGraph`] and the script's [`ScriptFacts`],
//! returning diagnostics with stable codes. `check`, `run`, `graph` and the language server all
//! call [`validate`] through [`crate::Runtime::load`]; nothing here runs script code.
//!
//! Rules and their reach:
//! - `unreachable-node`, `no-exit` ([`reach`]): exact over the recorded graph; `no-exit` treats
//!   a post whose actions are not all literal as a possible exit.
//! - `unused-node` ([`unused`]): exact over the recorded graph (constructed, never wired).
//! - `unmatched-action`, `dead-edge` ([`actions`]): only literal return values count (see
//!   [`ScriptFacts`]); a computed action silences `dead-edge` for its node.
//! - `not-an-array`, `unwritten-key` ([`data`]): literal returns of batch preps; literal-key
//!   reads of the store parameter inside prep and post hooks.

mod actions;
mod data;
mod reach;
mod unused;

use std::collections::HashSet;

use super::{
    DEFAULT_ACTION, Edge, FlowGraph, HookKind, NodeId, NodeKind, NodeSpec, Target, normalize_action,
};
use crate::diagnostic::Diagnostic;
use crate::graph::facts::{FnFacts, Returned, ScriptFacts};
use crate::graph::nesting::Reach;

/// Everything the rules read.
pub(crate) struct Input<'a> {
    graph: &'a FlowGraph,
    facts: &'a ScriptFacts,
    known_keys: &'a HashSet<String>,
    /// Nodes an overwritten edge led to: not reported as unused (the overwrite is the finding).
    replaced: &'a [NodeId],
    /// Edges leaving each node, in definition order.
    out: Vec<Vec<&'a Edge>>,
    /// Per node, every action its post can return when all are known (see [`post_actions`]).
    actions: Vec<Option<Vec<String>>>,
    /// Per node, whether the entry reaches it.
    reached: Vec<bool>,
    /// What each node's edges lead to (sub-graph membership).
    reach: Reach,
}

/// Check a recorded graph. `known_keys` are the store keys a run starts with (`--input`,
/// `--set`); they count as written for `unwritten-key`. `replaced` are the nodes overwritten
/// edges led to. Diagnostics come in rule order.
pub fn validate(
    graph: &FlowGraph,
    facts: &ScriptFacts,
    known_keys: &HashSet<String>,
    replaced: &[NodeId],
) -> Vec<Diagnostic> {
    if !consistent(graph) {
        // Only a hand-made or deserialised graph can be; record mode never builds one.
        return Vec::new();
    }
    let mut out_edges = vec![Vec::new(); graph.nodes.len()];
    for e in &graph.edges {
        if let Some(list) = out_edges.get_mut(e.from) {
            list.push(e);
        }
    }
    let mut input = Input {
        graph,
        facts,
        known_keys,
        replaced,
        out: out_edges,
        actions: Vec::new(),
        reached: Vec::new(),
        reach: Reach::of(graph),
    };
    input.actions = graph
        .nodes
        .iter()
        .map(|n| post_actions(&input, n))
        .collect();
    input.reached = reach::reachable(&input);
    let mut out = Vec::new();
    data::not_an_array(&input, &mut out);
    reach::unreachable_nodes(&input, &mut out);
    unused::unused_nodes(&input, &mut out);
    actions::unmatched_actions(&input, &mut out);
    actions::dead_edges(&input, &mut out);
    reach::no_exit(&input, &mut out);
    data::unwritten_keys(&input, &mut out);
    out
}

impl<'a> Input<'a> {
    /// Edges leaving `node`.
    fn edges(&self, node: NodeId) -> &[&'a Edge] {
        self.out.get(node).map_or(&[], Vec::as_slice)
    }

    /// Where `node` goes on `action`, if wired.
    fn successor(&self, node: NodeId, action: &str) -> Option<Target> {
        self.edges(node)
            .iter()
            .find(|e| e.action == action)
            .map(|e| e.to)
    }

    /// The facts of a node's hook, when it is a script function.
    fn hook_facts(&self, node: &NodeSpec, kind: HookKind) -> Option<&FnFacts> {
        let hook = node.hook(kind)?;
        self.facts.function(&hook.function, hook.arity?)
    }

    /// Every action node `id`'s post can return, when all are known.
    fn actions(&self, id: NodeId) -> Option<&[String]> {
        self.actions.get(id)?.as_deref()
    }
}

/// Every action a node's post can return, when all are known: `None` when a return value is
/// computed (or not an action at all), or the node is a flow without post (its action is its
/// sub-flow's last one).
fn post_actions(input: &Input, node: &NodeSpec) -> Option<Vec<String>> {
    if node.post.is_none() {
        return match node.kind {
            NodeKind::Flow => None,
            _ => Some(vec![DEFAULT_ACTION.to_string()]),
        };
    }
    let facts = input.hook_facts(node, HookKind::Post)?;
    let mut actions: Vec<String> = Vec::new();
    for r in &facts.returns {
        let a = match r {
            Returned::Text(s, _) => normalize_action(s).to_string(),
            Returned::Unit(_) => DEFAULT_ACTION.to_string(),
            _ => return None,
        };
        if !actions.contains(&a) {
            actions.push(a);
        }
    }
    Some(actions)
}

/// Whether every id in the graph names one of its nodes.
fn consistent(graph: &FlowGraph) -> bool {
    let n = graph.nodes.len();
    let target_ok = |t: &Target| matches!(t, Target::End) || matches!(t, Target::Node(i) if *i < n);
    graph.entry < n
        && graph.nodes.iter().enumerate().all(|(i, node)| {
            node.id == i
                && node.start.is_none_or(|s| s < n)
                && node.branches.iter().all(|b| b.start < n)
        })
        && graph.edges.iter().all(|e| e.from < n && target_ok(&e.to))
}

/// `"a", "b"` for messages.
fn quoted(actions: &[String]) -> String {
    actions
        .iter()
        .map(|a| format!("\"{a}\""))
        .collect::<Vec<_>>()
        .join(", ")
}

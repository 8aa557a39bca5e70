//! `unmatched-action` and `dead-edge`: posts' literal actions against their nodes' edges.

use super::{Input, quoted};
use crate::diagnostic::did_you_mean;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::facts::Returned;
use crate::graph::{HookKind, Target, normalize_action};

/// A post that can return a literal action its node has no edge for, while it has other edges.
pub(super) fn unmatched_actions(input: &Input, out: &mut Vec<Diagnostic>) {
    for node in &input.graph.nodes {
        let wired: Vec<String> = input
            .edges(node.id)
            .iter()
            .map(|e| e.action.clone())
            .collect();
        if wired.is_empty() {
            continue;
        }
        let Some(facts) = input.hook_facts(node, HookKind::Post) else {
            continue;
        };
        let mut seen: Vec<&str> = Vec::new();
        for r in &facts.returns {
            let Returned::Text(text, span) = r else {
                continue;
            };
            let action = normalize_action(text);
            if wired.iter().any(|w| w == action) || seen.contains(&action) {
                continue;
            }
            seen.push(action);
            let candidates: Vec<&str> = wired.iter().map(String::as_str).collect();
            let mut d = Diagnostic::new(
                Code::UnmatchedAction,
                span.clone(),
                format!(
                    "post of '{}' can return \"{action}\", but '{}' has no edge for it (it has {}); \
                     the flow would end here",
                    node.name,
                    node.name,
                    quoted(&wired)
                ),
            )
            .with_about(node.id, action);
            d = match did_you_mean(action, &candidates) {
                Some(s) => d
                    .with_help(format!("did you mean \"{s}\"?"))
                    .with_fix(span.clone(), format!("\"{s}\"")),
                None => d.with_help(format!(
                    "wire it, e.g. `{} - \"{action}\" >> next` or `{} - \"{action}\" >> end`",
                    var_hint(&node.name),
                    var_hint(&node.name)
                )),
            };
            out.push(d);
        }
    }
}

/// An edge labelled with an action its node's post never returns, when every return is a literal.
pub(super) fn dead_edges(input: &Input, out: &mut Vec<Diagnostic>) {
    for node in &input.graph.nodes {
        let Some(actions) = input.actions(node.id) else {
            continue;
        };
        for edge in input.edges(node.id) {
            if actions.contains(&edge.action) {
                continue;
            }
            let to = match edge.to {
                Target::End => "end".to_string(),
                Target::Node(n) => format!("'{}'", input.graph.nodes[n].name),
            };
            let why = if node.post.is_none() {
                format!(
                    "'{}' has no post, so it always takes the default edge",
                    node.name
                )
            } else {
                format!("post of '{}' only returns {}", node.name, quoted(actions))
            };
            let candidates: Vec<&str> = actions.iter().map(String::as_str).collect();
            let label = input.facts.label_of(&edge.span).cloned();
            let suggestion = did_you_mean(&edge.action, &candidates);
            let help = match suggestion {
                Some(s) => format!("did you mean \"{s}\"?"),
                None => "remove the edge, or make post return this action".to_string(),
            };
            let mut d = Diagnostic::new(
                Code::DeadEdge,
                edge.span.clone(),
                format!(
                    "the edge \"{}\" from '{}' to {to} is never taken: {why}",
                    edge.action, node.name
                ),
            )
            .with_help(help);
            if let (Some(s), Some(label)) = (suggestion, label) {
                d = d.with_fix(label, format!("\"{s}\""));
            }
            out.push(d);
        }
    }
}

/// A node's name as a plausible variable name for help text.
fn var_hint(name: &str) -> String {
    let ident: String = name
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { '_' })
        .collect();
    if ident.is_empty() || ident.starts_with(|c: char| c.is_ascii_digit()) {
        format!("n_{ident}")
    } else {
        ident
    }
}

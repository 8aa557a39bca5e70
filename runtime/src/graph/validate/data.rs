//! `not-an-array` and `unwritten-key`: what batch preps return and which store keys hooks read.

use std::collections::HashSet;

use super::Input;
use crate::diagnostic::did_you_mean;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::facts::Returned;
use crate::graph::{HookKind, NodeKind};

/// A batch or parallel prep (node or flow) that returns a literal that is not an array.
pub(super) fn not_an_array(input: &Input, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    for node in input.graph.nodes.iter().filter(|n| n.kind.is_batch()) {
        let Some(facts) = input.hook_facts(node, HookKind::Prep) else {
            continue;
        };
        let items = match node.kind {
            NodeKind::BatchFlow | NodeKind::ParallelFlow => "an array of param maps",
            _ => "an array of items",
        };
        for r in &facts.returns {
            let (what, span) = match r {
                Returned::Text(_, span) => ("a string", span),
                Returned::Other(what, span) => (*what, span),
                _ => continue,
            };
            if !seen.insert((node.id, span.line, span.column)) {
                continue;
            }
            out.push(
                Diagnostic::new(
                    Code::NotAnArray,
                    span.clone(),
                    format!(
                        "prep of {}('{}') returns {what} here, but it must return {items} (or () for none)",
                        node.kind.constructor(),
                        node.name
                    ),
                )
                .with_help(format!(
                    "wrap the value in an array (`[value]`), or use node() for a single item; \
                     each item of {}() is passed to exec on its own",
                    node.kind.constructor()
                )),
            );
        }
    }
}

/// `shared.k` / `shared["k"]` read (without `?? default`) in a prep or post hook, where no code
/// writes `k` and the run's input does not provide it.
pub(super) fn unwritten_keys(input: &Input, out: &mut Vec<Diagnostic>) {
    let mut seen = HashSet::new();
    let mut written: Option<Vec<&str>> = None;
    for node in &input.graph.nodes {
        for kind in [HookKind::Prep, HookKind::Post] {
            let (Some(hook), Some(facts)) = (node.hook(kind), input.hook_facts(node, kind)) else {
                continue;
            };
            let Some(arity) = hook.arity else { continue };
            // Captured variables come first; the store is the first declared parameter.
            let store = facts.params.saturating_sub(arity);
            for read in facts
                .reads
                .iter()
                .filter(|r| r.param == store && !r.guarded)
            {
                if input.facts.is_written(&read.key)
                    || input.known_keys.contains(&read.key)
                    || !seen.insert((read.span.line, read.span.column))
                {
                    continue;
                }
                let candidates = written.get_or_insert_with(|| {
                    let mut keys: Vec<&str> = input.facts.written_keys().collect();
                    keys.extend(input.known_keys.iter().map(String::as_str));
                    keys.sort_unstable();
                    keys
                });
                let key = &read.key;
                let mut d = Diagnostic::new(
                    Code::UnwrittenKey,
                    read.span.clone(),
                    format!(
                        "`{key}` is read from the shared store here, but no hook writes it and no input provides it"
                    ),
                );
                d = match did_you_mean(key, candidates) {
                    Some(s) => d.with_help(format!("did you mean `{s}`?")).with_fix(
                        read.span.clone(),
                        if read.indexed {
                            format!("\"{s}\"")
                        } else {
                            s.to_string()
                        },
                    ),
                    None => d.with_help(format!(
                        "write it in a hook (`shared.{key} = …`), pass it with --input or --set, \
                         or read it with a default: `shared.{key} ?? default`"
                    )),
                };
                out.push(d);
            }
        }
    }
}

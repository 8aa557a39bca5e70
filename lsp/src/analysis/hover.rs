//! Hover: signatures and docs for the graph API and host functions, and for a node variable its
//! kind, options and edges (from the recorded graph).

use std::fmt::Write as _;

use flowscript_runtime::graph::{NodeId, Target};

use super::Analysis;
use super::catalog::{self, FnDoc};
use super::document::TextRange;
use super::lexer::TokenKind;
use super::outline::{self, CtorCall};

/// What to show for the word under the cursor.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Hover {
    /// The word hovered.
    pub range: TextRange,
    /// Markdown.
    pub markdown: String,
}

/// The hover at `offset`.
pub fn hover(a: &Analysis, offset: usize) -> Option<Hover> {
    let doc = a.document();
    let text = doc.text();
    let (i, tok) = doc.ident_at(offset)?;
    let word = tok.text(text);
    let prev = doc.prev_code(i);
    let next = doc.next_code(i);
    let prev_is = |p: &str| prev.is_some_and(|(_, t)| t.is_punct(text, p));
    let next_is = |p: &str| next.is_some_and(|(_, t)| t.is_punct(text, p));
    let markdown = if prev_is("::") {
        let (m, _) = prev?;
        let (_, module) = doc.prev_code(m)?;
        let module = module.text(text);
        let fns: Vec<&FnDoc> = a
            .catalog()
            .module(module)
            .iter()
            .filter(|f| f.name == word)
            .collect();
        fn_docs(&fns, &format!("{module}::"))?
    } else if next_is("::") && a.catalog().is_module(word) {
        let mut md = format!("```rhai\nmodule {word}\n```\nHost functions:\n");
        for f in a.catalog().module(word) {
            let _ = writeln!(md, "- `{word}::{}`", f.signature);
        }
        md
    } else if prev_is(".") {
        if doc
            .prev_code(prev?.0)
            .is_some_and(|(_, t)| t.is_ident(text, "shared"))
        {
            format!("```rhai\nshared.{word}\n```\nA key of the shared store.")
        } else {
            let d = a.catalog().keyword_doc(word)?;
            fn_docs(&[&d], "")?
        }
    } else if let Some(kind) = outline::kind_of(word).filter(|_| next_is("(")) {
        fn_docs(&[&a.catalog().constructor_doc(kind)], "")?
    } else if next_is(":") && tok.kind == TokenKind::Ident && in_options_map(a, offset) {
        format!("```rhai\n{word}\n```\n{}", catalog::option_doc(word)?)
    } else if let Some(call) = a.outline().binding(word) {
        node_markdown(a, word, call)
    } else if let Some(f) = a.outline().function(word) {
        let mut md = format!("```rhai\nfn {}({})\n```", f.name, f.params.join(", "));
        if !f.doc.is_empty() {
            let _ = write!(md, "\n{}", f.doc.join("\n"));
        }
        md
    } else if let Some(d) = a.catalog().keyword_doc(word) {
        fn_docs(&[&d], "")?
    } else {
        fn_docs(&catalog::globals_named(a.catalog(), word), "")?
    };
    Some(Hover {
        range: tok.range,
        markdown,
    })
}

fn in_options_map(a: &Analysis, offset: usize) -> bool {
    a.outline().calls.iter().any(|c| {
        c.options
            .as_ref()
            .is_some_and(|m| m.entries.iter().any(|e| e.key_range.touches(offset)))
    })
}

fn fn_docs(fns: &[&FnDoc], prefix: &str) -> Option<String> {
    let first = fns.first()?;
    let mut md = String::from("```rhai\n");
    for f in fns {
        let _ = writeln!(md, "{prefix}{}", f.signature);
    }
    md.push_str("```");
    if !first.doc.is_empty() {
        let _ = write!(md, "\n{}", first.doc);
    }
    Some(md)
}

fn node_markdown(a: &Analysis, var: &str, call: &CtorCall) -> String {
    let doc = a.document();
    let ctor = call.kind.constructor();
    let name = call.name.as_deref().unwrap_or("?");
    let mut md = format!("```rhai\nlet {var} = {ctor}(\"{name}\", …)\n```\n**{ctor}** `{name}`");
    if let Some(map) = &call.options {
        let mut hooks = Vec::new();
        let mut opts = Vec::new();
        for e in &map.entries {
            if matches!(e.key.as_str(), "prep" | "exec" | "post" | "fallback") {
                hooks.push(e.key.as_str());
            } else {
                let lo = doc.tokens().get(e.value.0).map_or(0, |t| t.range.start);
                let hi = e
                    .value
                    .1
                    .checked_sub(1)
                    .and_then(|k| doc.tokens().get(k))
                    .map_or(lo, |t| t.range.end);
                let value: String = doc.slice(TextRange::new(lo, hi)).chars().take(40).collect();
                opts.push(format!("{}: {}", e.key, value.trim()));
            }
        }
        if !opts.is_empty() {
            let _ = write!(md, "\n\nOptions: `{}`", opts.join(", "));
        }
        if !hooks.is_empty() {
            let _ = write!(md, "\n\nHooks: {}", hooks.join(", "));
        }
    }
    let actions = a.post_actions(call);
    if !actions.is_empty() {
        let quoted: Vec<String> = actions.iter().map(|s| format!("\"{s}\"")).collect();
        let _ = write!(md, "\n\nPost returns: {}", quoted.join(", "));
    }
    if let (Some(graph), Some(id)) = (a.graph(), a.node_of(call)) {
        edges_markdown(&mut md, graph, id);
        if !a.graph_is_current() {
            md.push_str("\n\n_(graph from the last version that built)_");
        }
    }
    md
}

fn edges_markdown(md: &mut String, graph: &flowscript_runtime::FlowGraph, id: NodeId) {
    let name = |n: NodeId| graph.nodes.get(n).map_or("?", |s| s.name.as_str());
    let target = |t: Target| match t {
        Target::End => "end".to_string(),
        Target::Node(n) => format!("`{}`", name(n)),
    };
    if let Some(start) = graph.nodes.get(id).and_then(|n| n.start) {
        let _ = write!(md, "\n\nStarts at `{}`", name(start));
    }
    let out: Vec<String> = graph
        .edges_from(id)
        .map(|e| format!("- `\"{}\"` → {}", e.action, target(e.to)))
        .collect();
    if !out.is_empty() {
        let _ = write!(md, "\n\nEdges:\n{}", out.join("\n"));
    }
    let incoming: Vec<String> = graph
        .edges
        .iter()
        .filter(|e| e.to == Target::Node(id))
        .map(|e| format!("- `{}` on `\"{}\"`", name(e.from), e.action))
        .collect();
    if !incoming.is_empty() {
        let _ = write!(md, "\n\nReached from:\n{}", incoming.join("\n"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::at_cursor;

    fn hover_md(fixture: &str) -> String {
        let (a, offset) = at_cursor(fixture);
        hover(&a, offset).map(|h| h.markdown).unwrap_or_default()
    }

    const SCRIPT: &str = r#"
let load = node("load", #{ retries: 3, exec: |x| x, post: |shared, p, e| "done" });
let report = node("report", #{ exec: |x| fs::read(x) });
load - "done" >> report;
report >> end;
flow("main", load)
"#;

    #[test]
    fn node_variable_shows_kind_options_and_edges() {
        let f = SCRIPT.replacen("load - ", "lo$0ad - ", 1);
        insta::assert_snapshot!(hover_md(&f));
    }

    #[test]
    fn host_functions_hover_from_their_first_letter() {
        for (call, want) in [
            ("fs::$0read(x)", "fs::read(path: String)"),
            ("llm::$0chat(x)", "llm::chat("),
            ("json::$0parse(x)", "json::parse("),
            ("$0fs::read(x)", "module fs"),
        ] {
            let md = hover_md(&SCRIPT.replace("fs::read(x)", call));
            assert!(md.contains(want), "{call}: {md}");
        }
    }

    #[test]
    fn host_function_docs_come_from_metadata() {
        let md = hover_md(&SCRIPT.replace("fs::read", "fs::re$0ad"));
        assert!(md.contains("fs::read(path: String)"), "{md}");
        assert!(md.contains("--allow-read"), "{md}");
    }

    #[test]
    fn constructors_options_and_keywords() {
        let md = hover_md(&SCRIPT.replacen("node(\"report\"", "no$0de(\"report\"", 1));
        assert!(
            md.starts_with("```rhai\nnode(name: String, opts?: Map) -> Node\n```\nA node: "),
            "{md}"
        );
        let md = hover_md(&SCRIPT.replace("retries", "retr$0ies"));
        assert!(md.contains("Attempts in all"), "{md}");
        let md = hover_md(&SCRIPT.replace(">> end", ">> e$0nd"));
        assert!(md.contains("terminal"), "{md}");
        let md = hover_md("em$0it(1)");
        insta::assert_snapshot!("global_host_function", md);
    }
}

//! Completion: what fits at the cursor, decided from the tokens around it (so it works while the
//! text does not parse).
//!
//! - in the option map of a constructor, at a key: the keys that constructor takes;
//! - in a string after `node -`: the actions that node's `post` returns (and its wired labels);
//! - after `shared.`: the keys used anywhere in the file;
//! - after `fs::`, `http::`, … : the module's functions;
//! - elsewhere: constructors (as snippets), node variables, `end`, script and host functions.

use flowscript_runtime::graph::NodeKind;
use flowscript_runtime::graph::options::allowed_keys;

use super::Analysis;
use super::catalog;
use super::document::Document;
use super::lexer::TokenKind;
use super::outline::{self, CONSTRUCTORS};

/// What a completion item is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CompletionKind {
    /// A node or flow constructor.
    Constructor,
    /// A host or script function.
    Function,
    /// A host module (`fs`, `http`, …).
    Module,
    /// A variable holding a node.
    Node,
    /// A keyword (`end`).
    Keyword,
    /// An option key of a constructor.
    OptionKey,
    /// An action a post returns.
    Action,
    /// A key of the shared store.
    SharedKey,
}

/// One completion item.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Completion {
    /// What is shown and filtered on.
    pub label: String,
    /// What it is.
    pub kind: CompletionKind,
    /// A one-line detail (a signature).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Markdown docs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub documentation: Option<String>,
    /// The text to insert when it differs from the label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub insert: Option<String>,
    /// Whether `insert` is an LSP snippet (`$1`, `${1:x}`, `$0`).
    pub snippet: bool,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind) -> Self {
        Self {
            label: label.into(),
            kind,
            detail: None,
            documentation: None,
            insert: None,
            snippet: false,
        }
    }

    fn detail(mut self, d: impl Into<String>) -> Self {
        self.detail = Some(d.into());
        self
    }

    fn doc(mut self, d: impl Into<String>) -> Self {
        let d = d.into();
        self.documentation = (!d.is_empty()).then_some(d);
        self
    }

    fn insert(mut self, text: impl Into<String>, snippet: bool) -> Self {
        self.insert = Some(text.into());
        self.snippet = snippet;
        self
    }
}

/// Where the cursor is, as far as completion cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Context {
    /// In a comment or an unrelated string: nothing to offer.
    Nothing,
    /// In the string of `var - "…"`.
    Action(String),
    /// After `module::`.
    Module(String),
    /// After `shared.`.
    SharedKey,
    /// At a key of a constructor's option map; the keys already written.
    OptionKey(NodeKind, Vec<String>),
    /// Anywhere else.
    General,
}

/// Decide the context at `offset`.
pub fn context(doc: &Document, offset: usize) -> Context {
    let text = doc.text();
    let tokens = doc.tokens();
    let offset = doc.floor_char_boundary(offset);
    // Inside a comment or a string?
    let inside = tokens
        .iter()
        .take(doc.token_index_at_or_after(offset))
        .enumerate()
        .next_back()
        .filter(|(_, t)| match t.kind {
            TokenKind::Comment => {
                t.range.strictly_contains(offset)
                    || (t.range.end == offset && t.text(text).starts_with("//"))
            }
            TokenKind::Str | TokenKind::Char => {
                t.range.strictly_contains(offset)
                    || (t.range.end == offset && unterminated(t.text(text)))
            }
            _ => false,
        });
    if let Some((i, t)) = inside {
        if t.kind == TokenKind::Str {
            if let Some((m, minus)) = doc.prev_code(i) {
                if minus.is_punct(text, "-") {
                    if let Some((_, var)) = doc.prev_code(m) {
                        if var.kind == TokenKind::Ident {
                            return Context::Action(var.text(text).to_string());
                        }
                    }
                }
            }
        }
        return Context::Nothing;
    }
    // The token before the word being typed.
    let word_start = doc
        .ident_at(offset)
        .filter(|(_, t)| t.range.start < offset)
        .map_or(offset, |(_, t)| t.range.start);
    let before_idx = doc.token_index_at_or_after(word_start);
    let before = doc.prev_code(before_idx);
    if let Some((b, tok)) = before {
        if tok.is_punct(text, "::") {
            if let Some((_, m)) = doc.prev_code(b).filter(|(_, m)| m.kind == TokenKind::Ident) {
                return Context::Module(m.text(text).to_string());
            }
            return Context::Nothing;
        }
        if tok.is_punct(text, ".") {
            let on_shared = doc
                .prev_code(b)
                .is_some_and(|(_, s)| s.is_ident(text, "shared"));
            return if on_shared {
                Context::SharedKey
            } else {
                Context::Nothing
            };
        }
    }
    let groups = doc.open_groups_at(word_start);
    if let Some(&g) = groups.last() {
        if tokens[g].kind == TokenKind::MapOpen {
            let at_key = before.is_some_and(|(b, t)| b == g || t.is_punct(text, ","));
            if !at_key {
                return Context::General;
            }
            return match options_map_of(doc, &groups) {
                Some(kind) => {
                    let map = outline::map_lit(doc, g);
                    let present = map
                        .entries
                        .iter()
                        .filter(|e| !e.key_range.touches(offset))
                        .map(|e| e.key.clone())
                        .collect();
                    Context::OptionKey(kind, present)
                }
                None => Context::Nothing,
            };
        }
    }
    Context::General
}

fn unterminated(s: &str) -> bool {
    let mut chars = s.chars();
    let Some(q) = chars.next() else {
        return false;
    };
    s.len() < 2 || !s.ends_with(q) || s.ends_with(&format!("\\{q}"))
}

/// If the innermost group is the option map of a constructor call, that constructor's kind.
fn options_map_of(doc: &Document, groups: &[usize]) -> Option<NodeKind> {
    let text = doc.text();
    let [.., paren, map] = groups else {
        return None;
    };
    if !doc.tokens()[*paren].is_punct(text, "(") {
        return None;
    }
    let (_, ctor) = doc.prev_code(*paren)?;
    let kind = outline::kind_of(ctor.text(text)).filter(|_| ctor.kind == TokenKind::Ident)?;
    let args = doc.split_group(*paren);
    let arg = args.iter().position(|&(lo, hi)| lo <= *map && *map < hi)?;
    (arg == kind.options_arg()).then_some(kind)
}

/// The completion items at `offset`.
pub fn complete(a: &Analysis, offset: usize) -> Vec<Completion> {
    match context(a.document(), offset) {
        Context::Nothing => Vec::new(),
        Context::Action(var) => actions(a, &var),
        Context::Module(m) => a
            .catalog()
            .module(&m)
            .iter()
            .map(|f| {
                Completion::new(&f.name, CompletionKind::Function)
                    .detail(format!("{m}::{}", f.signature))
                    .doc(&f.doc)
            })
            .collect(),
        Context::SharedKey => a
            .outline()
            .shared_keys
            .iter()
            // Not the word being typed (unless it is also written elsewhere).
            .filter(|(_, at)| at.iter().any(|r| !r.touches(offset)))
            .map(|(k, _)| Completion::new(k, CompletionKind::SharedKey).detail("shared key"))
            .collect(),
        Context::OptionKey(kind, present) => allowed_keys(kind)
            .iter()
            .filter(|k| !present.iter().any(|p| p == *k))
            .map(|k| {
                Completion::new(*k, CompletionKind::OptionKey)
                    .detail(format!("option of {}()", kind.constructor()))
                    .doc(catalog::option_doc(k).unwrap_or(""))
                    .insert(format!("{k}: "), false)
            })
            .collect(),
        Context::General => general(a),
    }
}

fn actions(a: &Analysis, var: &str) -> Vec<Completion> {
    let Some(call) = a.outline().binding(var) else {
        return Vec::new();
    };
    let mut labels = a.post_actions(call);
    let mut wired = Vec::new();
    if let (Some(graph), Some(id)) = (a.graph(), a.node_of(call)) {
        for e in graph.edges_from(id) {
            if e.action != flowscript_runtime::graph::DEFAULT_ACTION && !labels.contains(&e.action)
            {
                wired.push(e.action.clone());
            }
        }
    }
    let n = labels.len();
    labels.extend(wired);
    labels
        .into_iter()
        .enumerate()
        .map(|(i, l)| {
            let detail = if i < n {
                format!("returned by {var}'s post")
            } else {
                format!("wired from {var}")
            };
            Completion::new(l, CompletionKind::Action).detail(detail)
        })
        .collect()
}

fn general(a: &Analysis) -> Vec<Completion> {
    let mut items = Vec::new();
    for kind in CONSTRUCTORS {
        let d = a.catalog().constructor_doc(kind);
        items.push(
            Completion::new(kind.constructor(), CompletionKind::Constructor)
                .detail(d.signature)
                .doc(d.doc)
                .insert(snippet(kind), true),
        );
    }
    let mut seen = std::collections::BTreeSet::new();
    for call in &a.outline().calls {
        if let Some(var) = &call.var {
            if seen.insert(var.clone()) {
                let name = call.name.as_deref().unwrap_or("?");
                items.push(
                    Completion::new(var, CompletionKind::Node)
                        .detail(format!("{}(\"{name}\")", call.kind.constructor())),
                );
            }
        }
    }
    if let Some(end) = a.catalog().keyword_doc("end") {
        items.push(
            Completion::new("end", CompletionKind::Keyword)
                .detail("terminal")
                .doc(end.doc),
        );
    }
    for f in &a.outline().fns {
        items.push(
            Completion::new(&f.name, CompletionKind::Function)
                .detail(format!("fn {}({})", f.name, f.params.join(", ")))
                .doc(f.doc.join("\n")),
        );
    }
    let mut globals = std::collections::BTreeSet::new();
    for f in a.catalog().globals() {
        if globals.insert(f.name.clone()) {
            items.push(
                Completion::new(&f.name, CompletionKind::Function)
                    .detail(&f.signature)
                    .doc(&f.doc),
            );
        }
    }
    for m in a.catalog().module_names() {
        items.push(
            Completion::new(m, CompletionKind::Module)
                .detail(format!("host module {m}::"))
                .insert(format!("{m}::"), false),
        );
    }
    items.push(
        Completion::new("shared", CompletionKind::Keyword)
            .detail("the run's store")
            .doc(
                a.catalog()
                    .keyword_doc("shared")
                    .map_or(String::new(), |d| d.doc),
            ),
    );
    items
}

fn snippet(kind: NodeKind) -> String {
    let ctor = kind.constructor();
    match kind {
        NodeKind::Node | NodeKind::Batch | NodeKind::Parallel => {
            format!("{ctor}(\"${{1:name}}\", #{{\n\texec: |${{2:input}}| ${{0}},\n}})")
        }
        NodeKind::Flow => format!("{ctor}(\"${{1:main}}\", ${{2:start}})"),
        NodeKind::BatchFlow | NodeKind::ParallelFlow => {
            format!("{ctor}(\"${{1:name}}\", ${{2:start}}, #{{\n\tprep: |shared| ${{0:[]}},\n}})")
        }
        NodeKind::Branches => format!("{ctor}(\"${{1:name}}\", #{{ ${{2:a}}: ${{3:node}} }})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::test_support::at_cursor;

    fn labels(fixture: &str) -> Vec<String> {
        let (a, offset) = at_cursor(fixture);
        complete(&a, offset).into_iter().map(|c| c.label).collect()
    }

    const SCRIPT: &str = r#"
let load = node("load", #{
    prep: |shared| shared.dir,
    post: |shared, p, files| { shared.files = files; if files.len() == 0 { return "empty"; } "done" },
});
let work = parallel("work", #{ $0 });
load - "$1" >> work;
flow("main", load)
"#;

    #[test]
    fn option_keys_of_the_enclosing_constructor() {
        let f = SCRIPT.replace("$1", "");
        assert_eq!(
            labels(&f),
            allowed_keys(NodeKind::Parallel)
                .iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
        );
        let f = "let a = node(\"a\", #{ retries: 2, $0 });\na";
        let l = labels(f);
        assert!(!l.contains(&"retries".to_string()) && l.contains(&"exec".to_string()));
        assert!(!l.contains(&"concurrency".to_string()));
        let f = "let f = flow(\"f\", a, #{ $0 })";
        assert_eq!(labels(f), ["prep", "post", "params", "max_steps"]);
    }

    #[test]
    fn actions_after_a_label_dash() {
        let f = SCRIPT.replace("$0", "").replace("$1", "$0");
        assert_eq!(labels(&f), ["empty", "done"]);
    }

    #[test]
    fn shared_keys_and_modules() {
        let f = SCRIPT.replace("$0", "").replace("$1", "") + "shared.$0";
        assert_eq!(labels(&f), ["dir", "files"]);
        let f = SCRIPT.replace("$0", "").replace("$1", "") + "shared.fi$0\nfs::";
        assert_eq!(labels(&f), ["dir", "files"]);
        let l = labels("let x = fs::$0");
        assert_eq!(l, ["list", "read", "write"]);
        let l = labels("let x = http::g$0");
        assert!(l.contains(&"get".to_string()), "{l:?}");
    }

    #[test]
    fn general_completion_while_a_line_is_broken() {
        let f = SCRIPT.replace("$0", "").replace("$1", "") + "let broken = ;\nlo$0";
        let l = labels(&f);
        for want in ["node", "parallel", "load", "work", "end", "emit", "fs"] {
            assert!(l.contains(&want.to_string()), "{want} missing from {l:?}");
        }
    }

    #[test]
    fn nothing_in_comments_or_plain_strings() {
        assert!(labels("// node$0").is_empty());
        assert!(labels("let s = \"no$0de\";").is_empty());
    }

    #[test]
    fn snapshot_of_constructor_items() {
        let (a, offset) = at_cursor("$0");
        let items: Vec<_> = complete(&a, offset)
            .into_iter()
            .filter(|c| c.kind == CompletionKind::Constructor)
            .collect();
        insta::assert_yaml_snapshot!(items);
    }
}

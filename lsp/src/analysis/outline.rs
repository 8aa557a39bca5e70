//! The script's outline, read from tokens: constructor calls and the variables bound to them,
//! their option maps, script functions, and the `shared` keys used anywhere.
//!
//! It is lexical on purpose: it works on text that does not parse (while a line is being typed),
//! and its ranges are exact. The recorded [`flowscript_runtime::FlowGraph`] stays the truth about
//! the graph; calls are linked to its nodes by the constructor's position.

use std::collections::BTreeMap;

use flowscript_runtime::graph::NodeKind;

use super::document::{Document, TextRange};
use super::lexer::TokenKind;

/// Every constructor, in documentation order.
pub const CONSTRUCTORS: [NodeKind; 7] = NodeKind::ALL;

/// The node kind a constructor name makes.
pub fn kind_of(name: &str) -> Option<NodeKind> {
    CONSTRUCTORS.into_iter().find(|k| k.constructor() == name)
}

/// One `key: value` entry of a map literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapEntry {
    /// The key.
    pub key: String,
    /// Where the key is written.
    pub key_range: TextRange,
    /// The value's tokens (half-open token indices).
    pub value: (usize, usize),
}

/// A map literal `#{ … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MapLit {
    /// From `#{` to `}` (or the end of the text if unclosed).
    pub range: TextRange,
    /// Its entries in order.
    pub entries: Vec<MapEntry>,
}

impl MapLit {
    /// The entry for `key`.
    pub fn entry(&self, key: &str) -> Option<&MapEntry> {
        self.entries.iter().find(|e| e.key == key)
    }
}

/// A constructor call such as `let load = node("load", #{ … })`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CtorCall {
    /// Which constructor.
    pub kind: NodeKind,
    /// The constructor's name where it is written (Rhai's call position).
    pub ctor_range: TextRange,
    /// The whole call, constructor to closing parenthesis.
    pub call_range: TextRange,
    /// The node's name, when the first argument is a string literal.
    pub name: Option<String>,
    /// The variable it is bound to: `let var = …` or `const var = …`.
    pub var: Option<String>,
    /// Where that variable is declared.
    pub var_range: Option<TextRange>,
    /// The option map, when given as a literal.
    pub options: Option<MapLit>,
}

/// A script function `fn name(params) { … }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnDecl {
    /// Its name.
    pub name: String,
    /// Where the name is written.
    pub name_range: TextRange,
    /// Parameter names.
    pub params: Vec<String>,
    /// Doc comment lines (`///`) right above it, without the leader.
    pub doc: Vec<String>,
    /// The body's tokens, braces excluded (half-open token indices).
    pub body: (usize, usize),
    /// From `fn` to the closing brace.
    pub range: TextRange,
}

/// What the tokens say about the script.
#[derive(Debug, Clone, Default)]
pub struct Outline {
    /// Constructor calls in text order.
    pub calls: Vec<CtorCall>,
    /// Script functions in text order.
    pub fns: Vec<FnDecl>,
    /// Keys read or written through `shared` anywhere, with where each is written.
    pub shared_keys: BTreeMap<String, Vec<TextRange>>,
}

impl Outline {
    /// Read the outline of a document.
    pub fn new(doc: &Document) -> Self {
        let mut out = Outline::default();
        let text = doc.text();
        let tokens = doc.tokens();
        for (i, t) in tokens.iter().enumerate() {
            if t.kind != TokenKind::Ident {
                continue;
            }
            let word = t.text(text);
            let next = doc.next_code(i);
            if let Some(kind) = kind_of(word) {
                if let Some((p, _)) = next.filter(|(_, n)| n.is_punct(text, "(")) {
                    out.calls.push(ctor_call(doc, i, kind, p));
                }
            } else if word == "fn" {
                if let Some(f) = fn_decl(doc, i) {
                    out.fns.push(f);
                }
            } else if word == "shared" {
                if let Some((key, range)) = shared_key(doc, i) {
                    out.shared_keys.entry(key).or_default().push(range);
                }
            }
        }
        out
    }

    /// The call bound to variable `var` (the last binding wins, as in the script).
    pub fn binding(&self, var: &str) -> Option<&CtorCall> {
        self.calls
            .iter()
            .rev()
            .find(|c| c.var.as_deref() == Some(var))
    }

    /// The script function named `name`.
    pub fn function(&self, name: &str) -> Option<&FnDecl> {
        self.fns.iter().find(|f| f.name == name)
    }

    /// The string actions a node's `post` hook returns, as literals in the source.
    pub fn post_actions(&self, doc: &Document, call: &CtorCall) -> Vec<String> {
        let Some(entry) = call.options.as_ref().and_then(|m| m.entry("post")) else {
            return Vec::new();
        };
        let text = doc.text();
        let code: Vec<_> = doc.code_in(entry.value).collect();
        // `post: Fn("name")`: the actions of that function's body.
        if let [(_, f), (_, open), (_, name), ..] = code.as_slice() {
            if f.is_ident(text, "Fn") && open.is_punct(text, "(") {
                return match name.str_value(text).and_then(|n| self.function(n)) {
                    Some(decl) => string_returns(doc, decl.body),
                    None => Vec::new(),
                };
            }
        }
        string_returns(doc, entry.value)
    }
}

fn ctor_call(doc: &Document, at: usize, kind: NodeKind, open: usize) -> CtorCall {
    let text = doc.text();
    let tokens = doc.tokens();
    let args = doc.split_group(open);
    let single = |k: usize| {
        args.get(k).and_then(|&r| {
            let mut code = doc.code_in(r);
            let first = code.next();
            first.filter(|_| code.next().is_none())
        })
    };
    let name = single(0).and_then(|(_, t)| t.str_value(text).map(str::to_string));
    let options = args.get(kind.options_arg()).and_then(|&r| {
        let (m, t) = doc.code_in(r).next()?;
        (t.kind == TokenKind::MapOpen).then(|| map_lit(doc, m))
    });
    let end = doc.closer(open).map_or(text.len(), |c| tokens[c].range.end);
    // `let var =` or `const var =` right before the call.
    let mut var = None;
    let mut var_range = None;
    if let Some((e, eq)) = doc.prev_code(at) {
        if eq.is_punct(text, "=") {
            if let Some((v, name_tok)) = doc.prev_code(e) {
                let is_let = doc
                    .prev_code(v)
                    .is_some_and(|(_, k)| k.is_ident(text, "let") || k.is_ident(text, "const"));
                if name_tok.kind == TokenKind::Ident && is_let {
                    var = Some(name_tok.text(text).to_string());
                    var_range = Some(name_tok.range);
                }
            }
        }
    }
    CtorCall {
        kind,
        ctor_range: tokens[at].range,
        call_range: TextRange::new(tokens[at].range.start, end),
        name,
        var,
        var_range,
        options,
    }
}

/// Read the map literal opened at token `open`.
pub fn map_lit(doc: &Document, open: usize) -> MapLit {
    let text = doc.text();
    let tokens = doc.tokens();
    let end = doc.closer(open).map_or(text.len(), |c| tokens[c].range.end);
    let mut entries = Vec::new();
    for part in doc.split_group(open) {
        let mut code = doc.code_in(part);
        let (Some((_, key)), Some((colon, sep))) = (code.next(), code.next()) else {
            continue;
        };
        if !sep.is_punct(text, ":") {
            continue;
        }
        let name = match key.kind {
            TokenKind::Ident => key.text(text),
            TokenKind::Str => key.str_value(text).unwrap_or(""),
            _ => continue,
        };
        entries.push(MapEntry {
            key: name.to_string(),
            key_range: key.range,
            value: (colon + 1, part.1),
        });
    }
    MapLit {
        range: TextRange::new(tokens[open].range.start, end),
        entries,
    }
}

fn fn_decl(doc: &Document, at: usize) -> Option<FnDecl> {
    let text = doc.text();
    let tokens = doc.tokens();
    let (n, name) = doc.next_code(at)?;
    if name.kind != TokenKind::Ident {
        return None;
    }
    let (p, open) = doc.next_code(n)?;
    if !open.is_punct(text, "(") {
        return None;
    }
    let params = doc
        .split_group(p)
        .into_iter()
        .filter_map(|r| doc.code_in(r).next().map(|(_, t)| t.text(text).to_string()))
        .collect();
    let close = doc.closer(p)?;
    let (b, brace) = doc.next_code(close)?;
    let (body, end) = if brace.is_punct(text, "{") {
        let c = doc.group_end(b);
        let end = tokens.get(c).map_or(text.len(), |t| t.range.end);
        ((b + 1, c), end)
    } else {
        ((close + 1, close + 1), tokens[close].range.end)
    };
    // Doc comments: `///` lines directly above `fn` (or `private fn`).
    let mut first = at;
    if let Some((k, t)) = doc.prev_code(at) {
        if t.is_ident(text, "private") {
            first = k;
        }
    }
    let mut doc_lines = Vec::new();
    let mut k = first;
    while k > 0 && tokens[k - 1].kind == TokenKind::Comment {
        let c = tokens[k - 1].text(text);
        match c.strip_prefix("///") {
            Some(line) if !c.starts_with("////") => doc_lines.push(line.trim().to_string()),
            _ => break,
        }
        k -= 1;
    }
    doc_lines.reverse();
    Some(FnDecl {
        name: name.text(text).to_string(),
        name_range: name.range,
        params,
        doc: doc_lines,
        body,
        range: TextRange::new(tokens[first].range.start, end),
    })
}

/// The key in `shared.k`, `shared["k"]`, `shared.push("k", …)` or `shared.update("k", …)`,
/// and where it is written.
fn shared_key(doc: &Document, at: usize) -> Option<(String, TextRange)> {
    let text = doc.text();
    let (d, dot) = doc.next_code(at)?;
    if dot.is_punct(text, "[") {
        let (_, key) = doc.next_code(d)?;
        return key.str_value(text).map(|k| (k.to_string(), key.range));
    }
    if !dot.is_punct(text, ".") {
        return None;
    }
    let (k, key) = doc.next_code(d)?;
    if key.kind != TokenKind::Ident {
        return None;
    }
    let name = key.text(text);
    match doc.next_code(k) {
        Some((p, open)) if open.is_punct(text, "(") => {
            if matches!(name, "push" | "update") {
                let (_, arg) = doc.next_code(p)?;
                arg.str_value(text).map(|k| (k.to_string(), arg.range))
            } else {
                None
            }
        }
        // `shared.` followed by a module path on the next line while typing.
        Some((_, path)) if path.is_punct(text, "::") => None,
        _ => Some((name.to_string(), key.range)),
    }
}

/// String literals in return position within a token range: the last expression of a block,
/// `return "x"`, or a closure's whole body.
pub fn string_returns(doc: &Document, range: (usize, usize)) -> Vec<String> {
    let text = doc.text();
    let code: Vec<_> = doc.code_in(range).collect();
    let mut out: Vec<String> = Vec::new();
    for (k, (_, t)) in code.iter().enumerate() {
        let Some(value) = t.str_value(text) else {
            continue;
        };
        let prev = k.checked_sub(1).map(|p| code[p].1.text(text));
        let next = code.get(k + 1).map(|(_, n)| n.text(text));
        let returned = matches!(
            (prev, next),
            (Some("return"), _)
                | (Some("{" | ";" | "}"), None | Some("}"))
                | (Some("|" | "=>"), None | Some("}" | "," | ";"))
        );
        if returned && !value.contains('\\') && !out.iter().any(|o| o == value) {
            out.push(value.to_string());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_bindings_maps_functions_and_keys() {
        let src = r#"
/// Decide where to go.
fn decide(shared, p, e) { if e { return "yes"; } "no" }
let a = node("a", #{ retries: 2, post: |shared, p, e| { shared.x = 1; "done" } });
let b = batch("b", #{ post: Fn("decide"), prep: |shared| shared["items"] });
shared.push("log", 1);
flow("main", a)
"#;
        let doc = Document::new(src);
        let o = Outline::new(&doc);
        assert_eq!(o.calls.len(), 3);
        let a = o.binding("a").expect("a");
        assert_eq!(a.name.as_deref(), Some("a"));
        let keys: Vec<_> = a.options.as_ref().map_or(vec![], |m| {
            m.entries.iter().map(|e| e.key.clone()).collect()
        });
        assert_eq!(keys, ["retries", "post"]);
        assert_eq!(o.post_actions(&doc, a), ["done"]);
        let b = o.binding("b").expect("b");
        assert_eq!(o.post_actions(&doc, b), ["yes", "no"]);
        assert_eq!(o.fns[0].doc, ["Decide where to go."]);
        assert_eq!(o.fns[0].params, ["shared", "p", "e"]);
        let keys: Vec<_> = o.shared_keys.keys().cloned().collect();
        assert_eq!(keys, ["items", "log", "x"]);
        assert!(o.calls[2].var.is_none());
    }
}

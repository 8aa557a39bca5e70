//! Static facts about a script's functions, as plain data: what each function can return,
//! which keys it reads from its parameters, which keys any code writes, and where each
//! constructor's option keys and each transition are written.
//!
//! The script layer reads them from the AST without running it (`ScriptFacts::collect`); the
//! validator and the language server use them for the rules the recorded graph alone cannot
//! decide (`dead-edge`, `unmatched-action`, `not-an-array`, `unwritten-key`) and to point
//! option diagnostics at the key itself. A value counts as known only when it is a literal at a
//! return point; everything else is [`Returned::Unknown`].

use std::collections::{HashMap, HashSet};

use crate::span::{Source, Span};

/// One value a function can return, as far as the syntax shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Returned {
    /// A string literal (an action, for a post hook).
    Text(String, Span),
    /// `()`, an empty body or a body ending in a statement: the default action.
    Unit(Span),
    /// An array literal.
    Array(Span),
    /// Another literal or a value of a known non-array, non-action type ("a map", "an integer").
    Other(&'static str, Span),
    /// Anything computed.
    Unknown,
}

/// A literal-key read of a parameter: `p.key` or `p["key"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    /// Index of the parameter read (closures' captured variables come first).
    pub param: usize,
    /// The key.
    pub key: String,
    /// Where the key is written in the source.
    pub span: Span,
    /// Whether the read has a fallback (`p.key ?? default`), so a missing key is expected.
    pub guarded: bool,
    /// Whether the key is a string index (`p["key"]`) rather than a property.
    pub indexed: bool,
}

/// What one script function (or closure) does, syntactically.
#[derive(Debug, Clone, Default)]
pub struct FnFacts {
    /// Number of parameters, captured variables included.
    pub params: usize,
    /// Every value the function can return, in source order.
    pub returns: Vec<Returned>,
    /// Literal-key reads of its parameters.
    pub reads: Vec<Read>,
}

impl FnFacts {
    /// Whether every return point is a literal.
    pub fn returns_are_literal(&self) -> bool {
        !self.returns.iter().any(|r| matches!(r, Returned::Unknown))
    }
}

/// An option key written in a constructor's literal option map.
#[derive(Debug, Clone, PartialEq)]
pub struct OptionKey {
    /// The key.
    pub key: String,
    /// Where the key is.
    pub key_span: Span,
    /// Where its value starts.
    pub value_span: Span,
}

/// Everything the script layer's fact walker (`ScriptFacts::collect`) learns about a script.
#[derive(Debug, Clone, Default)]
pub struct ScriptFacts {
    pub(crate) functions: HashMap<String, Vec<FnFacts>>,
    pub(crate) option_keys: HashMap<(usize, usize), Vec<OptionKey>>,
    /// Each transition expression's (`a >> b`, `a - "x" >> b`, `a.then(b)`, `a.on("x", b)`)
    /// whole range, by where its operator (or method name) is: what the recorder sees.
    pub(crate) transitions: HashMap<(usize, usize), Span>,
    /// Each transition's label literal, by the transition's whole range: what an edge's span is.
    pub(crate) labels: HashMap<(usize, usize, usize, usize), Span>,
    pub(crate) written: HashSet<String>,
}

impl ScriptFacts {
    /// The facts of function `name` called with `arity` arguments after any captured ones.
    pub fn function(&self, name: &str, arity: usize) -> Option<&FnFacts> {
        let overloads = self.functions.get(name)?;
        overloads
            .iter()
            .find(|f| f.params == arity)
            .or(match overloads.as_slice() {
                [only] if only.params >= arity => Some(only),
                _ => None,
            })
    }

    /// The option keys of the constructor call at `pos`, when its options are a map literal.
    pub fn option_keys(&self, pos: rhai::Position) -> &[OptionKey] {
        self.option_keys.get(&key(pos)).map_or(&[], Vec::as_slice)
    }

    /// The span of what a recorded position points at: the whole transition when a
    /// transition's operator (or method name) is there, where edges and their diagnostics are
    /// recorded; otherwise the token at `pos`.
    pub fn span_at(&self, source: &Source, pos: rhai::Position) -> Span {
        match self.transitions.get(&key(pos)) {
            Some(range) => range.clone(),
            None => source.token(pos),
        }
    }

    /// The label literal of the transition an edge was recorded from (`edge` is its span),
    /// when its action is written as one.
    pub fn label_of(&self, edge: &Span) -> Option<&Span> {
        let range = (edge.line, edge.column, edge.end_line, edge.end_column);
        self.labels.get(&range)
    }

    /// Whether any code writes `key` on any map-like value (`x.key = …`, `x["key"] op= …`,
    /// `x.push("key", …)`, `x.update("key", …)`).
    pub fn is_written(&self, key: &str) -> bool {
        self.written.contains(key)
    }

    /// Every key written anywhere, in no particular order.
    pub fn written_keys(&self) -> impl Iterator<Item = &str> {
        self.written.iter().map(String::as_str)
    }
}

/// How facts are looked up: by the line and column where Rhai reports a position.
pub(crate) fn key(pos: rhai::Position) -> (usize, usize) {
    (pos.line().unwrap_or(0), pos.position().unwrap_or(0))
}

//! The pure half of the language server: a document's text in, plain answers out.
//!
//! [`Analysis::new`] loads the script with the runtime ([`flowscript_runtime::Runtime::load`]:
//! compile, record-mode build and validation — no host effects, bounded in operations and time),
//! so the editor shows exactly what `flowscript check` reports, and reads the text's
//! [`Outline`](outline::Outline) for positions. Queries answer completion, hover, definition,
//! symbols, code actions and the graph.
//!
//! **Positions are byte offsets into the document's text** ([`TextRange`]); the server converts
//! them to and from the protocol's UTF-16 positions.

pub mod actions;
pub mod catalog;
pub mod completion;
pub mod definition;
pub mod diagnostics;
pub mod document;
pub mod graph;
pub mod hover;
pub mod kept;
/// The runtime's lexer: the language server reads the same tokens that spans are measured with.
pub use flowscript_runtime::span::lex as lexer;
pub mod outline;
pub mod symbols;

use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use flowscript_runtime::PrintTo;
use flowscript_runtime::RecordLimits;
use flowscript_runtime::graph::NodeId;
use flowscript_runtime::graph::facts::{Returned, ScriptFacts};
use flowscript_runtime::{Code, FlowGraph, LoadOptions, Runtime, RuntimeConfig};

pub use actions::Fix;
pub use catalog::Catalog;
pub use completion::{Completion, CompletionKind};
pub use diagnostics::{Diag, DiagSeverity};
pub use document::{Document, TextRange};
pub use hover::Hover;
pub use outline::Outline;
pub use symbols::{Symbol, SymbolKind};

/// Documents larger than this are not compiled or recorded (only a diagnostic says so).
pub const MAX_ANALYSED_BYTES: usize = 1 << 20;

/// Record-mode limits for the editor: tighter than a run's, so a hostile top level costs little.
pub const EDITOR_LIMITS: RecordLimits = RecordLimits {
    max_operations: 2_000_000,
    deadline: Duration::from_millis(750),
};

/// The runtime and the catalog, built once per process.
struct Shared {
    runtime: Runtime,
    catalog: Catalog,
}

fn shared() -> &'static Shared {
    static SHARED: OnceLock<Shared> = OnceLock::new();
    SHARED.get_or_init(|| {
        // Script output is discarded: an editor may not read the server's stderr, and a print
        // flood must not block it.
        let runtime = Runtime::with_config(RuntimeConfig {
            record: EDITOR_LIMITS,
            print: PrintTo::Discard,
            ..RuntimeConfig::default()
        });
        let catalog = Catalog::new(runtime.engine());
        Shared { runtime, catalog }
    })
}

/// Everything known about one version of a document.
#[derive(Debug, Clone)]
pub struct Analysis {
    file: String,
    doc: Document,
    outline: Outline,
    /// The recorded graph of this text, or the last good one while the text does not build.
    graph: Option<Arc<FlowGraph>>,
    /// Whether `graph` was recorded from this very text.
    graph_is_current: bool,
    /// What the script's functions return, from the same load as `graph`.
    facts: Option<Arc<ScriptFacts>>,
    diagnostics: Vec<Diag>,
    /// The graph and data-flow diagnostics of the last text that parsed, moved to this text:
    /// published beside the syntax error while the text does not parse.
    kept: Vec<Diag>,
    /// Whether the script was loaded (diagnostics are complete).
    loaded: bool,
}

impl Analysis {
    /// Analyse `text`, named `file` in diagnostics.
    pub fn new(file: &str, text: &str) -> Self {
        Self::with_previous(file, text, None)
    }

    /// Analyse `text`, keeping `previous`'s graph when this text does not build one (so hover
    /// and symbols still know the nodes while a line is broken).
    pub fn with_previous(file: &str, text: &str, previous: Option<&Analysis>) -> Self {
        let mut a = Self::quick(file, text, previous);
        if text.len() > MAX_ANALYSED_BYTES {
            a.diagnostics
                .push(diagnostics::too_large(text.len(), MAX_ANALYSED_BYTES));
            return a;
        }
        let (graph, facts, raw) = load(file, text);
        a.diagnostics = diagnostics::convert(&a.doc, &raw);
        let unparsed = graph.is_none() && raw.iter().any(|d| d.code == Code::Syntax);
        if unparsed {
            // Only the syntax error is this text's; what the last parsed text showed still
            // holds everywhere the edits did not touch.
            a.diagnostics.extend(a.kept.iter().cloned());
        } else {
            a.kept = a.diagnostics.clone();
        }
        if let Some(graph) = graph {
            a.graph = Some(Arc::new(graph));
            a.facts = facts;
            a.graph_is_current = true;
        }
        a.loaded = true;
        a
    }

    /// The cheap part only: tokens and outline of `text`, with `previous`'s graph and no
    /// diagnostics. Enough for completion right after an edit, before the full analysis.
    pub fn quick(file: &str, text: &str, previous: Option<&Analysis>) -> Self {
        let doc = if text.len() > MAX_ANALYSED_BYTES {
            Document::unlexed(text)
        } else {
            Document::new(text)
        };
        let outline = Outline::new(&doc);
        Self {
            file: file.to_string(),
            doc,
            outline,
            graph: previous.and_then(|p| p.graph.clone()),
            graph_is_current: false,
            facts: previous.and_then(|p| p.facts.clone()),
            diagnostics: Vec::new(),
            kept: previous.map_or_else(Vec::new, |p| kept::moved(&p.kept, p.doc.text(), text)),
            loaded: false,
        }
    }

    /// Whether this analysis loaded the script (else it is [`Analysis::quick`]).
    pub fn is_loaded(&self) -> bool {
        self.loaded
    }

    /// The file name given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// The document.
    pub fn document(&self) -> &Document {
        &self.doc
    }

    /// The outline read from the text.
    pub fn outline(&self) -> &Outline {
        &self.outline
    }

    /// The graph (this text's, or the last good one; see [`Analysis::graph_is_current`]).
    pub fn graph(&self) -> Option<&FlowGraph> {
        self.graph.as_deref()
    }

    /// Whether [`Analysis::graph`] was recorded from this text.
    pub fn graph_is_current(&self) -> bool {
        self.graph_is_current
    }

    /// The diagnostics of this text: syntax errors, load errors and every validation rule.
    pub fn diagnostics(&self) -> &[Diag] {
        &self.diagnostics
    }

    /// The catalog of documented functions.
    pub fn catalog(&self) -> &'static Catalog {
        &shared().catalog
    }

    /// The graph node made by a constructor call of the outline: by name and kind, and by
    /// position when names repeat.
    pub fn node_of(&self, call: &outline::CtorCall) -> Option<NodeId> {
        let graph = self.graph()?;
        let name = call.name.as_deref()?;
        let mut candidates = graph
            .nodes
            .iter()
            .filter(|n| n.name == name && n.kind == call.kind);
        let first = candidates.next()?;
        let (line, col) = self.doc.line_col(call.ctor_range.start);
        let at_call = |n: &&flowscript_runtime::graph::NodeSpec| {
            n.span.line == line + 1 && n.span.column == col + 1
        };
        if at_call(&first) {
            return Some(first.id);
        }
        Some(candidates.find(at_call).map_or(first.id, |n| n.id))
    }

    /// The actions a node's post returns: the string literals the runtime's script facts find
    /// at its return points (when a graph is known), then those the tokens show (which works
    /// while the text does not parse).
    pub fn post_actions(&self, call: &outline::CtorCall) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let hook = self
            .node_of(call)
            .and_then(|id| self.graph()?.nodes.get(id)?.post.clone());
        if let (Some(hook), Some(facts)) = (hook, &self.facts) {
            let f = hook.arity.and_then(|n| facts.function(&hook.function, n));
            for r in f.map_or(&[][..], |f| f.returns.as_slice()) {
                if let Returned::Text(s, _) = r {
                    if !s.is_empty() && !out.contains(s) {
                        out.push(s.clone());
                    }
                }
            }
        }
        for s in self.outline.post_actions(&self.doc, call) {
            if !out.contains(&s) {
                out.push(s);
            }
        }
        out
    }
}

/// What a load gives the analysis.
type LoadResult = (
    Option<FlowGraph>,
    Option<Arc<ScriptFacts>>,
    Vec<flowscript_runtime::Diagnostic>,
);

/// Load with the runtime, turning a panic into an internal-error diagnostic.
fn load(file: &str, text: &str) -> LoadResult {
    let runtime = &shared().runtime;
    // Imports resolve as in `check`: inside the file's own folder only (the buffer may differ
    // from the file on disk, but its folder is where its modules are).
    let opts = LoadOptions {
        module_root: module_root(file),
        ..LoadOptions::check_only()
    };
    match std::panic::catch_unwind(AssertUnwindSafe(|| runtime.load_with(file, text, &opts))) {
        Ok(loaded) => (loaded.graph, Some(loaded.facts), loaded.diagnostics),
        Err(_) => (
            None,
            None,
            vec![flowscript_runtime::Diagnostic::new(
                flowscript_runtime::Code::InternalError,
                flowscript_runtime::Span::at(&Arc::from(file), rhai::Position::NONE),
                "the analysis failed on this text (please report it)",
            )],
        ),
    }
}

/// The canonical folder of a document that is a file (absolute path); `None` otherwise.
fn module_root(file: &str) -> Option<std::path::PathBuf> {
    let path = std::path::Path::new(file);
    if !path.is_absolute() {
        return None;
    }
    std::fs::canonicalize(path.parent()?).ok()
}

#[cfg(test)]
pub(crate) mod test_support {
    //! Fixtures with a `$0` cursor marker.

    use super::Analysis;

    /// Analyse `fixture` with its `$0` marker removed; returns the analysis and the offset.
    pub fn at_cursor(fixture: &str) -> (Analysis, usize) {
        let offset = fixture.find("$0").expect("fixture has a $0 cursor");
        let text = fixture.replacen("$0", "", 1);
        (Analysis::new("test.flow.rhai", &text), offset)
    }
}

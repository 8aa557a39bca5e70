//! Loading a script: compile, record the graph, collect diagnostics, and make a [`Program`].

use std::collections::HashSet;
use std::path::Path;
use std::sync::Arc;

use rhai::{Engine, OptimizationLevel, Scope};

use crate::exec::Program;
use crate::graph::build::{self, RecordLimits};
use crate::graph::validate::validate;
use crate::graph::{Diagnostic, FlowGraph};
use crate::script::facts::ScriptFacts;
use crate::span::{SourceLines, Span};

/// The flowscript runtime: one configured engine shared by every load and run.
#[derive(Clone)]
pub struct Runtime {
    engine: Arc<Engine>,
    limits: RecordLimits,
}

impl Default for Runtime {
    fn default() -> Self {
        Self::new()
    }
}

/// Everything known about a script after loading it.
pub struct Loaded {
    /// The script's text.
    pub source: Arc<str>,
    /// The recorded graph, when the script parsed, ran its top level and named an entry.
    pub graph: Option<FlowGraph>,
    /// Errors and warnings, in the order found.
    pub diagnostics: Vec<Diagnostic>,
    /// The runnable program, when there is a graph and no error.
    pub program: Option<Program>,
    /// What the script's functions return, read and write (empty when it did not parse).
    pub facts: Arc<ScriptFacts>,
}

impl Loaded {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// What a load prepares besides the graph and its diagnostics.
#[derive(Debug, Clone)]
pub struct LoadOptions {
    /// Store keys runs start with (`--input`, `--set`): reading them is not an `unwritten-key`.
    pub known_keys: HashSet<String>,
    /// Whether to prepare the runnable [`Program`] (the hook library); `check`, `graph` and
    /// editors only need the graph and the diagnostics.
    pub runnable: bool,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            known_keys: HashSet::new(),
            runnable: true,
        }
    }
}

impl LoadOptions {
    /// Options for tools that never run the script: no [`Program`] is prepared.
    pub fn check_only() -> Self {
        Self {
            runnable: false,
            ..Self::default()
        }
    }
}

/// A script that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("cannot read {path}: {source}")]
pub struct ReadError {
    /// The path given.
    pub path: String,
    /// The I/O error.
    #[source]
    pub source: std::io::Error,
}

impl Runtime {
    /// A runtime with the standard engine and record-mode limits.
    pub fn new() -> Self {
        Self::with_limits(RecordLimits::default())
    }

    /// A runtime with custom record-mode limits.
    pub fn with_limits(limits: RecordLimits) -> Self {
        Self {
            engine: Arc::new(crate::script::engine::new_engine()),
            limits,
        }
    }

    /// The configured engine (for metadata and tools).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Read and load a script file.
    pub fn load_file(&self, path: &Path) -> Result<Loaded, ReadError> {
        self.load_file_with(path, &LoadOptions::default())
    }

    /// Read and load a script file with options.
    pub fn load_file_with(&self, path: &Path, opts: &LoadOptions) -> Result<Loaded, ReadError> {
        let source = std::fs::read_to_string(path).map_err(|source| ReadError {
            path: path.display().to_string(),
            source,
        })?;
        Ok(self.load_with(&path.display().to_string(), &source, opts))
    }

    /// Load a script's text; `file` names it in spans and messages.
    pub fn load(&self, file: &str, source: &str) -> Loaded {
        self.load_with(file, source, &LoadOptions::default())
    }

    /// Load a script's text with options.
    pub fn load_with(&self, file: &str, source: &str, opts: &LoadOptions) -> Loaded {
        let file: Arc<str> = file.into();
        let source: Arc<str> = source.into();
        // Compiled unoptimised so the facts see literal maps' keys where they are written; the
        // program runs the optimised copy.
        let raw = match self.engine.compile(&*source) {
            Ok(ast) => ast,
            Err(e) => {
                let mut span = Span::at(&file, e.position());
                span.widen_to_token(&SourceLines::new(&source));
                let d = Diagnostic::error("syntax", span, e.err_type().to_string());
                return Loaded {
                    source,
                    graph: None,
                    diagnostics: vec![d],
                    program: None,
                    facts: Arc::default(),
                };
            }
        };
        let facts = Arc::new(ScriptFacts::collect(&raw, &file));
        let ast = Arc::new(
            self.engine
                .optimize_ast(&Scope::new(), raw, OptimizationLevel::Simple),
        );
        let engine = self.engine.clone();
        let eval_ast = ast.clone();
        let (recorder, value) = build::record(
            file.clone(),
            ast.clone(),
            facts.clone(),
            self.limits,
            move || engine.eval_ast_with_scope::<rhai::Dynamic>(&mut Scope::new(), &eval_ast),
        );
        let mut top_error = None;
        let value = match value {
            Ok(v) => Some(v),
            Err(e) => {
                let (message, pos) = crate::script::error::message_and_position(&e);
                top_error = Some(Diagnostic::error(
                    "script-error",
                    Span::at(&file, pos),
                    message,
                ));
                None
            }
        };
        let end = end_position(&source);
        let recorded = recorder.finish(value, end);
        let mut diagnostics = recorded.diagnostics;
        diagnostics.extend(top_error);
        let lines = SourceLines::new(&source);
        let mut graph = recorded.graph;
        if let Some(graph) = &mut graph {
            diagnostics.extend(validate(graph, &facts, &opts.known_keys));
            for edge in &mut graph.edges {
                widen(&mut edge.span, &facts, &lines);
            }
            for node in &mut graph.nodes {
                node.span.widen_to_token(&lines);
                for hook in [
                    &mut node.prep,
                    &mut node.exec,
                    &mut node.post,
                    &mut node.fallback,
                ]
                .into_iter()
                .flatten()
                {
                    hook.span.widen_to_token(&lines);
                }
            }
        }
        for d in &mut diagnostics {
            widen(&mut d.span, &facts, &lines);
            if let Some(fix) = &mut d.fix {
                fix.span.widen_to_token(&lines);
            }
        }
        // Top to bottom, like a reader (stable: one place's diagnostics keep their order).
        diagnostics.sort_by_key(|d| (d.span.line == 0, d.span.line, d.span.column));
        let has_errors = diagnostics.iter().any(Diagnostic::is_error);
        let program = match (&graph, has_errors) {
            (Some(graph), false) if opts.runnable => {
                let warnings = diagnostics.clone();
                Some(Program::new(
                    self.engine.clone(),
                    ast,
                    graph.clone(),
                    recorded.hooks,
                    warnings,
                ))
            }
            _ => None,
        };
        Loaded {
            source,
            graph,
            diagnostics,
            program,
            facts,
        }
    }
}

/// Give a point span its extent: a whole transition expression when it points at one's
/// operator, else the token there.
fn widen(span: &mut Span, facts: &ScriptFacts, source: &SourceLines) {
    if span.is_point()
        && let Some(t) = facts.transition(span.line, span.column)
    {
        *span = t.range.clone();
        span.widen_end_over_token(source);
    } else {
        span.widen_to_token(source);
    }
}

fn end_position(source: &str) -> rhai::Position {
    let lines = source.lines().count().max(1);
    let last = source.lines().last().map_or(0, |l| l.chars().count());
    rhai::Position::new(
        lines.min(u16::MAX as usize) as u16,
        (last + 1).min(u16::MAX as usize) as u16,
    )
}

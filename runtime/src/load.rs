//! Loading a script: compile, record the graph, collect diagnostics, and make a [`Program`].

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rhai::{AST, Engine, OptimizationLevel, Scope};

use crate::diagnostic::{Code, Diagnostic};
use crate::exec::Program;
use crate::graph::FlowGraph;
use crate::graph::facts::ScriptFacts;
use crate::graph::validate::validate;
use crate::host::Grant;
use crate::host::ImportPolicy;
use crate::limits::Limits;
use crate::script::engine::{EngineKind, PrintTo, new_engine};
use crate::script::record::{self, RecordLimits};
use crate::span::Source;

/// The flowscript runtime: the engines shared by every load and run (one records graphs, one
/// runs hooks; see [`EngineKind`]).
#[derive(Clone)]
pub struct Runtime {
    engine: Arc<Engine>,
    /// Built on the first load that prepares a program (`check`, `graph` and editors never do).
    run_engine: Arc<OnceLock<Arc<Engine>>>,
    config: RuntimeConfig,
}

/// How a [`Runtime`] is set up: its resource bounds, record-mode limits and where scripts'
/// `print` goes.
#[derive(Debug, Clone, Copy, Default)]
pub struct RuntimeConfig {
    /// Value sizes, depth, modules, reads and HTTP time ([`crate::limits::TABLE`]).
    pub limits: Limits,
    /// Operations and wall time of the top level while the graph is recorded.
    pub record: RecordLimits,
    /// Where `print` and `debug` output goes.
    pub print: PrintTo,
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
    /// Runs start with whatever store their callers send (`flowscript serve`): any key may be
    /// given, so `unwritten-key` is not reported.
    pub any_input: bool,
    /// Whether to prepare the runnable [`Program`] (the hook library); `check`, `graph` and
    /// editors only need the graph and the diagnostics.
    pub runnable: bool,
    /// The script's canonical folder: modules below it import without a grant. Set from the
    /// path by [`Runtime::load_file_with`]; `None` for text that is not a file.
    pub module_root: Option<PathBuf>,
    /// The read grant of the run this load is for (modules outside the folder need it);
    /// denied for tools that never run the script.
    pub read: Grant,
}

impl Default for LoadOptions {
    fn default() -> Self {
        Self {
            known_keys: HashSet::new(),
            any_input: false,
            runnable: true,
            module_root: None,
            read: Grant::Denied,
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
    /// A runtime with the standard engine and the default limits.
    pub fn new() -> Self {
        Self::with_config(RuntimeConfig::default())
    }

    /// A runtime with custom record-mode limits (and the default value limits).
    pub fn with_limits(record: RecordLimits) -> Self {
        Self::with_config(RuntimeConfig {
            record,
            ..RuntimeConfig::default()
        })
    }

    /// A runtime set up by `config`.
    pub fn with_config(config: RuntimeConfig) -> Self {
        Self {
            engine: Arc::new(new_engine(&config.limits, config.print, EngineKind::Record)),
            run_engine: Arc::default(),
            config,
        }
    }

    /// The runtime's resource bounds.
    pub fn limits(&self) -> &Limits {
        &self.config.limits
    }

    /// The record-mode engine (for metadata and tools).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine hooks run on.
    fn run_engine(&self) -> Arc<Engine> {
        self.run_engine
            .get_or_init(|| {
                let c = &self.config;
                Arc::new(new_engine(&c.limits, c.print, EngineKind::Run))
            })
            .clone()
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
        let mut opts = opts.clone();
        if opts.module_root.is_none() {
            opts.module_root = ImportPolicy::for_script(path, Grant::Denied).root;
        }
        Ok(self.load_with(&path.display().to_string(), &source, &opts))
    }

    /// Load a script's text; `file` names it in spans and messages.
    pub fn load(&self, file: &str, source: &str) -> Loaded {
        self.load_with(file, source, &LoadOptions::default())
    }

    /// Load a script's text with options.
    pub fn load_with(&self, file: &str, source: &str, opts: &LoadOptions) -> Loaded {
        let file: Arc<str> = file.into();
        let text: Arc<str> = source.into();
        let source = Arc::new(Source::new(file.clone(), text.clone()));
        // Compiled unoptimised so the facts see literal maps' keys where they are written; the
        // program runs the optimised copy.
        let raw = match self.engine.compile(&*text) {
            Ok(ast) => ast,
            Err(e) => {
                let d = crate::script::syntax::diagnostic(&source, &e);
                return Loaded {
                    source: text,
                    graph: None,
                    diagnostics: vec![d],
                    program: None,
                    facts: Arc::default(),
                };
            }
        };
        let facts = Arc::new(ScriptFacts::collect(&raw, &source));
        let ast = Arc::new(
            self.engine
                .optimize_ast(&Scope::new(), raw, OptimizationLevel::Simple),
        );
        let imports = Arc::new(ImportPolicy {
            root: opts.module_root.clone(),
            read: opts.read.clone(),
        });
        // The top level runs on a stack of its own: whatever thread loads the script, values it
        // builds cannot overflow that thread's stack (see `co::stack_pool`).
        let (recorded, top_error) = crate::co::on_own_stack(|| {
            let (recorder, value) = record::record(
                source.clone(),
                ast.clone(),
                facts.clone(),
                (self.config.record, imports.clone()),
                || {
                    self.engine
                        .eval_ast_with_scope::<rhai::Dynamic>(&mut Scope::new(), &ast)
                },
            );
            let mut top_error = None;
            let value = match value {
                Ok(v) => Some(v),
                Err(e) => {
                    let (message, _) =
                        crate::script::error::message_and_position(&e, &self.config.limits);
                    let root = opts.module_root.as_deref();
                    let (pos, module) = crate::script::error::locate(&e, root);
                    let message = module.unwrap_or_default() + message.as_str();
                    top_error = Some(Diagnostic::new(
                        Code::ScriptError,
                        facts.span_at(&source, pos),
                        message,
                    ));
                    None
                }
            };
            (
                recorder.finish(value, entry_position(&ast, &text)),
                top_error,
            )
        });
        let mut diagnostics = recorded.diagnostics;
        diagnostics.extend(top_error);
        let mut graph = recorded.graph;
        if let Some(graph) = &mut graph {
            let found = validate(graph, &facts, &opts.known_keys, &recorded.replaced_targets);
            // An error's node (a bad label, a bad option) often looks unused as a result: the
            // error is the one to fix first.
            let errors = diagnostics.iter().any(Diagnostic::is_error);
            let dropped = |d: &Diagnostic| {
                (opts.any_input && d.code == "unwritten-key") || (errors && d.code == "unused-node")
            };
            diagnostics.extend(found.into_iter().filter(|d| !dropped(d)));
        }
        // Top to bottom, like a reader (stable: one place's diagnostics keep their order).
        diagnostics.sort_by_key(|d| (d.span.line == 0, d.span.line, d.span.column));
        let has_errors = diagnostics.iter().any(Diagnostic::is_error);
        let program = match (&graph, has_errors) {
            (Some(graph), false) if opts.runnable => {
                let warnings = diagnostics.clone();
                Some(Program::new(
                    self.run_engine(),
                    ast,
                    graph.clone(),
                    recorded.hooks,
                    warnings,
                    self.config.limits,
                    opts.module_root.clone(),
                ))
            }
            _ => None,
        };
        Loaded {
            source: text,
            graph,
            diagnostics,
            program,
            facts,
        }
    }
}

/// Where the entry should be: the script's last statement, or the end of an empty script.
fn entry_position(ast: &AST, source: &str) -> rhai::Position {
    ast.statements()
        .last()
        .map(|s| s.position())
        .filter(|p| !p.is_none())
        .unwrap_or_else(|| end_position(source))
}

fn end_position(source: &str) -> rhai::Position {
    let lines = source.lines().count().max(1);
    let last = source.lines().last().map_or(0, |l| l.chars().count());
    rhai::Position::new(
        lines.min(u16::MAX as usize) as u16,
        (last + 1).min(u16::MAX as usize) as u16,
    )
}

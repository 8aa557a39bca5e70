//! Executing a loaded flow on tokio with PocketFlow's semantics.
//!
//! The walk itself is synchronous code running in a coroutine ([`crate::co`]): a sequential flow
//! visits node after node on one stack without spawning, and only suspends when a hook waits on
//! I/O. Parallel kinds spawn one task and coroutine per item ([`fanout`]).

mod branches;
mod crumb;
mod failure;
mod fanout;
mod flow;
mod hook;
mod items;
mod node;
mod retry;

use std::sync::Arc;

use rhai::{AST, Engine, Map};
use tokio_util::sync::CancellationToken;

use crate::diagnostic::Diagnostic;
use crate::events::{Emitter, EventKind, EventSink};
use crate::graph::{FlowGraph, NodeId, Target};
use crate::limits::Limits;
use crate::script::record::NodeHooks;
use crate::span::Span;
use crate::value::from_json_map;
use crate::value::store::Store;

use crumb::Crumb;
pub(crate) use failure::Failure;

/// A loaded program: the graph, its callable hooks and the engine, ready to run any number of
/// times (concurrently too).
#[derive(Clone)]
pub struct Program {
    inner: Arc<Compiled>,
}

pub(crate) struct Compiled {
    pub engine: Arc<Engine>,
    /// The library hooks are called against: the script's functions, on grain where lowered.
    pub ast: Arc<AST>,
    pub file: Arc<str>,
    pub graph: FlowGraph,
    pub hooks: Vec<NodeHooks>,
    /// Successors per node: (normalised action, target), for O(out-degree) routing.
    pub routes: Vec<Vec<(String, Target)>>,
    /// Each flow's own `params` option as a Rhai map.
    pub params: Vec<Arc<Map>>,
    /// Warnings found while building, emitted at the start of every run.
    pub warnings: Vec<Diagnostic>,
    /// The bounds of the runtime that loaded it.
    pub limits: Limits,
    /// The script's canonical folder, for `import` in hooks.
    pub module_root: Option<std::path::PathBuf>,
}

/// What a run starts with and where its events go.
#[derive(Default)]
pub struct RunOptions {
    /// The initial shared store.
    pub input: serde_json::Map<String, serde_json::Value>,
    /// Where events go; `None` skips building them.
    pub sink: Option<Arc<dyn EventSink>>,
    /// Cancels the run: in-flight waits fail at once and scripts stop at their next check.
    pub cancel: CancellationToken,
    /// Effects the run may perform (none by default).
    pub permissions: crate::host::Permissions,
    /// Who answers `input()` (none by default: `input()` fails saying so).
    pub human: Option<Arc<dyn crate::host::HumanInput>>,
}

/// Why a run failed.
#[derive(Debug, Clone, PartialEq)]
pub struct RunError {
    /// The error message (a thrown value as text).
    pub message: String,
    /// The failing node's breadcrumb.
    pub path: Option<String>,
    /// Where in the script.
    pub span: Option<Span>,
    /// Whether the run was cancelled.
    pub cancelled: bool,
}

impl std::fmt::Display for RunError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        if let Some(path) = &self.path {
            write!(f, " (in {path})")?;
        }
        Ok(())
    }
}

impl std::error::Error for RunError {}

/// How a run ended, with the store as it stood.
#[derive(Debug, Clone)]
pub struct RunOutcome {
    /// The entry flow's last action, or why the run failed.
    pub result: Result<String, RunError>,
    /// The final shared store.
    pub shared: serde_json::Value,
}

pub(crate) struct RunCx {
    pub prog: Arc<Compiled>,
    pub store: Store,
    pub events: Emitter,
    pub cancel: CancellationToken,
}

impl Program {
    pub(crate) fn new(
        engine: Arc<Engine>,
        ast: Arc<AST>,
        graph: FlowGraph,
        hooks: Vec<NodeHooks>,
        warnings: Vec<Diagnostic>,
        limits: Limits,
        module_root: Option<std::path::PathBuf>,
    ) -> Self {
        let mut routes = vec![Vec::new(); graph.nodes.len()];
        for e in &graph.edges {
            routes[e.from].push((e.action.clone(), e.to));
        }
        let params = graph
            .nodes
            .iter()
            .map(|n| Arc::new(from_json_map(&n.options.params)))
            .collect();
        let file: Arc<str> = graph.file.as_str().into();
        let ast = Arc::new(crate::script::hook_lib::build(&engine, &ast));
        Self {
            inner: Arc::new(Compiled {
                engine,
                ast,
                file,
                graph,
                hooks,
                routes,
                params,
                warnings,
                limits,
                module_root,
            }),
        }
    }

    /// The recorded graph.
    pub fn graph(&self) -> &FlowGraph {
        &self.inner.graph
    }

    /// Run the entry flow once. Must be called within a tokio runtime; parallel items are
    /// spawned on it.
    pub async fn run(&self, opts: RunOptions) -> RunOutcome {
        let events = opts.sink.map_or_else(Emitter::disabled, Emitter::new);
        let store = Store::new(from_json_map(&opts.input), self.inner.limits.depth);
        let prog = self.inner.clone();
        for w in &prog.warnings {
            events.emit(EventKind::Warning {
                code: w.code,
                message: w.message.clone(),
                span: Some(w.span.clone()),
                path: None,
                repeat: false,
            });
        }
        let entry: NodeId = prog.graph.entry;
        let entry_name = prog.graph.nodes[entry].name.clone();
        events.emit(EventKind::RunStarted {
            flow: entry_name.clone(),
            file: prog.graph.file.clone(),
        });
        let cx = Arc::new(RunCx {
            prog,
            store: store.clone(),
            events: events.clone(),
            cancel: opts.cancel.clone(),
        });
        let imports = Arc::new(crate::host::ImportPolicy {
            root: cx.prog.module_root.clone(),
            read: opts.permissions.read.clone(),
        });
        let host: crate::co::Data = Arc::new(crate::host::HostContext {
            permissions: opts.permissions,
            events: events.clone(),
            limits: cx.prog.limits,
            imports,
            human: opts.human,
            questions: std::sync::atomic::AtomicU64::new(0),
        });
        let walk = crate::co::run(&opts.cancel, Some(host), move || {
            let root = Crumb::Root(&entry_name);
            node::run_node(&cx, entry, &Arc::new(Map::new()), &root)
        })
        .await;
        let result = match walk {
            Ok(Ok(action)) => Ok(action),
            Ok(Err(f)) => Err(RunError {
                cancelled: f.is_cancelled(),
                message: f.message,
                path: Some(f.path),
                span: f.span,
            }),
            Err(e) => Err(RunError {
                message: e.to_string(),
                path: None,
                span: None,
                cancelled: false,
            }),
        };
        let shared = store.to_json();
        match &result {
            Ok(action) => events.emit(EventKind::RunFinished {
                action: action.clone(),
                shared: shared.clone(),
            }),
            Err(e) => events.emit(EventKind::RunFailed {
                error: e.message.clone(),
                shared: shared.clone(),
                path: e.path.clone(),
                span: e.span.clone(),
            }),
        }
        RunOutcome { result, shared }
    }
}

//! Record mode: evaluate a script's top level into a [`FlowGraph`] without running any hook.
//!
//! The script API functions (`node`, `>>`, …) find the active [`Recorder`] through a
//! thread-local: recording is synchronous on one thread and never suspends. Problems with
//! options, labels and targets become diagnostics and recording goes on, so one pass reports
//! them all. Evaluation is bounded by an operation limit and a deadline.

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rhai::{AST, Dynamic, FnPtr, Map};

use super::options;
use crate::diagnostic::{Code, Diagnostic};
use crate::graph::facts::ScriptFacts;
use crate::graph::{
    DEFAULT_ACTION, Edge, FlowGraph, HookKind, HookSpec, NodeId, NodeKind, NodeSpec, Target,
};
use crate::host::ImportPolicy;
use crate::span::{Source, Span};

/// A hook ready to call: the function pointer and whether it takes `params`.
#[derive(Debug, Clone)]
pub(crate) struct Hook {
    /// The function (a closure's captures are curried in).
    pub ptr: FnPtr,
    /// Whether `params` is passed as the last argument.
    pub takes_params: bool,
}

/// The callable hooks of one node, parallel to [`NodeSpec`]'s hook specs.
#[derive(Debug, Clone, Default)]
pub(crate) struct NodeHooks {
    /// prep hook.
    pub prep: Option<Hook>,
    /// exec hook.
    pub exec: Option<Hook>,
    /// post hook.
    pub post: Option<Hook>,
    /// fallback hook.
    pub fallback: Option<Hook>,
}

impl NodeHooks {
    /// The hook of a kind.
    pub(crate) fn get(&self, kind: HookKind) -> Option<&Hook> {
        match kind {
            HookKind::Prep => self.prep.as_ref(),
            HookKind::Exec => self.exec.as_ref(),
            HookKind::Post => self.post.as_ref(),
            HookKind::Fallback => self.fallback.as_ref(),
        }
    }

    fn set(&mut self, kind: HookKind, hook: Hook) {
        let slot = match kind {
            HookKind::Prep => &mut self.prep,
            HookKind::Exec => &mut self.exec,
            HookKind::Post => &mut self.post,
            HookKind::Fallback => &mut self.fallback,
        };
        *slot = Some(hook);
    }
}

/// Limits of record mode.
#[derive(Debug, Clone, Copy)]
pub struct RecordLimits {
    /// Rhai operations allowed at top level.
    pub max_operations: u64,
    /// Wall time allowed at top level.
    pub deadline: Duration,
}

impl Default for RecordLimits {
    fn default() -> Self {
        Self {
            max_operations: 5_000_000,
            deadline: Duration::from_secs(2),
        }
    }
}

/// What recording produced: the graph (if an entry was found), callable hooks, diagnostics.
#[derive(Debug)]
pub(crate) struct Recorded {
    /// Nodes, edges and entry; `None` when the script did not end with a flow or node.
    pub graph: Option<FlowGraph>,
    /// Hooks by node id.
    pub hooks: Vec<NodeHooks>,
    /// Everything found while recording, in order.
    pub diagnostics: Vec<Diagnostic>,
    /// Nodes an overwritten edge led to (its `overwritten-edge` is the finding about them, so
    /// they are not also reported as unused).
    pub replaced_targets: Vec<NodeId>,
}

/// The state of one recording.
pub(crate) struct Recorder {
    /// The script's text: every span is made from it with its extent.
    source: Arc<Source>,
    /// Script functions by name: (parameter count, body position) per overload.
    functions: HashMap<String, Vec<(usize, rhai::Position)>>,
    nodes: Vec<NodeSpec>,
    hooks: Vec<NodeHooks>,
    edges: Vec<Edge>,
    edge_index: HashMap<(NodeId, String), usize>,
    diagnostics: Vec<Diagnostic>,
    replaced_targets: Vec<NodeId>,
    facts: Arc<ScriptFacts>,
    limits: RecordLimits,
    started: Instant,
    imports: Arc<ImportPolicy>,
}

thread_local! {
    static RECORDER: RefCell<Option<Recorder>> = const { RefCell::new(None) };
}

/// Run `f` on the active recorder; `None` when nothing is being recorded on this thread.
pub(crate) fn with_recorder<R>(f: impl FnOnce(&mut Recorder) -> R) -> Option<R> {
    RECORDER.with(|r| r.borrow_mut().as_mut().map(f))
}

/// Record mode's progress check: `Some(message)` stops evaluation.
pub(crate) fn record_progress(ops: u64) -> Option<String> {
    with_recorder(|r| {
        if ops > r.limits.max_operations {
            Some(format!(
                "the top level ran more than {} operations while building the graph; \
                 loops belong inside hooks",
                r.limits.max_operations
            ))
        } else if r.started.elapsed() > r.limits.deadline {
            Some(format!(
                "the top level ran longer than {:?} while building the graph; loops belong inside hooks",
                r.limits.deadline
            ))
        } else {
            None
        }
    })
    .flatten()
}

/// Evaluate `ast`'s top level with `eval` while recording; returns the recorded graph parts and
/// the evaluation's value or error.
pub(crate) fn record<E>(
    source: Arc<Source>,
    ast: Arc<AST>,
    facts: Arc<ScriptFacts>,
    (limits, imports): (RecordLimits, Arc<ImportPolicy>),
    eval: impl FnOnce() -> Result<Dynamic, E>,
) -> (Recorder, Result<Dynamic, E>) {
    let mut functions: HashMap<String, Vec<(usize, rhai::Position)>> = HashMap::new();
    for (_, _, name, params, def) in ast.shared_lib().iter_script_fn_info() {
        functions
            .entry(name.to_string())
            .or_default()
            .push((params, def.body.start_position()));
    }
    let recorder = Recorder {
        source,
        functions,
        nodes: Vec::new(),
        hooks: Vec::new(),
        edges: Vec::new(),
        edge_index: HashMap::new(),
        diagnostics: Vec::new(),
        replaced_targets: Vec::new(),
        facts,
        limits,
        started: Instant::now(),
        imports,
    };
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            RECORDER.with(|r| r.borrow_mut().take());
        }
    }
    RECORDER.with(|r| *r.borrow_mut() = Some(recorder));
    let reset = Reset;
    let result = crate::host::refusing_effects(refused_effect, eval);
    let recorder = RECORDER.with(|r| r.borrow_mut().take());
    drop(reset);
    // The recorder was installed above and only `record` removes it.
    let recorder = recorder.unwrap_or_else(|| unreachable!("recorder removed during recording"));
    (recorder, result)
}

/// A host function with an effect was called while the top level ran: report it (the host does
/// not perform it).
fn refused_effect(name: &str, pos: rhai::Position) {
    with_recorder(|r| {
        let d = Diagnostic::new(
            Code::EffectAtTopLevel,
            r.span(pos),
            format!("{name}() was called while the graph is being built; it was not performed"),
        )
        .with_help("host I/O belongs inside a hook (prep, exec, post or fallback)");
        r.diagnose(d);
    });
}

/// A node handle in scripts: what constructors return and transitions take.
#[derive(Debug, Clone)]
pub(crate) struct NodeRef {
    /// The node's id in the graph being recorded.
    pub id: NodeId,
    /// The node's name.
    pub name: rhai::ImmutableString,
}

/// The terminal `end`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct EndMarker;

impl Recorder {
    /// What `import` may load while this graph is recorded.
    pub(crate) fn imports(&self) -> Arc<ImportPolicy> {
        self.imports.clone()
    }

    /// The span of what is at `pos` in the recorded file: a whole transition at a
    /// transition's operator, else the token there.
    pub(crate) fn span(&self, pos: rhai::Position) -> Span {
        self.facts.span_at(&self.source, pos)
    }

    /// Record a diagnostic.
    pub(crate) fn diagnose(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    /// Record a node from a constructor call.
    pub(crate) fn add_node(
        &mut self,
        kind: NodeKind,
        name: &str,
        opts: &Map,
        start: Option<NodeId>,
        pos: rhai::Position,
    ) -> NodeRef {
        let span = self.span(pos);
        let keys = self.facts.option_keys(pos);
        let parsed = options::parse(kind, opts, &span, keys);
        self.diagnostics.extend(parsed.diagnostics);
        let id = self.nodes.len();
        let mut spec = NodeSpec {
            options: parsed.options,
            start,
            ..NodeSpec::new(id, name, kind, span.clone())
        };
        let mut hooks = NodeHooks::default();
        for (hook_kind, ptr) in parsed.hooks {
            match self.resolve_hook(kind, hook_kind, ptr, &span) {
                Ok((hook_spec, hook)) => {
                    match hook_kind {
                        HookKind::Prep => spec.prep = Some(hook_spec),
                        HookKind::Exec => spec.exec = Some(hook_spec),
                        HookKind::Post => spec.post = Some(hook_spec),
                        HookKind::Fallback => spec.fallback = Some(hook_spec),
                    }
                    hooks.set(hook_kind, hook);
                }
                Err(d) => self.diagnostics.push(*d),
            }
        }
        self.nodes.push(spec);
        self.hooks.push(hooks);
        NodeRef {
            id,
            name: name.into(),
        }
    }

    /// Check a hook's arity against its signatures and find where it is defined.
    fn resolve_hook(
        &self,
        node_kind: NodeKind,
        kind: HookKind,
        ptr: FnPtr,
        option_span: &Span,
    ) -> Result<(HookSpec, Hook), Box<Diagnostic>> {
        let name = ptr.fn_name().to_string();
        let curried = ptr.curry().len();
        let base = kind.base_arity();
        let defs: &[(usize, rhai::Position)] = self.functions.get(&name).map_or(&[], Vec::as_slice);
        if defs.is_empty() {
            // A native function: its arity is not known statically; call it without params.
            let spec = HookSpec {
                function: name,
                arity: None,
                takes_params: false,
                span: option_span.clone(),
            };
            return Ok((
                spec,
                Hook {
                    ptr,
                    takes_params: false,
                },
            ));
        }
        let declared = |params: usize| params.saturating_sub(curried);
        let pick = defs
            .iter()
            .find(|(p, _)| declared(*p) == base + 1)
            .or_else(|| defs.iter().find(|(p, _)| declared(*p) == base));
        match pick {
            Some(&(params, pos)) => {
                let takes_params = declared(params) == base + 1;
                let span = if pos.is_none() {
                    option_span.clone()
                } else {
                    self.span(pos)
                };
                Ok((
                    HookSpec {
                        function: name,
                        arity: Some(declared(params)),
                        takes_params,
                        span,
                    },
                    Hook { ptr, takes_params },
                ))
            }
            None => {
                let (params, pos) = defs[0];
                // Show the parameters, not the body.
                let span = if pos.is_none() {
                    option_span.clone()
                } else {
                    self.source.parameters(pos)
                };
                let what = if ptr.is_anonymous() {
                    "closure".to_string()
                } else {
                    format!("function `{name}`")
                };
                Err(Box::new(Diagnostic::new(
                    Code::BadArity,
                    span,
                    format!(
                        "the {} hook of this {}() takes {} parameter(s), but {} {} hook takes {} or {}",
                        kind.key(),
                        node_kind.constructor(),
                        declared(params),
                        if kind.key().starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" },
                        kind.key(),
                        base,
                        base + 1
                    ),
                )
                .with_help(format!("the {what} should be {}", kind.signature()))))
            }
        }
    }

    /// Record an edge, reporting an `overwritten-edge` warning if the action was wired before.
    pub(crate) fn add_edge(&mut self, from: NodeId, action: &str, to: Target, pos: rhai::Position) {
        let action = crate::graph::normalize_action(action).to_string();
        let span = self.span(pos);
        let edge = Edge {
            from,
            action: action.clone(),
            to,
            span: span.clone(),
        };
        match self.edge_index.get(&(from, action.clone())) {
            Some(&i) => {
                let old = &self.edges[i];
                let describe = |t: Target| match t {
                    Target::End => "end".to_string(),
                    Target::Node(n) => format!("'{}'", self.nodes[n].name),
                };
                let msg = format!(
                    "'{}' - \"{}\" was wired to {} at {} and is now wired to {}",
                    self.nodes[from].name,
                    action,
                    describe(old.to),
                    old.span,
                    describe(to)
                );
                let d = Diagnostic::new(Code::OverwrittenEdge, span, msg)
                    .with_help("the later edge wins; remove one of them");
                self.diagnostics.push(d);
                if let Target::Node(n) = old.to {
                    self.replaced_targets.push(n);
                }
                self.edges[i] = edge;
            }
            None => {
                self.edge_index.insert((from, action), self.edges.len());
                self.edges.push(edge);
            }
        }
    }

    /// Set the branches of a `branches` node.
    pub(crate) fn set_branches(&mut self, id: NodeId, branches: Vec<crate::graph::Branch>) {
        self.nodes[id].branches = branches;
    }

    /// The name of a node.
    pub(crate) fn node_name(&self, id: NodeId) -> &str {
        &self.nodes[id].name
    }

    /// Finish: turn the top level's value into the entry and assemble the graph.
    pub(crate) fn finish(mut self, value: Option<Dynamic>, end_pos: rhai::Position) -> Recorded {
        let entry = match value {
            Some(v) => match v.read_lock::<NodeRef>().map(|r| r.id) {
                Some(id) if self.nodes[id].kind.is_flow() => Some(id),
                Some(id) => {
                    let span = self.nodes[id].span.clone();
                    let main = self.nodes.len();
                    self.nodes.push(NodeSpec {
                        start: Some(id),
                        ..NodeSpec::new(main, "main", NodeKind::Flow, span)
                    });
                    self.hooks.push(NodeHooks::default());
                    Some(main)
                }
                None => {
                    let found = crate::value::describe(&v);
                    self.diagnostics.push(
                        Diagnostic::new(
                            Code::NoEntry,
                            self.span(end_pos),
                            format!("the script must end with its entry flow or node, but its last expression is {found}"),
                        )
                        .with_help("make the script's last statement its entry, e.g. `flow(\"main\", start)`"),
                    );
                    None
                }
            },
            None => None,
        };
        let graph = entry.map(|entry| FlowGraph {
            file: self.source.file().to_string(),
            nodes: self.nodes,
            edges: self.edges,
            entry,
        });
        Recorded {
            graph,
            hooks: self.hooks,
            diagnostics: self.diagnostics,
            replaced_targets: self.replaced_targets,
        }
    }
}

/// The action string for an edge label, if it is one.
pub(crate) fn label_of(value: &Dynamic) -> Option<String> {
    if value.is_unit() {
        Some(DEFAULT_ACTION.into())
    } else {
        value.clone().into_string().ok()
    }
}

//! The flow graph as plain data: node specs, edges and the entry, each with its source span.
//!
//! Record mode (`script::record`) produces a [`FlowGraph`]; the executor, `check`, `graph`
//! and the language server all read this one structure.

pub mod facts;
pub mod nesting;
pub mod options;
pub mod render;
pub mod validate;

#[cfg(test)]
mod testing;

use serde::{Deserialize, Serialize};

use crate::span::Span;

pub use options::{Backoff, NodeOptions, OnError};

/// Index of a node in [`FlowGraph::nodes`].
pub type NodeId = usize;

/// What a node is; flows are nodes too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// `node(name, opts)`: prep → exec → post once.
    Node,
    /// `batch(name, opts)`: exec once per item, in order.
    Batch,
    /// `parallel(name, opts)`: exec once per item, items gathered concurrently.
    Parallel,
    /// `flow(name, start[, opts])`: runs a sub-graph.
    Flow,
    /// `batch_flow(name, start, opts)`: one sub-run per param map, in order.
    BatchFlow,
    /// `parallel_flow(name, start, opts)`: one sub-run per param map, concurrently.
    ParallelFlow,
    /// `branches(name, #{a: x, b: y}[, opts])`: different sub-flows concurrently, joined.
    Branches,
}

impl NodeKind {
    /// Every kind, in documentation order.
    pub const ALL: [NodeKind; 7] = [
        Self::Node,
        Self::Batch,
        Self::Parallel,
        Self::Flow,
        Self::BatchFlow,
        Self::ParallelFlow,
        Self::Branches,
    ];

    /// The constructor's name in scripts.
    pub fn constructor(self) -> &'static str {
        match self {
            Self::Node => "node",
            Self::Batch => "batch",
            Self::Parallel => "parallel",
            Self::Flow => "flow",
            Self::BatchFlow => "batch_flow",
            Self::ParallelFlow => "parallel_flow",
            Self::Branches => "branches",
        }
    }

    /// Which argument of the constructor holds the option map: `node("n", #{…})` has it second,
    /// `flow("f", start, #{…})` third.
    pub fn options_arg(self) -> usize {
        match self {
            Self::Node | Self::Batch | Self::Parallel => 1,
            Self::Flow | Self::BatchFlow | Self::ParallelFlow | Self::Branches => 2,
        }
    }

    /// Whether this kind runs a sub-graph from a start node.
    pub fn is_flow(self) -> bool {
        matches!(self, Self::Flow | Self::BatchFlow | Self::ParallelFlow)
    }

    /// Whether prep returns a list of items (or param maps) run one by one or concurrently.
    pub fn is_batch(self) -> bool {
        matches!(
            self,
            Self::Batch | Self::Parallel | Self::BatchFlow | Self::ParallelFlow
        )
    }

    /// Whether items (or branches) run concurrently.
    pub fn is_parallel(self) -> bool {
        matches!(self, Self::Parallel | Self::ParallelFlow | Self::Branches)
    }
}

/// The hooks a node can have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HookKind {
    /// `prep(shared[, params])`.
    Prep,
    /// `exec(prep_res[, params])`.
    Exec,
    /// `post(shared, prep_res, exec_res[, params])`.
    Post,
    /// `fallback(prep_res, err[, params])`.
    Fallback,
}

impl HookKind {
    /// All hook kinds, in option-key order.
    pub const ALL: [HookKind; 4] = [Self::Prep, Self::Exec, Self::Post, Self::Fallback];

    /// The option key.
    pub fn key(self) -> &'static str {
        match self {
            Self::Prep => "prep",
            Self::Exec => "exec",
            Self::Post => "post",
            Self::Fallback => "fallback",
        }
    }

    /// Number of arguments without the optional trailing `params`.
    pub fn base_arity(self) -> usize {
        match self {
            Self::Prep | Self::Exec => 1,
            Self::Post => 3,
            Self::Fallback => 2,
        }
    }

    /// The signature as documented, for messages.
    pub fn signature(self) -> &'static str {
        match self {
            Self::Prep => "prep(shared[, params])",
            Self::Exec => "exec(prep_res[, params])",
            Self::Post => "post(shared, prep_res, exec_res[, params])",
            Self::Fallback => "fallback(prep_res, err[, params])",
        }
    }
}

/// A hook as data: which function it calls, how many parameters it takes, where it is defined.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HookSpec {
    /// The Rhai function name (`anon$…` for closures).
    pub function: String,
    /// Declared parameters, not counting captured variables; `None` for native functions.
    pub arity: Option<usize>,
    /// Whether the hook receives `params` as its last argument.
    pub takes_params: bool,
    /// Where the hook is defined (the closure or `fn`), or the option if unknown.
    pub span: Span,
}

/// A node (or flow) as recorded from a constructor call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeSpec {
    /// This node's index.
    pub id: NodeId,
    /// The name given to the constructor.
    pub name: String,
    /// Which constructor made it.
    pub kind: NodeKind,
    /// Checked options.
    pub options: NodeOptions,
    /// Hooks by kind (`None` = the hook does nothing and returns `()`).
    pub prep: Option<HookSpec>,
    /// The exec hook.
    pub exec: Option<HookSpec>,
    /// The post hook.
    pub post: Option<HookSpec>,
    /// The fallback hook.
    pub fallback: Option<HookSpec>,
    /// For flows: the start node of the sub-graph.
    pub start: Option<NodeId>,
    /// For `branches`: each branch's name and start node, in name order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub branches: Vec<Branch>,
    /// The constructor call.
    pub span: Span,
}

impl NodeSpec {
    /// A node with default options, no hooks, no sub-graph and no branches.
    pub fn new(id: NodeId, name: impl Into<String>, kind: NodeKind, span: Span) -> Self {
        Self {
            id,
            name: name.into(),
            kind,
            options: NodeOptions::default(),
            prep: None,
            exec: None,
            post: None,
            fallback: None,
            start: None,
            branches: Vec::new(),
            span,
        }
    }

    /// The hook of a kind, if set.
    pub fn hook(&self, kind: HookKind) -> Option<&HookSpec> {
        match kind {
            HookKind::Prep => self.prep.as_ref(),
            HookKind::Exec => self.exec.as_ref(),
            HookKind::Post => self.post.as_ref(),
            HookKind::Fallback => self.fallback.as_ref(),
        }
    }
}

/// One branch of a `branches` node: a name and the node or flow it starts at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Branch {
    /// The key in the branches map (and in post's result map).
    pub name: String,
    /// Where the branch's sub-run starts.
    pub start: NodeId,
}

/// Where an edge leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// Another node or flow.
    Node(NodeId),
    /// The terminal `end`: the flow ends quietly.
    End,
}

/// A transition: when `from`'s post returns `action`, go to `to`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// Source node.
    pub from: NodeId,
    /// Normalised action (`"default"` for `()`, `""` and `"default"`).
    pub action: String,
    /// Destination.
    pub to: Target,
    /// The transition expression (`>>`, `-`, `.then`, `.on`).
    pub span: Span,
}

/// The whole recorded graph of one script.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowGraph {
    /// The script's path.
    pub file: String,
    /// Every node and flow, by id.
    pub nodes: Vec<NodeSpec>,
    /// Every live edge (an overwritten edge is replaced, and reported).
    pub edges: Vec<Edge>,
    /// The entry flow (an implicit flow named `main` when the script ends with a node).
    pub entry: NodeId,
}

/// The action name meaning "the default edge".
pub const DEFAULT_ACTION: &str = "default";

impl FlowGraph {
    /// Edges leaving `node`, in definition order.
    pub fn edges_from(&self, node: NodeId) -> impl Iterator<Item = &Edge> {
        self.edges.iter().filter(move |e| e.from == node)
    }

    /// The successor of `node` for `action`, if wired.
    pub fn successor(&self, node: NodeId, action: &str) -> Option<Target> {
        self.edges
            .iter()
            .find(|e| e.from == node && e.action == action)
            .map(|e| e.to)
    }
}

/// Normalise an action name: `""` and `"default"` are the default edge.
pub fn normalize_action(action: &str) -> &str {
    if action.is_empty() {
        DEFAULT_ACTION
    } else {
        action
    }
}

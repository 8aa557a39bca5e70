//! The `graph` of `GET /flows/{name}`: every node under its id in the mermaid drawing (`n3`),
//! with, for each flow and `branches` node, the nodes its sub-runs can visit. That is what a
//! client needs to map an event's breadcrumb (`main/each[2]/load`) to the drawn node to colour:
//! the root is the entry, and each further name is looked up among the nodes the enclosing
//! flow (or branch) can reach. Ids come from the renderer ([`ids`]) and reachability from the
//! one the drawing's layout uses ([`Reach`]), so the map and the picture cannot disagree.

use flowscript_runtime::graph::nesting::{Reach, starts};
use flowscript_runtime::graph::render::ids;
use flowscript_runtime::graph::{FlowGraph, NodeKind};
use serde::Serialize;

/// The drawn graph's nodes, for following a run on the drawing.
#[derive(Clone, Serialize)]
pub struct NodeMap {
    /// The entry flow's id in the drawing (the root of every breadcrumb).
    pub entry: String,
    /// Every node and flow, in graph order.
    pub nodes: Vec<DrawnNode>,
}

/// One node as drawn.
#[derive(Clone, Serialize)]
pub struct DrawnNode {
    /// Its id in the mermaid drawing (`n3`).
    pub id: String,
    /// Its name (the breadcrumb segment of its visits).
    pub name: String,
    /// Its constructor's kind (`node`, `batch`, `flow`, …).
    pub kind: NodeKind,
    /// For a flow kind: the nodes its sub-run can visit, breadth-first from its start.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reach: Option<Vec<String>>,
    /// For `branches`: each branch (its name is a breadcrumb segment too) and what it reaches.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branches: Option<Vec<BranchReach>>,
}

/// One branch of a `branches` node.
#[derive(Clone, Serialize)]
pub struct BranchReach {
    /// The branch's name.
    pub name: String,
    /// The nodes its walk can visit, breadth-first from its start.
    pub reach: Vec<String>,
}

impl NodeMap {
    /// The map of `graph`.
    pub fn of(graph: &FlowGraph) -> Self {
        let reach = Reach::of(graph);
        let drawn = |found: Vec<usize>| found.into_iter().map(ids::node).collect::<Vec<_>>();
        let nodes = graph
            .nodes
            .iter()
            .enumerate()
            .map(|(index, node)| {
                let starts = starts(graph, node);
                let (reach, branches) = if node.kind.is_flow() {
                    let from = starts.into_iter().map(|(_, s)| s);
                    (Some(drawn(reach.from(from))), None)
                } else if node.kind == NodeKind::Branches {
                    let branches = starts
                        .into_iter()
                        .map(|(name, s)| BranchReach {
                            name: name.unwrap_or_default().to_string(),
                            reach: drawn(reach.from([s])),
                        })
                        .collect();
                    (None, Some(branches))
                } else {
                    (None, None)
                };
                DrawnNode {
                    // The renderer names nodes by their index in the graph.
                    id: ids::node(index),
                    name: node.name.clone(),
                    kind: node.kind,
                    reach,
                    branches,
                }
            })
            .collect();
        Self {
            entry: ids::node(graph.entry),
            nodes,
        }
    }
}

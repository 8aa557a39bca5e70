//! Drawing a [`FlowGraph`] for people and tools: `flowscript graph --format mermaid|dot|json`.
//!
//! Each renderer is a pure function from the graph to text:
//! - [`mermaid::render`]: a `flowchart TD` (renders in GitHub, VS Code and the editor preview);
//! - [`dot::render`]: a Graphviz `digraph` (`dot -Tsvg`);
//! - [`json`]: the [`FlowGraph`] itself, serialised (its serde shape is the documented model).
//!
//! Both drawings show the same picture:
//! - a node is a box, a `batch` a double-bordered box, a `parallel` a hexagon;
//! - every flow kind (`flow`, `batch_flow`, `parallel_flow`) and `branches` is a *container* (a
//!   mermaid subgraph, a Graphviz cluster) holding the nodes its sub-runs can reach, nested;
//!   its title names it and its kind, and each kind has its own border;
//! - inside every container a small filled circle marks where its sub-run starts (for
//!   `branches`, one edge per branch, labelled with the branch's name);
//! - the terminal `end` is a double circle inside the container whose flow it ends;
//! - edges carry their action, except the default one;
//! - the entry flow's title says `entry` and its border is thick.
//!
//! Which container draws a node is decided once, by [`Layout::of`]: a node reachable (following
//! edges) from the starts of several containers is drawn in the shallowest one, ties going to the
//! lower id, so output is deterministic. Node names are labels only (they need not be unique);
//! identifiers are built from indices: `n3` for node 3, `s3`/`e3` for container 3's start and end
//! markers, `e_top` for an `end` outside any container.
//!
//! The renderers never panic: indices out of range (a hand-made graph) are skipped, and deep
//! nesting is walked without recursion. Viewers have limits of their own: mermaid refuses to
//! render diagrams over 50 000 characters or 500 edges unless configured otherwise
//! (`maxTextSize`, `maxEdges`).

pub mod dot;
pub mod mermaid;

use std::collections::VecDeque;

use super::{FlowGraph, NodeId, NodeKind, NodeSpec, Target};

/// The graph as JSON: the serde form of [`FlowGraph`], pretty-printed.
pub fn json(graph: &FlowGraph) -> String {
    // Serialising plain data with string keys cannot fail; keep a fallback anyway.
    serde_json::to_string_pretty(graph).unwrap_or_else(|e| {
        serde_json::json!({ "error": format!("cannot serialise the graph: {e}") }).to_string()
    })
}

/// Whether a node of this kind is drawn as a container of other nodes.
pub fn is_container(kind: NodeKind) -> bool {
    kind.is_flow() || kind == NodeKind::Branches
}

/// Where a container's sub-runs start: `(branch name, start)` pairs, the name `None` for the
/// flow kinds. Starts out of range are left out; other kinds have none.
pub fn starts<'g>(graph: &'g FlowGraph, node: &'g NodeSpec) -> Vec<(Option<&'g str>, NodeId)> {
    let n = graph.nodes.len();
    if node.kind.is_flow() {
        node.start
            .filter(|&s| s < n)
            .map(|s| (None, s))
            .into_iter()
            .collect()
    } else if node.kind == NodeKind::Branches {
        node.branches
            .iter()
            .filter(|b| b.start < n)
            .map(|b| (Some(b.name.as_str()), b.start))
            .collect()
    } else {
        Vec::new()
    }
}

/// The label of an edge: its action, or `None` for the default edge (`"default"` or `""`).
pub fn edge_label(action: &str) -> Option<&str> {
    match super::normalize_action(action) {
        super::DEFAULT_ACTION => None,
        a => Some(a),
    }
}

/// The title of a node or container: its name, then its kind unless it is a plain node, and
/// `entry` for the entry flow, e.g. `main (flow, entry)`.
pub fn title(node: &NodeSpec, is_entry: bool) -> String {
    match (node.kind, is_entry) {
        (NodeKind::Node, false) => node.name.clone(),
        (NodeKind::Node, true) => format!("{} (entry)", node.name),
        (kind, false) => format!("{} ({})", node.name, kind.constructor()),
        (kind, true) => format!("{} ({}, entry)", node.name, kind.constructor()),
    }
}

/// What a sub-run can reach: the successors of every node along the graph's live edges.
/// The drawing's [`Layout`] and a client that maps a run's breadcrumbs to drawn nodes (`serve`)
/// ask the same question, so both ask it here.
#[derive(Debug, Clone)]
pub struct Reach {
    out: Vec<Vec<NodeId>>,
}

impl Reach {
    /// The successor lists of `graph` (edges out of range are left out).
    pub fn of(graph: &FlowGraph) -> Self {
        let n = graph.nodes.len();
        let mut out: Vec<Vec<NodeId>> = vec![Vec::new(); n];
        for e in &graph.edges {
            if let Target::Node(to) = e.to
                && e.from < n
                && to < n
            {
                out[e.from].push(to);
            }
        }
        Self { out }
    }

    /// The nodes reachable from `starts` (the starts included), breadth-first, each once.
    /// Starts out of range are skipped.
    pub fn from(&self, starts: impl IntoIterator<Item = NodeId>) -> Vec<NodeId> {
        let n = self.out.len();
        let mut seen = vec![false; n];
        let mut queue: VecDeque<NodeId> = VecDeque::new();
        let mut found = Vec::new();
        for s in starts {
            if s < n && !seen[s] {
                seen[s] = true;
                queue.push_back(s);
            }
        }
        while let Some(x) = queue.pop_front() {
            found.push(x);
            for &y in &self.out[x] {
                if !seen[y] {
                    seen[y] = true;
                    queue.push_back(y);
                }
            }
        }
        found
    }
}

/// Which container draws each node, and the resulting tree.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// For each node (by index), the container it is drawn in; `None` at the top level.
    pub parent: Vec<Option<NodeId>>,
    /// The nodes drawn at the top level, the entry first, then by id.
    pub roots: Vec<NodeId>,
    /// For each node, the nodes drawn directly inside it, by id (empty for non-containers).
    pub children: Vec<Vec<NodeId>>,
    /// The entry, when it is in range.
    pub entry: Option<NodeId>,
    /// Pre-order position of each node in the tree, and the end of its subtree (exclusive).
    span: Vec<(usize, usize)>,
}

impl Layout {
    /// Decide where every node of `graph` is drawn.
    ///
    /// Containers are filled breadth-first from the entry: each takes the not yet placed nodes
    /// reachable from its starts, and the containers among them are filled next. Containers not
    /// reached that way are then filled from the outermost (those no other container reaches)
    /// in id order, then any others in id order; what is left is drawn at the top level.
    pub fn of(graph: &FlowGraph) -> Self {
        let n = graph.nodes.len();
        let reach = Reach::of(graph);
        let members = |c: NodeId| -> Vec<NodeId> {
            reach.from(starts(graph, &graph.nodes[c]).into_iter().map(|(_, s)| s))
        };
        let container = |id: NodeId| is_container(graph.nodes[id].kind);

        let mut placed = vec![false; n];
        let mut parent = vec![None; n];
        let mut children: Vec<Vec<NodeId>> = vec![Vec::new(); n];
        let mut roots = Vec::new();
        let mut fill = |root: NodeId, placed: &mut Vec<bool>, roots: &mut Vec<NodeId>| {
            if placed[root] {
                return;
            }
            placed[root] = true;
            roots.push(root);
            // Level by level, each level's containers by id: shallowest first, ties to the lower id.
            let mut level = vec![root];
            while !level.is_empty() {
                let mut next = Vec::new();
                for c in level.into_iter().filter(|&c| container(c)) {
                    for m in members(c) {
                        if !placed[m] {
                            placed[m] = true;
                            parent[m] = Some(c);
                            children[c].push(m);
                            next.push(m);
                        }
                    }
                }
                next.sort_unstable();
                level = next;
            }
        };

        let entry = (graph.entry < n).then_some(graph.entry);
        if let Some(e) = entry {
            fill(e, &mut placed, &mut roots);
        }
        // Outermost unplaced containers: reached by no other unplaced container.
        let unplaced: Vec<NodeId> = (0..n).filter(|&c| !placed[c] && container(c)).collect();
        let mut inner = vec![false; n];
        for &c in &unplaced {
            for m in members(c) {
                if m != c && !placed[m] {
                    inner[m] = true;
                }
            }
        }
        for &c in unplaced.iter().filter(|&&c| !inner[c]) {
            fill(c, &mut placed, &mut roots);
        }
        for &c in &unplaced {
            fill(c, &mut placed, &mut roots);
        }
        for id in 0..n {
            fill(id, &mut placed, &mut roots);
        }
        for c in &mut children {
            c.sort_unstable();
        }
        if let Some(e) = entry {
            roots.retain(|&r| r != e);
            roots.sort_unstable();
            roots.insert(0, e);
        } else {
            roots.sort_unstable();
        }

        let mut layout = Self {
            parent,
            roots,
            children,
            entry,
            span: vec![(0, 0); n],
        };
        layout.number();
        layout
    }

    /// Number the tree in pre-order (iteratively) so that [`Layout::is_inside`] is O(1).
    fn number(&mut self) {
        let mut next = 0;
        // (node, whether its children were pushed)
        let mut stack: Vec<(NodeId, bool)> = self.roots.iter().rev().map(|&r| (r, false)).collect();
        while let Some((x, expanded)) = stack.pop() {
            if expanded {
                self.span[x].1 = next;
                continue;
            }
            self.span[x].0 = next;
            next += 1;
            stack.push((x, true));
            stack.extend(self.children[x].iter().rev().map(|&c| (c, false)));
        }
    }

    /// Whether `node` is drawn inside `container` (at any depth; a node is not inside itself).
    pub fn is_inside(&self, node: NodeId, container: NodeId) -> bool {
        match (self.span.get(node), self.span.get(container)) {
            (Some(&(x, _)), Some(&(start, end))) => start < x && x < end,
            _ => false,
        }
    }

    /// The nodes in drawing order: a pre-order walk of the tree, each with [`Visit::Enter`] and,
    /// for containers, a matching [`Visit::Leave`] after their contents. No recursion.
    pub fn walk(&self, graph: &FlowGraph) -> Vec<Visit> {
        let mut visits = Vec::new();
        let mut stack: Vec<(NodeId, usize, bool)> =
            self.roots.iter().rev().map(|&r| (r, 0, false)).collect();
        while let Some((x, depth, expanded)) = stack.pop() {
            let is_box = graph.nodes.get(x).is_some_and(|s| is_container(s.kind));
            if expanded {
                visits.push(Visit::Leave { id: x, depth });
                continue;
            }
            visits.push(Visit::Enter { id: x, depth });
            if is_box {
                stack.push((x, depth, true));
                stack.extend(
                    self.children[x]
                        .iter()
                        .rev()
                        .map(|&c| (c, depth + 1, false)),
                );
            }
        }
        visits
    }
}

/// One step of [`Layout::walk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visit {
    /// Draw this node; for a container, open it (its contents follow).
    Enter {
        /// The node.
        id: NodeId,
        /// Containers around it.
        depth: usize,
    },
    /// Close this container.
    Leave {
        /// The container.
        id: NodeId,
        /// Containers around it.
        depth: usize,
    },
}

/// Indentation for a nesting depth (capped, so hostile nesting cannot blow up the output).
pub(crate) fn indent(depth: usize) -> String {
    "  ".repeat(depth.min(16) + 1)
}

/// Each `end` drawn: the container whose flow it ends (`None` at the top level), in order of
/// first use. An edge to `end` ends the flow its source is drawn in.
pub(crate) fn ends(graph: &FlowGraph, layout: &Layout) -> Vec<Option<NodeId>> {
    let mut found: Vec<Option<NodeId>> = Vec::new();
    for e in &graph.edges {
        if e.to == Target::End && e.from < graph.nodes.len() {
            let at = layout.parent[e.from];
            if !found.contains(&at) {
                found.push(at);
            }
        }
    }
    found
}

/// The identifier of a node (`n3`), of a container's start marker (`s3`) and of an end marker
/// (`e3`, or `e_top` outside any container); shared by both drawings.
pub mod ids {
    use super::NodeId;

    /// A node or container.
    pub fn node(id: NodeId) -> String {
        format!("n{id}")
    }

    /// A container's start marker.
    pub fn start(id: NodeId) -> String {
        format!("s{id}")
    }

    /// The `end` of a container's flow, or of the top level.
    pub fn end(at: Option<NodeId>) -> String {
        at.map_or_else(|| "e_top".to_string(), |c| format!("e{c}"))
    }
}

/// `text` on one line for a comment: control characters, line and paragraph separators, and
/// the characters in `also` become spaces.
fn one_line(text: &str, also: &[char]) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') || also.contains(&c) {
                ' '
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::graph::{Branch, Edge};
    use crate::span::Span;

    /// A node of a kind, for hand-made graphs.
    pub(crate) fn spec(id: NodeId, name: &str, kind: NodeKind, start: Option<NodeId>) -> NodeSpec {
        NodeSpec {
            start,
            ..NodeSpec::new(id, name, kind, span())
        }
    }

    fn span() -> Span {
        Span::at(&Arc::from("t.flow.rhai"), rhai::Position::new(1, 1))
    }

    /// An edge.
    pub(crate) fn edge(from: NodeId, action: &str, to: Target) -> Edge {
        Edge {
            from,
            action: action.into(),
            to,
            span: span(),
        }
    }

    /// `main(prepare(load >> count) >> each(translate >> review))`, `review - "stop" >> end`,
    /// plus `both` branches {a: translate, b: stray} after `each`.
    pub(crate) fn sample() -> FlowGraph {
        let mut nodes = vec![
            spec(0, "load", NodeKind::Node, None),
            spec(1, "count", NodeKind::Batch, None),
            spec(2, "prepare", NodeKind::Flow, Some(0)),
            spec(3, "translate", NodeKind::Parallel, None),
            spec(4, "review", NodeKind::Node, None),
            spec(5, "each", NodeKind::BatchFlow, Some(3)),
            spec(6, "stray", NodeKind::Node, None),
            spec(7, "both", NodeKind::Branches, None),
            spec(8, "main", NodeKind::Flow, Some(2)),
        ];
        nodes[7].branches = vec![
            Branch {
                name: "a".into(),
                start: 3,
            },
            Branch {
                name: "b".into(),
                start: 6,
            },
        ];
        FlowGraph {
            file: "t.flow.rhai".into(),
            nodes,
            edges: vec![
                edge(0, "default", Target::Node(1)),
                edge(3, "default", Target::Node(4)),
                edge(4, "stop", Target::End),
                edge(2, "default", Target::Node(5)),
                edge(5, "", Target::Node(7)),
            ],
            entry: 8,
        }
    }

    #[test]
    fn nodes_go_to_the_shallowest_container() {
        let g = sample();
        let l = Layout::of(&g);
        assert_eq!(l.roots, vec![8]);
        assert_eq!(l.children[8], vec![2, 5, 7]);
        assert_eq!(l.children[2], vec![0, 1]);
        assert_eq!(l.children[5], vec![3, 4]);
        // translate is reachable from `each` and from branch `a`: `each` was filled first.
        assert_eq!(l.children[7], vec![6]);
        assert!(l.is_inside(0, 8) && l.is_inside(0, 2) && !l.is_inside(0, 5));
        assert!(!l.is_inside(8, 8));
        assert_eq!(ends(&g, &l), vec![Some(5)]);
    }

    #[test]
    fn stray_containers_nest_from_the_outermost() {
        // inner (id 1) is built before outer (id 2); neither is reachable from the entry.
        let g = FlowGraph {
            file: "t".into(),
            nodes: vec![
                spec(0, "a", NodeKind::Node, None),
                spec(1, "inner", NodeKind::Flow, Some(0)),
                spec(2, "outer", NodeKind::Flow, Some(1)),
                spec(3, "main", NodeKind::Flow, None),
            ],
            edges: vec![],
            entry: 3,
        };
        let l = Layout::of(&g);
        assert_eq!(l.roots, vec![3, 2]);
        assert_eq!(l.parent[1], Some(2));
        assert_eq!(l.parent[0], Some(1));
    }

    #[test]
    fn self_containing_and_out_of_range_graphs_are_trees() {
        let g = FlowGraph {
            file: "t".into(),
            nodes: vec![
                spec(0, "f", NodeKind::Flow, Some(1)),
                spec(1, "g", NodeKind::Flow, Some(0)),
                spec(2, "h", NodeKind::ParallelFlow, Some(99)),
            ],
            edges: vec![
                edge(0, "x", Target::Node(42)),
                edge(42, "x", Target::Node(0)),
                edge(1, "y", Target::End),
            ],
            entry: 7,
        };
        let l = Layout::of(&g);
        assert_eq!(l.entry, None);
        assert_eq!(l.roots, vec![0, 2]);
        assert_eq!(l.parent[1], Some(0));
        let visits = l.walk(&g);
        assert_eq!(visits.len(), 6);
        assert_eq!(ends(&g, &l), vec![Some(0)]);
    }

    #[test]
    fn titles_and_labels() {
        let g = sample();
        assert_eq!(title(&g.nodes[8], true), "main (flow, entry)");
        assert_eq!(title(&g.nodes[0], false), "load");
        assert_eq!(title(&g.nodes[0], true), "load (entry)");
        assert_eq!(title(&g.nodes[5], false), "each (batch_flow)");
        assert_eq!(edge_label("default"), None);
        assert_eq!(edge_label(""), None);
        assert_eq!(edge_label("x"), Some("x"));
        assert!(json(&g).contains("\"batch_flow\""));
    }
}

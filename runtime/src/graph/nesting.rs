//! Sub-graph membership, decided once for everything that nests nodes: which nodes a
//! container's sub-runs reach ([`Reach`]) and which one container holds each node ([`Layout`]).
//!
//! A *container* is a flow kind (`flow`, `batch_flow`, `parallel_flow`) or `branches`; its
//! sub-graph is what its starts reach along edges. The validator asks which nodes a sub-run can
//! visit; the drawings, the language server's document symbols and `serve`'s node map ask
//! where to nest each node. They all ask here, so the outline and the preview agree.
//!
//! Nothing here panics or recurses on a hostile graph: indices out of range are skipped, and
//! deep nesting is walked with explicit stacks.

use std::collections::VecDeque;

use super::{FlowGraph, NodeId, NodeKind, NodeSpec, Target};

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

/// What a sub-run can reach: the successors of every node along the graph's edges.
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

    /// The nodes `node`'s edges lead to, in edge order (none for an id out of range).
    pub fn successors(&self, node: NodeId) -> &[NodeId] {
        self.out.get(node).map_or(&[], Vec::as_slice)
    }

    /// The members of a container's sub-graph: the nodes its sub-runs reach from its
    /// [`starts`], following edges but not into nested containers' sub-graphs, breadth-first.
    /// Empty for a node that is not a container.
    pub fn members(&self, graph: &FlowGraph, container: NodeId) -> Vec<NodeId> {
        match graph.nodes.get(container) {
            Some(node) => self.from(starts(graph, node).into_iter().map(|(_, s)| s)),
            None => Vec::new(),
        }
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
        let members = |c: NodeId| reach.members(graph, c);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::graph::testing::{edge, sample, spec};

    #[test]
    fn members_follow_edges_from_the_starts() {
        let g = sample();
        let reach = Reach::of(&g);
        assert_eq!(reach.members(&g, 8), vec![2, 5, 7]);
        assert_eq!(reach.members(&g, 2), vec![0, 1]);
        assert_eq!(reach.members(&g, 7), vec![3, 6, 4]);
        assert!(reach.members(&g, 0).is_empty() && reach.members(&g, 99).is_empty());
        assert_eq!(reach.successors(5), &[7]);
        assert!(reach.successors(99).is_empty());
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
    }
}

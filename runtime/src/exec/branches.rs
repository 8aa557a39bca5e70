//! `branches(name, #{a: x, b: y}[, opts])`: heterogeneous fan-out. Each branch walks its own
//! sub-graph from its start node, all concurrently on the run's one store, and the node joins
//! them: post gets `#{a: last_action_of_a, b: …}` as exec_res (with `on_error: "collect"`,
//! `#{a: #{ok: action} | #{error: e}, …}`), and its value is the node's action (`()` → default,
//! also when there is no post). A failing branch cancels the others unless collecting.

use std::sync::Arc;

use rhai::{Dynamic, Map};

use super::crumb::Crumb;
use super::fanout::{self, collected, first_failure};
use super::flow::walk;
use super::hook::{call, post_action};
use super::{Failure, RunCx};
use crate::graph::{HookKind, NodeId, OnError};

/// Visit a `branches` node.
pub(crate) fn run_branches(
    cx: &Arc<RunCx>,
    id: NodeId,
    params: &Arc<Map>,
    crumb: &Crumb,
) -> Result<String, Failure> {
    let spec = &cx.prog.graph.nodes[id];
    let collect = spec.options.on_error == OnError::Collect;
    let shared = Dynamic::from(cx.store.clone());
    let prep = call(cx, id, HookKind::Prep, vec![shared.clone()], params, crumb)?;
    let branches = spec.branches.clone();
    let starts: Vec<(String, NodeId)> =
        branches.iter().map(|b| (b.name.clone(), b.start)).collect();
    let walk_params = params.clone();
    let results = fanout::gather(cx, id, starts.len(), crumb, move |cx, i, parent| {
        let (name, start) = &starts[i];
        walk(cx, id, *start, &walk_params, &Crumb::Child(parent, name))
    })?;
    let values = if collect {
        collected(results, Dynamic::from)?
    } else {
        first_failure(results)?
            .into_iter()
            .map(Dynamic::from)
            .collect()
    };
    let joined: Map = branches
        .iter()
        .map(|b| b.name.as_str().into())
        .zip(values)
        .collect();
    let exec = Dynamic::from_map(joined);
    post_action(cx, id, [shared, prep, exec], params, crumb)
}

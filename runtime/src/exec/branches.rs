//! `branches(name, #{a: x, b: y}[, opts])`: heterogeneous fan-out. Each branch walks its own
//! sub-graph from its start node, all concurrently on the run's one store, and the node joins
//! them: post gets `#{a: last_action_of_a, b: …}` as exec_res (with `on_error: "collect"`,
//! `#{a: #{ok: action} | #{error: e}, …}`), and its value is the node's action (`()` → default,
//! also when there is no post). A failing branch cancels the others unless collecting.

use std::sync::Arc;

use rhai::{Dynamic, Map};

use super::crumb::Crumb;
use super::fanout::{fan_out, parent_token};
use super::flow::walk;
use super::hook::{action_of, call};
use super::node::first_failure;
use super::{Failure, RunCx};
use crate::co;
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
    let branches = Arc::new(spec.branches.clone());
    let path = crumb.owned();
    let job = {
        let cx = cx.clone();
        let params = params.clone();
        let path = path.clone();
        let branches = branches.clone();
        move |i: usize| {
            let cx = cx.clone();
            let params = params.clone();
            let path = path.clone();
            let branches = branches.clone();
            move || {
                let root = Crumb::Root(&path);
                let b = &branches[i];
                walk(&cx, id, b.start, &params, &Crumb::Child(&root, &b.name))
            }
        }
    };
    let fut = fan_out(
        parent_token(cx),
        co::data(),
        branches.len(),
        None,
        !collect,
        path.clone(),
        job,
    );
    let results = co::await_shielded(fut).map_err(|_| Failure::cancelled(path.to_string()))?;
    let mut joined = Map::new();
    if collect {
        for (b, r) in branches.iter().zip(results) {
            let mut m = Map::new();
            match r {
                Err(f) if f.is_cancelled() => return Err(f),
                Err(f) => m.insert("error".into(), f.value),
                Ok(action) => m.insert("ok".into(), Dynamic::from(action)),
            };
            joined.insert(b.name.as_str().into(), Dynamic::from_map(m));
        }
    } else {
        for (b, action) in branches.iter().zip(first_failure(results)?) {
            joined.insert(b.name.as_str().into(), Dynamic::from(action));
        }
    }
    let exec = Dynamic::from_map(joined);
    let post = call(
        cx,
        id,
        HookKind::Post,
        vec![shared, prep, exec],
        params,
        crumb,
    )?;
    action_of(cx, id, post, crumb)
}

//! One node visit: prep → exec (with retries) → post for plain, batch and parallel nodes;
//! flows are delegated to [`super::flow`].

use std::sync::Arc;
use std::time::Instant;

use rhai::{Array, Dynamic, Map};

use super::crumb::Crumb;
use super::fanout::{self, collected, first_failure};
use super::hook::{call, post_action};
use super::items::{item_ended, item_started, items_of};
use super::retry::exec_with_retry;
use super::{Failure, RunCx, flow};
use crate::co;
use crate::events::EventKind;
use crate::graph::{HookKind, NodeId, NodeKind, OnError};

/// Visit node `id` and return its action.
pub(crate) fn run_node(
    cx: &Arc<RunCx>,
    id: NodeId,
    params: &Arc<Map>,
    crumb: &Crumb,
) -> Result<String, Failure> {
    // A walk of cheap nodes (a cycle of hooks that never wait or reach Rhai's progress check)
    // would otherwise neither notice cancellation nor yield: check at every visit.
    if let Some(i) = co::on_progress() {
        return Err(Failure::interrupted(i, crumb.to_string()));
    }
    let spec = &cx.prog.graph.nodes[id];
    // The breadcrumb is written once for both events of the visit.
    let started = cx.events.enabled().then(|| {
        let path = crumb.to_string();
        cx.events.emit(EventKind::NodeStarted {
            path: path.clone(),
            kind: spec.kind,
            attempt: 1,
        });
        (path, Instant::now())
    });
    let action = match spec.kind {
        NodeKind::Node => {
            let shared = Dynamic::from(cx.store.clone());
            let prep = call(cx, id, HookKind::Prep, vec![shared.clone()], params, crumb)?;
            let exec = exec_with_retry(cx, id, &prep, params, crumb)?;
            post_action(cx, id, [shared, prep, exec], params, crumb)?
        }
        NodeKind::Batch | NodeKind::Parallel => run_batch(cx, id, params, crumb)?,
        NodeKind::Branches => super::branches::run_branches(cx, id, params, crumb)?,
        NodeKind::Flow | NodeKind::BatchFlow | NodeKind::ParallelFlow => {
            flow::run_flow(cx, id, params, crumb)?
        }
    };
    if let Some((path, t0)) = started {
        cx.events.emit(EventKind::NodeFinished {
            path,
            action: action.clone(),
            ms: t0.elapsed().as_secs_f64() * 1000.0,
        });
    }
    Ok(action)
}

fn run_batch(
    cx: &Arc<RunCx>,
    id: NodeId,
    params: &Arc<Map>,
    crumb: &Crumb,
) -> Result<String, Failure> {
    let spec = &cx.prog.graph.nodes[id];
    let shared = Dynamic::from(cx.store.clone());
    let prep = call(cx, id, HookKind::Prep, vec![shared.clone()], params, crumb)?;
    let items = items_of(cx, id, &prep, crumb)?;
    let of = items.len();
    let results: Array = if spec.kind == NodeKind::Batch {
        let mut out = Array::with_capacity(of);
        for (i, item) in items.iter().enumerate() {
            item_started(cx, crumb, i, of);
            let r = exec_with_retry(cx, id, item, params, &Crumb::Item(crumb, i));
            item_ended(cx, crumb, i, of, &r, false);
            out.push(r?);
        }
        out
    } else {
        gather(cx, id, items, params, crumb)?
    };
    post_action(
        cx,
        id,
        [shared, prep, Dynamic::from_array(results)],
        params,
        crumb,
    )
}

/// A parallel node's items, gathered concurrently; results in input order.
fn gather(
    cx: &Arc<RunCx>,
    id: NodeId,
    items: Array,
    params: &Arc<Map>,
    crumb: &Crumb,
) -> Result<Array, Failure> {
    let collect = cx.prog.graph.nodes[id].options.on_error == OnError::Collect;
    let of = items.len();
    let params = params.clone();
    let results = fanout::gather(cx, id, of, crumb, move |cx, i, parent| {
        item_started(cx, parent, i, of);
        let r = exec_with_retry(cx, id, &items[i], &params, &Crumb::Item(parent, i));
        item_ended(cx, parent, i, of, &r, collect);
        r
    })?;
    if collect {
        collected(results, |v| v)
    } else {
        first_failure(results)
    }
}

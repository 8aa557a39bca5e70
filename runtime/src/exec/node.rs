//! One node visit: prep → exec (with retries) → post for plain, batch and parallel nodes;
//! flows are delegated to [`super::flow`].

use std::sync::Arc;
use std::time::Instant;

use rhai::{Array, Dynamic, Map};

use super::crumb::Crumb;
use super::fanout::{self, collected, first_failure, has_result};
use super::hook::{call, describe_value, post_action};
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

/// Prep's value as the list of items: an array, or `()` for none.
pub(crate) fn items_of(
    cx: &RunCx,
    id: NodeId,
    prep: &Dynamic,
    crumb: &Crumb,
) -> Result<Array, Failure> {
    if prep.is_unit() {
        return Ok(Array::new());
    }
    match prep.read_lock::<Array>() {
        Some(a) => Ok(a.clone()),
        None => {
            let spec = &cx.prog.graph.nodes[id];
            let span = spec.prep.as_ref().map_or(&spec.span, |h| &h.span);
            Err(Failure::new(
                format!(
                    "prep of {}('{}') must return an array of items (or () for none), but returned {}",
                    spec.kind.constructor(),
                    spec.name,
                    describe_value(prep)
                ),
                crumb.to_string(),
                Some(span.clone()),
            ))
        }
    }
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

/// Report item `index` of `of` as started (it holds a slot from now on).
pub(crate) fn item_started(cx: &RunCx, crumb: &Crumb, index: usize, of: usize) {
    if cx.events.enabled() {
        cx.events.emit(EventKind::ItemStarted {
            path: crumb.to_string(),
            index,
            of,
        });
    }
}

/// Report how item `index` of `of` ended: `item_failed` for an error (not for a cancellation),
/// and `item_finished` when it has a result for post (a value, or with `collect` its error).
pub(crate) fn item_ended<T>(
    cx: &RunCx,
    crumb: &Crumb,
    index: usize,
    of: usize,
    r: &Result<T, Failure>,
    collect: bool,
) {
    if !cx.events.enabled() {
        return;
    }
    let path = crumb.to_string();
    if let Err(f) = r {
        if !f.is_cancelled() {
            cx.events.emit(EventKind::ItemFailed {
                path: path.clone(),
                index,
                of,
                error: f.message.clone(),
            });
        }
    }
    if has_result(r, collect) {
        cx.events.emit(EventKind::ItemFinished { path, index, of });
    }
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

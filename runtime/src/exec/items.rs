//! The items of batch and parallel nodes and flows: prep's value as the item list, and the
//! `item_started` / `item_failed` / `item_finished` events every kind reports the same way.

use rhai::{Array, Dynamic};

use super::crumb::Crumb;
use super::fanout::has_result;
use super::hook::describe_value;
use super::{Failure, RunCx};
use crate::events::EventKind;
use crate::graph::NodeId;

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

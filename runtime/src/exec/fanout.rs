//! Gathering items concurrently: one spawned task and coroutine per item, an optional bound,
//! results in input order, and fail-fast cancellation of siblings.

use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use rhai::{Dynamic, Map};

use super::crumb::Crumb;
use super::{Failure, RunCx};
use crate::graph::{NodeId, OnError};

/// Items in flight at once when no `concurrency` is given: each holds a coroutine stack, and
/// `vm.max_map_count` (65530) caps guarded stacks near 32k.
pub(crate) const MAX_IN_FLIGHT: usize = 16 * 1024;

/// The token parallel items hang below: the current coroutine's (so cancelling a parallel item
/// or sub-run also cancels the items nested in it), or the run's outside coroutines.
pub(crate) fn parent_token(cx: &super::RunCx) -> CancellationToken {
    crate::co::current_token().unwrap_or_else(|| cx.cancel.clone())
}

/// Run `n` jobs concurrently (at most `limit` at once) and return their results by index.
/// With `fail_fast`, the first failure cancels the jobs still running and the ones not started
/// yet come back as cancelled. When `cancel` fires, the running jobs are cancelled too, and this
/// still returns only once every started job has ended (await it with
/// [`crate::co::await_shielded`]).
pub(crate) async fn fan_out<T, J, B>(
    cancel: CancellationToken,
    data: Option<crate::co::Data>,
    n: usize,
    limit: Option<usize>,
    fail_fast: bool,
    path: Arc<str>,
    job: J,
) -> Vec<Result<T, Failure>>
where
    T: Send + 'static,
    J: Fn(usize) -> B,
    B: FnOnce() -> Result<T, Failure> + Send + 'static,
{
    let child = cancel.child_token();
    let permits = Arc::new(Semaphore::new(
        limit.unwrap_or(MAX_IN_FLIGHT).min(MAX_IN_FLIGHT),
    ));
    let mut results: Vec<Option<Result<T, Failure>>> = (0..n).map(|_| None).collect();
    let mut set = JoinSet::new();
    let mut indices = HashMap::new();
    let mut next = 0;
    loop {
        while next < n && !child.is_cancelled() {
            let Ok(permit) = permits.clone().try_acquire_owned() else {
                break;
            };
            let body = job(next);
            let token = child.clone();
            let data = data.clone();
            let index = next;
            let item_path = path.clone();
            let handle = set.spawn(async move {
                let r = crate::co::run(&token, data, body).await;
                drop(permit);
                let r = r.unwrap_or_else(|e| {
                    Err(Failure::new(
                        e.to_string(),
                        format!("{item_path}[{index}]"),
                        None,
                    ))
                });
                (index, r)
            });
            indices.insert(handle.id(), index);
            next += 1;
        }
        let Some(joined) = set.join_next().await else {
            break;
        };
        match joined {
            Ok((index, r)) => {
                if fail_fast && r.is_err() {
                    child.cancel();
                }
                results[index] = Some(r);
            }
            Err(e) => {
                // A panicking item is a bug in flowscript; report it as that item's failure.
                child.cancel();
                if let Some(&index) = indices.get(&e.id()) {
                    let msg = format!("internal error in item {index}: {e}");
                    results[index] = Some(Err(Failure::new(msg, format!("{path}[{index}]"), None)));
                }
            }
        }
    }
    results
        .into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|| Err(Failure::cancelled(format!("{path}[{i}]")))))
        .collect()
}

/// Run `body(cx, i, parent)` for `n` items of node `id` concurrently, as children of the current
/// coroutine, under the node's `concurrency` and `on_error`; results by index. `parent` is the
/// node's breadcrumb (items add `[i]`).
pub(crate) fn gather<T, F>(
    cx: &Arc<RunCx>,
    id: NodeId,
    n: usize,
    crumb: &Crumb,
    body: F,
) -> Result<Vec<Result<T, Failure>>, Failure>
where
    T: Send + 'static,
    F: Fn(&Arc<RunCx>, usize, &Crumb) -> Result<T, Failure> + Send + Sync + 'static,
{
    let opts = &cx.prog.graph.nodes[id].options;
    let fail_fast = opts.on_error != OnError::Collect;
    let path = crumb.owned();
    let body = Arc::new(body);
    let job = {
        let cx = cx.clone();
        let path = path.clone();
        move |i: usize| {
            let cx = cx.clone();
            let path = path.clone();
            let body = body.clone();
            move || body(&cx, i, &Crumb::Root(&path))
        }
    };
    let fut = fan_out(
        parent_token(cx),
        crate::co::data(),
        n,
        opts.concurrency,
        fail_fast,
        path.clone(),
        job,
    );
    crate::co::await_shielded(fut).map_err(|_| Failure::cancelled(path.to_string()))
}

/// Whether an item produced a result for post: a value, or (when collecting) an error value.
/// Failed and cancelled items of a failing batch are not reported as finished.
pub(crate) fn has_result<T>(r: &Result<T, Failure>, collect: bool) -> bool {
    match r {
        Ok(_) => true,
        Err(f) => collect && !f.is_cancelled(),
    }
}

/// All values in order, or the failure that caused the others' cancellation.
pub(crate) fn first_failure<T>(results: Vec<Result<T, Failure>>) -> Result<Vec<T>, Failure> {
    let mut cancelled = None;
    let mut out = Vec::with_capacity(results.len());
    for r in results {
        match r {
            Ok(v) => out.push(v),
            Err(f) if f.is_cancelled() => {
                cancelled.get_or_insert(f);
            }
            Err(f) => return Err(f),
        }
    }
    match cancelled {
        Some(f) => Err(f),
        None => Ok(out),
    }
}

/// `on_error: "collect"` results: `#{ok: v}` or `#{error: e}` each (`e` is what fallback's
/// `err` would be). A cancellation still fails.
pub(crate) fn collected<T>(
    results: Vec<Result<T, Failure>>,
    ok: impl Fn(T) -> Dynamic,
) -> Result<Vec<Dynamic>, Failure> {
    results
        .into_iter()
        .map(|r| {
            let mut m = Map::new();
            match r {
                Err(f) if f.is_cancelled() => return Err(f),
                Err(f) => m.insert("error".into(), f.value),
                Ok(v) => m.insert("ok".into(), ok(v)),
            };
            Ok(Dynamic::from_map(m))
        })
        .collect()
}

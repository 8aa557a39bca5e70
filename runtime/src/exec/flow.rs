//! Flows as nodes: orchestration by action, params scoping, `max_steps`, and batch/parallel
//! flows that run one sub-run of their start graph per param map.

use std::sync::Arc;

use rhai::{Array, Dynamic, Map};

use super::crumb::Crumb;
use super::fanout::{self, collected, first_failure};
use super::hook::{call, describe_value, post_action};
use super::items::{item_ended, item_started, items_of};
use super::node::run_node;
use super::{Failure, RunCx};
use crate::diagnostic::Code;
use crate::events::EventKind;
use crate::graph::{HookKind, NodeId, NodeKind, OnError, Target};

/// `under` with `over`'s keys on top.
fn merge(under: &Map, over: &Map) -> Map {
    let mut m = under.clone();
    m.extend(over.iter().map(|(k, v)| (k.clone(), v.clone())));
    m
}

/// Visit flow `id`: prep, run the sub-graph (once, or per param map), post.
pub(crate) fn run_flow(
    cx: &Arc<RunCx>,
    id: NodeId,
    passed: &Arc<Map>,
    crumb: &Crumb,
) -> Result<String, Failure> {
    let spec = &cx.prog.graph.nodes[id];
    // The flow's own params sit under what is passed down; passed-down keys win. The merged map
    // is a copy, so nothing leaks outward.
    let own = &cx.prog.params[id];
    let params: Arc<Map> = if own.is_empty() {
        passed.clone()
    } else {
        Arc::new(merge(own, passed))
    };
    let shared = Dynamic::from(cx.store.clone());
    let prep = call(cx, id, HookKind::Prep, vec![shared.clone()], &params, crumb)?;
    let exec = match spec.kind {
        NodeKind::Flow => {
            let last = orchestrate(cx, id, &params, crumb)?;
            if cx.prog.hooks[id].post.is_none() {
                return Ok(last);
            }
            Dynamic::from(last)
        }
        NodeKind::BatchFlow => {
            let maps = param_maps(cx, id, &prep, crumb)?;
            let of = maps.len();
            for (i, item) in maps.into_iter().enumerate() {
                let sub = Arc::new(merge(&params, &item));
                item_started(cx, crumb, i, of);
                let r = orchestrate(cx, id, &sub, &Crumb::Item(crumb, i));
                item_ended(cx, crumb, i, of, &r, false);
                r?;
            }
            Dynamic::UNIT
        }
        _ => {
            let maps = param_maps(cx, id, &prep, crumb)?;
            gather_runs(cx, id, maps, &params, crumb)?
        }
    };
    post_action(cx, id, [shared, prep, exec], &params, crumb)
}

/// A batch flow's prep value as param maps.
fn param_maps(cx: &RunCx, id: NodeId, prep: &Dynamic, crumb: &Crumb) -> Result<Vec<Map>, Failure> {
    let items: Array = items_of(cx, id, prep, crumb)?;
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            item.read_lock::<Map>().map(|m| m.clone()).ok_or_else(|| {
                let spec = &cx.prog.graph.nodes[id];
                let span = spec.prep.as_ref().map_or(&spec.span, |h| &h.span);
                Failure::new(
                    format!(
                        "prep of {}('{}') must return an array of param maps, but item {i} is {}",
                        spec.kind.constructor(),
                        spec.name,
                        describe_value(&item)
                    ),
                    crumb.to_string(),
                    Some(span.clone()),
                )
            })
        })
        .collect()
}

/// A parallel flow's sub-runs, concurrently. With `on_error: "collect"` the exec value is the
/// array of `#{ok: action}` / `#{error: e}`; otherwise `()`.
fn gather_runs(
    cx: &Arc<RunCx>,
    id: NodeId,
    maps: Vec<Map>,
    params: &Arc<Map>,
    crumb: &Crumb,
) -> Result<Dynamic, Failure> {
    let collect = cx.prog.graph.nodes[id].options.on_error == OnError::Collect;
    let of = maps.len();
    let subs: Vec<Arc<Map>> = maps.iter().map(|m| Arc::new(merge(params, m))).collect();
    let results = fanout::gather(cx, id, of, crumb, move |cx, i, parent| {
        item_started(cx, parent, i, of);
        let r = orchestrate(cx, id, &subs[i], &Crumb::Item(parent, i));
        item_ended(cx, parent, i, of, &r, collect);
        r
    })?;
    if collect {
        Ok(Dynamic::from_array(collected(results, Dynamic::from)?))
    } else {
        first_failure(results)?;
        Ok(Dynamic::UNIT)
    }
}

/// Walk flow `flow`'s sub-graph from its start node, routing on each node's action; returns the
/// last action.
pub(crate) fn orchestrate(
    cx: &Arc<RunCx>,
    flow: NodeId,
    params: &Arc<Map>,
    crumb: &Crumb,
) -> Result<String, Failure> {
    match cx.prog.graph.nodes[flow].start {
        Some(start) => walk(cx, flow, start, params, crumb),
        None => Ok(crate::graph::DEFAULT_ACTION.into()),
    }
}

/// Walk the sub-graph from `start` on behalf of `owner` (a flow, or a `branches` node), routing
/// on each node's action; returns the last action. `owner`'s `max_steps` bounds the walk.
pub(crate) fn walk(
    cx: &Arc<RunCx>,
    owner: NodeId,
    start: NodeId,
    params: &Arc<Map>,
    crumb: &Crumb,
) -> Result<String, Failure> {
    let prog = &cx.prog;
    let spec = &prog.graph.nodes[owner];
    let max_steps = spec.options.max_steps;
    let mut current = start;
    let mut steps: u64 = 0;
    loop {
        steps += 1;
        let name = prog.graph.nodes[current].name.as_str();
        let node_crumb = Crumb::Child(crumb, name);
        if let Some(max) = max_steps
            && steps > max
        {
            return Err(Failure::new(
                format!(
                    "flow '{}' exceeded max_steps ({max}) before visiting '{name}'",
                    spec.name
                ),
                node_crumb.to_string(),
                Some(prog.graph.nodes[current].span.clone()),
            ));
        }
        let action = run_node(cx, current, params, &node_crumb)?;
        let routes = &prog.routes[current];
        match routes.iter().find(|(a, _)| *a == action) {
            Some((_, Target::Node(next))) => current = *next,
            Some((_, Target::End)) => return Ok(action),
            None => {
                if !routes.is_empty() && cx.events.enabled() {
                    unmatched(cx, current, &action, routes, &node_crumb);
                }
                return Ok(action);
            }
        }
    }
}

fn unmatched(cx: &RunCx, id: NodeId, action: &str, routes: &[(String, Target)], crumb: &Crumb) {
    let spec = &cx.prog.graph.nodes[id];
    let known: Vec<String> = routes.iter().map(|(a, _)| format!("\"{a}\"")).collect();
    // Reading the script predicted it (`post of 'x' can return "y"`): the event says so.
    let repeat = cx.prog.warnings.iter().any(|w| {
        w.code == Code::UnmatchedAction
            && w.about
                .as_ref()
                .is_some_and(|(node, a)| *node == id && a == action)
    });
    cx.events.emit(EventKind::Warning {
        code: Code::UnmatchedAction,
        message: format!(
            "'{}' returned action \"{action}\", which has no edge (it has {}); the flow ends here",
            spec.name,
            known.join(", ")
        ),
        span: Some(spec.span.clone()),
        path: Some(crumb.to_string()),
        repeat,
    });
}

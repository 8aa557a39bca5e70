//! Calling one hook: arity-dependent `params`, per-invocation copies of captured variables, and
//! turning post's value into an action.

use rhai::{Dynamic, FnPtr, Map};

use super::{Failure, RunCx};
use crate::graph::{DEFAULT_ACTION, HookKind, NodeId, normalize_action};
use crate::value::{check_depth, describe};

/// Call `kind`'s hook of node `id` with `args` (plus `params` if the hook takes them).
/// A missing hook does nothing and returns `()`.
pub(crate) fn call(
    cx: &RunCx,
    id: NodeId,
    kind: HookKind,
    mut args: Vec<Dynamic>,
    params: &Map,
    path: &dyn std::fmt::Display,
) -> Result<Dynamic, Failure> {
    let Some(hook) = cx.prog.hooks[id].get(kind) else {
        return Ok(Dynamic::UNIT);
    };
    if hook.takes_params {
        args.push(Dynamic::from_map(params.clone()));
    }
    let ptr = private_captures(&hook.ptr);
    let spec = &cx.prog.graph.nodes[id];
    let span = || spec.hook(kind).map_or(&spec.span, |h| &h.span);
    let value = ptr
        .call::<Dynamic>(&cx.prog.engine, &cx.prog.ast, args)
        .map_err(|e| {
            Failure::from_rhai(
                &e,
                &cx.prog.file,
                path.to_string(),
                span(),
                &cx.prog.limits,
                cx.prog.module_root.as_deref(),
            )
        })?;
    // What a hook returns travels between coroutines and threads and may reach JSON: it must
    // be walkable without deep recursion.
    check_depth(&value, cx.prog.limits.depth).map_err(|e| {
        Failure::new(
            format!(
                "{} of '{}' returned a value that {e}",
                kind.key(),
                spec.name
            ),
            path.to_string(),
            Some(span().clone()),
        )
    })?;
    Ok(value)
}

/// A copy of `ptr` whose captured variables are private to this invocation: shared captures
/// would contend on one lock across concurrent items, and changes must not persist across
/// visits (use `shared` for that).
fn private_captures(ptr: &FnPtr) -> std::borrow::Cow<'_, FnPtr> {
    if ptr.curry().is_empty() {
        return std::borrow::Cow::Borrowed(ptr);
    }
    let mut own = ptr.clone();
    let values: Vec<Dynamic> = ptr.curry().iter().map(Dynamic::flatten_clone).collect();
    own.set_curry(values);
    std::borrow::Cow::Owned(own)
}

/// Run node `id`'s post on `(shared, prep, exec)` and turn its value into the action.
pub(crate) fn post_action(
    cx: &RunCx,
    id: NodeId,
    args: [Dynamic; 3],
    params: &Map,
    path: &dyn std::fmt::Display,
) -> Result<String, Failure> {
    let value = call(cx, id, HookKind::Post, args.into(), params, path)?;
    action_of(cx, id, value, path)
}

/// Post's value as an action: `()`, `""` and `"default"` are the default edge; anything else
/// that is not a string is an error naming the node.
pub(crate) fn action_of(
    cx: &RunCx,
    id: NodeId,
    value: Dynamic,
    path: &dyn std::fmt::Display,
) -> Result<String, Failure> {
    if value.is_unit() {
        return Ok(DEFAULT_ACTION.to_string());
    }
    match value.into_immutable_string() {
        Ok(s) => Ok(normalize_action(&s).to_string()),
        Err(t) => {
            let spec = &cx.prog.graph.nodes[id];
            let span = spec.post.as_ref().map_or(&spec.span, |h| &h.span);
            Err(Failure::new(
                format!(
                    "post of '{}' returned {t}; an action must be a string or () \
                     (the last statement's value is post's value even after a `;`, \
                     so end post with `()` to take the default edge)",
                    spec.name
                ),
                path.to_string(),
                Some(span.clone()),
            ))
        }
    }
}

/// For messages about values that are not what a hook should return.
pub(crate) fn describe_value(v: &Dynamic) -> String {
    describe(v)
}

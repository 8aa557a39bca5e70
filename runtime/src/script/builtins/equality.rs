//! `==` and `!=` of arrays and maps, recursing natively: Rhai's make a full function call per
//! nesting level, which overflows a stack on values a script can build. Elements that are not
//! arrays or maps are compared by the engine's own `==`, so custom types keep their meaning.

use rhai::{Array, Dynamic, Engine, EvalAltResult, Map, NativeCallContext, Position};

use crate::limits::MAX_DEPTH_CAP;

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// Whether `a` equals `b`, as Rhai's `==` defines it.
pub(crate) fn equal(
    ctx: &NativeCallContext,
    a: &Dynamic,
    b: &Dynamic,
    depth: usize,
) -> Result<bool> {
    if let (Some(x), Some(y)) = (a.read_lock::<Array>(), b.read_lock::<Array>()) {
        return arrays(ctx, &x, &y, depth);
    }
    if let (Some(x), Some(y)) = (a.read_lock::<Map>(), b.read_lock::<Map>()) {
        return maps(ctx, &x, &y, depth);
    }
    if let (Ok(x), Ok(y)) = (a.as_int(), b.as_int()) {
        return Ok(x == y);
    }
    if a.is_string() && b.is_string() {
        return Ok(a.clone().into_immutable_string().ok() == b.clone().into_immutable_string().ok());
    }
    let (mut x, mut y) = (a.clone(), b.clone());
    match ctx.call_native_fn_raw("==", true, &mut [&mut x, &mut y]) {
        Ok(v) => Ok(v.as_bool().unwrap_or(false)),
        // Like Rhai's: values of different types without an `==` between them differ.
        Err(e)
            if matches!(*e, EvalAltResult::ErrorFunctionNotFound(..))
                && a.type_id() != b.type_id() =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

fn deeper(depth: usize) -> Result<usize> {
    if depth >= MAX_DEPTH_CAP {
        return Err(EvalAltResult::ErrorRuntime(
            format!("cannot compare values nested more than {MAX_DEPTH_CAP} levels deep").into(),
            Position::NONE,
        )
        .into());
    }
    Ok(depth + 1)
}

fn arrays(ctx: &NativeCallContext, a: &Array, b: &Array, depth: usize) -> Result<bool> {
    if a.len() != b.len() {
        return Ok(false);
    }
    let depth = deeper(depth)?;
    for (x, y) in a.iter().zip(b) {
        if !equal(ctx, x, y, depth)? {
            return Ok(false);
        }
    }
    Ok(true)
}

fn maps(ctx: &NativeCallContext, a: &Map, b: &Map, depth: usize) -> Result<bool> {
    if a.len() != b.len() {
        return Ok(false);
    }
    let depth = deeper(depth)?;
    for (k, x) in a {
        match b.get(k) {
            Some(y) if equal(ctx, x, y, depth)? => {}
            _ => return Ok(false),
        }
    }
    Ok(true)
}

/// Register `==` and `!=` for arrays and maps.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_fn("==", |ctx: NativeCallContext, a: &mut Array, b: Array| {
            arrays(&ctx, a, &b, 0)
        })
        .register_fn("!=", |ctx: NativeCallContext, a: &mut Array, b: Array| {
            arrays(&ctx, a, &b, 0).map(|e| !e)
        })
        .register_fn("==", |ctx: NativeCallContext, a: &mut Map, b: Map| {
            maps(&ctx, a, &b, 0)
        })
        .register_fn("!=", |ctx: NativeCallContext, a: &mut Map, b: Map| {
            maps(&ctx, a, &b, 0).map(|e| !e)
        });
}

//! `print`, `to_string`, `debug` and `to_debug` of arrays and maps, and `to_json` of maps,
//! recursing natively: Rhai's format each element through a full function call per nesting
//! level, which overflows a stack on values a script can build. Elements that are not arrays or
//! maps are formatted by the engine's own `to_debug`, so custom types keep their look. What
//! nests deeper than [`MAX_DEPTH_CAP`] is shown as `[...]` / `#{...}`.

use std::fmt::Write;

use rhai::{Array, Dynamic, Engine, ImmutableString, Map, NativeCallContext};

use crate::limits::MAX_DEPTH_CAP;

fn write_value(ctx: &NativeCallContext, out: &mut String, value: &Dynamic, depth: usize) {
    if let Some(a) = value.read_lock::<Array>() {
        return write_array(ctx, out, &a, depth);
    }
    if let Some(m) = value.read_lock::<Map>() {
        return write_map(ctx, out, &m, depth);
    }
    if value.is_string() {
        let s = value.clone().into_immutable_string().unwrap_or_default();
        let _ = write!(out, "{:?}", s.as_str());
        return;
    }
    if let Ok(i) = value.as_int() {
        let _ = write!(out, "{i}");
        return;
    }
    let mut v = value.clone();
    match ctx.call_native_fn_raw("to_debug", true, &mut [&mut v]) {
        Ok(s) if s.is_string() => out.push_str(&s.into_immutable_string().unwrap_or_default()),
        _ => out.push_str(value.type_name()),
    }
}

fn write_array(ctx: &NativeCallContext, out: &mut String, a: &Array, depth: usize) {
    if depth >= MAX_DEPTH_CAP {
        out.push_str("[...]");
        return;
    }
    out.push('[');
    for (i, v) in a.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_value(ctx, out, v, depth + 1);
    }
    out.push(']');
}

fn write_map(ctx: &NativeCallContext, out: &mut String, m: &Map, depth: usize) {
    if depth >= MAX_DEPTH_CAP {
        out.push_str("#{...}");
        return;
    }
    out.push_str("#{");
    for (i, (k, v)) in m.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "{:?}: ", k.as_str());
        write_value(ctx, out, v, depth + 1);
    }
    out.push('}');
}

fn array_text(ctx: NativeCallContext, a: &mut Array) -> ImmutableString {
    let mut out = String::new();
    write_array(&ctx, &mut out, a, 0);
    out.into()
}

fn map_text(ctx: NativeCallContext, m: &mut Map) -> ImmutableString {
    let mut out = String::new();
    write_map(&ctx, &mut out, m, 0);
    out.into()
}

/// Register the formatting functions.
pub(crate) fn register(engine: &mut Engine) {
    for name in ["print", "to_string", "debug", "to_debug"] {
        engine.register_fn(name, array_text);
        engine.register_fn(name, map_text);
    }
    engine.register_fn("to_json", |m: &mut Map| -> ImmutableString {
        crate::value::to_json(&Dynamic::from_map(m.clone()))
            .to_string()
            .into()
    });
}

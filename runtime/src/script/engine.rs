//! The configured `rhai::Engine`s, one for record mode and one for running hooks
//! ([`EngineKind`]): limits, the `shared` keyword, the flowscript API and host functions, and the
//! progress callback that bounds record mode and memory and preempts long scripts.

use std::io::Write;

use rhai::{Dynamic, Engine};

use crate::co;
use crate::limits::Limits;
use crate::script::record;

/// Rhai call depth allowed; each level takes up to ~8 KiB of native stack, far within
/// [`crate::co`]'s stacks.
pub(crate) const MAX_CALL_LEVELS: usize = 56;

/// How often (in Rhai operations) the progress callback does real work.
const PROGRESS_EVERY: u64 = 256;

/// Where scripts' `print` and `debug` output goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PrintTo {
    /// Standard error (stdout carries the store or the event stream).
    #[default]
    Stderr,
    /// Nowhere: the language server analyses untrusted buffers and its stderr may not be read.
    Discard,
}

/// What an engine evaluates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EngineKind {
    /// Top levels in record mode (`check`, `graph`, editors, and `run`'s load). Rhai's own value
    /// limits are on: every operation is checked against `string`, `array` and `map`.
    Record,
    /// Hooks while a flow runs. Rhai's value limits are off, because Rhai enforces them by
    /// walking the whole value after every method call on it (`a.push(x)` in a loop becomes
    /// quadratic: 100,000 pushes took 7 s instead of 0.08 s). Hooks are bounded instead by the
    /// `memory` limit, checked before every operation, and by the runtime's own functions,
    /// which check `string` and `array` before they build a value (`pad`, `blob`, splits,
    /// reads).
    Run,
}

/// Build an engine.
pub(crate) fn new_engine(limits: &Limits, print: PrintTo, kind: EngineKind) -> Engine {
    let mut engine = Engine::new();
    // The loader optimises explicitly after reading the unoptimised AST (see `load.rs`).
    engine.set_optimization_level(rhai::OptimizationLevel::None);
    if kind == EngineKind::Record {
        engine.set_max_string_size(limits.string_bytes);
        engine.set_max_array_size(limits.array_items);
        engine.set_max_map_size(limits.map_items);
    }
    engine.set_max_modules(limits.modules);
    engine.set_module_resolver(super::modules::Resolver::new(*limits));
    // Debug builds halve Rhai's default depths; a hook-building helper `fn` then fails with a
    // misleading parse error, so set them explicitly.
    engine.set_max_expr_depths(128, 64);
    engine.set_max_call_levels(MAX_CALL_LEVELS);
    // `shared` is reserved in Rhai 1.27; scripts use it as the store's name.
    #[allow(deprecated)] // volatile, not deprecated: the only way to un-reserve `shared`
    engine.on_parse_token(|token, _, _| match token {
        rhai::Token::Reserved(s) if s.as_str() == "shared" => {
            rhai::Token::Identifier(Box::new("shared".into()))
        }
        t => t,
    });
    let memory = limits.memory_bytes;
    let out_of_memory: rhai::ImmutableString = crate::limits::limit_message(
        "the process uses more memory than allowed",
        "memory",
        limits,
    )
    .into();
    engine.on_progress(move |ops| {
        // Every operation: one operation may double a value, so waiting 256 could be too late.
        if co::memory::live_bytes() > memory {
            return Some(Dynamic::from(out_of_memory.clone()));
        }
        if ops % PROGRESS_EVERY != 0 {
            return None;
        }
        if co::in_coroutine() {
            return co::on_progress().map(|i| Dynamic::from(i.message()));
        }
        record::record_progress(ops).map(Dynamic::from)
    });
    // `print` and `debug` must not corrupt stdout, which carries the store or the event stream;
    // a closed stderr is not the script's failure.
    match print {
        PrintTo::Stderr => {
            engine.on_print(|s| {
                let _ = writeln!(std::io::stderr(), "{s}");
            });
            engine.on_debug(|s, src, pos| {
                let _ = match src {
                    Some(src) => writeln!(std::io::stderr(), "[{src}:{pos}] {s}"),
                    None => writeln!(std::io::stderr(), "[{pos}] {s}"),
                };
            });
        }
        PrintTo::Discard => {
            engine.on_print(|_| {});
            engine.on_debug(|_, _, _| {});
        }
    }
    super::builtins::register(&mut engine, limits);
    super::api::register(&mut engine);
    super::api::register_end(&mut engine);
    crate::value::store::register(&mut engine);
    crate::host::register(&mut engine);
    engine
}

//! The one configured `rhai::Engine`: limits, the `shared` keyword, the flowscript API and host
//! functions, and the progress callback that bounds record mode and preempts long scripts.

use rhai::{Dynamic, Engine};

use crate::co;
use crate::graph::build;

/// Rhai call depth allowed; each level takes up to ~8 KiB of native stack, and coroutine stacks
/// are [`crate::co`]'s 1 MiB.
pub const MAX_CALL_LEVELS: usize = 56;

/// How often (in Rhai operations) the progress callback does real work.
const PROGRESS_EVERY: u64 = 256;

/// Build the engine every load and run uses.
pub fn new_engine() -> Engine {
    let mut engine = Engine::new();
    // The loader optimises explicitly after reading the unoptimised AST (see `load.rs`).
    engine.set_optimization_level(rhai::OptimizationLevel::None);
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
    engine.on_progress(|ops| {
        if ops % PROGRESS_EVERY != 0 {
            return None;
        }
        if co::in_coroutine() {
            return co::on_progress().map(|i| Dynamic::from(interrupt_message(i)));
        }
        build::record_progress(ops).map(Dynamic::from)
    });
    // `print` and `debug` must not corrupt stdout, which carries the store or the event stream.
    engine.on_print(|s| eprintln!("{s}"));
    engine.on_debug(|s, src, pos| match src {
        Some(src) => eprintln!("[{src}:{pos}] {s}"),
        None => eprintln!("[{pos}] {s}"),
    });
    super::api::register(&mut engine);
    super::api::register_end(&mut engine);
    super::store::register(&mut engine);
    crate::host::register(&mut engine);
    engine
}

/// The message a script is terminated with when interrupted.
pub fn interrupt_message(i: co::Interrupt) -> &'static str {
    match i {
        co::Interrupt::Cancelled => "cancelled",
        co::Interrupt::TimedOut => "timed out",
    }
}

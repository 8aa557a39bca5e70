//! Rhai built-ins the runtime replaces, registered over the standard package's (functions
//! registered on the engine take precedence over its packages):
//!
//! - [`sort`]: `sort`, `sort_by`, `order`, `order_by` and `dedup` with a script callback. Rhai's
//!   drop the callback's errors, so a comparator that fails, is cancelled or times out goes on
//!   being called; these stop at the first error and pass it on, and never panic whatever order
//!   the comparator claims.
//! - [`split`] and [`grow`]: string splits, `blob.to_array()`, `pad` and `blob(len)` check the
//!   `string` and `array` limits before they build a value, instead of building it first.
//! - [`equality`] and [`text`]: `==`/`!=` and `print`/`to_string`/`debug`/`to_debug`/`to_json`
//!   of arrays and maps. Rhai's recurse through a full function call per nesting level (over a
//!   KiB of native stack each); these recurse natively, bounded by [`crate::limits::MAX_DEPTH_CAP`].
//!
//! The other built-ins that call back into scripts (`map`, `filter`, `reduce`, `retain`,
//! `drain`, `all`, `some`, `index_of`, `find`, ...) already pass the callback's errors on, so
//! cancellation and timeouts stop them.

pub(crate) mod equality;
pub(crate) mod grow;
pub(crate) mod sort;
pub(crate) mod split;
pub(crate) mod text;

use rhai::Engine;

use crate::limits::Limits;

/// Register the replacements, bounded by `limits`.
pub(crate) fn register(engine: &mut Engine, limits: &Limits) {
    sort::register(engine);
    split::register(engine, limits);
    grow::register(engine, limits);
    equality::register(engine);
    text::register(engine);
}

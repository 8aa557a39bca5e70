//! Everything Rhai: the configured engine, the graph API, the `shared` handle, value conversion.

pub mod api;
pub mod builtins;
pub mod engine;
pub mod error;
pub mod facts;
pub mod grain;
pub mod hook_lib;
pub mod modules;
pub mod store;
pub mod value;

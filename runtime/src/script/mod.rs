//! Everything Rhai: the configured engine, the graph API, the `shared` handle, value conversion.

pub mod api;
pub mod engine;
pub mod error;
pub mod grain;
pub mod store;
pub mod value;

//! The Rhai layer: the configured engine, record mode (the recorder and the option parser that
//! turn a top level into a graph), the script API, the facts walker, modules and built-ins.

pub(crate) mod api;
pub(crate) mod builtins;
pub(crate) mod engine;
pub(crate) mod error;
pub(crate) mod facts;
pub(crate) mod grain;
pub(crate) mod hook_lib;
pub(crate) mod modules;
pub(crate) mod options;
pub(crate) mod record;
pub(crate) mod syntax;

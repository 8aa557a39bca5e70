//! flowscript's language server.
//!
//! Two layers: [`analysis`] is pure (a document's text in, plain answers out, byte offsets for
//! positions); [`server`] is the thin protocol layer on `tower-lsp-server`, one handler per
//! method, with every protocol type and UTF-16 conversion in `server/convert.rs`.

pub mod analysis;
pub mod harness;
pub mod server;

pub use server::serve_stdio;

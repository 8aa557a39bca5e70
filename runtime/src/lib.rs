//! flowscript's runtime: a `.flow.rhai` script is compiled, its top level is recorded into a
//! [`FlowGraph`], and the graph executes on tokio with PocketFlow's semantics while scripts wait
//! on I/O in coroutines without holding threads. Events report what happens.
//!
//! ```no_run
//! # async fn demo() {
//! let rt = flowscript_runtime::Runtime::new();
//! let loaded = rt.load("hello.flow.rhai", r#"
//!     let hi = node("hi", #{ post: |shared, p, e| { shared.greeting = "hello"; } });
//!     flow("main", hi)
//! "#);
//! let outcome = loaded.program.unwrap().run(Default::default()).await;
//! assert_eq!(outcome.shared["greeting"], "hello");
//! # }
//! ```

#![warn(unreachable_pub)]

// The layers, bottom first, are drawn in ARCHITECTURE.md. `co`, `value`, `host`, `script` and
// `exec` are internals: what an embedder, the CLI, `serve` and the language server need is
// re-exported below.
mod co;
pub mod diagnostic;
pub mod events;
mod exec;
pub mod graph;
mod host;
pub mod limits;
mod load;
mod script;
pub mod span;
mod value;

pub use co::memory::Counting;
pub use diagnostic::{Code, Diagnostic, Fix, Severity};
pub use events::{Event, EventKind, EventSink};
pub use exec::{Program, RunError, RunOptions, RunOutcome};
pub use graph::FlowGraph;
pub use host::{
    Answer, Denied, GLOBALS as HOST_GLOBALS, Grant, HostError, HostErrorKind, HumanInput,
    Permissions,
};
pub use limits::Limits;
pub use load::{LoadOptions, Loaded, ReadError, Runtime, RuntimeConfig};
pub use script::engine::PrintTo;
pub use script::record::RecordLimits;
pub use span::Span;
pub use tokio_util::sync::CancellationToken;

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

pub mod co;
pub mod events;
pub mod exec;
pub mod graph;
pub mod host;
pub mod limits;
mod load;
pub mod script;
pub mod span;

pub use events::{Event, EventKind, EventSink};
pub use exec::{Program, RunError, RunOptions, RunOutcome};
pub use graph::{Diagnostic, FlowGraph, Severity};
pub use limits::Limits;
pub use load::{LoadOptions, Loaded, ReadError, Runtime, RuntimeConfig};
pub use span::Span;
pub use tokio_util::sync::CancellationToken;

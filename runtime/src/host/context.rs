//! What host functions need from the run that calls them: permissions, the event emitter and
//! who answers `input()`.
//! Each run's walk and every item it spawns carries one [`HostContext`] as coroutine data.

use std::sync::Arc;

use super::input::HumanInput;
use super::permissions::Permissions;
use crate::events::Emitter;
use crate::host::ImportPolicy;
use crate::limits::Limits;

/// Per-run state for host functions.
pub(crate) struct HostContext {
    /// What the run may touch.
    pub permissions: Permissions,
    /// Where `emit`, `log` and streamed chunks go.
    pub events: Emitter,
    /// The runtime's bounds (reads, depth, HTTP time).
    pub limits: Limits,
    /// What `import` may load while hooks run.
    pub imports: Arc<ImportPolicy>,
    /// Who answers `input()`; `None` makes it an error.
    pub human: Option<Arc<dyn HumanInput>>,
    /// How many questions the run has asked (numbers the default keys).
    pub questions: std::sync::atomic::AtomicU64,
}

impl HostContext {
    /// The context of the run executing on this coroutine, if any.
    pub(crate) fn current() -> Option<Arc<Self>> {
        crate::co::data_as::<Self>()
    }

    /// The running run's limits (the defaults outside a run, e.g. while recording).
    pub(crate) fn limits() -> Limits {
        Self::current().map_or_else(Limits::default, |h| h.limits)
    }
}

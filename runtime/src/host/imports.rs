//! Who may import what: the policy one evaluation carries (the recorder's while a graph is
//! built, the run's host context while hooks run), read by the script layer's module resolver.

use std::path::{Path, PathBuf};

use super::permissions::Grant;

/// What one evaluation may import.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct ImportPolicy {
    /// The canonical folder of the script: modules below it need no grant. `None` for a script
    /// that is not a file (only granted modules load then).
    pub root: Option<PathBuf>,
    /// The run's read grant (always denied when no run is intended).
    pub read: Grant,
}

impl ImportPolicy {
    /// The policy for the script at `path` (its folder is the tree) with `read` granted.
    pub(crate) fn for_script(path: &Path, read: Grant) -> Self {
        let root = std::fs::canonicalize(path)
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        Self { root, read }
    }
}

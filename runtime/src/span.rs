//! Source positions: where in which script a node, edge, hook or error comes from.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A point in a script, 1-based line and column, as Rhai reports them.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// The script's path as given to the loader.
    pub file: Arc<str>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column; 0 when unknown.
    pub column: usize,
}

impl Span {
    /// A span in `file` at a Rhai position (line/column 0 when the position is `NONE`).
    pub fn at(file: &Arc<str>, pos: rhai::Position) -> Self {
        Self {
            file: file.clone(),
            line: pos.line().unwrap_or(0),
            column: pos.position().unwrap_or(0),
        }
    }

    /// Whether the line is known.
    pub fn is_known(&self) -> bool {
        self.line > 0
    }
}

impl std::fmt::Display for Span {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_known() {
            write!(f, "{}:{}:{}", self.file, self.line, self.column.max(1))
        } else {
            write!(f, "{}", self.file)
        }
    }
}

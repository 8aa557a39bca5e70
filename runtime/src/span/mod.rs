//! Source ranges: where in which script a node, edge, hook or error comes from, and the tools
//! that measure them — the one line index ([`LineIndex`]) and the one lexer ([`lex`]) that the
//! CLI and the language server use too.

pub mod lex;
mod lines;
mod range;
mod source;

use std::sync::Arc;

use serde::{Deserialize, Serialize};

pub use lines::LineIndex;
pub use range::TextRange;
pub use source::Source;

/// A range in a script: 1-based line and column of its start (as Rhai reports them) and of its
/// exclusive end. Rhai positions are points; [`Source`] measures the token there when the
/// span is made. Run-time spans (an error inside a hook) stay points.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Span {
    /// The script's path as given to the loader.
    pub file: Arc<str>,
    /// 1-based line; 0 when unknown.
    pub line: usize,
    /// 1-based column (in characters); 0 when unknown.
    pub column: usize,
    /// 1-based line of the end; equals `line` for a point.
    #[serde(default)]
    pub end_line: usize,
    /// 1-based column just past the end (in characters); equals `column` for a point.
    #[serde(default)]
    pub end_column: usize,
}

impl Span {
    /// A point span in `file` at `line` and `column` (0 when unknown).
    pub fn point(file: &Arc<str>, line: usize, column: usize) -> Self {
        Self {
            file: file.clone(),
            line,
            column,
            end_line: line,
            end_column: column,
        }
    }

    /// A point span in `file` at a Rhai position (line/column 0 when the position is `NONE`).
    pub fn at(file: &Arc<str>, pos: rhai::Position) -> Self {
        Self::point(file, pos.line().unwrap_or(0), pos.position().unwrap_or(0))
    }

    /// Whether the line is known.
    pub fn is_known(&self) -> bool {
        self.line > 0
    }

    /// Whether the span is a point (start = end).
    pub fn is_point(&self) -> bool {
        (self.line, self.column) == (self.end_line, self.end_column)
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

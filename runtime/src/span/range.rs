//! A byte range in a text: the position type of the lexer, the line index and the editor.

/// A half-open byte range `start..end` in a text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize)]
pub struct TextRange {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
}

impl TextRange {
    /// A range from `start` to `end` (swapped if given backwards).
    pub fn new(start: usize, end: usize) -> Self {
        Self {
            start: start.min(end),
            end: start.max(end),
        }
    }

    /// An empty range at `offset`.
    pub fn empty(offset: usize) -> Self {
        Self::new(offset, offset)
    }

    /// Whether `offset` is inside the range or at its end (where a cursor after a word is).
    pub fn touches(&self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }

    /// Whether `offset` is strictly inside (after the first byte, before the end).
    pub fn strictly_contains(&self, offset: usize) -> bool {
        self.start < offset && offset < self.end
    }
}

//! Source ranges: where in which script a node, edge, hook or error comes from.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A range in a script: 1-based line and column of its start (as Rhai reports them) and of its
/// exclusive end. Rhai positions are points; the end equals the start until
/// [`Span::widen_to_token`] measures the token there.
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

    /// Extend a point span over the token that starts there in `source`: a string literal
    /// (with its quotes), an identifier or number, or else one character. Spans that already
    /// have an extent, or whose start is not in `source`, are left alone.
    pub fn widen_to_token(&mut self, source: &SourceLines) {
        if self.is_known() && self.is_point() {
            self.extend_over_token_at(source, self.line, self.column);
        }
    }

    /// Move the end past the token that starts at the current end (a range recorded as
    /// "first token .. start of last token").
    pub fn widen_end_over_token(&mut self, source: &SourceLines) {
        if self.end_line > 0 {
            self.extend_over_token_at(source, self.end_line, self.end_column);
        }
    }

    /// Move a point span at a function body (`|a, b| body`, `fn f(a, b) { … }`) to the
    /// parameter list before it, on the same line: `|a, b|` or `(a, b)`. Left alone when none
    /// is found there.
    pub fn move_to_parameters(&mut self, source: &SourceLines) {
        if !(self.is_known() && self.is_point()) {
            return;
        }
        let Some(text) = source.line(self.line) else {
            return;
        };
        let before: Vec<char> = text.chars().take(self.column.saturating_sub(1)).collect();
        let Some(close) = before.iter().rposition(|c| !c.is_whitespace()) else {
            return;
        };
        let open = match before[close] {
            '|' => before[..close].iter().rposition(|&c| c == '|'),
            ')' => before[..close].iter().rposition(|&c| c == '('),
            _ => None,
        };
        if let Some(open) = open {
            self.column = open + 1;
            self.end_line = self.line;
            self.end_column = close + 2;
        }
    }

    fn extend_over_token_at(&mut self, source: &SourceLines, line: usize, column: usize) {
        let Some(text) = source.line(line) else {
            return;
        };
        let start = column.max(1) - 1;
        let rest: Vec<char> = text.chars().skip(start).collect();
        let Some(&first) = rest.first() else {
            return;
        };
        if self.is_point() {
            self.column = start + 1;
        }
        self.end_line = line;
        self.end_column = start + 1 + token_len(&rest, first);
    }
}

/// A source text split into lines once, so spans can be measured without rescanning it.
#[derive(Debug, Clone)]
pub struct SourceLines<'a> {
    text: &'a str,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl<'a> SourceLines<'a> {
    /// Index the lines of `text`.
    pub fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        Self { text, starts }
    }

    /// Line `n` (1-based) without its line ending, as `str::lines` would give it.
    pub fn line(&self, n: usize) -> Option<&'a str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = self.starts.get(n).map_or(self.text.len(), |&e| e);
        let line = &self.text[start..end];
        let line = line.strip_suffix('\n').unwrap_or(line);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }
}

/// Length in characters of the token starting `rest` (whose first character is `first`).
fn token_len(rest: &[char], first: char) -> usize {
    match first {
        '"' | '\'' | '`' => {
            let mut escaped = false;
            for (i, &c) in rest.iter().enumerate().skip(1) {
                match c {
                    '\\' if !escaped => escaped = true,
                    c if c == first && !escaped => return i + 1,
                    _ => escaped = false,
                }
            }
            // Unterminated on this line: cover the rest of it.
            rest.len()
        }
        '-' if rest.get(1).is_some_and(char::is_ascii_digit) => 1 + token_len(&rest[1..], rest[1]),
        c if c.is_alphanumeric() || c == '_' => rest
            .iter()
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .count(),
        _ => 1,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn widened(src: &str, line: usize, column: usize) -> (usize, usize, usize, usize) {
        let mut s = Span::point(&Arc::from("f"), line, column);
        s.widen_to_token(&SourceLines::new(src));
        (s.line, s.column, s.end_line, s.end_column)
    }

    #[test]
    fn widens_over_strings_identifiers_and_symbols() {
        let src = "let a = node(\"x\\\"y\", #{ retires: 3 });\n";
        assert_eq!(widened(src, 1, 14), (1, 14, 1, 20));
        assert_eq!(widened(src, 1, 25), (1, 25, 1, 32));
        assert_eq!(widened(src, 1, 7), (1, 7, 1, 8));
        assert_eq!(widened("çé_1 x", 1, 1), (1, 1, 1, 5));
    }

    #[test]
    fn lines_match_str_lines() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n\nc", "\n\n", "é\nü"] {
            let lines = SourceLines::new(text);
            let expected: Vec<&str> = text.lines().collect();
            let got: Vec<&str> = (1..=expected.len() + 1)
                .map_while(|n| lines.line(n))
                .collect();
            assert_eq!(got, expected, "{text:?}");
            assert_eq!(lines.line(0), None);
        }
    }

    #[test]
    fn leaves_unknown_and_out_of_range_spans_alone() {
        assert_eq!(widened("abc", 0, 0), (0, 0, 0, 0));
        assert_eq!(widened("abc", 5, 1), (5, 1, 5, 1));
        assert_eq!(widened("abc", 1, 9), (1, 9, 1, 9));
        assert_eq!(widened("\"open", 1, 1), (1, 1, 1, 6));
    }
}

//! [`Source`]: a script's name, line index and tokens, which every span is made from.

use std::sync::Arc;

use super::Span;
use super::lex::{self, Token, TokenKind};
use super::lines::LineIndex;

/// A script's name and text, indexed and tokenised once: what the loader makes spans with.
/// Every span of a node, edge, hook, fact or diagnostic comes from here with its extent measured
/// at once (a string literal with its quotes, an identifier, a whole transition), so no later
/// pass has to find and widen them.
#[derive(Debug, Clone)]
pub struct Source {
    file: Arc<str>,
    lines: LineIndex,
    /// The non-comment tokens, in order.
    tokens: Vec<Token>,
}

impl Source {
    /// Index and tokenise `text`, the script named `file`.
    pub fn new(file: Arc<str>, text: Arc<str>) -> Self {
        let tokens = lex::lex(&text)
            .into_iter()
            .filter(|t| t.kind != TokenKind::Comment)
            .collect();
        Self {
            file,
            lines: LineIndex::new(text),
            tokens,
        }
    }

    /// The script's name, as spans carry it.
    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    /// Line `n` (1-based) without its line ending.
    pub fn line(&self, n: usize) -> Option<&str> {
        self.lines.line(n)
    }

    /// The byte offset of a known Rhai position that lies on its line's text.
    fn offset_of(&self, pos: rhai::Position) -> Option<usize> {
        let (line, column) = (pos.line()?, pos.position().unwrap_or(1).max(1));
        let chars = self.lines.line(line)?.chars().count();
        (column <= chars).then(|| self.lines.offset(line, column))?
    }

    /// The index of the token starting at byte `offset`.
    fn token_at(&self, offset: usize) -> Option<usize> {
        let i = self.tokens.partition_point(|t| t.range.start < offset);
        self.tokens
            .get(i)
            .filter(|t| t.range.start == offset)
            .map(|_| i)
    }

    /// The span of bytes `start..end`.
    fn span(&self, start: usize, end: usize) -> Span {
        let (line, column) = self.lines.line_col(start);
        let (end_line, end_column) = self.lines.line_col(end);
        Span {
            file: self.file.clone(),
            line: line + 1,
            column: column + 1,
            end_line: end_line + 1,
            end_column: end_column + 1,
        }
    }

    /// The token that starts at a Rhai position: a string literal (with its quotes), an
    /// identifier or number (a negative one with its sign), or else one character. A position
    /// that is `NONE` or not on the text gives a point.
    pub fn token(&self, pos: rhai::Position) -> Span {
        let Some(offset) = self.offset_of(pos) else {
            return Span::at(&self.file, pos);
        };
        let Some(i) = self.token_at(offset) else {
            let len = self.lines.text()[offset..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
            return self.span(offset, offset + len);
        };
        let t = self.tokens[i];
        let text = self.lines.text();
        let end = match self.tokens.get(i + 1) {
            // Rhai reads `-5` as one literal at the sign.
            Some(n)
                if t.is_punct(text, "-")
                    && n.kind == TokenKind::Number
                    && n.range.start == t.range.end =>
            {
                n.range.end
            }
            _ => t.range.end,
        };
        self.span(t.range.start, end)
    }

    /// From the token at `first` to the end of the token at `last` (an expression whose first
    /// and last tokens are known, such as a transition `a - "x" >> b`).
    pub fn range(&self, first: rhai::Position, last: rhai::Position) -> Span {
        let start = Span::at(&self.file, first);
        let mut end = self.token(last);
        if !end.is_known() {
            end = start.clone();
        }
        Span {
            end_line: end.end_line,
            end_column: end.end_column,
            ..start
        }
    }

    /// For a function body at `pos` (`|a, b| body`, `fn f(a, b) { … }`): the parameter list
    /// before it, `|a, b|` or `(a, b)`; the token at `pos` when there is none.
    pub fn parameters(&self, pos: rhai::Position) -> Span {
        let text = self.lines.text();
        let found = self.offset_of(pos).and_then(|offset| {
            let close = self
                .tokens
                .partition_point(|t| t.range.start < offset)
                .checked_sub(1)?;
            let closer = self.tokens[close];
            let open = if closer.is_punct(text, "|") {
                (0..close)
                    .rev()
                    .find(|&k| self.tokens[k].is_punct(text, "|"))
            } else if closer.is_punct(text, ")") {
                self.matching_open(close, "(", ")")
            } else {
                None
            }?;
            Some(self.span(self.tokens[open].range.start, closer.range.end))
        });
        found.unwrap_or_else(|| self.token(pos))
    }

    /// The token opening the group that the `close` token at index `at` ends.
    fn matching_open(&self, at: usize, open: &str, close: &str) -> Option<usize> {
        let text = self.lines.text();
        let mut depth = 0usize;
        for k in (0..at).rev() {
            let t = &self.tokens[k];
            if t.is_punct(text, close) {
                depth += 1;
            } else if t.is_punct(text, open) {
                if depth == 0 {
                    return Some(k);
                }
                depth -= 1;
            }
        }
        None
    }

    /// The point just past the last token before `pos`, skipping blank space and comments
    /// (across lines): where a token the parser expected at `pos` was left out. `None` when
    /// nothing comes before `pos`.
    pub fn after_previous_token(&self, pos: rhai::Position) -> Option<Span> {
        let (line, column) = (pos.line()?, pos.position().unwrap_or(1));
        let offset = self.lines.offset(line, column)?;
        let i = self.tokens.partition_point(|t| t.range.start < offset);
        let end = self.tokens.get(i.checked_sub(1)?)?.range.end;
        let (l, c) = self.lines.line_col(end);
        Some(Span::point(&self.file, l + 1, c + 1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(src: &str) -> Source {
        Source::new(Arc::from("f"), Arc::from(src))
    }

    fn widened(src: &str, line: usize, column: usize) -> (usize, usize, usize, usize) {
        let s = if line == 0 {
            source(src).token(rhai::Position::NONE)
        } else {
            source(src).token(rhai::Position::new(line as u16, column as u16))
        };
        (s.line, s.column, s.end_line, s.end_column)
    }

    #[test]
    fn widens_over_strings_identifiers_and_symbols() {
        let src = "let a = node(\"x\\\"y\", #{ retires: 3 });\n";
        assert_eq!(widened(src, 1, 14), (1, 14, 1, 20));
        assert_eq!(widened(src, 1, 25), (1, 25, 1, 32));
        assert_eq!(widened(src, 1, 7), (1, 7, 1, 8));
        assert_eq!(widened("ab_1 x", 1, 1), (1, 1, 1, 5));
        // Identifiers are ASCII, as in Rhai: a letter beyond is one character.
        assert_eq!(widened("çé x", 1, 1), (1, 1, 1, 2));
        assert_eq!(widened("x = -5;", 1, 5), (1, 5, 1, 7));
        // A multi-line string is measured whole.
        assert_eq!(widened("`a\nb` x", 1, 1), (1, 1, 2, 3));
    }

    #[test]
    fn leaves_unknown_and_out_of_range_spans_alone() {
        assert_eq!(widened("abc", 0, 0), (0, 0, 0, 0));
        assert_eq!(widened("abc", 5, 1), (5, 1, 5, 1));
        assert_eq!(widened("abc", 1, 9), (1, 9, 1, 9));
        assert_eq!(widened("\"open", 1, 1), (1, 1, 1, 6));
    }

    #[test]
    fn the_point_after_the_previous_token_skips_blanks_and_comments() {
        let src = "let m = #{\n  a: \"x // y\" // note\n\n  b: 2\n};\n";
        let s = source(src);
        // Rhai reports the missing comma at `b` (4:3): it belongs after `"x // y"` on line 2.
        let p = s
            .after_previous_token(rhai::Position::new(4, 3))
            .expect("a token");
        assert_eq!((p.line, p.column, p.is_point()), (2, 14, true));
        let p = s
            .after_previous_token(rhai::Position::new(1, 9))
            .expect("a token");
        assert_eq!((p.line, p.column), (1, 8));
        assert!(s.after_previous_token(rhai::Position::new(1, 1)).is_none());
        assert!(s.after_previous_token(rhai::Position::NONE).is_none());
    }

    #[test]
    fn ranges_and_parameter_lists() {
        let src = "let a = node(\"a\", #{ exec: |x, y| x });\na - \"go\" >> bee;\n";
        let s = source(src);
        let r = s.range(rhai::Position::new(2, 1), rhai::Position::new(2, 13));
        assert_eq!((r.line, r.column, r.end_line, r.end_column), (2, 1, 2, 16));
        let p = s.parameters(rhai::Position::new(1, 35));
        assert_eq!((p.line, p.column, p.end_line, p.end_column), (1, 28, 1, 34));
        // No parameter list before: the token itself.
        let t = s.parameters(rhai::Position::new(1, 9));
        assert_eq!((t.column, t.end_column), (9, 13));
    }
}

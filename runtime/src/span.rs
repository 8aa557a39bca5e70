//! Source ranges: where in which script a node, edge, hook or error comes from.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

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

/// A script's name and text, split into lines once: what the loader makes spans with. Every
/// span of a node, edge, hook, fact or diagnostic comes from here with its extent measured at
/// once (a string literal with its quotes, an identifier, a whole transition), so no later pass
/// has to find and widen them.
#[derive(Debug, Clone)]
pub struct Source {
    file: Arc<str>,
    text: Arc<str>,
    /// Byte offset where each line starts.
    starts: Vec<usize>,
}

impl Source {
    /// Index the lines of `text`, the script named `file`.
    pub fn new(file: Arc<str>, text: Arc<str>) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .filter(|&i| i < text.len())
            .collect();
        Self { file, text, starts }
    }

    /// The script's name, as spans carry it.
    pub fn file(&self) -> &Arc<str> {
        &self.file
    }

    /// Line `n` (1-based) without its line ending, as `str::lines` would give it.
    pub fn line(&self, n: usize) -> Option<&str> {
        let start = *self.starts.get(n.checked_sub(1)?)?;
        let end = self.starts.get(n).map_or(self.text.len(), |&e| e);
        let line = &self.text[start..end];
        let line = line.strip_suffix('\n').unwrap_or(line);
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// The token that starts at a Rhai position: a string literal (with its quotes), an
    /// identifier or number, or else one character. A position that is `NONE` or not in the
    /// text gives a point.
    pub fn token(&self, pos: rhai::Position) -> Span {
        let mut span = Span::at(&self.file, pos);
        if span.is_known() {
            self.extend_over_token(&mut span);
        }
        span
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
    /// before it on the same line, `|a, b|` or `(a, b)`; the token at `pos` when there is none.
    pub fn parameters(&self, pos: rhai::Position) -> Span {
        let point = Span::at(&self.file, pos);
        let found = self.line(point.line).and_then(|text| {
            let before: Vec<char> = text.chars().take(point.column.saturating_sub(1)).collect();
            let close = before.iter().rposition(|c| !c.is_whitespace())?;
            let open = match before[close] {
                '|' => before[..close].iter().rposition(|&c| c == '|'),
                ')' => before[..close].iter().rposition(|&c| c == '('),
                _ => None,
            }?;
            Some(Span {
                column: open + 1,
                end_line: point.line,
                end_column: close + 2,
                ..point.clone()
            })
        });
        found.unwrap_or_else(|| self.token(pos))
    }

    /// The point just past the last token before `pos`, skipping blank space and `//`
    /// comments (across lines): where a token the parser expected at `pos` was left out.
    /// `None` when nothing comes before `pos`.
    pub fn after_previous_token(&self, pos: rhai::Position) -> Option<Span> {
        let (line, column) = (pos.line()?, pos.position().unwrap_or(1));
        for n in (1..=line).rev() {
            let text = self.line(n)?;
            let upto: String = if n == line {
                text.chars().take(column.saturating_sub(1)).collect()
            } else {
                text.to_string()
            };
            let code = code_of(&upto).trim_end();
            if !code.is_empty() {
                return Some(Span::point(&self.file, n, code.chars().count() + 1));
            }
        }
        None
    }

    fn extend_over_token(&self, span: &mut Span) {
        let Some(text) = self.line(span.line) else {
            return;
        };
        let start = span.column.max(1) - 1;
        let rest: Vec<char> = text.chars().skip(start).collect();
        let Some(&first) = rest.first() else {
            return;
        };
        span.column = start + 1;
        span.end_line = span.line;
        span.end_column = start + 1 + token_len(&rest, first);
    }
}

/// `line` without a `//` comment (one outside string literals).
fn code_of(line: &str) -> &str {
    let mut quote: Option<char> = None;
    let mut escaped = false;
    let mut prev_slash = false;
    for (i, c) in line.char_indices() {
        match quote {
            Some(q) => {
                if escaped {
                    escaped = false;
                } else if c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            }
            None if c == '/' && prev_slash => return &line[..i - 1],
            None if matches!(c, '"' | '\'' | '`') => quote = Some(c),
            None => {}
        }
        prev_slash = quote.is_none() && c == '/' && !prev_slash;
    }
    line
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
        assert_eq!(widened("çé_1 x", 1, 1), (1, 1, 1, 5));
    }

    #[test]
    fn lines_match_str_lines() {
        for text in ["", "a", "a\n", "a\nb", "a\r\nb\r\n\nc", "\n\n", "é\nü"] {
            let lines = source(text);
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

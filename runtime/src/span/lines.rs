//! The one line index: byte offsets, Rhai's 1-based line and character column, and the editor
//! protocol's UTF-16 columns, converted for one text. Spans, the CLI's reports and the language
//! server all convert through it, so they cannot disagree about where a character is.

use std::sync::Arc;

/// A text and where its lines start. A final line break starts one more (empty) line, as in an
/// editor.
#[derive(Debug, Clone)]
pub struct LineIndex {
    text: Arc<str>,
    /// Byte offset where each line starts; the first is 0.
    starts: Vec<usize>,
}

impl LineIndex {
    /// Index `text`.
    pub fn new(text: impl Into<Arc<str>>) -> Self {
        let text = text.into();
        let starts = std::iter::once(0)
            .chain(memchr_newlines(&text).map(|i| i + 1))
            .collect();
        Self { text, starts }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The text, shared.
    pub fn shared_text(&self) -> &Arc<str> {
        &self.text
    }

    /// How many lines there are (at least one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The byte range of 0-based line `line` without its line ending.
    fn line_bytes(&self, line: usize) -> Option<(usize, usize)> {
        let start = *self.starts.get(line)?;
        let mut end = self.starts.get(line + 1).map_or(self.text.len(), |&e| e);
        let bytes = self.text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
            if end > start && bytes.get(end - 1) == Some(&b'\r') {
                end -= 1;
            }
        }
        Some((start, end))
    }

    /// Line `n` (1-based) without its line ending; `None` for 0 or past the last line.
    pub fn line(&self, n: usize) -> Option<&str> {
        let (start, end) = self.line_bytes(n.checked_sub(1)?)?;
        self.text.get(start..end)
    }

    /// `offset` clamped to the text and moved back to a character boundary.
    pub fn floor_char_boundary(&self, offset: usize) -> usize {
        let mut o = offset.min(self.text.len());
        while !self.text.is_char_boundary(o) {
            o -= 1;
        }
        o
    }

    /// The byte offset of a Rhai position: 1-based `line`, 1-based `column` in characters. A
    /// column past the line's end is its end; a line past the last is the end of the text;
    /// `None` for line 0 (unknown).
    pub fn offset(&self, line: usize, column: usize) -> Option<usize> {
        let Some((start, end)) = self.line_bytes(line.checked_sub(1)?) else {
            return Some(self.text.len());
        };
        let line_text = self.text.get(start..end).unwrap_or("");
        let within = line_text
            .char_indices()
            .nth(column.saturating_sub(1))
            .map_or(line_text.len(), |(i, _)| i);
        Some(start + within)
    }

    /// 0-based line and 0-based character column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = self.floor_char_boundary(offset);
        let line = self.line_of(offset);
        let col = self
            .text
            .get(self.starts[line]..offset)
            .map_or(0, |s| s.chars().count());
        (line, col)
    }

    /// 0-based line and UTF-16 column of a byte offset (clamped): a protocol position.
    pub fn utf16_position(&self, offset: usize) -> (u32, u32) {
        let offset = self.floor_char_boundary(offset);
        let line = self.line_of(offset);
        let col: usize = self
            .text
            .get(self.starts[line]..offset)
            .map_or(0, |s| s.chars().map(char::len_utf16).sum());
        (to_u32(line), to_u32(col))
    }

    /// The byte offset of a protocol position (0-based line, UTF-16 column), clamped to the
    /// line's end and the text's; a column inside a surrogate pair moves to the character's start.
    pub fn utf16_offset(&self, line: u32, column: u32) -> usize {
        let Some((start, end)) = self.line_bytes(line as usize) else {
            return self.text.len();
        };
        let mut units = 0usize;
        for (i, c) in self.text.get(start..end).unwrap_or("").char_indices() {
            units += c.len_utf16();
            if units > column as usize {
                return start + i;
            }
        }
        end
    }

    /// The 0-based line holding byte `offset` (which must be within the text).
    fn line_of(&self, offset: usize) -> usize {
        self.starts
            .partition_point(|&s| s <= offset)
            .saturating_sub(1)
    }
}

fn memchr_newlines(text: &str) -> impl Iterator<Item = usize> + '_ {
    text.bytes()
        .enumerate()
        .filter(|(_, b)| *b == b'\n')
        .map(|(i, _)| i)
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_characters_like_rhai() {
        let d = LineIndex::new("é = 1;\nlet x = \"ü\";\n");
        assert_eq!(d.offset(1, 1), Some(0));
        assert_eq!(d.offset(1, 2), Some(2));
        assert_eq!(d.offset(2, 5), Some(12));
        assert_eq!(d.offset(9, 1), Some(d.text().len()));
        assert_eq!(d.offset(1, 99), Some(7));
        assert_eq!(d.offset(0, 1), None);
        assert_eq!(d.line_col(12), (1, 4));
        assert_eq!(d.line_col(1), (0, 0));
    }

    #[test]
    fn lines_are_editor_lines() {
        for (text, want) in [
            ("", vec![""]),
            ("a", vec!["a"]),
            ("a\n", vec!["a", ""]),
            ("a\r\nb\r\n\nc", vec!["a", "b", "", "c"]),
            ("é\nü", vec!["é", "ü"]),
        ] {
            let index = LineIndex::new(text);
            let got: Vec<&str> = (1..=index.line_count())
                .map(|n| index.line(n).unwrap_or("?"))
                .collect();
            assert_eq!(got, want, "{text:?}");
            assert_eq!(index.line(0), None);
            assert_eq!(index.line(index.line_count() + 1), None);
        }
    }

    #[test]
    fn utf16_round_trips_through_astral_characters() {
        let index = LineIndex::new("a😀b\r\nü\n");
        assert_eq!(index.utf16_position(5), (0, 3));
        assert_eq!(index.utf16_offset(0, 3), 5);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(index.utf16_offset(0, 2), 1);
        // Past the line's end: before its `\r\n`.
        assert_eq!(index.utf16_offset(0, 99), 6);
        assert_eq!(index.utf16_offset(1, 1), 10);
        assert_eq!(index.utf16_offset(7, 0), index.text().len());
        for offset in 0..=index.text().len() {
            let o = index.floor_char_boundary(offset);
            let (l, c) = index.utf16_position(o);
            let back = index.utf16_offset(l, c);
            // A line ending's bytes are not addressable: they map to the line's end.
            assert!(back == o || index.text()[back..o].trim().is_empty(), "{o}");
        }
    }
}

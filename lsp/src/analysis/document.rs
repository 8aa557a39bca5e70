//! A document's text with its line index and tokens, and the position type of the analysis.
//!
//! **Positions in the analysis are byte offsets into the document's text** ([`TextRange`]).
//! Rhai reports 1-based lines and 1-based columns counted in characters; [`Document::offset_at`]
//! turns those into byte offsets. All conversions go through the runtime's one
//! [`LineIndex`], which also gives the server its UTF-16 protocol positions.

use flowscript_runtime::span::LineIndex;

use super::lexer::{self, Token, TokenKind};

pub use flowscript_runtime::span::TextRange;

/// A document: its text, where its lines start, and its tokens.
#[derive(Debug, Clone)]
pub struct Document {
    lines: LineIndex,
    tokens: Vec<Token>,
    /// For each opening bracket token, the index of its closing token (`usize::MAX` if none).
    closers: Vec<usize>,
}

impl Document {
    /// Index `text`.
    pub fn new(text: &str) -> Self {
        let tokens = lexer::lex(text);
        let closers = match_brackets(text, &tokens);
        Self {
            lines: LineIndex::new(text),
            tokens,
            closers,
        }
    }

    /// The index of the token closing the bracket at token `open`, if it is closed.
    pub fn closer(&self, open: usize) -> Option<usize> {
        self.closers.get(open).copied().filter(|&c| c != usize::MAX)
    }

    /// Where a bracket group opened at token `open` ends: its closer, or the end of the tokens.
    pub fn group_end(&self, open: usize) -> usize {
        self.closer(open).unwrap_or(self.tokens.len())
    }

    /// The opening brackets enclosing `offset`, outermost first (token indices).
    pub fn open_groups_at(&self, offset: usize) -> Vec<usize> {
        let mut stack = Vec::new();
        for (i, t) in self.tokens.iter().enumerate() {
            if t.range.start >= offset {
                break;
            }
            if opener(self.text(), t).is_some() {
                stack.push(i);
            } else if let Some(c) = closer_char(self.text(), t) {
                if let Some(pos) = stack
                    .iter()
                    .rposition(|&o| opener(self.text(), &self.tokens[o]) == Some(c))
                {
                    stack.truncate(pos);
                }
            }
        }
        stack
    }

    /// Split the bracket group opened at token `open` into comma-separated parts, as
    /// half-open token index ranges (nested groups are skipped over).
    pub fn split_group(&self, open: usize) -> Vec<(usize, usize)> {
        let end = self.group_end(open);
        let mut parts = Vec::new();
        let mut start = open + 1;
        let mut i = open + 1;
        while i < end {
            let t = &self.tokens[i];
            if opener(self.text(), t).is_some() {
                i = self.group_end(i) + 1;
                continue;
            }
            if t.is_punct(self.text(), "|") && self.starts_closure(i) {
                // Skip the closure's parameter list: its commas do not split the group.
                i = (i + 1..end)
                    .find(|&k| self.tokens[k].is_punct(self.text(), "|"))
                    .map_or(end, |k| k + 1);
                continue;
            }
            if t.is_punct(self.text(), ",") {
                parts.push((start, i));
                start = i + 1;
            }
            i += 1;
        }
        if start < end.min(self.tokens.len()) || !parts.is_empty() {
            parts.push((start, end.min(self.tokens.len())));
        }
        parts
    }

    /// Whether the `|` at token `i` opens a closure's parameters (it starts an expression).
    fn starts_closure(&self, i: usize) -> bool {
        match self.prev_code(i) {
            None => true,
            Some((_, p)) => {
                p.kind == TokenKind::MapOpen
                    || (p.kind == TokenKind::Punct
                        && matches!(p.text(self.text()), ":" | "," | "(" | "[" | "=" | "{" | ";"))
                    || p.is_ident(self.text(), "return")
            }
        }
    }

    /// The non-comment tokens of a token index range.
    pub fn code_in(&self, range: (usize, usize)) -> impl Iterator<Item = (usize, &Token)> {
        let (lo, hi) = (
            range.0.min(self.tokens.len()),
            range.1.min(self.tokens.len()),
        );
        self.tokens[lo..hi.max(lo)]
            .iter()
            .enumerate()
            .map(move |(k, t)| (lo + k, t))
            .filter(|(_, t)| t.kind != TokenKind::Comment)
    }

    /// A document too large to tokenise: its text and lines only, no tokens.
    pub fn unlexed(text: &str) -> Self {
        Self {
            lines: LineIndex::new(text),
            tokens: Vec::new(),
            closers: Vec::new(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        self.lines.text()
    }

    /// The line index of the text (byte, character and UTF-16 positions).
    pub fn lines(&self) -> &LineIndex {
        &self.lines
    }

    /// All tokens, comments included, in order.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The text of a range (empty if the range is not on character boundaries).
    pub fn slice(&self, range: TextRange) -> &str {
        self.text().get(range.start..range.end).unwrap_or("")
    }

    /// The byte offset of a Rhai position: 1-based `line`, 1-based `column` in characters.
    /// Out-of-range values are clamped to the line or the text; line 0 means the start.
    pub fn offset_at(&self, line: usize, column: usize) -> usize {
        self.lines.offset(line, column).unwrap_or(0)
    }

    /// 0-based line and 0-based character column of a byte offset (clamped to the text).
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines.line_col(offset)
    }

    /// `offset` clamped to the text and moved back to a character boundary.
    pub fn floor_char_boundary(&self, offset: usize) -> usize {
        self.lines.floor_char_boundary(offset)
    }

    /// Index of the first non-comment token starting at or after `offset`.
    pub fn token_index_at_or_after(&self, offset: usize) -> usize {
        self.tokens.partition_point(|t| t.range.start < offset)
    }

    /// The identifier token touching `offset`: the cursor inside it, just after it, or on its
    /// first character right after another token (`fs::|read`).
    pub fn ident_at(&self, offset: usize) -> Option<(usize, Token)> {
        let i = self.tokens.partition_point(|t| t.range.end < offset);
        (i..self.tokens.len().min(i + 2)).find_map(|j| {
            let t = self.tokens[j];
            (t.kind == TokenKind::Ident && t.range.touches(offset)).then_some((j, t))
        })
    }

    /// The token strictly containing `offset` (for strings and comments).
    pub fn token_containing(&self, offset: usize) -> Option<(usize, Token)> {
        let i = self.tokens.partition_point(|t| t.range.end <= offset);
        self.tokens
            .get(i)
            .filter(|t| t.range.strictly_contains(offset))
            .map(|t| (i, *t))
    }

    /// The previous non-comment token before index `i`.
    pub fn prev_code(&self, i: usize) -> Option<(usize, Token)> {
        self.tokens[..i.min(self.tokens.len())]
            .iter()
            .enumerate()
            .rev()
            .find(|(_, t)| t.kind != TokenKind::Comment)
            .map(|(j, t)| (j, *t))
    }

    /// The next non-comment token after index `i`.
    pub fn next_code(&self, i: usize) -> Option<(usize, Token)> {
        self.tokens
            .iter()
            .enumerate()
            .skip(i + 1)
            .find(|(_, t)| t.kind != TokenKind::Comment)
            .map(|(j, t)| (j, *t))
    }

    /// The range of the token starting at a byte offset, or of the word there, or one character.
    pub fn token_range_from(&self, offset: usize) -> TextRange {
        let offset = self.floor_char_boundary(offset);
        let i = self.tokens.partition_point(|t| t.range.start < offset);
        match self.tokens.get(i) {
            Some(t) if t.range.start == offset && t.kind != TokenKind::Comment => t.range,
            _ => {
                let len = self.text()[offset..]
                    .chars()
                    .next()
                    .map_or(0, char::len_utf8);
                TextRange::new(offset, offset + len)
            }
        }
    }
}

/// The closing character an opening token expects.
fn opener(text: &str, t: &Token) -> Option<char> {
    match t.kind {
        TokenKind::MapOpen => Some('}'),
        TokenKind::Punct => match t.text(text) {
            "(" => Some(')'),
            "[" => Some(']'),
            "{" => Some('}'),
            _ => None,
        },
        _ => None,
    }
}

/// The character of a closing token.
fn closer_char(text: &str, t: &Token) -> Option<char> {
    match (t.kind, t.text(text)) {
        (TokenKind::Punct, ")") => Some(')'),
        (TokenKind::Punct, "]") => Some(']'),
        (TokenKind::Punct, "}") => Some('}'),
        _ => None,
    }
}

/// Match brackets; a closer with no matching opener on the stack is ignored, and one that
/// matches a deeper opener closes the unclosed ones above it.
fn match_brackets(text: &str, tokens: &[Token]) -> Vec<usize> {
    let mut closers = vec![usize::MAX; tokens.len()];
    let mut stack: Vec<(usize, char)> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        if let Some(c) = opener(text, t) {
            stack.push((i, c));
        } else if let Some(c) = closer_char(text, t) {
            if let Some(pos) = stack.iter().rposition(|&(_, want)| want == c) {
                closers[stack[pos].0] = i;
                stack.truncate(pos);
            }
        }
    }
    closers
}

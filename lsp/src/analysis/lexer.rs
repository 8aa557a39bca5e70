//! A forgiving lexer for flow scripts: tokens with byte ranges, for any text, even broken.
//!
//! The analysis needs positions of identifiers, strings and brackets while the user types, when
//! Rhai's parser may reject the text. This lexer never fails: an unterminated string or comment
//! runs to the end of the text, an unknown character is a one-character [`TokenKind::Punct`].

use super::document::TextRange;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or keyword.
    Ident,
    /// A string literal (`"..."` or `` `...` ``), quotes included; maybe unterminated.
    Str,
    /// A character literal (`'c'`).
    Char,
    /// A number.
    Number,
    /// `#{`, the start of a map literal.
    MapOpen,
    /// Punctuation or an operator (`::` and `>>` are one token, other operators one character).
    Punct,
    /// A comment (`//…`, `/*…*/`); doc comments start with `///` or `/**`.
    Comment,
}

/// One token: its kind and where it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// The kind.
    pub kind: TokenKind,
    /// Byte range in the text.
    pub range: TextRange,
}

impl Token {
    /// The token's text.
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        source.get(self.range.start..self.range.end).unwrap_or("")
    }

    /// Whether this is the punctuation `p`.
    pub fn is_punct(&self, source: &str, p: &str) -> bool {
        self.kind == TokenKind::Punct && self.text(source) == p
    }

    /// Whether this is the identifier or keyword `word`.
    pub fn is_ident(&self, source: &str, word: &str) -> bool {
        self.kind == TokenKind::Ident && self.text(source) == word
    }

    /// For a string literal, its contents without quotes (escapes left as written).
    pub fn str_value<'a>(&self, source: &'a str) -> Option<&'a str> {
        if self.kind != TokenKind::Str {
            return None;
        }
        let text = self.text(source);
        let quote = text.chars().next()?;
        let inner = &text[quote.len_utf8()..];
        Some(inner.strip_suffix(quote).unwrap_or(inner))
    }
}

/// Split `source` into tokens (whitespace dropped, comments kept).
pub fn lex(source: &str) -> Vec<Token> {
    let bytes = source.as_bytes();
    let mut tokens = Vec::with_capacity(source.len() / 4);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let kind = match b {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = memchr_newline(bytes, i);
                TokenKind::Comment
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = block_comment_end(bytes, i);
                TokenKind::Comment
            }
            b'"' => {
                i = string_end(bytes, i, b'"');
                TokenKind::Str
            }
            b'`' => {
                i = backtick_end(bytes, i);
                TokenKind::Str
            }
            b'\'' => {
                i = string_end(bytes, i, b'\'');
                TokenKind::Char
            }
            b'#' if bytes.get(i + 1) == Some(&b'{') => {
                i += 2;
                TokenKind::MapOpen
            }
            b':' if bytes.get(i + 1) == Some(&b':') => {
                i += 2;
                TokenKind::Punct
            }
            b'>' if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                TokenKind::Punct
            }
            b'=' if bytes.get(i + 1) == Some(&b'>') => {
                i += 2;
                TokenKind::Punct
            }
            b'0'..=b'9' => {
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if i + 1 < bytes.len() && bytes[i] == b'.' && bytes[i + 1].is_ascii_digit() {
                    i += 1;
                    while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_')
                    {
                        i += 1;
                    }
                }
                TokenKind::Number
            }
            b if is_ident_start(b) => {
                while i < bytes.len() && is_ident_continue(bytes[i]) {
                    i += 1;
                }
                TokenKind::Ident
            }
            _ => {
                // One character, whole (UTF-8 sequences stay together).
                i += source[i..].chars().next().map_or(1, char::len_utf8);
                TokenKind::Punct
            }
        };
        tokens.push(Token {
            kind,
            range: TextRange::new(start, i.min(bytes.len())),
        });
    }
    tokens
}

/// Whether `b` can start an identifier.
pub fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

/// Whether `b` can continue an identifier.
pub fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

fn memchr_newline(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

/// End of a (nested) block comment starting at `from`.
fn block_comment_end(bytes: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut i = from;
    while i < bytes.len() {
        if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
            depth += 1;
            i += 2;
        } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
            depth -= 1;
            i += 2;
            if depth == 0 {
                return i;
            }
        } else {
            i += 1;
        }
    }
    bytes.len()
}

/// End of a quoted literal; stops at the line end when unterminated.
fn string_end(bytes: &[u8], from: usize, quote: u8) -> usize {
    let mut i = from + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return i,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// End of a backtick string, skipping `${ … }` interpolations (which may nest strings).
fn backtick_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'`' => return i + 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                let mut depth = 0usize;
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'"' => i = string_end(bytes, i, b'"').saturating_sub(1),
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        lex(src).iter().map(|t| (t.kind, t.text(src))).collect()
    }

    #[test]
    fn lexes_the_shapes_scripts_use() {
        let src =
            "let a = node(\"x\", #{ retries: 3, exec: |x| `v${x}` }); // c\na - \"go\" >> fs::read";
        let k = kinds(src);
        assert!(k.contains(&(TokenKind::MapOpen, "#{")));
        assert!(k.contains(&(TokenKind::Str, "`v${x}`")));
        assert!(k.contains(&(TokenKind::Comment, "// c")));
        assert!(k.contains(&(TokenKind::Punct, ">>")));
        assert!(k.contains(&(TokenKind::Punct, "::")));
        assert!(k.contains(&(TokenKind::Number, "3")));
    }

    #[test]
    fn never_fails_on_broken_text() {
        for src in ["\"unterminated", "/* open", "`a ${ b", "é ü ∑", "'", "\\"] {
            let toks = lex(src);
            assert!(toks.iter().all(|t| t.range.end <= src.len()));
        }
    }
}

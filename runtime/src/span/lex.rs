//! The one lexer for flow scripts: tokens with byte ranges, for any text, even broken.
//!
//! Spans measure the token a Rhai position points at with it, and the language server reads
//! identifiers, strings and brackets with it while the user types, when Rhai's parser may reject
//! the text. It splits literals, identifiers and comments exactly where Rhai's own tokenizer does
//! (a differential test checks that on generated scripts), but never fails: an unterminated
//! string or comment runs to the end of its line or of the text, an unknown character is a
//! one-character [`TokenKind::Punct`]. Operators other than `::`, `>>` and `=>` are single
//! characters, and a minus sign is never part of a number: what the analysis needs.

use super::range::TextRange;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// An identifier or keyword.
    Ident,
    /// A string literal (`"..."`, `` `...` `` or raw `#"..."#`), quotes included; maybe
    /// unterminated.
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
            b'#' if i == 0 && bytes.get(1) == Some(&b'!') => {
                // A shebang line, which Rhai skips like a comment.
                i = memchr_newline(bytes, i);
                TokenKind::Comment
            }
            b'#' if raw_string_hashes(bytes, i).is_some() => {
                i = raw_string_end(bytes, i);
                TokenKind::Str
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
                i = number_end(bytes, i);
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

/// How many `#` open a raw string at `from` (`#"`, `##"`, …), if one starts there.
fn raw_string_hashes(bytes: &[u8], from: usize) -> Option<usize> {
    let hashes = bytes[from..].iter().take_while(|&&b| b == b'#').count();
    (bytes.get(from + hashes) == Some(&b'"')).then_some(hashes)
}

/// End of a raw string at `from`: after a `"` followed by as many `#` as opened it, or the end
/// of the text. No escapes, and line breaks are part of it.
fn raw_string_end(bytes: &[u8], from: usize) -> usize {
    let Some(hashes) = raw_string_hashes(bytes, from) else {
        return from + 1;
    };
    let closes = |i: usize| {
        bytes[i] == b'"'
            && bytes
                .get(i + 1..i + 1 + hashes)
                .is_some_and(|h| h.iter().all(|&b| b == b'#'))
    };
    (from + hashes + 1..bytes.len())
        .find(|&i| closes(i))
        .map_or(bytes.len(), |i| i + 1 + hashes)
}

/// End of a number at `from` (a digit), by Rhai's rules: `_` separators; `0x`/`0o`/`0b`
/// prefixes; one `.` when a digit or a symbol (not a name, `_` or `.`) follows; one exponent
/// `e`/`E` when a digit or a sign follows.
fn number_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from + 1;
    let mut radix: Option<fn(&u8) -> bool> = None;
    let (mut period, mut exponent) = (false, false);
    let mut digits = 1usize;
    while let Some(&b) = bytes.get(i) {
        let valid = radix.unwrap_or(u8::is_ascii_digit);
        match b {
            b'_' => i += 1,
            b if valid(&b) => {
                i += 1;
                digits += 1;
            }
            b'.' if !period && radix.is_none() => match bytes.get(i + 1) {
                Some(d) if d.is_ascii_digit() => {
                    i += 1;
                    period = true;
                }
                Some(&c) if c != b'_' && c != b'.' && !is_ident_start(c) => {
                    i += 1;
                    period = true;
                }
                _ => break,
            },
            b'e' | b'E' if !exponent && radix.is_none() => match bytes.get(i + 1) {
                Some(d) if d.is_ascii_digit() => {
                    i += 1;
                    (exponent, period) = (true, true);
                }
                Some(b'+' | b'-') => {
                    i += 2;
                    (exponent, period) = (true, true);
                }
                _ => break,
            },
            b'x' | b'X' | b'o' | b'O' | b'b' | b'B'
                if bytes[from] == b'0' && digits == 1 && radix.is_none() =>
            {
                i += 1;
                radix = Some(match b {
                    b'x' | b'X' => u8::is_ascii_hexdigit,
                    b'o' | b'O' => |b: &u8| (b'0'..=b'7').contains(b),
                    _ => |b: &u8| matches!(b, b'0' | b'1'),
                });
            }
            _ => break,
        }
    }
    i
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
            // A doubled quote is the quote itself, as in Rhai.
            b if b == quote && bytes.get(i + 1) == Some(&quote) => i += 2,
            b if b == quote => return i + 1,
            _ => i += 1,
        }
    }
    bytes.len()
}

/// End of a backtick string (verbatim, as in Rhai), skipping `${ … }` interpolations (which may nest strings).
fn backtick_end(bytes: &[u8], from: usize) -> usize {
    let mut i = from + 1;
    while i < bytes.len() {
        match bytes[i] {
            // Verbatim text: a backslash escapes only the `$` of `${`, and "``" is a backtick.
            b'\\' if bytes.get(i + 1) == Some(&b'$') => i += 2,
            b'`' if bytes.get(i + 1) == Some(&b'`') => i += 2,
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
    fn raw_strings_numbers_and_shebangs_split_like_rhai() {
        let src = "#!/usr/bin/env flowscript\nlet s = #\"say \"hi\"\"# + ##\"a\"#b\"##;\nlet n = 1.5e-3 + 0x1F + 1_000 + 2.;";
        let k: Vec<_> = kinds(src)
            .into_iter()
            .filter(|(k, _)| *k != TokenKind::Punct)
            .collect();
        assert_eq!(
            k,
            [
                (TokenKind::Comment, "#!/usr/bin/env flowscript"),
                (TokenKind::Ident, "let"),
                (TokenKind::Ident, "s"),
                (TokenKind::Str, "#\"say \"hi\"\"#"),
                (TokenKind::Str, "##\"a\"#b\"##"),
                (TokenKind::Ident, "let"),
                (TokenKind::Ident, "n"),
                (TokenKind::Number, "1.5e-3"),
                (TokenKind::Number, "0x1F"),
                (TokenKind::Number, "1_000"),
                (TokenKind::Number, "2."),
            ]
        );
        assert_eq!(
            kinds("1abc"),
            [(TokenKind::Number, "1"), (TokenKind::Ident, "abc")]
        );
        assert_eq!(kinds("#\"open"), [(TokenKind::Str, "#\"open")]);
    }

    #[test]
    fn never_fails_on_broken_text() {
        for src in [
            "\"unterminated",
            "/* open",
            "`a ${ b",
            "é ü ∑",
            "'",
            "\\",
            "#",
            "##\"x\"#",
            "0x",
            "1e",
        ] {
            let toks = lex(src);
            assert!(toks.iter().all(|t| t.range.end <= src.len()));
        }
    }
}

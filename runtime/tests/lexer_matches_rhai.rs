//! The runtime's lexer (`span::lex`, also the language server's) against Rhai's own tokenizer, on
//! generated scripts: every literal (identifier or keyword, number, string of each kind, character)
//! starts where Rhai's does and is of the same kind, and every other Rhai token starts a token
//! here too. (Operators here are single characters except `::`, `>>`, `=>`, and a minus sign is
//! never part of a number, so those are compared by where they start.)

use flowscript_runtime::span::LineIndex;
use flowscript_runtime::span::lex::{self, TokenKind};
use proptest::prelude::*;
use rhai::Token;

/// Our coarse kind of a Rhai token, or `None` for tokens that are not compared (comments).
fn kind_of(t: &Token) -> Option<TokenKind> {
    Some(match t {
        Token::IntegerConstant(_) | Token::FloatConstant(_) => TokenKind::Number,
        Token::StringConstant(_) | Token::InterpolatedString(_) => TokenKind::Str,
        Token::CharConstant(_) => TokenKind::Char,
        Token::Identifier(_) => TokenKind::Ident,
        // A reserved word is a word to us; a reserved symbol (`?`, `:=`, ...) is punctuation.
        Token::Reserved(s) | Token::Custom(s) => {
            if s.starts_with(|c: char| c.is_alphabetic() || c == '_') {
                TokenKind::Ident
            } else {
                TokenKind::Punct
            }
        }
        Token::MapStart => TokenKind::MapOpen,
        Token::Comment(_) => return None,
        t if t.is_literal() => {
            let word = t
                .literal_syntax()
                .starts_with(|c: char| c.is_ascii_alphabetic() || c == '_');
            if word {
                TokenKind::Ident
            } else {
                TokenKind::Punct
            }
        }
        _ => TokenKind::Punct,
    })
}

/// Rhai's tokens as (byte offset, kind); `None` when Rhai reports a lexical error.
fn rhai_tokens(engine: &rhai::Engine, text: &str) -> Option<Vec<(usize, TokenKind)>> {
    let lines = LineIndex::new(text);
    let inputs = [text];
    let (tokens, _) = engine.lex(&inputs);
    let mut out = Vec::new();
    for (t, pos) in tokens {
        match t {
            Token::EOF => break,
            Token::LexError(_) => return None,
            t => {
                if let Some(kind) = kind_of(&t) {
                    let offset = lines.offset(pos.line()?, pos.position()?)?;
                    out.push((offset, kind));
                }
            }
        }
    }
    Some(out)
}

/// Our tokens as (byte offset, kind), comments dropped and `-` + number joined as Rhai does.
fn our_tokens(text: &str) -> Vec<(usize, TokenKind)> {
    let tokens: Vec<_> = lex::lex(text)
        .into_iter()
        .filter(|t| t.kind != TokenKind::Comment)
        .collect();
    tokens.iter().map(|t| (t.range.start, t.kind)).collect()
}

fn compare(engine: &rhai::Engine, text: &str) -> Result<(), TestCaseError> {
    let Some(theirs) = rhai_tokens(engine, text) else {
        return Ok(());
    };
    let ours = our_tokens(text);
    let mut theirs_literals = Vec::new();
    for &(offset, kind) in &theirs {
        if kind == TokenKind::Punct {
            // Rhai's operators are greedier in places (`|>`, `?.`): its operator must start one
            // of ours or fall inside one of our (multi-character) operators.
            let tokens = lex::lex(text);
            let inside = tokens.iter().any(|t| {
                t.kind == TokenKind::Punct && t.range.start < offset && offset < t.range.end
            });
            prop_assert!(
                inside || ours.iter().any(|&(o, _)| o == offset),
                "Rhai has a token at {offset} in {text:?}, we do not: {ours:?}"
            );
        } else if kind == TokenKind::Number && text[offset..].starts_with('-') {
            // A negative literal: our `-`, then the number right after it.
            theirs_literals.push((offset + 1, kind));
        } else {
            theirs_literals.push((offset, kind));
        }
    }
    let ours_literals: Vec<_> = ours
        .into_iter()
        .filter(|&(_, k)| k != TokenKind::Punct)
        .collect();
    prop_assert_eq!(ours_literals, theirs_literals, "in {:?}", text);
    Ok(())
}

/// One piece of a script.
fn piece() -> impl Strategy<Value = String> {
    let word = "[a-z_][a-z0-9_]{0,5}";
    let content = "[a-z #/*'`\\\\\"]{0,8}";
    prop_oneof![
        4 => proptest::string::string_regex(word).expect("regex"),
        1 => prop::sample::select(vec!["let", "fn", "if", "else", "true", "return", "import", "private"])
            .prop_map(str::to_string),
        2 => prop::sample::select(vec![
            "0", "42", "1_000", "1.5", "2e10", "3.0e-2", "7E+1", "0x1f", "0o17", "0b101", "9.",
            "1.x", "4..5",
        ]).prop_map(str::to_string),
        // A quoted string: `"` and `\` escaped.
        2 => proptest::string::string_regex(content).expect("regex")
            .prop_map(|s| format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))),
        // A raw string with 0–2 extra `#`: any content that does not close it early.
        2 => (1usize..=3, proptest::string::string_regex(content).expect("regex"))
            .prop_map(|(n, s)| {
                let hashes = "#".repeat(n);
                let body = s.replace(&format!("\"{hashes}"), "");
                format!("{hashes}\"{body}\"{hashes}")
            }),
        1 => proptest::string::string_regex("[a-z \"'\\n]{0,8}").expect("regex")
            .prop_map(|s| format!("`{s}`")),
        1 => prop::sample::select(vec!["'a'", "'\"'", "'\\''", "'#'"]).prop_map(str::to_string),
        1 => proptest::string::string_regex("[a-z \"`#*]{0,8}").expect("regex")
            .prop_map(|s| format!("// {s}\n")),
        1 => proptest::string::string_regex("[a-z \"`#]{0,8}").expect("regex")
            .prop_map(|s| format!("/* {s} */")),
        3 => prop::sample::select(vec![
            "(", ")", "{", "}", "[", "]", ",", ";", "::", ".", "#{", "|", ">>", "=>", "=", "==",
            "+", "-", "*", "/", "<", ">", "!", ":", "?", "&&", "||", "+=", "..", "..=", "?.",
        ]).prop_map(str::to_string),
    ]
}

fn script() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            piece(),
            prop::sample::select(vec!["", " ", "\n", " ", "\t"]),
        ),
        1..40,
    )
    .prop_map(|parts| parts.into_iter().map(|(p, sep)| p + sep).collect())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 4000, ..ProptestConfig::default() })]

    #[test]
    fn literals_split_where_rhai_splits_them(text in script()) {
        let engine = rhai::Engine::new_raw();
        compare(&engine, &text)?;
    }
}

#[test]
fn known_cases_split_where_rhai_splits_them() {
    let engine = rhai::Engine::new_raw();
    for text in [
        r##"let s = #"say "hi""#;"##,
        r###"let s = ##"a "# b"##;"###,
        "let n = 1.5e-3 + 0x1F - 1_000 * 2.;",
        "let x = -5; let y = a-5;",
        "`multi\nline` + 'c'",
        "/* a /* nested */ comment */ x",
        "let m = #{ a: 1, \"b\": [2, 3] };",
    ] {
        compare(&engine, text).unwrap_or_else(|e| panic!("{e}"));
        assert!(
            rhai_tokens(&engine, text).is_some(),
            "Rhai rejects {text:?}"
        );
    }
}

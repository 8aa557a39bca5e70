//! Robustness of the analysis entry point: arbitrary text and cursor positions through every
//! query must not panic, and hostile documents are answered in bounded time.

use std::time::{Duration, Instant};

use proptest::prelude::*;
use ropey::Rope;

use flowscript_lsp::analysis::{
    Analysis, TextRange, actions, completion, definition, graph, hover, symbols,
};
use flowscript_lsp::server::convert;

/// Pieces of flow scripts, so random text often looks like a script.
const FRAGMENTS: &[&str] = &[
    "let ",
    "a",
    "b",
    " = ",
    "node(",
    "parallel(",
    "flow(",
    "branches(",
    "\"x\"",
    "\"",
    ", ",
    "#{",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    "|",
    "|x| ",
    ":",
    "retires",
    "post",
    "exec: ",
    "shared.",
    "shared[",
    "fs::",
    "http::",
    "::",
    "-",
    " >> ",
    "end",
    "fn ",
    "return ",
    ";",
    "\n",
    "é",
    "𝄞",
    "//",
    "/*",
    "*/",
    "`",
    "${",
    "'",
    "\\",
    "Fn(\"",
    "1",
    "0.5",
    "\r\n",
    "\t",
];

fn script() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => ".{0,8}",
    ];
    proptest::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn every_query(a: &Analysis, offset: usize) {
    let _ = completion::complete(a, offset);
    let _ = completion::context(a.document(), offset);
    let _ = hover::hover(a, offset);
    let _ = definition::definition(a, offset);
    let _ = actions::fixes(a, TextRange::new(offset.saturating_sub(3), offset));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn no_panic_on_any_text(text in script(), cursors in proptest::collection::vec(0usize..4096, 1..6)) {
        let a = Analysis::new("fuzz.flow.rhai", &text);
        let quick = Analysis::quick("fuzz.flow.rhai", &text, Some(&a));
        let rope = Rope::from_str(&text);
        for c in cursors {
            let offset = c % (text.len() + 2);
            every_query(&a, offset);
            every_query(&quick, offset);
            let pos = convert::position(&rope, offset);
            let back = convert::offset(&rope, pos);
            prop_assert!(back <= text.len());
        }
        let _ = symbols::symbols(&a);
        let _ = graph::mermaid(&a);
        let _ = convert::diagnostics(&rope, &a);
        for d in a.diagnostics() {
            prop_assert!(d.range.end <= text.len(), "{d:?} in {text:?}");
        }
    }
}

#[test]
fn hostile_documents_are_bounded() {
    let bounded = |what: &str, text: &str, limit: Duration| {
        let t = Instant::now();
        let a = Analysis::new("hostile.flow.rhai", text);
        every_query(&a, text.len() / 2);
        let _ = symbols::symbols(&a);
        let took = t.elapsed();
        assert!(took < limit, "{what} took {took:?}");
        a
    };
    let a = bounded(
        "a top-level infinite loop",
        "let a = node(\"a\");\nloop { }\nflow(\"main\", a)",
        Duration::from_secs(5),
    );
    assert!(!a.diagnostics().is_empty());
    let big = "let a = node(\"a\", #{ retries: 1 });\n".repeat(150_000);
    assert!(big.len() > 5_000_000);
    let a = bounded("a 5 MB file", &big, Duration::from_secs(3));
    assert_eq!(a.diagnostics()[0].code, "too-large");
    bounded("deep nesting", &"(".repeat(200_000), Duration::from_secs(3));
    bounded(
        "a deep map",
        &"#{a: ".repeat(50_000),
        Duration::from_secs(3),
    );
}

//! Diagnostics for the editor: the runtime's (syntax, load, validation) with byte ranges that
//! cover the offending token, and the replacement when the help says "did you mean `x`?".

use flowscript_runtime::{Diagnostic, Severity};

use super::document::{Document, TextRange};
use super::lexer::TokenKind;
use super::outline::Outline;

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagSeverity {
    /// The script cannot run.
    Error,
    /// Probably not what was meant.
    Warning,
    /// For information.
    Info,
}

/// One diagnostic with a byte range.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Diag {
    /// Where.
    pub range: TextRange,
    /// How bad.
    pub severity: DiagSeverity,
    /// The runtime's stable code (`syntax`, `unknown-option`, …).
    pub code: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// For a did-you-mean: the range to replace and its replacement.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<(TextRange, String)>,
}

/// The suggestion of a help text like "did you mean `retries`?" (or `"done"`, quoted).
pub fn did_you_mean(help: &str) -> Option<&str> {
    let rest = &help[help.find("did you mean ")? + "did you mean ".len()..];
    let quote = rest.chars().next().filter(|c| *c == '`' || *c == '"')?;
    let rest = &rest[1..];
    rest.get(..rest.find(quote)?)
}

/// The first backticked word of a message: the misspelt one in "unknown option `retires` …".
fn first_quoted(message: &str) -> Option<&str> {
    let rest = &message[message.find('`')? + 1..];
    rest.get(..rest.find('`')?)
}

/// Convert the runtime's diagnostics.
pub fn convert(doc: &Document, outline: &Outline, found: &[Diagnostic]) -> Vec<Diag> {
    found.iter().map(|d| convert_one(doc, outline, d)).collect()
}

fn convert_one(doc: &Document, outline: &Outline, d: &Diagnostic) -> Diag {
    let start = if d.span.is_known() {
        doc.offset_at(d.span.line, d.span.column.max(1))
    } else {
        0
    };
    let mut range = span_range(doc, &d.span).unwrap_or_else(|| doc.token_range_from(start));
    let mut fix = None;
    if let Some(f) = &d.fix {
        // The runtime's own fix: exact span and replacement.
        if let Some(r) = span_range(doc, &f.span).or_else(|| Some(doc.token_range_from(start))) {
            fix = Some((r, f.replacement.clone()));
        }
    } else if let (Some(s), Some(wrong)) = (
        d.help.as_deref().and_then(did_you_mean),
        first_quoted(&d.message),
    ) {
        // A did-you-mean without a fix: find the misspelt word near the diagnostic.
        if let Some(r) = locate(doc, outline, start, wrong) {
            range = r;
            fix = Some((r, s.to_string()));
        }
    }
    Diag {
        range,
        severity: match d.severity {
            Severity::Error => DiagSeverity::Error,
            Severity::Warning => DiagSeverity::Warning,
        },
        code: d.code.clone(),
        message: d.message.clone(),
        help: d.help.clone(),
        fix,
    }
}

/// The byte range of a span with an extent (`None` for a point or an unknown span).
fn span_range(doc: &Document, span: &flowscript_runtime::Span) -> Option<TextRange> {
    if !span.is_known() || span.is_point() {
        return None;
    }
    let start = doc.offset_at(span.line, span.column.max(1));
    let end = doc.offset_at(span.end_line, span.end_column.max(1));
    (end > start).then(|| TextRange::new(start, end))
}

/// Where the misspelt `wrong` is written near `start`: the token there, a key of the option map
/// of the call there, or an identifier or string on the same line.
fn locate(doc: &Document, outline: &Outline, start: usize, wrong: &str) -> Option<TextRange> {
    let text = doc.text();
    let tokens = doc.tokens();
    let matches = |i: usize| {
        let t = &tokens[i];
        match t.kind {
            TokenKind::Ident => (t.text(text) == wrong).then_some(t.range),
            TokenKind::Str if t.str_value(text) == Some(wrong) => {
                // Replace the string's contents, not its quotes.
                let q = t.text(text).chars().next().map_or(1, char::len_utf8);
                Some(TextRange::new(
                    t.range.start + q,
                    t.range.start + q + wrong.len(),
                ))
            }
            _ => None,
        }
    };
    let at = doc.token_index_at_or_after(start);
    if at < tokens.len() && tokens[at].range.start == start {
        if let Some(r) = matches(at) {
            return Some(r);
        }
    }
    if let Some(call) = outline.calls.iter().find(|c| c.ctor_range.start == start) {
        if let Some(e) = call.options.as_ref().and_then(|m| m.entry(wrong)) {
            return Some(e.key_range);
        }
    }
    let (line, _) = doc.line_col(start);
    let (lo, hi) = (doc.offset_at(line + 1, 1), doc.offset_at(line + 2, 1));
    (doc.token_index_at_or_after(lo)..tokens.len())
        .take_while(|&i| tokens[i].range.start < hi)
        .find_map(matches)
}

/// The diagnostic for a document too large to analyse.
pub fn too_large(len: usize, limit: usize) -> Diag {
    Diag {
        range: TextRange::empty(0),
        severity: DiagSeverity::Info,
        code: "too-large".into(),
        message: format!(
            "this document has {len} bytes; documents over {limit} bytes are not analysed"
        ),
        help: None,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analysis;

    #[test]
    fn extracts_suggestions() {
        assert_eq!(did_you_mean("did you mean `retries`?"), Some("retries"));
        assert_eq!(did_you_mean("did you mean \"done\"?"), Some("done"));
        assert_eq!(did_you_mean("no"), None);
        assert_eq!(
            first_quoted("unknown option `retires` for node()"),
            Some("retires")
        );
    }

    #[test]
    fn unknown_option_points_at_the_key() {
        let src = "let a = node(\"a\", #{ retires: 3 });\nflow(\"main\", a)\n";
        let a = Analysis::new("t.flow.rhai", src);
        insta::assert_yaml_snapshot!(a.diagnostics());
        let d = &a.diagnostics()[0];
        assert_eq!(&src[d.range.start..d.range.end], "retires");
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let src = "let a = node(\"a\", #{ exec: |x| x });\nlet b = ;\nflow(\"main\", a)\n";
        let a = Analysis::new("t.flow.rhai", src);
        insta::assert_yaml_snapshot!(a.diagnostics());
    }
}

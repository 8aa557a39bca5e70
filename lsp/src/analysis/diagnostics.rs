//! Diagnostics for the editor: the runtime's (syntax, load, validation) with byte ranges that
//! cover the offending token, and the replacement when the help says "did you mean `x`?".

use flowscript_runtime::{Diagnostic, Severity};

use super::document::{Document, TextRange};

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

/// Convert the runtime's diagnostics.
pub fn convert(doc: &Document, found: &[Diagnostic]) -> Vec<Diag> {
    found.iter().map(|d| convert_one(doc, d)).collect()
}

fn convert_one(doc: &Document, d: &Diagnostic) -> Diag {
    let start = if d.span.is_known() {
        doc.offset_at(d.span.line, d.span.column.max(1))
    } else {
        0
    };
    let range = span_range(doc, &d.span).unwrap_or_else(|| doc.token_range_from(start));
    // The runtime's own fix: exact span and replacement (every did-you-mean it can place
    // carries one; the help text is for people, never parsed).
    let fix = d.fix.as_ref().and_then(|f| {
        let r = span_range(doc, &f.span).or_else(|| Some(doc.token_range_from(start)))?;
        Some((r, f.replacement.clone()))
    });
    Diag {
        range,
        severity: severity(d.severity),
        code: d.code.to_string(),
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

fn severity(s: Severity) -> DiagSeverity {
    match s {
        Severity::Error => DiagSeverity::Error,
        Severity::Warning => DiagSeverity::Warning,
    }
}

/// The diagnostic for a document too large to analyse.
pub fn too_large(len: usize, limit: usize) -> Diag {
    Diag {
        range: TextRange::empty(0),
        severity: severity(flowscript_runtime::Code::TooLarge.severity()),
        code: flowscript_runtime::Code::TooLarge.to_string(),
        message: format!(
            "this document has {len} bytes; documents over {limit} bytes are not analysed"
        ),
        help: None,
        fix: None,
    }
}

#[cfg(test)]
mod tests {
    use crate::analysis::Analysis;

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

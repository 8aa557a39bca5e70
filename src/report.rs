//! Rendering diagnostics and run errors for people: rustc-style snippets via miette.

use flowscript_runtime::span::LineIndex;
use flowscript_runtime::{Diagnostic, Severity, Span};
use miette::{LabeledSpan, MietteDiagnostic, NamedSource, Report};

fn render(
    severity: Severity,
    code: &str,
    message: &str,
    help: Option<&str>,
    span: Option<&Span>,
    label: &str,
    source: &str,
) -> String {
    let mut d = MietteDiagnostic::new(message.to_string())
        .with_code(code.to_string())
        .with_severity(match severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        });
    if let Some(help) = help {
        d = d.with_help(help.to_string());
    }
    let lines = LineIndex::new(source);
    let located = span.and_then(|s| lines.offset(s.line, s.column).map(|o| (s, o)));
    if let Some((span, at)) = located {
        let end = lines
            .offset(span.end_line, span.end_column)
            .filter(|&e| e > at);
        d = d.with_label(match end {
            Some(end) => LabeledSpan::at(at..end, label.to_string()),
            None => LabeledSpan::at_offset(at, label.to_string()),
        });
        let report =
            Report::new(d).with_source_code(NamedSource::new(&span.file, source.to_string()));
        format!("{report:?}")
    } else {
        format!("{:?}", Report::new(d))
    }
}

/// A load diagnostic with its source snippet.
pub fn diagnostic(d: &Diagnostic, source: &str) -> String {
    render(
        d.severity,
        d.code.as_str(),
        &d.message,
        d.help.as_deref(),
        Some(&d.span),
        "here",
        source,
    )
}

/// A failed run: the error, where it happened, and the node path.
pub fn run_error(message: &str, path: Option<&str>, span: Option<&Span>, source: &str) -> String {
    let label = path.map_or_else(|| "failed here".to_string(), |p| format!("failed in {p}"));
    render(
        Severity::Error,
        "run-failed",
        message,
        None,
        span,
        &label,
        source,
    )
}

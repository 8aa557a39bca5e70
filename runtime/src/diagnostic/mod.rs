//! Diagnostics found while loading a script: a stable [`Code`] (which fixes the severity), a
//! span, a message, help and an optional mechanical fix.

mod code;

pub use code::Code;

use serde::{Deserialize, Serialize};

use crate::span::Span;

/// How bad a diagnostic is: errors stop a run, warnings are reported and the run goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The script cannot run.
    Error,
    /// The script runs, but probably not as meant.
    Warning,
}

/// One finding about a script, with a code tools can rely on (`unknown-option`, `overwritten-edge`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostic {
    /// Stable kebab-case code.
    pub code: Code,
    /// Error or warning (the code's).
    pub severity: Severity,
    /// Where it was found.
    pub span: Span,
    /// What is wrong.
    pub message: String,
    /// How to fix it, when there is something to say.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// A mechanical fix (a "did you mean" replacement), for editors' quick-fixes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
    /// The node and action a finding is about (`unmatched-action`), so a run that finds the
    /// same thing can say it is a repeat. Not part of the JSON.
    #[serde(skip)]
    pub about: Option<(usize, String)>,
}

/// Replace the text at `span` with `replacement`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fix {
    /// The text to replace (a key, a string literal with its quotes).
    pub span: Span,
    /// The new text.
    pub replacement: String,
}

impl Diagnostic {
    /// A finding with `code` (and the code's severity) at `span`.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Self {
        Self {
            code,
            severity: code.severity(),
            span,
            message: message.into(),
            help: None,
            fix: None,
            about: None,
        }
    }

    /// The same diagnostic with help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// The same diagnostic, about `action` of node `node`.
    pub fn with_about(mut self, node: usize, action: impl Into<String>) -> Self {
        self.about = Some((node, action.into()));
        self
    }

    /// The same diagnostic with a mechanical fix.
    pub fn with_fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix {
            span,
            replacement: replacement.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}[{}]: {} at {}", self.code, self.message, self.span)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

/// The closest candidate to `word`, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    candidates
        .iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), *c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

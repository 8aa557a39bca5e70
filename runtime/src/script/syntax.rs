//! Syntax errors as diagnostics. Rhai reports a missing token where it found the next one,
//! often on the following line; the diagnostic points where the token was left out instead (the
//! end of the previous token, e.g. the end of the line that lacks its comma) and says what is
//! missing.

use rhai::{ParseError, ParseErrorType};

use crate::diagnostic::{Code, Diagnostic};
use crate::span::Source;

/// The diagnostic for a script that does not parse.
pub(crate) fn diagnostic(source: &Source, e: &ParseError) -> Diagnostic {
    let pos = e.position();
    match e.err_type() {
        ParseErrorType::MissingToken(token, what) => {
            let span = source
                .after_previous_token(pos)
                .unwrap_or_else(|| source.token(pos));
            Diagnostic::new(
                Code::Syntax,
                span,
                format!("missing '{token}' {what}").trim_end().to_string(),
            )
        }
        other => Diagnostic::new(Code::Syntax, source.token(pos), other.to_string()),
    }
}

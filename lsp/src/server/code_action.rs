//! `textDocument/codeAction`: did-you-mean quick-fixes.

use tower_lsp_server::ls_types::*;

use super::{Backend, convert};
use crate::analysis::actions;

/// The quick-fixes for diagnostics in the requested range.
pub fn handle(b: &Backend, p: CodeActionParams) -> Option<CodeActionResponse> {
    let uri = p.text_document.uri;
    let snap = b.docs.snapshot(&uri)?;
    let range = convert::text_range(&snap.rope, p.range);
    let fixes = actions::fixes(&snap.analysis, range);
    Some(convert::code_actions(
        &snap.rope,
        &uri,
        &snap.analysis,
        fixes,
    ))
}

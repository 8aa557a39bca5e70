//! `textDocument/completion`.

use tower_lsp_server::ls_types::*;

use super::{Backend, convert};
use crate::analysis::completion;

/// Completion items at the cursor.
pub fn handle(b: &Backend, p: CompletionParams) -> Option<CompletionResponse> {
    let at = p.text_document_position;
    let snap = b.docs.snapshot(&at.text_document.uri)?;
    let offset = convert::offset(&snap.rope, at.position);
    let items = completion::complete(&snap.analysis, offset);
    Some(convert::completions(items))
}

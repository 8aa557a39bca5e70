//! `textDocument/hover`.

use tower_lsp_server::ls_types::*;

use super::{Backend, convert};
use crate::analysis::hover;

/// Docs for the word under the cursor.
pub fn handle(b: &Backend, p: HoverParams) -> Option<Hover> {
    let at = p.text_document_position_params;
    let snap = b.docs.snapshot(&at.text_document.uri)?;
    let offset = convert::offset(&snap.rope, at.position);
    let h = hover::hover(&snap.analysis, offset)?;
    Some(convert::hover(&snap.rope, h))
}

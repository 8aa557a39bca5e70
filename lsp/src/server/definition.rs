//! `textDocument/definition`.

use tower_lsp_server::ls_types::*;

use super::{Backend, convert};
use crate::analysis::definition;

/// Where the symbol under the cursor is defined.
pub fn handle(b: &Backend, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = p.text_document_position_params;
    let uri = at.text_document.uri;
    let snap = b.docs.snapshot(&uri)?;
    let offset = convert::offset(&snap.rope, at.position);
    let target = definition::definition(&snap.analysis, offset)?;
    Some(convert::location(&snap.rope, &uri, target))
}

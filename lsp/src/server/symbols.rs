//! `textDocument/documentSymbol`.

use tower_lsp_server::ls_types::*;

use super::{Backend, convert};
use crate::analysis::symbols;

/// Flows with their nodes nested, and script functions.
pub fn handle(b: &Backend, p: DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let snap = b.docs.snapshot(&p.text_document.uri)?;
    Some(convert::symbols(
        &snap.rope,
        symbols::symbols(&snap.analysis),
    ))
}

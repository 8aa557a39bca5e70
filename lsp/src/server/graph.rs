//! `flowscript/graph`: the document's graph as mermaid, for the editor's preview.

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::TextDocumentIdentifier;

use super::{Backend, did_change};
use crate::analysis::graph;

/// The request's parameters: which document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphParams {
    /// The document.
    pub text_document: TextDocumentIdentifier,
}

/// The answer: a mermaid flowchart (empty when the script never built a graph).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphResult {
    /// The graph as mermaid.
    pub mermaid: String,
}

/// Answer `flowscript/graph`.
pub async fn handle(b: &Backend, p: GraphParams) -> Result<GraphResult> {
    let uri = &p.text_document.uri;
    let not_open = || Error::invalid_params("the document is not open");
    let mut snap = b.docs.snapshot(uri).ok_or_else(not_open)?;
    if !snap.analysis.is_loaded() {
        // The preview wants this version's graph: do not wait for the debounce.
        let version = b.docs.version(uri).ok_or_else(not_open)?;
        let _ = did_change::full(&b.docs, uri, version).await;
        snap = b.docs.snapshot(uri).ok_or_else(not_open)?;
    }
    Ok(GraphResult {
        mermaid: graph::mermaid(&snap.analysis).unwrap_or_default(),
    })
}

//! `flowscript/graph`: the document's graph for the editor's preview — the mermaid drawing,
//! whether it is stale (the text does not build; the last good graph is shown), where each
//! drawn node is defined (for click-to-jump) and where the entry flow is (for code lenses).

use serde::{Deserialize, Serialize};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::{Range, TextDocumentIdentifier};

use super::{Backend, convert, did_change};
use crate::analysis::graph;

/// The request's parameters: which document.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GraphParams {
    /// The document.
    pub text_document: TextDocumentIdentifier,
}

/// The answer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct GraphResult {
    /// The graph as a mermaid flowchart (empty when the script never built a graph).
    pub mermaid: String,
    /// Whether the graph is the last good version's, not this text's.
    pub stale: bool,
    /// Drawn nodes found in this text.
    pub nodes: Vec<GraphNode>,
    /// The entry flow, when found in this text.
    pub entry: Option<GraphNode>,
}

/// A drawn node and where its constructor is.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GraphNode {
    /// Its id in the drawing (`n3`: mermaid's node id, also in the SVG's element ids).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its constructor (`node`, `batch`, `flow`, ...).
    pub kind: String,
    /// The constructor's name in the document.
    pub range: Range,
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
    Ok(graph::preview(&snap.analysis)
        .map(|p| convert::preview(&snap.rope, p))
        .unwrap_or_default())
}

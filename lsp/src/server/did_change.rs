//! `didOpen`, `didChange`, `didClose`: keep the text, and publish diagnostics after a debounce
//! from an analysis run on a blocking thread; results for superseded versions are dropped.

use std::sync::Arc;
use std::time::Duration;

use ropey::Rope;

use tower_lsp_server::Client;
use tower_lsp_server::ls_types::*;

use super::state::Documents;
use super::{Backend, convert};
use crate::analysis::Analysis;

/// How long to wait for more typing before analysing.
pub const DEBOUNCE: Duration = Duration::from_millis(150);

/// A document was opened.
pub async fn open(b: &Backend, p: DidOpenTextDocumentParams) {
    let doc = p.text_document;
    b.docs.set(&doc.uri, doc.version, doc.text);
    schedule(b, doc.uri, doc.version);
}

/// A document changed (full sync: the last change holds the whole text).
pub async fn change(b: &Backend, p: DidChangeTextDocumentParams) {
    let Some(last) = p.content_changes.into_iter().last() else {
        return;
    };
    let uri = p.text_document.uri;
    let version = p.text_document.version;
    b.docs.set(&uri, version, last.text);
    schedule(b, uri, version);
}

/// A document was closed: forget it and clear its diagnostics.
pub async fn close(b: &Backend, p: DidCloseTextDocumentParams) {
    let uri = p.text_document.uri;
    b.docs.close(&uri);
    b.client.publish_diagnostics(uri, Vec::new(), None).await;
}

fn schedule(b: &Backend, uri: Uri, version: i32) {
    let docs = b.docs.clone();
    let client = b.client.clone();
    tokio::spawn(analyse(docs, client, uri, version));
}

/// Debounce, analyse off the async threads, publish if still current.
async fn analyse(docs: Arc<Documents>, client: Client, uri: Uri, version: i32) {
    tokio::time::sleep(DEBOUNCE).await;
    if docs.version(&uri) != Some(version) {
        return;
    }
    if let Some((rope, analysis)) = full(&docs, &uri, version).await {
        let diags = convert::diagnostics(&rope, &analysis);
        client.publish_diagnostics(uri, diags, Some(version)).await;
    }
}

/// Run the full analysis of `version` on a blocking thread (one at a time) and store it;
/// `None` if the version is stale or already analysed.
pub async fn full(docs: &Documents, uri: &Uri, version: i32) -> Option<(Rope, Arc<Analysis>)> {
    let _one_at_a_time = docs.analysing.lock().await;
    let pending = docs.pending(uri, version)?;
    let analysis = tokio::task::spawn_blocking(move || {
        Analysis::with_previous(&pending.file, &pending.text, pending.previous.as_deref())
    })
    .await
    .ok()?;
    let analysis = Arc::new(analysis);
    let rope = docs.store(uri, version, analysis.clone())?;
    Some((rope, analysis))
}

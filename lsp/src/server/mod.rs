//! The protocol layer: one handler per LSP method, every protocol type converted in
//! [`convert`]. Documents are kept as ropes (full sync); the analysis of each version runs on a
//! blocking thread after a debounce, and results for stale versions are dropped.

mod code_action;
mod completion;
pub mod convert;
mod definition;
mod did_change;
pub mod frames;
mod graph;
mod hover;
mod initialize;
mod state;
mod symbols;

use std::sync::Arc;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

pub use graph::{GraphNode, GraphParams, GraphResult};
pub use state::Documents;

/// The custom request returning the document's graph as mermaid.
pub const GRAPH_METHOD: &str = "flowscript/graph";

/// The language server.
pub struct Backend {
    client: Client,
    docs: Arc<Documents>,
}

impl Backend {
    /// A server talking to `client`.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            docs: Arc::new(Documents::default()),
        }
    }

    /// `flowscript/graph`: the document's graph as mermaid.
    pub async fn graph(&self, params: GraphParams) -> Result<GraphResult> {
        graph::handle(self, params).await
    }
}

/// The service with the custom methods registered.
pub fn service() -> (LspService<Backend>, tower_lsp_server::ClientSocket) {
    LspService::build(Backend::new)
        .custom_method(GRAPH_METHOD, Backend::graph)
        .finish()
}

/// Serve on stdin/stdout until the client exits. The server talks to the editor through
/// [`frames`], which answers malformed messages itself instead of letting one end the server.
pub async fn serve_stdio() {
    serve(tokio::io::stdin(), tokio::io::stdout()).await;
}

/// Serve the client on `input`/`output` through the frame guard.
pub async fn serve<R, W>(input: R, output: W)
where
    R: tokio::io::AsyncRead + Unpin,
    W: tokio::io::AsyncWrite + Unpin,
{
    let (service, socket) = service();
    let (to_server, server_in) = tokio::io::duplex(1 << 16);
    let (server_out, from_server) = tokio::io::duplex(1 << 16);
    let (replies, pending) = tokio::sync::mpsc::channel(frames::PENDING_REPLIES);
    let served = async {
        tokio::join!(
            Server::new(server_in, server_out, socket).serve(service),
            frames::pump_output(from_server, pending, output),
        )
    };
    let input = frames::pump_input(input, to_server, replies);
    tokio::pin!(served);
    // After `exit` the server is done even if the client keeps its end open; at the end of the
    // input the server still answers what it was sent.
    tokio::select! {
        _ = &mut served => {}
        () = input => {
            served.await;
        }
    }
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        initialize::handle(params)
    }

    async fn initialized(&self, _: InitializedParams) {
        self.client
            .log_message(MessageType::INFO, "flowscript language server ready")
            .await;
    }

    async fn shutdown(&self) -> Result<()> {
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        did_change::open(self, params).await;
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        did_change::change(self, params).await;
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        did_change::close(self, params).await;
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        Ok(completion::handle(self, params))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        Ok(hover::handle(self, params))
    }

    async fn goto_definition(
        &self,
        params: GotoDefinitionParams,
    ) -> Result<Option<GotoDefinitionResponse>> {
        Ok(definition::handle(self, params))
    }

    async fn document_symbol(
        &self,
        params: DocumentSymbolParams,
    ) -> Result<Option<DocumentSymbolResponse>> {
        Ok(symbols::handle(self, params))
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        Ok(code_action::handle(self, params))
    }
}

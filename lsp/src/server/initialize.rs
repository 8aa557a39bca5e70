//! `initialize`: what the server can do.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

/// The server's capabilities: full sync, completion, hover, definition, symbols, quick-fixes.
pub fn handle(_: InitializeParams) -> Result<InitializeResult> {
    Ok(InitializeResult {
        server_info: Some(ServerInfo {
            name: "flowscript".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![".".into(), ":".into(), "\"".into()]),
                ..Default::default()
            }),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            document_symbol_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            ..Default::default()
        },
        ..Default::default()
    })
}

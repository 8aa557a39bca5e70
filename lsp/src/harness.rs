//! An in-process client for the language server: JSON-RPC requests and notifications through
//! the tower service, as an editor sends them, and the server's own notifications
//! (`publishDiagnostics`, log messages) as they arrive. The protocol tests and the latency bench
//! drive the server through it.

use futures::StreamExt;
use serde_json::Value;
use tokio::sync::mpsc;
use tower::{Service, ServiceExt};
use tower_lsp_server::LspService;
use tower_lsp_server::jsonrpc::Request;

use crate::server::{self, Backend};

/// A server and the client end of its JSON-RPC connection.
pub struct Client {
    service: LspService<Backend>,
    notes: mpsc::UnboundedReceiver<(String, Value)>,
    next_id: i64,
}

impl Client {
    /// Start a server. Must be called inside a tokio runtime (the server's outgoing messages
    /// are read by a spawned task).
    pub fn start() -> Self {
        let (service, socket) = server::service();
        let (tx, notes) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut socket = socket;
            while let Some(req) = socket.next().await {
                let (method, _, params) = req.into_parts();
                let _ = tx.send((method.to_string(), params.unwrap_or(Value::Null)));
            }
        });
        Self {
            service,
            notes,
            next_id: 0,
        }
    }

    /// Send a request and wait for its result; `Err` carries the error response or says the
    /// server is gone.
    pub async fn request(&mut self, method: &'static str, params: Value) -> Result<Value, String> {
        self.next_id += 1;
        let req = Request::build(method)
            .id(self.next_id)
            .params(params)
            .finish();
        let svc = self.service.ready().await.map_err(|e| e.to_string())?;
        match svc.call(req).await.map_err(|e| e.to_string())? {
            Some(resp) => resp.into_parts().1.map_err(|e| e.to_string()),
            None => Err(format!("no response to {method}")),
        }
    }

    /// Send a notification.
    pub async fn notify(&mut self, method: &'static str, params: Value) {
        let req = Request::build(method).params(params).finish();
        if let Ok(svc) = self.service.ready().await {
            let _ = svc.call(req).await;
        }
    }

    /// The next notification from the server named `method` (others are skipped); `None` when
    /// the server has stopped.
    pub async fn notification(&mut self, method: &str) -> Option<Value> {
        loop {
            let (m, params) = self.notes.recv().await?;
            if m == method {
                return Some(params);
            }
        }
    }
}

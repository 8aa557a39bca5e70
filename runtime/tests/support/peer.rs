//! A real HTTP/1.1 peer on 127.0.0.1 for the `http::*` and `llm::*` tests: each test starts its
//! own on port 0 and says, per request, what to answer (a whole response, a stream of parts
//! with pauses, or a connection cut short). Every response closes its connection.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flowscript_runtime::Permissions;
use flowscript_runtime::{CancellationToken, Event, RunOptions, RunOutcome};
use parking_lot::Mutex;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the peer saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    /// The first header named `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What to answer.
pub enum Reply {
    /// A whole response.
    Full {
        status: u16,
        content_type: &'static str,
        headers: Vec<(&'static str, String)>,
        body: String,
    },
    /// A close-delimited body written in parts, each after its pause.
    Stream {
        content_type: &'static str,
        parts: Vec<(Duration, String)>,
    },
    /// Wait this long before answering with the inner reply.
    After(Duration, Box<Reply>),
}

impl Reply {
    /// `200` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Self::Full {
            status,
            content_type: "application/json",
            headers: vec![],
            body: body.to_string(),
        }
    }

    /// A response with any content type.
    pub fn text(status: u16, content_type: &'static str, body: &str) -> Self {
        Self::Full {
            status,
            content_type,
            headers: vec![],
            body: body.into(),
        }
    }

    /// An SSE stream of these events' `data`, then the connection closes.
    pub fn sse(datas: &[&str], gap: Duration) -> Self {
        Self::Stream {
            content_type: "text/event-stream",
            parts: datas
                .iter()
                .map(|d| (gap, format!("data: {d}\n\n")))
                .collect(),
        }
    }
}

/// A running peer.
pub struct Peer {
    pub addr: SocketAddr,
    pub seen: Arc<Mutex<Vec<Seen>>>,
    hits: Arc<AtomicUsize>,
}

impl Peer {
    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Requests served so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

type Handler = dyn Fn(&Seen, usize) -> Reply + Send + Sync;

/// Start a peer answering with `handler(request, index)` (index counts from 0).
pub async fn serve(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let seen = Arc::new(Mutex::new(Vec::new()));
    let hits = Arc::new(AtomicUsize::new(0));
    let handler: Arc<Handler> = Arc::new(handler);
    let (s, h) = (seen.clone(), hits.clone());
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let (handler, seen, hits) = (handler.clone(), s.clone(), h.clone());
            tokio::spawn(async move {
                let _ = answer(conn, &*handler, &seen, &hits).await;
            });
        }
    });
    Peer { addr, seen, hits }
}

async fn answer(
    mut conn: TcpStream,
    handler: &Handler,
    seen: &Mutex<Vec<Seen>>,
    hits: &AtomicUsize,
) -> std::io::Result<()> {
    let Some(req) = read_request(&mut conn).await? else {
        return Ok(());
    };
    let index = hits.fetch_add(1, Ordering::SeqCst);
    seen.lock().push(req.clone());
    let mut reply = handler(&req, index);
    while let Reply::After(pause, inner) = reply {
        tokio::time::sleep(pause).await;
        reply = *inner;
    }
    match reply {
        Reply::Full {
            status,
            content_type,
            headers,
            body,
        } => {
            let mut head = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n",
                body.len()
            );
            for (k, v) in headers {
                head.push_str(&format!("{k}: {v}\r\n"));
            }
            conn.write_all(format!("{head}\r\n{body}").as_bytes())
                .await?;
        }
        Reply::Stream {
            content_type,
            parts,
        } => {
            let head = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n"
            );
            conn.write_all(head.as_bytes()).await?;
            for (pause, part) in parts {
                tokio::time::sleep(pause).await;
                conn.write_all(part.as_bytes()).await?;
                conn.flush().await?;
            }
        }
        Reply::After(..) => unreachable!("unwrapped above"),
    }
    conn.shutdown().await
}

async fn read_request(conn: &mut TcpStream) -> std::io::Result<Option<Seen>> {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        let n = conn.read(&mut tmp).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&tmp[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next().unwrap_or_default().split(' ');
    let method = first.next().unwrap_or_default().to_string();
    let path = first.next().unwrap_or_default().to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(k, _)| k == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = conn.read(&mut tmp).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&tmp[..n]);
    }
    Ok(Some(Seen {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }))
}

/// Net access to this peer only (`--allow-net=127.0.0.1:PORT`).
pub fn allow(peer: &Peer) -> Permissions {
    Permissions {
        net: flowscript_runtime::Grant::Only(vec![peer.addr.to_string()]),
        ..Permissions::default()
    }
}

/// Run `src` with `permissions` and a cancellation token, collecting its events.
pub async fn run_allowed(
    src: &str,
    permissions: Permissions,
    cancel: CancellationToken,
) -> (RunOutcome, Vec<Event>) {
    let opts = RunOptions {
        cancel,
        permissions,
        ..Default::default()
    };
    let (outcome, sink) = crate::support::run_collecting(src, opts).await;
    (outcome, sink.events())
}

/// Run `src` with every permission; its final store, or the run's error message.
pub async fn store(src: &str) -> Result<serde_json::Value, String> {
    let (outcome, _) = run_allowed(src, Permissions::all(), CancellationToken::new()).await;
    outcome
        .result
        .map(|_| outcome.shared)
        .map_err(|e| e.message)
}

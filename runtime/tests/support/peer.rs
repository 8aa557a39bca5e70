//! A real HTTP/1.1 peer on 127.0.0.1 for the `http::*` and `llm::*` tests, built on hyper's
//! server side (`hyper::server::conn::http1`): each test starts its own on port 0 and says, per
//! request, what to answer (a whole response, a stream of parts with pauses that stops where
//! its parts do, or either of those held back a while). Keep-alive is off, so every response
//! closes its connection: hyper sends `connection: close` and hangs up after it.

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use flowscript_runtime::Permissions;
use flowscript_runtime::{CancellationToken, Event, RunOptions, RunOutcome};
use futures::StreamExt;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Bytes, Frame, Incoming};
use hyper::header::CONTENT_TYPE;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use tokio::net::TcpListener;

/// A request as the peer saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// `GET`, `POST`, ...
    pub method: String,
    /// The request target as sent: path and query.
    pub path: String,
    /// Lowercase names.
    pub headers: Vec<(String, String)>,
    /// The whole body, lossily decoded as UTF-8.
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
        /// The status code.
        status: u16,
        /// The `content-type` header.
        content_type: &'static str,
        /// More headers, added after `content-type`.
        headers: Vec<(&'static str, String)>,
        /// The body, sent with its `content-length`.
        body: String,
    },
    /// A `200` whose body is written in parts, each after its pause; it ends after the last.
    Stream {
        /// The `content-type` header.
        content_type: &'static str,
        /// Each part and the pause before it.
        parts: Vec<(Duration, String)>,
    },
    /// Like [`Reply::Stream`], but the connection is dropped after the last part, before the
    /// body is complete: a peer that dies mid-reply.
    Cut {
        /// The `content-type` header.
        content_type: &'static str,
        /// Each part and the pause before it.
        parts: Vec<(Duration, String)>,
    },
    /// Wait this long before answering with the inner reply.
    After(Duration, Box<Reply>),
}

impl Reply {
    /// `status` with a JSON body.
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
    /// Where it listens.
    pub addr: SocketAddr,
    /// Every request served so far, in the order they were read.
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

/// Unsync: hyper needs a body that is `Send` only, so a streamed one needn't prove `Sync`.
/// A body that fails makes hyper drop the connection mid-body ([`Reply::Cut`]).
type Body = UnsyncBoxBody<Bytes, Cut>;

/// The error a [`Reply::Cut`] body ends with.
#[derive(Debug)]
pub struct Cut;

impl std::fmt::Display for Cut {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the peer cut the connection")
    }
}

impl std::error::Error for Cut {}

/// What every connection of one peer shares.
struct State {
    handler: Box<Handler>,
    seen: Arc<Mutex<Vec<Seen>>>,
    hits: Arc<AtomicUsize>,
}

/// Start a peer answering with `handler(request, index)` (index counts from 0).
pub async fn serve(handler: impl Fn(&Seen, usize) -> Reply + Send + Sync + 'static) -> Peer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let state = Arc::new(State {
        handler: Box::new(handler),
        seen: Arc::new(Mutex::new(Vec::new())),
        hits: Arc::new(AtomicUsize::new(0)),
    });
    let (seen, hits) = (state.seen.clone(), state.hits.clone());
    tokio::spawn(async move {
        while let Ok((conn, _)) = listener.accept().await {
            let state = state.clone();
            tokio::spawn(async move {
                let service = service_fn(move |req| {
                    let state = state.clone();
                    async move { answer(req, &state).await }
                });
                // Clients that give up mid-reply (timeouts, cancellation) end here with an
                // error; that is what those tests do, not a failure of the peer.
                let _ = http1::Builder::new()
                    .keep_alive(false)
                    .serve_connection(TokioIo::new(conn), service)
                    .await;
            });
        }
    });
    Peer { addr, seen, hits }
}

async fn answer(req: Request<Incoming>, state: &State) -> Result<Response<Body>, hyper::Error> {
    let (head, body) = req.into_parts();
    // Counted only once the whole body is in, so a test reading `seen` after its run sees
    // every request it made complete.
    let body = body.collect().await?.to_bytes();
    let req = Seen {
        method: head.method.as_str().to_string(),
        path: head.uri.to_string(),
        headers: head
            .headers
            .iter()
            .map(|(k, v)| {
                let v = String::from_utf8_lossy(v.as_bytes()).into_owned();
                (k.as_str().to_string(), v)
            })
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
    };
    let index = state.hits.fetch_add(1, Ordering::SeqCst);
    state.seen.lock().push(req.clone());
    let mut reply = (state.handler)(&req, index);
    while let Reply::After(pause, inner) = reply {
        tokio::time::sleep(pause).await;
        reply = *inner;
    }
    Ok(respond(reply))
}

fn respond(reply: Reply) -> Response<Body> {
    let (status, content_type, headers, body) = match reply {
        Reply::Full {
            status,
            content_type,
            headers,
            body,
        } => (
            status,
            content_type,
            headers,
            Full::from(body)
                .map_err(|e: Infallible| match e {})
                .boxed_unsync(),
        ),
        Reply::Stream {
            content_type,
            parts,
        } => (200, content_type, vec![], streamed(parts, false)),
        Reply::Cut {
            content_type,
            parts,
        } => (200, content_type, vec![], streamed(parts, true)),
        Reply::After(..) => unreachable!("unwrapped by `answer`"),
    };
    let mut res = Response::builder()
        .status(status)
        .header(CONTENT_TYPE, content_type);
    for (name, value) in headers {
        res = res.header(name, value);
    }
    res.body(body)
        .expect("a test's reply has a valid status and headers")
}

/// Each pause starts when hyper asks for the next frame, i.e. once the previous part is on its
/// way to the client (hyper flushes whenever the body has nothing ready), so the client sees
/// the parts arrive apart. The body's length is unknown, so hyper sends it chunked; when `cut`,
/// the body then fails and hyper drops the connection without the final chunk.
fn streamed(parts: Vec<(Duration, String)>, cut: bool) -> Body {
    let frames = futures::stream::iter(parts).then(|(pause, part)| async move {
        tokio::time::sleep(pause).await;
        Ok(Frame::data(Bytes::from(part)))
    });
    // Before cutting, give hyper a moment to put the parts on the wire: a body that fails at
    // once can take the buffered parts down with it.
    let end = futures::stream::iter(cut.then_some(())).then(|()| async {
        tokio::time::sleep(Duration::from_millis(50)).await;
        Err(Cut)
    });
    StreamBody::new(frames.chain(end)).boxed_unsync()
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

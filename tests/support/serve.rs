//! What `tests/serve.rs` shares: a `flowscript serve` process on a free loopback port (killed
//! when dropped), an HTTP client, a Server-Sent Events parser, and a time bound for each test.

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use futures::StreamExt;
use serde_json::Value;

/// The most any one test may take.
pub const TEST_LIMIT: Duration = Duration::from_secs(90);

/// Run a test body within [`TEST_LIMIT`].
pub async fn bounded<F: Future<Output = ()>>(body: F) {
    tokio::time::timeout(TEST_LIMIT, body)
        .await
        .expect("the test took longer than its time bound");
}

/// A fixture flow in `tests/serve/`.
pub fn fixture(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/serve")
        .join(format!("{name}.flow.rhai"))
        .display()
        .to_string()
}

/// Every fixture: `quick`, `sleepy`, `failing`, `chatty`, `asking`.
pub fn all_fixtures() -> Vec<String> {
    ["quick", "sleepy", "failing", "chatty", "asking"]
        .iter()
        .map(|n| fixture(n))
        .collect()
}

/// A running `flowscript serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stderr: Arc<Mutex<String>>,
}

impl Server {
    /// Serve every fixture with `extra` flags.
    pub fn start(extra: &[&str]) -> Self {
        let mut args = all_fixtures();
        args.extend(extra.iter().map(|s| s.to_string()));
        Self::with_args(&args)
    }

    /// `flowscript serve ARGS --addr 127.0.0.1:0`, once it listens.
    pub fn with_args(args: &[String]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_flowscript"))
            .arg("serve")
            .args(args)
            .args(["--addr", "127.0.0.1:0"])
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn flowscript serve");
        let stderr = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = mpsc::channel();
        let pipe = child.stderr.take().expect("stderr");
        let log = stderr.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines() {
                let Ok(line) = line else { break };
                if let Some(addr) = line.strip_prefix("listening on ") {
                    let _ = tx.send(addr.to_string());
                }
                let mut log = log.lock().expect("log lock");
                log.push_str(&line);
                log.push('\n');
            }
        });
        let base = rx
            .recv_timeout(Duration::from_secs(30))
            .unwrap_or_else(|_| {
                let _ = child.kill();
                panic!("the server did not listen: {}", stderr.lock().expect("log"))
            });
        Self {
            child,
            base,
            stderr,
        }
    }

    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// The server's peak resident memory so far (`VmHWM`), in bytes.
    pub fn peak_rss(&self) -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .expect("/proc/PID/status");
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            .expect("VmHWM")
            * 1024
    }

    /// What the server wrote to stderr so far.
    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("log lock").clone()
    }

    /// Send a signal (`-TERM`, `-INT`) to the server.
    pub fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("kill");
        assert!(status.success());
    }

    /// Wait for the server to exit, at most `limit`.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let t0 = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            assert!(
                t0.elapsed() < limit,
                "the server did not exit within {limit:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response's status and JSON body.
pub async fn status_and_json(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    (status, response.json().await.expect("a JSON body"))
}

/// POST `body` to start a run of `flow` (`query` after `?`), returning the status and JSON.
pub async fn start(server: &Server, flow: &str, query: &str, body: Value) -> (u16, Value) {
    let url = server.url(&format!("/flows/{flow}/runs{query}"));
    status_and_json(client().post(url).json(&body).send().await.expect("POST")).await
}

/// GET `path` as JSON.
pub async fn get(server: &Server, path: &str) -> (u16, Value) {
    status_and_json(client().get(server.url(path)).send().await.expect("GET")).await
}

/// Start a run with `?wait=false` and return its id.
pub async fn start_detached(server: &Server, flow: &str, body: Value) -> String {
    let (status, started) = start(server, flow, "?wait=false", body).await;
    assert_eq!(status, 202, "{started}");
    started["id"].as_str().expect("an id").to_string()
}

/// Open a run's event stream, optionally resuming after `last` (`Last-Event-ID`).
pub async fn events(server: &Server, id: &str, last: Option<u64>) -> SseReader {
    let mut request = client().get(server.url(&format!("/runs/{id}/events")));
    if let Some(last) = last {
        request = request.header("Last-Event-ID", last.to_string());
    }
    SseReader::new(request.send().await.expect("GET events"))
}

/// Assert an error answer: `status` and `{"error": {"code": code, "message": ...}}`.
pub fn assert_error(status: u16, body: &Value, want_status: u16, code: &str) -> String {
    assert_eq!(status, want_status, "{body}");
    assert_eq!(body["error"]["code"], code, "{body}");
    body["error"]["message"]
        .as_str()
        .expect("a message")
        .to_string()
}

/// An HTTP client for loopback (no proxies), on the workspace's rustls provider.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("HTTP client")
}

/// One Server-Sent Events message.
#[derive(Debug, Clone, PartialEq)]
pub struct Message {
    /// `id:`.
    pub id: Option<String>,
    /// `event:`.
    pub event: Option<String>,
    /// `data:` lines, joined by `\n`.
    pub data: String,
}

impl Message {
    /// The data as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.data).expect("data is JSON")
    }

    /// The event's `seq` (its `id:`).
    pub fn seq(&self) -> u64 {
        self.id
            .as_deref()
            .expect("an id")
            .parse()
            .expect("a numeric id")
    }
}

/// Reads messages off an SSE response as they arrive (a small parser after the WHATWG rules:
/// `\n`/`\r\n` lines, `:` comments, one optional space after the colon, a blank line ends a
/// message).
pub struct SseReader {
    body: futures::stream::BoxStream<'static, reqwest::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl SseReader {
    /// A reader of `response`, which must be an event stream.
    pub fn new(response: reqwest::Response) -> Self {
        assert_eq!(response.status(), 200, "an event stream answers 200");
        let ctype = response
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        assert!(
            ctype.starts_with("text/event-stream"),
            "content-type {ctype}"
        );
        Self {
            body: response
                .bytes_stream()
                .map(|chunk| chunk.map(|b| b.to_vec()))
                .boxed(),
            buf: Vec::new(),
        }
    }

    /// The next message, or `None` when the stream has closed.
    pub async fn next(&mut self) -> Option<Message> {
        loop {
            if let Some(msg) = self.parse_one() {
                return Some(msg);
            }
            match self.body.next().await {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                Some(Err(e)) => panic!("the stream broke: {e}"),
                None => return None,
            }
        }
    }

    /// Every message until the stream closes.
    pub async fn collect(mut self) -> Vec<Message> {
        let mut out = Vec::new();
        while let Some(m) = self.next().await {
            out.push(m);
        }
        out
    }

    /// Take one complete message (skipping comment-only blocks) off the buffer. Messages are
    /// split on the raw bytes, so a character cut between two chunks is decoded whole.
    fn parse_one(&mut self) -> Option<Message> {
        loop {
            let (end, sep) = [&b"\n\n"[..], b"\r\n\r\n"]
                .iter()
                .filter_map(|sep| find(&self.buf, sep).map(|i| (i, sep.len())))
                .min()?;
            let block = String::from_utf8(self.buf[..end].to_vec()).expect("UTF-8 message");
            self.buf.drain(..end + sep);
            let mut msg = Message {
                id: None,
                event: None,
                data: String::new(),
            };
            let mut has_data = false;
            for line in block.lines() {
                if line.starts_with(':') {
                    continue;
                }
                let (field, value) = line.split_once(':').unwrap_or((line, ""));
                let value = value.strip_prefix(' ').unwrap_or(value);
                match field {
                    "id" => msg.id = Some(value.to_string()),
                    "event" => msg.event = Some(value.to_string()),
                    "data" => {
                        if has_data {
                            msg.data.push('\n');
                        }
                        msg.data.push_str(value);
                        has_data = true;
                    }
                    _ => {}
                }
            }
            if has_data || msg.event.is_some() {
                return Some(msg);
            }
        }
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Check a complete stream of a run's events: every message's `id:` is its data's `seq` and its
/// `event:` its data's `type`, seqs count up by one from `first`, and only the last message is
/// terminal (`run_finished` / `run_failed`).
pub fn assert_complete(messages: &[Message], first: u64) {
    assert!(!messages.is_empty(), "no messages");
    for (i, m) in messages.iter().enumerate() {
        let data = m.json();
        assert_eq!(m.seq(), first + i as u64, "seq order: {messages:#?}");
        assert_eq!(data["seq"].as_u64(), Some(m.seq()), "id is the seq");
        assert_eq!(
            data["type"].as_str(),
            m.event.as_deref(),
            "event is the type"
        );
        let terminal = matches!(m.event.as_deref(), Some("run_finished" | "run_failed"));
        assert_eq!(
            terminal,
            i + 1 == messages.len(),
            "terminal only at the end: {m:?}"
        );
    }
}

/// The `data` of every `emitted` message.
pub fn emitted(messages: &[Message]) -> Vec<Value> {
    messages
        .iter()
        .filter(|m| m.event.as_deref() == Some("emitted"))
        .map(|m| m.json()["data"].clone())
        .collect()
}

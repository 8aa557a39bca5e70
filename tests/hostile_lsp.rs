//! The language server as an attacker (or a broken client) drives it, through `flowscript lsp`
//! over real pipes: malformed frames get JSON-RPC errors and the server goes on; a buffer that
//! prints without end cannot block it on an undrained stderr; imports in a buffer open nothing
//! outside its folder and never a FIFO or device (`/dev/stdin` is the protocol's own input);
//! import cycles and hostile top levels become diagnostics, not a dead server.

#![cfg(unix)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::hostile::{Tree, mkfifo};

/// A `flowscript lsp` process and its messages.
struct Server {
    child: Child,
    stdin: ChildStdin,
    messages: mpsc::Receiver<Value>,
    next_id: i64,
}

impl Server {
    /// Start the server; its stderr is a pipe nobody reads.
    fn start() -> Self {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("flowscript"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    if line == "\r\n" {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.unwrap_or(0)];
                if r.read_exact(&mut body).is_err() {
                    return;
                }
                if let Ok(v) = serde_json::from_slice(&body) {
                    let _ = tx.send(v);
                }
            }
        });
        let mut s = Self {
            child,
            stdin,
            messages,
            next_id: 0,
        };
        let init = s.request("initialize", json!({"capabilities": {}}));
        assert!(init["result"]["capabilities"].is_object(), "{init}");
        s.notify("initialized", json!({}));
        s
    }

    fn raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("server alive");
        self.stdin.flush().expect("flush");
    }

    fn send(&mut self, v: &Value) {
        let body = v.to_string();
        self.raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next message `want` accepts, within `within`.
    fn wait_for(&mut self, within: Duration, want: impl Fn(&Value) -> bool) -> Value {
        let end = Instant::now() + within;
        loop {
            let left = end.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(v) if want(&v) => return v,
                Ok(_) => {}
                Err(_) => panic!("no expected message within {within:?}"),
            }
        }
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        self.wait_for(Duration::from_secs(20), |v| v["id"] == id)
    }

    fn open(&mut self, path: &std::path::Path, text: &str) -> String {
        let uri = format!("file://{}", path.display());
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": "flowscript", "version": 1, "text": text}}),
        );
        uri
    }

    fn diagnostics(&mut self, uri: &str) -> Vec<Value> {
        let v = self.wait_for(Duration::from_secs(20), |v| {
            v["method"] == "textDocument/publishDiagnostics" && v["params"]["uri"] == uri
        });
        v["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// The server still answers, promptly.
    fn answers(&mut self, uri: &str) {
        let t0 = Instant::now();
        let r = self.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 1}}),
        );
        assert!(r.get("result").is_some(), "{r}");
        assert!(
            t0.elapsed() < Duration::from_secs(5),
            "hover took {:?}",
            t0.elapsed()
        );
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn messages_of(diags: &[Value]) -> String {
    diags
        .iter()
        .map(|d| d["message"].as_str().unwrap_or_default())
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn malformed_frames_get_json_rpc_errors_and_the_server_goes_on() {
    let mut s = Server::start();
    let bad: [&[u8]; 5] = [
        b"Content-Length: 11\r\n\r\n{\"jsonrpc\":",
        b"Content-Length: 7\r\n\r\n[1,2,3]",
        b"Content-Length: nope\r\n\r\n",
        b"X-Nothing: here\r\n\r\n",
        b"Content-Length: 2\r\n\r\n\xff\xfe",
    ];
    for frame in bad {
        s.raw(frame);
        let v = s.wait_for(Duration::from_secs(10), |v| v.get("error").is_some());
        let code = v["error"]["code"].as_i64().unwrap_or(0);
        assert!(code == -32700 || code == -32600, "{v}");
    }
    let r = s.request("shutdown", Value::Null);
    assert!(r.get("result").is_some(), "{r}");
}

#[test]
fn a_printing_top_level_cannot_block_the_server() {
    let tree = Tree::new();
    let mut s = Server::start();
    let flood = tree.path("limits/print_flood.flow.rhai");
    let text = std::fs::read_to_string(&flood).expect("read");
    let uri = s.open(&flood, &text);
    let diags = s.diagnostics(&uri);
    assert!(
        messages_of(&diags).contains("while building the graph"),
        "{diags:?}"
    );
    s.answers(&uri);
    // Again: were the output going to the undrained stderr, this would fill it and block.
    for v in 2..6 {
        s.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": v}, "contentChanges": [{"text": format!("{text}\n")}]}),
        );
        s.diagnostics(&uri);
    }
    s.answers(&uri);
}

#[test]
fn imports_in_a_buffer_open_nothing_outside_its_folder() {
    let tree = Tree::new();
    let mut s = Server::start();
    let proj = tree.path("proj");
    // The protocol's own input, a FIFO and a device, all named like modules.
    std::os::unix::fs::symlink("/dev/stdin", proj.join("stdin.rhai")).expect("symlink");
    std::os::unix::fs::symlink("/dev/zero", proj.join("zero.rhai")).expect("symlink");
    mkfifo(&proj.join("fifo.rhai"));
    for (module, needle) in [
        ("stdin", ""),
        ("zero", "outside the script's folder"),
        ("fifo", "not a regular file"),
        ("../outside/lib", "outside the script's folder"),
        ("cycle_a", "import cycle"),
        ("self", "import cycle"),
    ] {
        let doc = proj.join(format!("buffer_{module}.flow.rhai").replace("../outside/", ""));
        let text =
            format!("import \"{module}\" as m;\nlet n = node(\"n\", #{{}});\nflow(\"main\", n)\n");
        let uri = s.open(&doc, &text);
        let diags = s.diagnostics(&uri);
        let messages = messages_of(&diags);
        assert!(!diags.is_empty(), "{module}: no diagnostic");
        assert!(messages.contains(needle), "{module}: {messages}");
        s.answers(&uri);
    }
}

#[test]
fn hostile_top_levels_are_diagnostics_and_the_server_stays_responsive() {
    let tree = Tree::new();
    let mut s = Server::start();
    for file in [
        "top_split.flow.rhai",
        "top_pad.flow.rhai",
        "top_sort.flow.rhai",
        "deep_top.flow.rhai",
    ] {
        let path = tree.path("limits").join(file);
        let text = std::fs::read_to_string(&path).expect("read");
        let t0 = Instant::now();
        let uri = s.open(&path, &text);
        let diags = s.diagnostics(&uri);
        assert!(!diags.is_empty(), "{file}: no diagnostic");
        // The editor's deadline is 750 ms; one call may not hold it much past that.
        assert!(
            t0.elapsed() < Duration::from_secs(8),
            "{file}: {:?}",
            t0.elapsed()
        );
        s.answers(&uri);
    }
}

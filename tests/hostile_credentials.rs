//! Credentials as an attacker goes after them, through the binary: the environment's API key
//! goes only to the environment's endpoint, never to a `base_url` the script picks, and no
//! message (the ones a script can catch included) shows a URL's password, a secret query value
//! or an `OPENAI_BASE_URL` the run may not read.

#![cfg(unix)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use support::hostile::{Tree, all_output, flowscript, stderr, store};

/// A one-route chat server on 127.0.0.1 that records each request's `Authorization` header.
struct Server {
    port: u16,
    seen: Arc<Mutex<Vec<Option<String>>>>,
}

fn server() -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let record = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let (mut auth, mut len) = (None, 0usize);
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                let lower = line.to_ascii_lowercase();
                if let Some(v) = lower.strip_prefix("authorization:") {
                    auth = Some(line[line.len() - v.len()..].trim().to_string());
                }
                if let Some(v) = lower.strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; len];
            let _ = reader.read_exact(&mut body);
            record.lock().expect("lock").push(auth);
            let reply = r#"{"choices":[{"message":{"role":"assistant","content":"pong"}}]}"#;
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
                reply.len()
            );
        }
    });
    Server { port, seen }
}

fn chat(
    tree: &Tree,
    base_url: Option<&str>,
    env_base: Option<&str>,
    net: &str,
) -> serde_json::Value {
    let mut cmd = flowscript();
    cmd.env_remove("OPENAI_BASE_URL")
        .env_remove("FLOWSCRIPT_MODEL")
        .env("OPENAI_API_KEY", "sk-env-secret-key")
        .arg("run")
        .arg(tree.path("net/llm_key.flow.rhai"))
        .arg(format!("--allow-net={net}"));
    if let Some(b) = base_url {
        cmd.args(["--set", &format!("base_url={b}")]);
    }
    if let Some(b) = env_base {
        cmd.env("OPENAI_BASE_URL", b);
    }
    let out = cmd.output().expect("run");
    assert!(
        !all_output(&out).contains("sk-env-secret-key"),
        "{}",
        all_output(&out)
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    store(&out)
}

#[test]
fn the_environment_key_never_goes_to_a_base_url_the_script_chose() {
    let tree = Tree::new();
    let s = server();
    let host = format!("127.0.0.1:{}", s.port);
    let url = format!("http://{host}/v1");
    assert_eq!(chat(&tree, Some(&url), None, &host)["reply"], "pong");
    assert_eq!(s.seen.lock().expect("lock").as_slice(), &[None]);
    // The environment's own endpoint gets it (also when the script names that endpoint).
    chat(&tree, None, Some(&url), &host);
    chat(&tree, Some(&format!("{url}/")), Some(&url), &host);
    let bearer = Some("Bearer sk-env-secret-key".to_string());
    assert_eq!(
        s.seen.lock().expect("lock").as_slice(),
        &[None, bearer.clone(), bearer]
    );
}

fn denied_message(tree: &Tree, flags: &[&str]) -> String {
    let out = flowscript()
        .env(
            "OPENAI_BASE_URL",
            "https://agent:hunter2pw@llm.example.com/v1?api_key=qk-123&region=eu",
        )
        .env("OPENAI_API_KEY", "sk-env-secret-key")
        .arg("run")
        .arg(tree.path("net/llm_denied.flow.rhai"))
        .args(flags)
        .output()
        .expect("run");
    let text = all_output(&out);
    for secret in ["hunter2pw", "qk-123", "agent:", "sk-env-secret-key"] {
        assert!(!text.contains(secret), "{secret} in:\n{text}");
    }
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    store(&out)["caught"]
        .as_str()
        .expect("a caught message")
        .to_string()
}

#[test]
fn denials_never_show_the_environment_url_or_its_secrets() {
    let tree = Tree::new();
    let caught = denied_message(&tree, &[]);
    assert!(caught.contains("needs net permission"), "{caught}");
    assert!(
        caught.contains("$OPENAI_BASE_URL (https://llm.example.com)"),
        "{caught}"
    );
    assert!(
        caught.contains("--allow-net=llm.example.com:443"),
        "{caught}"
    );
    assert!(
        !caught.contains("region=eu"),
        "the variable's value is not shown: {caught}"
    );
    // A run that may read the variable sees it, still without its credentials.
    let caught = denied_message(&tree, &["--allow-env=OPENAI_BASE_URL"]);
    assert!(caught.contains("REDACTED@llm.example.com"), "{caught}");
    assert!(
        caught.contains("api_key=REDACTED") && caught.contains("region=eu"),
        "{caught}"
    );
}

#[test]
fn http_messages_hide_passwords_and_tokens_in_urls() {
    let tree = Tree::new();
    let script = tree.path("net/http_denied.flow.rhai");
    for flags in [&[][..], &["--allow-net=127.0.0.1:9"][..]] {
        let out = flowscript()
            .arg("run")
            .arg(&script)
            .args(flags)
            .output()
            .expect("run");
        let text = all_output(&out);
        assert!(
            !text.contains("pa55word") && !text.contains("tk-999"),
            "{text}"
        );
        let caught = store(&out)["caught"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert!(caught.contains("127.0.0.1"), "{caught}");
    }
}

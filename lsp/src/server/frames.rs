//! The stdio transport's guard. tower-lsp-server stops reading after the first frame it cannot
//! decode, and then the server is gone; an editor (or anything writing to the server) must not
//! be able to end it with one bad message. Every frame from the client is read here first:
//! well-formed JSON-RPC messages go on to the server unchanged, anything else gets the JSON-RPC
//! error a server owes it (`-32700` parse error, `-32600` invalid request) and is dropped.
//! Frames are bounded in size; a larger one is skipped without being held in memory.

use serde_json::{Value, json};
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt,
};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};

/// Guard replies waiting to be written.
pub const PENDING_REPLIES: usize = 64;

/// The largest message accepted (documents are analysed up to 1 MiB; this leaves room).
pub const MAX_FRAME: usize = 64 << 20;

/// The longest header line read.
const MAX_HEADER_LINE: usize = 8 << 10;

/// One frame read from a stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A body.
    Body(Vec<u8>),
    /// Headers without a usable `Content-Length`, or a body too large to hold.
    Malformed(&'static str),
}

/// Read the next frame; `None` at the end of the stream.
pub async fn read_frame<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<Option<Frame>> {
    let mut length: Option<Option<usize>> = None;
    let mut saw_header = false;
    loop {
        let mut line = Vec::new();
        let n = (&mut *r)
            .take(MAX_HEADER_LINE as u64)
            .read_until(b'\n', &mut line)
            .await?;
        if n == 0 {
            return Ok(saw_header.then_some(Frame::Malformed("the stream ended inside headers")));
        }
        if !line.ends_with(b"\n") && line.len() >= MAX_HEADER_LINE {
            // An endless line: skip the rest of it.
            skip_line(r).await?;
            return Ok(Some(Frame::Malformed("a header line is too long")));
        }
        let text = String::from_utf8_lossy(&line);
        let text = text.trim_end_matches(['\r', '\n']);
        if text.is_empty() {
            if !saw_header {
                continue; // Blank lines between messages.
            }
            break;
        }
        saw_header = true;
        if let Some((name, value)) = text.split_once(':')
            && name.trim().eq_ignore_ascii_case("content-length")
        {
            length = Some(value.trim().parse().ok());
        }
    }
    let len = match length {
        Some(Some(len)) => len,
        Some(None) => return Ok(Some(Frame::Malformed("the Content-Length is not a number"))),
        None => return Ok(Some(Frame::Malformed("a message has no Content-Length"))),
    };
    if len > MAX_FRAME {
        let skipped =
            tokio::io::copy(&mut (&mut *r).take(len as u64), &mut tokio::io::sink()).await?;
        let _ = skipped;
        return Ok(Some(Frame::Malformed("the message is larger than 64 MiB")));
    }
    let mut body = vec![0; len];
    r.read_exact(&mut body).await?;
    Ok(Some(Frame::Body(body)))
}

async fn skip_line<R: AsyncBufRead + Unpin>(r: &mut R) -> std::io::Result<()> {
    loop {
        let buf = r.fill_buf().await?;
        if buf.is_empty() {
            return Ok(());
        }
        match buf.iter().position(|&b| b == b'\n') {
            Some(i) => {
                r.consume(i + 1);
                return Ok(());
            }
            None => {
                let n = buf.len();
                r.consume(n);
            }
        }
    }
}

/// `body` framed for the wire.
pub fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

/// The error response a bad body gets, or `None` when the server can take it.
pub fn rejection(body: &[u8]) -> Option<Vec<u8>> {
    let value: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return Some(error_response(Value::Null, -32700, "Parse error")),
    };
    let is_message = serde_json::from_value::<Request>(value.clone()).is_ok()
        || serde_json::from_value::<Response>(value.clone()).is_ok();
    if is_message {
        return None;
    }
    let id = match value.get("id") {
        Some(id @ (Value::Number(_) | Value::String(_))) => id.clone(),
        _ => Value::Null,
    };
    Some(error_response(id, -32600, "Invalid Request"))
}

fn error_response(id: Value, code: i64, message: &str) -> Vec<u8> {
    json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
        .to_string()
        .into_bytes()
}

/// Move frames from the client to the server, answering the bad ones through `replies`.
pub async fn pump_input<R, W>(client: R, mut server: W, replies: mpsc::Sender<Vec<u8>>)
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    let mut client = tokio::io::BufReader::new(client);
    while let Ok(Some(f)) = read_frame(&mut client).await {
        match f {
            Frame::Body(body) => match rejection(&body) {
                None => {
                    if server.write_all(&frame(&body)).await.is_err() {
                        break;
                    }
                    let _ = server.flush().await;
                }
                Some(reply) => {
                    // Bounded: a client that sends bad frames without reading stops being read.
                    let _ = replies.send(reply).await;
                }
            },
            Frame::Malformed(_) => {
                let _ = replies
                    .send(error_response(Value::Null, -32700, "Parse error"))
                    .await;
            }
        }
    }
    let _ = server.shutdown().await;
}

/// Move frames from the server to the client, with the guard's own replies between them.
pub async fn pump_output<R, W>(server: R, mut replies: mpsc::Receiver<Vec<u8>>, mut client: W)
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin,
{
    // Frames are read on their own task: a read interrupted half way would lose its bytes, so
    // only channel receives (which lose nothing) are raced below.
    let (frames_tx, mut frames) = mpsc::channel::<Vec<u8>>(16);
    let reader = tokio::spawn(async move {
        let mut server = tokio::io::BufReader::new(server);
        while let Ok(Some(f)) = read_frame(&mut server).await {
            if let Frame::Body(body) = f
                && frames_tx.send(body).await.is_err()
            {
                break;
            }
        }
    });
    let mut replies_open = true;
    loop {
        let body = tokio::select! {
            body = frames.recv() => match body {
                Some(body) => body,
                // The server is done: nothing is left to answer.
                None => break,
            },
            reply = replies.recv(), if replies_open => match reply {
                Some(body) => body,
                None => {
                    replies_open = false;
                    continue;
                }
            },
        };
        if client.write_all(&frame(&body)).await.is_err() || client.flush().await.is_err() {
            break;
        }
    }
    reader.abort();
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn frames(input: &[u8]) -> Vec<Frame> {
        let mut r = tokio::io::BufReader::new(input);
        let mut out = Vec::new();
        while let Some(f) = read_frame(&mut r).await.expect("io") {
            out.push(f);
        }
        out
    }

    #[tokio::test]
    async fn reads_frames_and_flags_broken_headers() {
        let mut input = frame(br#"{"a":1}"#);
        input.extend_from_slice(b"Content-Length: nope\r\n\r\n");
        input.extend_from_slice(b"X-Other: 1\r\n\r\n");
        input.extend(frame(b"[]"));
        assert_eq!(
            frames(&input).await,
            vec![
                Frame::Body(br#"{"a":1}"#.to_vec()),
                Frame::Malformed("the Content-Length is not a number"),
                Frame::Malformed("a message has no Content-Length"),
                Frame::Body(b"[]".to_vec()),
            ]
        );
    }

    #[test]
    fn bad_bodies_get_the_json_rpc_error_they_are_owed() {
        let parse = rejection(b"{\"jsonrpc\":").expect("rejected");
        assert!(String::from_utf8_lossy(&parse).contains("-32700"));
        let invalid = rejection(br#"{"id":7,"params":[]}"#).expect("rejected");
        let v: Value = serde_json::from_slice(&invalid).expect("json");
        assert_eq!(
            (v["id"].clone(), v["error"]["code"].clone()),
            (json!(7), json!(-32600))
        );
        assert!(rejection(br#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#).is_none());
        assert!(rejection(br#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#).is_none());
    }
}

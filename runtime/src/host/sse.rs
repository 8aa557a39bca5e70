//! An incremental parser for Server-Sent Events (the `text/event-stream` format `llm::stream`
//! reads): bytes go in as they arrive, complete events come out. Pure: no I/O.
//!
//! It follows the WHATWG rules that matter to a client: lines end with CRLF, LF or CR (a CRLF
//! split across two reads is one line end); a blank line dispatches the event; `data:` lines
//! join with `\n`; lines starting with `:` are comments; one space after the colon is dropped;
//! an event with no `data` is not dispatched. At the end of the stream an unterminated last line
//! is dropped (it was cut off), while data from complete lines still waiting for their blank
//! line is dispatched, as servers often omit the final blank line.

/// The longest line accepted; a longer one is an error rather than unbounded memory.
pub(super) const MAX_LINE: usize = 16 << 20;

/// One dispatched event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct SseEvent {
    /// The `event:` field, if any.
    pub event: Option<String>,
    /// The `data:` lines, joined with `\n`.
    pub data: String,
}

/// A line longer than [`MAX_LINE`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("an SSE line is longer than {MAX_LINE} bytes")]
pub(super) struct LineTooLong;

/// The parser's state between reads.
#[derive(Debug, Default)]
pub(super) struct SseParser {
    line: Vec<u8>,
    /// The previous read ended with CR: an LF starting this one belongs to it.
    after_cr: bool,
    started: bool,
    event: Option<String>,
    data: String,
    has_data: bool,
}

impl SseParser {
    /// A parser at the start of a stream.
    pub(super) fn new() -> Self {
        Self::default()
    }

    /// Feed the next bytes; returns the events they completed, in order.
    pub(super) fn push(&mut self, bytes: &[u8]) -> Result<Vec<SseEvent>, LineTooLong> {
        let mut out = Vec::new();
        let mut rest = bytes;
        if self.after_cr {
            self.after_cr = false;
            if let Some(stripped) = rest.strip_prefix(b"\n") {
                rest = stripped;
            }
        }
        while let Some(i) = rest.iter().position(|&b| b == b'\n' || b == b'\r') {
            self.line.extend_from_slice(&rest[..i]);
            let cr = rest[i] == b'\r';
            rest = &rest[i + 1..];
            if cr {
                match rest.first() {
                    Some(b'\n') => rest = &rest[1..],
                    None => self.after_cr = true,
                    Some(_) => {}
                }
            }
            let line = std::mem::take(&mut self.line);
            self.line(&line, &mut out);
        }
        if self.line.len() + rest.len() > MAX_LINE {
            return Err(LineTooLong);
        }
        self.line.extend_from_slice(rest);
        Ok(out)
    }

    /// The stream ended: returns a last event whose lines were complete but whose blank line
    /// never came. An unterminated last line is dropped.
    pub(super) fn finish(&mut self) -> Option<SseEvent> {
        self.line.clear();
        self.dispatch()
    }

    fn line(&mut self, raw: &[u8], out: &mut Vec<SseEvent>) {
        let mut raw = raw;
        if !self.started {
            self.started = true;
            raw = raw.strip_prefix("\u{feff}".as_bytes()).unwrap_or(raw);
        }
        if raw.is_empty() {
            out.extend(self.dispatch());
            return;
        }
        if raw.starts_with(b":") {
            return;
        }
        let text = String::from_utf8_lossy(raw);
        let (field, value) = match text.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (&*text, ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_string()),
            _ => {} // `id`, `retry` and unknown fields do not matter here.
        }
    }

    fn dispatch(&mut self) -> Option<SseEvent> {
        let event = self.event.take();
        if !std::mem::take(&mut self.has_data) {
            return None;
        }
        Some(SseEvent {
            event,
            data: std::mem::take(&mut self.data),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    fn parse_all(chunks: &[&[u8]]) -> Vec<SseEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        for c in chunks {
            out.extend(p.push(c).expect("line length"));
        }
        out.extend(p.finish());
        out
    }

    #[test]
    fn lf_crlf_and_cr_line_ends() {
        let lf = parse_all(&[b"data: a\n\ndata: b\n\n"]);
        let crlf = parse_all(&[b"data: a\r\n\r\ndata: b\r\n\r\n"]);
        let cr = parse_all(&[b"data: a\r\rdata: b\r\r"]);
        assert_eq!(data(&lf), ["a", "b"]);
        assert_eq!(lf, crlf);
        assert_eq!(lf, cr);
    }

    #[test]
    fn multi_line_data_joins_with_newlines() {
        let ev = parse_all(&[b"event: msg\ndata: one\ndata:two\ndata\n\n"]);
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].data, "one\ntwo\n");
        assert_eq!(ev[0].event.as_deref(), Some("msg"));
    }

    #[test]
    fn comments_ids_and_empty_events_are_skipped() {
        let ev = parse_all(&[b": keep-alive\n\nid: 7\nretry: 10\n\n:x\ndata: y\n\n"]);
        assert_eq!(data(&ev), ["y"]);
    }

    #[test]
    fn chunks_split_anywhere_give_the_same_events() {
        let whole: &[u8] =
            "\u{feff}data: {\"t\":\"héllo\"}\r\n\r\n: c\r\ndata: [DONE]\r\n\r\n".as_bytes();
        let expected = parse_all(&[whole]);
        assert_eq!(data(&expected), ["{\"t\":\"héllo\"}", "[DONE]"]);
        for split in 0..whole.len() {
            let (a, b) = whole.split_at(split);
            assert_eq!(parse_all(&[a, b]), expected, "split at {split}");
        }
        let bytes: Vec<&[u8]> = whole.chunks(1).collect();
        assert_eq!(parse_all(&bytes), expected);
    }

    #[test]
    fn a_crlf_split_across_reads_is_one_line_end() {
        let ev = parse_all(&[b"data: a\r", b"\n", b"\r", b"\ndata: b\n\n"]);
        assert_eq!(data(&ev), ["a", "b"]);
    }

    #[test]
    fn end_of_stream_keeps_complete_lines_and_drops_a_cut_one() {
        assert_eq!(data(&parse_all(&[b"data: [DONE]\n"])), ["[DONE]"]);
        assert!(parse_all(&[b"data: {\"cut"]).is_empty());
        let ev = parse_all(&[b"data: a\n\ndata: {\"cu"]);
        assert_eq!(data(&ev), ["a"]);
    }

    #[test]
    fn overlong_lines_are_an_error() {
        let mut p = SseParser::new();
        let big = vec![b'x'; MAX_LINE + 1];
        assert_eq!(p.push(&big), Err(LineTooLong));
    }
}

//! A run's bounded event buffer: the events readers replay, serialized once (when first read),
//! oldest dropped first when the run has made more than the buffer keeps.
//!
//! Readers hold a cursor (the last `seq` they delivered), never a queue of their own, so a slow
//! reader costs no memory: it reads from this buffer, and if the events it still needs were
//! dropped it is told so ([`Read::Dropped`]) and its stream ends with a `stream_error` event.

use std::collections::VecDeque;
use std::sync::{Arc, OnceLock};

use flowscript_runtime::{Event, EventKind};

mod size;

/// One event as streams send it. Its JSON is written the first time a stream reads it: a run
/// nobody follows (the common `POST /flows/{name}/runs` that waits for the outcome) never pays
/// for serializing its events.
pub struct Stored {
    /// The event's `seq` (the SSE `id:`).
    pub seq: u64,
    /// The event's `type` (the SSE `event:`).
    pub kind: &'static str,
    /// Whether this is the run's last event (`run_finished` or `run_failed`).
    pub terminal: bool,
    /// The event itself.
    pub event: Event,
    /// About how many bytes its JSON takes (the buffer's byte bound counts this).
    size: usize,
    json: OnceLock<String>,
}

impl Stored {
    /// Keep `event` for every reader.
    pub fn new(event: Event) -> Self {
        Self {
            seq: event.seq,
            kind: event.kind.type_name(),
            terminal: matches!(
                event.kind,
                EventKind::RunFinished { .. } | EventKind::RunFailed { .. }
            ),
            size: size::of(&event.kind),
            json: OnceLock::new(),
            event,
        }
    }

    /// The event as one line of JSON (the SSE `data:`), written once for every reader.
    pub fn json(&self) -> &str {
        self.json.get_or_init(|| {
            serde_json::to_string(&self.event).unwrap_or_else(|e| {
                serde_json::json!({
                    "seq": self.event.seq,
                    "type": "warning",
                    "code": "unserializable-event",
                    "message": format!("this event could not be serialized: {e}"),
                })
                .to_string()
            })
        })
    }
}

/// How much of a run's stream is kept for replay.
#[derive(Debug, Clone, Copy)]
pub struct BufferLimits {
    /// At most this many events (the newest).
    pub events: usize,
    /// At most this many bytes of event JSON (the newest event is always kept).
    pub bytes: usize,
}

impl Default for BufferLimits {
    fn default() -> Self {
        Self {
            events: 10_000,
            bytes: 64 << 20,
        }
    }
}

/// What a reader with a cursor finds.
pub enum Read {
    /// The next event after the cursor.
    Event(Arc<Stored>),
    /// The events after the cursor up to `through` were dropped from the buffer.
    Dropped {
        /// The last dropped `seq`.
        through: u64,
    },
    /// Nothing new yet: wait for more.
    Wait,
    /// The run's terminal event is at or before the cursor: the stream is complete.
    End,
}

/// The newest events of one run, in `seq` order.
pub struct EventBuffer {
    events: VecDeque<Arc<Stored>>,
    bytes: usize,
    limits: BufferLimits,
    /// The highest `seq` dropped so far (0: none).
    dropped_through: u64,
    /// The `seq` of the terminal event, once stored.
    terminal: Option<u64>,
}

impl EventBuffer {
    /// An empty buffer with these bounds.
    pub fn new(limits: BufferLimits) -> Self {
        Self {
            // A short run emits a handful of events: no regrowth on the first ones.
            events: VecDeque::with_capacity(8),
            bytes: 0,
            limits: BufferLimits {
                events: limits.events.max(1),
                bytes: limits.bytes,
            },
            dropped_through: 0,
            terminal: None,
        }
    }

    /// The last `seq` stored (0: none).
    pub fn last_seq(&self) -> u64 {
        self.events.back().map_or(self.dropped_through, |e| e.seq)
    }

    /// Whether the terminal event is stored.
    pub fn is_closed(&self) -> bool {
        self.terminal.is_some()
    }

    /// Append an event, dropping the oldest past the bounds. Events after the terminal one are
    /// ignored (a stream ends with it).
    pub fn push(&mut self, event: Arc<Stored>) {
        if self.terminal.is_some() || event.seq <= self.last_seq() {
            return;
        }
        if event.terminal {
            self.terminal = Some(event.seq);
        }
        self.bytes += event.size;
        self.events.push_back(event);
        while self.events.len() > self.limits.events
            || (self.bytes > self.limits.bytes && self.events.len() > 1)
        {
            let Some(old) = self.events.pop_front() else {
                break;
            };
            self.bytes -= old.size;
            self.dropped_through = old.seq;
        }
    }

    /// What a reader that has delivered everything up to `after` reads next.
    pub fn read(&self, after: u64) -> Read {
        if self.terminal.is_some_and(|t| t <= after) {
            return Read::End;
        }
        if after < self.dropped_through {
            return Read::Dropped {
                through: self.dropped_through,
            };
        }
        let i = self.events.partition_point(|e| e.seq <= after);
        match self.events.get(i) {
            Some(e) => Read::Event(e.clone()),
            None => Read::Wait,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stored(seq: u64, terminal: bool) -> Arc<Stored> {
        let kind = if terminal {
            EventKind::RunFinished {
                action: "default".into(),
                shared: serde_json::json!({}),
            }
        } else {
            EventKind::Emitted {
                data: serde_json::json!({"n": seq}),
            }
        };
        Arc::new(Stored::new(Event { seq, kind }))
    }

    fn seqs(buf: &EventBuffer, mut after: u64) -> (Vec<u64>, &'static str) {
        let mut out = Vec::new();
        loop {
            match buf.read(after) {
                Read::Event(e) => {
                    after = e.seq;
                    out.push(e.seq);
                }
                Read::Dropped { .. } => return (out, "dropped"),
                Read::Wait => return (out, "wait"),
                Read::End => return (out, "end"),
            }
        }
    }

    #[test]
    fn replays_after_a_cursor_and_ends_at_the_terminal_event() {
        let mut buf = EventBuffer::new(BufferLimits::default());
        for seq in 1..=3 {
            buf.push(stored(seq, false));
        }
        assert_eq!(seqs(&buf, 0), (vec![1, 2, 3], "wait"));
        assert_eq!(seqs(&buf, 2), (vec![3], "wait"));
        buf.push(stored(4, true));
        buf.push(stored(5, false));
        assert_eq!(seqs(&buf, 1), (vec![2, 3, 4], "end"));
        assert_eq!(seqs(&buf, 9), (vec![], "end"));
    }

    #[test]
    fn a_reader_behind_the_bound_is_told_its_events_were_dropped() {
        let mut buf = EventBuffer::new(BufferLimits {
            events: 3,
            bytes: usize::MAX,
        });
        for seq in 1..=5 {
            buf.push(stored(seq, false));
        }
        assert_eq!(seqs(&buf, 0), (vec![], "dropped"));
        assert_eq!(seqs(&buf, 1), (vec![], "dropped"));
        assert_eq!(seqs(&buf, 2), (vec![3, 4, 5], "wait"));
    }

    #[test]
    fn the_byte_bound_keeps_at_least_the_newest_event() {
        let mut buf = EventBuffer::new(BufferLimits {
            events: 100,
            bytes: 1,
        });
        buf.push(stored(1, false));
        buf.push(stored(2, true));
        assert_eq!(seqs(&buf, 1), (vec![2], "end"));
        assert_eq!(seqs(&buf, 0), (vec![], "dropped"));
    }
}

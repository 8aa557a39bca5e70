//! Event sinks: JSON lines to a writer, or a collecting vector for tests and embedding.

use std::io::Write;

use parking_lot::Mutex;

use super::Event;

/// Receives events in `seq` order.
pub trait EventSink: Send + Sync {
    /// Take one event (owned: a sink that keeps it needs no copy).
    fn event(&self, event: Event);
}

/// Writes one JSON object per line and flushes it, so consumers see events as they happen.
pub struct JsonlSink<W: Write + Send>(Mutex<W>);

impl<W: Write + Send> JsonlSink<W> {
    /// A sink writing to `w`.
    pub fn new(w: W) -> Self {
        Self(Mutex::new(w))
    }

    /// Write one event as a line, for sinks that also look at it.
    pub fn write(&self, event: &Event) {
        let mut w = self.0.lock();
        // A closed pipe must not abort the run; the store is still reported by exit status.
        if serde_json::to_writer(&mut *w, event).is_ok() {
            let _ = w.write_all(b"\n");
            let _ = w.flush();
        }
    }
}

impl<W: Write + Send> EventSink for JsonlSink<W> {
    fn event(&self, event: Event) {
        self.write(&event);
    }
}

/// Keeps every event in memory.
#[derive(Default)]
pub struct CollectSink(Mutex<Vec<Event>>);

impl CollectSink {
    /// The events so far.
    pub fn events(&self) -> Vec<Event> {
        self.0.lock().clone()
    }
}

impl EventSink for CollectSink {
    fn event(&self, event: Event) {
        self.0.lock().push(event);
    }
}

//! Event sinks: JSON lines to a writer (on a thread of its own), or a collecting vector for tests
//! and embedding.

use std::io::Write;
use std::sync::Arc;

use parking_lot::{Condvar, Mutex};

use super::Event;

/// Receives events in `seq` order.
pub trait EventSink: Send + Sync {
    /// Take one event (owned: a sink that keeps it needs no copy).
    fn event(&self, event: Event);
}

/// How long [`JsonlSink`]'s writer lets events gather after the first one arrives.
const LINGER: std::time::Duration = std::time::Duration::from_millis(1);

/// How many events a [`JsonlSink`] queues for its writer before the run waits for the reader.
pub const JSONL_QUEUE: usize = 65_536;

/// Writes one JSON object per line on a writer thread of its own, so a slow consumer of the
/// stream (a pipe nobody reads fast) does not stall the run: the executor only queues the event.
/// Order is kept (one queue, filled in `seq` order). Up to [`JSONL_QUEUE`] events wait in the
/// queue; beyond that, emitting waits until the writer catches up: backpressure, never a dropped
/// event. The writer flushes whenever the queue runs empty, so a consumer sees events as they
/// happen. [`JsonlSink::finish`] (or dropping the sink) writes what is queued and waits for it.
pub struct JsonlSink {
    shared: Arc<Queue>,
    delivery: Delivery,
}

/// Who writes the lines, decided once when the sink is made.
enum Delivery {
    /// The writer thread, until [`JsonlSink::finish`] joins it.
    Thread(Mutex<Option<std::thread::JoinHandle<()>>>),
    /// No thread could be started: events are written on the emitting thread.
    Inline(Mutex<Option<Box<dyn Write + Send>>>),
}

/// The queue between the emitting threads and the writer. Events are taken in batches, so a
/// writer that keeps up is woken about once per batch, not once per event.
struct Queue {
    state: Mutex<QueueState>,
    /// Signalled when events arrive or the queue closes.
    ready: Condvar,
    /// Signalled when the writer takes a batch (there is room again).
    room: Condvar,
    capacity: usize,
}

#[derive(Default)]
struct QueueState {
    events: Vec<Event>,
    closed: bool,
}

impl JsonlSink {
    /// A sink writing to `w` on a new thread (or, if no thread can be started, inline).
    pub fn new<W: Write + Send + 'static>(w: W) -> Self {
        Self::with_queue(w, JSONL_QUEUE)
    }

    /// A sink whose queue holds at most `capacity` events.
    pub fn with_queue<W: Write + Send + 'static>(w: W, capacity: usize) -> Self {
        let shared = Arc::new(Queue {
            state: Mutex::new(QueueState::default()),
            ready: Condvar::new(),
            room: Condvar::new(),
            capacity: capacity.max(1),
        });
        // The writer travels through a slot so that a thread that cannot be started gives it
        // back (a failed spawn drops its closure).
        let slot: Arc<Mutex<Option<Box<dyn Write + Send>>>> =
            Arc::new(Mutex::new(Some(Box::new(w))));
        let (queue, for_writer) = (shared.clone(), slot.clone());
        let spawned = std::thread::Builder::new()
            .name("flowscript-events".into())
            .spawn(move || {
                let w = for_writer.lock().take();
                if let Some(w) = w {
                    drain(&queue, w);
                }
            });
        let delivery = match spawned {
            Ok(handle) => Delivery::Thread(Mutex::new(Some(handle))),
            Err(_) => Delivery::Inline(Mutex::new(slot.lock().take())),
        };
        Self { shared, delivery }
    }

    /// Write what is queued, flush, and stop the writer; later events are dropped.
    pub fn finish(&self) {
        self.shared.state.lock().closed = true;
        self.shared.ready.notify_all();
        self.shared.room.notify_all();
        match &self.delivery {
            Delivery::Thread(handle) => {
                if let Some(writer) = handle.lock().take() {
                    let _ = writer.join();
                }
            }
            Delivery::Inline(w) => {
                if let Some(mut w) = w.lock().take() {
                    let _ = w.flush();
                }
            }
        }
    }
}

/// The writer thread: takes what is queued, writes one line per event, flushes, and waits for
/// more. A closed pipe must not abort the run: after a write error it only empties the queue.
fn drain(queue: &Queue, w: Box<dyn Write + Send>) {
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, w);
    let mut broken = false;
    let mut batch = Vec::new();
    loop {
        {
            let mut state = queue.state.lock();
            while state.events.is_empty() && !state.closed {
                queue.ready.wait(&mut state);
                if !state.closed {
                    // Let a burst gather: one wake-up and one write per batch rather than per
                    // event (what a consumer sees is at most this much later).
                    drop(state);
                    std::thread::sleep(LINGER);
                    state = queue.state.lock();
                }
            }
            if state.events.is_empty() {
                break;
            }
            std::mem::swap(&mut batch, &mut state.events);
        }
        queue.room.notify_all();
        for event in batch.drain(..) {
            if !broken {
                broken = write_line(&mut out, &event).is_err();
            }
        }
        if !broken {
            broken = out.flush().is_err();
        }
    }
    let _ = out.flush();
}

fn write_line(w: &mut impl Write, event: &Event) -> std::io::Result<()> {
    serde_json::to_writer(&mut *w, event)?;
    w.write_all(b"\n")
}

impl EventSink for JsonlSink {
    fn event(&self, event: Event) {
        // The emitter calls in `seq` order, one at a time; a full queue makes it wait here.
        if let Delivery::Inline(w) = &self.delivery {
            if let Some(w) = w.lock().as_mut()
                && write_line(w, &event).is_ok()
            {
                let _ = w.flush();
            }
            return;
        }
        let mut state = self.shared.state.lock();
        while state.events.len() >= self.shared.capacity && !state.closed {
            self.shared.room.wait(&mut state);
        }
        if state.closed {
            return;
        }
        state.events.push(event);
        drop(state);
        self.shared.ready.notify_one();
    }
}

impl Drop for JsonlSink {
    fn drop(&mut self) {
        self.finish();
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

#[cfg(test)]
mod tests {
    use std::sync::mpsc;
    use std::time::Duration;

    use super::*;
    use crate::events::EventKind;

    fn event(seq: u64) -> Event {
        Event {
            seq,
            kind: EventKind::InputReceived {
                key: format!("k{seq}"),
            },
        }
    }

    /// A writer that hands every write to the test and may be held up by it.
    struct Gated {
        gate: Arc<Mutex<()>>,
        out: mpsc::Sender<Vec<u8>>,
    }

    impl Write for Gated {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            let _open = self.gate.lock();
            let _ = self.out.send(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn lines(rx: &mpsc::Receiver<Vec<u8>>) -> Vec<String> {
        let bytes: Vec<u8> = rx.try_iter().flatten().collect();
        String::from_utf8(bytes)
            .expect("utf-8")
            .lines()
            .map(String::from)
            .collect()
    }

    #[test]
    fn writes_every_event_in_order_by_finish() {
        let (tx, rx) = mpsc::channel();
        let gate = Arc::new(Mutex::new(()));
        let sink = JsonlSink::new(Gated { gate, out: tx });
        for seq in 1..=1000 {
            sink.event(event(seq));
        }
        sink.finish();
        let got = lines(&rx);
        assert_eq!(got.len(), 1000);
        for (i, line) in got.iter().enumerate() {
            let e: Event = serde_json::from_str(line).expect("an event per line");
            assert_eq!(e.seq, i as u64 + 1);
        }
        sink.event(event(1001));
        assert!(lines(&rx).is_empty(), "nothing is written after finish");
    }

    #[test]
    fn a_stalled_reader_holds_up_emitting_only_once_the_queue_is_full() {
        use std::sync::atomic::{AtomicU64, Ordering};
        let (tx, rx) = mpsc::channel();
        let gate = Arc::new(Mutex::new(()));
        let held = gate.lock();
        let sink = Arc::new(JsonlSink::with_queue(
            Gated {
                gate: gate.clone(),
                out: tx,
            },
            4,
        ));
        let accepted = Arc::new(AtomicU64::new(0));
        let emitter = {
            let (sink, accepted) = (sink.clone(), accepted.clone());
            std::thread::spawn(move || {
                for seq in 1..=5000 {
                    sink.event(event(seq));
                    accepted.store(seq, Ordering::SeqCst);
                }
            })
        };
        std::thread::sleep(Duration::from_millis(200));
        // The writer is stuck in its first write: the queue took some events at once, then
        // emitting waited (backpressure, not a drop), and the reader has seen nothing.
        let before = accepted.load(Ordering::SeqCst);
        assert!(
            before >= 4,
            "the queue absorbs events while the reader is stuck: {before}"
        );
        assert!(before < 5000, "a full queue makes emitting wait");
        assert!(lines(&rx).is_empty(), "the reader has seen nothing");
        drop(held);
        emitter.join().expect("the emitter");
        sink.finish();
        let seqs: Vec<u64> = lines(&rx)
            .iter()
            .map(|l| serde_json::from_str::<Event>(l).expect("an event").seq)
            .collect();
        assert_eq!(seqs, (1..=5000).collect::<Vec<_>>());
    }
}

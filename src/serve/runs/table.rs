//! The run table: every running run and the last `--keep-runs` ended ones, by id and by age,
//! and the `--max-runs` slots that bound how many run at once.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use super::{BufferLimits, CancelCause, Run};

/// Why a run could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StartError {
    /// `--max-runs` runs are running.
    Busy(u32),
    /// The server is shutting down.
    ShuttingDown,
}

/// Runs by id and in the order they started.
#[derive(Default)]
struct Inner {
    /// Creation number → run (a `BTreeMap`, so listing newest first is a reverse walk).
    by_age: BTreeMap<u64, Arc<Run>>,
    /// Id → creation number.
    by_id: HashMap<String, u64>,
    /// Ended runs' creation numbers in the order they ended, for pruning.
    ended: VecDeque<u64>,
    next: u64,
    closed: bool,
}

/// Every run the server knows.
pub struct RunTable {
    inner: Mutex<Inner>,
    slots: Arc<Semaphore>,
    max_runs: u32,
    keep: usize,
    buffer: BufferLimits,
}

/// A slot for one running run, held until it ends.
pub struct Slot {
    _permit: OwnedSemaphorePermit,
}

impl RunTable {
    /// A table allowing `max_runs` concurrent runs and keeping `keep` ended ones.
    pub fn new(max_runs: u32, keep: usize, buffer: BufferLimits) -> Self {
        let max_runs = max_runs.max(1);
        Self {
            inner: Mutex::default(),
            slots: Arc::new(Semaphore::new(max_runs as usize)),
            max_runs,
            keep,
            buffer,
        }
    }

    /// Register a new running run of `flow` (with a slot it holds until it ends), or say why
    /// not.
    pub fn create(&self, flow: &str, input: Value) -> Result<(Arc<Run>, Slot), StartError> {
        // Built before the table is locked: every request takes that lock.
        let id = new_id();
        let run = Arc::new(Run::new(id.clone(), flow.to_string(), input, self.buffer));
        let mut inner = self.inner.lock();
        if inner.closed {
            return Err(StartError::ShuttingDown);
        }
        let permit = self
            .slots
            .clone()
            .try_acquire_owned()
            .map_err(|_| StartError::Busy(self.max_runs))?;
        let n = inner.next;
        inner.next += 1;
        inner.by_age.insert(n, run.clone());
        inner.by_id.insert(id, n);
        Ok((run, Slot { _permit: permit }))
    }

    /// The run with this id.
    pub fn get(&self, id: &str) -> Option<Arc<Run>> {
        let inner = self.inner.lock();
        let n = inner.by_id.get(id)?;
        inner.by_age.get(n).cloned()
    }

    /// Every run, most recent first.
    pub fn list(&self) -> Vec<Arc<Run>> {
        self.inner.lock().by_age.values().rev().cloned().collect()
    }

    /// Note that `run` ended; past `--keep-runs` ended runs the oldest-ended are forgotten.
    pub fn ended(&self, run: &Run) {
        // Forgotten runs are dropped (their stores and events freed) after the lock is let go.
        let mut forgotten = Vec::new();
        {
            let mut inner = self.inner.lock();
            let Some(&n) = inner.by_id.get(run.id()) else {
                return;
            };
            inner.ended.push_back(n);
            while inner.ended.len() > self.keep {
                let Some(old) = inner.ended.pop_front() else {
                    break;
                };
                if let Some(r) = inner.by_age.remove(&old) {
                    inner.by_id.remove(r.id());
                    forgotten.push(r);
                }
            }
        }
        drop(forgotten);
    }

    /// Refuse new runs from now on.
    pub fn close(&self) {
        self.inner.lock().closed = true;
    }

    /// How many runs are running.
    pub fn running(&self) -> usize {
        (self.max_runs as usize).saturating_sub(self.slots.available_permits())
    }

    /// Wait until no run is running (every slot is free again).
    pub async fn idle(&self) {
        // Slots are only taken while the table is open; once closed this waits for the rest.
        if let Ok(all) = self.slots.acquire_many(self.max_runs).await {
            drop(all);
        }
    }

    /// Cancel every running run for `cause`.
    pub fn cancel_all(&self, cause: CancelCause) {
        for run in self.list() {
            if !run.is_ended() {
                run.cancel(cause);
            }
        }
    }
}

/// A fresh run id: 128 random bits in hex (unique across replicas in practice).
fn new_id() -> String {
    format!("{:032x}", fastrand::u128(..))
}

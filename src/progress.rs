//! Live progress of `flowscript run` on the terminal (stderr): a line for the node that runs
//! now with its elapsed time, and for each batch or parallel node or flow a bar of its items
//! (done / total, in flight, retries, failures); at the end the bars are cleared and one
//! summary line stays. Built on indicatif, fed by the run's own events.

use std::collections::{HashMap, HashSet};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use clap::ValueEnum;
use flowscript_runtime::graph::NodeKind;
use flowscript_runtime::{Event, EventKind};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use parking_lot::Mutex;

/// When to show progress.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ProgressMode {
    /// When stderr is a terminal and events do not go to stdout.
    Auto,
    /// Always (to stderr, even when it is not a terminal).
    Always,
    /// Never.
    Never,
}

impl ProgressMode {
    /// Whether to show progress, given whether `--events` was asked for.
    pub fn enabled(self, events: bool) -> bool {
        match self {
            Self::Auto => !events && std::io::stderr().is_terminal(),
            Self::Always => true,
            Self::Never => false,
        }
    }
}

/// One batch or parallel node's bar and its counts.
struct Fanout {
    bar: ProgressBar,
    /// Items started and not yet finished or failed.
    in_flight: HashSet<usize>,
    retries: u64,
    failed: u64,
}

impl Fanout {
    /// The bar's message: what is in flight, retried and failed.
    fn show(&self) {
        let mut parts = vec![format!("{} in flight", self.in_flight.len())];
        if self.retries > 0 {
            parts.push(format!("{} retries", self.retries));
        }
        if self.failed > 0 {
            parts.push(format!("{} failed", self.failed));
        }
        self.bar.set_message(parts.join(", "));
    }
}

struct State {
    /// The line for the node that started last.
    current: ProgressBar,
    fanouts: HashMap<String, Fanout>,
    nodes: u64,
    items: u64,
    retries: u64,
    failed: u64,
}

/// The progress display.
pub struct Progress {
    multi: MultiProgress,
    started: Instant,
    state: Mutex<State>,
}

/// Drawing on stderr, ten times a second at most (forced: `--progress always` draws even when
/// stderr is not a terminal).
fn stderr_target() -> ProgressDrawTarget {
    ProgressDrawTarget::term(console::Term::stderr(), 10)
}

fn fanout_kind(kind: NodeKind) -> bool {
    matches!(
        kind,
        NodeKind::Batch | NodeKind::Parallel | NodeKind::BatchFlow | NodeKind::ParallelFlow
    )
}

impl Progress {
    /// A display drawing on stderr (forced, for `--progress always`, even when not a terminal).
    pub fn new() -> Self {
        let target = stderr_target();
        let multi = MultiProgress::with_draw_target(target);
        let current = multi.add(ProgressBar::new_spinner());
        current.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        current.enable_steady_tick(Duration::from_millis(100));
        Self {
            multi,
            started: Instant::now(),
            state: Mutex::new(State {
                current,
                fanouts: HashMap::new(),
                nodes: 0,
                items: 0,
                retries: 0,
                failed: 0,
            }),
        }
    }

    /// Print `line` above the bars (so it is not drawn over).
    pub fn println(&self, line: &str) {
        let _ = self.multi.println(line);
    }

    /// Update the display for one event.
    pub fn event(&self, event: &Event) {
        let mut s = self.state.lock();
        match &event.kind {
            EventKind::NodeStarted { path, kind, .. } => {
                s.nodes += 1;
                s.current.set_message(format!("running {path}"));
                s.current.reset_elapsed();
                if fanout_kind(*kind) && !s.fanouts.contains_key(path) {
                    let bar = self.multi.add(ProgressBar::no_length());
                    bar.set_style(
                        ProgressStyle::with_template(
                            "  {prefix} [{bar:30}] {pos}/{len} items {msg} ({elapsed})",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    bar.set_prefix(path.clone());
                    let f = Fanout {
                        bar,
                        in_flight: HashSet::new(),
                        retries: 0,
                        failed: 0,
                    };
                    f.show();
                    s.fanouts.insert(path.clone(), f);
                }
            }
            EventKind::ItemStarted { path, index, of } => {
                if let Some(f) = s.fanouts.get_mut(path) {
                    f.bar.set_length(*of as u64);
                    f.in_flight.insert(*index);
                    f.show();
                }
            }
            EventKind::ItemFailed {
                path, index, of, ..
            } => {
                s.failed += 1;
                if let Some(f) = s.fanouts.get_mut(path) {
                    f.bar.set_length(*of as u64);
                    f.in_flight.remove(index);
                    f.failed += 1;
                    f.show();
                }
            }
            EventKind::ItemFinished { path, index, of } => {
                s.items += 1;
                if let Some(f) = s.fanouts.get_mut(path) {
                    f.bar.set_length(*of as u64);
                    f.in_flight.remove(index);
                    f.bar.inc(1);
                    f.show();
                }
            }
            EventKind::NodeRetry { path, .. } => {
                s.retries += 1;
                // The retried item (`main/each[3]`) or node belongs to the nearest bar above it.
                let owner = s
                    .fanouts
                    .keys()
                    .filter(|k| path.starts_with(k.as_str()))
                    .max_by_key(|k| k.len())
                    .cloned();
                if let Some(f) = owner.and_then(|k| s.fanouts.get_mut(&k)) {
                    f.retries += 1;
                    f.show();
                }
            }
            EventKind::NodeFinished { path, .. } => {
                if let Some(f) = s.fanouts.remove(path) {
                    f.bar.finish_and_clear();
                    self.multi.remove(&f.bar);
                }
            }
            // A question on the terminal: the bars step aside until it is answered.
            EventKind::InputRequired { .. } => {
                self.multi.set_draw_target(ProgressDrawTarget::hidden());
            }
            EventKind::InputReceived { .. } => {
                self.multi.set_draw_target(stderr_target());
            }
            EventKind::RunFinished { .. } | EventKind::RunFailed { .. } => {
                let failed = matches!(event.kind, EventKind::RunFailed { .. });
                for (_, f) in s.fanouts.drain() {
                    f.bar.finish_and_clear();
                }
                s.current.finish_and_clear();
                let mut summary = format!(
                    "{} in {:.1}s: {} node visits, {} items, {} retries",
                    if failed { "failed" } else { "finished" },
                    self.started.elapsed().as_secs_f64(),
                    s.nodes,
                    s.items,
                    s.retries
                );
                if s.failed > 0 {
                    summary.push_str(&format!(", {} items failed", s.failed));
                }
                let _ = self.multi.clear();
                crate::output::errln!("{summary}");
            }
            _ => {}
        }
    }
}

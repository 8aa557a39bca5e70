//! `--reload`: serve a script's new version when its file changes on disk. Each file is polled
//! (size, modification time, then content), which also sees editors that save by writing a new
//! file and renaming it over the old one. A version that does not load is reported on stderr
//! and the last good one keeps serving; runs already started finish on the version they began
//! with.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use flowscript_runtime::{LoadOptions, Runtime};

use super::registry::{Flow, Registry};
use crate::output::errln;

/// How often files are looked at.
const POLL: Duration = Duration::from_millis(300);

/// What was last seen of one file.
struct Watched {
    path: PathBuf,
    stamp: Option<(u64, SystemTime)>,
    /// A hash of the content (a copy would double the memory a large script takes).
    content: Option<u64>,
}

impl Watched {
    fn new(path: PathBuf) -> Self {
        let stamp = stamp(&path);
        let content = content_hash(&path);
        Self {
            path,
            stamp,
            content,
        }
    }

    /// Whether the file's content changed since last seen (a touch alone is no change).
    fn changed(&mut self) -> bool {
        let now = stamp(&self.path);
        if now == self.stamp {
            return false;
        }
        self.stamp = now;
        let content = content_hash(&self.path);
        if content == self.content {
            return false;
        }
        self.content = content;
        true
    }
}

fn content_hash(path: &std::path::Path) -> Option<u64> {
    use std::hash::{Hash, Hasher};
    let bytes = std::fs::read(path).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    Some(h.finish())
}

fn stamp(path: &std::path::Path) -> Option<(u64, SystemTime)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.len(), meta.modified().ok()?))
}

/// Watch `files` until the task is dropped, loading each changed one as at start.
pub async fn watch(files: Vec<PathBuf>, runtime: Runtime, opts: LoadOptions, flows: Arc<Registry>) {
    let mut watched: Vec<Watched> = files.into_iter().map(Watched::new).collect();
    let mut tick = tokio::time::interval(POLL);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        tick.tick().await;
        for w in &mut watched {
            if !w.changed() {
                continue;
            }
            let (path, runtime, opts) = (w.path.clone(), runtime.clone(), opts.clone());
            // Loading runs the script's top level (bounded in time): off the async workers.
            let loaded = tokio::task::spawn_blocking(move || reload(&runtime, &path, &opts)).await;
            match loaded {
                Ok(Some(flow)) => {
                    let (name, file) = (flow.name.clone(), flow.file.clone());
                    match flows.replace(flow) {
                        Ok(()) => errln!("reloaded {file}: serving flow `{name}`"),
                        Err(message) => {
                            errln!("error: {message}; still serving the previous version")
                        }
                    }
                }
                Ok(None) => errln!(
                    "error: {} no longer loads (above); still serving the previous version",
                    w.path.display()
                ),
                Err(_) => errln!(
                    "error: reloading {} stopped unexpectedly; still serving the previous version",
                    w.path.display()
                ),
            }
        }
    }
}

/// Load `path` as `serve` does at start, printing its diagnostics.
fn reload(runtime: &Runtime, path: &std::path::Path, opts: &LoadOptions) -> Option<Flow> {
    let mut loaded = crate::cmd::load_reported(runtime, path, opts).ok()?;
    let program = crate::cmd::take_program(&mut loaded, path).ok()?;
    Some(Flow::new(path, program))
}

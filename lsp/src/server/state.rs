//! The open documents: each one's version, text (as a rope) and latest analysis.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use ropey::Rope;
use tower_lsp_server::ls_types::Uri;

use crate::analysis::Analysis;

/// One open document.
struct DocState {
    version: i32,
    rope: Rope,
    text: Arc<str>,
    /// The analysis of `version` (maybe only [`Analysis::quick`]), or of an older version.
    analysis: Option<(i32, Arc<Analysis>)>,
}

/// What a request works on: the current text and an analysis of exactly that text.
pub struct Snapshot {
    /// The document's text as a rope (for position conversion).
    pub rope: Rope,
    /// The analysis of that text.
    pub analysis: Arc<Analysis>,
}

/// The text of a version, for the full analysis.
pub struct Pending {
    /// The version.
    pub version: i32,
    /// Its text.
    pub text: Arc<str>,
    /// The latest analysis before it (its graph is kept while the new text does not build).
    pub previous: Option<Arc<Analysis>>,
    /// The file name for diagnostics.
    pub file: String,
}

/// All open documents, by URI.
#[derive(Default)]
pub struct Documents {
    docs: Mutex<HashMap<Uri, DocState>>,
    /// Serialises full analyses: at most one runs, the others wait and re-check staleness.
    pub(crate) analysing: tokio::sync::Mutex<()>,
}

/// The name analysis uses for a document: its path when it is a file URI.
pub fn file_name(uri: &Uri) -> String {
    uri.to_file_path()
        .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string())
}

impl Documents {
    /// Set a document's text (open or full change); older versions than the current are ignored.
    pub fn set(&self, uri: &Uri, version: i32, text: String) {
        let mut docs = self.docs.lock();
        if let Some(d) = docs.get(uri) {
            if version < d.version {
                return;
            }
        }
        let analysis = docs.remove(uri).and_then(|d| d.analysis);
        docs.insert(
            uri.clone(),
            DocState {
                version,
                rope: Rope::from_str(&text),
                text: text.into(),
                analysis,
            },
        );
    }

    /// Forget a document.
    pub fn close(&self, uri: &Uri) {
        self.docs.lock().remove(uri);
    }

    /// The current version, if open.
    pub fn version(&self, uri: &Uri) -> Option<i32> {
        self.docs.lock().get(uri).map(|d| d.version)
    }

    /// What the full analysis of the current version needs, unless it already has one.
    pub fn pending(&self, uri: &Uri, version: i32) -> Option<Pending> {
        let docs = self.docs.lock();
        let d = docs.get(uri).filter(|d| d.version == version)?;
        if let Some((v, a)) = &d.analysis {
            if *v == version && a.is_loaded() {
                return None;
            }
        }
        Some(Pending {
            version,
            text: d.text.clone(),
            previous: d.analysis.as_ref().map(|(_, a)| a.clone()),
            file: file_name(uri),
        })
    }

    /// Store a full analysis if its version is still current; returns the rope to convert its
    /// diagnostics with, or `None` when the version is stale.
    pub fn store(&self, uri: &Uri, version: i32, analysis: Arc<Analysis>) -> Option<Rope> {
        let mut docs = self.docs.lock();
        let d = docs.get_mut(uri).filter(|d| d.version == version)?;
        d.analysis = Some((version, analysis));
        Some(d.rope.clone())
    }

    /// The current text with an analysis of it: the stored one, or a quick one made now (and
    /// kept) when the full analysis of this version has not finished yet.
    pub fn snapshot(&self, uri: &Uri) -> Option<Snapshot> {
        let (version, rope, text, previous) = {
            let docs = self.docs.lock();
            let d = docs.get(uri)?;
            if let Some((v, a)) = &d.analysis {
                if *v == d.version {
                    return Some(Snapshot {
                        rope: d.rope.clone(),
                        analysis: a.clone(),
                    });
                }
            }
            (
                d.version,
                d.rope.clone(),
                d.text.clone(),
                d.analysis.as_ref().map(|(_, a)| a.clone()),
            )
        };
        let quick = Arc::new(Analysis::quick(&file_name(uri), &text, previous.as_deref()));
        let mut docs = self.docs.lock();
        if let Some(d) = docs.get_mut(uri) {
            let newer = d.analysis.as_ref().is_some_and(|(v, _)| *v == version);
            if d.version == version && !newer {
                d.analysis = Some((version, quick.clone()));
            }
        }
        Some(Snapshot {
            rope,
            analysis: quick,
        })
    }
}

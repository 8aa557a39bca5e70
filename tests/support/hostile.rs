//! What the hostile-input tests share: a private copy of `tests/hostile/` (so tests can add
//! links, FIFOs and files around the fixtures), the binary, and reading its answers.

use std::path::{Path, PathBuf};
use std::process::Output;

#[allow(unused_imports)] // Not every test file runs the binary this way.
pub use super::cli::flowscript;

/// A temporary copy of `tests/hostile/`.
pub struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    /// Copy the fixtures.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("tempdir");
        let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/hostile");
        copy_dir(&src, dir.path());
        Self { dir }
    }

    /// A path inside the copy.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    /// The copy's root.
    pub fn root(&self) -> &Path {
        self.dir.path()
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// stdout as the JSON store it holds.
pub fn store(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON value ({e}):\n{}\nstderr:\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A rendered diagnostic with miette's line wrapping undone (continuation lines start with
/// `│ ` after the indent), so messages can be matched whole.
pub fn flat(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        match trimmed.strip_prefix("│ ") {
            Some(rest) if !out.is_empty() => {
                out.push(' ');
                out.push_str(rest.trim_end());
            }
            _ => {
                out.push('\n');
                out.push_str(line.trim_end());
            }
        }
    }
    out
}

/// Everything the process printed, for "this never appears anywhere" checks.
pub fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

/// Make a FIFO at `path`.
pub fn mkfifo(path: &Path) {
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success(), "mkfifo {}", path.display());
}

//! Deno-style permissions: every effect is denied unless the run allows it, and a denied call
//! names the flag that would allow it.

use std::io;
use std::path::{Component, Path, PathBuf};

/// What one kind of effect may touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Grant {
    /// Nothing (the default).
    #[default]
    Denied,
    /// Anything.
    All,
    /// Only these paths (and what is below them) or hosts.
    Only(Vec<String>),
}

impl Grant {
    /// `--allow-x` with no value grants all; with values, only those.
    pub fn from_flag(values: Option<&[String]>) -> Self {
        match values {
            None => Self::Denied,
            Some([]) => Self::All,
            Some(list) => Self::Only(list.iter().filter(|v| !v.is_empty()).cloned().collect()),
        }
    }
}

/// The effects a run may perform.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Permissions {
    /// `fs::read`, `fs::list`: paths.
    pub read: Grant,
    /// `fs::write`: paths.
    pub write: Grant,
    /// `http::*`, `llm::*`: hosts (`host` or `host:port`).
    pub net: Grant,
    /// `process::run`: program names (or all).
    pub run: Grant,
    /// `env(name)`: variable names (or all).
    pub env: Grant,
}

/// A denied effect: the message names the call and the flag to add.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{call} needs {what} permission: run with {flag}")]
pub struct Denied {
    /// The call, e.g. `fs::read("data.txt")`.
    pub call: String,
    /// `read`, `write`, `net`, `run`, `env`.
    pub what: &'static str,
    /// The flag(s) that would allow it.
    pub flag: String,
}

impl Permissions {
    /// Everything allowed (`-A`).
    pub fn all() -> Self {
        Self {
            read: Grant::All,
            write: Grant::All,
            net: Grant::All,
            run: Grant::All,
            env: Grant::All,
        }
    }

    /// May `path` be read? Every symlink and `..` is resolved before the grant is checked, so
    /// a link inside a granted folder that points outside it is denied. `Ok(Ok(p))`: allowed,
    /// open the canonical `p` (nothing else); `Ok(Err(e))`: allowed, but the path does not
    /// resolve (the read fails with `e`). Touches the file system: run it off the event loop.
    pub fn check_read(&self, call: &str, path: &Path) -> Result<io::Result<PathBuf>, Denied> {
        let resolved = std::fs::canonicalize(path);
        let target = match &resolved {
            Ok(p) => p.clone(),
            Err(_) => nearest_existing(path),
        };
        check_grant(&self.read, call, "read", path, &target)?;
        Ok(resolved)
    }

    /// May `path` be written? The target is the file's canonical path when it exists (a link
    /// is followed to what it names), else its folder's canonical path joined with its name;
    /// that is what is checked and what the caller must write.
    pub fn check_write(&self, call: &str, path: &Path) -> Result<io::Result<PathBuf>, Denied> {
        let resolved = write_target(path);
        let target = match &resolved {
            Ok(p) => p.clone(),
            Err(_) => nearest_existing(path),
        };
        check_grant(&self.write, call, "write", path, &target)?;
        Ok(resolved)
    }

    /// May `host` (with `port`) be contacted? A grant names `host` or `host:port`.
    pub fn check_net(&self, call: &str, host: &str, port: Option<u16>) -> Result<(), Denied> {
        let target = port.map_or_else(|| host.to_string(), |p| format!("{host}:{p}"));
        let allowed = self.net.allows(|h| h == host || h == target);
        verdict(allowed, call, "net", &target)
    }

    /// May `program` be started?
    pub fn check_run(&self, call: &str, program: &str) -> Result<(), Denied> {
        verdict(self.run.allows(|n| n == program), call, "run", program)
    }

    /// May the environment variable `name` be read?
    pub fn check_env(&self, call: &str, name: &str) -> Result<(), Denied> {
        verdict(self.env.allows(|n| n == name), call, "env", name)
    }
}

impl Grant {
    /// Whether the grant covers something: all, nothing, or any listed entry that `matches`.
    fn allows(&self, matches: impl Fn(&str) -> bool) -> bool {
        match self {
            Self::All => true,
            Self::Denied => false,
            Self::Only(list) => list.iter().any(|entry| matches(entry)),
        }
    }
}

/// `Ok` when allowed; otherwise the denial naming `--allow-<what>` and its scoped form.
fn verdict(allowed: bool, call: &str, what: &'static str, target: &str) -> Result<(), Denied> {
    if allowed {
        return Ok(());
    }
    Err(Denied {
        call: call.to_string(),
        what,
        flag: format!("--allow-{what} or --allow-{what}={target}"),
    })
}

fn check_grant(
    grant: &Grant,
    call: &str,
    what: &'static str,
    shown: &Path,
    target: &Path,
) -> Result<(), Denied> {
    let allowed = grant.allows(|root| target.starts_with(resolve_root(Path::new(root))));
    verdict(allowed, call, what, &shown.display().to_string())
}

/// A grant's root as the file system names it: canonical when it exists.
fn resolve_root(root: &Path) -> PathBuf {
    std::fs::canonicalize(root).unwrap_or_else(|_| absolute(root))
}

/// Where a write to `path` lands: the existing file's canonical path, else the canonical folder
/// joined with the new file's name (a name of `..` or `.` is no file).
pub(crate) fn write_target(path: &Path) -> io::Result<PathBuf> {
    if let Ok(p) = std::fs::canonicalize(path) {
        return Ok(p);
    }
    // `components()` drops a trailing `.`; `file/.` and `dir/` name a folder, never a new file.
    let text = path.as_os_str().as_encoded_bytes();
    if text.ends_with(b"/") || text.ends_with(b"/.") || text == b"." {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "the path does not name a file",
        ));
    }
    let name = match path.components().next_back() {
        Some(Component::Normal(name)) => name.to_os_string(),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "the path does not name a file",
            ));
        }
    };
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    let folder = std::fs::canonicalize(parent.unwrap_or(Path::new(".")))?;
    Ok(folder.join(name))
}

/// For the verdict on a path that does not resolve: the canonical path of its nearest existing
/// ancestor (as the file system resolves it, links and `..` included) with the remaining
/// names. Nothing is ever opened at this path.
fn nearest_existing(path: &Path) -> PathBuf {
    let mut rest = Vec::new();
    let mut cur = path;
    loop {
        if let Ok(p) = std::fs::canonicalize(if cur.as_os_str().is_empty() {
            Path::new(".")
        } else {
            cur
        }) {
            let mut p = p;
            for c in rest.iter().rev() {
                p.push(c);
            }
            return absolute(&p);
        }
        match (cur.parent(), cur.components().next_back()) {
            (Some(parent), Some(last)) => {
                rest.push(last.as_os_str().to_os_string());
                cur = parent;
            }
            _ => return absolute(path),
        }
    }
}

/// An absolute, lexically normalised path (`..` resolved without touching the file system).
/// Only a fallback: grants are checked on canonical paths.
pub(crate) fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_checked_below_their_roots() {
        let p = Permissions {
            read: Grant::Only(vec!["/data".into()]),
            ..Permissions::default()
        };
        assert!(p.check_read("fs::read", Path::new("/data/a.txt")).is_ok());
        assert!(
            p.check_read("fs::read", Path::new("/data/../etc/passwd"))
                .is_err()
        );
        assert!(p.check_read("fs::read", Path::new("/database")).is_err());
        let e = p
            .check_write("fs::write(\"/data/x\")", Path::new("/data/x"))
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "fs::write(\"/data/x\") needs write permission: run with --allow-write or --allow-write=/data/x"
        );
    }

    #[test]
    fn hosts_match_with_or_without_port() {
        let p = Permissions {
            net: Grant::Only(vec!["127.0.0.1:8080".into(), "example.com".into()]),
            ..Permissions::default()
        };
        assert!(p.check_net("http::get", "127.0.0.1", Some(8080)).is_ok());
        assert!(p.check_net("http::get", "127.0.0.1", Some(9090)).is_err());
        assert!(p.check_net("http::get", "example.com", Some(443)).is_ok());
        assert!(Permissions::default().check_env("env", "HOME").is_err());
        assert!(Permissions::all().check_run("process::run", "ls").is_ok());
    }
}

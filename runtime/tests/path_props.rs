//! Path grants against a reference model: random folder layouts with symlinks (to folders,
//! files, missing targets; absolute and relative), random paths through them (`..`, `.`,
//! links), and `Permissions::check_read` / `check_write` must agree with a model that resolves
//! each path the way the kernel does. The property: a path that resolves inside the grant is
//! allowed with exactly that canonical target; one that resolves outside is denied; nothing is
//! ever allowed with a target outside the grant.

#![cfg(unix)]

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use flowscript_runtime::{Grant, Permissions};
use proptest::prelude::*;

/// What a name in the model is.
#[derive(Debug, Clone, PartialEq)]
enum Entry {
    Dir,
    File,
    Link(String),
}

/// Folders every layout has: the base holds `g` (the grant) and `o` (outside it).
const DIRS: [&str; 4] = ["g", "g/sub", "o", "o/deep"];
const FILES: [&str; 3] = ["g/f", "g/sub/f", "o/f"];
const LINK_HOMES: [&str; 4] = ["g", "g/sub", "o", ""];
const TARGETS: [&str; 10] = [
    "/g", "/o", "/g/sub", "/o/deep", "/g/f", "/o/f", "/missing", "..", "../o", "sub",
];
const NAMES: [&str; 8] = ["g", "o", "sub", "deep", "f", "l0", "l1", "l2"];

/// Where a path leads.
#[derive(Debug, PartialEq)]
enum Resolved {
    /// An existing entry, by canonical path.
    Exists(PathBuf),
    /// Nothing there (or a name below a file).
    Missing,
}

struct Model {
    base: PathBuf,
    entries: BTreeMap<PathBuf, Entry>,
}

impl Model {
    fn entry(&self, p: &Path) -> Option<&Entry> {
        if self.base.starts_with(p) {
            // The base and the folders above it.
            return Some(&Entry::Dir);
        }
        // Beside the base nothing has the model's names.
        self.entries.get(p)
    }

    /// Resolve `path` (absolute) like `realpath`.
    fn resolve(&self, path: &Path) -> Resolved {
        // Split the text, not `components()`: that drops a trailing `.` or `/`, which the
        // kernel keeps (`file/.` and `file/` are not directories).
        // A trailing `/` asks for a directory just as `/.` does.
        let text = path.to_string_lossy();
        let mut names: Vec<String> = text
            .split('/')
            .filter(|n| !n.is_empty())
            .map(String::from)
            .collect();
        if text.len() > 1 && text.ends_with('/') {
            names.push(".".into());
        }
        let mut todo: Vec<String> = names.into_iter().rev().collect();
        let mut cur = PathBuf::from("/");
        let mut hops = 0;
        while let Some(name) = todo.pop() {
            match name.as_str() {
                ".." => {
                    cur.pop();
                }
                "." => {}
                _ => {
                    let next = cur.join(&name);
                    match self.entry(&next) {
                        Some(Entry::Dir) => cur = next,
                        Some(Entry::File) if todo.is_empty() => cur = next,
                        Some(Entry::Link(target)) => {
                            hops += 1;
                            if hops > 40 {
                                return Resolved::Missing;
                            }
                            let target = if let Some(abs) = target.strip_prefix('/') {
                                self.base.join(abs)
                            } else {
                                cur.join(target)
                            };
                            // Continue with the target's components, from the root.
                            for c in target.components().rev() {
                                match c {
                                    Component::Normal(n) => {
                                        todo.push(n.to_string_lossy().into_owned())
                                    }
                                    Component::ParentDir => todo.push("..".into()),
                                    _ => {}
                                }
                            }
                            cur = PathBuf::from("/");
                        }
                        _ => return Resolved::Missing,
                    }
                }
            }
        }
        Resolved::Exists(cur)
    }
}

fn build(links: &[(usize, usize)]) -> (tempfile::TempDir, Model) {
    let dir = tempfile::tempdir().expect("tempdir");
    let base = dir.path().canonicalize().expect("canonical");
    let mut entries = BTreeMap::new();
    for d in DIRS {
        std::fs::create_dir_all(base.join(d)).expect("mkdir");
        entries.insert(base.join(d), Entry::Dir);
    }
    for f in FILES {
        std::fs::write(base.join(f), f).expect("write");
        entries.insert(base.join(f), Entry::File);
    }
    for (i, &(home, target)) in links.iter().enumerate() {
        let at = base.join(LINK_HOMES[home]).join(format!("l{i}"));
        let t = TARGETS[target];
        let real = t
            .strip_prefix('/')
            .map_or_else(|| t.to_string(), |abs| base.join(abs).display().to_string());
        std::os::unix::fs::symlink(&real, &at).expect("symlink");
        entries.insert(at, Entry::Link(t.to_string()));
    }
    (dir, Model { base, entries })
}

fn path_from(base: &Path, picks: &[usize]) -> PathBuf {
    let mut p = base.to_path_buf();
    for &i in picks {
        p.push(match i % 10 {
            8 => "..",
            9 => ".",
            n => NAMES[n],
        });
    }
    p
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        // Failures are printed with their minimal input; the cases they found are pinned below.
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn grants_agree_with_the_model(
        links in proptest::collection::vec((0..4usize, 0..10usize), 0..3),
        picks in proptest::collection::vec(0..10usize, 1..6),
    ) {
        let (_dir, model) = build(&links);
        let grant = model.base.join("g");
        let perms = Permissions {
            read: Grant::Only(vec![grant.display().to_string()]),
            write: Grant::Only(vec![grant.display().to_string()]),
            ..Permissions::default()
        };
        let path = path_from(&model.base, &picks);
        let expected = model.resolve(&path);

        let read = perms.check_read("t", &path);
        match (&expected, &read) {
            (Resolved::Exists(p), Ok(Ok(got))) => {
                prop_assert!(p.starts_with(&grant), "{path:?} allowed outside: {p:?}");
                prop_assert_eq!(p, got);
            }
            (Resolved::Exists(p), Err(_)) => {
                prop_assert!(!p.starts_with(&grant), "{path:?} -> {p:?} denied inside");
            }
            (Resolved::Exists(p), Ok(Err(e))) => {
                prop_assert!(false, "{path:?} -> {p:?} exists but: {e}");
            }
            (Resolved::Missing, Ok(Ok(got))) => {
                prop_assert!(false, "{path:?} is missing but resolved to {got:?}");
            }
            (Resolved::Missing, _) => {}
        }

        // A write lands on the existing file it names, or on a new name in an existing folder.
        let write = perms.check_write("t", &path);
        if let Ok(Ok(target)) = &write {
            prop_assert!(target.starts_with(&grant), "{path:?} writes outside: {target:?}");
            let parent = path.parent().map(|p| model.resolve(p));
            let lands = match &expected {
                Resolved::Exists(p) => p == target,
                Resolved::Missing => matches!(
                    (parent, path.file_name()),
                    (Some(Resolved::Exists(dir)), Some(name)) if dir.join(name) == *target
                ),
            };
            prop_assert!(lands, "{path:?} writes to {target:?}, expected {expected:?}");
        }
        if let (Resolved::Exists(p), Err(_)) = (&expected, &write) {
            prop_assert!(!p.starts_with(&grant), "{path:?} -> {p:?} write denied inside");
        }
    }
}

/// Found by the property: `file/.` is no folder, so it neither reads as the file nor names a
/// new file to write (the kernel answers "Not a directory").
#[test]
fn a_file_followed_by_a_dot_is_not_the_file() {
    let (_dir, model) = build(&[]);
    let grant = model.base.join("g");
    let perms = Permissions {
        read: Grant::Only(vec![grant.display().to_string()]),
        write: Grant::Only(vec![grant.display().to_string()]),
        ..Permissions::default()
    };
    for path in [
        grant.join("f/."),
        PathBuf::from(format!("{}/f/", grant.display())),
    ] {
        assert_eq!(model.resolve(&path), Resolved::Missing, "{path:?}");
        assert!(
            matches!(perms.check_read("t", &path), Ok(Err(_))),
            "{path:?}"
        );
        assert!(
            matches!(perms.check_write("t", &path), Ok(Err(_))),
            "{path:?}"
        );
    }
}

//! Path grants as an attacker tests them, through the binary: a symlink inside a granted
//! folder that points outside it, and `folder/link/..`, reach nothing outside the grant for
//! `fs::read`, `fs::list` and `fs::write`; `process::run`'s `cwd` needs a read grant; and an
//! allowed program name never runs a binary from a relative `PATH` entry.

#![cfg(unix)]

mod support;

use std::os::unix::fs::symlink;
use std::path::Path;

use serde_json::Value;
use support::hostile::{Tree, flowscript, stderr, store};

/// Run `fs/ops.flow.rhai` with `op` on `path` and return `shared.result`.
fn op(tree: &Tree, op: &str, path: &Path, flags: &[&str]) -> Value {
    let out = flowscript()
        .arg("run")
        .arg(tree.path("fs/ops.flow.rhai"))
        .args(["--set", &format!("op={op}")])
        .args(["--set", &format!("path={}", path.display())])
        .args(["--set", "text=overwritten"])
        .args(flags)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    store(&out)["result"].clone()
}

fn denied(v: &Value, what: &str) {
    let e = v["error"]
        .as_str()
        .unwrap_or_else(|| panic!("not denied: {v}"));
    assert!(e.contains(&format!("needs {what} permission")), "{e}");
}

/// `granted/` (read and write allowed), `secret/` beside it, and links from one to the other.
struct Layout {
    tree: Tree,
    flags: Vec<String>,
}

fn layout() -> Layout {
    let tree = Tree::new();
    let granted = tree.path("granted");
    let secret = tree.path("secret");
    std::fs::create_dir_all(&granted).expect("mkdir");
    std::fs::create_dir_all(secret.join("inner")).expect("mkdir");
    std::fs::write(secret.join("key.txt"), "top-secret-key").expect("write");
    std::fs::write(granted.join("ok.txt"), "fine").expect("write");
    symlink(secret.join("key.txt"), granted.join("filelink")).expect("symlink");
    symlink(secret.join("inner"), granted.join("dirlink")).expect("symlink");
    symlink(secret.join("new.txt"), granted.join("dangling")).expect("symlink");
    let g = granted.display().to_string();
    let flags = vec![format!("--allow-read={g}"), format!("--allow-write={g}")];
    Layout { tree, flags }
}

impl Layout {
    fn flags(&self) -> Vec<&str> {
        self.flags.iter().map(String::as_str).collect()
    }
    fn granted(&self, rel: &str) -> std::path::PathBuf {
        self.tree.path("granted").join(rel)
    }
}

#[test]
fn reads_and_lists_through_links_stay_inside_the_grant() {
    let l = layout();
    let flags = l.flags();
    assert_eq!(
        op(&l.tree, "read", &l.granted("ok.txt"), &flags)["ok"],
        "fine"
    );
    denied(&op(&l.tree, "read", &l.granted("filelink"), &flags), "read");
    denied(
        &op(&l.tree, "read", &l.granted("dirlink/../key.txt"), &flags),
        "read",
    );
    denied(&op(&l.tree, "list", &l.granted("dirlink"), &flags), "read");
    // `dirlink/..` is the link target's parent, not the granted folder.
    denied(
        &op(&l.tree, "list", &l.granted("dirlink/.."), &flags),
        "read",
    );
    let listed = op(&l.tree, "list", &l.granted("."), &flags);
    assert!(
        listed["ok"].as_array().is_some_and(|a| a.len() == 4),
        "{listed}"
    );
}

#[test]
fn writes_through_links_stay_inside_the_grant() {
    let l = layout();
    let flags = l.flags();
    let secret = l.tree.path("secret");
    denied(
        &op(&l.tree, "write", &l.granted("filelink"), &flags),
        "write",
    );
    denied(
        &op(&l.tree, "write", &l.granted("dirlink/x.txt"), &flags),
        "write",
    );
    denied(
        &op(&l.tree, "write", &l.granted("dirlink/../x.txt"), &flags),
        "write",
    );
    assert_eq!(
        std::fs::read_to_string(secret.join("key.txt")).expect("read"),
        "top-secret-key"
    );
    assert!(!secret.join("x.txt").exists() && !secret.join("inner/x.txt").exists());
    // A dangling link inside the grant is replaced, never followed out of it.
    let r = op(&l.tree, "write", &l.granted("dangling"), &flags);
    assert!(r["error"].is_string() || r["ok"] == "written", "{r}");
    assert!(
        !secret.join("new.txt").exists(),
        "wrote through a dangling link"
    );
    assert_eq!(
        op(&l.tree, "write", &l.granted("new.txt"), &flags)["ok"],
        "written"
    );
    assert_eq!(
        std::fs::read_to_string(l.granted("new.txt")).expect("read"),
        "overwritten"
    );
}

fn run_program(tree: &Tree, argv: &str, cwd: Option<&Path>, flags: &[&str], dir: &Path) -> Value {
    let mut cmd = flowscript();
    cmd.current_dir(dir)
        .arg("run")
        .arg(tree.path("proc/run.flow.rhai"))
        .args(["--set", &format!("argv={argv}")]);
    if let Some(cwd) = cwd {
        cmd.args(["--set", &format!("cwd={}", cwd.display())]);
    }
    let out = cmd.args(flags).output().expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    store(&out)["result"].clone()
}

#[test]
fn a_working_folder_needs_read_permission_for_it() {
    let l = layout();
    let secret = l.tree.path("secret");
    let argv = r#"["pwd"]"#;
    let here = l.tree.root();
    denied(
        &run_program(&l.tree, argv, Some(&secret), &["--allow-run=pwd"], here),
        "read",
    );
    let via_link = l.granted("dirlink");
    let read = format!("--allow-read={}", l.granted("").display());
    denied(
        &run_program(
            &l.tree,
            argv,
            Some(&via_link),
            &["--allow-run=pwd", &read],
            here,
        ),
        "read",
    );
    let ok = run_program(
        &l.tree,
        argv,
        Some(&l.granted("")),
        &["--allow-run=pwd", &read],
        here,
    );
    assert_eq!(ok["ok"]["status"], 0, "{ok}");
}

#[test]
fn an_allowed_name_never_runs_a_binary_from_a_relative_path_entry() {
    let tree = Tree::new();
    let evil = tree.path("evil");
    std::fs::create_dir_all(&evil).expect("mkdir");
    let fake = evil.join("echo");
    std::fs::write(&fake, "#!/bin/sh\ntouch hijacked\necho hijacked\n").expect("write");
    let mut perms = std::fs::metadata(&fake).expect("meta").permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&fake, perms).expect("chmod");
    let system_path = std::env::var("PATH").unwrap_or_default();
    for path in [
        format!(".:{system_path}"),
        format!(":{system_path}"),
        format!("evil:{system_path}"),
    ] {
        let out = flowscript()
            .current_dir(tree.root())
            .env("PATH", &path)
            .arg("run")
            .arg(tree.path("proc/run.flow.rhai"))
            .args(["--set", r#"argv=["echo", "real"]"#, "--allow-run=echo"])
            .output()
            .expect("run");
        let result = store(&out)["result"].clone();
        assert_eq!(result["ok"]["stdout"], "real\n", "PATH={path}: {result}");
        assert!(
            !tree.path("hijacked").exists(),
            "PATH={path} ran the fake echo"
        );
    }
    // From the working folder itself, with `.` first in PATH, too.
    let out = flowscript()
        .current_dir(&evil)
        .env("PATH", format!(".:{system_path}"))
        .arg("run")
        .arg(tree.path("proc/run.flow.rhai"))
        .args(["--set", r#"argv=["echo", "real"]"#, "--allow-run=echo"])
        .output()
        .expect("run");
    assert_eq!(store(&out)["result"]["ok"]["stdout"], "real\n");
    assert!(!evil.join("hijacked").exists());
}

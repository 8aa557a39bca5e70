//! `import` as an attacker uses it, through the binary (fixtures in `tests/hostile/proj` and
//! `tests/hostile/outside`): modules outside the script's folder need a read grant, no file's
//! content leaks through an error, paths are relative to the importing file, cycles are named,
//! FIFOs and devices are never opened, and errors inside a module point into it.

#![cfg(unix)]

mod support;

use std::time::{Duration, Instant};

use serde_json::Value;
use support::hostile::{Tree, all_output, flat, flowscript, mkfifo, stderr, store};

const SECRETS: [&str; 3] = [
    "outside-secret-4711",
    "hunter2-top-secret",
    "in-tree-secret-0815",
];

fn assert_no_secret(out: &std::process::Output) {
    let text = all_output(out);
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret} leaked:\n{text}");
    }
}

/// What `imports.flow.rhai` caught when importing `module` (run with `flags`).
fn import_error(tree: &Tree, module: &str, flags: &[&str]) -> String {
    let out = flowscript()
        .arg("run")
        .arg(tree.path("proj/imports.flow.rhai"))
        .args(["--set", &format!("target={module}")])
        .args(flags)
        .output()
        .expect("run");
    assert_no_secret(&out);
    let s = store(&out);
    match &s["result"]["error"] {
        Value::String(e) => e.clone(),
        _ => panic!("importing {module} did not fail: {s}"),
    }
}

#[test]
fn a_hook_imports_from_outside_its_folder_only_with_a_read_grant() {
    let tree = Tree::new();
    let script = tree.path("proj/read_secret.flow.rhai");
    let out = flowscript().arg("run").arg(&script).output().expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&out);
    let err = flat(&stderr(&out));
    assert!(err.contains("outside the script's folder"), "{err}");

    // A grant for the script's own folder does not reach the sibling folder.
    let own = format!("--allow-read={}", tree.path("proj").display());
    let out = flowscript()
        .arg("run")
        .arg(&script)
        .arg(&own)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    assert_no_secret(&out);

    let grant = format!("--allow-read={}", tree.path("outside").display());
    let out = flowscript()
        .arg("run")
        .arg(&script)
        .arg(&grant)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(store(&out)["got"], "outside-secret-4711");
}

#[test]
fn no_caught_import_error_reveals_what_a_file_holds() {
    let tree = Tree::new();
    // A link inside the folder to a file outside it, and one with a module's name.
    std::os::unix::fs::symlink(tree.path("outside/secret.txt"), tree.path("proj/link.rhai"))
        .expect("symlink");
    std::os::unix::fs::symlink(
        tree.path("outside/lib.rhai"),
        tree.path("proj/lib_link.rhai"),
    )
    .expect("symlink");
    for module in [
        "../outside/secret.txt",
        "../outside/secret",
        "../outside/lib",
        "secret.txt",
        "secret",
        "link",
        "lib_link",
        "/etc/passwd",
        "/etc/hostname",
    ] {
        let e = import_error(&tree, module, &[]);
        assert!(!e.contains("root:"), "{module}: {e}");
    }
    // Granted or not, a file that is not a module is never read.
    let e = import_error(&tree, "../outside/secret.txt", &["-A"]);
    assert!(e.contains("modules are .rhai files"), "{e}");
    let e = import_error(&tree, "link", &["-A"]);
    assert!(e.contains("modules are .rhai files"), "{e}");
}

#[test]
fn imports_resolve_against_the_importing_file_not_the_working_folder() {
    let tree = Tree::new();
    let out = flowscript()
        .current_dir(tree.path("outside"))
        .arg("run")
        .arg(tree.path("proj/nested.flow.rhai"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(store(&out)["greeting"], "hi!");
}

#[test]
fn check_graph_and_run_refuse_a_top_level_import_from_outside() {
    let tree = Tree::new();
    let script = tree.path("proj/top_import.flow.rhai");
    // A FIFO where the outside module was: opening it would hang the tool.
    std::fs::remove_file(tree.path("outside/lib.rhai")).expect("rm");
    mkfifo(&tree.path("outside/lib.rhai"));
    for (cmd, code) in [("check", 1), ("graph", 1), ("run", 2)] {
        let t0 = Instant::now();
        let out = flowscript()
            .arg(cmd)
            .arg(&script)
            .timeout(Duration::from_secs(20))
            .output()
            .expect("runs");
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "{cmd} took {:?}",
            t0.elapsed()
        );
        assert_eq!(out.status.code(), Some(code), "{cmd}: {}", stderr(&out));
        let err = flat(&stderr(&out));
        assert!(err.contains("outside the script's folder"), "{err}");
        assert!(err.contains("top_import.flow.rhai:2:8"), "{err}");
    }
}

#[test]
fn import_cycles_are_errors_naming_the_chain() {
    let tree = Tree::new();
    let out = flowscript()
        .arg("check")
        .arg(tree.path("proj/top_cycle.flow.rhai"))
        .output()
        .expect("check");
    assert_eq!(out.status.code(), Some(1));
    let err = flat(&stderr(&out));
    assert!(
        err.contains("cycle_a.rhai → cycle_b.rhai → cycle_a.rhai"),
        "{err}"
    );
    let out = flowscript()
        .arg("run")
        .arg(tree.path("proj/top_self.flow.rhai"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = flat(&stderr(&out));
    assert!(err.contains("self.rhai → self.rhai"), "{err}");
    // From a hook too.
    let e = import_error(&tree, "self", &[]);
    assert!(e.contains("import cycle"), "{e}");
}

#[test]
fn fifos_and_devices_are_never_opened() {
    let tree = Tree::new();
    let script = tree.path("proj/top_special.flow.rhai");
    let special = tree.path("proj/special.rhai");
    let check = |flags: &[&str]| {
        let t0 = Instant::now();
        let out = flowscript()
            .arg("run")
            .arg(&script)
            .args(flags)
            .timeout(Duration::from_secs(20))
            .output()
            .expect("runs");
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "took {:?}",
            t0.elapsed()
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        flat(&stderr(&out))
    };
    mkfifo(&special);
    assert!(check(&[]).contains("not a regular file"));
    assert!(check(&["-A"]).contains("not a regular file"));
    std::fs::remove_file(&special).expect("rm");
    for device in ["/dev/zero", "/dev/stdin", "/dev/urandom"] {
        let _ = std::fs::remove_file(&special);
        std::os::unix::fs::symlink(device, &special).expect("symlink");
        // Refused by where it leads (a link that leads nowhere readable is simply missing).
        let e = check(&[]);
        assert!(
            e.contains("outside the script's folder") || e.contains("no module special.rhai"),
            "{device}: {e}"
        );
        let e = check(&["-A"]);
        assert!(
            e.contains("modules are .rhai files") || e.contains("no module special.rhai"),
            "{device}: {e}"
        );
    }
}

#[test]
fn errors_inside_a_module_name_its_file_line_and_column() {
    let tree = Tree::new();
    let out = flowscript()
        .arg("run")
        .arg(tree.path("proj/module_error.flow.rhai"))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let err = flat(&stderr(&out));
    assert!(
        err.contains("in module lib/util.rhai (at lib/util.rhai:4:"),
        "{err}"
    );
    // The snippet is the call site in the script itself.
    assert!(err.contains("module_error.flow.rhai:2:"), "{err}");
    let e = import_error(&tree, "syntax", &[]);
    assert!(e.contains("syntax.rhai:1:"), "{e}");
}

#[test]
fn a_module_larger_than_the_limit_is_refused_unread() {
    let tree = Tree::new();
    let big = "// padding\n".repeat(200_000);
    std::fs::write(tree.path("proj/big.rhai"), big).expect("write");
    let e = import_error(&tree, "big", &[]);
    assert!(e.contains("the `module` limit is 1MiB"), "{e}");
    let out = flowscript()
        .arg("run")
        .arg(tree.path("proj/imports.flow.rhai"))
        .args(["--set", "target=big", "--limit", "module=4MiB"])
        .output()
        .expect("run");
    assert_eq!(store(&out)["result"]["ok"], "imported", "{}", stderr(&out));
}

//! End-to-end tests of `flowscript lsp` in real editors: Neovim (headless, `vim.lsp.start`) and
//! Emacs (batch, eglot) open `tests/editors/demo.flow.rhai` and report what they got as JSON.
//!
//! The editors are installed by `tests/install-tools` (part of the README's test command). These tests fail,
//! never skip, when an editor is missing.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

const INSTALL_HINT: &str = "run `tests/install-tools` (Neovim 0.11 from PyPI into target/nvim-venv, Debian's emacs-nox and elpa-eglot)";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn nvim() -> PathBuf {
    let mut candidates = Vec::new();
    if let Some(p) = std::env::var_os("FLOWSCRIPT_NVIM") {
        candidates.push(PathBuf::from(p));
    }
    if let Some(t) = std::env::var_os("CARGO_TARGET_DIR") {
        candidates.push(PathBuf::from(t).join("nvim-venv/bin/nvim"));
    }
    candidates.push(root().join("target/nvim-venv/bin/nvim"));
    candidates.push(PathBuf::from("nvim"));
    for c in candidates {
        let Ok(out) = Command::new(&c).arg("--version").output() else {
            continue;
        };
        let version = String::from_utf8_lossy(&out.stdout);
        let minor = version
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("NVIM v0."))
            .and_then(|v| v.split('.').next())
            .and_then(|m| m.parse::<u32>().ok());
        if minor.is_some_and(|m| m >= 11) {
            return c;
        }
    }
    panic!("Neovim >= 0.11 not found: {INSTALL_HINT}");
}

fn emacs() -> PathBuf {
    let has_eglot = std::fs::read_dir("/usr/share/emacs/site-lisp/elpa").is_ok_and(|d| {
        d.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("eglot-"))
    });
    let runs = Command::new("emacs").arg("--version").output().is_ok();
    assert!(
        runs && has_eglot,
        "Emacs with eglot not found: {INSTALL_HINT}"
    );
    PathBuf::from("emacs")
}

/// Run an editor on a copy of the fixture with `FLOWSCRIPT_BIN`, `FIXTURE` and `OUT` set, and
/// read the JSON it writes.
fn drive(mut cmd: Command, what: &str) -> Value {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixture = dir.path().join("demo.flow.rhai");
    std::fs::copy(root().join("tests/editors/demo.flow.rhai"), &fixture).expect("copy fixture");
    let out = dir.path().join("out.json");
    cmd.current_dir(dir.path())
        .env("FLOWSCRIPT_BIN", env!("CARGO_BIN_EXE_flowscript"))
        .env("FIXTURE", &fixture)
        .env("OUT", &out)
        .env("HOME", dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .unwrap_or_else(|e| panic!("{what}: {e}: {INSTALL_HINT}"));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if started.elapsed() > Duration::from_secs(120) {
            let _ = child.kill();
            panic!("{what} did not finish in 120 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let output = child.wait_with_output().expect("output");
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        panic!(
            "{what} wrote no result ({e}); status {status}\nstdout: {}\nstderr: {}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
    });
    let v: Value = serde_json::from_str(&text).expect("result JSON");
    assert!(v.get("error").is_none(), "{what} failed: {v:#}");
    assert!(status.success(), "{what} exited with {status}: {v:#}");
    v
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|s| s.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn script(dir: &str, file: &str) -> PathBuf {
    let p = root().join("tests/editors").join(dir).join(file);
    assert!(Path::new(&p).exists(), "{} missing", p.display());
    p
}

#[test]
fn neovim_gets_diagnostics_completion_hover_definition_and_more() {
    let mut cmd = Command::new(nvim());
    cmd.args(["--headless", "--clean", "-u"])
        .arg(script("nvim", "test.lua"));
    let v = drive(cmd, "neovim");

    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "unknown-option", "{v:#}");
    assert_eq!(
        (&d["lnum"], &d["col"], &d["end_col"]),
        (&1.into(), &4.into(), &11.into())
    );

    let keys = strings(&v["option_keys"]);
    assert!(
        keys.contains(&"retries".into()) && !keys.contains(&"concurrency".into()),
        "{keys:?}"
    );
    assert_eq!(
        strings(&v["actions"]),
        ["done"],
        "actions after `load - \"`"
    );
    assert_eq!(
        strings(&v["shared_keys"]),
        ["files"],
        "keys after `shared.`"
    );
    assert_eq!(
        v["fn_definition"],
        serde_json::json!([8, 3]),
        "`helper(1)` → `fn helper`"
    );
    assert_eq!(strings(&v["fs_functions"]), ["list", "read", "write"]);
    let general = strings(&v["general"]);
    for want in [
        "node", "parallel", "flow", "load", "report", "end", "emit", "llm",
    ] {
        assert!(
            general.contains(&want.into()),
            "{want} missing from {general:?}"
        );
    }
    let snippet = v["parallel_snippet"].as_str().unwrap_or_default();
    assert!(snippet.starts_with("parallel(\"${1:name}\""), "{snippet}");

    let hover = v["hover"].as_str().unwrap_or_default();
    assert!(
        hover.contains("**node** `load`") && hover.contains("→ `report`"),
        "{hover}"
    );
    let fs_hover = v["fs_hover"].as_str().unwrap_or_default();
    assert!(fs_hover.contains("fs::read(path: String)"), "{fs_hover}");

    assert_eq!(
        v["definition_cursor"],
        serde_json::json!([5, 4]),
        "jump to `let report`"
    );
    assert_eq!(v["symbols"][0]["name"], "main");
    assert_eq!(strings(&v["symbols"][0]["children"]), ["load", "report"]);

    assert_eq!(v["action_title"], "Replace `retires` with `retries`");
    assert_eq!(v["fixed_line"], "    retries: 3,");
    assert!(
        v["mermaid_head"]
            .as_str()
            .unwrap_or_default()
            .starts_with("flowchart")
    );
    let after = strings(&v["after_edit"]);
    assert!(
        after.contains(&"syntax".into()) && !after.contains(&"unknown-option".into()),
        "{after:?}"
    );
}

#[test]
fn emacs_eglot_gets_diagnostics_and_hover() {
    let mut cmd = Command::new(emacs());
    cmd.args(["--batch", "-Q", "-l"])
        .arg(script("emacs", "test.el"));
    let v = drive(cmd, "emacs");
    assert_eq!(v["server"], "flowscript");
    let d = &v["diagnostics"][0];
    assert_eq!(d["line"], 2, "{v:#}");
    assert!(
        d["text"]
            .as_str()
            .unwrap_or_default()
            .contains("unknown option `retires`"),
        "{v:#}"
    );
    let hover = v["hover"].as_str().unwrap_or_default();
    assert!(hover.contains("**node** `load`"), "{hover}");
}

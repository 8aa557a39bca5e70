//! The VS Code extension (`editors/vscode`), tested as users get it: its grammar and type
//! checks, then the packaged platform `.vsix` (with the release binary inside) installed into
//! real VS Code (code-server) and driven through the page by Chromium
//! (`tests/vscode/extension.mjs`; screenshots of every step under `target/vscode-screenshots/`).
//!
//! code-server, Chromium and the extension's npm packages are installed by `tests/install-tools`
//! (part of the README's test command). These tests fail, never skip, when something is missing.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use flowscript_runtime::graph::NodeKind;

mod support;

const INSTALL_HINT: &str = "run `tests/install-tools` (npm packages in editors/vscode and tests/vscode, Debian's chromium and ripgrep)";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn extension_dir() -> PathBuf {
    root().join("editors/vscode")
}

/// Run `cmd` within `limit`, returning its stdout; panics (with both outputs) on failure.
fn run(cmd: Command, what: &str, limit: Duration) -> String {
    support::child::run(cmd, what, limit, INSTALL_HINT)
}

fn npm(dir: &Path, args: &[&str]) -> Command {
    assert!(
        dir.join("node_modules").is_dir(),
        "{} has no node_modules: {INSTALL_HINT}",
        dir.display()
    );
    let mut cmd = Command::new("npm");
    cmd.args(args).current_dir(dir);
    cmd
}

/// The packaged `.vsix`: `npm run package` (the release build is a no-op when fresh).
fn package() -> PathBuf {
    let out = run(
        npm(&extension_dir(), &["run", "package"]),
        "npm run package",
        Duration::from_secs(1800),
    );
    let vsix = out
        .lines()
        .find_map(|l| l.strip_prefix("packaged "))
        .map(PathBuf::from)
        .unwrap_or_else(|| panic!("npm run package named no .vsix:\n{out}"));
    assert!(vsix.is_file(), "{} missing", vsix.display());
    let name = vsix.file_name().and_then(|n| n.to_str()).unwrap_or("");
    assert!(
        name.starts_with("flowscript-linux-x64-") && name.ends_with(".vsix"),
        "{name}"
    );
    vsix
}

#[test]
fn the_grammar_snapshots_and_scope_assertions_hold_and_the_extension_type_checks() {
    let out = run(
        npm(&extension_dir(), &["test"]),
        "npm test (editors/vscode)",
        Duration::from_secs(300),
    );
    assert!(!out.is_empty());
}

#[test]
fn the_packaged_extension_works_in_real_vscode() {
    let vsix = package();
    let listing = run(
        {
            let mut c = Command::new("python3");
            c.args(["-m", "zipfile", "-l"]).arg(&vsix);
            c
        },
        "list the .vsix",
        Duration::from_secs(60),
    );
    for inside in [
        "extension/server/flowscript",
        "extension/dist/extension.js",
        "extension/dist/mermaid.min.js",
        "extension/syntaxes/flowscript.tmLanguage.json",
        "extension/snippets/flowscript.json",
    ] {
        assert!(
            listing.contains(inside),
            "{inside} not in the .vsix:\n{listing}"
        );
    }
    let mut cmd = Command::new("node");
    cmd.arg(root().join("tests/vscode/extension.mjs"))
        .arg(&vsix)
        .current_dir(root().join("tests/vscode"));
    let out = run(cmd, "VS Code end-to-end", Duration::from_secs(900));
    assert!(out.contains(" passed, 0 failed"), "{out}");
}

/// Expand a snippet body as VS Code does when every placeholder keeps its default: `${1:x}`
/// is `x` (nested placeholders expanded), `${1|a,b|}` is `a`, `$1` repeats placeholder 1's
/// value, `\}` `\$` `\\` are literal.
fn expand(body: &str) -> String {
    fn parse(
        chars: &[char],
        i: &mut usize,
        values: &mut Vec<(u32, String)>,
        stop: Option<char>,
    ) -> String {
        let mut out = String::new();
        while *i < chars.len() {
            let c = chars[*i];
            if Some(c) == stop {
                return out;
            }
            if c == '\\' && *i + 1 < chars.len() {
                out.push(chars[*i + 1]);
                *i += 2;
                continue;
            }
            if c == '$' {
                let number = |i: &mut usize| {
                    let start = *i;
                    while *i < chars.len() && chars[*i].is_ascii_digit() {
                        *i += 1;
                    }
                    chars[start..*i]
                        .iter()
                        .collect::<String>()
                        .parse::<u32>()
                        .ok()
                };
                let value_of = |values: &Vec<(u32, String)>, n: u32| {
                    values
                        .iter()
                        .find(|(m, _)| *m == n)
                        .map(|(_, v)| v.clone())
                        .unwrap_or_default()
                };
                if chars.get(*i + 1) == Some(&'{') {
                    *i += 2;
                    let n = number(i).expect("a placeholder number");
                    let value = match chars.get(*i) {
                        Some(':') => {
                            *i += 1;
                            let v = parse(chars, i, values, Some('}'));
                            *i += 1;
                            v
                        }
                        Some('|') => {
                            *i += 1;
                            let start = *i;
                            while chars[*i] != '|' {
                                *i += 1;
                            }
                            let choices: String = chars[start..*i].iter().collect();
                            *i += 2; // `|}`
                            choices.split(',').next().unwrap_or("").to_string()
                        }
                        _ => {
                            *i += 1; // `}`
                            value_of(values, n)
                        }
                    };
                    if !values.iter().any(|(m, _)| *m == n) {
                        values.push((n, value.clone()));
                    }
                    out.push_str(&value);
                    continue;
                }
                if chars.get(*i + 1).is_some_and(|d| d.is_ascii_digit()) {
                    *i += 1;
                    let n = number(i).unwrap_or(0);
                    out.push_str(&value_of(values, n));
                    continue;
                }
            }
            out.push(c);
            *i += 1;
        }
        out
    }
    let chars: Vec<char> = body.chars().collect();
    parse(&chars, &mut 0, &mut Vec::new(), None)
}

#[test]
fn snippet_expansion_follows_vscode_rules() {
    assert_eq!(
        expand("let ${1:a} = f(\"${1:a}\", ${2:$1}) ${3|x,y|} $0"),
        "let a = f(\"a\", a) x "
    );
    assert_eq!(expand("#{ ${1:k}: 1 \\}"), "#{ k: 1 }");
}

#[test]
fn every_snippet_expands_to_a_script_check_accepts() {
    let text = std::fs::read_to_string(extension_dir().join("snippets/flowscript.json"))
        .expect("snippets/flowscript.json");
    let snippets: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&text).expect("snippets JSON");
    // A snippet for every constructor (from the runtime's list), an LLM call and a transition.
    let expected: Vec<&str> = NodeKind::ALL
        .iter()
        .map(|k| k.constructor())
        .chain(["llm", "transition"])
        .collect();
    let dir = tempfile::tempdir().expect("temp dir");
    let mut seen = Vec::new();
    for (name, s) in &snippets {
        let body = match &s["body"] {
            serde_json::Value::Array(lines) => lines
                .iter()
                .filter_map(|l| l.as_str())
                .collect::<Vec<_>>()
                .join("\n"),
            other => other.as_str().unwrap_or_default().to_string(),
        };
        let code = expand(&body);
        let prefixes: Vec<String> = match &s["prefix"] {
            serde_json::Value::Array(p) => p
                .iter()
                .filter_map(|p| p.as_str().map(String::from))
                .collect(),
            p => p.as_str().map(String::from).into_iter().collect(),
        };
        let prefix = prefixes.first().cloned().unwrap_or_default();
        seen.extend(prefixes.iter().cloned());
        // The variable a `let NAME = ...` snippet binds.
        let var = code
            .strip_prefix("let ")
            .and_then(|r| r.split_whitespace().next())
            .unwrap_or("")
            .to_string();
        let script = match prefix.as_str() {
            "flow" => format!("let start = node(\"start\");\n{code}\n"),
            "batch_flow" | "parallel_flow" => {
                format!("let start = node(\"start\");\n{code}\nflow(\"main\", {var})\n")
            }
            "branches" => format!(
                "let left_flow = node(\"l\");\nlet right_flow = node(\"r\");\n{code}\nflow(\"main\", {var})\n"
            ),
            "transition" | "edge" => format!(
                "let from = node(\"from\", #{{ post: |s, p, e| \"action\" }});\nlet to = node(\"to\");\n{code}\nflow(\"main\", from)\n"
            ),
            _ => format!("{code}\nflow(\"main\", {var})\n"),
        };
        let file = dir
            .path()
            .join(format!("{}.flow.rhai", name.replace(' ', "_")));
        std::fs::write(&file, &script).expect("write");
        let out = support::cli::flowscript()
            .arg("check")
            .arg(&file)
            .output()
            .expect("flowscript check");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            out.status.success()
                && format!("{stdout}{stderr}").contains("ok: 0 errors, 0 warnings"),
            "snippet {name:?} expands to a script check rejects:\n{script}\n{stdout}{stderr}"
        );
    }
    for want in expected {
        assert!(
            seen.iter().any(|p| p == want),
            "no snippet with prefix {want}: {seen:?}"
        );
    }
}

//! The real parsers the graph tests check renderer output with: mermaid's own parser (from npm,
//! in `tests/mermaid/`) and Graphviz's `dot`. Both must be installed; `tests/install-tools` installs them.
//! A missing tool fails the test with the command that installs it (never a silent skip).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `tests/mermaid/`, the npm project holding mermaid and the parse script.
fn mermaid_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/mermaid")
}

/// Run `program args` with `input` on stdin; (exit success, stdout, stderr).
fn pipe(mut cmd: Command, input: &[u8], what: &str) -> (bool, String, String) {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    // Write from another thread so a full stdout pipe cannot deadlock us.
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let out = child.wait_with_output().expect("wait");
    let written = writer.join().expect("writer");
    // A tool that rejects its input may stop reading it: then its own message is what matters.
    if out.status.success() {
        written.unwrap_or_else(|e| panic!("cannot write to {what}: {e}"));
    }
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Parse every text with mermaid's parser in one `node` run: `None` where a text parses, else
/// the parser's message.
pub fn mermaid_parse_all(texts: &[String]) -> Vec<Option<String>> {
    let dir = mermaid_dir();
    for dep in ["mermaid", "jsdom"] {
        assert!(
            dir.join("node_modules")
                .join(dep)
                .join("package.json")
                .is_file(),
            "mermaid's parser is not installed ({}/node_modules/{dep} is missing): \
             run `tests/install-tools` (or `npm ci --prefix tests/mermaid`)",
            dir.display()
        );
    }
    let mut cmd = Command::new("node");
    cmd.arg(dir.join("parse.mjs")).arg("--batch");
    let input = serde_json::to_vec(texts).expect("json");
    let (ok, stdout, stderr) = pipe(cmd, &input, "node (is Node.js installed?)");
    assert!(ok, "parse.mjs failed: {stderr}");
    let results: Vec<Option<String>> =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("parse.mjs said {stdout:?}: {e}"));
    assert_eq!(results.len(), texts.len(), "one result per diagram");
    results
}

/// Assert that mermaid's parser accepts every text, naming the first that fails.
pub fn assert_mermaid_parses(named: &[(String, String)]) {
    let texts: Vec<String> = named.iter().map(|(_, t)| t.clone()).collect();
    for ((name, text), result) in named.iter().zip(mermaid_parse_all(&texts)) {
        if let Some(error) = result {
            panic!("mermaid rejects the diagram of {name}:\n{error}\n--- diagram ---\n{text}");
        }
    }
}

/// Lay out one or more concatenated DOT graphs with `dot -Tsvg`: Ok when it exits 0 and prints
/// no warning, else its stderr.
pub fn dot_svg(text: &str) -> Result<String, String> {
    let found = Command::new("dot")
        .arg("-V")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found,
        "Graphviz's `dot` is not installed: run `tests/install-tools` (or `apt-get install -y graphviz`)"
    );
    let mut cmd = Command::new("dot");
    cmd.arg("-Tsvg");
    let (ok, stdout, stderr) = pipe(cmd, text.as_bytes(), "dot");
    if ok && stderr.trim().is_empty() {
        Ok(stdout)
    } else {
        Err(stderr)
    }
}

//! The reference pages agree with the code they describe:
//! - `docs/host.md` lists exactly the host functions of the language server's catalog (the
//!   engine's Rhai metadata), each signature as the editor shows it and each doc comment quoted
//!   word for word, so the reference and hover never disagree;
//! - every JSON event in `docs/events.md` is an event the runtime can write (it reads back into
//!   [`Event`] and writes out identically), and every event type has its section;
//! - `flowscript --help` lists the exit statuses;
//! - the README and the docs link only to files inside the repository, and the README's
//!   scripts load.

use std::collections::BTreeSet;
use std::path::Path;

use flowscript_lsp::analysis::catalog::Catalog;
use flowscript_runtime::{Event, EventKind, Runtime};

fn page(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("docs")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every host function as `(signature, doc)`: module functions as `module::sig`.
fn host_functions() -> Vec<(String, String)> {
    let runtime = Runtime::new();
    let catalog = Catalog::new(runtime.engine());
    let mut out = Vec::new();
    let modules: Vec<&str> = catalog.module_names().collect();
    assert!(modules.len() >= 5, "the engine's host modules: {modules:?}");
    for module in modules {
        for f in catalog.module(module) {
            out.push((format!("{module}::{}", f.signature), f.doc.clone()));
        }
    }
    for f in catalog.globals() {
        out.push((f.signature.clone(), f.doc.clone()));
    }
    out
}

/// The signature lines of host.md: list items that are one code span holding a call.
fn documented_signatures(text: &str) -> BTreeSet<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("- `")?.strip_suffix('`'))
        .filter(|s| s.contains('(') && !s.contains('`'))
        .map(str::to_string)
        .collect()
}

#[test]
fn the_host_page_lists_every_host_function_as_the_metadata_has_it() {
    let text = page("host.md");
    let functions = host_functions();
    assert!(
        functions.len() > 20,
        "the catalog looks empty: {functions:?}"
    );
    let expected: BTreeSet<String> = functions.iter().map(|(s, _)| s.clone()).collect();
    let documented = documented_signatures(&text);
    let missing: Vec<_> = expected.difference(&documented).collect();
    let unknown: Vec<_> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "docs/host.md lacks these signature lines (write each as \"- `SIG`\"): {missing:#?}"
    );
    assert!(
        unknown.is_empty(),
        "docs/host.md documents signatures the engine does not have: {unknown:#?}"
    );
    for (sig, doc) in &functions {
        let quoted: Vec<String> = doc.lines().map(|l| format!("> {l}")).collect();
        let quoted = quoted.join("\n");
        assert!(
            doc.is_empty() || text.contains(&quoted),
            "docs/host.md does not quote the doc of {sig} as\n{quoted}"
        );
    }
}

/// Every event kind's `type` (a new kind fails to compile here until it is documented).
fn every_type() -> Vec<&'static str> {
    fn name(kind: &EventKind) -> &'static str {
        match kind {
            EventKind::RunStarted { .. }
            | EventKind::NodeStarted { .. }
            | EventKind::NodeRetry { .. }
            | EventKind::ItemStarted { .. }
            | EventKind::ItemFailed { .. }
            | EventKind::ItemFinished { .. }
            | EventKind::NodeFinished { .. }
            | EventKind::Emitted { .. }
            | EventKind::InputRequired { .. }
            | EventKind::InputReceived { .. }
            | EventKind::LlmUsage { .. }
            | EventKind::Warning { .. }
            | EventKind::RunFinished { .. }
            | EventKind::RunFailed { .. } => kind.type_name(),
        }
    }
    let _ = name;
    vec![
        "run_started",
        "node_started",
        "node_retry",
        "item_started",
        "item_failed",
        "item_finished",
        "node_finished",
        "emitted",
        "input_required",
        "input_received",
        "llm_usage",
        "warning",
        "run_finished",
        "run_failed",
    ]
}

/// The one-line JSON objects of the page's ```json blocks.
fn json_events(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("```") {
            inside = t == "```json";
            continue;
        }
        if inside && t.starts_with("{\"seq\"") {
            out.push(t.to_string());
        }
    }
    out
}

#[test]
fn every_event_on_the_events_page_is_one_the_runtime_writes() {
    let text = page("events.md");
    let mut seen = BTreeSet::new();
    for line in json_events(&text) {
        let event: Event =
            serde_json::from_str(&line).unwrap_or_else(|e| panic!("{line}\nis not an event: {e}"));
        let back = serde_json::to_value(&event).expect("json");
        let given: serde_json::Value = serde_json::from_str(&line).expect("json");
        assert_eq!(back, given, "{line} does not read back as written");
        seen.insert(event.kind.type_name());
    }
    for ty in every_type() {
        assert!(
            seen.contains(ty),
            "docs/events.md has no JSON example of {ty}"
        );
        assert!(
            text.contains(&format!("### `{ty}`")),
            "docs/events.md has no section `### `{ty}``"
        );
    }
}

#[test]
fn help_lists_the_exit_statuses() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_flowscript"))
        .arg("--help")
        .output()
        .expect("flowscript --help");
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(help.contains("Exit status:"), "{help}");
    for code in ["0 ", "1 ", "2 ", "130 "] {
        assert!(
            help.lines().any(|l| l.trim_start().starts_with(code)),
            "--help lacks exit status {code}: {help}"
        );
    }
    let events = page("events.md");
    for code in ["| 0 |", "| 1 |", "| 2 |", "| 130 |"] {
        assert!(events.contains(code), "docs/events.md lacks the row {code}");
    }
}

/// The README and the docs link only to files inside the repository, and nothing points at
/// the design notes outside it.
#[test]
fn links_stay_inside_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root_real = root.canonicalize().expect("root");
    let mut pages = vec![root.join("README.md")];
    for entry in std::fs::read_dir(root.join("docs")).expect("docs/") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "md") {
            pages.push(path);
        }
    }
    for page in pages {
        let text = std::fs::read_to_string(&page).expect("read");
        let shown = page
            .strip_prefix(root)
            .unwrap_or(&page)
            .display()
            .to_string();
        // Spelled in pieces so that this file does not match a search for them either.
        let outside = [concat!("..", "/shared"), concat!("DES", "IGN.md")];
        assert!(
            !outside.iter().any(|o| text.contains(o)),
            "{shown} points outside the repository"
        );
        for target in text.split("](").skip(1).filter_map(|t| t.split(')').next()) {
            let file = target.split('#').next().unwrap_or_default();
            if file.is_empty() || file.contains("://") || file.starts_with("mailto:") {
                continue;
            }
            let dir = page.parent().expect("folder");
            let resolved = dir.join(file).canonicalize();
            assert!(
                resolved.as_ref().is_ok_and(|p| p.starts_with(&root_real)),
                "{shown} links to {target}, which is not a file in the repository"
            );
        }
    }
}

/// The README's ```rhai blocks load without errors (they are not run: one needs an LLM).
#[test]
fn the_readme_scripts_load() {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let blocks: Vec<&str> = text
        .split("```rhai\n")
        .skip(1)
        .filter_map(|b| b.split("```").next())
        .collect();
    assert!(!blocks.is_empty(), "no rhai blocks in the README");
    for (i, block) in blocks.iter().enumerate() {
        let loaded = Runtime::new().load(&format!("README.md block {i}"), block);
        let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
        assert!(errors.is_empty(), "README.md rhai block {i}: {errors:?}");
        assert!(
            loaded.program.is_some(),
            "README.md rhai block {i} has nothing to run"
        );
    }
}

//! The user documentation stays true: every ```rhai block in `docs/` loads without errors and
//! runs to a successful end offline with no permissions (a block whose text says
//! `this run fails` must fail instead), and `docs/security.md` lists every limit of the one
//! limits table with its default.

use std::path::Path;
use std::time::Duration;

use flowscript_runtime::limits::TABLE;
use flowscript_runtime::{CancellationToken, RunOptions, Runtime};

fn docs() -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut out: Vec<(String, String)> = std::fs::read_dir(&dir)
        .expect("docs/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| {
            let name = p.file_name().expect("name").to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).expect("read"))
        })
        .collect();
    out.sort();
    out
}

/// The ```rhai blocks of a page, with the line each starts on.
fn rhai_blocks(text: &str) -> Vec<(usize, String)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, String)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut current {
            None if line.trim_start().starts_with("```rhai") => {
                current = Some((i + 2, String::new()))
            }
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, body)) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn every_rhai_block_in_the_docs_runs() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let mut seen = 0;
    for (page, text) in docs() {
        for (line, block) in rhai_blocks(&text) {
            seen += 1;
            let at = format!("docs/{page}:{line}");
            let loaded = Runtime::new().load(&at, &block);
            let errors: Vec<_> = loaded.diagnostics.iter().filter(|d| d.is_error()).collect();
            assert!(errors.is_empty(), "{at}: {errors:?}");
            let program = loaded
                .program
                .unwrap_or_else(|| panic!("{at}: nothing to run"));
            let cancel = CancellationToken::new();
            let outcome = rt.block_on(async {
                tokio::time::timeout(
                    Duration::from_secs(20),
                    program.run(RunOptions {
                        cancel: cancel.clone(),
                        ..RunOptions::default()
                    }),
                )
                .await
            });
            let outcome = outcome.unwrap_or_else(|_| panic!("{at}: the run did not end"));
            let should_fail = block.contains("this run fails");
            assert_eq!(
                outcome.result.is_err(),
                should_fail,
                "{at}: {:?} {}",
                outcome.result,
                outcome.shared
            );
        }
    }
    assert!(seen > 0, "no rhai blocks found");
}

#[test]
fn the_security_page_lists_every_limit_with_its_default() {
    let (_, page) = docs()
        .into_iter()
        .find(|(name, _)| name == "security.md")
        .expect("docs/security.md");
    for info in TABLE {
        let row = format!("| `{}` | {} |", info.name, info.show(info.default_value()));
        assert!(
            page.contains(&row),
            "docs/security.md lacks the row {row:?}"
        );
    }
}

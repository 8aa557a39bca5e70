//! ARCHITECTURE.md is the map, and this keeps it true: its layer list names every module of
//! `runtime/src` once, every `crate::` path in the runtime points down those layers (so the
//! module graph has no cycles), `unsafe` appears only in `co`, and the language server's
//! analysis layer touches neither protocol types nor the server.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.rs` file under `dir`, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The code of a file without its comments (`//` to the end of a line; the sources use no
/// block comments), so prose and doc links do not count as dependencies.
fn code_of(path: &Path) -> String {
    let text = fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(strip_comment)
        .collect::<Vec<_>>()
        .join("\n")
}

/// `line` up to a `//` that is not inside a string literal.
fn strip_comment(line: &str) -> &str {
    let bytes = line.as_bytes();
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if in_string => i += 1,
            b'\'' if !in_string && bytes.get(i + 1) == Some(&b'"') => i += 2,
            b'"' => in_string = !in_string,
            b'/' if !in_string && bytes.get(i + 1) == Some(&b'/') => return &line[..i],
            _ => {}
        }
        i += 1;
    }
    line
}

/// The identifiers that follow `prefix` in `code` (`crate::graph::X` → `graph`).
fn paths_after<'a>(code: &'a str, prefix: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find(prefix) {
        let before = rest[..at].chars().next_back();
        rest = &rest[at + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || "_:$".contains(c)) {
            continue; // `$crate::`, `foo_crate::`, `x::crate::`
        }
        let end = rest
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        out.push(&rest[..end]);
    }
    out
}

/// The layers of ARCHITECTURE.md's ```layers block, top first: each line's module names.
fn documented_layers() -> Vec<Vec<String>> {
    let doc = fs::read_to_string(root().join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let block = doc
        .split("```layers\n")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("ARCHITECTURE.md has a ```layers block");
    block
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let names = l.split(" — ").next().unwrap_or(l);
            names.split(',').map(|n| n.trim().to_string()).collect()
        })
        .collect()
}

/// The runtime's top-level modules: its folders and its files other than `lib.rs`.
fn runtime_modules() -> BTreeSet<String> {
    fs::read_dir(root().join("runtime/src"))
        .expect("runtime/src")
        .map(|e| e.expect("an entry").path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_str()?.to_string();
            (p.is_dir() || (p.extension()? == "rs" && name != "lib")).then_some(name)
        })
        .collect()
}

/// For each runtime module, the other runtime modules its files name through `crate::`, with
/// one file that does (for the failure message).
fn runtime_dependencies() -> BTreeMap<String, BTreeMap<String, PathBuf>> {
    let src = root().join("runtime/src");
    let modules = runtime_modules();
    let mut deps: BTreeMap<String, BTreeMap<String, PathBuf>> = BTreeMap::new();
    for file in rust_files(&src) {
        let rel = file.strip_prefix(&src).expect("under runtime/src");
        let first = rel.components().next().expect("a component");
        let module = Path::new(first.as_os_str())
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("a module name")
            .to_string();
        if module == "lib" {
            continue;
        }
        for target in paths_after(&code_of(&file), "crate::") {
            assert!(
                modules.contains(target),
                "{}: `crate::{target}` is not a module path; inside the runtime, name items by \
                 their module (the root re-exports hide which layer they come from)",
                rel.display()
            );
            if target != module {
                deps.entry(module.clone())
                    .or_default()
                    .entry(target.to_string())
                    .or_insert_with(|| rel.to_path_buf());
            }
        }
    }
    deps
}

#[test]
fn the_layer_list_names_every_runtime_module_once() {
    let layers = documented_layers();
    let mut seen = BTreeSet::new();
    for name in layers.iter().flatten() {
        assert!(
            seen.insert(name.clone()),
            "ARCHITECTURE.md lists `{name}` twice"
        );
    }
    assert_eq!(
        seen,
        runtime_modules(),
        "ARCHITECTURE.md's layers and the modules of runtime/src differ"
    );
}

#[test]
fn runtime_modules_only_use_the_layers_below_them() {
    let layers = documented_layers();
    let level: BTreeMap<&str, usize> = layers
        .iter()
        .enumerate()
        .flat_map(|(i, names)| names.iter().map(move |n| (n.as_str(), i)))
        .collect();
    let mut wrong = Vec::new();
    for (module, targets) in runtime_dependencies() {
        for (target, file) in targets {
            // Lines are listed top first: a lower layer has a larger index.
            if level[target.as_str()] <= level[module.as_str()] {
                wrong.push(format!(
                    "{module} -> {target} ({}), but ARCHITECTURE.md puts {target} {}",
                    file.display(),
                    if level[target.as_str()] == level[module.as_str()] {
                        "on the same line"
                    } else {
                        "above it"
                    }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "dependencies against the layers:\n{}",
        wrong.join("\n")
    );
}

#[test]
fn the_layer_check_sees_real_dependencies() {
    // Guards the check itself: these edges exist, so a parser that found nothing would fail here.
    let deps = runtime_dependencies();
    for (from, to) in [
        ("exec", "script"),
        ("script", "host"),
        ("host", "co"),
        ("graph", "span"),
    ] {
        assert!(
            deps.get(from).is_some_and(|t| t.contains_key(to)),
            "expected {from} -> {to} among {deps:?}"
        );
    }
    assert_eq!(
        paths_after("use crate::a::b; x::crate::no; $crate::c", "crate::"),
        ["a"]
    );
    assert_eq!(
        strip_comment(r#"let s = "a//b"; // crate::x"#),
        r#"let s = "a//b"; "#
    );
}

#[test]
fn only_co_holds_unsafe_code() {
    let co = root().join("runtime/src/co");
    let mut found = Vec::new();
    for dir in ["runtime/src", "lsp/src", "src", "benches/src"] {
        for file in rust_files(&root().join(dir)) {
            if file.starts_with(&co) {
                continue;
            }
            let code = code_of(&file);
            for word in ["unsafe {", "unsafe fn", "unsafe impl", "unsafe extern"] {
                if code.contains(word) {
                    found.push(format!("{}: `{word}`", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "unsafe code outside runtime/src/co:\n{}",
        found.join("\n")
    );
    let co_code: String = rust_files(&co).iter().map(|f| code_of(f)).collect();
    assert!(
        co_code.contains("unsafe"),
        "the check looks where the unsafe code is"
    );
}

#[test]
fn the_analysis_layer_holds_no_protocol_types() {
    let analysis = root().join("lsp/src/analysis");
    let files = rust_files(&analysis);
    assert!(files.len() > 5, "lsp/src/analysis holds the analysis");
    for file in files {
        let code = code_of(&file);
        for word in [
            "tower_lsp",
            "lsp_types",
            "ls_types",
            "crate::server",
            "tokio::",
        ] {
            assert!(
                !code.contains(word),
                "{}: the analysis layer uses `{word}`",
                file.display()
            );
        }
    }
}

//! `flowscript graph FILE [--format mermaid|dot|json]`: snapshots of the examples' drawings, a
//! script with every kind, errors, and every drawing checked by the real tools: mermaid's own
//! parser (npm, `tests/mermaid/`) and Graphviz's `dot -Tsvg`.

mod support;

use predicates::prelude::*;
use serde_json::Value;
use support::cli::flowscript;

/// `flowscript graph FILE --format FORMAT`, run from `dir`, asserted to succeed: its stdout.
fn graph_in(dir: &std::path::Path, file: &str, format: &str) -> String {
    let out = flowscript()
        .current_dir(dir)
        .args(["graph", file, "--format", format])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).expect("utf-8")
}

fn graph(file: &str, format: &str) -> String {
    graph_in(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")),
        file,
        format,
    )
}

fn examples() -> Vec<String> {
    let mut scripts: Vec<String> = std::fs::read_dir("scripts")
        .expect("scripts/")
        .map(|e| e.expect("entry").path().to_string_lossy().into_owned())
        .filter(|p| p.ends_with(".flow.rhai"))
        .collect();
    scripts.sort();
    assert!(scripts.len() >= 6);
    scripts
}

/// Spans as `"line:column"`, so the JSON snapshots show where things are without depending on
/// how a span is serialised; closures' generated names (`anon$<hash>`) as `anon$…`.
fn normalize(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, x) in map.iter_mut() {
                if k == "span" {
                    *x = Value::String(format!("{}:{}", x["line"], x["column"]));
                } else if k == "function" && x.as_str().is_some_and(|f| f.starts_with("anon$")) {
                    *x = Value::String("anon$…".into());
                } else {
                    normalize(x);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize),
        _ => {}
    }
}

#[test]
fn mermaid_snapshots() {
    for name in ["hello", "nested", "router", "forecast", "fanout"] {
        let text = graph(&format!("scripts/{name}.flow.rhai"), "mermaid");
        insta::assert_snapshot!(format!("mermaid_{name}"), text);
    }
}

#[test]
fn dot_snapshots() {
    for name in ["hello", "nested", "router", "forecast", "fanout"] {
        let text = graph(&format!("scripts/{name}.flow.rhai"), "dot");
        insta::assert_snapshot!(format!("dot_{name}"), text);
    }
}

#[test]
fn json_snapshots() {
    for name in ["hello", "nested"] {
        let text = graph(&format!("scripts/{name}.flow.rhai"), "json");
        let mut v: Value = serde_json::from_str(&text).expect("json");
        normalize(&mut v);
        insta::assert_json_snapshot!(format!("json_{name}"), v);
    }
}

#[test]
fn mermaid_is_the_default_and_json_is_the_recorded_graph() {
    let out = flowscript()
        .args(["graph", "scripts/router.flow.rhai"])
        .assert()
        .success()
        .stderr("")
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).starts_with("flowchart TD\n"));
    let json: Value =
        serde_json::from_str(&graph("scripts/router.flow.rhai", "json")).expect("json");
    let entry = json["entry"].as_u64().expect("entry") as usize;
    assert_eq!(json["nodes"][entry]["name"], "support");
    assert_eq!(json["nodes"][entry]["kind"], "flow");
    assert!(
        json["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["to"] == "end")
    );
}

/// Every kind, `end` at two depths, an implicit `main` (the script ends with a node), branches,
/// a node no flow reaches, and names that need escaping.
const KINDS: &str = r#"
let a = node("say \"hi\" #1 <b>", #{});
let b = batch("items | all", #{ post: |s, p, e| "more \"x\"" });
let c = parallel("fan-out: 😀 %%{init}%% #quot; `md`", #{ post: |s, p, e| "done" });
let d = node("d", #{});
a >> b;
b - "more \"x\"" >> c;
c - "done" >> end;
let inner = flow("inner\nflow", a);
let e = node("e", #{});
let many = batch_flow("many", e, #{ prep: |shared| [] });
let f = node("f", #{});
let wide = parallel_flow("wide", f, #{ prep: |shared| [], post: |s, p, e| s.next });
let both = branches("both", #{ left: inner, right: d });
let last = node("last", #{});
both >> many >> wide - "stop" >> end;
wide >> last;
let stray = node("stray", #{});
stray >> d;
both
"#;

fn kinds_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("kinds.flow.rhai"), KINDS).expect("write");
    dir
}

#[test]
fn every_kind_has_its_shape() {
    let dir = kinds_dir();
    let mermaid = graph_in(dir.path(), "kinds.flow.rhai", "mermaid");
    insta::assert_snapshot!("mermaid_kinds", mermaid);
    let dot = graph_in(dir.path(), "kinds.flow.rhai", "dot");
    insta::assert_snapshot!("dot_kinds", dot);
    support::graph_tools::assert_mermaid_parses(&[("kinds.flow.rhai".into(), mermaid)]);
    support::graph_tools::dot_svg(&dot)
        .unwrap_or_else(|e| panic!("dot rejects kinds.flow.rhai: {e}"));
}

#[test]
fn every_example_passes_mermaids_parser() {
    let named: Vec<(String, String)> = examples()
        .into_iter()
        .map(|s| {
            let text = graph(&s, "mermaid");
            (s, text)
        })
        .collect();
    support::graph_tools::assert_mermaid_parses(&named);
}

#[test]
fn every_example_lays_out_with_graphviz() {
    for s in examples() {
        let svg = support::graph_tools::dot_svg(&graph(&s, "dot"))
            .unwrap_or_else(|e| panic!("dot -Tsvg fails on the drawing of {s}:\n{e}"));
        assert!(svg.contains("<svg"), "{s}");
    }
}

#[test]
fn the_parsers_do_reject_broken_drawings() {
    // The checks above mean something only if these tools fail on bad input.
    let results = support::graph_tools::mermaid_parse_all(&[
        "flowchart TD\n  n0[\"a\"b\"]\n".to_string(),
        "flowchart TD\n  n0 -->|\"\"| n1\n".to_string(),
    ]);
    assert!(results.iter().all(Option::is_some), "{results:?}");
    assert!(support::graph_tools::dot_svg("digraph { a -> \"b }\n").is_err());
}

#[test]
fn a_script_with_errors_prints_diagnostics_and_exits_1() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.flow.rhai");
    std::fs::write(
        &path,
        "let a = node(\"a\", #{ retires: 3 });\nflow(\"main\", a)\n",
    )
    .expect("write");
    for format in ["mermaid", "dot", "json"] {
        flowscript()
            .arg("graph")
            .arg(&path)
            .args(["--format", format])
            .assert()
            .code(1)
            .stdout("")
            .stderr(predicate::str::contains("unknown option `retires`"))
            .stderr(predicate::str::contains("did you mean `retries`?"));
    }
    std::fs::write(&path, "let a = node(\"a\", #{ \n").expect("write");
    flowscript()
        .arg("graph")
        .arg(&path)
        .assert()
        .code(1)
        .stdout("");
}

#[test]
fn usage_errors_exit_2() {
    flowscript()
        .args(["graph", "no/such/file.flow.rhai"])
        .assert()
        .code(2)
        .stdout("")
        .stderr(predicate::str::contains(
            "cannot read no/such/file.flow.rhai",
        ));
    flowscript()
        .args(["graph", "scripts/hello.flow.rhai", "--format", "svg"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("mermaid, dot, json"));
}

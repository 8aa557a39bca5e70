//! What the language offers, with docs: the graph API (constructors, `end`, transitions, option
//! keys) and the host functions, whose signatures and doc comments come from the engine's Rhai
//! metadata (`Engine::gen_fn_metadata_to_json`).

use std::collections::BTreeMap;

use flowscript_runtime::graph::{HookKind, NodeKind};
use rhai::Engine;

/// A documented function: its name, signature and markdown docs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FnDoc {
    /// The function's name (without its module).
    pub name: String,
    /// The signature as shown to users.
    pub signature: String,
    /// Markdown documentation (may be empty).
    pub doc: String,
}

/// The host modules scripts can call into as `module::function`.
pub const HOST_MODULES: [&str; 5] = ["fs", "http", "llm", "json", "process"];

/// Global host functions (no module).
const HOST_GLOBALS: [(&str, &str); 6] = [
    (
        "emit",
        "Send `data` to the run's event stream as an `emitted` event.",
    ),
    (
        "log",
        "Log a message (a `log` event; shown on stderr by `flowscript run`).",
    ),
    (
        "env",
        "The value of an environment variable, or `()` when unset. Needs `--allow-env`.",
    ),
    ("now", "Seconds since the Unix epoch, as a float."),
    (
        "sleep",
        "Wait `seconds` without holding a thread (the run's other items go on).",
    ),
    (
        "Fn",
        "A function pointer to the script function `name`: `post: Fn(\"decide\")`.",
    ),
];

/// Everything documented, built once per engine.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    modules: BTreeMap<String, Vec<FnDoc>>,
    globals: Vec<FnDoc>,
}

impl Catalog {
    /// Read the host functions' metadata from the engine.
    pub fn new(engine: &Engine) -> Self {
        let mut catalog = Catalog::default();
        let json = engine.gen_fn_metadata_to_json(false).unwrap_or_default();
        let Ok(meta) = serde_json::from_str::<serde_json::Value>(&json) else {
            return catalog;
        };
        if let Some(mods) = meta.get("modules").and_then(|m| m.as_object()) {
            for (name, module) in mods {
                let fns = module
                    .get("functions")
                    .and_then(|f| f.as_array())
                    .map(|fs| fs.iter().filter_map(fn_doc).collect())
                    .unwrap_or_default();
                catalog.modules.insert(name.clone(), fns);
            }
        }
        let all_globals: Vec<FnDoc> = meta
            .get("functions")
            .and_then(|f| f.as_array())
            .map(|fs| fs.iter().filter_map(fn_doc).collect())
            .unwrap_or_default();
        for (name, doc) in HOST_GLOBALS {
            let sigs: Vec<&FnDoc> = all_globals.iter().filter(|f| f.name == name).collect();
            if sigs.is_empty() {
                catalog.globals.push(FnDoc {
                    name: name.into(),
                    signature: format!("{name}(…)"),
                    doc: doc.into(),
                });
            }
            for f in sigs {
                catalog.globals.push(FnDoc {
                    doc: if f.doc.is_empty() {
                        doc.into()
                    } else {
                        f.doc.clone()
                    },
                    ..f.clone()
                });
            }
        }
        catalog
    }

    /// The functions of a host module (empty if unknown).
    pub fn module(&self, name: &str) -> &[FnDoc] {
        self.modules.get(name).map_or(&[], Vec::as_slice)
    }

    /// The global host functions, one entry per overload.
    pub fn globals(&self) -> &[FnDoc] {
        &self.globals
    }
}

fn fn_doc(f: &serde_json::Value) -> Option<FnDoc> {
    let name = f.get("name")?.as_str()?.to_string();
    let signature = pretty_signature(f.get("signature").and_then(|s| s.as_str()).unwrap_or(&name));
    let doc = f
        .get("docComments")
        .and_then(|d| d.as_array())
        .map(|lines| {
            lines
                .iter()
                .filter_map(|l| l.as_str())
                .flat_map(str::lines)
                .map(|l| {
                    l.trim_start()
                        .trim_start_matches("///")
                        .trim_start_matches("/**")
                        .trim_end_matches("*/")
                        .trim()
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default();
    Some(FnDoc {
        name,
        signature,
        doc,
    })
}

/// A metadata signature as a script writer reads it: Rust paths dropped
/// (`types::dynamic::Dynamic` → `Dynamic`), a `Result<T, Box<EvalAltResult>>` return as `T`.
pub fn pretty_signature(sig: &str) -> String {
    let sig = sig.replace("NativeCallContext, ", "");
    let sig = match sig.split_once("-> core::result::Result<") {
        Some((head, ret)) => {
            let ok = ret
                .rsplit_once(",alloc::boxed::Box<")
                .map_or(ret, |(ok, _)| ok);
            format!("{head}-> {ok}")
        }
        None => sig,
    };
    // Drop `path::` prefixes (identifiers followed by `::`).
    let mut out = String::with_capacity(sig.len());
    let mut word = String::new();
    let mut chars = sig.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_alphanumeric() || c == '_' {
            word.push(c);
            continue;
        }
        if c == ':' && chars.peek() == Some(&':') {
            chars.next();
            word.clear();
            continue;
        }
        out.push_str(&word);
        word.clear();
        out.push(c);
    }
    out.push_str(&word);
    out.replace("ImmutableString", "String")
}

/// The signature and docs of a constructor.
pub fn constructor_doc(kind: NodeKind) -> FnDoc {
    let (signature, doc) = match kind {
        NodeKind::Node => (
            "node(name: String, opts: Map) -> Node",
            "A node: `prep` → `exec` (retried per `retries`, `wait`, `backoff`) → `post`, once per visit.",
        ),
        NodeKind::Batch => (
            "batch(name: String, opts: Map) -> Node",
            "A batch node: `prep` returns an array; `exec` runs once per item, in order; `post` gets the array of results.",
        ),
        NodeKind::Parallel => (
            "parallel(name: String, opts: Map) -> Node",
            "A parallel node: `prep` returns an array; one `exec` per item, gathered concurrently (at most `concurrency` at once).",
        ),
        NodeKind::Flow => (
            "flow(name: String, start: Node, opts?: Map) -> Node",
            "A flow: runs the graph from `start` until an action has no edge or reaches `end`. A flow is a node too.",
        ),
        NodeKind::BatchFlow => (
            "batch_flow(name: String, start: Node, opts: Map) -> Node",
            "A batch flow: `prep` returns an array of param maps; one sub-run of the start graph per map, in order.",
        ),
        NodeKind::ParallelFlow => (
            "parallel_flow(name: String, start: Node, opts: Map) -> Node",
            "A parallel flow: one sub-run of the start graph per param map, concurrently (at most `concurrency`).",
        ),
        NodeKind::Branches => (
            "branches(name: String, targets: Map, opts?: Map) -> Node",
            "Different sub-flows concurrently: each `key: node` of `targets` starts a branch; `post` gets a map of their results.",
        ),
    };
    let keys = flowscript_runtime::graph::options::allowed_keys(kind).join("`, `");
    FnDoc {
        name: kind.constructor().into(),
        signature: signature.into(),
        doc: format!("{doc}\n\nOptions: `{keys}`."),
    }
}

/// Docs of the graph API's other words: `end`, `then`, `on`, `shared`.
pub fn keyword_doc(word: &str) -> Option<FnDoc> {
    let (signature, doc) = match word {
        "end" => (
            "end",
            "The terminal: `a - \"stop\" >> end` ends the flow quietly when `a` returns `\"stop\"`.",
        ),
        "then" => (
            "then(self: Node, next: Node) -> Node",
            "`a.then(b)` is `a >> b`: the default edge; returns `b`.",
        ),
        "on" => (
            "on(self: Node, action: String, next: Node) -> Node",
            "`a.on(\"x\", b)` is `a - \"x\" >> b`: a labelled edge; returns `b`.",
        ),
        "shared" => (
            "shared: Store",
            "The run's one store (a handle, never a copy): `shared.k`, `shared[\"k\"]`, assignment; a missing key reads `()`. Atomic helpers: `shared.push(k, v)`, `shared.update(k, |old| new)`.",
        ),
        _ => return None,
    };
    Some(FnDoc {
        name: word.into(),
        signature: signature.into(),
        doc: doc.into(),
    })
}

/// Docs of an option key.
pub fn option_doc(key: &str) -> Option<&'static str> {
    for hook in HookKind::ALL {
        if hook.key() == key {
            return Some(match hook {
                HookKind::Prep => {
                    "`prep(shared[, params])`: read what the node needs from the store; its value is `prep_res`."
                }
                HookKind::Exec => {
                    "`exec(prep_res[, params])`: the work (retried); its value is `exec_res`."
                }
                HookKind::Post => {
                    "`post(shared, prep_res, exec_res[, params])`: write results; its value is the action (`()` = default edge)."
                }
                HookKind::Fallback => {
                    "`fallback(prep_res, err[, params])`: the value of exec when every attempt failed."
                }
            });
        }
    }
    Some(match key {
        "retries" => "Attempts in all (default 1, at least 1).",
        "wait" => "Seconds between attempts (default 0).",
        "backoff" => {
            "`\"fixed\"` (default) or `\"exponential\"`: the k-th wait is `wait × 2^(k-1)`."
        }
        "jitter" => "`true` scales each wait by a uniform factor in [0.5, 1.0].",
        "timeout" => "Seconds per exec attempt; a timed-out attempt counts as failed.",
        "concurrency" => "Items (or sub-runs) in flight at once; unbounded when absent.",
        "on_error" => {
            "`\"fail\"` (default: the node fails, siblings are cancelled) or `\"collect\"` (each result is `#{ok: v}` or `#{error: e}`)."
        }
        "max_steps" => "Node visits allowed in this flow before the run fails.",
        "params" => "A map of params the flow passes down to its nodes' hooks.",
        _ => return None,
    })
}

/// The docs of a global host function (all overloads).
pub fn globals_named<'a>(catalog: &'a Catalog, name: &str) -> Vec<&'a FnDoc> {
    catalog
        .globals()
        .iter()
        .filter(|f| f.name == name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_read_like_scripts() {
        assert_eq!(
            pretty_signature(
                "emit(_: types::dynamic::Dynamic) -> core::result::Result<(),alloc::boxed::Box<rhai::types::error::EvalAltResult>>"
            ),
            "emit(_: Dynamic) -> ()"
        );
        assert_eq!(
            pretty_signature("read(path: String) -> String"),
            "read(path: String) -> String"
        );
    }
}

//! What the language offers, with docs: the graph API (constructors, `end`, transitions, option
//! keys) and the host functions. Signatures and doc comments of functions (the constructors,
//! `then`, `on` and the host functions) come from the engine's Rhai metadata
//! (`Engine::gen_fn_metadata_to_json`), so the runtime's registration is their one source.

use std::collections::BTreeMap;

use flowscript_runtime::graph::NodeKind;
use rhai::Engine;

use super::outline;

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

/// Rhai's function-pointer constructor, which scripts use for hooks (`Fn("decide")`); the engine
/// has no doc for it.
const FN_DOC: &str = "A function pointer to the script function `name`: `post: Fn(\"decide\")`.";

/// Everything documented, built once per engine.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    modules: BTreeMap<String, Vec<FnDoc>>,
    globals: Vec<FnDoc>,
    /// The graph API's functions (constructors, `then`, `on`), one entry per overload.
    graph_api: Vec<FnDoc>,
}

/// The graph API's functions besides the constructors.
const GRAPH_METHODS: [&str; 2] = ["then", "on"];

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
        catalog.graph_api = all_globals
            .iter()
            .filter(|f| {
                GRAPH_METHODS.contains(&f.name.as_str()) || outline::kind_of(&f.name).is_some()
            })
            .cloned()
            .collect();
        // The host's globals, documented where they are registered; then `Fn`.
        for name in flowscript_runtime::HOST_GLOBALS {
            catalog
                .globals
                .extend(all_globals.iter().filter(|f| f.name == name).cloned());
        }
        catalog.globals.push(FnDoc {
            name: "Fn".into(),
            signature: "Fn(name: String)".into(),
            doc: FN_DOC.into(),
        });
        catalog
    }

    /// The host modules scripts can call into as `module::function`, as the engine registered
    /// them (sorted).
    pub fn module_names(&self) -> impl Iterator<Item = &str> {
        self.modules.keys().map(String::as_str)
    }

    /// Whether `name` is a host module.
    pub fn is_module(&self, name: &str) -> bool {
        self.modules.contains_key(name)
    }

    /// The functions of a host module (empty if unknown).
    pub fn module(&self, name: &str) -> &[FnDoc] {
        self.modules.get(name).map_or(&[], Vec::as_slice)
    }

    /// The global host functions, one entry per overload.
    pub fn globals(&self) -> &[FnDoc] {
        &self.globals
    }

    /// The signature and docs of a constructor, from the metadata of its overloads, followed by
    /// its option keys.
    pub fn constructor_doc(&self, kind: NodeKind) -> FnDoc {
        let name = kind.constructor();
        let d = self.graph_fn(name);
        let keys = flowscript_runtime::graph::options::allowed_keys(kind).join("`, `");
        let doc = if d.doc.is_empty() {
            format!("Options: `{keys}`.")
        } else {
            format!("{}\n\nOptions: `{keys}`.", d.doc)
        };
        FnDoc { doc, ..d }
    }

    /// Docs of the graph API's other words: `end`, `then`, `on`, `shared`.
    pub fn keyword_doc(&self, word: &str) -> Option<FnDoc> {
        // `end` is a custom-syntax keyword and `shared` a variable, not functions: they have no
        // Rhai function metadata, so their docs are written here.
        let (signature, doc) = match word {
            "end" => (
                "end",
                "The terminal: `a - \"stop\" >> end` ends the flow quietly when `a` returns `\"stop\"`.",
            ),
            "shared" => (
                "shared: Store",
                "The run's one store (a handle, never a copy): `shared.k`, `shared[\"k\"]`, assignment; a missing key reads `()`. Atomic helpers: `shared.push(k, v)`, `shared.update(k, |old| new)`.",
            ),
            w if GRAPH_METHODS.contains(&w) => return Some(self.graph_fn(w)),
            _ => return None,
        };
        Some(FnDoc {
            name: word.into(),
            signature: signature.into(),
            doc: doc.into(),
        })
    }

    /// One entry for a graph-API function: its overloads' signatures merged, the first docs.
    fn graph_fn(&self, name: &str) -> FnDoc {
        let overloads: Vec<&FnDoc> = self.graph_api.iter().filter(|f| f.name == name).collect();
        let signature = merge_overloads(&overloads).unwrap_or_else(|| format!("{name}(…)"));
        let doc = overloads
            .iter()
            .map(|f| f.doc.as_str())
            .find(|d| !d.is_empty())
            .unwrap_or_default()
            .to_string();
        FnDoc {
            name: name.into(),
            signature,
            doc,
        }
    }
}

/// The overloads of one function as one signature: when the shorter ones are prefixes of the
/// longest, its extra parameters are marked optional (`flow(name: String, start: Node, opts?:
/// Map) -> Node`); otherwise one signature per line. `None` without overloads.
fn merge_overloads(overloads: &[&FnDoc]) -> Option<String> {
    fn split(sig: &str) -> Option<(&str, Vec<&str>, &str)> {
        let (head, rest) = sig.split_once('(')?;
        let (params, ret) = rest.rsplit_once(')')?;
        let params = params
            .split(", ")
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        Some((head, params, ret))
    }
    let one_per_line = || {
        let sigs: Vec<&str> = overloads.iter().map(|f| f.signature.as_str()).collect();
        sigs.join("\n")
    };
    let Some(mut parts) = overloads
        .iter()
        .map(|f| split(&f.signature))
        .collect::<Option<Vec<_>>>()
    else {
        return Some(one_per_line());
    };
    parts.sort_by_key(|(_, params, _)| params.len());
    let (head, longest, ret) = parts.last()?;
    let shortest = parts.first()?.1.len();
    let prefixes = parts
        .iter()
        .all(|(h, p, r)| h == head && r == ret && longest.starts_with(p));
    if !prefixes {
        return Some(one_per_line());
    }
    let params: Vec<String> = longest
        .iter()
        .enumerate()
        .map(|(i, p)| match p.split_once(':') {
            Some((n, t)) if i >= shortest => format!("{}?:{t}", n.trim_end()),
            _ if i >= shortest => format!("{p}?"),
            _ => (*p).to_string(),
        })
        .collect();
    Some(format!("{head}({}){ret}", params.join(", ")))
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

/// Docs of an option key.
pub fn option_doc(key: &str) -> Option<&'static str> {
    flowscript_runtime::graph::options::option(key).map(|o| o.doc)
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
    use crate::analysis::outline::CONSTRUCTORS;

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

    #[test]
    fn constructor_docs_come_from_the_metadata() {
        let catalog = &crate::analysis::shared().catalog;
        for kind in CONSTRUCTORS {
            let ctor = kind.constructor();
            let d = catalog.constructor_doc(kind);
            assert_eq!(d.name, ctor);
            assert!(
                d.signature.starts_with(&format!("{ctor}(name: String, ")),
                "{ctor}: {}",
                d.signature
            );
            assert!(
                d.signature.ends_with(") -> Node"),
                "{ctor}: {}",
                d.signature
            );
            assert!(!d.signature.contains("Dynamic"), "{ctor}: {}", d.signature);
            let (text, options) = d
                .doc
                .split_once("\n\nOptions: ")
                .unwrap_or_else(|| panic!("{ctor}: no options in {:?}", d.doc));
            assert!(
                !text.trim().is_empty(),
                "{ctor}: empty doc from the metadata"
            );
            for key in flowscript_runtime::graph::options::allowed_keys(kind) {
                assert!(
                    options.contains(&format!("`{key}`")),
                    "{ctor}: {key} missing"
                );
            }
        }
        for word in GRAPH_METHODS {
            let d = catalog.keyword_doc(word).expect(word);
            assert!(
                d.signature.starts_with(&format!("{word}(self: Node, ")),
                "{}",
                d.signature
            );
            assert!(!d.doc.is_empty(), "{word}: empty doc from the metadata");
        }
        assert_eq!(
            catalog.constructor_doc(NodeKind::Flow).signature,
            "flow(name: String, start: Node, opts?: Map) -> Node"
        );
    }
}

//! `import "path" as m;` through flowscript's own module resolver, the same in `run`, `check`,
//! `graph` and the language server.
//!
//! - A path is relative to the importing file's folder (the script's for the script itself);
//!   `import "lib"` means `lib.rhai`, and only `.rhai` files are modules.
//! - A module inside the script's folder tree loads without flags. One outside needs a read
//!   grant covering its canonical path (symlinks resolved), and only a run has grants: `check`,
//!   `graph` and editors open nothing outside the tree.
//! - Only regular files, up to the `module` limit; FIFOs and devices are refused before any read.
//! - A module importing itself, directly or through others, is an error naming the chain.
//! - Errors inside a module name the module's file, line and column; a denied or non-module
//!   file is never read, so its content cannot reach a message.
//!
//! Who may import what travels with the evaluation: the recorder while a graph is built, the
//! run's host context while hooks run ([`ImportPolicy`]).

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rhai::{Engine, EvalAltResult, GlobalRuntimeState, Module, ModuleResolver, Position, Scope};

/// What a resolver hands Rhai (Rhai's own alias is private).
type SharedModule = rhai::Shared<Module>;

use crate::host::ImportPolicy;
use crate::host::fs::read_bounded;
use crate::host::permissions::{Grant, Permissions};
use crate::limits::Limits;
use crate::limits::limit_message;

/// Imports nested deeper than this are refused (each level evaluates on the native stack).
pub(crate) const MAX_IMPORT_DEPTH: usize = 32;

thread_local! {
    /// The modules being evaluated on this thread, outermost first (evaluation does not
    /// suspend, so it stays on one thread).
    static CHAIN: RefCell<Vec<PathBuf>> = const { RefCell::new(Vec::new()) };
}

/// The engine's module resolver.
pub(crate) struct Resolver {
    limits: Limits,
}

impl Resolver {
    /// A resolver bounding modules by `limits`.
    pub(crate) fn new(limits: Limits) -> Self {
        Self { limits }
    }
}

fn fail(message: String, pos: Position) -> Box<EvalAltResult> {
    EvalAltResult::ErrorRuntime(message.into(), pos).into()
}

/// The policy of the evaluation on this thread: the recording's, else the running hook's.
fn current_policy() -> Option<Arc<ImportPolicy>> {
    crate::script::record::with_recorder(|r| r.imports())
        .or_else(|| crate::host::HostContext::current().map(|h| h.imports.clone()))
}

/// A module file for messages: relative to the script's folder when inside it.
fn shown(path: &Path, policy: &ImportPolicy) -> String {
    display_name(path, policy.root.as_deref())
}

/// A module file for messages: relative to `root` when inside it, else as it is.
pub(crate) fn display_name(path: &Path, root: Option<&Path>) -> String {
    root.and_then(|root| path.strip_prefix(root).ok())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Whether an AST source names a module this resolver loaded (it sets canonical paths).
pub(crate) fn is_module_source(source: &str) -> bool {
    let path = Path::new(source);
    path.is_absolute() && path.extension().is_some_and(|e| e == "rhai")
}

impl ModuleResolver for Resolver {
    fn resolve(
        &self,
        _: &Engine,
        _: Option<&str>,
        path: &str,
        pos: Position,
    ) -> Result<SharedModule, Box<EvalAltResult>> {
        Err(fail(
            format!("import {path:?}: modules can only be imported by a flow script"),
            pos,
        ))
    }

    fn resolve_raw(
        &self,
        engine: &Engine,
        global: &mut GlobalRuntimeState,
        _: &mut Scope,
        path: &str,
        pos: Position,
    ) -> Result<SharedModule, Box<EvalAltResult>> {
        let what = format!("import {path:?}");
        let Some(policy) = current_policy() else {
            return Err(fail(
                format!("{what}: modules can only be imported by a flow script"),
                pos,
            ));
        };
        let importer = global.source().map(PathBuf::from);
        let file = locate(&what, path, importer.as_deref(), &policy).map_err(|m| fail(m, pos))?;
        let chain = CHAIN.with(|c| c.borrow().clone());
        if let Some(at) = chain.iter().position(|p| *p == file) {
            let cycle: Vec<String> = chain[at..]
                .iter()
                .chain(std::iter::once(&file))
                .map(|p| shown(p, &policy))
                .collect();
            return Err(fail(
                format!("{what}: import cycle: {}", cycle.join(" → ")),
                pos,
            ));
        }
        if chain.len() >= MAX_IMPORT_DEPTH {
            return Err(fail(
                format!("{what}: imports nest more than {MAX_IMPORT_DEPTH} deep"),
                pos,
            ));
        }
        let name = shown(&file, &policy);
        let text = read_module(&what, &file, &name, &self.limits).map_err(|m| fail(m, pos))?;
        let mut ast = engine.compile(&text).map_err(|e| {
            fail(
                format!(
                    "{what}: {} ({name}:{})",
                    e.err_type(),
                    line_column(e.position())
                ),
                pos,
            )
        })?;
        ast.set_source(file.to_string_lossy().as_ref());
        CHAIN.with(|c| c.borrow_mut().push(file.clone()));
        // A module's top level may not wait: it would move the evaluation to another thread.
        let result = crate::co::without_suspend("a module's top level", || {
            Module::eval_ast_as_new_raw(engine, &mut Scope::new(), global, &ast)
        });
        CHAIN.with(|c| c.borrow_mut().pop());
        let module = result.map_err(|e| in_module(*e, &name, pos))?;
        Ok(module.into())
    }
}

/// `line:column` of a position in a module.
pub(crate) fn line_column(pos: Position) -> String {
    match (pos.line(), pos.position()) {
        (Some(l), Some(c)) => format!("{l}:{c}"),
        (Some(l), None) => l.to_string(),
        _ => "?".into(),
    }
}

/// An error from a module's top level, located in the module. Interruptions (limits,
/// cancellation, timeouts) stay what they are.
fn in_module(err: EvalAltResult, name: &str, pos: Position) -> Box<EvalAltResult> {
    if matches!(err, EvalAltResult::ErrorTerminated(..)) {
        return err.into();
    }
    let inner_pos = err.unwrap_inner().position();
    let (message, _) = crate::script::error::message_and_position(&err, &Limits::default());
    // A function of another module failing here already says where.
    let (_, deeper) = crate::script::error::locate(&err, None);
    let at = format!("in module {name} (at {name}:{}): ", line_column(inner_pos));
    fail(format!("{}{message}", deeper.unwrap_or(at)), pos)
}

/// The canonical file `path` names for `importer`, once the policy allows it.
fn locate(
    what: &str,
    path: &str,
    importer: Option<&Path>,
    policy: &ImportPolicy,
) -> Result<PathBuf, String> {
    let written = Path::new(path);
    let with_ext = match written.extension() {
        None => written.with_extension("rhai"),
        Some(e) if e == "rhai" => written.to_path_buf(),
        Some(_) => return Err(format!("{what}: modules are .rhai files")),
    };
    // Relative to the importing module's folder; the script's own for the script.
    let base = importer
        .filter(|p| p.is_absolute())
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .or_else(|| policy.root.clone());
    let candidate = match (&base, with_ext.is_absolute()) {
        (_, true) => with_ext,
        (Some(base), false) => base.join(with_ext),
        (None, false) => {
            return Err(format!(
                "{what}: the script is not a file, so it has no folder to import from"
            ));
        }
    };
    let inside = |p: &Path| policy.root.as_deref().is_some_and(|r| p.starts_with(r));
    let grant = Permissions {
        read: policy.read.clone(),
        ..Permissions::default()
    };
    let resolved = std::fs::canonicalize(&candidate);
    let allowed = match &resolved {
        Ok(p) => inside(p) || grant.check_read(what, p).is_ok(),
        // Whether a missing file would be inside decides the message, not any access.
        Err(_) => inside(&crate::host::permissions::absolute(&candidate)),
    };
    if !allowed {
        let hint = if policy.read == Grant::Denied {
            "only modules inside the script's folder load without --allow-read (and check, graph \
             and editors open nothing outside it)"
                .to_string()
        } else {
            "it is outside the script's folder and the read grant".to_string()
        };
        return Err(format!(
            "{what}: the module is outside the script's folder: {hint}"
        ));
    }
    let file = resolved.map_err(|_| {
        format!(
            "{what}: no module {} in {}",
            candidate
                .file_name()
                .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
            candidate
                .parent()
                .map_or_else(String::new, |p| shown(p, policy))
        )
    })?;
    if file.extension().is_none_or(|e| e != "rhai") {
        return Err(format!("{what}: modules are .rhai files"));
    }
    Ok(file)
}

/// A module's text: a regular file within the `module` limit, UTF-8.
fn read_module(what: &str, file: &Path, name: &str, limits: &Limits) -> Result<String, String> {
    let bytes = read_bounded(file, limits.module_bytes)
        .map_err(|e| format!("{what}: cannot read {name}: {e}"))?
        .ok_or_else(|| {
            format!(
                "{what}: {}",
                limit_message("the module file is larger than allowed", "module", limits)
            )
        })?;
    String::from_utf8(bytes).map_err(|_| format!("{what}: {name} is not UTF-8 text"))
}

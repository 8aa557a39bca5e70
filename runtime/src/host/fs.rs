//! `fs::read(path)`, `fs::write(path, text)` and `fs::list(dir)`. Permissions are checked before
//! anything is touched (`--allow-read` / `--allow-write`, optionally scoped to paths); the work
//! runs off the event loop (tokio's file system calls use the blocking pool) while the script is
//! suspended.

use std::path::PathBuf;

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, Module, NativeCallContext};

use super::effect::{at_top_level, call_text, error, permit, string_arg};
use super::wait;

/// `fs::read("x"): No such file or directory (os error 2)`.
fn io_error(call: &str, path: &str, e: &std::io::Error) -> String {
    format!("{}: {e}", call_text(call, path))
}

/// The file's contents as a string (it must be UTF-8).
fn read(ctx: NativeCallContext, path: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, "fs::read") {
        return Ok(Dynamic::UNIT);
    }
    let path = string_arg(&ctx, "fs::read", "a path", path)?;
    let target = PathBuf::from(&path);
    permit(&ctx, |p| {
        p.check_read(&call_text("fs::read", &path), &target)
    })?;
    wait(&ctx, "fs::read", move || {
        Box::pin(async move {
            tokio::fs::read_to_string(&target)
                .await
                .map(Dynamic::from)
                .map_err(|e| io_error("fs::read", &path, &e))
        })
    })
}

/// Create or overwrite the file with `text`.
fn write(
    ctx: NativeCallContext,
    path: Dynamic,
    text: Dynamic,
) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, "fs::write") {
        return Ok(Dynamic::UNIT);
    }
    let path = string_arg(&ctx, "fs::write", "a path", path)?;
    if !text.is_string() {
        return Err(error(
            &ctx,
            format!(
                "fs::write() takes the text to write as a string, found {} \
                 (use json::stringify for other values)",
                crate::script::value::describe(&text)
            ),
        ));
    }
    let text = text.into_string().unwrap_or_default();
    let target = PathBuf::from(&path);
    permit(&ctx, |p| {
        p.check_write(&call_text("fs::write", &path), &target)
    })?;
    wait(&ctx, "fs::write", move || {
        Box::pin(async move {
            tokio::fs::write(&target, text)
                .await
                .map(|()| Dynamic::UNIT)
                .map_err(|e| io_error("fs::write", &path, &e))
        })
    })
}

/// The paths of the directory's entries (`dir` joined with each name), sorted.
fn list(ctx: NativeCallContext, dir: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, "fs::list") {
        return Ok(Dynamic::UNIT);
    }
    let dir = string_arg(&ctx, "fs::list", "a directory path as a", dir)?;
    let target = PathBuf::from(&dir);
    permit(&ctx, |p| {
        p.check_read(&call_text("fs::list", &dir), &target)
    })?;
    wait(&ctx, "fs::list", move || {
        Box::pin(async move {
            let fail = |e: std::io::Error| io_error("fs::list", &dir, &e);
            let mut entries = tokio::fs::read_dir(&target).await.map_err(fail)?;
            let mut paths = Vec::new();
            while let Some(entry) = entries.next_entry().await.map_err(fail)? {
                paths.push(entry.path().to_string_lossy().into_owned());
            }
            paths.sort();
            Ok(Dynamic::from_array(
                paths.into_iter().map(Dynamic::from).collect(),
            ))
        })
    })
}

/// Register the `fs` module.
pub fn register(engine: &mut Engine) {
    let mut module = Module::new();
    FuncRegistration::new("read")
        .with_params_info(["path: String", "String"])
        .with_comments(["/// The file's text. Needs `--allow-read`."])
        .set_into_module(&mut module, read);
    FuncRegistration::new("write")
        .with_params_info(["path: String", "text: String", "()"])
        .with_comments(["/// Create or overwrite the file with `text`. Needs `--allow-write`."])
        .set_into_module(&mut module, write);
    FuncRegistration::new("list")
        .with_params_info(["dir: String", "Array"])
        .with_comments(["/// The directory's entries as sorted paths. Needs `--allow-read`."])
        .set_into_module(&mut module, list);
    engine.register_static_module("fs", module.into());
}

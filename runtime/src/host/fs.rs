//! `fs::read(path)`, `fs::write(path, text)` and `fs::list(dir)`. Every call resolves its path
//! (symlinks and `..`) and checks `--allow-read` / `--allow-write` on the canonical path, then
//! touches only that path; the work runs on the blocking pool while the script is suspended.
//! Reads take regular files only, up to the `string` limit; writes are atomic
//! ([`super::atomic_write`]).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use rhai::{Dynamic, Engine, EvalAltResult, FuncRegistration, Module, NativeCallContext};

use super::atomic_write;
use super::context::HostContext;
use super::effect::{at_top_level, call_text, error, string_arg};
use super::permissions::Permissions;
use super::{HostError, HostErrorKind, wait};
use crate::limits::Limits;
use crate::limits::limit_message;

/// `fs::read("x"): No such file or directory (os error 2)`.
pub(crate) fn io_error(call: &str, path: &str, e: &std::io::Error) -> HostError {
    HostError::io(format!("{}: {e}", call_text(call, path)))
}

/// The run's permissions and limits, for work done off the script's thread.
pub(crate) fn run_context() -> (Arc<Permissions>, Limits) {
    match HostContext::current() {
        Some(h) => (Arc::new(h.permissions.clone()), h.limits),
        None => (Arc::default(), Limits::default()),
    }
}

/// Run `f` on the blocking pool.
pub(crate) async fn blocking<T: Send + 'static>(
    call: &'static str,
    f: impl FnOnce() -> Result<T, HostError> + Send + 'static,
) -> Result<T, HostError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| HostError::io(format!("{call}: {e}")))?
}

/// Open `path` for reading if it is a regular file. The open does not block on a FIFO or a
/// device (`O_NONBLOCK`), and anything but a regular file is refused before it is read.
pub(crate) fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(libc::O_NONBLOCK);
    }
    let file = opts.open(path)?;
    if !file.metadata()?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok(file)
}

/// Read at most `max` bytes of a regular file; `None` when it holds more.
pub(crate) fn read_bounded(path: &Path, max: usize) -> std::io::Result<Option<Vec<u8>>> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max as u64 + 1).read_to_end(&mut bytes)?;
    Ok((bytes.len() <= max).then_some(bytes))
}

fn read_file(perms: &Permissions, limits: &Limits, path: &str) -> Result<Dynamic, HostError> {
    let call = call_text("fs::read", path);
    let target = perms
        .check_read(&call, Path::new(path))
        .map_err(HostError::from)?
        .map_err(|e| io_error("fs::read", path, &e))?;
    let bytes = read_bounded(&target, limits.string_bytes)
        .map_err(|e| io_error("fs::read", path, &e))?
        .ok_or_else(|| {
            let message = format!(
                "{call}: {}",
                limit_message("the file is larger than a string may be", "string", limits)
            );
            HostError::new(HostErrorKind::Limit, message)
        })?;
    String::from_utf8(bytes)
        .map(Dynamic::from)
        .map_err(|_| HostError::decode(format!("{call}: the file is not UTF-8 text")))
}

/// The file's contents as a string (it must be UTF-8).
fn read(ctx: NativeCallContext, path: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, "fs::read") {
        return Ok(Dynamic::UNIT);
    }
    let path = string_arg(&ctx, "fs::read", "a path", path)?;
    let (perms, limits) = run_context();
    wait(&ctx, "fs::read", move || {
        Box::pin(blocking("fs::read", move || {
            read_file(&perms, &limits, &path)
        }))
    })
}

/// Create or overwrite the file with `text`, atomically.
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
                "fs::write() takes the text to write as a string, found {}",
                crate::value::describe(&text)
            ),
        ));
    }
    let text = text.into_immutable_string().unwrap_or_default();
    let (perms, _) = run_context();
    wait(&ctx, "fs::write", move || {
        Box::pin(atomic_write::write(perms, path, text))
    })
}

fn list_dir(perms: &Permissions, limits: &Limits, dir: &str) -> Result<Dynamic, HostError> {
    let call = call_text("fs::list", dir);
    let fail = |e: std::io::Error| io_error("fs::list", dir, &e);
    let target = perms
        .check_read(&call, Path::new(dir))
        .map_err(HostError::from)?
        .map_err(fail)?;
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(&target).map_err(fail)? {
        if paths.len() >= limits.array_items {
            let message = format!(
                "{call}: {}",
                limit_message(
                    "the folder has more entries than an array may hold",
                    "array",
                    limits
                )
            );
            return Err(HostError::new(HostErrorKind::Limit, message));
        }
        // Entries are named below the path the script gave, as it wrote it.
        let name = entry.map_err(fail)?.file_name();
        paths.push(Path::new(dir).join(name).to_string_lossy().into_owned());
    }
    paths.sort();
    Ok(Dynamic::from_array(
        paths.into_iter().map(Dynamic::from).collect(),
    ))
}

/// The paths of the directory's entries (`dir` joined with each name), sorted.
fn list(ctx: NativeCallContext, dir: Dynamic) -> Result<Dynamic, Box<EvalAltResult>> {
    if at_top_level(&ctx, "fs::list") {
        return Ok(Dynamic::UNIT);
    }
    let dir = string_arg(&ctx, "fs::list", "a directory path as a", dir)?;
    let (perms, limits) = run_context();
    wait(&ctx, "fs::list", move || {
        Box::pin(blocking("fs::list", move || {
            list_dir(&perms, &limits, &dir)
        }))
    })
}

/// Register the `fs` module.
pub(crate) fn register(engine: &mut Engine) {
    let mut module = Module::new();
    FuncRegistration::new("read")
        .with_params_info(["path: String", "String"])
        .with_comments(["/// The file's text (a regular file, UTF-8). Needs `--allow-read`."])
        .set_into_module(&mut module, read);
    FuncRegistration::new("write")
        .with_params_info(["path: String", "text: String", "()"])
        .with_comments([
            "/// Create or replace the file with `text`, atomically. Needs `--allow-write`.",
        ])
        .set_into_module(&mut module, write);
    FuncRegistration::new("list")
        .with_params_info(["dir: String", "Array"])
        .with_comments(["/// The directory's entries as sorted paths. Needs `--allow-read`."])
        .set_into_module(&mut module, list);
    engine.register_static_module("fs", module.into());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_errors_say_what_kind_they_are() {
        let dir = tempfile::tempdir().expect("dir");
        let all = Permissions::all();
        let limits = Limits::default();
        let path = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
        std::fs::write(dir.path().join("bin"), [0xff, 0xfe]).expect("write");
        let kind = |perms: &Permissions, p: &str| read_file(perms, &limits, p).unwrap_err().kind;
        assert_eq!(kind(&all, &path("missing")), HostErrorKind::Io);
        assert_eq!(kind(&all, &path("bin")), HostErrorKind::Decode);
        assert_eq!(
            kind(&Permissions::default(), &path("bin")),
            HostErrorKind::Denied
        );
        let tiny = Limits {
            string_bytes: 1,
            ..Limits::default()
        };
        let e = read_file(&all, &tiny, &path("bin")).unwrap_err();
        assert_eq!(e.kind, HostErrorKind::Limit);
    }
}

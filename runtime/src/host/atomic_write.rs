//! `fs::write` made atomic: the text goes to a temporary file in the target's own folder, is
//! synced, and is renamed over the target. A reader, a crash or a signal at any moment sees the
//! old file or the complete new one, never a mix. When the call is abandoned (the run is
//! cancelled or the exec attempt times out) or fails, the temporary file is removed.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use rhai::{Dynamic, ImmutableString};

use super::HostError;
use super::effect::call_text;
use super::fs::{blocking, io_error};
use super::permissions::Permissions;

/// Text is written in pieces this big, checking between them whether the call was abandoned.
const CHUNK: usize = 1 << 20;

/// Marks the write abandoned when the script stops waiting for it.
struct AbandonOnDrop(Arc<AtomicBool>);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Write `text` to `path` atomically, after checking `--allow-write` on where it lands.
pub(crate) async fn write(
    perms: Arc<Permissions>,
    path: String,
    text: ImmutableString,
) -> Result<Dynamic, HostError> {
    let abandoned = Arc::new(AtomicBool::new(false));
    let _abandon = AbandonOnDrop(abandoned.clone());
    blocking("fs::write", move || {
        write_file(&perms, &path, text.as_bytes(), &abandoned).map(|()| Dynamic::UNIT)
    })
    .await
}

fn write_file(
    perms: &Permissions,
    path: &str,
    bytes: &[u8],
    abandoned: &AtomicBool,
) -> Result<(), HostError> {
    let call = call_text("fs::write", path);
    let fail = |e: std::io::Error| io_error("fs::write", path, &e);
    let target = perms
        .check_write(&call, Path::new(path))
        .map_err(HostError::from)?
        .map_err(fail)?;
    let (Some(folder), Some(name)) = (target.parent(), target.file_name()) else {
        return Err(HostError::invalid(format!(
            "{call}: the path does not name a file"
        )));
    };
    let existing = std::fs::metadata(&target).ok();
    match &existing {
        Some(m) if m.is_dir() => return Err(fail(std::io::ErrorKind::IsADirectory.into())),
        Some(m) if !m.is_file() => {
            return Err(HostError::io(format!(
                "{call}: the path is not a regular file"
            )));
        }
        _ => {}
    }
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".flowscript-tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // As a new file would be created (the umask applies), or as the old one was.
        let mode = existing
            .as_ref()
            .map_or(0o666, |m| m.permissions().mode() & 0o7777);
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    // Dropping `tmp` on any early return removes the temporary file.
    let mut tmp = builder.tempfile_in(folder).map_err(fail)?;
    let cancelled = || HostError::io(format!("{call}: cancelled; the file was left as it was"));
    for piece in bytes.chunks(CHUNK) {
        if abandoned.load(Ordering::Relaxed) {
            return Err(cancelled());
        }
        tmp.write_all(piece).map_err(fail)?;
    }
    tmp.as_file().sync_all().map_err(fail)?;
    if abandoned.load(Ordering::Relaxed) {
        return Err(cancelled());
    }
    tmp.persist(&target).map_err(|e| fail(e.error))?;
    // The rename itself survives a crash once the folder is synced.
    if let Ok(dir) = std::fs::File::open(folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

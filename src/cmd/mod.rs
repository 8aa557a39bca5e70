//! One module per subcommand, the flags `run` and `serve` share (`allow`, `limits`), signal
//! handling, and the load-and-report step and the tokio runtime that `run`, `graph` and `serve`
//! share.

pub mod allow;
pub mod check;
pub mod graph;
pub mod limits;
pub mod lsp;
pub mod run;
pub mod signal;
pub mod terminal_input;

use std::path::Path;
use std::process::ExitCode;

use flowscript_runtime::{LoadOptions, Loaded, Program, Runtime};

use crate::output::errln;
use crate::{EXIT_FAILED, EXIT_USAGE, report};

/// Load a script for `run`, `graph` or `serve` and print its diagnostics rustc-style on stderr; an
/// unreadable file is a usage error.
pub fn load_reported(
    runtime: &Runtime,
    path: &Path,
    opts: &LoadOptions,
) -> Result<Loaded, ExitCode> {
    let loaded = runtime.load_file_with(path, opts).map_err(|e| {
        errln!("error: {e}");
        ExitCode::from(EXIT_USAGE)
    })?;
    for d in &loaded.diagnostics {
        errln!("{}", report::diagnostic(d, &loaded.source));
    }
    Ok(loaded)
}

/// The loaded script's program, taken out of `loaded`; when it did not load (its diagnostics
/// were printed), says so and is a usage error.
pub fn take_program(loaded: &mut Loaded, path: &Path) -> Result<Program, ExitCode> {
    loaded.program.take().ok_or_else(|| {
        let errors = loaded.diagnostics.iter().filter(|d| d.is_error()).count();
        errln!(
            "error: could not load {} ({errors} error{})",
            path.display(),
            if errors == 1 { "" } else { "s" }
        );
        ExitCode::from(EXIT_USAGE)
    })
}

/// The multi-threaded tokio runtime `run` and `serve` execute on: `workers` threads (default
/// one per core); failing to start it is a failed run.
pub fn tokio_runtime(workers: Option<usize>) -> Result<tokio::runtime::Runtime, ExitCode> {
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = workers {
        builder.worker_threads(n.max(1));
    }
    builder.enable_all().build().map_err(|e| {
        errln!("error: cannot start the runtime: {e}");
        ExitCode::from(EXIT_FAILED)
    })
}

//! One module per subcommand, the flags `run` and `serve` share (`allow`, `limits`), signal
//! handling, and the load-and-report step `run`, `graph` and `serve` share.

pub mod allow;
pub mod check;
pub mod graph;
pub mod limits;
pub mod lsp;
pub mod run;
pub mod signal;

use std::path::Path;
use std::process::ExitCode;

use flowscript_runtime::{LoadOptions, Loaded, Runtime};

use crate::output::errln;
use crate::{EXIT_USAGE, report};

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

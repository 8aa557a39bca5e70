//! `flowscript lsp`: the language server on stdin/stdout.

use std::process::ExitCode;

use clap::Args;

use crate::EXIT_FAILED;
use crate::output::errln;

/// Arguments of `flowscript lsp`.
#[derive(Args)]
pub struct LspArgs {
    /// Accepted for editors that pass it; stdio is the only transport.
    #[arg(long)]
    stdio: bool,
}

/// Serve the language server protocol on stdio until the client exits.
pub fn lsp(_args: LspArgs) -> ExitCode {
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            errln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILED);
        }
    };
    runtime.block_on(flowscript_lsp::serve_stdio());
    // Reading stdin may still be pending on the blocking pool after `exit`; do not wait for it.
    runtime.shutdown_background();
    ExitCode::SUCCESS
}

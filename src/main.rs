//! The `flowscript` command: run, check and graph flow scripts, serve the language server, and
//! serve runs over HTTP.

mod cmd;
mod input;
mod output;
mod progress;
mod report;
mod serve;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

/// mimalloc, counted: a script that allocates past the `memory` limit is stopped
/// with an error instead of the process being killed.
#[global_allocator]
static ALLOC: flowscript_runtime::Counting<mimalloc::MiMalloc> =
    flowscript_runtime::Counting::new(mimalloc::MiMalloc);

/// Write LLM and data pipelines as small Rhai scripts and run them fast and concurrently.
#[derive(Parser)]
#[command(name = "flowscript", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run a flow script and print the final shared store as JSON.
    Run(cmd::run::RunArgs),
    /// Check flow scripts without running them: syntax, options, labels, targets, hooks.
    Check(cmd::check::CheckArgs),
    /// Serve the language server protocol on stdio (for editors).
    Lsp(cmd::lsp::LspArgs),
    /// Print a script's graph without running it: mermaid (default), Graphviz DOT or JSON.
    Graph(cmd::graph::GraphArgs),
    /// Serve flow scripts over HTTP: start runs, follow their events (SSE), cancel them.
    Serve(serve::ServeArgs),
}

/// Exit status of a failed run, of `check` finding errors, of `graph` refusing a script with
/// errors, and of a lost stdout.
pub const EXIT_FAILED: u8 = 1;
/// Usage and load errors.
pub const EXIT_USAGE: u8 = 2;
/// Interrupted by Ctrl-C or SIGTERM.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The exit statuses, for `--help` (docs/events.md lists the same).
fn exit_status_help() -> String {
    format!(
        "Exit status:\n  \
         0    success\n  \
         {EXIT_FAILED}    the run failed, `check` found errors, or `graph` met a script with errors\n  \
         {EXIT_USAGE}    usage error, unreadable file, or a script that does not load\n  \
         {EXIT_INTERRUPTED}  interrupted (Ctrl-C or SIGTERM)"
    )
}

fn main() -> ExitCode {
    let matches = Cli::command().after_help(exit_status_help()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    match cli.command {
        Command::Run(args) => cmd::run::run(args),
        Command::Check(args) => cmd::check::check(args),
        Command::Lsp(args) => cmd::lsp::lsp(args),
        Command::Graph(args) => cmd::graph::graph(args),
        Command::Serve(args) => serve::serve(args),
    }
}

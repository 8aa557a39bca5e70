//! `flowscript graph FILE [--format mermaid|dot|json]`: load a script (nothing runs) and print its
//! graph on stdout: a mermaid flowchart (default), a Graphviz digraph, or the graph as JSON.
//! A script with errors prints its diagnostics on stderr and exits 1; an unreadable file exits 2.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use flowscript_runtime::graph::render;
use flowscript_runtime::{LoadOptions, Runtime};

use crate::EXIT_FAILED;
use crate::output::errln;

/// Arguments of `flowscript graph`.
#[derive(Args)]
pub struct GraphArgs {
    /// The flow script to draw.
    file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value = "mermaid")]
    format: Format,
}

/// What `flowscript graph` prints.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// A mermaid `flowchart TD`: flows as subgraphs, node kinds as shapes.
    Mermaid,
    /// A Graphviz digraph (`dot -Tsvg`): flows as clusters, node kinds as shapes.
    Dot,
    /// The recorded graph (nodes, edges, entry) as JSON.
    Json,
}

/// Run `flowscript graph`.
pub fn graph(args: GraphArgs) -> ExitCode {
    let opts = LoadOptions::check_only();
    let loaded = match super::load_reported(&Runtime::new(), &args.file, &opts) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let graph = match &loaded.graph {
        Some(g) if !loaded.has_errors() => g,
        _ => {
            errln!("error: cannot draw {}: it has errors", args.file.display());
            return ExitCode::from(EXIT_FAILED);
        }
    };
    let text = match args.format {
        Format::Mermaid => render::mermaid::render(graph),
        Format::Dot => render::dot::render(graph),
        Format::Json => render::json(graph) + "\n",
    };
    crate::output::stdout(&text);
    ExitCode::SUCCESS
}

//! `flowscript check FILE...`: load each script (compile + record the graph) and report every
//! diagnostic, rustc-style or as one JSON array. Exit 1 when any error is found.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use flowscript_runtime::{Diagnostic, LoadOptions, Runtime, Severity};
use serde_json::json;

use crate::output::{errln, outln};
use crate::{EXIT_FAILED, EXIT_USAGE, input, report};

/// Arguments of `flowscript check`.
#[derive(Args)]
pub struct CheckArgs {
    /// The flow scripts to check.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// The JSON object runs will start with (keys it provides count as written).
    #[arg(long, value_name = "FILE.json")]
    input: Option<PathBuf>,
    /// A store key runs will start with, as `run --set` takes it (repeatable; it counts as
    /// written).
    #[arg(long = "set", value_name = "KEY=JSON")]
    sets: Vec<String>,
}

/// How diagnostics are printed.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// Source snippets with carets and help, then a summary line.
    Human,
    /// One JSON array of `{code, severity, file, line, column, end_line, end_column, message, help}`.
    Json,
}

/// Run `flowscript check`.
pub fn check(args: CheckArgs) -> ExitCode {
    let opts = match input::initial_store(args.input.as_deref(), &args.sets) {
        Ok(store) => LoadOptions {
            known_keys: store.keys().cloned().collect(),
            ..LoadOptions::check_only()
        },
        Err(e) => {
            errln!("error: {e:#}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let runtime = Runtime::new();
    let mut found: Vec<Diagnostic> = Vec::new();
    for file in &args.files {
        let loaded = match runtime.load_file_with(file, &opts) {
            Ok(l) => l,
            Err(e) => {
                errln!("error: {e}");
                return ExitCode::from(EXIT_USAGE);
            }
        };
        if args.format == Format::Human {
            for d in &loaded.diagnostics {
                errln!("{}", report::diagnostic(d, &loaded.source));
            }
        }
        found.extend(loaded.diagnostics);
    }
    let errors = found.iter().filter(|d| d.is_error()).count();
    match args.format {
        Format::Json => outln!("{}", to_json(&found)),
        Format::Human => {
            let warnings = found.len() - errors;
            let files = args.files.len();
            errln!(
                "{}: {errors} error{}, {warnings} warning{} in {files} file{}",
                if errors > 0 { "failed" } else { "ok" },
                plural(errors),
                plural(warnings),
                plural(files)
            );
        }
    }
    if errors > 0 {
        ExitCode::from(EXIT_FAILED)
    } else {
        ExitCode::SUCCESS
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The JSON array of `--format json`; the end is exclusive (just past the token).
fn to_json(found: &[Diagnostic]) -> serde_json::Value {
    found
        .iter()
        .map(|d| {
            json!({
                "code": d.code,
                "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
                "file": d.span.file.as_ref(),
                "line": d.span.line,
                "column": d.span.column,
                "end_line": d.span.end_line,
                "end_column": d.span.end_column,
                "message": d.message,
                "help": d.help,
            })
        })
        .collect()
}

//! `flowscript run FILE`: load, validate, run, and report (streams and exit codes: docs/events.md).

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use clap::{Args, ValueEnum};
use flowscript_runtime::events::JsonlSink;
use flowscript_runtime::{
    CancellationToken, Event, EventKind, EventSink, LoadOptions, RunOptions, Runtime, RuntimeConfig,
};

use super::allow::AllowArgs;
use super::limits::limit_help;
use crate::output::{errln, outln};
use crate::progress::{Progress, ProgressMode};
use crate::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_USAGE, input, report};

/// Arguments of `flowscript run`.
#[derive(Args)]
pub struct RunArgs {
    /// The flow script (`*.flow.rhai`).
    file: PathBuf,
    /// A JSON object to start the shared store with.
    #[arg(long, value_name = "FILE.json")]
    input: Option<PathBuf>,
    /// Set one store key (the value is JSON, or else a plain string); repeatable.
    #[arg(long = "set", value_name = "KEY=JSON")]
    sets: Vec<String>,
    /// Print events to stdout instead of the final store.
    #[arg(long, value_enum, value_name = "FORMAT")]
    events: Option<EventsFormat>,
    #[command(flatten)]
    allow: AllowArgs,
    /// Worker threads for the run (default: one per core).
    #[arg(long, env = "FLOWSCRIPT_WORKERS", value_name = "N")]
    workers: Option<usize>,
    /// Change a resource limit (repeatable), e.g. `--limit string=64MiB`.
    #[arg(long = "limit", value_name = "NAME=VALUE", long_help = limit_help())]
    limits: Vec<String>,
    /// Show the running node and batch progress on stderr: `auto` when stderr is a terminal
    /// and `--events` is not given.
    #[arg(long, value_enum, default_value = "auto", value_name = "WHEN")]
    progress: ProgressMode,
}

/// Event stream formats.
#[derive(Clone, Copy, ValueEnum)]
enum EventsFormat {
    /// One JSON object per line.
    Jsonl,
}

/// Where a run's events go: to stdout with `--events jsonl`, to the progress display when it
/// is on, and warnings found while running to stderr as they happen, with or without
/// `--events` (warnings found while loading were already rendered there with their snippet);
/// one that repeats a warning found while loading is not printed again (its event says
/// `repeat`).
struct CliSink {
    jsonl: Option<JsonlSink>,
    progress: Option<Progress>,
}

impl CliSink {
    /// Write the events still queued for stdout and wait for them.
    fn finish(&self) {
        if let Some(j) = &self.jsonl {
            j.finish();
        }
    }
}

impl EventSink for CliSink {
    fn event(&self, event: Event) {
        if let EventKind::Warning {
            code,
            message,
            path: Some(path),
            span,
            repeat: false,
        } = &event.kind
        {
            let at = span
                .as_ref()
                .map(|s| format!(" at {s}"))
                .unwrap_or_default();
            let line = format!("warning[{code}]: {message} (in {path}{at})");
            match &self.progress {
                Some(p) => p.println(&line),
                None => errln!("{line}"),
            }
        }
        if let Some(p) = &self.progress {
            p.event(&event);
        }
        if let Some(j) = &self.jsonl {
            j.event(event);
        }
    }
}

/// Run `flowscript run`.
pub fn run(args: RunArgs) -> ExitCode {
    let store = match input::initial_store(args.input.as_deref(), &args.sets) {
        Ok(s) => s,
        Err(e) => {
            errln!("error: {e:#}");
            return ExitCode::from(EXIT_USAGE);
        }
    };
    let limits = match super::limits::limits_from(&args.limits) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let runtime = Runtime::with_config(RuntimeConfig {
        limits,
        ..RuntimeConfig::default()
    });
    let permissions = args.allow.permissions();
    let opts = LoadOptions {
        known_keys: store.keys().cloned().collect(),
        read: permissions.read.clone(),
        ..LoadOptions::default()
    };
    let mut loaded = match super::load_reported(&runtime, &args.file, &opts) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let program = match super::take_program(&mut loaded, &args.file) {
        Ok(p) => p,
        Err(code) => return code,
    };
    let tokio_rt = match super::tokio_runtime(args.workers) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let cli_sink = Arc::new(CliSink {
        jsonl: args
            .events
            .map(|EventsFormat::Jsonl| JsonlSink::new(std::io::stdout())),
        progress: args
            .progress
            .enabled(args.events.is_some())
            .then(Progress::new),
    });
    let sink: Arc<dyn EventSink> = cli_sink.clone();
    let cancel = CancellationToken::new();
    let outcome = tokio_rt.block_on(async {
        tokio::spawn(cancel_on_signal(cancel.clone()));
        program
            .run(RunOptions {
                input: store,
                sink: Some(sink),
                cancel: cancel.clone(),
                permissions,
                human: super::terminal_input::TerminalInput::if_terminal(),
            })
            .await
    });
    // Items cancelled at the end of a run may still be winding down: async ones are dropped at
    // once; work on the blocking pool (an abandoned fs::write removing its temporary file) gets
    // a moment to finish.
    tokio_rt.shutdown_timeout(std::time::Duration::from_secs(2));
    cli_sink.finish();
    let print_store = args.events.is_none();
    match outcome.result {
        Ok(_) => {
            if print_store {
                outln!("{}", pretty(&outcome.shared));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            errln!(
                "{}",
                report::run_error(
                    &e.message,
                    e.path.as_deref(),
                    e.span.as_ref(),
                    &loaded.source
                )
            );
            // The store as it stood is not lost: it goes to stdout like a finished run's.
            if print_store {
                outln!("{}", pretty(&outcome.shared));
            }
            ExitCode::from(if e.cancelled {
                EXIT_INTERRUPTED
            } else {
                EXIT_FAILED
            })
        }
    }
}

fn pretty(v: &serde_json::Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_else(|_| v.to_string())
}

/// Cancel the run on Ctrl-C or SIGTERM.
async fn cancel_on_signal(cancel: CancellationToken) {
    super::signal::interrupted().await;
    cancel.cancel();
}

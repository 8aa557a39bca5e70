//! `flowscript serve FILE...`: load flow scripts once and serve runs of them over HTTP, with
//! their events as Server-Sent Events (docs/serve.md).
//!
//! This file holds the command line and start-up; the rest is one concept per module:
//! [`registry`] (the loaded flows), [`runs`] (run records, their events, the run table),
//! [`api`] (the routes), [`sse`] (event streams), [`errors`] (JSON error bodies),
//! [`shutdown`] (stopping gracefully on a signal), [`console`] (the web console at `/`) and
//! [`node_map`] (the drawing's node ids, for following a run on the graph).

mod api;
mod console;
mod errors;
mod node_map;
mod registry;
mod reload;
mod runs;
mod shutdown;
mod sse;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use flowscript_runtime::limits::MAX_DURATION_SECS;
use flowscript_runtime::{LoadOptions, Runtime, RuntimeConfig};

use crate::EXIT_USAGE;
use crate::cmd::allow::AllowArgs;
use crate::cmd::limits::{limit_help, limits_from};
use crate::output::errln;
use registry::{Flow, Registry};
use runs::{BufferLimits, RunConfig, RunTable};

/// Arguments of `flowscript serve`.
#[derive(Args)]
pub struct ServeArgs {
    /// The flow scripts to serve, each under its entry flow's name.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Where to listen (`127.0.0.1:0` picks a free port; the real one is printed).
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    addr: String,
    /// The most runs running at once; past it a new run is refused with 429.
    #[arg(long, default_value_t = 1000, value_name = "N",
          value_parser = clap::value_parser!(u32).range(1..))]
    max_runs: u32,
    /// Fail a run that takes longer than this many seconds.
    #[arg(long, value_name = "SECS", value_parser = seconds)]
    run_timeout: Option<Duration>,
    /// How many ended runs to remember (running ones are always kept).
    #[arg(long, default_value_t = 1000, value_name = "N")]
    keep_runs: usize,
    /// How many of its newest events each run keeps for replay.
    #[arg(long, default_value_t = 10_000, value_name = "N",
          value_parser = clap::value_parser!(u64).range(1..))]
    event_buffer: u64,
    /// On SIGTERM or Ctrl-C, how many seconds runs get to finish before they are cancelled.
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = seconds)]
    grace: Duration,
    #[command(flatten)]
    allow: AllowArgs,
    /// Worker threads (default: one per core).
    #[arg(long, env = "FLOWSCRIPT_WORKERS", value_name = "N")]
    workers: Option<usize>,
    /// Change a resource limit (repeatable), e.g. `--limit string=64MiB`.
    #[arg(long = "limit", value_name = "NAME=VALUE", long_help = limit_help())]
    limits: Vec<String>,
    /// Serve a file's new version when it changes on disk (one that does not load is reported
    /// and the previous version keeps serving).
    #[arg(long)]
    reload: bool,
}

/// A number of seconds (fractions allowed), at most a year.
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(0.0..=MAX_DURATION_SECS).contains(&secs) {
        return Err(format!("{text}: expected 0 to {MAX_DURATION_SECS} seconds"));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Run `flowscript serve`.
pub fn serve(args: ServeArgs) -> ExitCode {
    let limits = match limits_from(&args.limits) {
        Ok(l) => l,
        Err(code) => return code,
    };
    let runtime = Runtime::with_config(RuntimeConfig {
        limits,
        ..RuntimeConfig::default()
    });
    let permissions = args.allow.permissions();
    let opts = LoadOptions {
        read: permissions.read.clone(),
        any_input: true,
        ..LoadOptions::default()
    };
    let Some(registry) = load_all(&runtime, &args.files, &opts) else {
        return ExitCode::from(EXIT_USAGE);
    };
    let tokio_rt = match crate::cmd::tokio_runtime(args.workers) {
        Ok(rt) => rt,
        Err(code) => return code,
    };
    let buffer = BufferLimits {
        events: usize::try_from(args.event_buffer).unwrap_or(usize::MAX),
        ..BufferLimits::default()
    };
    let runs = Arc::new(RunTable::new(args.max_runs, args.keep_runs, buffer));
    let flows = Arc::new(registry);
    let state = api::AppState {
        flows: flows.clone(),
        runs: runs.clone(),
        config: Arc::new(RunConfig {
            permissions,
            timeout: args.run_timeout,
        }),
        body_limit: limits.string_bytes,
    };
    let code = tokio_rt.block_on(async {
        let listener = match tokio::net::TcpListener::bind(&args.addr).await {
            Ok(l) => l,
            Err(e) => {
                errln!("error: cannot listen on {}: {e}", args.addr);
                return ExitCode::from(EXIT_USAGE);
            }
        };
        // Dropped (and so stopped) when the server returns.
        let _watcher = args.reload.then(|| {
            AbortOnDrop(tokio::spawn(reload::watch(
                args.files.clone(),
                runtime.clone(),
                opts.clone(),
                flows.clone(),
            )))
        });
        match listener.local_addr() {
            Ok(addr) => errln!("listening on http://{addr}"),
            Err(_) => errln!("listening on http://{}", args.addr),
        }
        shutdown::serve_until_signal(listener, api::router(state), &runs, args.grace).await
    });
    // Runs were cancelled and awaited above; blocking work (an abandoned fs::write cleaning
    // up) gets a moment.
    tokio_rt.shutdown_timeout(Duration::from_secs(2));
    code
}

/// Aborts a background task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Load every file as `run` does, printing diagnostics; `None` if any failed to load or two
/// share a name.
fn load_all(runtime: &Runtime, files: &[PathBuf], opts: &LoadOptions) -> Option<Registry> {
    let registry = Registry::default();
    let mut ok = true;
    for file in files {
        let Ok(mut loaded) = crate::cmd::load_reported(runtime, file, opts) else {
            ok = false;
            continue;
        };
        let Ok(program) = crate::cmd::take_program(&mut loaded, file) else {
            ok = false;
            continue;
        };
        if let Err(message) = registry.insert(Flow::new(file, program)) {
            errln!("error: {message}");
            ok = false;
        }
    }
    ok.then_some(registry)
}

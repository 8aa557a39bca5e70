//! Serving until SIGTERM or Ctrl-C, then shutting down gracefully: stop accepting connections
//! and starting runs, give running runs `--grace` seconds, cancel the rest (their streams get
//! their terminal event), let open responses finish, exit 0. A second signal cancels at once.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use flowscript_runtime::CancellationToken;
use tokio::net::TcpListener;

use super::runs::{CancelCause, RunTable};
use crate::EXIT_FAILED;
use crate::cmd::signal::Interrupts;
use crate::output::errln;

/// How long cancelled runs and open responses get to end before the process exits anyway.
const DRAIN: Duration = Duration::from_secs(5);

/// Serve `app` on `listener` until a signal, then shut down as above.
pub async fn serve_until_signal(
    listener: TcpListener,
    app: Router,
    runs: &Arc<RunTable>,
    grace: Duration,
) -> ExitCode {
    // Registered before serving, so neither the first signal nor the second is missed.
    let mut signals = Interrupts::new();
    let stop_accepting = CancellationToken::new();
    let server = axum::serve(listener, app)
        .with_graceful_shutdown(stop_accepting.clone().cancelled_owned())
        .into_future();
    let mut server = tokio::spawn(server);
    tokio::select! {
        () = next_signal(&mut signals) => {}
        r = &mut server => {
            errln!("error: the server stopped: {}", match r {
                Ok(Ok(())) => "for no reason".to_string(),
                Ok(Err(e)) => e.to_string(),
                Err(e) => e.to_string(),
            });
            return ExitCode::from(EXIT_FAILED);
        }
    }
    runs.close();
    stop_accepting.cancel();
    let running = runs.running();
    if running > 0 {
        errln!(
            "shutting down: waiting up to {}s for {running} run{} (a second signal cancels them)",
            grace.as_secs_f64(),
            if running == 1 { "" } else { "s" }
        );
    }
    let finished = tokio::select! {
        () = runs.idle() => true,
        () = tokio::time::sleep(grace) => false,
        () = next_signal(&mut signals) => false,
    };
    if !finished {
        let left = runs.running();
        errln!(
            "shutting down: cancelling {left} run{}",
            if left == 1 { "" } else { "s" }
        );
        runs.cancel_all(CancelCause::Shutdown);
        let _ = tokio::time::timeout(DRAIN, runs.idle()).await;
    }
    // Streams end with their run's terminal event and waiting requests get their answer; a
    // client that stops reading does not hold the process past DRAIN.
    if tokio::time::timeout(DRAIN, &mut server).await.is_err() {
        server.abort();
    }
    ExitCode::SUCCESS
}

/// The next signal, or never if the listeners could not be set up.
async fn next_signal(signals: &mut Option<Interrupts>) {
    match signals {
        Some(s) => s.next().await,
        None => std::future::pending().await,
    }
}

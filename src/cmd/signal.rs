//! Ctrl-C and SIGTERM, for `run` (cancel the run) and `serve` (shut down, and cancel at once on
//! a second signal).

/// Listeners for Ctrl-C (SIGINT) and, on Unix, SIGTERM, registered when made: a signal that
/// arrives before [`Interrupts::next`] is polled is not lost.
pub struct Interrupts {
    #[cfg(unix)]
    int: tokio::signal::unix::Signal,
    #[cfg(unix)]
    term: tokio::signal::unix::Signal,
}

impl Interrupts {
    /// Register the listeners (within a tokio runtime); `None` if they cannot be set up (the
    /// process then ends the default way on a signal).
    pub fn new() -> Option<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Some(Self {
                int: signal(SignalKind::interrupt()).ok()?,
                term: signal(SignalKind::terminate()).ok()?,
            })
        }
        #[cfg(not(unix))]
        {
            Some(Self {})
        }
    }

    /// The next Ctrl-C or SIGTERM.
    pub async fn next(&mut self) {
        #[cfg(unix)]
        {
            tokio::select! {
                _ = self.int.recv() => {}
                _ = self.term.recv() => {}
            }
        }
        #[cfg(not(unix))]
        {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}

/// Resolves on the next Ctrl-C or SIGTERM (never, if the listeners cannot be set up).
pub async fn interrupted() {
    match Interrupts::new() {
        Some(mut signals) => signals.next().await,
        None => std::future::pending().await,
    }
}

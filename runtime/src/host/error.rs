//! Why a host call failed, as a value: a [`HostErrorKind`] that a retry policy or a script can
//! branch on, the HTTP status, `Retry-After` and URL when a server was involved, and the
//! one-line message people read (a failed call's error in a script is that message).

use std::time::Duration;

use serde::Serialize;

/// What kind of failure a host call met.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HostErrorKind {
    /// A server answered with an error status ([`HostError::status`] says which).
    Http,
    /// The call's own `timeout` passed (an exec `timeout` interrupts the script instead).
    Timeout,
    /// Connecting, sending or receiving failed: refused, reset, cut short, DNS, TLS.
    Network,
    /// An answer could not be read as what it should be: not JSON, not UTF-8, malformed SSE, a
    /// reply without the fields it needs.
    Decode,
    /// The run's permissions do not allow it (`--allow-*`).
    Denied,
    /// The call's arguments are wrong: a bad URL, an option of the wrong type, a bad program.
    Invalid,
    /// A file, directory or process operation failed (not found, not permitted, exit status).
    Io,
    /// A resource bound was reached (a body larger than a string may be, too many questions).
    Limit,
    /// No answer will come: nobody answers `input()`, or the question was withdrawn.
    Unavailable,
}

impl HostErrorKind {
    /// The kind's name as scripts and JSON see it (`"http"`, `"timeout"`, …).
    pub fn name(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Timeout => "timeout",
            Self::Network => "network",
            Self::Decode => "decode",
            Self::Denied => "denied",
            Self::Invalid => "invalid",
            Self::Io => "io",
            Self::Limit => "limit",
            Self::Unavailable => "unavailable",
        }
    }
}

/// A failed host call: its kind, what a server said, and the message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct HostError {
    /// What kind of failure.
    pub kind: HostErrorKind,
    /// The message, naming the call and what it acted on (never with credentials in URLs).
    pub message: String,
    /// The HTTP status, when a server answered.
    pub status: Option<u16>,
    /// How long the server asked to wait before trying again (`Retry-After`).
    pub retry_after: Option<Duration>,
    /// The URL the call was talking to, when it was one.
    pub url: Option<String>,
}

impl HostError {
    /// A failure of `kind` with `message`.
    pub fn new(kind: HostErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            status: None,
            retry_after: None,
            url: None,
        }
    }

    /// The call's arguments are wrong.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(HostErrorKind::Invalid, message)
    }

    /// An answer could not be decoded.
    pub fn decode(message: impl Into<String>) -> Self {
        Self::new(HostErrorKind::Decode, message)
    }

    /// A file or process operation failed.
    pub fn io(message: impl Into<String>) -> Self {
        Self::new(HostErrorKind::Io, message)
    }

    /// The same error, naming the URL it happened at.
    pub fn at(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The same error, with the status a server answered.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// The same error, with the wait a server asked for.
    pub fn with_retry_after(mut self, wait: Option<Duration>) -> Self {
        self.retry_after = wait;
        self
    }

    /// The same error with its message (and URL) passed through `f`, e.g. to redact them.
    pub(crate) fn map_text(mut self, f: impl Fn(&str) -> String) -> Self {
        self.message = f(&self.message);
        self.url = self.url.as_deref().map(f);
        self
    }
}

impl From<super::Denied> for HostError {
    fn from(d: super::Denied) -> Self {
        Self::new(HostErrorKind::Denied, d.to_string())
    }
}

/// The future of a host call, run by the coroutine's driver while the script is suspended.
pub(crate) type HostFuture =
    std::pin::Pin<Box<dyn std::future::Future<Output = Result<rhai::Dynamic, HostError>> + Send>>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_serialise_as_their_names() {
        for kind in [
            HostErrorKind::Http,
            HostErrorKind::Timeout,
            HostErrorKind::Network,
            HostErrorKind::Decode,
            HostErrorKind::Denied,
            HostErrorKind::Invalid,
            HostErrorKind::Io,
            HostErrorKind::Limit,
            HostErrorKind::Unavailable,
        ] {
            let json = serde_json::to_value(kind).expect("serialise");
            assert_eq!(json, kind.name());
        }
    }

    #[test]
    fn the_message_is_the_display_and_redaction_reaches_the_url() {
        let e = HostError::new(HostErrorKind::Http, "GET u: HTTP 429")
            .at("http://k@h/")
            .with_status(429)
            .with_retry_after(Some(Duration::from_secs(2)));
        assert_eq!(e.to_string(), "GET u: HTTP 429");
        let e = e.map_text(|t| t.replace("k@", ""));
        assert_eq!(e.url.as_deref(), Some("http://h/"));
        assert_eq!(
            (e.status, e.retry_after),
            (Some(429), Some(Duration::from_secs(2)))
        );
    }
}

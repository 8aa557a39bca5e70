//! `input()` under `flowscript run`: the question is written to stderr and the next line typed
//! on the terminal answers it. Questions from parallel items take turns.

use std::io::{BufRead, IsTerminal, Write};
use std::sync::{Arc, OnceLock};

use flowscript_runtime::{Answer, HostError, HostErrorKind, HumanInput};
use serde_json::Value;
use tokio::sync::{Mutex, mpsc};

/// Lines typed ahead wait here, a few at most (the reader blocks past them).
const TYPED_AHEAD: usize = 16;

/// The terminal as the answerer of `input()`.
pub struct TerminalInput {
    /// Lines from stdin, read by one thread of its own, started at the first question (a read
    /// cannot be abandoned, so it must not hold a worker of the runtime or its blocking pool).
    lines: OnceLock<Arc<Mutex<mpsc::Receiver<Option<String>>>>>,
}

impl TerminalInput {
    /// The terminal, if stdin is one; otherwise `input()` has no one to ask.
    pub fn if_terminal() -> Option<Arc<dyn HumanInput>> {
        std::io::stdin().is_terminal().then(|| {
            Arc::new(Self {
                lines: OnceLock::new(),
            }) as Arc<dyn HumanInput>
        })
    }

    fn lines(&self) -> Arc<Mutex<mpsc::Receiver<Option<String>>>> {
        self.lines
            .get_or_init(|| {
                let (tx, rx) = mpsc::channel(TYPED_AHEAD);
                std::thread::spawn(move || {
                    let stdin = std::io::stdin();
                    loop {
                        let mut line = String::new();
                        // End of input and a read error both mean no more answers.
                        let got = match stdin.lock().read_line(&mut line) {
                            Ok(0) | Err(_) => None,
                            Ok(_) => Some(line.trim_end_matches(['\n', '\r']).to_string()),
                        };
                        let last = got.is_none();
                        if tx.blocking_send(got).is_err() || last {
                            return;
                        }
                    }
                });
                Arc::new(Mutex::new(rx))
            })
            .clone()
    }
}

impl HumanInput for TerminalInput {
    fn ask(&self, key: &str, prompt: &str) -> Result<Answer, HostError> {
        let lines = self.lines();
        let (key, prompt) = (key.to_string(), prompt.to_string());
        Ok(Box::pin(async move {
            // One question on the screen at a time; the lock is held until it is answered.
            let mut lines = lines.lock().await;
            {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "{prompt} ");
                let _ = err.flush();
            }
            match lines.recv().await.flatten() {
                Some(line) => Ok(Value::String(line)),
                None => Err(HostError::new(
                    HostErrorKind::Unavailable,
                    format!("input(\"{key}\"): stdin ended before the question was answered"),
                )),
            }
        }))
    }
}

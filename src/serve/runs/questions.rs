//! A run's open `input()` questions: the hook's side registers a question and waits on it;
//! `POST /runs/{id}/input` answers it. Withdrawn (the hook timed out or the run was cancelled)
//! questions leave the table at once.

use std::collections::HashMap;
use std::sync::{Arc, Weak};

use flowscript_runtime::{Answer, HostError, HostErrorKind, HumanInput};
use parking_lot::Mutex;
use serde_json::Value;
use tokio::sync::oneshot;

/// The most questions one run may have open at once (a `parallel` of many items could ask
/// more; past it `input()` fails).
pub const MAX_OPEN: usize = 1000;

/// Why an answer was not taken.
#[derive(Debug, PartialEq, Eq)]
pub enum AnswerError {
    /// The run waits on no question.
    NothingWaits,
    /// The run waits, but not on this key; these are the keys it waits on.
    UnknownKey(Vec<String>),
}

/// The open questions of one run.
#[derive(Default)]
pub struct Questions {
    open: Mutex<HashMap<String, oneshot::Sender<Value>>>,
}

impl Questions {
    /// Answer question `key` with `value`.
    pub fn answer(&self, key: &str, value: Value) -> Result<(), AnswerError> {
        let mut open = self.open.lock();
        if open.is_empty() {
            return Err(AnswerError::NothingWaits);
        }
        let Some(tx) = open.remove(key) else {
            let mut keys: Vec<String> = open.keys().cloned().collect();
            keys.sort();
            return Err(AnswerError::UnknownKey(keys));
        };
        // The hook may have given up a moment ago; then nothing waits for this answer.
        tx.send(value).map_err(|_| AnswerError::NothingWaits)
    }
}

/// The answerer a run's `input()` calls: the run's own table, so no run can answer another's
/// questions.
pub struct RunAnswerer(pub Arc<Questions>);

/// Removes a question from the table when its answer is no longer awaited.
struct Withdraw {
    questions: Weak<Questions>,
    key: String,
}

impl Drop for Withdraw {
    fn drop(&mut self) {
        if let Some(q) = self.questions.upgrade() {
            q.open.lock().remove(&self.key);
        }
    }
}

impl HumanInput for RunAnswerer {
    fn ask(&self, key: &str, _prompt: &str) -> Result<Answer, HostError> {
        let (tx, rx) = oneshot::channel();
        {
            let mut open = self.0.open.lock();
            if open.contains_key(key) {
                return Err(HostError::invalid(format!(
                    "input(): a question with key \"{key}\" is already waiting in this run"
                )));
            }
            if open.len() >= MAX_OPEN {
                return Err(HostError::new(
                    HostErrorKind::Limit,
                    format!(
                        "input(): this run already waits on {MAX_OPEN} questions, the most allowed"
                    ),
                ));
            }
            open.insert(key.to_string(), tx);
        }
        let guard = Withdraw {
            questions: Arc::downgrade(&self.0),
            key: key.to_string(),
        };
        let key = key.to_string();
        Ok(Box::pin(async move {
            let _guard = guard;
            rx.await.map_err(|_| {
                let message = format!("input(\"{key}\"): the question was withdrawn");
                HostError::new(HostErrorKind::Unavailable, message)
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn an_answer_reaches_the_waiting_question_once() {
        let q = Arc::new(Questions::default());
        let asker = RunAnswerer(q.clone());
        assert_eq!(q.answer("a", Value::Null), Err(AnswerError::NothingWaits));
        let answer = asker.ask("a", "?").expect("asked");
        assert!(asker.ask("a", "?").is_err(), "a key waits once");
        assert_eq!(
            q.answer("b", Value::Null),
            Err(AnswerError::UnknownKey(vec!["a".into()]))
        );
        q.answer("a", Value::from(7)).expect("answered");
        assert_eq!(answer.await, Ok(Value::from(7)));
        assert_eq!(q.answer("a", Value::Null), Err(AnswerError::NothingWaits));
    }

    #[tokio::test]
    async fn a_dropped_wait_withdraws_its_question() {
        let q = Arc::new(Questions::default());
        let answer = RunAnswerer(q.clone()).ask("k", "?").expect("asked");
        drop(answer);
        assert_eq!(q.answer("k", Value::Null), Err(AnswerError::NothingWaits));
    }
}

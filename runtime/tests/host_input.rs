//! `input()`: the question is registered before `input_required` is sent, the answer resumes
//! the hook with the value, a timeout and cancellation withdraw the question, and a run without
//! an answerer fails saying who could answer.

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use flowscript_runtime::{Answer, HostError, HumanInput};
use flowscript_runtime::{CancellationToken, Event, EventKind, RunOptions, RunOutcome};
use parking_lot::Mutex;
use serde_json::{Value, json};

use support::host::{load_codes, run_with};

/// Answers from a table of key → value, after `delay`; unknown keys never get an answer.
/// Records every question and which ones were withdrawn.
#[derive(Default)]
struct Scripted {
    answers: HashMap<String, Value>,
    delay: Duration,
    asked: Mutex<Vec<(String, String)>>,
    withdrawn: Arc<Mutex<Vec<String>>>,
}

/// Records its key as withdrawn when dropped unanswered.
struct OnDrop {
    key: String,
    log: Arc<Mutex<Vec<String>>>,
    answered: bool,
}

impl OnDrop {
    fn answered(&mut self) {
        self.answered = true;
    }
}

impl Drop for OnDrop {
    fn drop(&mut self) {
        if !self.answered {
            self.log.lock().push(self.key.clone());
        }
    }
}

impl HumanInput for Scripted {
    fn ask(&self, key: &str, prompt: &str) -> Result<Answer, HostError> {
        if key == "refused" {
            return Err(HostError::invalid("input(): refused by the answerer"));
        }
        self.asked.lock().push((key.into(), prompt.into()));
        let answer = self.answers.get(key).cloned();
        let delay = self.delay;
        let mut guard = OnDrop {
            key: key.into(),
            log: self.withdrawn.clone(),
            answered: false,
        };
        Ok(Box::pin(async move {
            tokio::time::sleep(delay).await;
            match answer {
                Some(v) => {
                    guard.answered();
                    Ok(v)
                }
                None => std::future::pending().await,
            }
        }))
    }
}

async fn run(
    src: &str,
    human: Option<Arc<dyn HumanInput>>,
    cancel: CancellationToken,
) -> (RunOutcome, Vec<Event>) {
    let opts = RunOptions {
        cancel,
        human,
        ..RunOptions::default()
    };
    run_with(src, opts).await
}

const ASK: &str = r#"
let ask = node("ask", #{
    exec: |p| [input("Approve?"), input("Score?", #{ key: "score" })],
    post: |shared, p, answers| { shared.approved = answers[0]; shared.score = answers[1]; },
});
flow("review", ask)
"#;

#[tokio::test]
async fn answers_resume_the_hook_with_their_values_in_order_of_the_events() {
    let human = Arc::new(Scripted {
        answers: HashMap::from([
            ("input-1".to_string(), json!(true)),
            ("score".to_string(), json!({"stars": 4})),
        ]),
        ..Scripted::default()
    });
    let (outcome, events) = run(ASK, Some(human.clone()), CancellationToken::new()).await;
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    assert_eq!(outcome.shared["approved"], json!(true));
    assert_eq!(outcome.shared["score"], json!({"stars": 4}));
    assert_eq!(
        *human.asked.lock(),
        vec![
            ("input-1".to_string(), "Approve?".to_string()),
            ("score".to_string(), "Score?".to_string())
        ]
    );
    let inputs: Vec<Value> = events
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                EventKind::InputRequired { .. } | EventKind::InputReceived { .. }
            )
        })
        .map(|e| serde_json::to_value(e).expect("json"))
        .map(|mut v| {
            v.as_object_mut().expect("object").remove("seq");
            v
        })
        .collect();
    assert_eq!(
        inputs,
        vec![
            json!({"type": "input_required", "key": "input-1", "prompt": "Approve?"}),
            json!({"type": "input_received", "key": "input-1"}),
            json!({"type": "input_required", "key": "score", "prompt": "Score?"}),
            json!({"type": "input_received", "key": "score"}),
        ]
    );
}

#[tokio::test]
async fn a_timeout_fails_the_hook_and_withdraws_the_question() {
    let src = r#"
let ask = node("ask", #{
    exec: |p| input("Anyone?", #{ key: "k", timeout: 0.05 }),
    fallback: |p, err| `fell back: ${err}`,
    post: |shared, p, v| { shared.v = v; },
});
flow("f", ask)
"#;
    let human = Arc::new(Scripted::default());
    let started = Instant::now();
    let (outcome, _) = run(src, Some(human.clone()), CancellationToken::new()).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    let v = outcome.shared["v"]
        .as_str()
        .expect("fallback ran")
        .to_string();
    assert!(v.contains("input(\"k\"): no answer within 0.05s"), "{v}");
    assert_eq!(*human.withdrawn.lock(), vec!["k".to_string()]);
}

#[tokio::test]
async fn cancelling_a_run_ends_a_waiting_input_at_once() {
    let human = Arc::new(Scripted::default());
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(50)).await;
        c.cancel();
    });
    let started = Instant::now();
    let (outcome, _) = run(ASK, Some(human.clone()), cancel).await;
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(outcome.result.expect_err("cancelled").cancelled);
    assert_eq!(*human.withdrawn.lock(), vec!["input-1".to_string()]);
}

#[tokio::test]
async fn without_an_answerer_input_says_who_could_answer() {
    let (outcome, events) = run(ASK, None, CancellationToken::new()).await;
    let e = outcome.result.expect_err("no answerer");
    assert!(
        e.message
            .contains(r#"input("Approve?") has no one to answer it"#),
        "{}",
        e.message
    );
    assert!(e.message.contains("POST /runs/{id}/input"), "{}", e.message);
    assert!(
        !events
            .iter()
            .any(|e| matches!(e.kind, EventKind::InputRequired { .. }))
    );
}

#[tokio::test]
async fn bad_arguments_and_refusals_are_script_errors() {
    for (call, want) in [
        (
            "input(42)",
            "input() takes the question as a string, found i64",
        ),
        (
            r#"input("q", #{ kee: "x" })"#,
            "unknown option `kee` (the options are key and timeout)",
        ),
        (
            r#"input("q", #{ key: "" })"#,
            "`key` must be 1 to 256 bytes long",
        ),
        (
            r#"input("q", #{ timeout: -1 })"#,
            "`timeout` takes a number of seconds above 0",
        ),
        (
            r#"input("q", #{ key: "refused" })"#,
            "refused by the answerer",
        ),
    ] {
        let src = format!("let n = node(\"n\", #{{ exec: |p| {call} }});\nflow(\"f\", n)");
        let human: Arc<dyn HumanInput> = Arc::new(Scripted::default());
        let (outcome, _) = run(&src, Some(human), CancellationToken::new()).await;
        let e = outcome.result.expect_err(call);
        assert!(e.message.contains(want), "{call}: {}", e.message);
    }
}

#[test]
fn input_at_the_top_level_is_an_effect_not_performed() {
    let (codes, _) = load_codes("let x = input(\"q\");\nflow(\"f\", node(\"n\", #{}))");
    assert_eq!(codes, vec!["effect-at-top-level".to_string()]);
}

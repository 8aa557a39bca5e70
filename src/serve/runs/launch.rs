//! Starting a run: one task of its own (so it goes on when the client that started it leaves),
//! bounded by `--run-timeout`, holding its `--max-runs` slot until it has ended.

use std::sync::Arc;
use std::time::Duration;

use flowscript_runtime::Permissions;
use flowscript_runtime::RunOptions;
use futures::FutureExt;
use serde_json::{Map, Value};

use super::{CancelCause, Run, RunAnswerer, RunSink, RunTable, StartError};
use crate::serve::registry::Flow;

/// What every run of a server gets, from the command line.
pub struct RunConfig {
    /// The `--allow-*` permissions.
    pub permissions: Permissions,
    /// `--run-timeout`.
    pub timeout: Option<Duration>,
}

/// Start a run of `flow` with `input` as its store; it runs on its own task.
pub fn start(
    table: &Arc<RunTable>,
    flow: &Arc<Flow>,
    input: Map<String, Value>,
    config: &RunConfig,
) -> Result<Arc<Run>, StartError> {
    let (run, slot) = table.create(&flow.name, Value::Object(input.clone()))?;
    let options = RunOptions {
        input,
        sink: Some(Arc::new(RunSink(run.clone()))),
        cancel: run.token().clone(),
        permissions: config.permissions.clone(),
        human: Some(Arc::new(RunAnswerer(run.questions().clone()))),
    };
    let program = flow.program.clone();
    let timeout = config.timeout;
    let (table, record) = (table.clone(), run.clone());
    tokio::spawn(async move {
        // A panic in the run (a bug) is caught here, so the record still ends; one task per
        // run, the run's future polled in place.
        // Boxed: the run's future is large, and the task's own future is moved as it starts.
        let mut run = Box::pin(std::panic::AssertUnwindSafe(program.run(options)).catch_unwind());
        let finished = match timeout {
            None => run.await.is_ok(),
            Some(limit) => tokio::select! {
                r = &mut run => r.is_ok(),
                () = tokio::time::sleep(limit) => {
                    record.cancel(CancelCause::Timeout(limit));
                    run.await.is_ok()
                }
            },
        };
        if !finished {
            record.fail_unfinished("internal error: the run stopped unexpectedly");
        }
        // A run ends with its terminal event; this only matters if the runtime emitted none.
        record.fail_unfinished("internal error: the run ended without a result");
        table.ended(&record);
        drop(slot);
    });
    Ok(run)
}

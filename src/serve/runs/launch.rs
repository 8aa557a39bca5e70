//! Starting a run: a task of its own (so it goes on when the client that started it leaves),
//! bounded by `--run-timeout`, holding its `--max-runs` slot until it has ended.

use std::sync::Arc;
use std::time::Duration;

use flowscript_runtime::RunOptions;
use flowscript_runtime::host::Permissions;
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
        // The run itself on a task of its own: if it panics, this one still ends the record.
        let mut task = tokio::spawn(async move { program.run(options).await });
        let joined = match timeout {
            None => (&mut task).await,
            Some(limit) => tokio::select! {
                r = &mut task => r,
                () = tokio::time::sleep(limit) => {
                    record.cancel(CancelCause::Timeout(limit));
                    task.await
                }
            },
        };
        if joined.is_err() {
            record.fail_unfinished("internal error: the run stopped unexpectedly");
        }
        // A run ends with its terminal event; this only matters if the runtime emitted none.
        record.fail_unfinished("internal error: the run ended without a result");
        table.ended(&record);
        drop(slot);
    });
    Ok(run)
}

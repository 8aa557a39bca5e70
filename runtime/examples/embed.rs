//! Embedding flowscript in a Rust program: load a flow script from a string, run it with one
//! granted permission and an initial store, and read its events and final store.
//!
//! `cargo run -p flowscript-runtime --example embed` prints the store and the events' types.

use std::sync::Arc;

use flowscript_runtime::events::CollectSink;
use flowscript_runtime::{Grant, Permissions, RunOptions, Runtime};

const SCRIPT: &str = r#"
let greet = node("greet", #{
    prep: |shared| shared.name,
    exec: |name| `hello, ${name}; HOME is ${if env("HOME") == () { "unset" } else { "set" }}`,
    post: |shared, prep, text| { shared.greeting = text; },
});
flow("main", greet)
"#;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runtime = Runtime::new();
    let loaded = runtime.load("greet.flow.rhai", SCRIPT);
    for d in &loaded.diagnostics {
        eprintln!("{}:{}: {}", d.span.line, d.span.column, d.message);
    }
    let program = loaded.program.ok_or("the script has errors")?;

    let events = Arc::new(CollectSink::default());
    let mut input = serde_json::Map::new();
    input.insert("name".into(), "embedder".into());
    let options = RunOptions {
        input,
        sink: Some(events.clone()),
        // Everything is denied unless granted: this run may read one environment variable.
        permissions: Permissions {
            env: Grant::Only(vec!["HOME".into()]),
            ..Permissions::default()
        },
        ..RunOptions::default()
    };

    let tokio = tokio::runtime::Runtime::new()?;
    let outcome = tokio.block_on(program.run(options));
    let action = outcome.result?; // a `RunError` is a `std::error::Error`
    println!("action: {action}");
    println!("store: {}", outcome.shared);
    let kinds: Vec<String> = events
        .events()
        .iter()
        .filter_map(|e| {
            serde_json::to_value(e)
                .ok()?
                .get("type")?
                .as_str()
                .map(String::from)
        })
        .collect();
    println!("events: {}", kinds.join(", "));
    Ok(())
}

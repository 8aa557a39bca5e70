//! The floor of the serving benchmark (`benches/serve.sh`, server `ax`): a bare axum server on
//! the same runtime settings as `flowscript serve`, answering `POST /flows/{one,wait}/runs` with
//! the same JSON shape, but with no flow, no run record and no events. What it reaches on a
//! machine is the most any axum-based server can, so the table shows how far the 10× goal is
//! from HTTP's own cost there.
//!
//! Prints `listening on http://ADDR` on stderr, like `flowscript serve --addr 127.0.0.1:0`.

use std::time::Duration;

// The same allocator as `flowscript` (the bench library installs it).
use flowscript_bench as _;

use axum::Json;
use axum::extract::Path;
use axum::routing::post;
use serde_json::{Map, Value, json};

async fn run(Path(flow): Path<String>, Json(mut shared): Json<Map<String, Value>>) -> Json<Value> {
    match flow.as_str() {
        "wait" => {
            tokio::time::sleep(Duration::from_millis(50)).await;
            shared.insert("waited".into(), json!(50));
        }
        _ => {
            let name = shared
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("world")
                .to_string();
            shared.insert("greeting".into(), json!(format!("Hello, {name}!")));
        }
    }
    let id = format!("{:032x}", fastrand::u128(..));
    Json(
        json!({"id": id, "flow": flow, "status": "finished", "action": "default", "shared": shared}),
    )
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime");
    rt.block_on(async {
        let app = axum::Router::new().route("/flows/{flow}/runs", post(run));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        eprintln!(
            "listening on http://{}",
            listener.local_addr().expect("addr")
        );
        axum::serve(listener, app).await.expect("serve");
    });
}

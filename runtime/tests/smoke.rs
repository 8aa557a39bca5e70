//! First end-to-end checks of the spine: load, run, store, routing.

mod support;

use serde_json::json;
use support::*;

#[tokio::test]
async fn hello() {
    let s = shared(
        r#"
        let a = node("a", #{
            prep: |shared| shared.name,
            exec: |name| `hello ${name}`,
            post: |shared, p, e| { shared.greeting = e; },
        });
        flow("main", a)
    "#,
    )
    .await;
    assert_eq!(s["greeting"], json!("hello "));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_sleep() {
    let s = shared(
        r#"
        let p = parallel("p", #{
            prep: |shared| { let a = []; for i in 0..100 { a.push(i) } a },
            exec: |x| { sleep(0.01); x * 2 },
            post: |shared, p, r| { shared.sum = r.reduce(|a, b| a + b, 0); },
        });
        p
    "#,
    )
    .await;
    assert_eq!(s["sum"], json!(9900));
}

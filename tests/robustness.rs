//! Nothing panics on user input: hostile scripts and random token soups load (or fail with
//! diagnostics), and whatever loads runs to an end within a bounded time.

use std::time::Duration;

use flowscript_runtime::{CancellationToken, RunOptions, Runtime};
use proptest::prelude::*;

/// Load `src`; if it loads, run it for at most `budget` and cancel it after that.
fn load_and_run(src: &str, budget: Duration) {
    let loaded = Runtime::new().load("fuzz.flow.rhai", src);
    for d in &loaded.diagnostics {
        assert!(!d.message.is_empty(), "{d:?}");
    }
    let Some(program) = loaded.program else {
        assert!(loaded.has_errors(), "no program but no error for {src:?}");
        return;
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let cancel = CancellationToken::new();
    let outcome = rt.block_on(async {
        let c = cancel.clone();
        tokio::spawn(async move {
            tokio::time::sleep(budget).await;
            c.cancel();
        });
        tokio::time::timeout(
            budget * 20,
            program.run(RunOptions {
                cancel: cancel.clone(),
                ..Default::default()
            }),
        )
        .await
    });
    assert!(
        outcome.is_ok(),
        "run did not stop after cancellation: {src:?}"
    );
    rt.shutdown_background();
}

#[test]
fn hostile_scripts_fail_cleanly() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let long_chain = {
        let mut s = String::from("let a = node(\"a\");\n");
        for _ in 0..2000 {
            s.push_str("a >> a;\n");
        }
        s + "a"
    };
    let cases: Vec<String> = vec![
        String::new(),
        "\u{0}\u{1}\u{ffff}".into(),
        deep,
        long_chain,
        "loop {}".into(),
        "let x = 0; while true { x += 1 }".into(),
        "fn f(x) { f(x) } f(1)".into(),
        "node(1, 2)".into(),
        "node(\"a\", 3)".into(),
        "flow(\"f\", 3)".into(),
        "flow(\"f\", end)".into(),
        "end >> end".into(),
        "let a = node(\"a\"); a - \"x\"".into(),
        "let a = node(\"a\"); a - a".into(),
        "let a = node(\"a\"); \"x\" >> a".into(),
        "let a = node(\"a\", #{prep: 3, exec: \"x\", post: #{}, retries: \"x\", wait: -1, timeout: 1e309}); a".into(),
        "let a = node(\"a\", #{exec: |x| { fn_not_there(x) }}); a".into(),
        "let a = node(\"a\", #{exec: Fn(\"nope\")}); a".into(),
        "let a = node(\"a\", #{post: |s, p, e| #{}}); a".into(),
        "let a = batch(\"a\", #{prep: |s| 3}); a".into(),
        "let a = batch_flow(\"a\", node(\"b\"), #{prep: |s| [1, 2]}); a".into(),
        "let a = node(\"a\", #{exec: |x| { loop {} }}); a".into(),
        "let a = node(\"a\", #{prep: |s| s.update(\"k\", |o| { sleep(1); 1 })}); a".into(),
        "let a = node(\"a\", #{prep: |s| s.push(\"k\", 1), post: |s, p, e| s.push(\"k\", 2)}); a".into(),
        "let a = node(\"a\", #{prep: |s| { s.k = 1; s.push(\"k\", 2) }}); a".into(),
        "let a = node(\"a\", #{exec: |x| node(\"inner\")}); a".into(),
        "let a = parallel(\"p\", #{prep: |s| [1, 2, 3], exec: |x| { loop { } }}); a".into(),
        "let s = \"x\"; s.sub_string(999999999999, -5)".into(),
        "9223372036854775807 + 1".into(),
        "let a = node(\"a\", #{exec: |x| 9223372036854775807 + 1}); a".into(),
    ];
    for src in cases {
        load_and_run(&src, Duration::from_millis(100));
    }
}

fn token() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "node",
        "batch",
        "parallel",
        "flow",
        "batch_flow",
        "parallel_flow",
        "end",
        "shared",
        "(",
        ")",
        "#{",
        "}",
        "{",
        "[",
        "]",
        ",",
        ";",
        ":",
        ">>",
        "-",
        ".",
        "\"x\"",
        "\"a\"",
        "1",
        "0",
        "-1",
        "2.5",
        "()",
        "|",
        "|s|",
        "|s, p, e|",
        "prep",
        "exec",
        "post",
        "fallback",
        "retries",
        "wait",
        "timeout",
        "concurrency",
        "on_error",
        "let",
        "a",
        "b",
        "=",
        "then",
        "on",
        "sleep",
        "throw",
        "fn",
        "loop",
        "break",
        "if",
        "else",
        "true",
        "\n",
    ])
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn token_soups_never_panic(tokens in prop::collection::vec(token(), 0..40)) {
        load_and_run(&tokens.join(" "), Duration::from_millis(20));
    }

    #[test]
    fn arbitrary_text_never_panics(src in "\\PC{0,200}") {
        load_and_run(&src, Duration::from_millis(20));
    }
}

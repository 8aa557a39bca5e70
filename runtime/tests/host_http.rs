//! `http::get` / `http::post` against a real peer on 127.0.0.1: JSON round trips, statuses,
//! headers, redirects, failures that name the URL, `--allow-net`, timeouts and cancellation.

mod support;

use std::time::{Duration, Instant};

use flowscript_runtime::CancellationToken;
use flowscript_runtime::Permissions;
use serde_json::{Value, json};
use support::peer::{Reply, allow, run_allowed, serve, store};

/// A one-node flow whose exec runs `body` (with `URL` replaced) and stores its value as `r`,
/// or the error as `err` through fallback.
fn script(body: &str, url: &str) -> String {
    r#"
    let a = node("a", #{
        exec: |x| { BODY },
        fallback: |x, err| #{ err: err },
        post: |shared, p, e| { shared.r = e; },
    });
    a
    "#
    .replace("BODY", body)
    .replace("URL", url)
}

fn echo(req: &support::peer::Seen) -> Reply {
    let body: Value = serde_json::from_str(&req.body).unwrap_or(Value::String(req.body.clone()));
    let ct = req.header("content-type").unwrap_or_default();
    Reply::json(201, json!({"method": req.method, "ct": ct, "got": body}))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_and_post_round_trip_json_headers_and_status() {
    let peer = serve(|req, _| match req.path.as_str() {
        "/items" => Reply::Full {
            status: 200,
            content_type: "application/json; charset=utf-8",
            headers: vec![("x-test", "yes".into())],
            body: json!({"items": [1, 2.5, "three"], "token": req.header("x-token")}).to_string(),
        },
        "/echo" => echo(req),
        _ => Reply::text(404, "text/plain", "nope"),
    })
    .await;
    let src = script(
        r#"#{
            g: http::get("URL/items", #{headers: #{"x-token": "t1"}, timeout: 5}),
            p: http::post("URL/echo", #{name: "n", n: 2, list: [true, ()]}),
            t: http::post("URL/echo", "plain text"),
            nf: http::get("URL/missing"),
        }"#,
        &peer.url(""),
    );
    let r = &store(&src).await.expect("run")["r"];
    assert_eq!(r["g"]["status"], 200);
    assert_eq!(r["g"]["headers"]["x-test"], "yes");
    assert_eq!(
        r["g"]["body"],
        json!({"items": [1, 2.5, "three"], "token": "t1"})
    );
    assert_eq!(r["p"]["status"], 201);
    assert_eq!(
        r["p"]["body"],
        json!({"method": "POST", "ct": "application/json", "got": {"name": "n", "n": 2, "list": [true, null]}})
    );
    assert_eq!(r["t"]["body"]["ct"], "text/plain; charset=utf-8");
    assert_eq!(r["t"]["body"]["got"], "plain text");
    assert_eq!(r["nf"]["status"], 404, "non-2xx is returned, not thrown");
    assert_eq!(r["nf"]["body"], "nope");
    assert_eq!(peer.hits(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_hosts_and_bad_urls_are_thrown_errors_naming_the_url() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}/x", closed.local_addr().expect("addr"));
    drop(closed);
    let r = store(&script(r#"http::get("URL")"#, &url))
        .await
        .expect("run");
    let err = r["r"]["err"].as_str().expect("err");
    assert!(
        err.contains(&url) && err.contains("could not connect"),
        "{err}"
    );

    for (bad, why) in [
        ("not a url", "invalid URL"),
        ("ftp://h/x", "only http and https"),
    ] {
        let r = store(&script(r#"http::get("URL")"#, bad))
            .await
            .expect("run");
        let err = r["r"]["err"].as_str().expect("err");
        assert!(err.contains(bad) && err.contains(why), "{err}");
    }
    let r = store(&script(
        r#"http::get("http://127.0.0.1:1/", #{tiemout: 1})"#,
        "",
    ))
    .await
    .expect("run");
    let err = r["r"]["err"].as_str().expect("err");
    assert!(err.contains("unknown option `tiemout`"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn net_permission_is_needed_and_can_be_scoped_to_one_host() {
    let peer = serve(|_, _| Reply::json(200, json!({"ok": true}))).await;
    let src = script(r#"http::get("URL/x").body"#, &peer.url(""));
    let cancel = CancellationToken::new;

    let (denied, _) = run_allowed(&src, Permissions::default(), cancel()).await;
    let err = denied.shared["r"]["err"].as_str().expect("err").to_string();
    assert!(
        err.contains("--allow-net") && err.contains(&peer.addr.to_string()),
        "{err}"
    );
    assert_eq!(peer.hits(), 0, "denied before connecting");

    let (allowed, _) = run_allowed(&src, allow(&peer), cancel()).await;
    assert_eq!(allowed.shared["r"], json!({"ok": true}));

    let other = serve(|_, _| Reply::json(200, json!({}))).await;
    let (scoped, _) = run_allowed(&src, allow(&other), cancel()).await;
    let err = scoped.shared["r"]["err"].as_str().expect("err");
    assert!(err.contains("--allow-net"), "{err}");
    assert_eq!((peer.hits(), other.hits()), (1, 0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_followed_and_each_target_is_checked() {
    let other = serve(|_, _| Reply::json(200, json!({"other": true}))).await;
    let elsewhere = other.url("/far");
    let peer = serve(move |req, _| {
        let to = |loc: String| Reply::Full {
            status: 302,
            content_type: "text/plain",
            headers: vec![("location", loc)],
            body: String::new(),
        };
        match req.path.as_str() {
            "/old" => to("/new".into()),
            "/away" => to(elsewhere.clone()),
            _ => Reply::json(200, json!({"path": req.path, "method": req.method})),
        }
    })
    .await;
    let src = script(r#"http::post("URL/old", #{a: 1}).body"#, &peer.url(""));
    let (outcome, _) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    assert_eq!(
        outcome.shared["r"],
        json!({"path": "/new", "method": "GET"})
    );

    let src = script(r#"http::get("URL/away").body"#, &peer.url(""));
    let (outcome, _) = run_allowed(&src, allow(&peer), CancellationToken::new()).await;
    let err = outcome.shared["r"]["err"].as_str().expect("err");
    assert!(err.contains("--allow-net") && err.contains("/far"), "{err}");
    assert_eq!(other.hits(), 0);
}

fn slow() -> impl Fn(&support::peer::Seen, usize) -> Reply + Send + Sync + 'static {
    |_, _| {
        Reply::After(
            Duration::from_secs(5),
            Box::new(Reply::json(200, json!({}))),
        )
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_connection_dropped_mid_body_is_a_thrown_error_naming_the_url() {
    let peer = serve(|_, _| Reply::Cut {
        content_type: "application/json",
        parts: vec![(Duration::ZERO, "{\"items\": [1, 2".into())],
    })
    .await;
    let t0 = Instant::now();
    let r = store(&script(r#"http::get("URL/half")"#, &peer.url("")))
        .await
        .expect("run");
    assert!(t0.elapsed() < Duration::from_secs(5), "{:?}", t0.elapsed());
    let err = r["r"]["err"].as_str().expect("a thrown error, not a value");
    assert!(err.contains("http::get") && err.contains("/half"), "{err}");
    assert_eq!(peer.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_timeout_option_ends_a_slow_request() {
    let peer = serve(slow()).await;
    let t0 = Instant::now();
    let r = store(&script(
        r#"http::get("URL/slow", #{timeout: 0.2})"#,
        &peer.url(""),
    ))
    .await
    .expect("run");
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    let err = r["r"]["err"].as_str().expect("err");
    assert!(
        err.contains("timed out after 0.2 s") && err.contains("/slow"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_timeout_during_a_slow_request_falls_back_promptly() {
    let peer = serve(slow()).await;
    let src = r#"
        let a = node("a", #{
            timeout: 0.3,
            exec: |x| http::get("URL/slow"),
            fallback: |x, err| "fell back",
            post: |shared, p, e| { shared.r = e; },
        });
        a
    "#
    .replace("URL", &peer.url(""));
    let t0 = Instant::now();
    let r = store(&src).await.expect("run");
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert_eq!(r["r"], "fell back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelling_the_run_during_a_request_ends_it_promptly() {
    let peer = serve(slow()).await;
    let src = script(r#"http::get("URL/slow")"#, &peer.url(""));
    let cancel = CancellationToken::new();
    let c = cancel.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        c.cancel();
    });
    let t0 = Instant::now();
    let (outcome, _) = run_allowed(&src, Permissions::all(), cancel).await;
    assert!(t0.elapsed() < Duration::from_secs(1), "{:?}", t0.elapsed());
    assert!(outcome.result.expect_err("cancelled").cancelled);
    assert_eq!(peer.hits(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_at_the_top_level_are_reported_not_performed() {
    let peer = serve(|_, _| Reply::json(200, json!({}))).await;
    let src = format!(
        "let r = http::get(\"{}\");\nnode(\"a\", #{{}})",
        peer.url("/top")
    );
    let codes = support::codes(&support::diagnostics(&src));
    assert!(
        codes.contains(&"effect-at-top-level".to_string()),
        "{codes:?}"
    );
    assert_eq!(peer.hits(), 0);
}

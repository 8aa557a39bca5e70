//! The coroutine core on its own: a script resumed on another thread still finds its context,
//! a coroutine dropped while suspended runs to its end (cancelled) instead of being unwound,
//! nested timeouts report the right deadline, and a shielded wait is awaited to completion when
//! the run is cancelled.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use parking_lot::Mutex;
use tokio_util::sync::CancellationToken;

use super::*;

/// A future that waits `ms` milliseconds and returns `v`.
async fn sleep_then(ms: u64, v: i64) -> i64 {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    v
}

/// Poll `fut` once with a waker that does nothing.
fn poll_once<T>(fut: &mut Pin<Box<dyn Future<Output = T> + Send>>) -> Poll<T> {
    fut.as_mut().poll(&mut Context::from_waker(Waker::noop()))
}

#[test]
fn a_script_resumed_on_another_thread_finds_its_context() {
    let (tx, rx) = tokio::sync::oneshot::channel::<i64>();
    let token = CancellationToken::new();
    let data: Data = Arc::new(String::from("run data"));
    let body = move || {
        let before = std::thread::current().id();
        let value = await_value(async move { rx.await.unwrap_or(-1) });
        let after = std::thread::current().id();
        (before, after, value, in_coroutine(), data_as::<String>())
    };
    let mut fut: Pin<Box<dyn Future<Output = _> + Send>> =
        Box::pin(async move { run(&token, Some(data), body).await });
    // Start it on one thread, where it suspends on the channel...
    let (first, mut fut) = std::thread::spawn(move || {
        let first = poll_once(&mut fut).is_pending();
        (first, fut)
    })
    .join()
    .expect("the first thread");
    assert!(first, "the script waits on the channel");
    assert!(
        !in_coroutine(),
        "no coroutine context leaks to the driver's thread"
    );
    tx.send(7).expect("the script is waiting");
    // ...and resume it on another.
    let done = std::thread::spawn(move || poll_once(&mut fut))
        .join()
        .expect("the second thread");
    let Poll::Ready(Ok((before, after, value, inside, data))) = done else {
        panic!("the script finishes once its value arrives");
    };
    assert_ne!(before, after, "the script ran on two threads");
    assert_eq!(value, Ok(7));
    assert!(inside, "the context is re-installed on the new thread");
    assert_eq!(data.as_deref().map(String::as_str), Some("run data"));
}

#[test]
fn a_coroutine_dropped_while_suspended_runs_to_its_end_cancelled() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    let token = CancellationToken::new();
    let body = move || {
        let first = await_value(std::future::pending::<()>());
        log.lock().push(format!("first: {first:?}"));
        // Every later wait fails at once, so the drop cannot block.
        let second = await_value(sleep_then(10_000, 1));
        log.lock().push(format!("second: {second:?}"));
        log.lock().push(format!("cancelled: {}", is_cancelled()));
    };
    let mut fut: Pin<Box<dyn Future<Output = _> + Send>> =
        Box::pin(async move { run(&token, None, body).await });
    assert!(poll_once(&mut fut).is_pending());
    assert!(
        seen.lock().is_empty(),
        "the script is suspended in its first wait"
    );
    drop(fut);
    assert_eq!(
        *seen.lock(),
        [
            "first: Err(Interrupted(Cancelled))",
            "second: Err(Interrupted(Cancelled))",
            "cancelled: true",
        ],
        "the script ran to its end, every wait cancelled"
    );
}

#[tokio::test]
async fn nested_timeouts_report_the_deadline_that_passed() {
    let token = CancellationToken::new();
    let out = run(&token, None, || {
        // The inner timeout is the shorter: it alone times out, the outer goes on.
        let (inner, inner_timed_out) = with_timeout(Some(Duration::from_secs(5)), || {
            let r = with_timeout(Some(Duration::from_millis(20)), || {
                await_value(sleep_then(5_000, 1))
            });
            let after = await_value(sleep_then(1, 2));
            (r, after)
        });
        // The outer timeout is the shorter: the inner wait stops at the outer deadline, and
        // both report it.
        let (outer, outer_timed_out) = with_timeout(Some(Duration::from_millis(20)), || {
            with_timeout(Some(Duration::from_secs(5)), || {
                await_value(sleep_then(5_000, 3))
            })
        });
        let later = await_value(sleep_then(1, 4));
        (inner, inner_timed_out, outer, outer_timed_out, later)
    })
    .await
    .expect("a stack");
    let (((r, r_timed_out), after), inner_timed_out, (o, o_timed_out), outer_timed_out, later) =
        out;
    assert!(matches!(
        r,
        Err(SuspendError::Interrupted(Interrupt::TimedOut))
    ));
    assert!(r_timed_out, "the inner timeout passed");
    assert_eq!(after, Ok(2));
    assert!(!inner_timed_out, "the outer timeout did not pass");
    assert!(matches!(
        o,
        Err(SuspendError::Interrupted(Interrupt::TimedOut))
    ));
    assert!(o_timed_out, "the wait inside stopped at the outer deadline");
    assert!(
        outer_timed_out,
        "the outer deadline passed, so the outer reports it too"
    );
    assert_eq!(later, Ok(4), "after both timeouts, waits work again");
}

#[tokio::test]
async fn a_shielded_wait_is_awaited_to_completion_when_cancelled() {
    let token = CancellationToken::new();
    let child = token.child_token();
    let cleaned = Arc::new(Mutex::new(false));
    let flag = cleaned.clone();
    let cancel = token.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        cancel.cancel();
    });
    let out = run(&token, None, move || {
        let shielded = await_shielded(async move {
            child.cancelled().await;
            // Cleanup that takes time: the shielded future is not dropped mid-way.
            tokio::time::sleep(Duration::from_millis(30)).await;
            *flag.lock() = true;
            "joined"
        });
        let next = await_value(sleep_then(1, 1));
        (shielded, is_cancelled(), next)
    })
    .await
    .expect("a stack");
    assert_eq!(out.0, Ok("joined"), "the shielded future ran to its end");
    assert!(*cleaned.lock(), "its cleanup happened");
    assert!(out.1, "the coroutine knows it was cancelled");
    assert!(matches!(
        out.2,
        Err(SuspendError::Interrupted(Interrupt::Cancelled))
    ));
}

#[tokio::test]
async fn waiting_is_refused_where_it_must_not_happen() {
    assert!(matches!(
        await_value(sleep_then(1, 1)),
        Err(SuspendError::NotRunning)
    ));
    let token = CancellationToken::new();
    let out = run(&token, None, || {
        without_suspend("a test's lock", || await_value(sleep_then(1, 1)))
    })
    .await
    .expect("a stack");
    assert!(matches!(out, Err(SuspendError::Forbidden("a test's lock"))));
}

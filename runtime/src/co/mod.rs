//! Stackful coroutines that let synchronous Rhai code wait on async host I/O.
//!
//! Rhai has no `await`. Each hook invocation — or a whole sequential sub-run — runs on a pooled
//! coroutine stack driven by a tokio task ([`drive`]). A host function that must wait boxes its
//! future and calls [`suspend`]: the coroutine yields the future to its driver, which awaits it
//! on the task and resumes the script with the result. No OS thread is held while waiting.
//!
//! This module holds the runtime's `unsafe` code: the coroutines and their stacks, and the
//! counting allocator ([`memory`]).
//!
//! The current coroutine is found through a thread-local that the coroutine itself re-installs
//! after every resume (it may resume on another worker thread), read only through
//! `#[inline(never)]` accessors so its address is never cached across a suspension.

// The one module that may: the workspace denies `unsafe_code` everywhere else.
#![allow(unsafe_code)]

pub(crate) mod memory;
mod stack_pool;
#[cfg(test)]
mod tests;

use std::any::Any;
use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::ptr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};
use tokio_util::sync::CancellationToken;

/// What a suspended script waits on, run by the driver: any future, its output boxed so one
/// coroutine type serves every wait ([`await_value`] unboxes it). `co` knows nothing of what
/// the output means (a host call's value or error, a fan-out's results).
type Pending = Pin<Box<dyn Future<Output = Box<dyn Any + Send>> + Send>>;

/// Why a suspended script did not get its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Interrupt {
    /// The run or the item's siblings were cancelled.
    Cancelled,
    /// The exec attempt's `timeout` passed.
    TimedOut,
}

impl Interrupt {
    /// The message a script is terminated with: `cancelled` or `timed out`.
    pub(crate) fn message(self) -> &'static str {
        match self {
            Interrupt::Cancelled => "cancelled",
            Interrupt::TimedOut => "timed out",
        }
    }
}

impl std::fmt::Display for Interrupt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message())
    }
}

/// What a suspension returns to the script.
enum Resume {
    Start,
    Value(Box<dyn Any + Send>),
    Interrupted(Interrupt),
}

/// What a coroutine hands its driver: a future to await, and whether that future handles
/// cancellation itself. A shielded future (a fan-out of items) is awaited to completion even when
/// the coroutine is cancelled: it cancels its own children and waits for them, so no item outlives
/// its parent and no event follows the run's last one.
struct Suspension {
    fut: Pending,
    shielded: bool,
    /// When the wait times out (the innermost exec `timeout`): the driver stops waiting then and
    /// resumes the script with [`Interrupt::TimedOut`].
    deadline: Option<tokio::time::Instant>,
}

/// How long a script may run before it yields to other tasks.
const SLICE: Duration = Duration::from_millis(2);

/// Per-coroutine state, kept on the coroutine's own stack.
struct Context {
    yielder: *const Yielder<Resume, Suspension>,
    cancelled: Arc<AtomicBool>,
    token: CancellationToken,
    data: Option<Data>,
    slice_start: Cell<Instant>,
    deadline: Cell<Option<tokio::time::Instant>>,
    timed_out: Cell<bool>,
    no_suspend: Cell<u32>,
    /// Where waiting is forbidden, for the error (the innermost `without_suspend`).
    no_suspend_in: Cell<&'static str>,
}

thread_local! {
    static CURRENT: Cell<*const Context> = const { Cell::new(ptr::null()) };
}

#[inline(never)]
fn current() -> *const Context {
    CURRENT.with(Cell::get)
}

#[inline(never)]
fn set_current(ctx: *const Context) {
    CURRENT.with(|c| c.set(ctx));
}

/// Run `f` with the current coroutine context, if this thread is running one.
fn with_context<R>(f: impl FnOnce(&Context) -> R) -> Option<R> {
    let ctx = current();
    // SAFETY: `CURRENT` is non-null only while the coroutine that owns the context is running on
    // this thread (it is cleared before every yield and on return), and the context lives on that
    // coroutine's stack for the coroutine's whole run.
    (!ctx.is_null()).then(|| f(unsafe { &*ctx }))
}

/// Whether this thread is running a script inside a coroutine (false in record mode).
pub(crate) fn in_coroutine() -> bool {
    !current().is_null()
}

/// Why a host call could not wait.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SuspendError {
    /// Not inside a coroutine: the graph is being recorded, host I/O is not allowed.
    NotRunning,
    /// Inside code that must not wait (the text says where, e.g. "shared.update's closure").
    Forbidden(&'static str),
    /// Interrupted by cancellation or a timeout.
    Interrupted(Interrupt),
}

/// Suspend the current script until `fut` completes, and return its output.
fn suspend_with(fut: Pending, shielded: bool) -> Result<Box<dyn Any + Send>, SuspendError> {
    let ctx = current();
    if ctx.is_null() {
        return Err(SuspendError::NotRunning);
    }
    // SAFETY: see `with_context`.
    let cx = unsafe { &*ctx };
    if cx.no_suspend.get() > 0 {
        return Err(SuspendError::Forbidden(cx.no_suspend_in.get()));
    }
    if let Some(i) = cx.interrupt() {
        return Err(SuspendError::Interrupted(i));
    }
    let deadline = cx.deadline.get();
    set_current(ptr::null());
    // SAFETY: the yielder belongs to the running coroutine and outlives this call.
    let resumed = unsafe { &*cx.yielder }.suspend(Suspension {
        fut,
        shielded,
        deadline,
    });
    set_current(ctx);
    cx.slice_start.set(Instant::now());
    match resumed {
        Resume::Interrupted(Interrupt::TimedOut) => {
            cx.timed_out.set(true);
            Err(SuspendError::Interrupted(Interrupt::TimedOut))
        }
        Resume::Value(v) => Ok(v),
        Resume::Interrupted(i) => Err(SuspendError::Interrupted(i)),
        // The driver passes `Start` only into a coroutine's first resume, never to a wait.
        Resume::Start => Err(SuspendError::Interrupted(Interrupt::Cancelled)),
    }
}

impl Context {
    fn interrupt(&self) -> Option<Interrupt> {
        if self.cancelled.load(Ordering::Relaxed) {
            Some(Interrupt::Cancelled)
        } else if self.timed_out.get() {
            Some(Interrupt::TimedOut)
        } else {
            None
        }
    }
}

/// Called from Rhai's progress callback every few hundred operations: stop the script when it
/// was cancelled or timed out, and yield to other tasks when its time slice is used up.
pub(crate) fn on_progress() -> Option<Interrupt> {
    with_context(|cx| {
        if let Some(i) = cx.interrupt() {
            return Some(i);
        }
        if let Some(deadline) = cx.deadline.get()
            && tokio::time::Instant::now() >= deadline
        {
            cx.timed_out.set(true);
            return Some(Interrupt::TimedOut);
        }
        None
    })
    .flatten()
    .or_else(|| {
        let due =
            with_context(|cx| cx.no_suspend.get() == 0 && cx.slice_start.get().elapsed() >= SLICE)?;
        if due {
            let _ = await_value(tokio::task::yield_now());
        }
        None
    })
}

/// Run `f` with suspension forbidden (while a lock is held across script code, or while code
/// must stay on this thread); `place` names where, for the error a wait gets.
pub(crate) fn without_suspend<R>(place: &'static str, f: impl FnOnce() -> R) -> R {
    let outer = with_context(|cx| {
        cx.no_suspend.set(cx.no_suspend.get() + 1);
        cx.no_suspend_in.replace(place)
    });
    let r = f();
    with_context(|cx| {
        cx.no_suspend.set(cx.no_suspend.get().saturating_sub(1));
        if let Some(outer) = outer {
            cx.no_suspend_in.set(outer);
        }
    });
    r
}

/// Run `f` with a deadline for every wait and every script slice inside it (an exec attempt's
/// `timeout`). Returns `f`'s result and whether the deadline passed.
pub(crate) fn with_timeout<R>(timeout: Option<Duration>, f: impl FnOnce() -> R) -> (R, bool) {
    let Some(timeout) = timeout else {
        return (f(), false);
    };
    let deadline = tokio::time::Instant::now() + timeout;
    let previous = with_context(|cx| {
        let prev = cx.deadline.get();
        cx.deadline
            .set(Some(prev.map_or(deadline, |p| p.min(deadline))));
        prev
    })
    .flatten();
    let r = f();
    let timed_out = with_context(|cx| {
        cx.deadline.set(previous);
        let timed_out = cx.timed_out.get();
        // When the deadline that passed was an enclosing timeout's, it stays timed out: the
        // enclosing call reports it too, and its remaining waits fail.
        let enclosing_passed = previous.is_some_and(|p| tokio::time::Instant::now() >= p);
        cx.timed_out.set(timed_out && enclosing_passed);
        timed_out
    })
    .unwrap_or(false);
    (r, timed_out)
}

/// The cancellation token of the current coroutine (`None` outside coroutines): work started
/// on its behalf, such as parallel items, should hang below it.
pub(crate) fn current_token() -> Option<CancellationToken> {
    with_context(|cx| cx.token.clone())
}

/// Per-run data a coroutine carries for the host functions it calls (the run's permissions,
/// event emitter and clients); work spawned on its behalf passes it on.
pub(crate) type Data = Arc<dyn std::any::Any + Send + Sync>;

/// The current coroutine's data (`None` outside coroutines or when it has none).
pub(crate) fn data() -> Option<Data> {
    with_context(|cx| cx.data.clone()).flatten()
}

/// The current coroutine's data as a `T`.
pub(crate) fn data_as<T: Send + Sync + 'static>() -> Option<Arc<T>> {
    data().and_then(|d| d.downcast::<T>().ok())
}

/// Whether the current coroutine has been cancelled.
pub(crate) fn is_cancelled() -> bool {
    with_context(|cx| cx.cancelled.load(Ordering::Relaxed)).unwrap_or(false)
}

type Co<R> = Coroutine<Resume, Suspension, R, DefaultStack>;

/// A coroutine that may move between worker threads.
struct SendCo<R>(Option<Co<R>>, Arc<AtomicBool>);

// SAFETY: a coroutine's stack holds only what its body captured (required `Send` by `run`) and
// Rhai values (the engine is built with `sync`, so they are `Send + Sync`). The only
// thread-affine state, the `CURRENT` pointer, is cleared before each yield and re-installed by
// the coroutine after each resume, on whatever thread resumed it. Host functions that suspend
// hold no locks or thread-local borrows across the suspension (`without_suspend` enforces it for
// the store's reentrant lock, whose owner is a thread id and must not change while held).
// Rhai's own frames may hold guards of its `sync` locks across a suspension (a method call on a
// shared variable keeps `std::sync::RwLock`'s write guard while the method runs): std's lock on
// Linux is a futex with no owning thread, so releasing it after resuming elsewhere is sound; the
// guard's `!Send` only forbids what this platform's implementation does not need. Another
// coroutine locking the same variable meanwhile blocks its worker until the holder resumes
// (Rhai's locks block); captures are copied per hook call, so only a shared value a script
// passes between concurrent items can be contended that way.
unsafe impl<R: Send> Send for SendCo<R> {}

impl<R> Drop for SendCo<R> {
    fn drop(&mut self) {
        // Never drop a suspended coroutine: unwinding a Rhai stack mid-call (e.g. inside a sort
        // comparator) is not safe. Resume it as cancelled until it returns; every later wait
        // fails at once, so this finishes without blocking.
        if let Some(mut co) = self.0.take() {
            self.1.store(true, Ordering::Relaxed);
            while co.started() && !co.done() {
                if let CoroutineResult::Return(_) =
                    co.resume(Resume::Interrupted(Interrupt::Cancelled))
                {
                    break;
                }
            }
            if co.done() {
                stack_pool::give(co.into_stack());
            }
        }
    }
}

/// Run `f` to completion on a pooled coroutine stack, synchronously on this thread and outside
/// any script coroutine (nothing can suspend). Record mode runs the top level here, so a deeply
/// nested value overflows no thread's stack, whatever thread loads the script. If no stack can
/// be mapped, `f` runs on the caller's stack.
pub(crate) fn on_own_stack<R>(f: impl FnOnce() -> R) -> R {
    let Ok(mut stack) = stack_pool::take() else {
        return f();
    };
    let co = corosensei::ScopedCoroutine::with_stack(&mut stack, |_: &Yielder<(), ()>, ()| f());
    // A panic in `f` resumes unwinding here, in the caller, as if `f` had run inline.
    let result = co.scope(|mut co| co.resume(()));
    stack_pool::give(stack);
    match result {
        CoroutineResult::Return(r) => r,
        CoroutineResult::Yield(()) => unreachable!("nothing yields from on_own_stack"),
    }
}

/// Errors starting a coroutine.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CoError {
    /// No stack could be mapped (too many in flight for `vm.max_map_count`).
    #[error("could not allocate a coroutine stack: {0}")]
    Stack(#[from] std::io::Error),
}

/// Run `body` in a coroutine, awaiting its host futures on the current task, until it returns.
/// When `cancel` fires, the script's current and later waits fail with
/// [`Interrupt::Cancelled`] and its loops stop at their next progress check.
pub(crate) async fn run<R, F>(
    cancel: &CancellationToken,
    data: Option<Data>,
    body: F,
) -> Result<R, CoError>
where
    F: FnOnce() -> R + Send + 'static,
    R: Send + 'static,
{
    let stack = stack_pool::take()?;
    let cancelled = Arc::new(AtomicBool::new(cancel.is_cancelled()));
    let flag = cancelled.clone();
    let token = cancel.clone();
    let co: Co<R> = Coroutine::with_stack(
        stack,
        move |yielder: &Yielder<Resume, Suspension>, _start: Resume| {
            let cx = Context {
                yielder,
                cancelled: flag,
                token,
                data,
                slice_start: Cell::new(Instant::now()),
                deadline: Cell::new(None),
                timed_out: Cell::new(false),
                no_suspend: Cell::new(0),
                no_suspend_in: Cell::new(""),
            };
            set_current(&cx);
            let r = body();
            set_current(ptr::null());
            r
        },
    );
    let mut co = SendCo(Some(co), cancelled.clone());
    let mut input = Resume::Start;
    loop {
        let step = co.0.as_mut().map(|c| c.resume(input));
        match step {
            Some(CoroutineResult::Yield(Suspension {
                fut,
                shielded,
                deadline,
            })) => {
                let timeout = async move {
                    match deadline {
                        Some(d) => tokio::time::sleep_until(d).await,
                        None => std::future::pending().await,
                    }
                };
                input = if cancelled.load(Ordering::Relaxed) {
                    Resume::Interrupted(Interrupt::Cancelled)
                } else if shielded {
                    // The future watches `cancel` itself and ends promptly when it fires.
                    let r = tokio::select! {
                        biased;
                        () = timeout => Resume::Interrupted(Interrupt::TimedOut),
                        v = fut => Resume::Value(v),
                    };
                    if cancel.is_cancelled() {
                        cancelled.store(true, Ordering::Relaxed);
                    }
                    r
                } else {
                    tokio::select! {
                        biased;
                        () = cancel.cancelled() => {
                            cancelled.store(true, Ordering::Relaxed);
                            Resume::Interrupted(Interrupt::Cancelled)
                        }
                        () = timeout => Resume::Interrupted(Interrupt::TimedOut),
                        v = fut => Resume::Value(v),
                    }
                };
            }
            Some(CoroutineResult::Return(r)) => {
                // Dropping the finished coroutine recycles its stack.
                drop(co);
                return Ok(r);
            }
            None => unreachable!("coroutine taken before it finished"),
        }
    }
}

/// Suspend the current script until `fut` completes and return its output, whatever its type
/// (for the executor's own waits, such as gathering parallel items).
pub(crate) fn await_value<T, F>(fut: F) -> Result<T, SuspendError>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    await_with(fut, false)
}

/// Like [`await_value`], for a future that ends promptly by itself once the current
/// coroutine's [`current_token`] is cancelled: it is awaited to completion rather than dropped
/// (parallel items are cancelled and joined, not abandoned).
pub(crate) fn await_shielded<T, F>(fut: F) -> Result<T, SuspendError>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    await_with(fut, true)
}

fn await_with<T, F>(fut: F, shielded: bool) -> Result<T, SuspendError>
where
    T: Send + 'static,
    F: Future<Output = T> + Send + 'static,
{
    let fut: Pending = Box::pin(async move { Box::new(fut.await) as Box<dyn Any + Send> });
    let out = suspend_with(fut, shielded)?;
    // The driver hands back what this very future returned, so the type always matches.
    out.downcast::<T>()
        .map(|v| *v)
        .map_err(|_| SuspendError::Interrupted(Interrupt::Cancelled))
}

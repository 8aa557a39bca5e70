//! Counting the process's heap, so a script that allocates without end fails instead of the
//! process being killed: [`Counting`] is a global allocator that keeps the live byte count, and
//! the engine's progress callback checks it against the `memory` limit before every operation.
//!
//! The count is approximate by design: each thread adds up its own allocations and folds them
//! into the shared total every [`FOLD`] bytes, so the common path touches no shared cache line.
//! A program that does not install [`Counting`] reads a total of zero, and the limit then never
//! fires (embedders choose their own allocator).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

/// Bytes a thread accumulates before folding them into the total.
const FOLD: isize = 256 * 1024;

static TOTAL: AtomicIsize = AtomicIsize::new(0);

thread_local! {
    static PENDING: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    // `try_with`: a thread being torn down has no local slot left; count straight into the total.
    let folded = PENDING.try_with(|p| {
        let v = p.get() + delta;
        if v.abs() >= FOLD {
            p.set(0);
            v
        } else {
            p.set(v);
            0
        }
    });
    match folded {
        Ok(0) => {}
        Ok(v) => {
            TOTAL.fetch_add(v, Ordering::Relaxed);
        }
        Err(_) => {
            TOTAL.fetch_add(delta, Ordering::Relaxed);
        }
    }
}

/// An allocator (the system's by default) that counts live bytes. Install it in a binary with
/// `#[global_allocator] static ALLOC: Counting = Counting::new(System);`, or wrap a faster
/// allocator the same way.
pub struct Counting<A = System>(A);

impl<A> Counting<A> {
    /// Count the allocations of `inner`.
    pub const fn new(inner: A) -> Self {
        Self(inner)
    }
}

// SAFETY: every method forwards to the inner allocator with the same arguments and returns its result
// unchanged; the bookkeeping touches only an atomic and a const-initialised thread-local `Cell`
// (no allocation, no destructor), so it cannot re-enter the allocator.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Counting<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract for `alloc` is passed on unchanged.
        let p = unsafe { self.0.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        let p = unsafe { self.0.alloc_zeroed(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by this allocator (hence by the inner one) with `layout`.
        unsafe { self.0.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: as for `dealloc`, and `new_size` meets `realloc`'s contract.
        let p = unsafe { self.0.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

/// The live heap in bytes, as last folded (0 when [`Counting`] is not installed).
pub(crate) fn live_bytes() -> usize {
    usize::try_from(TOTAL.load(Ordering::Relaxed)).unwrap_or(0)
}

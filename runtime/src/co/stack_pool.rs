//! A pool of coroutine stacks: a fresh mmap per item costs ~12 µs and doubled fan-out time.
//!
//! Stacks are large and lazily committed. Rhai walks values recursively (clone, drop, size
//! checks) at ~120–200 bytes of native stack per nesting level, and a value can nest as deep as
//! the engine's array and map limits allow (each level is one element): 256 MiB covers the
//! default limits with room to spare, while only the pages a script touches become memory. A
//! stack that went deep gives those pages back before it is pooled again.

use corosensei::stack::{DefaultStack, Stack};
use parking_lot::Mutex;

/// Virtual size of each stack (reserved address space, not memory).
pub(super) const STACK_SIZE: usize = 256 * 1024 * 1024;

/// How much of a stack's top stays resident across reuse; a stack used below it is trimmed.
const HOT: usize = 1024 * 1024;

/// Stacks kept for reuse; beyond this, finished stacks are unmapped.
const KEEP: usize = 16 * 1024;

static POOL: Mutex<Vec<DefaultStack>> = Mutex::new(Vec::new());

/// A stack from the pool, or a new one.
pub(super) fn take() -> std::io::Result<DefaultStack> {
    if let Some(stack) = POOL.lock().pop() {
        return Ok(stack);
    }
    DefaultStack::new(STACK_SIZE)
}

/// Return a stack whose coroutine has finished.
pub(super) fn give(stack: DefaultStack) {
    trim(&stack);
    let mut pool = POOL.lock();
    if pool.len() < KEEP {
        pool.push(stack);
    }
}

/// Give the pages below the hot top back to the system if the stack was used that deep.
fn trim(stack: &DefaultStack) {
    let top = stack.base().get();
    let bottom = stack.limit().get();
    let Some(probe) = top.checked_sub(HOT + 64) else {
        return;
    };
    if probe <= bottom {
        return;
    }
    // SAFETY: `probe` lies inside the stack's mapped, writable range (between its limit and its
    // base) and no coroutine runs on it now. An untouched page reads as zero (the kernel maps
    // its shared zero page, no memory is committed); any frame written there leaves non-zero
    // bytes in practice, and missing one only leaves the pages resident.
    let used = unsafe { std::ptr::read_volatile(probe as *const u64) } != 0;
    if used {
        let len = (top - HOT) - bottom;
        // SAFETY: the range is page-aligned (both ends are: the limit is a page boundary, and
        // the base minus a multiple of the page size is too) and belongs to this unused stack;
        // MADV_DONTNEED on private anonymous memory just makes the pages read as zero again.
        unsafe {
            libc::madvise(bottom as *mut libc::c_void, len, libc::MADV_DONTNEED);
        }
    }
}

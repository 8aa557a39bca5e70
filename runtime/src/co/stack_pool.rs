//! A pool of coroutine stacks: a fresh mmap per item costs ~12 µs and doubled fan-out time.

use corosensei::stack::DefaultStack;
use parking_lot::Mutex;

/// Virtual size of each stack. Rhai uses up to ~8 KiB of native stack per call level and the
/// engine caps call levels at [`crate::script::engine::MAX_CALL_LEVELS`]; nested flow walking
/// adds a few KiB per level, so 1 MiB leaves a wide margin (only touched pages are resident).
pub const STACK_SIZE: usize = 1024 * 1024;

/// Stacks kept for reuse; beyond this, finished stacks are unmapped.
const KEEP: usize = 16 * 1024;

static POOL: Mutex<Vec<DefaultStack>> = Mutex::new(Vec::new());

/// A stack from the pool, or a new one.
pub fn take() -> std::io::Result<DefaultStack> {
    if let Some(stack) = POOL.lock().pop() {
        return Ok(stack);
    }
    DefaultStack::new(STACK_SIZE)
}

/// Return a stack whose coroutine has finished.
pub fn give(stack: DefaultStack) {
    let mut pool = POOL.lock();
    if pool.len() < KEEP {
        pool.push(stack);
    }
}

//! Writing to stdout and stderr without panicking: a reader that goes away (`flowscript graph
//! x | head`) or a closed stderr must not crash the process. A failed write to stdout, which
//! carries the command's result, ends the process quietly with [`EXIT_FAILED`]; a failed write
//! to stderr is ignored.

use std::io::Write;

use crate::EXIT_FAILED;

/// Write `text` to stdout and flush it; if stdout is gone, exit quietly with [`EXIT_FAILED`].
pub fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    if out
        .write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .is_err()
    {
        std::process::exit(i32::from(EXIT_FAILED));
    }
}

/// Write `text` to stderr; errors are ignored (there is nowhere left to report them).
pub fn stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// `println!` to stdout through [`stdout`].
macro_rules! outln {
    ($($arg:tt)*) => { $crate::output::stdout(&format!("{}\n", format_args!($($arg)*))) };
}

/// `eprintln!` through [`stderr`].
macro_rules! errln {
    ($($arg:tt)*) => { $crate::output::stderr(&format!("{}\n", format_args!($($arg)*))) };
}

pub(crate) use {errln, outln};

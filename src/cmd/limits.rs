//! `--limit NAME=VALUE`, shared by `run` and `serve`: its help text (every limit with its
//! default, from the runtime's one table) and applying the flags to [`Limits`].

use std::process::ExitCode;

use flowscript_runtime::Limits;

use crate::EXIT_USAGE;
use crate::output::errln;

/// `--limit`'s long help: every limit with its default, from the one table.
pub fn limit_help() -> String {
    let mut help = String::from(
        "Change a resource limit (repeatable), e.g. `--limit string=64MiB`. The limits and \
         their defaults:",
    );
    for info in flowscript_runtime::limits::TABLE {
        help.push_str(&format!(
            "\n  {:<13} {:>8}  {}",
            info.name,
            info.show(info.default_value()),
            info.doc
        ));
    }
    help
}

/// The default limits with every `--limit` spec applied; a bad spec is printed and is a usage
/// error.
pub fn limits_from(specs: &[String]) -> Result<Limits, ExitCode> {
    let mut limits = Limits::default();
    for spec in specs {
        if let Err(e) = limits.apply(spec) {
            errln!("error: {e}");
            return Err(ExitCode::from(EXIT_USAGE));
        }
    }
    Ok(limits)
}

//! The `--allow-*` flags `run` and `serve` share: Deno-style permissions, every effect denied
//! unless a flag allows it (docs/security.md).

use clap::Args;
use flowscript_runtime::{Grant, Permissions};

/// Deno-style permissions: effects are denied unless allowed.
#[derive(Args)]
pub struct AllowArgs {
    /// Allow reading files (all, or only below the given comma-separated paths).
    #[arg(long, num_args = 0.., require_equals = true, value_delimiter = ',', value_name = "PATHS")]
    allow_read: Option<Vec<String>>,
    /// Allow writing files (all, or only below the given paths).
    #[arg(long, num_args = 0.., require_equals = true, value_delimiter = ',', value_name = "PATHS")]
    allow_write: Option<Vec<String>>,
    /// Allow network access (all, or only the given host or host:port list).
    #[arg(long, num_args = 0.., require_equals = true, value_delimiter = ',', value_name = "HOSTS")]
    allow_net: Option<Vec<String>>,
    /// Allow starting processes (all, or only the given programs).
    #[arg(long, num_args = 0.., require_equals = true, value_delimiter = ',', value_name = "PROGRAMS")]
    allow_run: Option<Vec<String>>,
    /// Allow reading environment variables (all, or only the given names).
    #[arg(long, num_args = 0.., require_equals = true, value_delimiter = ',', value_name = "NAMES")]
    allow_env: Option<Vec<String>>,
    /// Allow everything.
    #[arg(short = 'A', long)]
    allow_all: bool,
}

impl AllowArgs {
    /// The permissions the flags grant.
    pub fn permissions(&self) -> Permissions {
        if self.allow_all {
            return Permissions::all();
        }
        Permissions {
            read: Grant::from_flag(self.allow_read.as_deref()),
            write: Grant::from_flag(self.allow_write.as_deref()),
            net: Grant::from_flag(self.allow_net.as_deref()),
            run: Grant::from_flag(self.allow_run.as_deref()),
            env: Grant::from_flag(self.allow_env.as_deref()),
        }
    }
}

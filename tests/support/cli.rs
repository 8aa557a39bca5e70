//! What the CLI tests share: the `flowscript` binary under test, with colour off so rendered
//! diagnostics compare as plain text.

use assert_cmd::Command;

/// A command for the built `flowscript` binary, `NO_COLOR=1`.
pub fn flowscript() -> Command {
    let mut cmd = Command::cargo_bin("flowscript").expect("binary");
    cmd.env("NO_COLOR", "1");
    cmd
}

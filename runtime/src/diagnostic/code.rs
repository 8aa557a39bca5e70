//! Every diagnostic code, in one table: its name, its severity and a one-line doc. Diagnostic
//! sites name a [`Code`]; `check`, the language server, the tests and `docs/check.md` read
//! the same table, so a new code cannot be half-added.

use serde::{Deserialize, Serialize};

use super::Severity;

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $editor:literal, $doc:literal;)*) => {
        /// A stable, kebab-case diagnostic code tools can rely on.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Code {
            $(
                #[doc = $doc]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl Code {
            /// Every code, in the order `docs/check.md` lists them.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as tools see it (`unknown-option`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// How bad a finding with this code is.
            pub fn severity(self) -> Severity {
                match self {
                    $(Code::$variant => Severity::$severity,)*
                }
            }

            /// What the code means, in one line.
            pub fn doc(self) -> &'static str {
                match self {
                    $(Code::$variant => $doc,)*
                }
            }

            /// Whether only the language server reports it (not `check` or `run`).
            pub fn editor_only(self) -> bool {
                match self {
                    $(Code::$variant => $editor,)*
                }
            }
        }
    };
}

codes! {
    Syntax = "syntax", Error, false, "The script does not parse.";
    UnknownOption = "unknown-option", Error, false,
        "An option key the constructor does not take.";
    InvalidOptionValue = "invalid-option-value", Error, false,
        "An option's value is of the wrong type or out of range.";
    InvalidLabel = "invalid-label", Error, false, "A transition label that is not a string.";
    InvalidTarget = "invalid-target", Error, false,
        "An edge to something that is not a node, a flow or `end`.";
    BadArity = "bad-arity", Error, false, "A hook whose parameter count no signature accepts.";
    NotAnArray = "not-an-array", Error, false,
        "A batch or parallel prep that returns a literal that is not an array.";
    EffectAtTopLevel = "effect-at-top-level", Error, false,
        "Host I/O called while the graph is being built (it is not performed).";
    NoEntry = "no-entry", Error, false, "The script's last expression is not a node or flow.";
    ScriptError = "script-error", Error, false,
        "The top level threw, ran past the record-mode limits, or an import failed.";
    OverwrittenEdge = "overwritten-edge", Warning, false,
        "The same action wired twice from one node (the later edge wins).";
    UnreachableNode = "unreachable-node", Warning, false,
        "A wired node the entry flow never reaches.";
    UnusedNode = "unused-node", Warning, false, "A node or flow constructed but never used.";
    UnmatchedAction = "unmatched-action", Warning, false,
        "A post can return an action its node has no edge for.";
    DeadEdge = "dead-edge", Warning, false, "An edge whose action its node's post never returns.";
    NoExit = "no-exit", Warning, false, "A loop from which no path leaves, without `max_steps`.";
    UnwrittenKey = "unwritten-key", Warning, false,
        "A store key read that no code writes and no input provides.";
    InternalError = "internal-error", Error, true,
        "The analysis itself failed on this text (a bug to report).";
    TooLarge = "too-large", Warning, true, "A document too large to analyse.";
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<str> for Code {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_serialize_as_themselves() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "{name} twice");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '-'),
                "{name}"
            );
            assert_eq!(serde_json::to_value(code).ok(), Some(name.into()));
            let back: Code = serde_json::from_value(name.into()).expect("a code");
            assert_eq!(back, code);
            assert!(!code.doc().is_empty());
        }
    }
}

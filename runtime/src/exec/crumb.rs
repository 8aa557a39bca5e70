//! Node breadcrumbs (`main/summarize[3]`), built on the stack and only formatted when needed.

use std::fmt;
use std::sync::Arc;

/// A path to a node visit: a root, a child by name, or a batch item by index.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Crumb<'a> {
    /// An already formatted path (the entry flow's name, or a path moved into a spawned task).
    Root(&'a str),
    /// A node inside the parent flow.
    Child(&'a Crumb<'a>, &'a str),
    /// Item `i` of the parent batch node or flow.
    Item(&'a Crumb<'a>, usize),
}

impl fmt::Display for Crumb<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Crumb::Root(s) => f.write_str(s),
            Crumb::Child(p, name) => write!(f, "{p}/{name}"),
            Crumb::Item(p, i) => write!(f, "{p}[{i}]"),
        }
    }
}

impl Crumb<'_> {
    /// The formatted path, owned (for events, errors and spawned tasks).
    pub(crate) fn owned(&self) -> Arc<str> {
        match self {
            Crumb::Root(s) => Arc::from(*s),
            other => Arc::from(other.to_string()),
        }
    }
}

//! The one support module of the workspace's integration tests. Each test binary uses part of
//! it, hence the one allow.
//!
//! - [`cli`]: the `flowscript` binary under test, colour off;
//! - [`child`]: running a child (a browser, an editor) within a time limit;
//! - [`hostile`]: hostile-input helpers for the limits and permission tests;
//! - [`serve`]: a `flowscript serve` under test and its HTTP client;
//! - [`graph_tools`]: mermaid's and Graphviz's real parsers for the graph tests.

#![allow(dead_code)]

pub mod child;
pub mod cli;
pub mod graph_tools;
pub mod hostile;
pub mod serve;

//! Every resource bound a script meets, in one table: the engine's value sizes, the nesting depth
//! of values that leave a script, module sizes, file reads and HTTP time. The engine, the host
//! functions, `flowscript run --limit NAME=VALUE` and `docs/security.md` all read [`TABLE`].
//!
//! Exceeding a limit is an error naming the limit (and the line, where the script is running),
//! never a crash: the process stays within the memory and stack these bounds imply.

use std::time::Duration;

/// The longest duration a script may ask for (`sleep`, `wait`, `timeout`): 365 days. Longer
/// values are errors rather than waits that never end or overflow a clock.
pub const MAX_DURATION_SECS: f64 = 365.0 * 24.0 * 3600.0;

/// The deepest `depth` limit that may be configured: the runtime's own walks over values
/// recurse once per level, and this keeps them within any thread's stack.
pub const MAX_DEPTH_CAP: usize = 256;

/// The bounds of one runtime (every load and run made with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes in one string the top level builds; in hooks, in one string the runtime's own
    /// builders make (`pad`, `fs::read`, HTTP bodies).
    pub string_bytes: usize,
    /// Elements in one array or blob the top level builds, nested ones included; in hooks, in
    /// one the runtime's builders make (`pad`, `blob`, splits, `fs::list`).
    pub array_items: usize,
    /// Entries in one map the top level builds, nested maps' entries included.
    pub map_items: usize,
    /// Levels of arrays, maps and closures nested in a value that leaves a hook (its return
    /// value, the shared store, events, JSON).
    pub depth: usize,
    /// Bytes in one imported module file.
    pub module_bytes: usize,
    /// Modules one evaluation may import (counting nested imports).
    pub modules: usize,
    /// Seconds an `http::*` request may take in all, unless its `timeout` option says.
    pub http_timeout_secs: u64,
    /// Bytes of heap the whole process may use before the script that allocates is stopped.
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            string_bytes: 16 << 20,
            array_items: 1_000_000,
            map_items: 100_000,
            depth: 128,
            module_bytes: 1 << 20,
            modules: 64,
            http_timeout_secs: 300,
            memory_bytes: 4 << 30,
        }
    }
}

/// How a limit's value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// A byte count: `1048576`, `512KiB`, `16MiB`, `1GiB`.
    Bytes,
    /// A plain count.
    Count,
    /// Whole seconds.
    Seconds,
}

/// One row of [`TABLE`]: a limit's name (as `--limit NAME=VALUE` takes it), unit and meaning.
#[derive(Debug, Clone, Copy)]
pub struct LimitInfo {
    /// The name on the command line and in messages.
    pub name: &'static str,
    /// How values are written.
    pub unit: Unit,
    /// What it bounds, for `--help` and the docs.
    pub doc: &'static str,
    get: fn(&Limits) -> usize,
    set: fn(&mut Limits, usize),
    /// The smallest value accepted.
    pub min: usize,
    /// The largest value accepted.
    pub max: usize,
}

impl LimitInfo {
    /// This limit's value in `limits`.
    pub fn get(&self, limits: &Limits) -> usize {
        (self.get)(limits)
    }

    /// The default value.
    pub fn default_value(&self) -> usize {
        (self.get)(&Limits::default())
    }

    /// A value as it is written: `16MiB`, `1000000`, `300s`.
    pub fn show(&self, value: usize) -> String {
        match self.unit {
            Unit::Bytes => show_bytes(value),
            Unit::Count => value.to_string(),
            Unit::Seconds => format!("{value}s"),
        }
    }
}

/// Every limit, in the order the docs list them.
pub const TABLE: &[LimitInfo] = &[
    LimitInfo {
        name: "string",
        unit: Unit::Bytes,
        doc: "bytes in one string the top level builds; in hooks, in one string pad, fs::read or an HTTP body makes",
        get: |l| l.string_bytes,
        set: |l, v| l.string_bytes = v,
        min: 1024,
        max: 1 << 30,
    },
    LimitInfo {
        name: "array",
        unit: Unit::Count,
        doc: "elements in one array or blob the top level builds (nested ones included); in hooks, in one pad, blob, split or fs::list",
        get: |l| l.array_items,
        set: |l, v| l.array_items = v,
        min: 16,
        max: 100_000_000,
    },
    LimitInfo {
        name: "map",
        unit: Unit::Count,
        doc: "entries in one map the top level builds, nested maps' entries included",
        get: |l| l.map_items,
        set: |l, v| l.map_items = v,
        min: 16,
        max: 10_000_000,
    },
    LimitInfo {
        name: "depth",
        unit: Unit::Count,
        doc: "levels of arrays, maps and closures nested in a hook's result, the shared store, an event or JSON",
        get: |l| l.depth,
        set: |l, v| l.depth = v,
        min: 1,
        max: MAX_DEPTH_CAP,
    },
    LimitInfo {
        name: "module",
        unit: Unit::Bytes,
        doc: "bytes in one imported module file",
        get: |l| l.module_bytes,
        set: |l, v| l.module_bytes = v,
        min: 1024,
        max: 64 << 20,
    },
    LimitInfo {
        name: "modules",
        unit: Unit::Count,
        doc: "modules one evaluation imports, nested imports included",
        get: |l| l.modules,
        set: |l, v| l.modules = v,
        min: 1,
        max: 10_000,
    },
    LimitInfo {
        name: "memory",
        unit: Unit::Bytes,
        doc: "bytes of heap the process may use; the script allocating past it fails (checked before every operation)",
        get: |l| l.memory_bytes,
        set: |l, v| l.memory_bytes = v,
        min: 64 << 20,
        max: 1 << 40,
    },
    LimitInfo {
        name: "http-timeout",
        unit: Unit::Seconds,
        doc: "seconds one http::get or http::post may take in all, unless its timeout option says",
        get: |l| usize::try_from(l.http_timeout_secs).unwrap_or(usize::MAX),
        set: |l, v| l.http_timeout_secs = v as u64,
        min: 1,
        max: 365 * 24 * 3600,
    },
];

/// A `--limit` that could not be applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitError {
    /// No `=` in `NAME=VALUE`.
    #[error("--limit {0}: expected NAME=VALUE, e.g. --limit string=64MiB")]
    Syntax(String),
    /// An unknown name.
    #[error("--limit {name}: unknown limit (the limits are {known})")]
    Unknown {
        /// The name given.
        name: String,
        /// The names there are.
        known: String,
    },
    /// A value that does not parse or is out of range.
    #[error("--limit {name}={value}: {why}")]
    Value {
        /// The limit.
        name: String,
        /// The value given.
        value: String,
        /// What is wrong with it.
        why: String,
    },
}

impl Limits {
    /// The row of [`TABLE`] named `name`.
    pub fn info(name: &str) -> Option<&'static LimitInfo> {
        TABLE.iter().find(|i| i.name == name)
    }

    /// Apply one `NAME=VALUE` override.
    pub fn apply(&mut self, spec: &str) -> Result<(), LimitError> {
        let (name, value) = spec
            .split_once('=')
            .ok_or_else(|| LimitError::Syntax(spec.to_string()))?;
        let (name, value) = (name.trim(), value.trim());
        let info = Self::info(name).ok_or_else(|| LimitError::Unknown {
            name: name.to_string(),
            known: TABLE.iter().map(|i| i.name).collect::<Vec<_>>().join(", "),
        })?;
        let bad = |why: String| LimitError::Value {
            name: name.to_string(),
            value: value.to_string(),
            why,
        };
        let n = parse_value(info.unit, value).ok_or_else(|| {
            bad(match info.unit {
                Unit::Bytes => "expected a byte count such as 1048576, 512KiB or 16MiB".into(),
                Unit::Count => "expected a whole number".into(),
                Unit::Seconds => "expected whole seconds such as 600".into(),
            })
        })?;
        if n < info.min || n > info.max {
            return Err(bad(format!(
                "must be between {} and {}",
                info.show(info.min),
                info.show(info.max)
            )));
        }
        (info.set)(self, n);
        Ok(())
    }

    /// The HTTP default total timeout.
    pub fn http_timeout(&self) -> Duration {
        Duration::from_secs(self.http_timeout_secs)
    }
}

fn parse_value(unit: Unit, text: &str) -> Option<usize> {
    let text = text.replace('_', "");
    let (digits, scale) = match unit {
        Unit::Bytes => {
            let lower = text.to_ascii_lowercase();
            let suffixes: [(&str, usize); 5] = [
                ("gib", 1 << 30),
                ("mib", 1 << 20),
                ("kib", 1 << 10),
                ("b", 1),
                ("", 1),
            ];
            let (suffix, scale) = suffixes.into_iter().find(|(s, _)| lower.ends_with(s))?;
            (text[..text.len() - suffix.len()].trim().to_string(), scale)
        }
        Unit::Seconds => (text.strip_suffix('s').unwrap_or(&text).to_string(), 1),
        Unit::Count => (text, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(scale)
}

fn show_bytes(n: usize) -> String {
    for (suffix, scale) in [
        ("TiB", 1usize << 40),
        ("GiB", 1 << 30),
        ("MiB", 1 << 20),
        ("KiB", 1 << 10),
    ] {
        if n >= scale && n % scale == 0 {
            return format!("{}{suffix}", n / scale);
        }
    }
    n.to_string()
}

/// `<what>: the `<name>` limit is <value> (raise it with --limit <name>=...)`.
pub(crate) fn limit_message(what: &str, name: &str, limits: &Limits) -> String {
    match Limits::info(name) {
        Some(info) => format!(
            "{what}: the `{name}` limit is {} (flowscript run --limit {name}=... raises it)",
            info.show(info.get(limits))
        ),
        None => what.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overrides_parse_units_and_ranges() {
        let mut l = Limits::default();
        l.apply("string=64MiB").expect("bytes");
        assert_eq!(l.string_bytes, 64 << 20);
        l.apply("array = 2_000_000").expect("count");
        assert_eq!(l.array_items, 2_000_000);
        l.apply("http-timeout=600s").expect("seconds");
        assert_eq!(l.http_timeout(), Duration::from_secs(600));
        assert!(matches!(
            l.apply("strin=1"),
            Err(LimitError::Unknown { .. })
        ));
        assert!(matches!(
            l.apply("depth=300"),
            Err(LimitError::Value { .. })
        ));
        assert!(matches!(l.apply("string"), Err(LimitError::Syntax(_))));
        assert!(matches!(
            l.apply("string=lots"),
            Err(LimitError::Value { .. })
        ));
        assert_eq!(
            l.apply("depth=0").unwrap_err().to_string(),
            "--limit depth=0: must be between 1 and 256"
        );
    }

    #[test]
    fn every_limit_shows_its_default_within_its_range() {
        for info in TABLE {
            let d = info.default_value();
            assert!(info.min <= d && d <= info.max, "{}", info.name);
            let mut l = Limits::default();
            l.apply(&format!("{}={}", info.name, info.show(d)))
                .expect("the shown default parses back");
            assert_eq!(l, Limits::default());
        }
    }
}

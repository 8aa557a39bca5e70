//! String splits (`split`, `split_rev`, `to_chars`) and `blob.to_array()` bounded while they
//! collect: Rhai's build the whole array and only then check it (if at all: hooks run without
//! Rhai's value limits), so a 16 MiB string split into characters allocated a gigabyte and took
//! seconds first. These stop at the `array` limit. Results are the same as Rhai's.

use rhai::{Array, Blob, Dynamic, Engine, EvalAltResult, INT, ImmutableString, Position};

use crate::limits::Limits;

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// Rhai's own "too large" error, which messages turn into the limit's name and value.
pub(super) fn too_large(what: &str) -> Box<EvalAltResult> {
    EvalAltResult::ErrorDataTooLarge(what.into(), Position::NONE).into()
}

/// Collect `items`, failing as soon as there are more than `max`.
fn bounded<T: Into<Dynamic>>(max: usize, items: impl Iterator<Item = T>) -> Result<Array> {
    let mut out = Array::new();
    for item in items {
        if out.len() >= max {
            return Err(too_large("Size of array/BLOB"));
        }
        out.push(item.into());
    }
    Ok(out)
}

/// Whether Rhai answers `[string]` without splitting.
fn whole(s: &str, delimiter: &str) -> bool {
    s.is_empty() || (!delimiter.is_empty() && !s.contains(delimiter))
}

fn pieces(segments: INT) -> usize {
    usize::try_from(segments).unwrap_or(usize::MAX)
}

fn split(max: usize, s: &mut ImmutableString, d: &str) -> Result<Array> {
    if whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(max, s.split(d).map(ImmutableString::from))
}

fn splitn(max: usize, s: &mut ImmutableString, d: &str, n: INT) -> Result<Array> {
    if n <= 1 || whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(max, s.splitn(pieces(n), d).map(ImmutableString::from))
}

fn rsplit(max: usize, s: &mut ImmutableString, d: &str) -> Result<Array> {
    if whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(max, s.rsplit(d).map(ImmutableString::from))
}

fn rsplitn(max: usize, s: &mut ImmutableString, d: &str, n: INT) -> Result<Array> {
    if n <= 1 || whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(max, s.rsplitn(pieces(n), d).map(ImmutableString::from))
}

fn split_char(max: usize, s: &mut ImmutableString, c: char) -> Result<Array> {
    split(max, s, c.encode_utf8(&mut [0; 4]))
}

fn splitn_char(max: usize, s: &mut ImmutableString, c: char, n: INT) -> Result<Array> {
    splitn(max, s, c.encode_utf8(&mut [0; 4]), n)
}

fn rsplit_char(max: usize, s: &mut ImmutableString, c: char) -> Result<Array> {
    rsplit(max, s, c.encode_utf8(&mut [0; 4]))
}

fn rsplitn_char(max: usize, s: &mut ImmutableString, c: char, n: INT) -> Result<Array> {
    rsplitn(max, s, c.encode_utf8(&mut [0; 4]), n)
}

fn split_whitespace(max: usize, s: &mut ImmutableString) -> Result<Array> {
    if s.is_empty() {
        return Ok(vec![s.clone().into()]);
    }
    bounded(max, s.split_whitespace().map(ImmutableString::from))
}

fn to_chars(max: usize, s: &str) -> Result<Array> {
    bounded(max, s.chars())
}

fn blob_to_array(max: usize, b: &mut Blob) -> Result<Array> {
    bounded(max, b.iter().map(|&byte| INT::from(byte)))
}

/// Register the bounded splits.
pub(crate) fn register(engine: &mut Engine, limits: &Limits) {
    let max = limits.array_items;
    engine
        .register_fn("split", move |s: &mut ImmutableString, d: &str| {
            split(max, s, d)
        })
        .register_fn("split", move |s: &mut ImmutableString, d: &str, n: INT| {
            splitn(max, s, d, n)
        })
        .register_fn("split", move |s: &mut ImmutableString, c: char| {
            split_char(max, s, c)
        })
        .register_fn("split", move |s: &mut ImmutableString, c: char, n: INT| {
            splitn_char(max, s, c, n)
        })
        .register_fn("split", move |s: &mut ImmutableString| {
            split_whitespace(max, s)
        })
        .register_fn("split_rev", move |s: &mut ImmutableString, d: &str| {
            rsplit(max, s, d)
        })
        .register_fn(
            "split_rev",
            move |s: &mut ImmutableString, d: &str, n: INT| rsplitn(max, s, d, n),
        )
        .register_fn("split_rev", move |s: &mut ImmutableString, c: char| {
            rsplit_char(max, s, c)
        })
        .register_fn(
            "split_rev",
            move |s: &mut ImmutableString, c: char, n: INT| rsplitn_char(max, s, c, n),
        )
        .register_fn("to_chars", move |s: &str| to_chars(max, s))
        .register_fn("to_array", move |b: &mut Blob| blob_to_array(max, b));
}

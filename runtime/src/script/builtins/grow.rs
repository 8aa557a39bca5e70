//! The built-ins that build a big value in one call — `pad` of strings, arrays and blobs, and
//! `blob(len[, value])` — check the `string` and `array` limits before they allocate, whichever
//! engine they run on (hooks run without Rhai's own value limits, which it checks only after
//! an operation, walking the whole value). Results are the same as Rhai's.

use rhai::{Array, Blob, Dynamic, Engine, EvalAltResult, INT, ImmutableString, Map};

use super::split::too_large;
use crate::limits::{Limits, MAX_DEPTH_CAP};

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// The requested length as a `usize`, or `None` when it asks for nothing (≤ 0).
fn wanted(len: INT) -> Option<usize> {
    (len > 0).then(|| usize::try_from(len).unwrap_or(usize::MAX))
}

fn pad_char(max: usize, s: &mut ImmutableString, len: INT, c: char) -> Result<()> {
    let Some(len) = wanted(len) else {
        return Ok(());
    };
    let have = s.chars().count();
    if len <= have {
        return Ok(());
    }
    if s.len()
        .saturating_add((len - have).saturating_mul(c.len_utf8()))
        > max
    {
        return Err(too_large("Length of string"));
    }
    let p = s.make_mut();
    p.extend(std::iter::repeat_n(c, len - have));
    Ok(())
}

fn pad_str(max: usize, s: &mut ImmutableString, len: INT, padding: &str) -> Result<()> {
    let Some(len) = wanted(len) else {
        return Ok(());
    };
    let have = s.chars().count();
    let step = padding.chars().count();
    if len <= have || step == 0 {
        return Ok(());
    }
    // At most `len - have` characters of padding, each at most four bytes.
    let bytes = (len - have).saturating_mul(padding.len().div_ceil(step).max(1));
    if s.len().saturating_add(bytes) > max {
        return Err(too_large("Length of string"));
    }
    let (whole, part) = ((len - have) / step, (len - have) % step);
    let p = s.make_mut();
    p.push_str(&padding.repeat(whole));
    p.extend(padding.chars().take(part));
    Ok(())
}

/// Elements `item` adds when copied once: itself, plus what it nests — counted up to `cap`
/// and [`MAX_DEPTH_CAP`] levels deep (anything past either is more than `cap`).
fn weight(item: &Dynamic, cap: usize, depth: usize) -> usize {
    if depth > MAX_DEPTH_CAP {
        return cap.saturating_add(1);
    }
    let mut n = 1usize;
    let nested = |n: &mut usize, v: &Dynamic| {
        *n = n.saturating_add(weight(v, cap, depth + 1));
        *n > cap
    };
    if let Some(a) = item.read_lock::<Array>() {
        for v in a.iter() {
            if nested(&mut n, v) {
                break;
            }
        }
    } else if let Some(m) = item.read_lock::<Map>() {
        for v in m.values() {
            if nested(&mut n, v) {
                break;
            }
        }
    } else if let Some(b) = item.read_lock::<Blob>() {
        n = n.saturating_add(b.len());
    }
    n
}

fn pad_array(max: usize, a: &mut Array, len: INT, item: Dynamic) -> Result<()> {
    let Some(len) = wanted(len) else {
        return Ok(());
    };
    if len <= a.len() {
        return Ok(());
    }
    let copies = len - a.len();
    if copies.saturating_mul(weight(&item, max, 0)) > max.saturating_sub(a.len()) {
        return Err(too_large("Size of array/BLOB"));
    }
    a.resize(len, item);
    Ok(())
}

fn blob_of(max: usize, len: INT, value: INT) -> Result<Blob> {
    let Some(len) = wanted(len) else {
        return Ok(Blob::new());
    };
    if len > max {
        return Err(too_large("Size of array/BLOB"));
    }
    Ok(vec![(value & 0xff) as u8; len])
}

fn pad_blob(max: usize, b: &mut Blob, len: INT, value: INT) -> Result<()> {
    let Some(len) = wanted(len) else {
        return Ok(());
    };
    if len > max {
        return Err(too_large("Size of array/BLOB"));
    }
    if len > b.len() {
        b.resize(len, (value & 0xff) as u8);
    }
    Ok(())
}

/// Register the bounded constructors.
pub(crate) fn register(engine: &mut Engine, limits: &Limits) {
    let (bytes, items) = (limits.string_bytes, limits.array_items);
    engine
        .register_fn("pad", move |s: &mut ImmutableString, len: INT, c: char| {
            pad_char(bytes, s, len, c)
        })
        .register_fn("pad", move |s: &mut ImmutableString, len: INT, p: &str| {
            pad_str(bytes, s, len, p)
        })
        .register_fn("pad", move |a: &mut Array, len: INT, item: Dynamic| {
            pad_array(items, a, len, item)
        })
        .register_fn("pad", move |b: &mut Blob, len: INT, v: INT| {
            pad_blob(items, b, len, v)
        })
        .register_fn("blob", move |len: INT| blob_of(items, len, 0))
        .register_fn("blob", move |len: INT, v: INT| blob_of(items, len, v));
}

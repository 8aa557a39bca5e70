//! `sort`, `sort_by`, `order`, `order_by` and `dedup` with a script callback: a stable merge sort
//! that stops at the callback's first error (including cancellation and timeouts) and returns
//! it. Rust's own sort may panic when a comparator is not a total order; a merge sort cannot.

use std::cmp::Ordering;

use rhai::{Array, Dynamic, Engine, EvalAltResult, FnPtr, NativeCallContext, Position};

use crate::value::describe;

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// What a comparator's value means: an integer's sign, or `true` for "a comes first".
fn ordering(value: &Dynamic) -> Result<Ordering> {
    if let Ok(i) = value.as_int() {
        return Ok(i.cmp(&0));
    }
    if let Ok(b) = value.as_bool() {
        return Ok(if b { Ordering::Less } else { Ordering::Greater });
    }
    Err(EvalAltResult::ErrorRuntime(
        format!(
            "sort: the comparator must return an integer (< 0, 0, > 0) or a bool, found {}",
            describe(value)
        )
        .into(),
        Position::NONE,
    )
    .into())
}

/// Sort `items` stably by `compare`, stopping at its first error.
pub(crate) fn merge_sort(
    items: Array,
    compare: &mut dyn FnMut(&Dynamic, &Dynamic) -> Result<Ordering>,
) -> Result<Array> {
    let n = items.len();
    if n <= 1 {
        return Ok(items);
    }
    let mut src: Vec<Option<Dynamic>> = items.into_iter().map(Some).collect();
    let mut dst: Vec<Option<Dynamic>> = (0..n).map(|_| None).collect();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j) = (start, mid);
            for slot in &mut dst[start..end] {
                let take_right = if i >= mid {
                    true
                } else if j >= end {
                    false
                } else {
                    let (a, b) = (src[i].as_ref(), src[j].as_ref());
                    match (a, b) {
                        // Stable: the left run wins ties.
                        (Some(a), Some(b)) => compare(a, b)? == Ordering::Greater,
                        _ => false,
                    }
                };
                let from = if take_right { &mut j } else { &mut i };
                *slot = src[*from].take();
                *from += 1;
            }
            start = end;
        }
        std::mem::swap(&mut src, &mut dst);
        width *= 2;
    }
    Ok(src.into_iter().flatten().collect())
}

fn by_callback(ctx: &NativeCallContext, f: &FnPtr, items: Array) -> Result<Array> {
    merge_sort(items, &mut |a, b| {
        let v = f.call_raw(ctx, None, [a.clone(), b.clone()])?;
        ordering(&v)
    })
}

/// `array.sort(|a, b| ...)`: sort in place.
fn sort(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Result<()> {
    let items = std::mem::take(array);
    // On an error the array keeps no elements it did not have: restore the original order.
    let backup = items.clone();
    match by_callback(&ctx, &f, items) {
        Ok(sorted) => {
            *array = sorted;
            Ok(())
        }
        Err(e) => {
            *array = backup;
            Err(e)
        }
    }
}

/// `array.order(|a, b| ...)`: a sorted copy.
fn order(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Result<Array> {
    by_callback(&ctx, &f, array.clone())
}

/// `array.dedup(|prev, x| ...)`: drop each element the callback says equals the last one kept.
fn dedup(ctx: NativeCallContext, array: &mut Array, f: FnPtr) -> Result<()> {
    let mut kept = Array::with_capacity(array.len());
    for item in array.iter() {
        let same = match kept.last() {
            Some(last) => {
                let v = f.call_raw(&ctx, None, [last.clone(), item.clone()])?;
                v.as_bool().unwrap_or(false)
            }
            None => false,
        };
        if !same {
            kept.push(item.clone());
        }
    }
    *array = kept;
    Ok(())
}

/// Register the replacements.
pub(crate) fn register(engine: &mut Engine) {
    engine
        .register_fn("sort", sort)
        .register_fn("sort_by", sort)
        .register_fn("order", order)
        .register_fn("order_by", order)
        .register_fn("dedup", dedup);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ints(v: &[i64]) -> Array {
        v.iter().map(|&i| Dynamic::from_int(i)).collect()
    }

    #[test]
    fn sorts_stably_and_survives_any_comparator() {
        let pairs: Array = [(2, 'a'), (1, 'b'), (2, 'c'), (1, 'd')]
            .iter()
            .map(|&(k, c)| Dynamic::from_array(vec![Dynamic::from_int(k), Dynamic::from_char(c)]))
            .collect();
        let key = |d: &Dynamic| {
            d.read_lock::<Array>()
                .map_or(0, |a| a[0].as_int().unwrap_or(0))
        };
        let sorted = merge_sort(pairs, &mut |a, b| Ok(key(a).cmp(&key(b)))).expect("sorted");
        let order: Vec<char> = sorted
            .iter()
            .map(|d| {
                d.read_lock::<Array>()
                    .map_or(' ', |a| a[1].as_char().unwrap_or(' '))
            })
            .collect();
        assert_eq!(order, ['b', 'd', 'a', 'c']);
        let mut flip = false;
        let chaos = merge_sort(ints(&(0..500).collect::<Vec<_>>()), &mut |_, _| {
            flip = !flip;
            Ok(if flip {
                Ordering::Less
            } else {
                Ordering::Greater
            })
        })
        .expect("an inconsistent comparator still ends");
        assert_eq!(chaos.len(), 500);
    }

    #[test]
    fn stops_at_the_first_error() {
        let mut calls = 0;
        let r = merge_sort(ints(&[5, 4, 3, 2, 1]), &mut |_, _| {
            calls += 1;
            Err("boom".into())
        });
        assert!(r.is_err());
        assert_eq!(calls, 1);
    }
}

//! String splits (`split`, `split_rev`, `to_chars`) and `blob.to_array()` bounded while they
//! collect: Rhai's build the whole array and only then check it against the `array` limit, so a
//! 16 MiB string split into characters allocated a gigabyte and took seconds before failing.
//! These stop at the limit. Results are the same as Rhai's.

use rhai::{
    Array, Blob, Dynamic, Engine, EvalAltResult, INT, ImmutableString, NativeCallContext, Position,
};

type Result<T> = std::result::Result<T, Box<EvalAltResult>>;

/// Collect `items`, failing as soon as there are more than the engine's array limit.
fn bounded<T: Into<Dynamic>>(
    ctx: &NativeCallContext,
    items: impl Iterator<Item = T>,
) -> Result<Array> {
    let max = ctx.engine().max_array_size();
    let mut out = Array::new();
    for item in items {
        if max > 0 && out.len() >= max {
            return Err(EvalAltResult::ErrorDataTooLarge(
                "Size of array/BLOB".into(),
                Position::NONE,
            )
            .into());
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

fn split(ctx: NativeCallContext, s: &mut ImmutableString, d: &str) -> Result<Array> {
    if whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(&ctx, s.split(d).map(ImmutableString::from))
}

fn splitn(ctx: NativeCallContext, s: &mut ImmutableString, d: &str, n: INT) -> Result<Array> {
    if n <= 1 || whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(&ctx, s.splitn(pieces(n), d).map(ImmutableString::from))
}

fn rsplit(ctx: NativeCallContext, s: &mut ImmutableString, d: &str) -> Result<Array> {
    if whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(&ctx, s.rsplit(d).map(ImmutableString::from))
}

fn rsplitn(ctx: NativeCallContext, s: &mut ImmutableString, d: &str, n: INT) -> Result<Array> {
    if n <= 1 || whole(s, d) {
        return Ok(vec![s.clone().into()]);
    }
    bounded(&ctx, s.rsplitn(pieces(n), d).map(ImmutableString::from))
}

fn split_char(ctx: NativeCallContext, s: &mut ImmutableString, c: char) -> Result<Array> {
    split(ctx, s, c.encode_utf8(&mut [0; 4]))
}

fn splitn_char(ctx: NativeCallContext, s: &mut ImmutableString, c: char, n: INT) -> Result<Array> {
    splitn(ctx, s, c.encode_utf8(&mut [0; 4]), n)
}

fn rsplit_char(ctx: NativeCallContext, s: &mut ImmutableString, c: char) -> Result<Array> {
    rsplit(ctx, s, c.encode_utf8(&mut [0; 4]))
}

fn rsplitn_char(ctx: NativeCallContext, s: &mut ImmutableString, c: char, n: INT) -> Result<Array> {
    rsplitn(ctx, s, c.encode_utf8(&mut [0; 4]), n)
}

fn split_whitespace(ctx: NativeCallContext, s: &mut ImmutableString) -> Result<Array> {
    if s.is_empty() {
        return Ok(vec![s.clone().into()]);
    }
    bounded(&ctx, s.split_whitespace().map(ImmutableString::from))
}

fn to_chars(ctx: NativeCallContext, s: &str) -> Result<Array> {
    bounded(&ctx, s.chars())
}

fn blob_to_array(ctx: NativeCallContext, b: &mut Blob) -> Result<Array> {
    bounded(&ctx, b.iter().map(|&byte| INT::from(byte)))
}

/// Register the bounded splits.
pub fn register(engine: &mut Engine) {
    engine
        .register_fn("split", split)
        .register_fn("split", splitn)
        .register_fn("split", split_char)
        .register_fn("split", splitn_char)
        .register_fn("split", split_whitespace)
        .register_fn("split_rev", rsplit)
        .register_fn("split_rev", rsplitn)
        .register_fn("split_rev", rsplit_char)
        .register_fn("split_rev", rsplitn_char)
        .register_fn("to_chars", to_chars)
        .register_fn("to_array", blob_to_array);
}

//! Durations written in scripts: a number of seconds, integer or float, within the longest
//! duration a run accepts.

use rhai::Dynamic;

use crate::limits::MAX_DURATION_SECS;

/// A number of seconds (integer or float) from 0 to [`MAX_DURATION_SECS`].
pub(crate) fn seconds(value: &Dynamic) -> Result<f64, String> {
    let s = if let Ok(i) = value.as_int() {
        i as f64
    } else {
        value
            .as_float()
            .map_err(|t| format!("expected a number of seconds, found {t}"))?
    };
    if !s.is_finite() || s < 0.0 {
        return Err(format!("{} (must be a number ≥ 0)", short(s)));
    }
    if s > MAX_DURATION_SECS {
        return Err(format!(
            "{} seconds is longer than the longest duration allowed ({MAX_DURATION_SECS} s, 365 days)",
            short(s)
        ));
    }
    Ok(s)
}

/// A number of seconds as a message shows it: `1e300`, not three hundred digits.
fn short(s: f64) -> String {
    if s.abs() >= 1e9 {
        format!("{s:e}")
    } else {
        s.to_string()
    }
}

//! FILE_CHECK: follow a `track_file`'s value as keepalived does. With
//! weight 0, a non-zero value is a fault (a zero one with `reverse`);
//! with a weight, the value times the weight (negated by `reverse`) is
//! added to the real server's weight. A missing or empty file reads 0.
//! The schedule rereads the file every second (keepalived uses inotify).

use super::plan::Probe;
use super::schedule::{Attempt, Weighting};
use crate::site::track::TrackFile;

/// C's `strtol(buf, NULL, 0)`: leading blanks, a sign, `0x` hex or `0`
/// octal, digits up to the first non-digit; 0 when there are none.
pub fn strtol(s: &str) -> i64 {
    let s = s.trim_start();
    let (neg, s) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (radix, digits) = if let Some(h) =
        s.strip_prefix("0x").or_else(|| s.strip_prefix("0X"))
    {
        (16, h)
    } else if s.starts_with('0') {
        (8, s)
    } else {
        (10, s)
    };
    let mut v: i64 = 0;
    for c in digits.chars() {
        let Some(d) = c.to_digit(radix) else { break };
        v = v
            .saturating_mul(i64::from(radix))
            .saturating_add(i64::from(d));
    }
    if neg {
        -v
    } else {
        v
    }
}

/// The checker's verdict for a file value.
pub fn verdict(tf: &TrackFile, value: i64) -> Attempt {
    let weight = i64::from(tf.weight.get());
    if weight == 0 {
        let fault = (value != 0) != tf.reverse;
        return if fault {
            Err(format!(
                "tracked file {} now FAULT state ({value})",
                tf.name
            ))
        } else {
            Ok(Weighting::Configured)
        };
    }
    let sign = if tf.reverse { -1 } else { 1 };
    match value.saturating_mul(weight).saturating_mul(sign) {
        d if d <= i64::from(i32::MIN) => Err(format!(
            "tracked file {} now FAULT state ({value})",
            tf.name
        )),
        0 => Ok(Weighting::Configured),
        d => Ok(Weighting::Offset(d)),
    }
}

pub fn check(p: &Probe) -> Attempt {
    let tf = p
        .track_file
        .as_ref()
        .ok_or_else(|| "no such track_file".to_string())?;
    let text = std::fs::read_to_string(tf.path).unwrap_or_default();
    verdict(tf, strtol(&text))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::site::Weight;

    fn tf(weight: i32, reverse: bool) -> TrackFile {
        TrackFile {
            name: "f",
            path: "/nonexistent",
            weight: Weight::new(weight),
            reverse,
            init_value: None,
            init_overwrite: false,
        }
    }

    #[test]
    fn strtol_like_c() {
        assert_eq!(strtol(" 42\n"), 42);
        assert_eq!(strtol("-7x"), -7);
        assert_eq!(strtol("0x1f"), 31);
        assert_eq!(strtol("010"), 8);
        assert_eq!(strtol("junk"), 0);
    }

    #[test]
    fn values_to_verdicts() {
        assert_eq!(verdict(&tf(0, false), 0), Ok(Weighting::Configured));
        assert!(verdict(&tf(0, false), 3).is_err());
        assert!(verdict(&tf(0, true), 0).is_err());
        assert_eq!(verdict(&tf(2, false), 3), Ok(Weighting::Offset(6)));
        assert_eq!(verdict(&tf(2, true), 3), Ok(Weighting::Offset(-6)));
        assert_eq!(verdict(&tf(5, false), 0), Ok(Weighting::Configured));
    }
}

//! Console lines on stderr: `2024-05-01 12:00:00.123 kacd[42]: message`
//! (UTC; with `-D` the level and the module that logged).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use ::log::{Level, Record};

/// Writes one line to stderr; errors are dropped (there is nowhere left
/// to report them).
pub fn write(pid: u32, detail: bool, record: &Record<'_>, message: &str) {
    let line = format_line(
        SystemTime::now(),
        pid,
        detail.then(|| (record.level(), record.target())),
        message,
    );
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Formats a console line (with its newline).
pub fn format_line(
    at: SystemTime,
    pid: u32,
    detail: Option<(Level, &str)>,
    message: &str,
) -> String {
    let stamp = utc_stamp(at);
    match detail {
        Some((level, target)) => format!(
            "{stamp} {}[{pid}] {level} {target}: {message}\n",
            super::IDENT
        ),
        None => format!("{stamp} {}[{pid}]: {message}\n", super::IDENT),
    }
}

/// `YYYY-MM-DD HH:MM:SS.mmm` in UTC.
pub fn utc_stamp(at: SystemTime) -> String {
    let d = at.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = d.as_secs();
    let (y, m, day) = civil_from_days((secs / 86_400) as i64);
    let s = secs % 86_400;
    format!(
        "{y:04}-{m:02}-{day:02} {:02}:{:02}:{:02}.{:03}",
        s / 3600,
        s / 60 % 60,
        s % 60,
        d.subsec_millis()
    )
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's days-to-civil algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn stamps() {
        assert_eq!(utc_stamp(UNIX_EPOCH), "1970-01-01 00:00:00.000");
        // 2000-02-29 (a leap day in a century year) 13:14:15.678
        let t = UNIX_EPOCH + Duration::from_millis(951_830_055_678);
        assert_eq!(utc_stamp(t), "2000-02-29 13:14:15.678");
        let t = UNIX_EPOCH + Duration::from_secs(1_767_225_599);
        assert_eq!(utc_stamp(t), "2025-12-31 23:59:59.000");
    }

    #[test]
    fn lines() {
        let l = format_line(UNIX_EPOCH, 7, None, "Stopped");
        assert_eq!(l, "1970-01-01 00:00:00.000 kacd[7]: Stopped\n");
        let l = format_line(
            UNIX_EPOCH,
            7,
            Some((Level::Debug, "kac_runtime::vrrp")),
            "x",
        );
        assert!(l.ends_with("kacd[7] DEBUG kac_runtime::vrrp: x\n"), "{l}");
    }
}

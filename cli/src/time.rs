//! Times on the command line: `--expires` values and the times `inspect` prints.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Parses an expiry: Unix seconds, `YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SSZ`, or a duration
/// from `now` (`30d`, `12h`, `90m`, `45s`, `2w`).
pub(crate) fn parse_time(s: &str, now: u64) -> Result<u64, String> {
    let s = s.trim();
    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_err(|_| format!("{s:?} is out of range"));
    }
    if let Some(unit) = s.chars().last().filter(|c| "smhdw".contains(*c)) {
        let num = &s[..s.len() - 1];
        if !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit()) {
            let n: u64 = num.parse().map_err(|_| format!("{s:?} is out of range"))?;
            let mul = match unit {
                's' => 1,
                'm' => 60,
                'h' => 3600,
                'd' => 86_400,
                _ => 7 * 86_400,
            };
            return n
                .checked_mul(mul)
                .and_then(|d| now.checked_add(d))
                .ok_or_else(|| format!("{s:?} is out of range"));
        }
    }
    parse_rfc3339(s).ok_or_else(|| {
        format!(
            "{s:?} is not a time (Unix seconds, YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ, or 30d/12h/90m)"
        )
    })
}

fn parse_rfc3339(s: &str) -> Option<u64> {
    let (date, time) = match s.split_once(['T', ' ']) {
        Some((d, t)) => (
            d,
            Some(t.strip_suffix('Z').or_else(|| t.strip_suffix("+00:00"))?),
        ),
        None => (s, None),
    };
    let mut d = date.split('-');
    let (y, m, day) = (d.next()?, d.next()?, d.next()?);
    if d.next().is_some() || y.len() != 4 || m.len() != 2 || day.len() != 2 {
        return None;
    }
    let (y, m, day): (i64, u32, u32) = (y.parse().ok()?, m.parse().ok()?, day.parse().ok()?);
    if !(1..=12).contains(&m) || day == 0 || day > days_in_month(y, m) {
        return None;
    }
    let (hh, mm, ss) = match time {
        None => (0, 0, 0),
        Some(t) => {
            let mut p = t.split(':');
            let (a, b, c) = (p.next()?, p.next()?, p.next()?);
            if p.next().is_some() || a.len() != 2 || b.len() != 2 || c.len() != 2 {
                return None;
            }
            let (a, b, c): (u64, u64, u64) = (a.parse().ok()?, b.parse().ok()?, c.parse().ok()?);
            if a > 23 || b > 59 || c > 59 {
                return None;
            }
            (a, b, c)
        }
    };
    let days = days_from_civil(y, m, day);
    u64::try_from(days)
        .ok()
        .map(|d| d * 86_400 + hh * 3600 + mm * 60 + ss)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// `YYYY-MM-DDTHH:MM:SSZ` for Unix seconds (H. Hinnant's `civil_from_days`).
pub(crate) fn format_time(t: u64) -> String {
    let days = (t / 86_400) as i64;
    let secs = t % 86_400;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(parse_time("1700000000", 0), Ok(1_700_000_000));
        assert_eq!(parse_time("1970-01-01", 0), Ok(0));
        assert_eq!(parse_time("2000-02-29T12:30:05Z", 0), Ok(951_827_405));
        assert_eq!(format_time(951_827_405), "2000-02-29T12:30:05Z");
        assert_eq!(parse_time("2038-01-19T03:14:08Z", 0), Ok(1 << 31));
        assert_eq!(parse_time("30d", 100), Ok(100 + 30 * 86_400));
        assert_eq!(parse_time("12h", 0), Ok(12 * 3600));
        assert_eq!(parse_time("2w", 0), Ok(14 * 86_400));
        for t in [0, 59, 86_399, 951_827_405, 4_102_444_800, 253_402_300_799] {
            assert_eq!(parse_time(&format_time(t), 0), Ok(t), "{t}");
        }
        for bad in [
            "",
            "tomorrow",
            "2001-02-29",
            "2000-13-01",
            "2000-01-01T24:00:00Z",
            "2000-01-01T00:00:00+01:00",
            "12x",
            "d",
            "-5",
            "99999999999999999999",
            "99999999999999999999d",
        ] {
            assert!(parse_time(bad, 0).is_err(), "{bad:?}");
        }
    }
}

//! Timestamps as the formats read them: civil date and time, an optional UTC offset, and the precision the log
//! wrote. Rendered as RFC 3339 for output and as Unix milliseconds for bucketing.
//!
//! Written by hand rather than with `time`/`chrono`: the formats parse digits straight from the line on the hot
//! path, and all that is needed afterwards is days-from-civil arithmetic (Howard Hinnant's algorithm) and a
//! fixed-width writer, which allocate nothing.

use std::fmt::Write as _;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Timestamp {
    pub year: i32,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
    pub nanos: u32,
    /// Digits of fractional seconds the log wrote (0, 3, 6 or 9 when output).
    pub frac_digits: u8,
    /// Offset from UTC in minutes when the log said it; `None` for local times of unknown zone.
    pub offset_minutes: Option<i16>,
}

/// Three-letter English month names, as syslog, Apache and friends write them.
pub fn month_from_abbrev(s: &[u8]) -> Option<u8> {
    if s.len() < 3 {
        return None;
    }
    let m = [
        s[0].to_ascii_lowercase(),
        s[1].to_ascii_lowercase(),
        s[2].to_ascii_lowercase(),
    ];
    Some(match &m {
        b"jan" => 1,
        b"feb" => 2,
        b"mar" => 3,
        b"apr" => 4,
        b"may" => 5,
        b"jun" => 6,
        b"jul" => 7,
        b"aug" => 8,
        b"sep" => 9,
        b"oct" => 10,
        b"nov" => 11,
        b"dec" => 12,
        _ => return None,
    })
}

/// Whether `y` is a leap year of the proleptic Gregorian calendar.
pub fn is_leap_year(y: i32) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// The number of days of month `m` (1–12) of year `y`; 0 for a month that does not exist.
pub fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(y: i32, m: u8, d: u8) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i32, u8, u8) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

impl Timestamp {
    /// A timestamp from Unix seconds and nanoseconds, in UTC.
    pub fn from_unix(secs: i64, nanos: u32, frac_digits: u8) -> Timestamp {
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        Timestamp {
            year,
            month,
            day,
            hour: (rem / 3600) as u8,
            minute: (rem % 3600 / 60) as u8,
            second: (rem % 60) as u8,
            nanos,
            frac_digits,
            offset_minutes: Some(0),
        }
    }

    /// Whether this is a real instant that RFC 3339 can write: year 0000–9999, month 1–12, a day the month has
    /// (29 February in leap years only), hour ≤ 23, minute ≤ 59, second ≤ 59 — or 60 for a leap second, which
    /// (as RFC 3339 §5.7 and the `time` crate have it) can only be the last second of the last day of a month in
    /// UTC (a local time of unknown zone is taken as UTC) — and an offset within ±23:59. Every format builds its
    /// timestamps through [`crate::formats::scan::ts`], which calls this: an impossible date means no `ts`, and the
    /// event keeps its text.
    pub fn is_valid(&self) -> bool {
        (0..=9999).contains(&self.year)
            && (1..=12).contains(&self.month)
            && self.day >= 1
            && self.day <= days_in_month(self.year, self.month)
            && self.hour < 24
            && self.minute < 60
            && (self.second < 60 || (self.second == 60 && self.is_leap_second()))
            && self.nanos < 1_000_000_000
            && self
                .offset_minutes
                .is_none_or(|o| o.unsigned_abs() < 24 * 60)
    }

    /// `23:59:60` UTC on the last day of a month (the fields are otherwise valid).
    fn is_leap_second(&self) -> bool {
        let before = days_from_civil(self.year, self.month, self.day) * 86_400
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + 59
            - self.offset_minutes.unwrap_or(0) as i64 * 60;
        let next = before + 1;
        next.rem_euclid(86_400) == 0 && civil_from_days(next.div_euclid(86_400)).2 == 1
    }

    /// Milliseconds since the Unix epoch. Local times of unknown zone are taken as UTC.
    pub fn unix_millis(&self) -> i64 {
        let days = days_from_civil(self.year, self.month, self.day);
        let secs =
            days * 86_400 + self.hour as i64 * 3600 + self.minute as i64 * 60 + self.second as i64
                - self.offset_minutes.unwrap_or(0) as i64 * 60;
        secs * 1000 + (self.nanos / 1_000_000) as i64
    }

    /// RFC 3339, e.g. `2015-10-18T18:01:47.978` or `2024-03-01T10:00:00.123+01:00`. Without a known offset
    /// the zone is left out (a local time), as RFC 3339's "unknown local offset" would otherwise claim UTC.
    pub fn write_rfc3339(&self, out: &mut String) {
        // Digits by hand: this runs once per event on the output path, where `write!` costs more than the rest.
        if (0..=9999).contains(&self.year) {
            push_digits(out, self.year as u32, 4);
        } else {
            let _ = write!(out, "{:04}", self.year);
        }
        out.push('-');
        push_digits(out, self.month as u32, 2);
        out.push('-');
        push_digits(out, self.day as u32, 2);
        out.push('T');
        push_digits(out, self.hour as u32, 2);
        out.push(':');
        push_digits(out, self.minute as u32, 2);
        out.push(':');
        push_digits(out, self.second as u32, 2);
        match self.frac_digits {
            0 => {}
            1..=3 => {
                out.push('.');
                push_digits(out, self.nanos / 1_000_000, 3);
            }
            4..=6 => {
                out.push('.');
                push_digits(out, self.nanos / 1_000, 6);
            }
            _ => {
                out.push('.');
                push_digits(out, self.nanos, 9);
            }
        }
        match self.offset_minutes {
            None => {}
            Some(0) => out.push('Z'),
            Some(off) => {
                out.push(if off < 0 { '-' } else { '+' });
                let a = off.unsigned_abs() as u32;
                push_digits(out, a / 60, 2);
                out.push(':');
                push_digits(out, a % 60, 2);
            }
        }
    }

    pub fn to_rfc3339(&self) -> String {
        let mut s = String::with_capacity(32);
        self.write_rfc3339(&mut s);
        s
    }
}

/// Appends the last `width` decimal digits of `v`, zero-padded.
fn push_digits(out: &mut String, v: u32, width: u32) {
    let mut div = 10u32.pow(width - 1);
    let v = v % (div * 10);
    while div > 0 {
        out.push((b'0' + (v / div % 10) as u8) as char);
        div /= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 59, 365, 11_000, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }

    #[test]
    fn rfc3339_rendering() {
        let t = Timestamp {
            year: 2015,
            month: 10,
            day: 18,
            hour: 18,
            minute: 1,
            second: 47,
            nanos: 978_000_000,
            frac_digits: 3,
            offset_minutes: None,
        };
        assert_eq!(t.to_rfc3339(), "2015-10-18T18:01:47.978");
        let t = Timestamp {
            offset_minutes: Some(-330),
            frac_digits: 0,
            ..t
        };
        assert_eq!(t.to_rfc3339(), "2015-10-18T18:01:47-05:30");
        assert_eq!(
            Timestamp::from_unix(0, 0, 0).to_rfc3339(),
            "1970-01-01T00:00:00Z"
        );
        assert_eq!(
            Timestamp::from_unix(1_445_191_307, 978_000_000, 3).unix_millis(),
            1_445_191_307_978
        );
    }

    fn at(y: i32, mo: u8, d: u8, h: u8, mi: u8, s: u8, off: Option<i16>) -> bool {
        Timestamp {
            year: y,
            month: mo,
            day: d,
            hour: h,
            minute: mi,
            second: s,
            nanos: 0,
            frac_digits: 0,
            offset_minutes: off,
        }
        .is_valid()
    }

    #[test]
    fn impossible_dates_are_not_valid() {
        let z = Some(0);
        assert!(at(2026, 1, 31, 10, 0, 0, z));
        assert!(!at(2026, 2, 31, 10, 0, 0, z));
        assert!(!at(2026, 2, 29, 10, 0, 0, z));
        assert!(at(2024, 2, 29, 10, 0, 0, z));
        assert!(at(2000, 2, 29, 10, 0, 0, z));
        assert!(!at(1900, 2, 29, 10, 0, 0, z));
        assert!(!at(2026, 4, 31, 10, 0, 0, z));
        assert!(at(2026, 12, 31, 23, 59, 59, z));
        assert!(!at(2026, 13, 1, 0, 0, 0, z));
        assert!(!at(2026, 0, 1, 0, 0, 0, z));
        assert!(!at(2026, 1, 0, 0, 0, 0, z));
        assert!(!at(2026, 1, 1, 24, 0, 0, z));
        assert!(!at(2026, 1, 1, 0, 60, 0, z));
        assert!(!at(2026, 1, 1, 0, 0, 61, z));
        assert!(!at(10_000, 1, 1, 0, 0, 0, z));
        assert!(!at(-1, 1, 1, 0, 0, 0, z));
        // Offsets up to ±23:59.
        assert!(at(2026, 1, 1, 0, 0, 0, Some(23 * 60 + 59)));
        assert!(at(2026, 1, 1, 0, 0, 0, Some(-(23 * 60 + 59))));
        assert!(!at(2026, 1, 1, 0, 0, 0, Some(24 * 60)));
        // Leap seconds: the last second of a month's last day, in UTC.
        assert!(at(2016, 12, 31, 23, 59, 60, z));
        assert!(at(2015, 6, 30, 23, 59, 60, None));
        assert!(at(2017, 1, 1, 0, 59, 60, Some(60)));
        assert!(at(2016, 12, 31, 18, 29, 60, Some(-330)));
        assert!(!at(2016, 12, 30, 23, 59, 60, z));
        assert!(!at(2016, 12, 31, 23, 58, 60, z));
        assert!(!at(2016, 12, 31, 23, 59, 60, Some(60)));
    }

    #[test]
    fn months() {
        assert_eq!(month_from_abbrev(b"Jun"), Some(6));
        assert_eq!(month_from_abbrev(b"DEC"), Some(12));
        assert_eq!(month_from_abbrev(b"Foo"), None);
    }
}

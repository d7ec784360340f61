//! Byte-level helpers shared by the format parsers: digits, dates, times, zones, tokens and levels.
//!
//! Everything works on the line's bytes with explicit indices and returns `None` as soon as the shape does not
//! fit, so a parser can reject a line of another format after looking at a handful of bytes. Indices found by
//! looking for ASCII bytes are always `char` boundaries, so spans built from them slice the line safely.

use crate::event::{Level, Span};
use crate::timestamp::{month_from_abbrev, Timestamp};

#[inline]
pub fn is_digit(b: &[u8], i: usize) -> bool {
    b.get(i).is_some_and(|c| c.is_ascii_digit())
}

#[inline]
pub fn is_ws(c: u8) -> bool {
    c == b' ' || c == b'\t'
}

/// Exactly `n` ASCII digits at `i`.
#[inline]
pub fn num(b: &[u8], i: usize, n: usize) -> Option<u32> {
    let s = b.get(i..i + n)?;
    let mut v = 0u32;
    for &c in s {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

/// Between `min` and `max` digits at `i` (as many as there are, up to `max`): `(value, end)`.
#[inline]
pub fn num_var(b: &[u8], i: usize, min: usize, max: usize) -> Option<(u64, usize)> {
    let mut v = 0u64;
    let mut j = i;
    while j < b.len() && j - i < max && b[j].is_ascii_digit() {
        v = v * 10 + (b[j] - b'0') as u64;
        j += 1;
    }
    if j - i < min {
        return None;
    }
    Some((v, j))
}

/// The end of the run of digits starting at `i`.
#[inline]
pub fn digits_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && b[j].is_ascii_digit() {
        j += 1;
    }
    j
}

/// Skips spaces and tabs.
#[inline]
pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_ws(b[i]) {
        i += 1;
    }
    i
}

/// Skips spaces and tabs, requiring at least one.
#[inline]
pub fn ws1(b: &[u8], i: usize) -> Option<usize> {
    let j = skip_ws(b, i);
    (j > i).then_some(j)
}

/// The end of the token (run of non-space bytes) starting at `i`.
#[inline]
pub fn token_end(b: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < b.len() && !is_ws(b[j]) {
        j += 1;
    }
    j
}

/// A non-empty token at `i`: its end.
#[inline]
pub fn token(b: &[u8], i: usize) -> Option<usize> {
    let j = token_end(b, i);
    (j > i).then_some(j)
}

#[inline]
pub fn byte(b: &[u8], i: usize, c: u8) -> Option<usize> {
    (b.get(i) == Some(&c)).then_some(i + 1)
}

#[inline]
pub fn lit(b: &[u8], i: usize, s: &[u8]) -> Option<usize> {
    (b.get(i..i + s.len()) == Some(s)).then_some(i + s.len())
}

#[inline]
pub fn find(b: &[u8], from: usize, c: u8) -> Option<usize> {
    memchr::memchr(c, b.get(from..)?).map(|p| p + from)
}

/// First occurrence of `needle` at or after `from`.
#[inline]
pub fn find_str(b: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(b.get(from..)?, needle).map(|p| p + from)
}

/// `HH:MM:SS`: `(h, m, s, end)`.
#[inline]
pub fn hms(b: &[u8], i: usize) -> Option<(u8, u8, u8, usize)> {
    let h = num(b, i, 2)?;
    byte(b, i + 2, b':')?;
    let m = num(b, i + 3, 2)?;
    byte(b, i + 5, b':')?;
    let s = num(b, i + 6, 2)?;
    Some((h as u8, m as u8, s as u8, i + 8))
}

/// Fractional seconds after one of `seps`: `(nanos, digits, end)`; `(0, 0, i)` when there are none.
#[inline]
pub fn frac(b: &[u8], i: usize, seps: &[u8]) -> (u32, u8, usize) {
    match b.get(i) {
        Some(c) if seps.contains(c) && is_digit(b, i + 1) => {
            let (nanos, digits, end) = frac_digits(b, i + 1);
            (nanos, digits, end)
        }
        _ => (0, 0, i),
    }
}

/// The digits of a fraction at `i` (at most 9 are kept, the rest skipped): `(nanos, digits, end)`.
#[inline]
pub fn frac_digits(b: &[u8], i: usize) -> (u32, u8, usize) {
    let mut j = i;
    let mut v = 0u32;
    let mut n = 0u8;
    while j < b.len() && b[j].is_ascii_digit() {
        if n < 9 {
            v = v * 10 + (b[j] - b'0') as u32;
            n += 1;
        }
        j += 1;
    }
    let mut nanos = v;
    for _ in n..9 {
        nanos *= 10;
    }
    (nanos, n, j)
}

/// `YYYY<sep>MM<sep>DD`: `(year, month, day, end)`.
#[inline]
pub fn ymd(b: &[u8], i: usize, sep: u8) -> Option<(i32, u8, u8, usize)> {
    let y = num(b, i, 4)?;
    byte(b, i + 4, sep)?;
    let m = num(b, i + 5, 2)?;
    byte(b, i + 7, sep)?;
    let d = num(b, i + 8, 2)?;
    Some((y as i32, m as u8, d as u8, i + 10))
}

/// A zone designator: `Z`, `±HH:MM`, `±HHMM` or `±HH`: `(offset minutes, end)`.
#[inline]
pub fn zone(b: &[u8], i: usize) -> Option<(i16, usize)> {
    match b.get(i)? {
        b'Z' | b'z' => Some((0, i + 1)),
        c @ (b'+' | b'-') => {
            let sign: i16 = if *c == b'-' { -1 } else { 1 };
            let h = num(b, i + 1, 2)? as i16;
            let (m, end) = if b.get(i + 3) == Some(&b':') {
                (num(b, i + 4, 2)? as i16, i + 6)
            } else if let Some(m) = num(b, i + 3, 2) {
                (m as i16, i + 5)
            } else {
                (0, i + 3)
            };
            // RFC 3339's time-numoffset: hours 00–23, minutes 00–59.
            if h > 23 || m > 59 {
                return None;
            }
            Some((sign * (h * 60 + m), end))
        }
        _ => None,
    }
}

/// A validated timestamp.
#[allow(clippy::too_many_arguments)]
#[inline]
pub fn ts(
    year: i32,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    frac_digits: u8,
    offset_minutes: Option<i16>,
) -> Option<Timestamp> {
    let t = Timestamp {
        year,
        month,
        day,
        hour,
        minute,
        second,
        nanos,
        frac_digits,
        offset_minutes,
    };
    t.is_valid().then_some(t)
}

/// ISO 8601 / RFC 3339 at `i`: `YYYY-MM-DD[T ]HH:MM[:SS][(.|,)fff][Z|±HH[:]MM]`: `(timestamp, end)`.
/// A zone separated by a space is not taken (Serilog writes one; its parser reads it itself).
pub fn iso8601(b: &[u8], i: usize) -> Option<(Timestamp, usize)> {
    let (y, mo, d, j) = ymd(b, i, b'-')?;
    let j = match b.get(j)? {
        b'T' | b't' | b' ' => j + 1,
        _ => return None,
    };
    let h = num(b, j, 2)?;
    byte(b, j + 2, b':')?;
    let mi = num(b, j + 3, 2)?;
    let (s, j) = if b.get(j + 5) == Some(&b':') {
        (num(b, j + 6, 2)?, j + 8)
    } else {
        (0, j + 5)
    };
    let (nanos, fd, j) = frac(b, j, b".,");
    let (off, j) = match zone(b, j) {
        Some((o, e)) => (Some(o), e),
        // A sign and a digit glued to the time is an offset that is out of range (`+24:00`): the time is not
        // valid (taking it as a local time would move it by the offset).
        None if matches!(b.get(j), Some(b'+' | b'-'))
            && b.get(j + 1).is_some_and(u8::is_ascii_digit) =>
        {
            return None
        }
        None => (None, j),
    };
    let t = ts(y, mo, d, h as u8, mi as u8, s as u8, nanos, fd, off)?;
    Some((t, j))
}

/// `Mon` (three-letter English month) at `i`.
#[inline]
pub fn month_abbrev(b: &[u8], i: usize) -> Option<u8> {
    let s = b.get(i..i + 3)?;
    if !s.iter().all(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    month_from_abbrev(s)
}

/// The level named by `b[s..e]`, if it is a level word.
#[inline]
pub fn level_of(b: &[u8], s: usize, e: usize) -> Option<Level> {
    if e <= s || e - s > 11 {
        return None;
    }
    std::str::from_utf8(b.get(s..e)?)
        .ok()
        .and_then(Level::parse)
}

/// A level word of at least three letters at `i`, ended by a space, tab or end of line: `(level, end)`.
/// (Single letters such as `I` or `E` are levels only where a format says so: logcat, klog.)
#[inline]
pub fn level_token(b: &[u8], i: usize) -> Option<(Level, usize)> {
    let e = token(b, i)?;
    if e - i < 3 {
        return None;
    }
    Some((level_of(b, i, e)?, e))
}

/// Two-digit years (`081109`, `17/06/09`) are 20xx.
#[inline]
pub fn year2(yy: u32) -> i32 {
    2000 + yy as i32
}

#[inline]
pub fn span(s: usize, e: usize) -> Span {
    Span::new(s, e)
}

/// A span, or `None` when it is empty or is a single `-` (the usual "no value").
#[inline]
pub fn opt_span(b: &[u8], s: usize, e: usize) -> Option<Span> {
    if e <= s || (e - s == 1 && b[s] == b'-') {
        None
    } else {
        Some(Span::new(s, e))
    }
}

/// The end of `b[s..e]` without trailing spaces and tabs.
#[inline]
pub fn trim_end(b: &[u8], s: usize, mut e: usize) -> usize {
    while e > s && is_ws(b[e - 1]) {
        e -= 1;
    }
    e
}

/// `[...]` at `i`, closed by the first `]` that is followed by a space, a tab or the end of the line (so thread
/// names with spaces or brackets inside are read whole): `(content start, content end, end after the `]`)`.
#[inline]
pub fn bracket_ws(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    byte(b, i, b'[')?;
    let mut j = i + 1;
    loop {
        let p = find(b, j, b']')?;
        if p + 1 == b.len() || is_ws(b[p + 1]) {
            return Some((i + 1, p, p + 1));
        }
        j = p + 1;
    }
}

/// `b[s..e]` without surrounding spaces, or `None` when nothing is left.
#[inline]
pub fn trimmed(b: &[u8], s: usize, e: usize) -> Option<Span> {
    let s = skip_ws(b, s).min(e);
    let e = trim_end(b, s, e);
    (e > s).then(|| Span::new(s, e))
}

/// A syslog tag: `prog[pid]: `.
#[derive(Debug, Clone, Copy)]
pub struct Tag {
    pub component: Span,
    pub pid: Option<Span>,
    /// macOS's ASL level after the pid: `prog[pid] <Error>: msg`.
    pub level: Option<Level>,
    /// Where the message starts.
    pub message: usize,
}

/// The syslog tag after the host, as loghub's `<Component>(\[<PID>\])?: <Content>` reads it: the shortest text
/// followed by `: ` or by `[pid]: ` (macOS adds ` (address)` or ` <Level>` after the pid). `None` when the line
/// has no tag.
pub fn syslog_tag(b: &[u8], start: usize) -> Option<Tag> {
    let mut j = start;
    while j < b.len() {
        let p = memchr::memchr2(b':', b'[', &b[j..]).map(|p| p + j)?;
        if b[p] == b':' {
            if p > start && (p + 1 == b.len() || is_ws(b[p + 1])) {
                return Some(Tag {
                    component: span(start, p),
                    pid: None,
                    level: None,
                    message: skip_ws(b, p + 1),
                });
            }
        } else if p > start {
            if let Some(close) = find(b, p + 1, b']') {
                let mut k = close + 1;
                let mut level = None;
                if b.get(k) == Some(&b' ') {
                    match b.get(k + 1) {
                        // macOS: `prog[pid] (address): msg`
                        Some(b'(') => {
                            if let Some(cp) = find(b, k + 2, b')') {
                                if b.get(cp + 1) == Some(&b':') {
                                    k = cp + 1;
                                }
                            }
                        }
                        // macOS ASL: `prog[pid] <Notice>: msg`
                        Some(b'<') => {
                            if let Some(gt) = find(b, k + 2, b'>') {
                                if b.get(gt + 1) == Some(&b':') && gt - k < 16 {
                                    level = level_of(b, k + 2, gt);
                                    k = gt + 1;
                                }
                            }
                        }
                        _ => {}
                    }
                }
                if b.get(k) == Some(&b':') && (k + 1 == b.len() || is_ws(b[k + 1])) {
                    return Some(Tag {
                        component: span(start, p),
                        pid: opt_span(b, p + 1, close),
                        level,
                        message: skip_ws(b, k + 1),
                    });
                }
            }
        }
        j = p + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_variants() {
        let f = |s: &str| iso8601(s.as_bytes(), 0).map(|(t, e)| (t.to_rfc3339(), e));
        assert_eq!(
            f("2024-01-15T10:23:45.123Z x"),
            Some(("2024-01-15T10:23:45.123Z".into(), 24))
        );
        assert_eq!(
            f("2024-01-15 10:23:45,123"),
            Some(("2024-01-15T10:23:45.123".into(), 23))
        );
        assert_eq!(
            f("2024-01-15T10:23:45.123456789+05:30"),
            Some(("2024-01-15T10:23:45.123456789+05:30".into(), 35))
        );
        assert_eq!(
            f("2024-01-15T10:23-0800"),
            Some(("2024-01-15T10:23:00-08:00".into(), 21))
        );
        assert_eq!(f("2024-13-15T10:23:45"), None);
        assert_eq!(f("2024-01-15X10:23:45"), None);
    }

    #[test]
    fn tags() {
        let t = |b: &[u8]| {
            syslog_tag(b, 0).map(|t| {
                let s = |x: Span| {
                    std::str::from_utf8(&b[x.start as usize..x.end as usize])
                        .unwrap()
                        .to_string()
                };
                (
                    s(t.component),
                    t.pid.map(s),
                    t.level,
                    std::str::from_utf8(&b[t.message..]).unwrap().to_string(),
                )
            })
        };
        assert_eq!(
            t(b"sshd(pam_unix)[19939]: authentication failure"),
            Some((
                "sshd(pam_unix)".into(),
                Some("19939".into()),
                None,
                "authentication failure".into()
            ))
        );
        assert_eq!(
            t(b"syslogd 1.4.1: restart."),
            Some(("syslogd 1.4.1".into(), None, None, "restart.".into()))
        );
        assert_eq!(
            t(b"sandboxd[129] ([31211]): com.apple.Addres(31211) deny"),
            Some((
                "sandboxd".into(),
                Some("129".into()),
                None,
                "com.apple.Addres(31211) deny".into()
            ))
        );
        assert_eq!(
            t(b"Docker[588] <Notice>: VM shutdown"),
            Some((
                "Docker".into(),
                Some("588".into()),
                Some(Level::Info),
                "VM shutdown".into()
            ))
        );
        assert_eq!(
            t(b"Microsoft Word[14463]: Cocoa scripting error for '0x00660011': four"),
            Some((
                "Microsoft Word".into(),
                Some("14463".into()),
                None,
                "Cocoa scripting error for '0x00660011': four".into()
            ))
        );
        assert!(t(b"no tag here").is_none());
    }
}

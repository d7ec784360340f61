//! Lines of no known format: the whole line is the message; a timestamp found anywhere in it is kept, and a
//! level word near its start.
//!
//! Timestamps: ISO 8601 / RFC 3339 (`2024-01-15T10:23:45.123Z`, `2024-01-15 10:23:45,123`), `2024/01/15
//! 10:23:45`, syslog's `Jan 15 10:23:45` (the context's year), Apache's `15/Jan/2024:10:23:45 +0000`, and an
//! epoch in seconds or milliseconds at the start of the line. Levels: a level word in the first 64 bytes that
//! stands alone — in capitals (` ERROR `, `WARN:`), or in any case inside brackets (`[warn]`, `<info>`) or as
//! the first word followed by a colon (`error: ...`).

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{Header, Level};
use crate::timestamp::Timestamp;

pub fn header(line: &str, ctx: &ParseContext) -> Header {
    let b = line.as_bytes();
    Header {
        format: FormatId::Unknown,
        ts: find_timestamp(b, ctx),
        level: find_level(b),
        ..Header::default()
    }
}

/// How far into a line a timestamp is looked for.
const TS_SCAN: usize = 512;
/// How far into a line a level word is looked for.
const LEVEL_SCAN: usize = 64;

fn find_timestamp(b: &[u8], ctx: &ParseContext) -> Option<Timestamp> {
    if let Some(t) = leading_epoch(b) {
        return Some(t);
    }
    let end = b.len().min(TS_SCAN);
    let mut i = 0;
    while i < end {
        let c = b[i];
        if !c.is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        // A word starts here: only a digit or a capital can start a timestamp.
        if c.is_ascii_digit() || c.is_ascii_uppercase() {
            let found = if c.is_ascii_digit() {
                at_digit(b, i)
            } else {
                super::syslog::bsd_timestamp(b, i, ctx.default_year).map(|x| x.0)
            };
            if found.is_some() {
                return found;
            }
        }
        // The rest of the word cannot start one.
        i += 1;
        while i < end && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
    }
    None
}

fn at_digit(b: &[u8], i: usize) -> Option<Timestamp> {
    if is_digit(b, i + 3) {
        match b.get(i + 4) {
            Some(b'-') => return iso8601(b, i).map(|x| x.0),
            Some(b'/') => {
                let (y, mo, d, j) = ymd(b, i, b'/')?;
                let j = match b.get(j)? {
                    b' ' | b'T' | b'-' | b':' => j + 1,
                    _ => return None,
                };
                let (h, m, s, j) = hms(b, j)?;
                let (nanos, fd, _) = frac(b, j, b".,");
                return ts(y, mo, d, h, m, s, nanos, fd, None);
            }
            _ => {}
        }
    }
    if b.get(i + 2) == Some(&b'/') && b.get(i + 6) == Some(&b'/') {
        return super::access::clf_timestamp(b, i).map(|x| x.0);
    }
    None
}

/// Unix seconds (10 digits) or milliseconds (13) at the very start of the line.
fn leading_epoch(b: &[u8]) -> Option<Timestamp> {
    let e = digits_end(b, 0);
    if !(e == 10 || e == 13) {
        return None;
    }
    match b.get(e) {
        None | Some(b' ' | b'\t' | b'.' | b',' | b']' | b'|' | b':') => {}
        _ => return None,
    }
    let mut end = e;
    if e == 10 && b.get(e) == Some(&b'.') && is_digit(b, e + 1) {
        end = digits_end(b, e + 1);
    }
    super::json::epoch_value(&b[..end])
}

pub(crate) fn find_level(b: &[u8]) -> Option<Level> {
    let end = b.len().min(LEVEL_SCAN);
    let mut i = 0;
    while i < end {
        if !b[i].is_ascii_alphabetic() || (i > 0 && b[i - 1].is_ascii_alphanumeric()) {
            i += 1;
            continue;
        }
        let mut e = i;
        while e < b.len() && b[e].is_ascii_alphabetic() {
            e += 1;
        }
        let word = &b[i..e];
        let before = if i > 0 { b[i - 1] } else { b' ' };
        let after = b.get(e).copied().unwrap_or(b' ');
        if word.len() >= 3
            && word.len() <= 11
            && !after.is_ascii_digit()
            && after != b'_'
            && before != b'_'
        {
            let upper = word.iter().all(|c| c.is_ascii_uppercase());
            let bracketed = matches!((before, after), (b'[', b']') | (b'<', b'>') | (b'(', b')'));
            let leading_colon = i == 0 && after == b':';
            if upper || bracketed || leading_colon {
                if let Some(l) = level_of(b, i, e) {
                    return Some(l);
                }
            }
        }
        i = e;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    fn h(l: &str) -> (Option<String>, Option<&'static str>) {
        let h = header(l, &CTX);
        assert_eq!(h.format, FormatId::Unknown);
        assert_eq!(h.message_start, 0);
        assert_eq!(h.message_end, None);
        (h.ts.map(|t| t.to_rfc3339()), h.level.map(|l| l.as_str()))
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            h("prefix 2024-01-15T10:23:45.123+02:00 something")
                .0
                .as_deref(),
            Some("2024-01-15T10:23:45.123+02:00")
        );
        assert_eq!(
            h("[2024-01-15 10:23:45,123] boot").0.as_deref(),
            Some("2024-01-15T10:23:45.123")
        );
        assert_eq!(
            h("at 2024/01/15 10:23:45 done").0.as_deref(),
            Some("2024-01-15T10:23:45")
        );
        assert_eq!(
            h("<13>Jan  5 10:23:45 box hello").0.as_deref(),
            Some("2026-01-05T10:23:45")
        );
        assert_eq!(
            h("x [15/Jan/2024:10:23:45 +0000] y").0.as_deref(),
            Some("2024-01-15T10:23:45Z")
        );
        assert_eq!(
            h("1700000000 event").0.as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(
            h("1700000000123|event").0.as_deref(),
            Some("2023-11-14T22:13:20.123Z")
        );
        assert_eq!(h("version 12024-01-15 nothing").0, None);
        assert_eq!(h("just words").0, None);
        assert_eq!(h("12345678901234 long number").0, None);
    }

    #[test]
    fn levels() {
        assert_eq!(h("something ERROR happened").1, Some("ERROR"));
        assert_eq!(h("[warn] disk").1, Some("WARN"));
        assert_eq!(h("<Info> x").1, Some("INFO"));
        assert_eq!(h("error: could not open").1, Some("ERROR"));
        assert_eq!(h("WARNING: low memory").1, Some("WARN"));
        assert_eq!(h("an error occurred").1, None);
        assert_eq!(h("INFORMATIONAL_X").1, None);
        assert_eq!(h("I am here").1, None);
        assert_eq!(h(&format!("{} ERROR late", "x".repeat(80))).1, None);
    }
}

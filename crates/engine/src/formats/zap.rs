//! Tab-separated console lines: Go's zap console encoder (`zapcore.NewConsoleEncoder`, the default of
//! `zap.NewDevelopment`) and the encoders modelled on it.
//!
//! zapcore's `consoleEncoder.EncodeEntry` writes the entry's elements separated by tabs, each only when its key is
//! configured (<https://pkg.go.dev/go.uber.org/zap/zapcore#NewConsoleEncoder>): the time, the level, the logger's
//! name, the caller (`file.go:12`), the function, then the message, then the context fields as one JSON object
//! (`{"order": 7}`); a stack trace follows on the next lines. Time encoders: ISO 8601 / RFC 3339
//! (`2026-11-20T10:00:02.000Z`) and epoch seconds as a float (`1.7636328021e+09`, `1763632802.123`). Level
//! encoders: lower case, capitals, and both in ANSI colour (`\x1b[34mINFO\x1b[0m`).
//!
//! Read here: a time, a tab, a level, a tab, then tab-separated elements. The elements before the message are
//! words without blanks (the logger's name, the caller); the message is the first element with a blank, or the
//! last one before the JSON object. The logger's name (or else the caller) is the component; the caller is the
//! field `caller`, the JSON object the field `context`.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header, Level};
use crate::timestamp::Timestamp;

pub fn parse(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let t_end = find(b, 0, b'\t')?;
    let ts = time(b, t_end)?;
    let l_start = t_end + 1;
    let l_end = find(b, l_start, b'\t')?;
    let level = level(b, l_start, l_end)?;
    // The elements after the level: (start, end).
    let mut elems: Vec<(usize, usize)> = Vec::new();
    let mut s = l_end + 1;
    while s <= b.len() && elems.len() < 8 {
        let e = find(b, s, b'\t').unwrap_or(b.len());
        elems.push((s, e));
        if e == b.len() {
            break;
        }
        s = e + 1;
    }
    let is_json =
        |(s, e): (usize, usize)| b[s..e].first() == Some(&b'{') && b[s..e].last() == Some(&b'}');
    let context = elems
        .last()
        .copied()
        .filter(|x| elems.len() > 1 && is_json(*x));
    let plain = &elems[..elems.len() - context.is_some() as usize];
    let (&message, head) = plain.split_last()?;
    // The message is the first element with a blank; what comes before it are names.
    let at = head
        .iter()
        .position(|&(s, e)| b[s..e].contains(&b' '))
        .unwrap_or(head.len());
    let (names, message) = if at < head.len() {
        (&head[..at], head[at])
    } else {
        (head, message)
    };
    if names.len() > 3 || names.iter().any(|&(s, e)| s == e) {
        return None;
    }
    let is_caller = |(s, e): (usize, usize)| {
        let w = &b[s..e];
        w.iter().rposition(|c| *c == b':').is_some_and(|p| {
            p + 1 < w.len() && w[p + 1..].iter().all(u8::is_ascii_digit) && w[..p].contains(&b'.')
        })
    };
    let caller = names.iter().copied().find(|x| is_caller(*x));
    let logger = names.iter().copied().find(|x| !is_caller(*x));
    let mut fields = Vec::new();
    if let Some((s, e)) = caller {
        fields.push(("caller", FieldValue::Text(span(s, e))));
    }
    let message_end = if at < head.len() {
        // Elements after a message with blanks are part of it (a message with a tab in it).
        context.map_or(b.len(), |(s, _)| s - 1)
    } else {
        message.1
    };
    if let Some((s, e)) = context {
        fields.push(("context", FieldValue::Text(span(s, e))));
    }
    let component = logger.or(caller).map(|(s, e)| span(s, e));
    Some(Header {
        format: FormatId::Zap,
        ts: Some(ts),
        level: Some(level),
        component,
        message_start: message.0 as u32,
        message_end: (message_end < b.len()).then_some(message_end as u32),
        fields,
        ..Header::default()
    })
}

/// The time element `b[..e]`: ISO 8601 to its end, or epoch seconds (`1763632802.123`, `1.7636328021e+09`).
fn time(b: &[u8], e: usize) -> Option<Timestamp> {
    if let Some((t, end)) = iso8601(b, 0) {
        return (end == e).then_some(t);
    }
    let text = std::str::from_utf8(&b[..e]).ok()?;
    if !(10..=24).contains(&text.len())
        || !text
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+'))
    {
        return None;
    }
    let secs: f64 = text.parse().ok()?;
    // 2001-09-09 to 2286: a time, not some other number.
    if !(1e9..1e10).contains(&secs) {
        return None;
    }
    let ms = (secs * 1000.0).round() as i64;
    Some(Timestamp::from_unix(
        ms.div_euclid(1000),
        (ms.rem_euclid(1000) * 1_000_000) as u32,
        3,
    ))
}

/// The level element, maybe in ANSI colour (`ESC[34mINFO ESC[0m`).
fn level(b: &[u8], mut s: usize, mut e: usize) -> Option<Level> {
    if b.get(s) == Some(&0x1b) {
        s = find(b, s, b'm')? + 1;
        if s >= e {
            return None;
        }
        if let Some(p) = b[s..e].iter().position(|c| *c == 0x1b) {
            e = s + p;
        }
    }
    level_of(b, s, e)
}

#[cfg(test)]
mod tests {
    use super::super::test_util::{check, Want, CTX};
    use super::*;

    #[test]
    fn development_console_lines() {
        let l = "2026-11-20T10:00:02.000Z\tERROR\tpayments\tcharge/charge.go:42\tcharge failed\t{\"order\": 7}";
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "zap",
                ts: Some("2026-11-20T10:00:02.000Z"),
                level: Some("ERROR"),
                component: Some("payments"),
                message: "charge failed",
                fields: &[
                    ("caller", "charge/charge.go:42"),
                    ("context", "{\"order\": 7}"),
                ],
                ..Want::default()
            },
        );
        let l = "2026-11-20T10:00:03.000Z\tinfo\tmain.go:12\tserver started";
        let h = parse(l, &CTX).unwrap();
        assert_eq!(h.level, Some(Level::Info));
        assert_eq!(h.text_of(l, h.component.unwrap()), "main.go:12");
        let l = "1.7636328021e+09\t\u{1b}[33mWARN\u{1b}[0m\tdisk low";
        let h = parse(l, &CTX).unwrap();
        assert_eq!(h.level, Some(Level::Warn));
        assert!(h.ts.is_some());
    }

    #[test]
    fn other_tab_separated_text_is_not_zap() {
        for l in [
            "id\tname\tvalue",
            "2026-11-20T10:00:02.000Z\tnot-a-level\tmsg",
            "2026-11-20T10:00:02Z trailing\tERROR\tmsg",
            "12345\tINFO\tmsg",
            // An escape whose `m` is past the level element.
            "2026-11-20T10:00:02Z\t\u{1b}[3\tmsg m",
            "2026-11-20T10:00:02Z\t\u{1b}\t",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
    }
}

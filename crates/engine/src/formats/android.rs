//! Android logcat, `-v threadtime`: `03-17 16:13:38.811  1702  2395 D WindowManager: msg`. The date has no
//! year (the context's year is used); the tag is read as loghub reads it: the text up to the first `: `.
//! Levels: `V`erbose, `D`ebug, `I`nfo, `W`arn, `E`rror, `F`atal/`A`ssert.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{Header, Level};

pub fn parse(line: &str, ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let mo = num(b, 0, 2)?;
    byte(b, 2, b'-')?;
    let d = num(b, 3, 2)?;
    let i = byte(b, 5, b' ')?;
    let (h, m, s, i) = hms(b, i)?;
    let (nanos, fd, i) = frac(b, i, b".");
    let i = ws1(b, i)?;
    let pe = digits_end(b, i);
    if pe == i {
        return None;
    }
    let pid = span(i, pe);
    let i = ws1(b, pe)?;
    let te = digits_end(b, i);
    if te == i {
        return None;
    }
    let tid = span(i, te);
    let i = ws1(b, te)?;
    let level = match b.get(i)? {
        b'V' => Level::Trace,
        b'D' => Level::Debug,
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' | b'A' => Level::Fatal,
        _ => return None,
    };
    if !b.get(i + 1).is_some_and(|c| is_ws(*c)) {
        return None;
    }
    let t = skip_ws(b, i + 1);
    // The tag: up to the first `:` followed by a space (or the end of the line).
    let mut j = t;
    let (component, msg_start) = loop {
        match find(b, j, b':') {
            Some(c) if c + 1 == b.len() || is_ws(b[c + 1]) => {
                break (trimmed(b, t, c), skip_ws(b, c + 1))
            }
            Some(c) => j = c + 1,
            None => break (None, t),
        }
    };
    Some(Header {
        format: FormatId::AndroidLogcat,
        ts: Some(ts(
            ctx.default_year,
            mo as u8,
            d as u8,
            h,
            m,
            s,
            nanos,
            fd,
            None,
        )?),
        level: Some(level),
        component,
        pid: Some(pid),
        thread: Some(tid),
        message_start: msg_start as u32,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn logcat() {
        let l = "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992}}";
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "android_logcat",
                ts: Some("2026-03-17T16:13:38.811"),
                level: Some("DEBUG"),
                component: Some("WindowManager"),
                pid: Some("1702"),
                thread: Some("2395"),
                message: "printFreezingDisplayLogsopening app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992}}",
                ..Want::default()
            },
        );
        let l = "03-17 16:13:40.001 10037 10037 V PhoneStatusBar:setNotifications: called";
        let h = parse(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "TRACE");
        assert_eq!(
            h.component.unwrap().of(l),
            "PhoneStatusBar:setNotifications"
        );
        assert_eq!(msg(l, &h), "called");
        for l in [
            "03-17 16:13:38.811  1702  2395 X Tag: x",
            "2024-03-17 16:13:38.811  1702  2395 D Tag: x",
            "03-17 16:13:38.811 D/Tag( 1702): x",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
    }
}

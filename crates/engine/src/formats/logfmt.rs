//! logfmt: `time=2024-01-15T10:23:45Z level=info msg="user logged in" user=42` (logrus text, Go slog, Heroku,
//! Grafana tools, ...). Keys are mapped as for JSON lines (see `json.rs`). A line is logfmt when it starts with a
//! `key=value` pair, has at least two, and names at least one of timestamp, level or message. The message span
//! is the `msg` value (inside its quotes); without one the whole line is the message.

use super::json::{role, Acc, Value};
use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::Header;

#[inline]
fn key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b'@' | b'/')
}

pub fn parse(line: &str, ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let first = *b.first()?;
    if !(first.is_ascii_alphabetic() || first == b'_' || first == b'@') {
        return None;
    }
    let mut acc = Acc::default();
    let mut pairs = 0usize;
    let mut i = 0;
    let mut key = [0u8; 32];
    while i < b.len() {
        let ks = i;
        while i < b.len() && key_byte(b[i]) {
            i += 1;
        }
        let ke = i;
        if b.get(i) != Some(&b'=') || ke == ks {
            // A bare word: allowed after the first pair (flags), never first.
            if pairs == 0 {
                return None;
            }
            i = token_end(b, i);
            i = skip_ws(b, i);
            continue;
        }
        i += 1;
        let value = if b.get(i) == Some(&b'"') {
            let mut j = i + 1;
            let mut escaped = false;
            let close = loop {
                let p = memchr::memchr2(b'"', b'\\', b.get(j..)?)? + j;
                if b[p] == b'\\' {
                    escaped = true;
                    j = p + 2;
                } else {
                    break p;
                }
            };
            // go-logfmt and slog quote with Go's strconv.Quote rules, whose escapes (`\"`, `\\`, `\n`, `\t`,
            // `\uXXXX`) are JSON's for every character a log writes: decode them as JSON strings are decoded, so
            // `msg="a \"b\""` is `a "b"`.
            let v = Value::Str(i + 1, close, escaped);
            i = close + 1;
            if i < b.len() && !is_ws(b[i]) {
                return None;
            }
            v
        } else {
            let e = token_end(b, i);
            let v = Value::Scalar(i, e);
            i = e;
            v
        };
        pairs += 1;
        let klen = ke - ks;
        if klen <= key.len() {
            for (d, s) in key.iter_mut().zip(&b[ks..ke]) {
                *d = s.to_ascii_lowercase();
            }
            if let Some((r, p)) = role(&key[..klen]) {
                acc.offer(b, r, p, value);
            }
        }
        i = skip_ws(b, i);
    }
    if pairs < 2 || (acc.ts.is_none() && acc.level.is_none() && acc.message.is_none()) {
        return None;
    }
    // Docker's `log` + `stream` unwrapping is for JSON records only (it reads the inner line, which must not
    // lead back here).
    acc.stream = None;
    Some(acc.into_header(FormatId::Logfmt, line, ctx))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn logfmt() {
        let l =
            r#"time=2024-01-15T10:23:45.123Z level=info msg="user logged in" user=42 logger=auth"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "logfmt",
                ts: Some("2024-01-15T10:23:45.123Z"),
                level: Some("INFO"),
                component: Some("auth"),
                message: "user logged in",
                ..Want::default()
            },
        );
        assert_eq!(h.message_end, Some(60));
        let l = "ts=1700000000 lvl=error caller=db.go:12 trace_id=abc msg=timeout";
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "logfmt",
                ts: Some("2023-11-14T22:13:20Z"),
                level: Some("ERROR"),
                component: Some("db.go:12"),
                trace_id: Some("abc"),
                message: "timeout",
                ..Want::default()
            },
        );
        // A bare msg at the end runs to the end of the event (continuation lines included).
        assert_eq!(h.message_end, None);
        let l = r#"level=warn host=web-1 pid=12 thread=main msg="quote \" inside" dry"#;
        let h = parse(l, &CTX).unwrap();
        assert_eq!(msg(l, &h), r#"quote " inside"#);
        assert_eq!(h.host.unwrap().of(l), "web-1");
        assert_eq!(h.pid.unwrap().of(l), "12");
        assert_eq!(h.thread.unwrap().of(l), "main");
    }

    #[test]
    fn rejects() {
        for l in [
            "a=1 b=2",
            "level=info",
            "Hello level=info msg=x",
            "2024-01-15 10:23:45 level=info msg=x",
            r#"{"level":"info"}"#,
            r#"level=info msg="unterminated"#,
            "Jun 14 15:16:01 combo sshd[1]: level=info msg=x",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
    }
}

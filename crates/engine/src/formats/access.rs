//! Nginx/Apache access logs: the common log format and the combined one, optionally followed by more fields.
//!
//! `client ident user [10/Oct/2000:13:55:36 -0700] "GET /a?b=c HTTP/1.1" 200 2326 "referrer" "user agent" 0.123`
//!
//! The message is the text from the request on. Per-format fields: `client_ip`, `method`, `path`, `query`,
//! `status` (Int), `bytes` (Int; `-` leaves it out), `referrer`, `user_agent` (`-` leaves them out) and
//! `request_time` (Float seconds: a trailing decimal number, or `rt=`/`request_time=`/`upstream_response_time=`).
//! The level follows the status: 5xx ERROR, 4xx WARN, else INFO.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header, Level};

/// `dd/Mon/yyyy:HH:MM:SS ±zzzz` at `i`: `(timestamp, end)`.
pub fn clf_timestamp(b: &[u8], i: usize) -> Option<(crate::Timestamp, usize)> {
    let d = num(b, i, 2)?;
    byte(b, i + 2, b'/')?;
    let mo = month_abbrev(b, i + 3)?;
    byte(b, i + 6, b'/')?;
    let y = num(b, i + 7, 4)?;
    byte(b, i + 11, b':')?;
    let (h, m, s, j) = hms(b, i + 12)?;
    let (nanos, fd, j) = frac(b, j, b".");
    let (off, j) = match b.get(j) {
        Some(b' ') => {
            let (o, e) = zone(b, j + 1)?;
            (Some(o), e)
        }
        _ => (None, j),
    };
    Some((ts(y as i32, mo, d as u8, h, m, s, nanos, fd, off)?, j))
}

/// A double-quoted string at `i` (backslash escapes honoured): `(content start, content end, end)`.
fn quoted(b: &[u8], i: usize) -> Option<(usize, usize, usize)> {
    byte(b, i, b'"')?;
    let mut j = i + 1;
    loop {
        let p = memchr::memchr2(b'"', b'\\', b.get(j..)?)? + j;
        if b[p] == b'\\' {
            j = p + 2;
            continue;
        }
        return Some((i + 1, p, p + 1));
    }
}

pub fn parse(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let first = *b.first()?;
    if !(first.is_ascii_alphanumeric() || first == b':' || first == b'[') {
        return None;
    }
    // client, ident, user: tokens before ` [`; the user may be anything but must end before the date.
    let client_end = token(b, 0)?;
    let open = find(b, client_end, b'[')?;
    if open - client_end > 200 || b[open - 1] != b' ' {
        return None;
    }
    // ident and user: at least two more tokens.
    let mid = &b[client_end..open - 1];
    if mid.first() != Some(&b' ') || !mid[1..].contains(&b' ') {
        return None;
    }
    let (ts, i) = clf_timestamp(b, open + 1)?;
    let i = byte(b, i, b']')?;
    let i = byte(b, i, b' ')?;
    let message_start = i;
    let (rq_s, rq_e, i) = quoted(b, i)?;
    let i = byte(b, i, b' ')?;
    let status = num(b, i, 3)?;
    let i = i + 3;
    let mut fields: Vec<(&'static str, FieldValue)> = Vec::with_capacity(9);
    fields.push(("client_ip", FieldValue::Text(span(0, client_end))));
    // "METHOD target PROTOCOL"; anything else (a TLS handshake sent to a plain port, "-") has no parts.
    let rq = &b[rq_s..rq_e];
    if let Some(sp1) = memchr::memchr(b' ', rq) {
        let method_ok = sp1 > 0
            && rq[..sp1]
                .iter()
                .all(|c| c.is_ascii_uppercase() || *c == b'-' || *c == b'_');
        if method_ok {
            fields.push(("method", FieldValue::Text(span(rq_s, rq_s + sp1))));
            let t_s = rq_s + sp1 + 1;
            let t_e = match memchr::memrchr(b' ', &rq[sp1 + 1..]) {
                Some(p) if rq[sp1 + 1 + p + 1..].starts_with(b"HTTP") => t_s + p,
                _ => rq_e,
            };
            match find(b, t_s, b'?').filter(|q| *q < t_e) {
                Some(q) => {
                    fields.push(("path", FieldValue::Text(span(t_s, q))));
                    fields.push(("query", FieldValue::Text(span(q + 1, t_e))));
                }
                None => fields.push(("path", FieldValue::Text(span(t_s, t_e)))),
            }
        }
    }
    fields.push(("status", FieldValue::Int(status as i64)));
    let mut i = i;
    if b.get(i) == Some(&b' ') {
        i += 1;
        if b.get(i) == Some(&b'-') {
            i += 1;
        } else {
            let e = digits_end(b, i);
            if e == i || e - i > 18 {
                return None;
            }
            let v: i64 = line[i..e].parse().ok()?;
            fields.push(("bytes", FieldValue::Int(v)));
            i = e;
        }
    } else if i != b.len() {
        return None;
    }
    let mut format = FormatId::AccessCommon;
    // Combined: ` "referrer" "user agent"`.
    if b.get(i) == Some(&b' ') && b.get(i + 1) == Some(&b'"') {
        if let Some((r_s, r_e, j)) = quoted(b, i + 1) {
            if b.get(j) == Some(&b' ') && b.get(j + 1) == Some(&b'"') {
                if let Some((u_s, u_e, k)) = quoted(b, j + 1) {
                    format = FormatId::AccessCombined;
                    if let Some(r) = opt_span(b, r_s, r_e) {
                        fields.push(("referrer", FieldValue::Text(r)));
                    }
                    if let Some(u) = opt_span(b, u_s, u_e) {
                        fields.push(("user_agent", FieldValue::Text(u)));
                    }
                    i = k;
                }
            }
        }
    }
    if let Some(t) = request_time(b, i) {
        fields.push(("request_time", FieldValue::Float(t)));
    }
    let level = match status {
        500..=599 => Level::Error,
        400..=499 => Level::Warn,
        _ => Level::Info,
    };
    Some(Header {
        format,
        ts: Some(ts),
        level: Some(level),
        level_inferred: true,
        message_start: message_start as u32,
        fields,
        ..Header::default()
    })
}

/// A request time among the tokens after the standard fields: a bare decimal number (nginx `$request_time`,
/// Apache `%T` with a fraction) or `rt=`, `request_time=`, `upstream_response_time=`.
fn request_time(b: &[u8], mut i: usize) -> Option<f64> {
    while i < b.len() {
        i = skip_ws(b, i);
        if i >= b.len() {
            break;
        }
        if b[i] == b'"' {
            i = quoted(b, i).map(|q| q.2).unwrap_or(b.len());
            continue;
        }
        let e = token_end(b, i);
        let tok = &b[i..e];
        let val = match memchr::memchr(b'=', tok) {
            Some(eq) => match &tok[..eq] {
                b"rt" | b"request_time" | b"upstream_response_time" | b"urt" => &tok[eq + 1..],
                _ => b"",
            },
            None => tok,
        };
        let val = val.strip_prefix(b"\"").unwrap_or(val);
        let val = val.strip_suffix(b"\"").unwrap_or(val);
        if val.contains(&b'.') && val.iter().all(|c| c.is_ascii_digit() || *c == b'.') {
            if let Some(v) = std::str::from_utf8(val)
                .ok()
                .and_then(|s| s.parse::<f64>().ok())
            {
                return Some(v);
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

    #[test]
    fn combined_with_request_time() {
        let l = r#"203.0.113.7 - alice [10/Oct/2023:13:55:36 -0700] "GET /api/items?id=7&x=1 HTTP/1.1" 503 2326 "https://example.com/start" "Mozilla/5.0 (X11; Linux x86_64)" 0.123"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "access_combined",
                ts: Some("2023-10-10T13:55:36-07:00"),
                level: Some("ERROR"),
                message: r#""GET /api/items?id=7&x=1 HTTP/1.1" 503 2326 "https://example.com/start" "Mozilla/5.0 (X11; Linux x86_64)" 0.123"#,
                fields: &[
                    ("client_ip", "203.0.113.7"),
                    ("method", "GET"),
                    ("path", "/api/items"),
                    ("query", "id=7&x=1"),
                    ("status", "503"),
                    ("bytes", "2326"),
                    ("referrer", "https://example.com/start"),
                    ("user_agent", "Mozilla/5.0 (X11; Linux x86_64)"),
                    ("request_time", "0.123"),
                ],
                ..Want::default()
            },
        );
    }

    #[test]
    fn combined_dashes_and_nginx_rt() {
        let l = r#"::1 - - [01/Jan/2024:00:00:01 +0000] "POST /login HTTP/2.0" 404 - "-" "curl/8.0 \"quoted\"" rt=0.004 uct="0.000""#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "access_combined",
                ts: Some("2024-01-01T00:00:01Z"),
                level: Some("WARN"),
                message: &l[37..],
                fields: &[
                    ("client_ip", "::1"),
                    ("method", "POST"),
                    ("path", "/login"),
                    ("status", "404"),
                    ("user_agent", r#"curl/8.0 \"quoted\""#),
                    ("request_time", "0.004"),
                ],
                ..Want::default()
            },
        );
    }

    #[test]
    fn common() {
        let l = r#"127.0.0.1 user-identifier frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326"#;
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "access_common",
                ts: Some("2000-10-10T13:55:36-07:00"),
                level: Some("INFO"),
                message: r#""GET /apache_pb.gif HTTP/1.0" 200 2326"#,
                fields: &[
                    ("client_ip", "127.0.0.1"),
                    ("method", "GET"),
                    ("path", "/apache_pb.gif"),
                    ("status", "200"),
                    ("bytes", "2326"),
                ],
                ..Want::default()
            },
        );
        // A request that is not one (a TLS handshake on a plain port).
        let l = r#"10.0.0.1 - - [10/Oct/2000:13:55:36 +0000] "\x16\x03\x01" 400 150"#;
        let h = parse(l, &CTX).unwrap();
        assert_eq!(h.format, FormatId::AccessCommon);
        assert_eq!(h.fields.len(), 3);
    }

    #[test]
    fn rejects() {
        for l in [
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok",
            "Jun 14 15:16:01 combo sshd[1]: x [10/Oct/2000:13:55:36 -0700]",
            "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] GET / 200",
            "2024-01-15 10:23:45,123 [main] INFO  com.x.Y - msg",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
    }
}

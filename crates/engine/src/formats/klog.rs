//! Kubernetes klog / Google glog: `Lmmdd hh:mm:ss.uuuuuu threadid file:line] msg`, the level letter one of
//! `I`, `W`, `E`, `F`. The date has no year (the context's year is used); `file:line` is the component and the
//! thread id (klog writes the process id there) the pid.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{Header, Level};

pub fn parse(line: &str, ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let level = match b.first()? {
        b'I' => Level::Info,
        b'W' => Level::Warn,
        b'E' => Level::Error,
        b'F' => Level::Fatal,
        _ => return None,
    };
    let mo = num(b, 1, 2)?;
    let d = num(b, 3, 2)?;
    let i = byte(b, 5, b' ')?;
    let (h, m, s, i) = hms(b, i)?;
    let (nanos, fd, i) = frac(b, i, b".");
    let i = ws1(b, i)?;
    let pe = digits_end(b, i);
    if pe == i {
        return None;
    }
    let i2 = byte(b, pe, b' ')?;
    // file:line]
    let close = find(b, i2, b']')?;
    let src = &b[i2..close];
    let colon = memchr::memrchr(b':', src)?;
    if colon == 0
        || !src[colon + 1..].iter().all(|c| c.is_ascii_digit())
        || src.iter().any(|c| is_ws(*c))
    {
        return None;
    }
    Some(Header {
        format: FormatId::Klog,
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
        component: Some(span(i2, close)),
        pid: Some(span(i, pe)),
        message_start: skip_ws(b, close + 1) as u32,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn klog() {
        let l = "I0115 10:23:45.123456   12345 controller.go:123] Reconciling pod default/web-0";
        let h = parse(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "klog",
                ts: Some("2026-01-15T10:23:45.123456"),
                level: Some("INFO"),
                component: Some("controller.go:123"),
                pid: Some("12345"),
                message: "Reconciling pod default/web-0",
                ..Want::default()
            },
        );
        let l = "E0115 10:23:45.000001       1 reflector.go:138] k8s.io/client-go: Failed to watch";
        let h = parse(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "ERROR");
        assert_eq!(msg(l, &h), "k8s.io/client-go: Failed to watch");
        for l in [
            "INFO 10:23:45 x",
            "I0115 10:23:45.1 abc x.go:1] y",
            "Info: x",
            "I1315 10:23:45.1 1 x.go:1] y",
        ] {
            assert!(parse(l, &CTX).is_none(), "{l}");
        }
    }
}

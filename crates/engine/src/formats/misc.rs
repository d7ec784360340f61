//! Smaller application formats (loghub's Windows, HealthApp, Proxifier and OpenStack datasets).
//!
//! - Windows CBS/CSI: `2016-09-28 04:30:30, Info                  CBS    msg` (levels `Info`, `Warning`,
//!   `Error`, `Perf`; `Perf` has no level).
//! - HealthApp: `20171223-22:15:29:606|Step_LSC|30002312|msg` (time fields may lack their zero padding:
//!   `20171224-0:0:0:232`).
//! - Proxifier: `[10.30 16:49:06] chrome.exe *64 - msg` (month.day, no year: the context's year is used; the
//!   program, up to ` - `, is the component).
//! - OpenStack (oslo.log): `2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-... ...] msg`,
//!   optionally after the name of the file the line came from (loghub concatenates files that way). The first
//!   word of the bracket is the request id, taken as the trace id when it starts with `req-`.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::Header;

pub fn parse_windows_cbs(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let (ts, i) = iso8601(b, 0)?;
    let i = byte(b, i, b',')?;
    let i = ws1(b, i)?;
    let le = token(b, i)?;
    let level = level_of(b, i, le);
    if level.is_none() && &b[i..le] != b"Perf" {
        return None;
    }
    let i = ws1(b, le)?;
    let ce = token(b, i)?;
    Some(Header {
        format: FormatId::WindowsCbs,
        ts: Some(ts),
        level,
        component: Some(span(i, ce)),
        message_start: skip_ws(b, ce) as u32,
        ..Header::default()
    })
}

pub fn parse_healthapp(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let y = num(b, 0, 4)?;
    let mo = num(b, 4, 2)?;
    let d = num(b, 6, 2)?;
    let i = byte(b, 8, b'-')?;
    let (h, i) = num_var(b, i, 1, 2)?;
    let i = byte(b, i, b':')?;
    let (mi, i) = num_var(b, i, 1, 2)?;
    let i = byte(b, i, b':')?;
    let (s, i) = num_var(b, i, 1, 2)?;
    let i = byte(b, i, b':')?;
    let (ms, i) = num_var(b, i, 1, 3)?;
    let i = byte(b, i, b'|')?;
    let ce = find(b, i, b'|')?;
    let pe = find(b, ce + 1, b'|')?;
    let ts = ts(
        y as i32,
        mo as u8,
        d as u8,
        h as u8,
        mi as u8,
        s as u8,
        ms as u32 * 1_000_000,
        3,
        None,
    )?;
    Some(Header {
        format: FormatId::HealthApp,
        ts: Some(ts),
        component: opt_span(b, i, ce),
        pid: opt_span(b, ce + 1, pe),
        message_start: (pe + 1) as u32,
        ..Header::default()
    })
}

pub fn parse_proxifier(line: &str, ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    byte(b, 0, b'[')?;
    let mo = num(b, 1, 2)?;
    byte(b, 3, b'.')?;
    let d = num(b, 4, 2)?;
    let i = byte(b, 6, b' ')?;
    let (h, m, s, i) = hms(b, i)?;
    let i = byte(b, i, b']')?;
    let p = ws1(b, i)?;
    // The program: up to the first ` - `.
    let mut j = p;
    let dash = loop {
        let q = find(b, j, b'-')?;
        if q > p && is_ws(b[q - 1]) && (q + 1 == b.len() || is_ws(b[q + 1])) {
            break q;
        }
        j = q + 1;
    };
    Some(Header {
        format: FormatId::Proxifier,
        ts: Some(ts(
            ctx.default_year,
            mo as u8,
            d as u8,
            h,
            m,
            s,
            0,
            0,
            None,
        )?),
        component: trimmed(b, p, dash),
        message_start: skip_ws(b, dash + 1) as u32,
        ..Header::default()
    })
}

pub fn parse_openstack(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let start = if is_digit(b, 0) && b.get(4) == Some(&b'-') {
        0
    } else {
        let e = token(b, 0)?;
        if e > 200 {
            return None;
        }
        ws1(b, e)?
    };
    if !is_digit(b, start) {
        return None;
    }
    let (ts, i) = iso8601(b, start)?;
    let i = ws1(b, i)?;
    let pe = digits_end(b, i);
    if pe == i {
        return None;
    }
    let pid = span(i, pe);
    let i = ws1(b, pe)?;
    let (level, i) = level_token(b, i)?;
    let i = ws1(b, i)?;
    let ce = token(b, i)?;
    let component = span(i, ce);
    let i = ws1(b, ce)?;
    let (s, e, end) = bracket_ws(b, i)?;
    let first_end = token_end(b, s).min(e);
    let trace_id = b[s..first_end]
        .starts_with(b"req-")
        .then(|| span(s, first_end));
    Some(Header {
        format: FormatId::OpenStack,
        ts: Some(ts),
        level: Some(level),
        component: Some(component),
        pid: Some(pid),
        trace_id,
        message_start: skip_ws(b, end) as u32,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn windows_cbs() {
        let l = "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\cbscore.dll";
        let h = parse_windows_cbs(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "windows_cbs",
                ts: Some("2016-09-28T04:30:30"),
                level: Some("INFO"),
                component: Some("CBS"),
                message: "Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\cbscore.dll",
                ..Want::default()
            },
        );
        let l = "2016-09-29 02:04:40, Error                 CSI    00000001 (F) STATUS_SXS_ASSEMBLY_MISSING";
        let h = parse_windows_cbs(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "ERROR");
        assert_eq!(h.component.unwrap().of(l), "CSI");
        assert_eq!(msg(l, &h), "00000001 (F) STATUS_SXS_ASSEMBLY_MISSING");
        for l in [
            "2016-09-28 04:30:30,123 Info CBS x",
            "2016-09-28 04:30:30, Something else here",
            "2024-01-15 10:23:45,123 INFO  [main] com.x.Y - msg",
        ] {
            assert!(parse_windows_cbs(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn healthapp() {
        let l = "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579";
        let h = parse_healthapp(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "healthapp",
                ts: Some("2017-12-23T22:15:29.606"),
                component: Some("Step_LSC"),
                pid: Some("30002312"),
                message: "onStandStepChanged 3579",
                ..Want::default()
            },
        );
        let l = "20171224-0:0:0:32|Step_SPUtils|30002312|setDiffTotalSteps=8874|x";
        let h = parse_healthapp(l, &CTX).unwrap();
        assert_eq!(h.ts.unwrap().to_rfc3339(), "2017-12-24T00:00:00.032");
        assert_eq!(msg(l, &h), "setDiffTotalSteps=8874|x");
        for l in [
            "20171223-22:15:29:606 Step_LSC 30002312 x",
            "2017122-22:15:29:606|a|b|c",
            "20171223-22:15:29:606|a",
        ] {
            assert!(parse_healthapp(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn proxifier() {
        let l = "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS";
        let h = parse_proxifier(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "proxifier",
                ts: Some("2026-10-30T16:49:06"),
                component: Some("chrome.exe"),
                message:
                    "proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
                ..Want::default()
            },
        );
        let l =
            "[07.26 14:03:57] chrome.exe *64 - notifications.google.com:443 close, 470 bytes sent";
        let h = parse_proxifier(l, &CTX).unwrap();
        assert_eq!(h.component.unwrap().of(l), "chrome.exe *64");
        assert_eq!(
            msg(l, &h),
            "notifications.google.com:443 close, 470 bytes sent"
        );
        for l in [
            "[10:23:45 INF] x - y",
            "[Sun Dec 04 04:47:44 2005] [notice] x - y",
            "[10.30 16:49:06] no dash",
        ] {
            assert!(parse_proxifier(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn openstack() {
        let l = "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] 10.11.10.1 \"GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829";
        let h = parse_openstack(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "openstack",
                ts: Some("2017-05-16T00:00:00.008"),
                level: Some("INFO"),
                component: Some("nova.osapi_compute.wsgi.server"),
                pid: Some("25746"),
                trace_id: Some("req-38101a0b-2096-447d-96ea-a692162415ae"),
                message: "10.11.10.1 \"GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829",
                ..Want::default()
            },
        );
        let l = "2017-05-16 00:06:22.565 2931 INFO nova.virt.libvirt.driver [-] [instance: fecdd5a9-3ca0-4c82-9336-63b7774f738e] Instance spawned successfully.";
        let h = parse_openstack(l, &CTX).unwrap();
        assert_eq!(h.trace_id, None);
        assert_eq!(
            msg(l, &h),
            "[instance: fecdd5a9-3ca0-4c82-9336-63b7774f738e] Instance spawned successfully."
        );
        for l in [
            "2015-10-18 18:01:47,978 INFO [main] org.apache.Foo: Created",
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: x",
            "2017-05-16 00:06:22.565 2931 INFO nova.virt.libvirt.driver no bracket",
        ] {
            assert!(parse_openstack(l, &CTX).is_none(), "{l}");
        }
    }
}

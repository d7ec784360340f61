//! Supercomputer logs (loghub's BGL, HPC and Thunderbird datasets, and the CFDR logs that share their layouts).
//!
//! - Blue Gene/L RAS: `- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11
//!   RAS KERNEL INFO msg` — alert label, epoch, date, node (the host), the local time (the timestamp, to the
//!   microsecond), node again, type, component, level (`INFO`, `WARNING`, `SEVERE`, `ERROR`, `FAILURE`,
//!   `FATAL`). The label (`-` for none) is the `label` field.
//! - Sandia syslogs (Thunderbird, Liberty, Spirit): `- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228
//!   crond(pam_unix)[2915]: msg` — label, epoch, date (gives the year), host, syslog time, location, syslog tag.
//! - HPC cluster events: `134681 node-246 unix.hw state_change.unavailable 1077804742 1 msg` — id, node (the
//!   host), component, state (`state` field), epoch (the timestamp, UTC), flag.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::{FieldValue, Header};

/// An epoch in seconds (9 or 10 digits) at `i`: `(seconds, end)`.
fn epoch(b: &[u8], i: usize) -> Option<(i64, usize)> {
    let (v, e) = num_var(b, i, 9, 10)?;
    if e < b.len() && !is_ws(b[e]) {
        return None;
    }
    Some((v as i64, e))
}

/// `label epoch YYYY.MM.DD `: `(label end, date (y, m, d), end)`.
fn labelled_prefix(b: &[u8]) -> Option<(usize, (i32, u8, u8), usize)> {
    let first = *b.first()?;
    if !(first == b'-' || first.is_ascii_uppercase()) {
        return None;
    }
    let le = token(b, 0)?;
    let i = byte(b, le, b' ')?;
    let (_, i) = epoch(b, i)?;
    let i = byte(b, i, b' ')?;
    let (y, m, d, i) = ymd(b, i, b'.')?;
    let i = byte(b, i, b' ')?;
    Some((le, (y, m, d), i))
}

pub fn parse_bgl(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let (le, _, i) = labelled_prefix(b)?;
    let ne = token(b, i)?;
    let host = span(i, ne);
    let i = byte(b, ne, b' ')?;
    // 2005-06-03-15.42.50.675872
    let (y, mo, d, j) = ymd(b, i, b'-')?;
    let j = byte(b, j, b'-')?;
    let h = num(b, j, 2)?;
    byte(b, j + 2, b'.')?;
    let mi = num(b, j + 3, 2)?;
    byte(b, j + 5, b'.')?;
    let s = num(b, j + 6, 2)?;
    let (nanos, fd, j) = frac(b, j + 8, b".");
    let ts = ts(y, mo, d, h as u8, mi as u8, s as u8, nanos, fd, None)?;
    let j = byte(b, j, b' ')?;
    let j = byte(b, token(b, j)?, b' ')?; // the node again
    let j = byte(b, token(b, j)?, b' ')?; // type (RAS, NULL)
    let ce = token(b, j)?;
    let component = span(j, ce);
    let k = ws1(b, ce)?;
    let lvl_end = token(b, k)?;
    let level = level_of(b, k, lvl_end);
    let fields = vec![("label", FieldValue::Text(span(0, le)))];
    Some(Header {
        format: FormatId::Bgl,
        ts: Some(ts),
        level,
        component: Some(component),
        // BGL writes the literal `NULL` where an event has no location.
        host: (host.of(line) != "NULL").then_some(host),
        message_start: skip_ws(b, lvl_end) as u32,
        fields,
        ..Header::default()
    })
}

pub fn parse_thunderbird(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let (le, (y, dm, _), i) = labelled_prefix(b)?;
    let he = token(b, i)?;
    let host = span(i, he);
    let i = ws1(b, he)?;
    // The syslog time has no year: the date's, less one when the date has already turned to January.
    let (mut t, i) = super::syslog::bsd_timestamp(b, i, y)?;
    if dm == 1 && t.month == 12 {
        t.year -= 1;
        if !t.is_valid() {
            return None;
        }
    }
    let i = ws1(b, i)?;
    let loc_end = token(b, i)?;
    let i = skip_ws(b, loc_end);
    let fields = vec![("label", FieldValue::Text(span(0, le)))];
    let mut h = Header {
        format: FormatId::Thunderbird,
        ts: Some(t),
        host: Some(host),
        message_start: i as u32,
        fields,
        ..Header::default()
    };
    if let Some(t) = syslog_tag(b, i) {
        h.component = Some(t.component);
        h.pid = t.pid;
        h.level = t.level;
        h.message_start = t.message as u32;
    }
    Some(h)
}

pub fn parse_hpc(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let id_end = digits_end(b, 0);
    let i = byte(b, id_end, b' ')?;
    let ne = token(b, i)?;
    let host = span(i, ne);
    let i = byte(b, ne, b' ')?;
    let ce = token(b, i)?;
    let component = span(i, ce);
    let i = byte(b, ce, b' ')?;
    let se = token(b, i)?;
    let state = span(i, se);
    let i = byte(b, se, b' ')?;
    let (secs, i) = epoch(b, i)?;
    let i = byte(b, i, b' ')?;
    // The flag is a small integer, sometimes negative (`-1`).
    let digits = if b.get(i) == Some(&b'-') { i + 1 } else { i };
    let fe = digits_end(b, digits);
    if fe == digits || (fe < b.len() && !is_ws(b[fe])) {
        return None;
    }
    let fields = vec![("state", FieldValue::Text(state))];
    Some(Header {
        format: FormatId::Hpc,
        ts: Some(crate::Timestamp::from_unix(secs, 0, 0)),
        component: Some(component),
        host: Some(host),
        message_start: skip_ws(b, fe) as u32,
        fields,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn hpc_negative_flag() {
        let l = "2286759 full partition status 1061219795 -1 running";
        let h = parse_hpc(l, &CTX).unwrap();
        assert_eq!(h.host.unwrap().of(l), "full");
        assert_eq!(h.component.unwrap().of(l), "partition");
        assert_eq!(msg(l, &h), "running");
    }

    #[test]
    fn bgl() {
        let l = "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected";
        let h = parse_bgl(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "bgl",
                ts: Some("2005-06-03T15:42:50.675872"),
                level: Some("INFO"),
                component: Some("KERNEL"),
                host: Some("R02-M1-N0-C:J12-U11"),
                message: "instruction cache parity error corrected",
                fields: &[("label", "-")],
                ..Want::default()
            },
        );
        let l = "APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix on control stream";
        let h = parse_bgl(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "FATAL");
        assert_eq!(h.component.unwrap().of(l), "APP");
        assert_eq!(
            msg(l, &h),
            "ciod: failed to read message prefix on control stream"
        );
        let l = "- 1123025954 2005.08.02 R23-M0-N7 2005-08-02-16.39.14.159918 R23-M0-N7 NULL HARDWARE SEVERE NodeCard is not fully functional";
        let h = parse_bgl(l, &CTX).unwrap();
        assert_eq!(h.level.unwrap().as_str(), "ERROR");
        assert_eq!(h.component.unwrap().of(l), "HARDWARE");
        for l in [
            "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond[2916]: (root) CMD",
            "134681 node-246 unix.hw state_change.unavailable 1077804742 1 x",
        ] {
            assert!(parse_bgl(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn thunderbird() {
        let l = "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root";
        let h = parse_thunderbird(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "thunderbird",
                ts: Some("2005-11-09T12:01:01"),
                component: Some("crond(pam_unix)"),
                pid: Some("2915"),
                host: Some("dn228"),
                message: "session closed for user root",
                fields: &[("label", "-")],
                ..Want::default()
            },
        );
        let l = "VAPI 1136073598 2006.01.01 tn230 Dec 31 15:59:58 tn230/tn230 kernel: [KERNEL_IB][ib_mad] error";
        let h = parse_thunderbird(l, &CTX).unwrap();
        assert_eq!(h.ts.unwrap().to_rfc3339(), "2005-12-31T15:59:58");
        assert_eq!(h.component.unwrap().of(l), "kernel");
        assert_eq!(h.pid, None);
        assert_eq!(msg(l, &h), "[KERNEL_IB][ib_mad] error");
        assert!(parse_thunderbird(
            "- 1117838570 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS KERNEL INFO x",
            &CTX
        )
        .is_none());
    }

    #[test]
    fn hpc() {
        let l = "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change: Component \\042alt0\\042 is in the unavailable state (HWID=1973)";
        let h = parse_hpc(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "hpc",
                ts: Some("2004-02-26T14:12:22Z"),
                component: Some("unix.hw"),
                host: Some("node-246"),
                message: "Component State Change: Component \\042alt0\\042 is in the unavailable state (HWID=1973)",
                fields: &[("state", "state_change.unavailable")],
                ..Want::default()
            },
        );
        let l = "2568643 node-70 action start 1074119817 1 clusterAddMember  (command 1902)";
        let h = parse_hpc(l, &CTX).unwrap();
        assert_eq!(msg(l, &h), "clusterAddMember  (command 1902)");
        for l in [
            "081109 203615 148 INFO dfs.DataNode$PacketResponder: x",
            "- 1117838570 2005.06.03 R02 2005-06-03-15.42.50.675872 R02 RAS KERNEL INFO x",
        ] {
            assert!(parse_hpc(l, &CTX).is_none(), "{l}");
        }
    }
}

//! The log4j patterns of the Hadoop family (loghub's HDFS, Hadoop, Spark and ZooKeeper datasets, and the many
//! daemons that share their patterns: YARN, HBase, Hive, Kafka's ZooKeeper, ...).
//!
//! - HDFS (old Hadoop): `081109 203615 148 INFO dfs.DataNode$PacketResponder: msg` (`yyMMdd HHmmss pid LEVEL class:`).
//! - Hadoop: `2015-10-18 18:01:47,978 INFO [main] org.apache...MRAppMaster: msg`, also without the thread.
//! - Spark: `17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: msg`.
//! - ZooKeeper: `2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - msg`
//!   (3.5+ adds `[myid:1]` after the date). The bracket is `%t:%C{1}@%L`; like loghub, the thread is read up to
//!   the first `:` and the class is the rest up to `@` (thread names with `:` in them keep their tail in the
//!   component, e.g. `188978561024:QuorumCnxManager$SendWorker`).
//!
//! Two-digit years are 20xx.

use super::scan::*;
use super::{FormatId, ParseContext};
use crate::event::Header;

/// `class: msg` at `i`: `(component, message start)`; the class is one token ending with `:`.
fn class_colon(b: &[u8], i: usize) -> Option<(crate::event::Span, usize)> {
    let e = token(b, i)?;
    if b[e - 1] != b':' || e - 1 == i {
        return None;
    }
    Some((span(i, e - 1), skip_ws(b, e)))
}

pub fn parse_hdfs(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let yy = num(b, 0, 2)?;
    let mo = num(b, 2, 2)?;
    let d = num(b, 4, 2)?;
    let i = byte(b, 6, b' ')?;
    let h = num(b, i, 2)?;
    let mi = num(b, i + 2, 2)?;
    let s = num(b, i + 4, 2)?;
    let i = byte(b, i + 6, b' ')?;
    let pe = digits_end(b, i);
    if pe == i {
        return None;
    }
    let pid = span(i, pe);
    let i = ws1(b, pe)?;
    let (level, i) = level_token(b, i)?;
    let i = ws1(b, i)?;
    let (component, m) = class_colon(b, i)?;
    Some(Header {
        format: FormatId::Hdfs,
        ts: Some(ts(
            year2(yy),
            mo as u8,
            d as u8,
            h as u8,
            mi as u8,
            s as u8,
            0,
            0,
            None,
        )?),
        level: Some(level),
        component: Some(component),
        pid: Some(pid),
        message_start: m as u32,
        ..Header::default()
    })
}

pub fn parse_hadoop(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let (ts, i) = iso8601(b, 0)?;
    let i = ws1(b, i)?;
    let (level, i) = level_token(b, i)?;
    let mut i = ws1(b, i)?;
    let mut thread = None;
    if b.get(i) == Some(&b'[') {
        let (s, e, end) = bracket_ws(b, i)?;
        thread = trimmed(b, s, e);
        i = ws1(b, end)?;
    }
    let (component, m) = class_colon(b, i)?;
    Some(Header {
        format: FormatId::Hadoop,
        ts: Some(ts),
        level: Some(level),
        component: Some(component),
        thread,
        message_start: m as u32,
        ..Header::default()
    })
}

pub fn parse_spark(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    let yy = num(b, 0, 2)?;
    byte(b, 2, b'/')?;
    let mo = num(b, 3, 2)?;
    byte(b, 5, b'/')?;
    let d = num(b, 6, 2)?;
    let i = byte(b, 8, b' ')?;
    let (h, mi, s, i) = hms(b, i)?;
    let (nanos, fd, i) = frac(b, i, b".,");
    let i = ws1(b, i)?;
    let (level, i) = level_token(b, i)?;
    let i = skip_ws(b, i);
    let (component, m) = match class_colon(b, i) {
        Some((c, m)) => (Some(c), m),
        None => (None, i),
    };
    Some(Header {
        format: FormatId::Spark,
        ts: Some(ts(year2(yy), mo as u8, d as u8, h, mi, s, nanos, fd, None)?),
        level: Some(level),
        component,
        message_start: m as u32,
        ..Header::default()
    })
}

pub fn parse_zookeeper(line: &str, _ctx: &ParseContext) -> Option<Header> {
    let b = line.as_bytes();
    if !is_digit(b, 0) {
        return None;
    }
    let (ts, i) = iso8601(b, 0)?;
    let mut i = ws1(b, i)?;
    // 3.5+: `[myid:1] `
    if b.get(i) == Some(&b'[') {
        let (_, _, end) = bracket_ws(b, i)?;
        i = ws1(b, end)?;
    }
    let i = byte(b, i, b'-')?;
    let i = ws1(b, i)?;
    let (level, i) = level_token(b, i)?;
    let i = ws1(b, i)?;
    let (s, e, end) = bracket_ws(b, i)?;
    let j = skip_ws(b, end);
    byte(b, j, b'-')?;
    let m = if j + 1 == b.len() {
        j + 1
    } else if is_ws(b[j + 1]) {
        skip_ws(b, j + 1)
    } else {
        return None;
    };
    // thread:class@line
    let at = memchr::memrchr(b'@', &b[s..e]).map(|p| s + p).unwrap_or(e);
    let (thread, component) = match find(b, s, b':').filter(|c| *c < at) {
        Some(c) => (opt_span(b, s, c), opt_span(b, c + 1, at)),
        None => (None, opt_span(b, s, at)),
    };
    Some(Header {
        format: FormatId::Zookeeper,
        ts: Some(ts),
        level: Some(level),
        component,
        thread,
        message_start: m as u32,
        ..Header::default()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::test_util::*;

    #[test]
    fn hdfs() {
        let l = "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating";
        let h = parse_hdfs(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "hdfs",
                ts: Some("2008-11-09T20:36:15"),
                level: Some("INFO"),
                component: Some("dfs.DataNode$PacketResponder"),
                pid: Some("148"),
                message: "PacketResponder 1 for block blk_38865049064139660 terminating",
                ..Want::default()
            },
        );
        for l in [
            "134681 node-246 unix.hw state_change.unavailable 1077804742 1 x",
            "17/06/09 20:10:40 INFO executor.X: y",
            "081109 203615 148 INFO no colon here",
        ] {
            assert!(parse_hdfs(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn hadoop() {
        let l = "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001";
        let h = parse_hadoop(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "hadoop",
                ts: Some("2015-10-18T18:01:47.978"),
                level: Some("INFO"),
                component: Some("org.apache.hadoop.mapreduce.v2.app.MRAppMaster"),
                thread: Some("main"),
                message: "Created MRAppMaster for application appattempt_1445144423722_0020_000001",
                ..Want::default()
            },
        );
        let l = "2015-10-18 18:05:57,024 WARN [DataStreamer for file /tmp/x.jhist block BP-1:blk_1_2] org.apache.hadoop.hdfs.DFSClient: DataStreamer Exception";
        let h = parse_hadoop(l, &CTX).unwrap();
        assert_eq!(
            h.thread.unwrap().of(l),
            "DataStreamer for file /tmp/x.jhist block BP-1:blk_1_2"
        );
        assert_eq!(msg(l, &h), "DataStreamer Exception");
        let l = "2024-02-01 08:00:00,001 ERROR org.apache.hadoop.hdfs.server.datanode.DataNode: Exception in secureMain";
        let h = parse_hadoop(l, &CTX).unwrap();
        assert_eq!(h.thread, None);
        assert_eq!(
            h.component.unwrap().of(l),
            "org.apache.hadoop.hdfs.server.datanode.DataNode"
        );
        for l in [
            "2024-01-15 10:23:45,123 INFO  [main] com.x.Y - msg",
            "2015-07-29 17:41:44,747 - INFO  [main:QuorumPeer@1] - x",
        ] {
            assert!(parse_hadoop(l, &CTX).is_none(), "{l}");
        }
    }

    #[test]
    fn spark() {
        let l = "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]";
        let h = parse_spark(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "spark",
                ts: Some("2017-06-09T20:10:40"),
                level: Some("INFO"),
                component: Some("executor.CoarseGrainedExecutorBackend"),
                message: "Registered signal handlers for [TERM, HUP, INT]",
                ..Want::default()
            },
        );
        assert!(parse_spark("2017/06/09 20:10:40 INFO a: b", &CTX).is_none());
        assert!(parse_spark("17/06/09 20:10:40 [INFO] a: b", &CTX).is_none());
    }

    #[test]
    fn zookeeper() {
        let l = "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200";
        let h = parse_zookeeper(l, &CTX).unwrap();
        check(
            l,
            &h,
            Want {
                format: "zookeeper",
                ts: Some("2015-07-29T17:41:44.747"),
                level: Some("INFO"),
                component: Some("0:0:0:0:0:0:0:2181:FastLeaderElection"),
                thread: Some("QuorumPeer[myid=1]/0"),
                message: "Notification time out: 3200",
                ..Want::default()
            },
        );
        let l = "2019-03-01 10:00:00,000 [myid:2] - WARN  [main:QuorumPeerMain@83] - Either no config or no quorum defined";
        let h = parse_zookeeper(l, &CTX).unwrap();
        assert_eq!(h.thread.unwrap().of(l), "main");
        assert_eq!(h.component.unwrap().of(l), "QuorumPeerMain");
        assert_eq!(msg(l, &h), "Either no config or no quorum defined");
        assert!(parse_zookeeper("2015-10-18 18:01:47,978 INFO [main] org.Foo: x", &CTX).is_none());
    }
}

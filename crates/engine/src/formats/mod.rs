//! Formats: recognising a line's header and reading its fields.
//!
//! Each format is a function `fn(&str, &ParseContext) -> Option<Header>` that accepts a line only when its header
//! really has that format (it returns `None` otherwise, cheaply). The file's format is chosen once from a sample
//! ([`detect`]); each later line is tried against it first, then against the others ([`parse_any`]), and a line
//! that no format accepts still becomes an event through [`unknown`].

use crate::event::Header;

pub mod access;
pub mod android;
pub mod dotnet;
pub mod hadoop;
pub mod hpc;
pub mod java;
pub mod json;
pub mod klog;
pub mod logfmt;
pub mod misc;
pub mod postgres;
pub mod python;
pub mod scan;
pub mod syslog;
pub mod unknown;
pub mod web_error;
pub mod zap;

/// The formats the engine knows. `as_str` is the name written in the `format` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum FormatId {
    #[default]
    Unknown,
    /// One JSON object per line (pino, bunyan, zap, logrus, Serilog CLEF, ECS, Docker json-file, ...).
    Json,
    /// `key=value` pairs (logrus text, Go slog, Heroku, ...).
    Logfmt,
    /// `<165>1 2003-10-11T22:14:15.003Z host app procid msgid [sd] msg`.
    SyslogRfc5424,
    /// `[<PRI>]Jun 14 15:16:01 host prog[pid]: msg` (BSD syslog; also macOS and rsyslog's ISO timestamps).
    SyslogRfc3164,
    /// Nginx/Apache combined access log (common + referrer + user agent, optionally more).
    AccessCombined,
    /// Nginx/Apache common access log.
    AccessCommon,
    /// `2024/01/01 12:00:00 [error] 123#456: *7 msg`.
    NginxError,
    /// `[Sun Dec 04 04:47:44 2005] [notice] msg` and the 2.4 form with `[module:level] [pid N:tid M]`.
    ApacheError,
    /// Spring Boot's default console/file pattern (Boot 2 and 3).
    SpringBoot,
    /// `[date ]time [thread] LEVEL logger - msg`.
    Logback,
    /// `date LEVEL [thread] logger - msg`, `date LEVEL logger - msg` and JBoss `date LEVEL [logger] (thread) msg`.
    Log4j,
    /// Tomcat's JUL OneLineFormatter: `15-Jan-2024 10:23:45.123 INFO [main] class.method msg`.
    TomcatCatalina,
    /// ASP.NET Core console: `info: Category[0]` then the indented message lines.
    AspnetCore,
    /// Serilog console `[10:23:45 INF] msg` and file `2024-01-15 10:23:45.123 +01:00 [INF] msg`.
    Serilog,
    /// Kubernetes klog / glog: `I0115 10:23:45.123456   12345 file.go:123] msg`.
    Klog,
    /// `yyMMdd HHmmss pid LEVEL class: msg` (HDFS).
    Hdfs,
    /// The Hadoop log4j pattern: `date LEVEL [thread] class: msg` (also without the thread).
    Hadoop,
    /// Spark's log4j pattern: `yy/MM/dd HH:mm:ss LEVEL class: msg`.
    Spark,
    /// ZooKeeper's log4j pattern: `date - LEVEL  [thread:class@line] - msg`.
    Zookeeper,
    /// `adb logcat -v threadtime`: `MM-DD HH:MM:SS.mmm  pid  tid L tag: msg`.
    AndroidLogcat,
    /// Blue Gene/L RAS log: `label epoch date node time node type component level msg`.
    Bgl,
    /// Sandia supercomputer syslogs (Thunderbird, Liberty, Spirit): `label epoch date host Mon D time loc tag: msg`.
    Thunderbird,
    /// HPC cluster event log: `id node component state epoch flag msg`.
    Hpc,
    /// Windows CBS/CSI log: `2016-09-28 04:30:30, Info   CBS    msg`.
    WindowsCbs,
    /// Pipe-separated mobile app log: `20171223-22:15:29:606|component|pid|msg`.
    HealthApp,
    /// Proxifier: `[10.30 16:49:06] chrome.exe - msg`.
    Proxifier,
    /// OpenStack (oslo.log): `[file ]2017-05-16 00:00:00.008 25746 INFO nova.x [req-...] msg`.
    OpenStack,
    /// Python's `logging` with a common format string: `2026-11-20 10:00:03,123 - app.main - INFO - msg`, ...
    Python,
    /// PostgreSQL's stderr log: `log_line_prefix` (`%m [%p] ` and common others), then `SEVERITY:  msg`.
    Postgres,
    /// Go's zap console encoder: `time<TAB>LEVEL<TAB>[logger<TAB>][caller<TAB>]message[<TAB>{json}]`.
    Zap,
}

impl FormatId {
    /// Every known format, in the order [`parse_any`] tries them (most specific first).
    pub const KNOWN: &'static [FormatId] = &[
        FormatId::Json,
        FormatId::Zap,
        FormatId::SyslogRfc5424,
        FormatId::SyslogRfc3164,
        FormatId::AccessCombined,
        FormatId::AccessCommon,
        FormatId::NginxError,
        FormatId::ApacheError,
        FormatId::Proxifier,
        // Before Serilog, whose file format also reads `date [LEVEL] rest`.
        FormatId::Python,
        FormatId::Serilog,
        FormatId::SpringBoot,
        FormatId::Zookeeper,
        FormatId::Logback,
        FormatId::Log4j,
        FormatId::Hadoop,
        FormatId::TomcatCatalina,
        FormatId::AspnetCore,
        FormatId::Klog,
        FormatId::Hdfs,
        FormatId::Spark,
        FormatId::AndroidLogcat,
        FormatId::Bgl,
        FormatId::Thunderbird,
        FormatId::Hpc,
        FormatId::WindowsCbs,
        FormatId::HealthApp,
        FormatId::OpenStack,
        FormatId::Postgres,
        FormatId::Logfmt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FormatId::Unknown => "unknown",
            FormatId::Json => "json",
            FormatId::Logfmt => "logfmt",
            FormatId::SyslogRfc5424 => "syslog_rfc5424",
            FormatId::SyslogRfc3164 => "syslog_rfc3164",
            FormatId::AccessCombined => "access_combined",
            FormatId::AccessCommon => "access_common",
            FormatId::NginxError => "nginx_error",
            FormatId::ApacheError => "apache_error",
            FormatId::SpringBoot => "spring_boot",
            FormatId::Logback => "logback",
            FormatId::Log4j => "log4j",
            FormatId::TomcatCatalina => "tomcat_catalina",
            FormatId::AspnetCore => "aspnet_core",
            FormatId::Serilog => "serilog",
            FormatId::Klog => "klog",
            FormatId::Hdfs => "hdfs",
            FormatId::Hadoop => "hadoop",
            FormatId::Spark => "spark",
            FormatId::Zookeeper => "zookeeper",
            FormatId::AndroidLogcat => "android_logcat",
            FormatId::Bgl => "bgl",
            FormatId::Thunderbird => "thunderbird",
            FormatId::Hpc => "hpc",
            FormatId::WindowsCbs => "windows_cbs",
            FormatId::HealthApp => "healthapp",
            FormatId::Proxifier => "proxifier",
            FormatId::OpenStack => "openstack",
            FormatId::Python => "python",
            FormatId::Postgres => "postgres",
            FormatId::Zap => "zap",
        }
    }

    /// The format named `name` (as written by [`FormatId::as_str`]).
    pub fn from_name(name: &str) -> Option<FormatId> {
        if name == "unknown" {
            return Some(FormatId::Unknown);
        }
        FormatId::KNOWN.iter().copied().find(|f| f.as_str() == name)
    }

    /// Whether a line of this format can start with byte `c` (a cheap filter before parsing).
    pub const fn may_start_with(self, c: u8) -> bool {
        let digit = c.is_ascii_digit();
        match self {
            FormatId::Unknown => true,
            FormatId::Json => c == b'{',
            FormatId::Logfmt => c.is_ascii_alphabetic() || c == b'_' || c == b'@',
            FormatId::SyslogRfc5424 => c == b'<',
            FormatId::SyslogRfc3164 => c == b'<' || c.is_ascii_uppercase() || digit,
            FormatId::AccessCombined | FormatId::AccessCommon => {
                c.is_ascii_alphanumeric() || c == b':' || c == b'['
            }
            FormatId::ApacheError | FormatId::Proxifier => c == b'[',
            FormatId::Serilog => c == b'[' || digit,
            FormatId::AspnetCore => c.is_ascii_lowercase() || c == b'[' || digit,
            FormatId::Klog => matches!(c, b'I' | b'W' | b'E' | b'F'),
            FormatId::Bgl | FormatId::Thunderbird => c == b'-' || c.is_ascii_uppercase(),
            FormatId::OpenStack => c.is_ascii_alphanumeric(),
            FormatId::Python => digit || c == b'[' || c.is_ascii_uppercase(),
            FormatId::Zap => digit,
            FormatId::NginxError
            | FormatId::SpringBoot
            | FormatId::Zookeeper
            | FormatId::Logback
            | FormatId::Log4j
            | FormatId::Hadoop
            | FormatId::TomcatCatalina
            | FormatId::Hdfs
            | FormatId::Spark
            | FormatId::AndroidLogcat
            | FormatId::Hpc
            | FormatId::WindowsCbs
            | FormatId::HealthApp
            | FormatId::Postgres => digit,
        }
    }

    /// Formats whose events may span several lines without indentation (exception lines of Java and .NET logs,
    /// and the last line of a Python traceback after JSON or logfmt lines).
    pub fn is_multiline_app_format(self) -> bool {
        matches!(
            self,
            FormatId::SpringBoot
                | FormatId::Logback
                | FormatId::Log4j
                | FormatId::TomcatCatalina
                | FormatId::AspnetCore
                | FormatId::Serilog
                | FormatId::Hdfs
                | FormatId::Hadoop
                | FormatId::Spark
                | FormatId::Zookeeper
                | FormatId::Json
                | FormatId::Logfmt
                | FormatId::Python
                | FormatId::Zap
        )
    }
}

/// What the formats need to know beyond the line itself.
#[derive(Debug, Clone, Copy)]
pub struct ParseContext {
    /// The year given to dates that have none (syslog, Android, ...).
    pub default_year: i32,
}

/// Parses a line's header as the given format. The header's `format` is the format the line really has: the
/// access-log parser, asked for either access format, answers with the one the line is.
pub fn parse(format: FormatId, line: &str, ctx: &ParseContext) -> Option<Header> {
    match format {
        FormatId::Unknown => None,
        FormatId::Json => json::parse(line, ctx),
        FormatId::Logfmt => logfmt::parse(line, ctx),
        FormatId::SyslogRfc5424 => syslog::parse_rfc5424(line, ctx),
        FormatId::SyslogRfc3164 => syslog::parse_rfc3164(line, ctx),
        FormatId::AccessCombined | FormatId::AccessCommon => access::parse(line, ctx),
        FormatId::NginxError => web_error::parse_nginx(line, ctx),
        FormatId::ApacheError => web_error::parse_apache(line, ctx),
        FormatId::SpringBoot => java::parse_spring_boot(line, ctx),
        FormatId::Logback => java::parse_logback(line, ctx),
        FormatId::Log4j => java::parse_log4j(line, ctx),
        FormatId::TomcatCatalina => java::parse_tomcat(line, ctx),
        FormatId::AspnetCore => dotnet::parse_aspnet_core(line, ctx),
        FormatId::Serilog => dotnet::parse_serilog(line, ctx),
        FormatId::Klog => klog::parse(line, ctx),
        FormatId::Hdfs => hadoop::parse_hdfs(line, ctx),
        FormatId::Hadoop => hadoop::parse_hadoop(line, ctx),
        FormatId::Spark => hadoop::parse_spark(line, ctx),
        FormatId::Zookeeper => hadoop::parse_zookeeper(line, ctx),
        FormatId::AndroidLogcat => android::parse(line, ctx),
        FormatId::Bgl => hpc::parse_bgl(line, ctx),
        FormatId::Thunderbird => hpc::parse_thunderbird(line, ctx),
        FormatId::Hpc => hpc::parse_hpc(line, ctx),
        FormatId::WindowsCbs => misc::parse_windows_cbs(line, ctx),
        FormatId::HealthApp => misc::parse_healthapp(line, ctx),
        FormatId::Proxifier => misc::parse_proxifier(line, ctx),
        FormatId::OpenStack => misc::parse_openstack(line, ctx),
        FormatId::Python => python::parse(line, ctx),
        FormatId::Postgres => postgres::parse(line, ctx),
        FormatId::Zap => zap::parse(line, ctx),
    }
}

/// Tries every known format but `skip`, most specific first (only those a line with this first byte can be).
pub fn parse_any(line: &str, ctx: &ParseContext, skip: FormatId) -> Option<Header> {
    let first = *line.as_bytes().first()?;
    let mut candidates = CANDIDATES[first as usize];
    while candidates != 0 {
        let k = candidates.trailing_zeros() as usize;
        candidates &= candidates - 1;
        let f = FormatId::KNOWN[k];
        if f != skip {
            if let Some(h) = parse(f, line, ctx) {
                return Some(h);
            }
        }
    }
    None
}

/// For each first byte, the formats of [`FormatId::KNOWN`] (bit `k` for the `k`-th) a line may have.
static CANDIDATES: [u32; 256] = {
    assert!(FormatId::KNOWN.len() <= 32);
    let mut t = [0u32; 256];
    let mut c = 0;
    while c < 256 {
        let mut k = 0;
        while k < FormatId::KNOWN.len() {
            if FormatId::KNOWN[k].may_start_with(c as u8) {
                t[c] |= 1 << k;
            }
            k += 1;
        }
        c += 1;
    }
    t
};

/// How much a header says: the tie-breaker between formats that accept the same lines.
fn richness(h: &Header) -> usize {
    h.ts.is_some() as usize
        + h.level.is_some() as usize
        + h.component.is_some() as usize
        + h.pid.is_some() as usize
        + h.thread.is_some() as usize
        + h.trace_id.is_some() as usize
        + h.host.is_some() as usize
        + h.fields.len()
}

/// Chooses the file's format from its first lines: the format that accepts the most of them; between formats
/// that accept as many, the one that reads the most fields from them, then the earlier in [`FormatId::KNOWN`].
/// `Unknown` when none accepts at least half of the non-blank lines.
pub fn detect(sample: &[&str], ctx: &ParseContext) -> FormatId {
    let lines: Vec<&str> = sample
        .iter()
        .copied()
        .filter(|l| !l.trim().is_empty() && !is_continuation(l, FormatId::Unknown))
        .collect();
    if lines.is_empty() {
        return FormatId::Unknown;
    }
    let mut best = (FormatId::Unknown, 0usize, 0usize);
    for f in FormatId::KNOWN {
        let (mut n, mut rich) = (0usize, 0usize);
        for l in &lines {
            if let Some(h) = parse(*f, l, ctx) {
                if h.format == *f {
                    n += 1;
                    rich += richness(&h);
                }
            }
        }
        if n > best.1 || (n == best.1 && n > 0 && rich > best.2) {
            best = (*f, n, rich);
        }
    }
    if best.1 * 2 >= lines.len() {
        best.0
    } else {
        FormatId::Unknown
    }
}

/// Whether a line that has no header of the file's format continues the event before it: indented lines, stack
/// frames, `Caused by:`, `... N more`, Python tracebacks, and in Java/.NET logs exception lines.
pub fn is_continuation(line: &str, file_format: FormatId) -> bool {
    let b = line.as_bytes();
    match b.first() {
        None => return true,
        Some(b' ' | b'\t') => return true,
        _ => {}
    }
    if line.starts_with("Caused by:")
        || line.starts_with(PY_TRACEBACK)
        || line.starts_with(PY_CHAINED_CAUSE)
        || line.starts_with(PY_CHAINED_CONTEXT)
        || line.starts_with("... ")
        || line.starts_with("--- End of ")
        || line.starts_with("goroutine ")
        || line.starts_with("}")
        || line.starts_with("]")
        || line.starts_with("-----BEGIN ")
        || line.starts_with("-----END ")
        || looks_like_pem_body(b)
    {
        return true;
    }
    if file_format.is_multiline_app_format() || file_format == FormatId::Unknown {
        return looks_like_exception_line(line);
    }
    false
}

/// The first line of a Python traceback.
pub const PY_TRACEBACK: &str = "Traceback (most recent call last)";
/// Between chained Python tracebacks (`raise … from …`).
const PY_CHAINED_CAUSE: &str =
    "The above exception was the direct cause of the following exception";
/// Between chained Python tracebacks (an exception raised while handling another).
const PY_CHAINED_CONTEXT: &str =
    "During handling of the above exception, another exception occurred";

/// The last line of a Python traceback: the exception's (optionally dotted) class name, alone or followed by
/// `:` and its message (`KeyboardInterrupt`, `sqlalchemy.exc.OperationalError: (psycopg2…) …`,
/// `socket.timeout: timed out`). Any class name: Python's exceptions need not end in `Error`.
pub fn looks_like_py_exception_line(line: &str) -> bool {
    let head = line.split_once(':').map_or(line, |(h, _)| h).trim_end();
    !head.is_empty()
        && head.len() <= 200
        && head.split('.').all(|part| {
            part.bytes()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                && part.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_')
        })
}

/// A line of a PEM block's base64 body (certificates and keys printed into a log span several lines of 64).
fn looks_like_pem_body(b: &[u8]) -> bool {
    (40..=76).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'='))
}

/// `java.lang.IllegalStateException: ...`, `System.InvalidOperationException: ...`, `ValueError: ...`.
fn looks_like_exception_line(line: &str) -> bool {
    let head = match line.find(':') {
        Some(i) => &line[..i],
        None => line,
    };
    if head.is_empty() || head.contains(' ') {
        return false;
    }
    head.ends_with("Exception") || head.ends_with("Error") || head.ends_with("Throwable")
}

#[cfg(test)]
pub(crate) mod test_util {
    //! Helpers for the format tests: a fixed context and a field-by-field comparison.
    use super::ParseContext;
    use crate::event::{FieldValue, Header};

    pub const CTX: ParseContext = ParseContext { default_year: 2026 };

    /// What a parsed line should say; `None` fields must be absent.
    #[derive(Default)]
    pub struct Want<'a> {
        pub format: &'a str,
        pub ts: Option<&'a str>,
        pub level: Option<&'a str>,
        pub component: Option<&'a str>,
        pub pid: Option<&'a str>,
        pub thread: Option<&'a str>,
        pub trace_id: Option<&'a str>,
        pub host: Option<&'a str>,
        pub message: &'a str,
        pub fields: &'a [(&'a str, &'a str)],
    }

    /// The message as the event of this one line would have it.
    pub fn msg<'a>(line: &'a str, h: &'a Header) -> &'a str {
        if h.message_decoded {
            return &h.decoded[h.message_start as usize..h.message_end.unwrap() as usize];
        }
        let start = (h.message_start as usize).min(line.len());
        match h.message_end {
            Some(e) => &line[start..(e as usize).clamp(start, line.len())],
            None => &line[start..],
        }
    }

    pub fn check(line: &str, h: &Header, want: Want<'_>) {
        let sp = |s: Option<crate::event::Span>| s.map(|s| h.text_of(line, s));
        assert_eq!(h.format.as_str(), want.format, "format of {line}");
        assert_eq!(
            h.ts.map(|t| t.to_rfc3339()).as_deref(),
            want.ts,
            "ts of {line}"
        );
        assert_eq!(h.level.map(|l| l.as_str()), want.level, "level of {line}");
        assert_eq!(sp(h.component), want.component, "component of {line}");
        assert_eq!(sp(h.pid), want.pid, "pid of {line}");
        assert_eq!(sp(h.thread), want.thread, "thread of {line}");
        assert_eq!(sp(h.trace_id), want.trace_id, "trace_id of {line}");
        assert_eq!(sp(h.host), want.host, "host of {line}");
        assert_eq!(msg(line, h), want.message, "message of {line}");
        let fields: Vec<(&str, String)> = h
            .fields
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    match v {
                        FieldValue::Text(s) => h.text_of(line, *s).to_string(),
                        FieldValue::Int(i) => i.to_string(),
                        FieldValue::Float(f) => f.to_string(),
                    },
                )
            })
            .collect();
        let want_fields: Vec<(&str, String)> = want
            .fields
            .iter()
            .map(|(k, v)| (*k, v.to_string()))
            .collect();
        assert_eq!(fields, want_fields, "fields of {line}");
    }
}

#[cfg(test)]
mod tests {
    use super::test_util::CTX;
    use super::*;

    /// A few lines of every format (loghub's datasets included): each is read by its own format even when every
    /// format is tried in turn, and a sample of them is detected as that format.
    const SAMPLES: &[(FormatId, &[&str])] = &[
        (FormatId::Json, &[
            r#"{"level":30,"time":1700000000123,"pid":1,"hostname":"a","msg":"listening"}"#,
            r#"{"@timestamp":"2024-01-15T10:23:45.123Z","log.level":"error","message":"boom"}"#,
            r#"{"log":"{\"level\":\"warn\",\"msg\":\"x\"}\n","stream":"stderr","time":"2026-11-20T10:00:00.5Z"}"#,
            r#"{"__REALTIME_TIMESTAMP":"1795168800123456","_HOSTNAME":"web-1","PRIORITY":"3","SYSLOG_IDENTIFIER":"nginx","_PID":"880","MESSAGE":"bind() failed"}"#,
        ]),
        (FormatId::Logfmt, &[
            r#"time=2024-01-15T10:23:45Z level=info msg="started" port=8080"#,
            "ts=2024-01-15T10:23:46Z level=warn msg=slow dur=2s",
        ]),
        (FormatId::SyslogRfc5424, &["<165>1 2003-10-11T22:14:15.003Z host app 12 ID1 - msg"]),
        (FormatId::SyslogRfc3164, &[
            "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; logname= uid=0",
            "Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186",
            "Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: IOThunderboltSwitch<0>(0x0)::listenerCallback - Thunderbolt HPD",
            "Jul  4 23:14:37 calvisitor-10-105-162-105 com.apple.xpc.launchd[1] (com.apple.xpc.launchd.domain.pid.WebContent.35400): Path not allowed",
            "Jul  4 23:22:09 calvisitor-10-105-162-105 Microsoft Word[14463]: Cocoa scripting error for '0x00660011'",
        ]),
        (FormatId::AccessCombined, &[
            r#"1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 612 "-" "curl/8""#,
        ]),
        (FormatId::AccessCommon, &[r#"1.2.3.4 - - [10/Oct/2023:13:55:36 +0000] "GET / HTTP/1.1" 200 612"#]),
        (FormatId::NginxError, &["2024/01/01 12:00:00 [error] 123#456: *7 connect() failed"]),
        (FormatId::ApacheError, &[
            "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties",
            "[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] [client 72.15.99.187] File does not exist",
        ]),
        (FormatId::Proxifier, &[
            "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
            "[07.26 14:03:57] chrome.exe *64 - notifications.google.com:443 close, 470 bytes sent, 4856 bytes (4.74 KB) received, lifetime 04:00",
            "[05.01 00:00:00] git-remote-https.exe - proxy.cse.cuhk.edu.hk:5070 close, 877 bytes sent",
        ]),
        (FormatId::Serilog, &["[10:23:45 INF] Starting", "2024-01-15 10:23:45.123 +01:00 [ERR] Failed"]),
        (FormatId::SpringBoot, &[
            "2024-01-15 10:23:45.123  INFO 12345 --- [           main] o.s.b.StartupInfoLogger                  : Starting",
            "2024-01-15T10:23:45.123+01:00  WARN 12345 --- [myapp] [           main] o.s.b.X : Careful",
        ]),
        (FormatId::Zookeeper, &[
            "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:FastLeaderElection@774] - Notification time out: 3200",
        ]),
        (FormatId::Logback, &["2024-01-15 10:23:45,123 [main] INFO  com.x.Y - msg", "10:23:45.123 [main] WARN com.x.Y - msg"]),
        (FormatId::Log4j, &["2024-01-15 10:23:45,123 INFO  [com.x.Y] (thread) msg", "2024-01-15 10:23:45,123 ERROR [main] com.x.Y - msg"]),
        (FormatId::Hadoop, &[
            "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: Created MRAppMaster",
        ]),
        (FormatId::TomcatCatalina, &["15-Jan-2024 10:23:45.123 INFO [main] org.apache.catalina.startup.Catalina.start Server startup"]),
        (FormatId::AspnetCore, &["info: Microsoft.Hosting.Lifetime[0]", "warn: Microsoft.AspNetCore.Server.Kestrel[0]"]),
        (FormatId::Klog, &["I0115 10:23:45.123456   12345 controller.go:123] Reconciling"]),
        (FormatId::Hdfs, &["081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating"]),
        (FormatId::Spark, &["17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered signal handlers for [TERM, HUP, INT]"]),
        (FormatId::AndroidLogcat, &["03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogsopening app wtoken"]),
        (FormatId::Bgl, &[
            "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
            "APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix on control stream (CioStream socket to 172.16.96.116:33569",
            "- 1123030687 2005.08.02 R00-M0-N2 2005-08-02-17.58.07.084868 R00-M0-N2 NULL DISCOVERY ERROR Node card status: ALERT 0, ALERT 1, ALERT 2, ALERT 3 is (are) active.",
            "- 1123110662 2005.08.03 NULL 2005-08-03-16.11.02.839771 NULL RAS MMCS ERROR idoproxydb hit ASSERT condition: ASSERT expression=0",
        ]),
        (FormatId::Thunderbird, &[
            "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session closed for user root",
            "- 1131566461 2005.11.09 tbird-admin1 Nov 9 12:01:01 local@tbird-admin1 /apps/x86_64/system/ganglia-3.0.1/sbin/gmetad[1682]: data_thread() got not answer from any [Thunderbird_A8] datasource",
            "- 1131566470 2005.11.09 tbird-sm1 Nov 9 12:01:10 src@tbird-sm1 ib_sm.x[24904]: [ib_sm_sweep.c:1831]: ********************** NEW SWEEP ********************",
            "- 1131566462 2005.11.09 #8# Nov 9 12:01:02 #8#/#8# crond(pam_unix)[23469]: session closed for user root",
        ]),
        (FormatId::Hpc, &[
            "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State Change: Component \\042SCSI-WWID:01000010:6005-08b4-0001-00c6-0006-3000-003d-0000\\042 is in the unavailable state (HWID=1973)",
            "2568643 node-70 action start 1074119817 1 clusterAddMember  (command 1902)",
            "2566692 1897 boot_cmd success 1073991950 1 Command has completed successfully",
            "147394 Interconnect-0N00 switch_module temphigh 1129812510 1 Temperature (41C) exceeds warning threshold",
        ]),
        (FormatId::WindowsCbs, &[
            "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_6.1.7601.23505_none_681aa442f6fed7f0\\cbscore.dll",
            "2016-09-28 04:30:31, Info                  CSI    00000001@2016/9/27:20:30:31.455 WcpInitialize (wcp.dll version 0.0.0.6) called (stack @0x7fed806eb5d @0x7fefa1c8728 @0x7fefa1c8a7b @0xff83e474 @0xff83d7bd @0xff83db2f)",
        ]),
        (FormatId::HealthApp, &[
            "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
            "20171223-22:15:29:615|Step_StandReportReceiver|30002312|onReceive action: android.intent.action.SCREEN_ON",
            "20171224-0:0:0:232|Step_SPUtils|30002312|setDiffTotalSteps=8874",
        ]),
        (FormatId::OpenStack, &[
            "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO nova.osapi_compute.wsgi.server [req-38101a0b-2096-447d-96ea-a692162415ae 113d3a99c3da401fbd62cc2caa5b96d2 54fadb412c4e40cdbaed9335e4c35a9e - - -] 10.11.10.1 \"GET /v2/54fadb412c4e40cdbaed9335e4c35a9e/servers/detail HTTP/1.1\" status: 200 len: 1893 time: 0.2477829",
            "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:06:22.565 2931 INFO nova.virt.libvirt.driver [-] [instance: fecdd5a9-3ca0-4c82-9336-63b7774f738e] Instance spawned successfully.",
            "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:06:35.367 2931 WARNING nova.virt.libvirt.imagecache [req-addc1839-2ed5-4778-b57e-5854eb7b8b09 - - - - -] Unknown base file: /var/lib/nova/instances/_base/a489c868f0c37da93b76227c91bb03908ac0e742",
        ]),
        (FormatId::Python, &[
            "2026-11-20 10:00:03,123 - app.main - INFO - bye",
            "2026-11-20 10:00:03,123 [ERROR] app.db: connection lost",
            "[2026-11-20 10:00:03,123] WARNING [django.request:241] Not Found: /favicon.ico",
            "ERROR:root:boom",
        ]),
        (FormatId::Zap, &[
            "2026-11-20T10:00:02.000Z\tERROR\tpayments\tcharge/charge.go:42\tcharge failed\t{\"order\": 7}",
            "2026-11-20T10:00:03.000Z\tinfo\tmain.go:12\tserver started",
        ]),
        (FormatId::Postgres, &[
            "2026-11-20 10:00:00.123 UTC [2345] FATAL:  sorry, too many clients already",
            "2026-11-20 10:00:00 UTC [2345]: [3-1] user=app,db=shop,app=psql,client=10.0.0.5 LOG:  duration: 0.512 ms",
            "2026-11-20 10:00:00 UTC:10.0.0.7(51234):alice@orders:[4242]:ERROR:  syntax error at or near \"SELEC\"",
        ]),
    ];

    #[test]
    fn every_sample_is_read_by_its_own_format() {
        for (f, lines) in SAMPLES {
            for l in *lines {
                assert!(f.may_start_with(l.as_bytes()[0]), "{l}");
                let h = parse_any(l, &CTX, FormatId::Unknown);
                assert_eq!(h.map(|h| h.format), Some(*f), "{l}");
                assert_eq!(parse(*f, l, &CTX).map(|h| h.format), Some(*f), "{l}");
            }
            assert_eq!(detect(lines, &CTX), *f);
        }
    }

    #[test]
    fn no_parser_panics_on_cut_or_mangled_lines() {
        let mut inputs: Vec<String> = Vec::new();
        for (_, lines) in SAMPLES {
            for l in *lines {
                for (i, _) in l.char_indices() {
                    inputs.push(l[..i].to_string());
                    inputs.push(format!("{}é\u{1F600}{}", &l[..i], &l[i..]));
                }
                for junk in [
                    "\"", "[", "]", ":", " ", "\\", "{", "=", "-", "|", "@", "\t",
                ] {
                    inputs.push(l.replace(' ', junk));
                }
            }
        }
        // Splices of two lines at random character boundaries (xorshift: no dependency, same cases every run).
        let all: Vec<&str> = SAMPLES
            .iter()
            .flat_map(|(_, l)| l.iter().copied())
            .collect();
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = |n: usize| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x % n as u64) as usize
        };
        for _ in 0..20_000 {
            let (a, b) = (all[next(all.len())], all[next(all.len())]);
            let cut = |s: &str, k: usize| {
                let mut k = k.min(s.len());
                while !s.is_char_boundary(k) {
                    k -= 1;
                }
                k
            };
            let i = cut(a, next(a.len() + 1));
            let j = cut(b, next(b.len() + 1));
            inputs.push(format!("{}{}", &a[..i], &b[j..]));
        }
        for l in &inputs {
            for f in FormatId::KNOWN {
                if let Some(h) = parse(*f, l, &CTX) {
                    // Spans stay inside the line and on character boundaries.
                    for s in [h.component, h.pid, h.thread, h.trace_id, h.host]
                        .into_iter()
                        .flatten()
                    {
                        let _ = h.text_of(l, s);
                    }
                    for (_, v) in &h.fields {
                        if let crate::event::FieldValue::Text(s) = v {
                            let _ = h.text_of(l, *s);
                        }
                    }
                    if let Some(e) = h.message_end {
                        let m = if h.message_decoded { &h.decoded } else { l };
                        let _ = &m[h.message_start as usize..e as usize];
                    }
                }
            }
            let _ = unknown::header(l, &CTX);
        }
    }

    #[test]
    fn every_format_is_known_and_named() {
        let mut names: Vec<&str> = FormatId::KNOWN.iter().map(|f| f.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), FormatId::KNOWN.len());
        for f in FormatId::KNOWN {
            assert_eq!(FormatId::from_name(f.as_str()), Some(*f));
            assert!(SAMPLES.iter().any(|(s, _)| s == f), "no sample for {f:?}");
        }
    }

    #[test]
    fn detection_prefers_majority_then_richness() {
        // Mixed: mostly logfmt with a stray JSON line.
        let lines = [
            "time=2024-01-15T10:23:45Z level=info msg=a x=1",
            r#"{"msg":"b"}"#,
            "time=2024-01-15T10:23:46Z level=info msg=c x=2",
        ];
        assert_eq!(detect(&lines, &CTX), FormatId::Logfmt);
        // Stack traces and blank lines do not count against the format.
        let lines = [
            "2024-01-15 10:23:45.123 ERROR 1 --- [main] c.e.App : failed",
            "java.lang.IllegalStateException: boom",
            "\tat c.e.App.run(App.java:10)",
            "",
        ];
        assert_eq!(detect(&lines, &CTX), FormatId::SpringBoot);
        assert_eq!(detect(&["hello", "world", "x=1"], &CTX), FormatId::Unknown);
        assert_eq!(detect(&[], &CTX), FormatId::Unknown);
    }
}

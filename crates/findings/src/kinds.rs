//! Resource exhaustion and failure signatures: which phrases mean which kind of failure.
//!
//! Each needle is a lowercase phrase that the analyzer's automaton finds (ASCII case-insensitive) in an event's
//! message. Some needles are only taken at `WARN` and above (or in logs without levels), because the same words
//! appear in healthy `INFO` lines ("timeout=30s", "SSL handshake completed"); some need a confirming word nearby.
//! One event may show several kinds (a pool timeout caused by a refused connection); a generic `timeout` is
//! dropped when a more specific kind explains the event.

use crate::text::contains_ci;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Oom,
    DiskFull,
    FdExhaustion,
    DbPool,
    ThreadPool,
    Deadlock,
    Dns,
    Tls,
    ConnRefused,
    Timeout,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::Oom,
        Kind::DiskFull,
        Kind::FdExhaustion,
        Kind::DbPool,
        Kind::ThreadPool,
        Kind::Deadlock,
        Kind::Dns,
        Kind::Tls,
        Kind::ConnRefused,
        Kind::Timeout,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Oom => "oom",
            Kind::DiskFull => "disk_full",
            Kind::FdExhaustion => "fd_exhaustion",
            Kind::DbPool => "db_pool_exhausted",
            Kind::ThreadPool => "thread_pool_exhausted",
            Kind::Deadlock => "deadlock",
            Kind::Dns => "dns_failure",
            Kind::Tls => "tls_error",
            Kind::ConnRefused => "connection_refused",
            Kind::Timeout => "timeout",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// When a needle counts.
#[derive(Debug, Clone, Copy)]
pub enum Gate {
    /// Always.
    Any,
    /// At `WARN` or above, or when the event has no level.
    Warn,
    /// At `WARN`+ (or no level) and a confirming check on the message.
    WarnAnd(fn(&str) -> bool),
    /// At any level, with a confirming check.
    AnyAnd(fn(&str) -> bool),
}

pub struct Needle {
    /// As it is usually written (for queries); matched ASCII case-insensitively.
    pub text: &'static str,
    pub kind: Kind,
    pub gate: Gate,
}

const fn n(text: &'static str, kind: Kind, gate: Gate) -> Needle {
    Needle { text, kind, gate }
}

use Gate::{Any, AnyAnd, Warn, WarnAnd};
use Kind::*;

fn hikari_ctx(m: &str) -> bool {
    contains_ci(m, "not available")
        || contains_ci(m, "exhausted")
        || contains_ci(m, "timed out")
        || contains_ci(m, "timeout")
}
fn pool_ctx(m: &str) -> bool {
    contains_ci(m, "pool") || contains_ci(m, "hikari") || contains_ci(m, "timed out")
}
fn druid_ctx(m: &str) -> bool {
    contains_ci(m, "maxactive") || contains_ci(m, "active ")
}
fn kernel_kill_ctx(m: &str) -> bool {
    contains_ci(m, "total-vm")
        || contains_ci(m, "anon-rss")
        || contains_ci(m, "out of memory")
        || contains_ci(m, "oom")
}
fn python_memory_error(m: &str) -> bool {
    // `MemoryError` as a class, not `OutOfMemoryError` (its own needle).
    let b = m.as_bytes();
    let mut from = 0;
    while let Some(p) = m[from..].find("MemoryError") {
        let p = from + p;
        if p == 0 || !b[p - 1].is_ascii_alphanumeric() {
            return true;
        }
        from = p + 11;
    }
    false
}
fn word_emfile(m: &str) -> bool {
    ["EMFILE", "ENFILE"].iter().any(|w| {
        m.match_indices(w).any(|(i, _)| {
            let b = m.as_bytes();
            (i == 0 || !b[i - 1].is_ascii_alphanumeric())
                && b.get(i + w.len())
                    .is_none_or(|c| !c.is_ascii_alphanumeric())
        })
    })
}
fn full_ctx(m: &str) -> bool {
    contains_ci(m, " full")
}
fn tls_ctx(m: &str) -> bool {
    contains_ci(m, "ssl") || contains_ci(m, "tls") || contains_ci(m, "certificate")
}
fn not_success(m: &str) -> bool {
    !(contains_ci(m, "completed") || contains_ci(m, "successful") || contains_ci(m, "succeeded"))
}
fn deadlock_ctx(m: &str) -> bool {
    !(contains_ci(m, "no deadlock")
        || contains_ci(m, "deadlock detection")
        || contains_ci(m, "deadlock_timeout"))
}
fn busy_ctx(m: &str) -> bool {
    contains_ci(m, "thread")
}

/// Whether a needle found at `b[s..e]` stands as words: at each end the text either stops being a word there
/// (a non-alphanumeric byte, or the end) or starts a new camel-case hump (`deadlock` in
/// `DeadlockLoserDataAccessException`, `TimeoutException` in `SocketTimeoutException`). So `ENOTFOUND` is not
/// found in `FileNotFoundException`, nor `timed out` in `timed outbound`. A needle that starts or ends with a
/// non-word byte (`x509: `) is bounded there by itself.
pub fn at_word_bounds(b: &[u8], s: usize, e: usize) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric();
    let hump = |before: u8, after: u8| {
        (before.is_ascii_lowercase() || before.is_ascii_digit()) && after.is_ascii_uppercase()
    };
    let start_ok = s == 0 || !word(b[s]) || !word(b[s - 1]) || hump(b[s - 1], b[s]);
    let end_ok = e >= b.len() || !word(b[e - 1]) || !word(b[e]) || hump(b[e - 1], b[e]);
    start_ok && end_ok
}

/// The needles. Order does not matter; the automaton reports all of them.
pub static NEEDLES: &[Needle] = &[
    // Memory.
    n("OutOfMemoryError", Oom, Any),
    n("OutOfMemoryException", Oom, Any),
    n("Out of memory", Oom, Warn),
    n("oom-kill", Oom, Any),
    n("oom_kill", Oom, Any),
    n("oom killer", Oom, Any),
    n("OOMKilled", Oom, Any),
    n("oom_reaper", Oom, Any),
    n("Killed process", Oom, AnyAnd(kernel_kill_ctx)),
    n("MemoryError", Oom, WarnAnd(python_memory_error)),
    n("bad_alloc", Oom, Warn),
    n("Cannot allocate memory", Oom, Warn),
    n("Insufficient memory", Oom, Warn),
    n("heap out of memory", Oom, Any),
    // File descriptors.
    n("Too many open files", FdExhaustion, Any),
    n("EMFILE", FdExhaustion, AnyAnd(word_emfile)),
    n("ENFILE", FdExhaustion, AnyAnd(word_emfile)),
    n("file table overflow", FdExhaustion, Any),
    n("file-max limit", FdExhaustion, Any),
    // Disk.
    n("No space left on device", DiskFull, Any),
    n("ENOSPC", DiskFull, Any),
    n("disk full", DiskFull, Warn),
    n("disk is full", DiskFull, Warn),
    n("Disk quota exceeded", DiskFull, Any),
    n("EDQUOT", DiskFull, Any),
    n("not enough space on the disk", DiskFull, Any),
    n("flood stage disk watermark", DiskFull, Any),
    n("high disk watermark", DiskFull, Warn),
    n("insufficient disk space", DiskFull, Warn),
    n("filesystem full", DiskFull, Warn),
    n("file system full", DiskFull, Warn),
    n("out of disk space", DiskFull, Warn),
    n("transaction log for database", DiskFull, WarnAnd(full_ctx)),
    // Database connection pools.
    n("Connection is not available", DbPool, AnyAnd(pool_ctx)),
    n("HikariPool", DbPool, WarnAnd(hikari_ctx)),
    n("Unable to acquire JDBC Connection", DbPool, Warn),
    n("GetConnectionTimeoutException", DbPool, Any),
    n("wait millis", DbPool, WarnAnd(druid_ctx)),
    n("Timeout waiting for idle object", DbPool, Any),
    n("Cannot get a connection, pool error", DbPool, Any),
    n("pool exhausted", DbPool, Warn),
    n("PoolExhaustedException", DbPool, Any),
    n("checkout a Connection has timed out", DbPool, Any),
    n("connection pool has been exhausted", DbPool, Any),
    n("obtaining a connection from the pool", DbPool, Any),
    n("max pool size was reached", DbPool, Any),
    n("Too many connections", DbPool, Warn),
    n("too many clients already", DbPool, Any),
    n("remaining connection slots are reserved", DbPool, Any),
    n("Could not get a resource from the pool", DbPool, Any),
    n("pool is exhausted", DbPool, Warn),
    // Thread pools.
    n("RejectedExecutionException", ThreadPool, Any),
    n("TaskRejectedException", ThreadPool, Any),
    n("Thread pool is EXHAUSTED", ThreadPool, Any),
    n("rejected from java.util.concurrent", ThreadPool, Any),
    n("are currently busy", ThreadPool, WarnAnd(busy_ctx)),
    n("increase maxThreads", ThreadPool, Any),
    n("thread pool starvation", ThreadPool, Warn),
    n("threadpool starvation", ThreadPool, Warn),
    n("could not be queued for execution", ThreadPool, Any),
    n("thread pool exhausted", ThreadPool, Warn),
    n("no idle threads", ThreadPool, Warn),
    // Deadlocks.
    n("deadlock", Deadlock, WarnAnd(deadlock_ctx)),
    n("ORA-00060", Deadlock, Any),
    n("Lock wait timeout exceeded", Deadlock, Any),
    // DNS.
    n("UnknownHostException", Dns, Any),
    n("Name or service not known", Dns, Any),
    n("Temporary failure in name resolution", Dns, Any),
    n("nodename nor servname", Dns, Any),
    n("ENOTFOUND", Dns, Any),
    n("EAI_AGAIN", Dns, Any),
    n("no such host", Dns, Warn),
    n("Could not resolve host", Dns, Any),
    n("NXDOMAIN", Dns, Warn),
    n("SERVFAIL", Dns, Warn),
    n("could not be resolved", Dns, Warn),
    n("name resolution failed", Dns, Warn),
    n("failed to resolve", Dns, Warn),
    n("unable to resolve host", Dns, Warn),
    n("dns lookup failed", Dns, Warn),
    n("No address associated with hostname", Dns, Any),
    n("getaddrinfo failed", Dns, Any),
    // TLS.
    n("SSLHandshakeException", Tls, Any),
    n("SSLException", Tls, Warn),
    n("SSL_ERROR", Tls, Warn),
    n("SSL routines", Tls, Warn),
    n("SSL_do_handshake", Tls, Warn),
    n("SSL handshake", Tls, WarnAnd(not_success)),
    n("TLS handshake", Tls, WarnAnd(not_success)),
    n("handshake failed", Tls, WarnAnd(tls_ctx)),
    n("handshake failure", Tls, Warn),
    n("PKIX path", Tls, Any),
    n("certificate verify failed", Tls, Any),
    n("CERTIFICATE_VERIFY_FAILED", Tls, Any),
    n("x509: ", Tls, Warn),
    n("certificate has expired", Tls, Any),
    n("certificate expired", Tls, Warn),
    n("CERT_HAS_EXPIRED", Tls, Any),
    n("unable to get local issuer", Tls, Any),
    n("self signed certificate", Tls, Warn),
    n("self-signed certificate", Tls, Warn),
    n("unknown certificate authority", Tls, Any),
    n("bad certificate", Tls, Warn),
    n("remote certificate is invalid", Tls, Any),
    n("AuthenticationException", Tls, WarnAnd(tls_ctx)),
    n("SSLPeerUnverifiedException", Tls, Any),
    n("CertPathValidatorException", Tls, Any),
    n("wrong version number", Tls, WarnAnd(tls_ctx)),
    n("tls: ", Tls, Warn),
    // Refused connections.
    n("Connection refused", ConnRefused, Any),
    n("ECONNREFUSED", ConnRefused, Any),
    n("actively refused", ConnRefused, Any),
    n("connection was refused", ConnRefused, Any),
    // Timeouts.
    n("SocketTimeoutException", Timeout, Any),
    n("timed out", Timeout, Warn),
    n("TimeoutException", Timeout, Warn),
    n("Gateway Time-out", Timeout, Warn),
    n("Gateway Timeout", Timeout, Warn),
    n("deadline exceeded", Timeout, Warn),
    n("DeadlineExceeded", Timeout, Warn),
    n("DEADLINE_EXCEEDED", Timeout, Warn),
    n("ETIMEDOUT", Timeout, Warn),
    n("ESOCKETTIMEDOUT", Timeout, Warn),
    n("Timeout expired", Timeout, Warn),
    n("statement timeout", Timeout, Warn),
    n("read timeout", Timeout, Warn),
    n("connect timeout", Timeout, Warn),
    n("TimeoutError", Timeout, Warn),
    n("i/o timeout", Timeout, Warn),
    n("timeout exceeded", Timeout, Warn),
    n("request timeout", Timeout, Warn),
];

/// A short description of the failure's flavour from the message (checked only for events already matched).
pub fn flavor(kind: Kind, m: &str) -> &'static str {
    let has = |s: &str| contains_ci(m, s);
    match kind {
        Oom => {
            if has("java heap space") {
                "Java heap space"
            } else if has("gc overhead limit") {
                "GC overhead limit exceeded"
            } else if has("metaspace") {
                "Metaspace"
            } else if has("unable to create new native thread")
                || has("unable to create native thread")
            {
                "unable to create native thread"
            } else if has("direct buffer memory") {
                "direct buffer memory"
            } else if has("requested array size") {
                "requested array size exceeds VM limit"
            } else if has("outofmemoryexception") {
                ".NET OutOfMemoryException"
            } else if has("oomkilled") {
                "container OOMKilled"
            } else if has("memory cgroup out of memory") {
                "cgroup memory limit (kernel OOM killer)"
            } else if has("killed process")
                || has("kill process")
                || has("oom-kill")
                || has("oom_reaper")
                || has("oom killer")
            {
                "kernel OOM killer"
            } else if has("javascript heap") {
                "Node.js heap out of memory"
            } else if has("runtime: out of memory") {
                "Go runtime out of memory"
            } else if has("outofmemoryerror") {
                "Java OutOfMemoryError"
            } else if has("memoryerror") {
                "Python MemoryError"
            } else if has("cannot allocate memory") {
                "ENOMEM (cannot allocate memory)"
            } else {
                "out of memory"
            }
        }
        FdExhaustion => {
            if has("in system") || has("enfile") || has("file table overflow") || has("file-max") {
                "system-wide file table full"
            } else {
                "per-process open-file limit"
            }
        }
        DiskFull => {
            if has("quota") || has("edquot") {
                "disk quota exceeded"
            } else if has("watermark") {
                "Elasticsearch disk watermark"
            } else if has("transaction log") {
                "database transaction log full"
            } else {
                "no space left on device"
            }
        }
        DbPool => {
            if has("hikari") {
                "HikariCP"
            } else if has("druid") || has("getconnectiontimeout") || has("wait millis") {
                "Druid"
            } else if has("idle object") || has("pool error") || has("dbcp") {
                "Commons DBCP"
            } else if has("checkout a connection") || has("c3p0") {
                "c3p0"
            } else if has("npgsql") || has("connection pool has been exhausted") {
                "Npgsql"
            } else if has("obtaining a connection from the pool") || has("max pool size") {
                "SqlClient (ADO.NET)"
            } else if has("too many clients") || has("connection slots") {
                "PostgreSQL max_connections"
            } else if has("too many connections") {
                "MySQL max_connections"
            } else if has("resource from the pool") {
                "Jedis (Redis) pool"
            } else {
                "connection pool"
            }
        }
        ThreadPool => {
            if has("currently busy") || has("maxthreads") {
                "Tomcat request threads (maxThreads)"
            } else if has("thread pool is exhausted") {
                "Dubbo thread pool"
            } else if has("starvation") {
                ".NET thread-pool starvation"
            } else if has("esrejectedexecution") {
                "Elasticsearch thread-pool queue"
            } else if has("queued for execution") {
                "Hystrix thread pool"
            } else {
                "executor rejected tasks"
            }
        }
        Deadlock => {
            if has("java-level deadlock") {
                "JVM thread deadlock"
            } else if has("all goroutines are asleep") {
                "Go runtime deadlock"
            } else if has("lock wait timeout") {
                "lock wait timeout (lock contention)"
            } else if has("ora-00060") {
                "Oracle deadlock (ORA-00060)"
            } else if has("deadlock found") {
                "MySQL/InnoDB deadlock"
            } else if has("deadlock detected") {
                "PostgreSQL deadlock"
            } else if has("deadlocked on") || has("deadlock victim") {
                "SQL Server deadlock"
            } else {
                "deadlock"
            }
        }
        Dns => {
            if has("temporary failure") || has("eai_again") || has("servfail") {
                "resolver unavailable (temporary failure)"
            } else {
                "name does not resolve"
            }
        }
        Tls => {
            if has("expired") {
                "certificate expired"
            } else if has("pkix")
                || has("local issuer")
                || has("unknown certificate authority")
                || has("self signed")
                || has("self-signed")
                || has("unknown ca")
                || has("certpathvalidator")
                || has("verify failed")
            {
                "untrusted certificate chain"
            } else if has("hostname") || has("subject alternative") || has("doesn't match") {
                "hostname mismatch"
            } else if has("wrong version number") || has("protocol") || has("no cipher") {
                "protocol or cipher mismatch"
            } else {
                "TLS handshake failure"
            }
        }
        ConnRefused => "connection refused",
        Timeout => {
            if has("upstream timed out") {
                "upstream (proxy) timeout"
            } else if has("gateway time") {
                "gateway timeout"
            } else if has("deadline") {
                "deadline exceeded"
            } else if has("read timed out") || has("read timeout") {
                "read timeout"
            } else if has("connect timed out")
                || has("connect timeout")
                || has("connection timed out")
            {
                "connect timeout"
            } else if has("statement timeout") || has("timeout expired") {
                "query timeout"
            } else {
                "timeout"
            }
        }
    }
}

/// Source files (`Foo.java:42`) look like `host:port`; they are not peers.
fn is_source_file(host: &str) -> bool {
    const EXT: &[&str] = &[
        ".java", ".kt", ".scala", ".groovy", ".py", ".go", ".js", ".mjs", ".cjs", ".ts", ".cs",
        ".rb", ".php", ".rs", ".c", ".cc", ".cpp", ".h", ".swift", ".ex", ".exs", ".erl", ".clj",
        ".vb", ".fs", ".lua", ".pl",
    ];
    EXT.iter().any(|e| host.ends_with(e))
}

/// `host:port` or a URL's host named in a message (the peer of a refused or timed-out connection). Stack-frame
/// lines are skipped.
pub fn target_of(m: &str) -> Option<String> {
    // nginx: `upstream: "http://10.0.0.5:8080/api"`.
    if let Some(p) = m.find("upstream: \"") {
        let rest = &m[p + 11..];
        let end = rest.find('"').unwrap_or(rest.len());
        let u = &rest[..end];
        let u = u.split("://").nth(1).unwrap_or(u);
        let host = u.split('/').next().unwrap_or(u);
        if !host.is_empty() {
            return Some(host.to_string());
        }
    }
    for line in m.split('\n') {
        let t = line.trim_start();
        if t.starts_with("at ") || t.starts_with("File \"") || t.starts_with("... ") {
            continue;
        }
        if let Some(h) = target_in_line(line) {
            return Some(h);
        }
    }
    None
}

fn target_in_line(m: &str) -> Option<String> {
    let b = m.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b':' && i > 0 && i + 1 < b.len() && b[i + 1].is_ascii_digit() {
            let mut s = i;
            while s > 0
                && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'.' | b'-' | b'_'))
            {
                s -= 1;
            }
            let mut e = i + 1;
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            let host = &m[s..i];
            let port_len = e - i - 1;
            let plausible_host = (host.contains('.')
                || host.bytes().any(|c| c.is_ascii_alphabetic()))
                && !host.bytes().all(|c| c.is_ascii_digit())
                && host.len() >= 3
                && !is_source_file(host)
                && !host.starts_with("line");
            let next_ok = e >= b.len() || !(b[e] == b':' || b[e].is_ascii_alphanumeric());
            if plausible_host && (2..=5).contains(&port_len) && next_ok {
                return Some(m[s..e].to_string());
            }
            i = e;
            continue;
        }
        i += 1;
    }
    None
}

/// A host name named in a DNS failure.
pub fn dns_host(m: &str) -> Option<String> {
    let markers: [(&str, bool); 8] = [
        ("UnknownHostException: ", true),
        ("getaddrinfo ENOTFOUND ", true),
        ("getaddrinfo EAI_AGAIN ", true),
        ("lookup ", true),
        ("Could not resolve host: ", true),
        ("Failed to resolve '", true),
        ("host='", true),
        ("resolve host ", true),
    ];
    for (mk, _) in markers {
        if let Some(p) = m.find(mk) {
            let rest = &m[p + mk.len()..];
            let host: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '.' || *c == '-' || *c == '_')
                .collect();
            let host = host.trim_end_matches('.').to_string();
            if host.contains('.') || host.len() >= 3 {
                return Some(host);
            }
        }
    }
    // nginx: `foo.example.com could not be resolved`.
    if let Some(p) = m.find(" could not be resolved") {
        let before = &m[..p];
        let host = before.rsplit([' ', '"', '\'']).next().unwrap_or("");
        if host.contains('.') {
            return Some(host.to_string());
        }
    }
    None
}

/// `Killed process 1234 (java)` → `java (pid 1234)`.
pub fn oom_victim(m: &str) -> Option<String> {
    let p = m
        .find("Killed process ")
        .or_else(|| m.find("Kill process "))?;
    let rest = &m[p..];
    let rest = rest.split_once("process ")?.1;
    let pid: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
    let name = rest
        .split_once('(')
        .and_then(|(_, r)| r.split_once(')'))
        .map(|(n, _)| n.to_string())?;
    Some(format!("{name} (pid {pid})"))
}

/// The pool named in a pool-exhaustion message: `HikariPool-1`, or the word before ` - Connection is not
/// available`.
pub fn pool_name(m: &str) -> Option<String> {
    if let Some(p) = m.find("HikariPool-") {
        let s: String = m[p..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
            .collect();
        return Some(s);
    }
    if let Some(p) = m.find(" - Connection is not available") {
        let w = m[..p].rsplit([' ', ':']).next().unwrap_or("");
        if !w.is_empty() {
            return Some(w.to_string());
        }
    }
    None
}

/// `name=NUMBER` or `name NUMBER` counters in a message (`active=10`, `maxActive 20`), for pool statistics.
pub fn counter(m: &str, name: &str) -> Option<u64> {
    let mut from = 0;
    while let Some(p) = crate::text::find_ci(&m[from..], name) {
        let p = from + p;
        let b = m.as_bytes();
        if p > 0 && b[p - 1].is_ascii_alphabetic() {
            from = p + name.len();
            continue;
        }
        let mut i = p + name.len();
        while i < b.len() && matches!(b[i], b'=' | b' ' | b':') {
            i += 1;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i > s && i - (p + name.len()) <= 4 + (i - s) {
            return m[s..i].parse().ok();
        }
        from = p + name.len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extractors() {
        assert_eq!(
            target_of("connect() failed (111: Connection refused) while connecting to upstream, client: 1.2.3.4, upstream: \"http://10.0.0.5:8080/api\""),
            Some("10.0.0.5:8080".into())
        );
        assert_eq!(
            target_of("Connection refused: db.internal:5432 at 03:00:35"),
            Some("db.internal:5432".into())
        );
        assert_eq!(
            target_of("failed\n\tat a.B.c(B.java:197)\nCaused by: x: I/O error on GET request for \"http://config.internal:8888/p\": Connection refused"),
            Some("config.internal:8888".into())
        );
        assert_eq!(
            target_of(
                "java.net.SocketTimeoutException: Read timed out\n\tat x.Y(NioSocketImpl.java:288)"
            ),
            None
        );
        assert_eq!(
            dns_host("java.net.UnknownHostException: api.vendor.com: Name or service not known"),
            Some("api.vendor.com".into())
        );
        assert_eq!(
            dns_host("dial tcp: lookup payments.internal on 10.0.0.2:53: no such host"),
            Some("payments.internal".into())
        );
        assert_eq!(
            oom_victim("Out of memory: Killed process 2211 (java) total-vm:8388608kB"),
            Some("java (pid 2211)".into())
        );
        assert_eq!(
            pool_name(
                "HikariPool-1 - Connection is not available, request timed out after 30000ms."
            ),
            Some("HikariPool-1".into())
        );
        let m = "HikariPool-1 - Connection is not available, request timed out after 30000ms (total=10, active=10, idle=0, waiting=42)";
        assert_eq!(counter(m, "total"), Some(10));
        assert_eq!(counter(m, "waiting"), Some(42));
        assert_eq!(
            counter("wait millis 60000, active 20, maxActive 20", "maxActive"),
            Some(20)
        );
    }
}

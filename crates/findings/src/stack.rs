//! Stack traces: Java (with `Caused by:` and Spring's `nested exception is`), .NET (with ` ---> ` inner
//! exceptions), Python (chained tracebacks), Go (`panic:` and the panicking goroutine) and Node.js.
//!
//! [`parse`] reads an event's text and returns the exception chain from outermost to deepest, the root cause (the
//! deepest), the first application frame (the top-most frame that is not framework or library code, searched from
//! the root cause outwards because Java elides the frames a cause shares with its enclosing exception), and a
//! signature that is the same for the same failure at the same place (classes and top application frames, no line
//! numbers or values).

use serde::Serialize;

/// One exception of a chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Exc {
    /// The exception class (`java.sql.SQLTransientConnectionException`, `ValueError`, `panic`).
    pub class: String,
    /// Its message (first line, at most 300 bytes). Raw log text: redact before showing.
    pub message: String,
}

/// A parsed stack trace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Trace {
    /// `java`, `dotnet`, `python`, `go` or `node`.
    pub lang: &'static str,
    /// Outermost first; the last is the root cause.
    pub chain: Vec<Exc>,
    /// The first application frame, e.g. `com.acme.meeting.MeetingService.updateStatus(MeetingService.java:88)`.
    pub app_frame: Option<String>,
    /// Up to three application frames from the top, without line numbers (part of the signature).
    pub app_frames: Vec<String>,
    /// Frames read in all.
    pub frames: usize,
}

impl Trace {
    /// The deepest exception.
    pub fn root(&self) -> &Exc {
        self.chain.last().expect("a trace has an exception")
    }

    /// `A > B > C`: the chain's classes, outermost first.
    pub fn classes(&self) -> String {
        let mut s = String::new();
        for (i, e) in self.chain.iter().enumerate() {
            if i > 0 {
                s.push_str(" > ");
            }
            s.push_str(&e.class);
        }
        s
    }

    /// The grouping key: language, classes and top application frames (and, for Go panics, which have no
    /// classes, the message with its numbers masked).
    pub fn signature(&self) -> String {
        let mut s = format!("{}|{}", self.lang, self.classes());
        if self.lang == "go" {
            s.push('|');
            s.push_str(&crate::text::mask_digits(&self.root().message, 80));
        }
        for f in &self.app_frames {
            s.push('|');
            s.push_str(f);
        }
        s
    }
}

#[derive(Default)]
struct Building {
    class: String,
    message: String,
    /// (display with location, signature name, is application code)
    frames: Vec<(String, String, bool)>,
}

/// Parses the first stack trace (or bare exception line) in `text`; `None` when there is none. A trace inside a
/// JSON string (`"stack":"Error: x\\n    at f (a.js:1:2)"`) is unescaped first.
pub fn parse(text: &str) -> Option<Trace> {
    if !text.contains('\n')
        && (text.contains("\\n    at ")
            || text.contains("\\n\\tat ")
            || text.contains("\\nCaused by: ")
            || text.contains("Traceback (most recent call last):\\n"))
    {
        let un = unescape_json_stack(text);
        return parse_unescaped(&un);
    }
    parse_unescaped(text)
}

/// The stack inside a JSON line, unescaped: from the `"stack"`/`"stack_trace"`/`"exception"` value when there
/// is one, else the whole line.
fn unescape_json_stack(text: &str) -> String {
    let mut body = text;
    for key in [
        "\"stack\":\"",
        "\"stack_trace\":\"",
        "\"exception\":\"",
        "\"stacktrace\":\"",
        "\"error.stack_trace\":\"",
    ] {
        if let Some(p) = text.find(key) {
            let rest = &text[p + key.len()..];
            // Up to the closing quote (not preceded by a backslash).
            let b = rest.as_bytes();
            let mut e = 0;
            while e < b.len() {
                if b[e] == b'\\' {
                    e += 2;
                    continue;
                }
                if b[e] == b'"' {
                    break;
                }
                e += 1;
            }
            body = &rest[..e.min(rest.len())];
            break;
        }
    }
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => {}
                Some('"') => out.push('"'),
                Some('\\') => out.push('\\'),
                Some('/') => out.push('/'),
                Some(o) => {
                    out.push('\\');
                    out.push(o);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn parse_unescaped(text: &str) -> Option<Trace> {
    if let Some(p) = text.find("Traceback (most recent call last)") {
        return parse_python(text, p);
    }
    if text.contains("goroutine ") {
        if let Some(t) = parse_go(text) {
            return Some(t);
        }
    }
    parse_jvm_like(text)
}

// ---------------------------------------------------------------------------------------------------------------
// Java, .NET, Node.

fn is_class_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'$' || c == b'.'
}

const EXC_SUFFIXES: &[&str] = &[
    "Exception",
    "Error",
    "Throwable",
    "Fault",
    "Failure",
    "Panic",
    "Rejection",
    "Exit",
    "Interrupt",
    "Warning",
];

/// The longest exception class name; longer tokens are not looked at further, so that a long run of class
/// characters costs one pass rather than one pass per `Exception` in it.
const MAX_CLASS: usize = 200;

/// At most this many causes are kept per trace (`Caused by:`, `nested exception is`, `--->`): each new cause is
/// compared with the kept ones, and Java prints a few.
const MAX_CHAIN: usize = 64;

/// At most this many `nested exception is` causes are read from one line: each is read to the end of the line.
const MAX_NESTED_PER_LINE: usize = 16;

/// Whether `tok` names an exception class.
fn is_exception_class(tok: &str, dotted_required: bool) -> bool {
    if tok.len() < 4
        || tok.len() > MAX_CLASS
        || tok.starts_with('.')
        || tok.ends_with('.')
        || tok.contains("..")
    {
        return false;
    }
    let last = tok.rsplit('.').next().unwrap_or(tok);
    let last = last.rsplit('$').next().unwrap_or(last);
    let Some(first) = last.bytes().next() else {
        return false;
    };
    if !first.is_ascii_uppercase() || !last.bytes().any(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let dotted = tok.contains('.');
    if dotted_required && !dotted {
        return false;
    }
    if !EXC_SUFFIXES.iter().any(|s| last.ends_with(s)) {
        return false;
    }
    // `Warning` only as a dotted class (`java.lang.Warning` is rare, `UserWarning` in Python is not an error).
    !last.ends_with("Warning") || dotted
}

/// Reads `Class: message` / `Class (0x80131904): message` / `Class` at the start of `s`.
fn header_at(s: &str, allow_bare: bool) -> Option<Exc> {
    let b = s.as_bytes();
    let mut e = 0;
    while e < b.len() && is_class_byte(b[e]) {
        e += 1;
        if e > MAX_CLASS {
            return None;
        }
    }
    let tok = &s[..e];
    let rest = &s[e..];
    let (rest, hresult) = match rest.strip_prefix(" (0x") {
        // `"):"` within the HRESULT's width only: the rest of the line may be long, and this runs per candidate.
        Some(r) => match r.as_bytes().windows(2).take(17).position(|w| w == b"):") {
            Some(i) => (&r[i + 1..], true),
            _ => (rest, false),
        },
        None => (rest, false),
    };
    let _ = hresult;
    let dotted = tok.contains('.');
    // The class first: the message is read to the end of the line, and a caller may try many candidates in one.
    if !is_exception_class(tok, false) {
        return None;
    }
    let msg = if let Some(m) = rest.strip_prefix(':') {
        m.trim()
    } else if rest.chars().all(char::is_whitespace) && (dotted || allow_bare) {
        ""
    } else {
        return None;
    };
    Some(Exc {
        class: tok.to_string(),
        message: crate::text::cut(crate::text::first_line(msg), 300).to_string(),
    })
}

/// Finds an exception named inside a log message (`Request failed: java.lang.IllegalStateException: boom`).
fn embedded_header(line: &str) -> Option<(usize, Exc)> {
    let b = line.as_bytes();
    for suffix in ["Exception", "Error", "Throwable", "Fault", "Failure"] {
        let mut from = 0;
        while let Some(p) = line[from..].find(suffix) {
            let p = from + p;
            from = p + suffix.len();
            // A token longer than a class name is no class: stop scanning it there (each `Exception` in a long
            // run of class characters would otherwise scan the whole run).
            let mut s = p;
            while s > 0 && is_class_byte(b[s - 1]) && p - s <= MAX_CLASS {
                s -= 1;
            }
            let mut e = p + suffix.len();
            while e < b.len()
                && (b[e].is_ascii_alphanumeric() || b[e] == b'_' || b[e] == b'$')
                && e - s <= MAX_CLASS
            {
                e += 1;
            }
            if e - s > MAX_CLASS {
                continue;
            }
            let tok = &line[s..e];
            let after = &line[e..];
            let dotted = tok.contains('.');
            let followed_ok = after.starts_with(':')
                || after.starts_with(" (0x")
                || (dotted
                    && (after.is_empty()
                        || after.starts_with(' ')
                        || after.starts_with(';')
                        || after.starts_with(',')));
            if !followed_ok {
                continue;
            }
            if s > 0 && b[s - 1] == b'/' {
                continue;
            }
            // Inside a sentence a bare suffix is a word, not a class: `SQL Error: 0`, `Unexpected Exception:`.
            // A class there is dotted or a compound (`TypeError`, `NullPointerException`).
            if s > 0 && !dotted && tok.len() == suffix.len() {
                continue;
            }
            if let Some(mut h) = header_at(&line[s..], false).or_else(|| {
                if dotted && is_exception_class(tok, true) {
                    Some(Exc {
                        class: tok.to_string(),
                        message: String::new(),
                    })
                } else {
                    None
                }
            }) {
                // Spring's `...; nested exception is X: msg` puts the next cause in the message.
                if let Some(i) = h.message.find("; nested exception is ") {
                    h.message.truncate(i);
                }
                return Some((s, h));
            }
        }
    }
    None
}

const JAVA_FRAMEWORK: &[&str] = &[
    "java.",
    "javax.",
    "jakarta.",
    "sun.",
    "jdk.",
    "com.sun.",
    "org.springframework.",
    "org.apache.",
    "org.hibernate.",
    "com.zaxxer.",
    "io.netty.",
    "reactor.",
    "kotlin.",
    "kotlinx.",
    "scala.",
    "akka.",
    "com.google.",
    "org.eclipse.",
    "org.jboss.",
    "io.undertow.",
    "com.fasterxml.",
    "org.mybatis.",
    "com.baomidou.",
    "com.alibaba.druid.",
    "com.alibaba.fastjson",
    "com.alibaba.csp.",
    "com.alibaba.nacos.",
    "org.postgresql.",
    "com.mysql.",
    "feign.",
    "io.grpc.",
    "okhttp3.",
    "okio.",
    "org.glassfish.",
    "ch.qos.",
    "org.slf4j.",
    "io.micrometer.",
    "rx.",
    "io.reactivex.",
    "com.mchange.",
    "oracle.",
    "org.aspectj.",
    "net.bytebuddy.",
    "groovy.",
    "org.codehaus.",
    "org.junit.",
    "org.h2.",
    "redis.clients.",
    "io.lettuce.",
    "org.redisson.",
    "org.elasticsearch.",
    "com.netflix.",
    "brave.",
    "org.jooq.",
    "io.opentelemetry.",
    "io.vertx.",
    "com.mongodb.",
    "org.mongodb.",
    "software.amazon.",
    "com.amazonaws.",
    "com.microsoft.sqlserver.",
    "org.quartz.",
    "io.swagger.",
    "springfox.",
    "org.thymeleaf.",
    "freemarker.",
    "org.xnio.",
    "org.wildfly.",
    "net.minidev.",
    "com.jayway.",
    "org.yaml.",
    "org.bson.",
    "org.openjdk.",
    "io.projectreactor.",
    "org.mariadb.",
    "com.ibm.",
    "weblogic.",
    "org.objectweb.",
    "io.dropwizard.",
    "org.neo4j.",
    "com.datastax.",
    "org.asynchttpclient.",
    "org.jetbrains.",
    "io.seata.",
    "org.apache.dubbo.",
    "com.alibaba.dubbo.",
    "io.lettuce.",
    "com.rabbitmq.",
    "org.flywaydb.",
    "liquibase.",
    "io.jsonwebtoken.",
];

const DOTNET_FRAMEWORK: &[&str] = &[
    "System.",
    "Microsoft.",
    "Npgsql.",
    "MySql.",
    "MySqlConnector.",
    "Newtonsoft.",
    "Grpc.",
    "Polly.",
    "StackExchange.",
    "Dapper.",
    "Serilog.",
    "NLog.",
    "Castle.",
    "Autofac.",
    "Swashbuckle.",
    "Pomelo.",
    "Oracle.",
    "Amazon.",
    "Azure.",
    "Google.",
    "RabbitMQ.",
    "MassTransit.",
    "MediatR.",
    "FluentValidation.",
    "AutoMapper.",
    "Hangfire.",
    "lambda_method",
    "(wrapper",
    "Confluent.",
    "Elasticsearch.",
    "Nest.",
    "Quartz.",
    "Refit.",
    "Steeltoe.",
];

fn is_framework_frame(lang: &str, func: &str, loc: &str) -> bool {
    match lang {
        "node" => {
            loc.contains("node_modules")
                || loc.starts_with("node:")
                || loc.starts_with("internal/")
                || loc.contains("(internal/")
                || loc.is_empty()
                || loc == "<anonymous>"
                || func.starts_with("process.")
                || func.starts_with("processTicksAndRejections")
        }
        "dotnet" => DOTNET_FRAMEWORK.iter().any(|p| func.starts_with(p)),
        _ => {
            JAVA_FRAMEWORK.iter().any(|p| func.starts_with(p))
                || func.contains("$$EnhancerBySpringCGLIB$$")
                || func.contains("$$SpringCGLIB$$")
                || func.contains("$Proxy")
                || func.starts_with("jdk.proxy")
                || loc == "<generated>"
        }
    }
}

/// Parses the text after `at ` of a Java/.NET/Node frame: (display, signature name, language hint, location).
fn parse_at_frame(s: &str) -> (String, String, Option<&'static str>, String) {
    let s = s.trim();
    // Node: `fn (/path/file.js:1:2)`, `/path/file.js:1:2`, `async fn (file)`, `new Foo (file)`.
    let node_loc = |loc: &str| {
        let l = loc.trim_end_matches(')');
        let mut parts = l.rsplitn(3, ':');
        let c = parts.next().unwrap_or("");
        let r = parts.next().unwrap_or("");
        !c.is_empty()
            && c.bytes().all(|x| x.is_ascii_digit())
            && !r.is_empty()
            && r.bytes().all(|x| x.is_ascii_digit())
    };
    if let Some(open) = s.rfind(" (") {
        let loc = s[open + 2..].trim_end_matches(')');
        if node_loc(loc) || loc.starts_with("node:") || loc == "<anonymous>" {
            let func = s[..open]
                .trim_start_matches("async ")
                .trim_start_matches("new ")
                .to_string();
            let file = short_path(strip_line_col(loc));
            return (
                format!("{func} ({})", short_path(loc)),
                format!("{func}@{file}"),
                Some("node"),
                loc.to_string(),
            );
        }
    } else if node_loc(s) {
        let file = short_path(strip_line_col(s));
        return (short_path(s), file.clone(), Some("node"), s.to_string());
    }
    // .NET: `Ns.Class.Method(args) in /path/File.cs:line 42`.
    if let Some(i) = s.find(" in ") {
        if s[i..].contains(":line ") || s[i..].contains(".cs") {
            let func = s[..s[..i].find('(').unwrap_or(i)].to_string();
            let loc = &s[i + 4..];
            let file = short_path(loc.split(":line").next().unwrap_or(loc));
            let line = loc
                .rsplit(":line ")
                .next()
                .filter(|_| loc.contains(":line "))
                .unwrap_or("");
            let display = if line.is_empty() {
                format!("{func} ({file})")
            } else {
                format!("{func} ({file}:{line})")
            };
            return (display, func, Some("dotnet"), loc.to_string());
        }
    }
    // Java: `[module/]pkg.Class.method(File.java:42)[ ~[jar]]`.
    let end = s.find(')').map(|i| i + 1).unwrap_or(s.len());
    let frame = &s[..end];
    let frame = match frame.find('/') {
        Some(i) if i < frame.find('(').unwrap_or(usize::MAX) => &frame[i + 1..],
        _ => frame,
    };
    let func = frame[..frame.find('(').unwrap_or(frame.len())].to_string();
    let hint = if frame.ends_with("(Unknown Source)")
        || frame.contains(".java:")
        || frame.contains(".kt:")
        || frame.contains(".scala:")
    {
        Some("java")
    } else if !frame.contains('(') {
        None
    } else {
        Some("java")
    };
    let loc = frame[frame.find('(').map(|i| i + 1).unwrap_or(frame.len())..]
        .trim_end_matches(')')
        .to_string();
    (frame.to_string(), func, hint, loc)
}

fn strip_line_col(loc: &str) -> &str {
    let mut l = loc;
    for _ in 0..2 {
        if let Some(i) = l.rfind(':') {
            if l[i + 1..].bytes().all(|c| c.is_ascii_digit()) && i + 1 < l.len() {
                l = &l[..i];
            }
        }
    }
    l
}

/// `/home/app/src/routes/user.js:42:17` → `src/routes/user.js:42:17` (at most the last three components).
fn short_path(p: &str) -> String {
    let p = p.trim();
    let p = p.strip_prefix("file://").unwrap_or(p);
    let parts: Vec<&str> = p.split(['/', '\\']).filter(|x| !x.is_empty()).collect();
    if parts.len() <= 3 {
        return parts.join("/");
    }
    parts[parts.len() - 3..].join("/")
}

fn parse_jvm_like(text: &str) -> Option<Trace> {
    let mut chain: Vec<Building> = Vec::new();
    // Frames (display, name, location, hint) per chain element.
    let mut raw_frames: Vec<Vec<(String, String, String)>> = Vec::new();
    let mut hints: (usize, usize, usize) = (0, 0, 0); // java, dotnet, node
    let mut cur = 0usize;
    let mut frames = 0usize;
    let mut suppressed = false;
    for (li, raw) in text.split('\n').enumerate() {
        let line = raw.trim_end_matches('\r');
        let t = line.trim_start();
        if t.is_empty() {
            continue;
        }
        if let Some(f) = t.strip_prefix("at ") {
            if chain.is_empty() || suppressed {
                continue;
            }
            let (display, name, hint, loc) = parse_at_frame(f);
            match hint {
                Some("dotnet") => hints.1 += 1,
                Some("node") => hints.2 += 1,
                Some(_) => hints.0 += 1,
                None => {}
            }
            frames += 1;
            if raw_frames[cur].len() < 64 {
                raw_frames[cur].push((display, name, loc));
            }
            continue;
        }
        if t.starts_with("--- End of inner exception") {
            cur = cur.saturating_sub(1);
            continue;
        }
        if t.starts_with("... ") || t.starts_with("--- End of") || t.starts_with("--- ") {
            continue;
        }
        let (rest, deeper) = if let Some(r) = t.strip_prefix("Caused by: ") {
            (r, true)
        } else if let Some(r) = t.strip_prefix("---> ") {
            (r, true)
        } else if let Some(r) = t.strip_prefix("[cause]: ") {
            (r, true)
        } else if let Some(r) = t.strip_prefix("Wrapped by: ") {
            (r, true)
        } else if t.starts_with("Suppressed: ") {
            suppressed = true;
            continue;
        } else {
            (t, false)
        };
        if deeper {
            suppressed = false;
            if chain.len() >= MAX_CHAIN {
                // Further causes are not kept; their frames count for the deepest kept one.
                continue;
            }
            if let Some(h) = header_at(rest, true) {
                // Already in the chain from an inline `nested exception is`: continue there.
                if let Some(i) = (cur + 1..chain.len()).find(|&i| chain[i].class == h.class) {
                    cur = i;
                } else {
                    cur = chain.len();
                    push_headers(&mut chain, h);
                }
                raw_frames.resize(chain.len(), Vec::new());
            }
            continue;
        }
        if chain.is_empty() {
            // The first line (the log line) or an exception line after it.
            let found = if li == 0 {
                embedded_header(t).map(|x| x.1)
            } else {
                header_at(t, true).or_else(|| embedded_header(t).map(|x| x.1))
            };
            if let Some(h) = found {
                // Spring's nested causes on the same line.
                let full_rest = &t[t.find(&h.class).unwrap_or(0)..];
                let inner = push_headers(&mut chain, h);
                let mut scan = full_rest;
                let mut nested = 0;
                while let Some(i) = scan.find("nested exception is ") {
                    nested += 1;
                    if nested > MAX_NESTED_PER_LINE || chain.len() >= MAX_CHAIN {
                        break;
                    }
                    scan = &scan[i + 20..];
                    if let Some(mut n) = header_at(scan, true) {
                        if let Some(j) = n.message.find("; nested exception is ") {
                            n.message.truncate(j);
                        }
                        push_headers(&mut chain, n);
                    }
                }
                raw_frames.resize(chain.len(), Vec::new());
                // .NET writes the innermost exception's frames first.
                cur = if inner > 0 { chain.len() - 1 } else { 0 };
            }
            continue;
        }
        // A later top-level exception line (the log line's message was not one).
        if chain.len() == 1 && raw_frames[0].is_empty() && li <= 2 {
            if let Some(h) = header_at(t, false) {
                if h.class != chain[0].class {
                    push_headers(&mut chain, h);
                    raw_frames.resize(chain.len(), Vec::new());
                    cur = chain.len() - 1;
                }
            }
        }
    }
    if chain.is_empty() {
        return None;
    }
    let lang = if hints.1 > 0
        || (hints.0 == 0
            && hints.2 == 0
            && chain
                .iter()
                .any(|e| e.class.starts_with("System.") || e.class.starts_with("Microsoft.")))
    {
        "dotnet"
    } else if hints.2 > hints.0
        || (frames > 0 && hints.0 == 0 && chain.iter().all(|e| !e.class.contains('.')))
    {
        // Node by its frames; an undotted class without any frame says nothing of the language.
        "node"
    } else if frames == 0 && chain.iter().all(|e| !e.class.contains('.')) {
        "bare"
    } else {
        "java"
    };
    for (b, fs) in chain.iter_mut().zip(raw_frames) {
        b.frames = fs
            .into_iter()
            .map(|(display, name, loc)| {
                let app = !is_framework_frame(lang, &name, &loc);
                (display, name, app)
            })
            .collect();
    }
    Some(finish(lang, chain, frames, true))
}

/// Pushes a header, splitting .NET's inline `outer msg ---> Inner: msg` chains; returns how many inner
/// exceptions the line held.
fn push_headers(chain: &mut Vec<Building>, h: Exc) -> usize {
    let mut cur = h;
    let mut inner_count = 0;
    loop {
        let split = cur
            .message
            .find(" ---> ")
            .map(|i| (i, cur.message[i + 6..].to_string()));
        match split {
            Some((i, rest)) => {
                let inner = header_at(&rest, true);
                cur.message.truncate(i);
                chain.push(Building {
                    class: cur.class,
                    message: cur.message,
                    frames: Vec::new(),
                });
                match inner {
                    Some(n) => {
                        cur = n;
                        inner_count += 1;
                    }
                    None => return inner_count,
                }
            }
            None => {
                chain.push(Building {
                    class: cur.class,
                    message: cur.message,
                    frames: Vec::new(),
                });
                return inner_count;
            }
        }
    }
}

/// Picks the application frames, searching from the root cause outwards. `top_first`: frames are listed
/// innermost call first (Java, .NET, Node, Go); Python lists them last.
fn finish(lang: &'static str, chain: Vec<Building>, frames: usize, top_first: bool) -> Trace {
    let mut app_frame = None;
    let mut app_frames = Vec::new();
    for b in chain.iter().rev() {
        let mut list: Vec<&(String, String, bool)> = b.frames.iter().filter(|f| f.2).collect();
        if !top_first {
            list.reverse();
        }
        if let Some(first) = list.first() {
            app_frame = Some(first.0.clone());
            app_frames = list.iter().take(3).map(|f| f.1.clone()).collect();
            break;
        }
    }
    Trace {
        lang,
        chain: chain
            .into_iter()
            .map(|b| Exc {
                class: b.class,
                message: b.message,
            })
            .collect(),
        app_frame,
        app_frames,
        frames,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Python.

fn python_framework(path: &str) -> bool {
    path.contains("site-packages")
        || path.contains("dist-packages")
        || path.contains("/lib/python")
        || path.contains("\\lib\\")
        || path.contains("\\Lib\\")
        || path.starts_with("<frozen")
        || path.starts_with("<string")
        || path.contains("/usr/lib/")
}

fn parse_python(text: &str, start: usize) -> Option<Trace> {
    // Each traceback: (frames, exception); printed deepest first.
    let mut printed: Vec<Building> = Vec::new();
    let mut frames: Vec<(String, String, bool)> = Vec::new();
    let mut in_tb = false;
    let mut total = 0usize;
    // The log line before the traceback may name the error too; ignore it (the traceback is authoritative).
    for raw in text[start..].split('\n') {
        let line = raw.trim_end_matches('\r');
        if line.starts_with("Traceback (most recent call last)") {
            in_tb = true;
            frames.clear();
            continue;
        }
        let t = line.trim_start();
        if t.is_empty() {
            continue;
        }
        if in_tb {
            if let Some(rest) = t.strip_prefix("File \"") {
                let (path, after) = match rest.find('"') {
                    Some(i) => (&rest[..i], &rest[i + 1..]),
                    None => (rest, ""),
                };
                let lineno = after
                    .split(", line ")
                    .nth(1)
                    .map(|x| x.split(',').next().unwrap_or("").trim().to_string())
                    .unwrap_or_default();
                let func = after
                    .rsplit(", in ")
                    .next()
                    .filter(|_| after.contains(", in "))
                    .unwrap_or("?")
                    .trim();
                let file = short_path(path);
                let display = format!("{file}:{lineno} in {func}");
                let name = format!("{file}:{func}");
                total += 1;
                frames.push((display, name, !python_framework(path)));
                continue;
            }
            if line.starts_with(' ') || line.starts_with('\t') {
                continue; // source line, carets
            }
            // The exception line.
            let (class, message) = match line.find(':') {
                Some(i) if !line[..i].contains(' ') => (&line[..i], line[i + 1..].trim()),
                _ if !line.contains(' ') => (line, ""),
                _ => {
                    in_tb = false;
                    continue;
                }
            };
            if class.is_empty() || !class.bytes().all(is_class_byte) {
                in_tb = false;
                continue;
            }
            printed.push(Building {
                class: class.to_string(),
                message: crate::text::cut(message, 300).to_string(),
                frames: std::mem::take(&mut frames),
            });
            in_tb = false;
            continue;
        }
    }
    if printed.is_empty() {
        return None;
    }
    // Outermost first: the last printed is the outermost.
    printed.reverse();
    Some(finish("python", printed, total, false))
}

// ---------------------------------------------------------------------------------------------------------------
// Go.

const GO_FRAMEWORK: &[&str] = &[
    "runtime.",
    "runtime/",
    "net/http.",
    "net.",
    "sync.",
    "reflect.",
    "syscall.",
    "internal/",
    "testing.",
    "os.",
    "io.",
    "bufio.",
    "encoding/",
    "database/sql",
    "crypto/",
    "context.",
    "golang.org/",
    "google.golang.org/",
    "github.com/gin-gonic/",
    "github.com/labstack/",
    "github.com/gorilla/",
    "go.uber.org/",
    "github.com/go-chi/",
    "github.com/valyala/",
    "github.com/jackc/",
    "github.com/lib/pq",
    "github.com/go-sql-driver/",
    "gorm.io/",
    "github.com/sirupsen/",
    "github.com/grpc-ecosystem/",
    "github.com/redis/",
    "github.com/go-redis/",
    "panic(",
    "created by ",
];

/// Parses a Go panic (or `fatal error:`) and the frames of the first goroutine after it.
pub fn parse_go(text: &str) -> Option<Trace> {
    let mut exc: Option<Exc> = None;
    for raw in text.split('\n') {
        let t = raw.trim();
        let body = t
            .find("panic: ")
            .map(|i| ("panic", &t[i + 7..]))
            .or_else(|| {
                t.find("fatal error: ")
                    .map(|i| ("fatal error", &t[i + 13..]))
            });
        if let Some((kind, msg)) = body {
            let msg = msg.trim_end_matches(" [recovered]").trim();
            let (class, msg) = if let Some(r) = msg.strip_prefix("runtime error: ") {
                ("runtime error", r)
            } else {
                (kind, msg)
            };
            exc = Some(Exc {
                class: class.to_string(),
                message: crate::text::cut(msg, 300).to_string(),
            });
            break;
        }
    }
    let exc = exc?;
    let mut frames: Vec<(String, String, bool)> = Vec::new();
    let mut in_g = false;
    let mut pending: Option<String> = None;
    let mut total = 0;
    for raw in text.split('\n') {
        let line = raw.trim_end_matches('\r');
        let t = line.trim();
        if t.starts_with("goroutine ") && t.ends_with(':') {
            if in_g {
                break;
            }
            in_g = true;
            continue;
        }
        if !in_g || t.is_empty() {
            continue;
        }
        if line.starts_with('\t') || line.starts_with("    ") {
            // The file line of the pending function.
            if let Some(func) = pending.take() {
                let file = t.split(" +0x").next().unwrap_or(t);
                let file = short_path(file);
                let raw_file = t.split(" +0x").next().unwrap_or(t);
                let app = func != "panic"
                    && !GO_FRAMEWORK.iter().any(|p| func.starts_with(p))
                    && !raw_file.contains("/go/src/")
                    && !raw_file.contains("/go/pkg/mod/golang.org/");
                total += 1;
                frames.push((format!("{func} ({file})"), func, app));
            }
            continue;
        }
        // A function line: `pkg.Func(args)`; `created by pkg.Func in goroutine 1`.
        let f = t.strip_prefix("created by ").unwrap_or(t);
        let name = match f.rfind('(') {
            Some(i) if f.ends_with(')') => &f[..i],
            _ => f.split(" in goroutine").next().unwrap_or(f),
        };
        pending = Some(name.to_string());
    }
    let chain = vec![Building {
        class: exc.class,
        message: exc.message,
        frames,
    }];
    Some(finish("go", chain, total, true))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_causes_and_class_runs() {
        let mut t = String::from("ERROR boom\njava.lang.IllegalStateException: boom\n");
        for i in 0..100 {
            t.push_str(&format!(
                "Caused by: com.example.Cause{i}Exception: c{i}\n\tat a.B.c(B.java:{i})\n"
            ));
        }
        let tr = parse(&t).unwrap();
        assert_eq!(tr.chain.len(), MAX_CHAIN);
        assert_eq!(tr.root().class, "com.example.Cause62Exception");
        // Every frame is still counted.
        assert_eq!(tr.frames, 100);

        // A run of class characters longer than a class name holds none; a class after it is still found.
        let run = "a.BException".repeat(100);
        assert!(parse(&format!("ERROR {run}: x")).is_none());
        let tr = parse(&format!("ERROR {run} then java.io.IOException: disk")).unwrap();
        assert_eq!(tr.root().class, "java.io.IOException");
    }

    #[test]
    fn java_chain() {
        let t = "2024-03-05 03:00:35.112 ERROR 1 --- [nio-8080-exec-7] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() threw exception
org.springframework.jdbc.CannotGetJdbcConnectionException: Failed to obtain JDBC Connection; nested exception is java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
\tat org.springframework.jdbc.datasource.DataSourceUtils.getConnection(DataSourceUtils.java:84)
\tat com.acme.meeting.MeetingRepository.updateStatus(MeetingRepository.java:57)
\tat com.acme.meeting.MeetingService.onSessionOpen(MeetingService.java:88)
Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not available, request timed out after 30000ms.
\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)
\t... 12 common frames omitted";
        let tr = parse(t).unwrap();
        assert_eq!(tr.lang, "java");
        assert_eq!(
            tr.classes(),
            "org.springframework.jdbc.CannotGetJdbcConnectionException > java.sql.SQLTransientConnectionException"
        );
        assert_eq!(
            tr.app_frame.as_deref(),
            Some("com.acme.meeting.MeetingRepository.updateStatus(MeetingRepository.java:57)")
        );
        assert_eq!(
            tr.root().message,
            "HikariPool-1 - Connection is not available, request timed out after 30000ms."
        );
    }

    #[test]
    fn dotnet_inner() {
        let t = "fail: Microsoft.AspNetCore.Server.Kestrel[13]
      Connection id \"0HMV\", Request id \"0HMV:00000002\": An unhandled exception was thrown by the application.
      System.InvalidOperationException: Report failed ---> System.OutOfMemoryException: Exception of type 'System.OutOfMemoryException' was thrown.
         at System.Text.StringBuilder.ExpandByABlock(Int32 minBlockCharCount)
         at Acme.Reports.ReportBuilder.Render(Report r) in /src/Acme.Reports/ReportBuilder.cs:line 118
         --- End of inner exception stack trace ---
         at Acme.Api.Controllers.ReportsController.Get(Int32 id) in /src/Acme.Api/Controllers/ReportsController.cs:line 42";
        let tr = parse(t).unwrap();
        assert_eq!(tr.lang, "dotnet");
        assert_eq!(
            tr.classes(),
            "System.InvalidOperationException > System.OutOfMemoryException"
        );
        assert_eq!(
            tr.app_frame.as_deref(),
            Some("Acme.Reports.ReportBuilder.Render (src/Acme.Reports/ReportBuilder.cs:118)")
        );
    }

    #[test]
    fn python_chain() {
        let t = "ERROR:app:request failed
Traceback (most recent call last):
  File \"/usr/lib/python3.11/site-packages/psycopg2/__init__.py\", line 122, in connect
    conn = _connect(dsn)
psycopg2.OperationalError: could not connect to server: Connection refused

During handling of the above exception, another exception occurred:

Traceback (most recent call last):
  File \"/srv/app/handlers.py\", line 42, in get_user
    db = connect()
  File \"/srv/app/db.py\", line 10, in connect
    raise DatabaseUnavailable(str(e))
app.errors.DatabaseUnavailable: database down";
        let tr = parse(t).unwrap();
        assert_eq!(tr.lang, "python");
        assert_eq!(
            tr.classes(),
            "app.errors.DatabaseUnavailable > psycopg2.OperationalError"
        );
        assert_eq!(tr.root().class, "psycopg2.OperationalError");
        assert_eq!(tr.app_frame.as_deref(), Some("srv/app/db.py:10 in connect"));
    }

    #[test]
    fn go_panic() {
        let t = "panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x6b4f2a]

goroutine 42 [running]:
net/http.(*conn).serve.func1()
\t/usr/local/go/src/net/http/server.go:1868 +0xb9
panic({0x6f1a40?, 0xa3c5a0?})
\t/usr/local/go/src/runtime/panic.go:920 +0x270
github.com/acme/orders/internal/api.(*Server).getOrder(0xc0001a2000, {0x7d3e18, 0xc0002b01c0}, 0xc0002c4000)
\t/app/internal/api/orders.go:57 +0x1d
net/http.HandlerFunc.ServeHTTP(0xc000012345?, {0x7d3e18?, 0xc0002b01c0?}, 0x0?)
\t/usr/local/go/src/net/http/server.go:2136 +0x29";
        let tr = parse(t).unwrap();
        assert_eq!(tr.lang, "go");
        assert_eq!(tr.root().class, "runtime error");
        assert_eq!(tr.app_frame.as_deref(), Some("github.com/acme/orders/internal/api.(*Server).getOrder (internal/api/orders.go:57)"));
    }

    #[test]
    fn node_trace() {
        let t = "TypeError: Cannot read properties of undefined (reading 'id')
    at getUser (/srv/app/src/routes/users.js:42:17)
    at Layer.handle [as handle_request] (/srv/app/node_modules/express/lib/router/layer.js:95:5)
    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)";
        let tr = parse(t).unwrap();
        assert_eq!(tr.lang, "node");
        assert_eq!(tr.root().class, "TypeError");
        assert_eq!(
            tr.app_frame.as_deref(),
            Some("getUser (src/routes/users.js:42:17)")
        );
    }

    #[test]
    fn words_in_sentences_are_not_exception_classes() {
        // Hibernate's SqlExceptionHelper and ZooKeeper's `Unexpected Exception:` are sentences, not traces.
        assert!(
            parse("o.h.engine.jdbc.spi.SqlExceptionHelper : SQL Error: 0, SQLState: null")
                .is_none()
        );
        assert!(parse(
            "2015-07-29 23:44:28,903 - ERROR [CommitProcessor:1] - Unexpected Exception: "
        )
        .is_none());
        // A compound or dotted class inside a line still is one; a frameless undotted one is of no language.
        let tr = parse("request failed: Uncaught TypeError: x is undefined").unwrap();
        assert_eq!((tr.root().class.as_str(), tr.lang), ("TypeError", "bare"));
        let tr = parse("job failed: java.io.IOException: disk gone").unwrap();
        assert_eq!(tr.lang, "java");
    }

    #[test]
    fn json_escaped_stack() {
        let t = r#"{"level":50,"err":{"type":"TypeError","stack":"TypeError: Cannot read properties of undefined (reading 'id')\n    at getUser (/srv/app/src/routes/users.js:42:17)\n    at process.processTicksAndRejections (node:internal/process/task_queues:95:5)"},"msg":"request failed"}"#;
        let tr = parse(t).unwrap();
        assert_eq!(tr.lang, "node");
        assert_eq!(
            tr.app_frame.as_deref(),
            Some("getUser (src/routes/users.js:42:17)")
        );
    }

    #[test]
    fn single_line_and_none() {
        let tr =
            parse("WARN c.a.Client - call failed: java.net.SocketTimeoutException: Read timed out")
                .unwrap();
        assert_eq!(tr.root().class, "java.net.SocketTimeoutException");
        assert!(parse("ERROR processing request: user not found").is_none());
        assert!(parse("Error: something").is_some());
    }
}

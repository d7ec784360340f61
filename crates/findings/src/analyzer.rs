//! The streaming analyzer: one pass over the events, cheap per event, findings at the end.
//!
//! Per event, one Aho-Corasick scan (ASCII case-insensitive, leftmost-longest) over the message finds every
//! keyword any analysis cares about — failure signatures, secret prefixes, authentication and crash markers,
//! trace markers — and a stride-4 digit probe looks for long numbers; only what they flag gets a closer look.
//! The rest of the per-event work is a couple of counter updates (time series per template) so that bursts and
//! precursors can be computed at the end.

use crate::burst::{Series, SHAPE_BIT};
use crate::crash::{CrashAcc, Mark, MARKERS};
use crate::kinds::{self, Gate, Kind, NEEDLES};
use crate::redact::{resolve, Redactor};
use crate::secrets::{Class, Hit};
use crate::security::{auth_user, ip_in, Request, SecurityAcc, Span};
use crate::stack::{self, Trace};
use crate::text::{cut, first_line};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use logsieve_engine::{Event, Evidence, FormatId, Level, Severity, Timestamp};
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Tag {
    Secret(u16),
    Needle(u16),
    /// An authentication marker; `true` for a success.
    Auth(bool),
    Crash(Mark),
    Trace,
    ErrWord,
    Exc,
}

const F_SECRET: u32 = 1;
const F_NEEDLE: u32 = 2;
const F_AUTH: u32 = 4;
const F_CRASH: u32 = 8;
const F_TRACE: u32 = 16;
const F_ERRWORD: u32 = 32;
const F_EXC: u32 = 64;

impl Tag {
    fn flag(self) -> u32 {
        match self {
            Tag::Secret(_) => F_SECRET,
            Tag::Needle(_) => F_NEEDLE,
            Tag::Auth(_) => F_AUTH,
            Tag::Crash(_) => F_CRASH,
            Tag::Trace => F_TRACE | F_ERRWORD,
            Tag::ErrWord => F_ERRWORD,
            Tag::Exc => F_EXC | F_ERRWORD,
        }
    }
}

const AUTH_MARKERS: &[&str] = &[
    "failed password",
    "failed publickey",
    "failed none for",
    "authentication failure",
    "authentication failed",
    "invalid user",
    "authenticating user",
    "maximum authentication attempts",
    "too many authentication failures",
    "accepted password",
    "accepted publickey",
    "accepted keyboard-interactive",
    "login failed",
    "failed login",
    "badcredentialsexception",
    "bad credentials",
    "invalid credentials",
    "incorrect password",
    "wrong password",
    "invalid password",
    "possible break-in attempt",
];

const TRACE_MARKERS: &[&str] = &[
    "traceback (most recent call last)",
    "goroutine ",
    "panic: ",
    "fatal error: ",
];
const ERR_WORDS: &[(&str, bool)] = &[
    ("error", false),
    ("error:", true),
    ("exception", true),
    ("fail", false),
    ("fatal", false),
    ("panic", false),
    ("critical", false),
    ("severe", false),
];

/// Failure kind accumulator.
#[derive(Debug, Default)]
pub(crate) struct KindAcc {
    pub count: u64,
    pub ev: Evidence,
    pub span: Span,
    pub needles: Vec<u16>,
    pub flavors: Vec<(&'static str, u64)>,
    pub details: Vec<(String, u64)>,
    pub stats: Vec<(&'static str, u64)>,
    pub components: Vec<(String, u64)>,
    pub traces: Vec<(usize, u64)>,
    pub excerpts: Vec<(u64, String)>,
    pub max_level: Option<Level>,
}

fn bump<K: PartialEq + Clone>(v: &mut Vec<(K, u64)>, k: &K, cap: usize) {
    match v.iter_mut().find(|x| x.0 == *k) {
        Some(x) => x.1 += 1,
        None => {
            if v.len() < cap {
                v.push((k.clone(), 1));
            }
        }
    }
}

pub(crate) fn top<K: Clone>(v: &[(K, u64)]) -> Option<K> {
    v.iter().max_by_key(|x| x.1).map(|x| x.0.clone())
}

/// A group of identical stack traces.
#[derive(Debug)]
pub(crate) struct TraceGroup {
    pub trace: Trace,
    pub count: u64,
    pub ev: Evidence,
    pub span: Span,
    pub max_level: Option<Level>,
    pub uncaught: bool,
    pub kinds: u16,
    pub excerpt: Option<(u64, String)>,
    pub last_line: u64,
}

#[derive(Debug, Default)]
pub(crate) struct TraceAcc {
    pub map: FxHashMap<String, usize>,
    pub groups: Vec<TraceGroup>,
    pub overflow: u64,
}

/// Secret or personal-data accumulator, one per type.
#[derive(Debug)]
pub(crate) struct ExposureAcc {
    pub label: &'static str,
    pub class: Class,
    pub severity: Severity,
    pub count: u64,
    pub ev: Evidence,
    pub span: Span,
    pub excerpts: Vec<(u64, String)>,
}

/// Memoises the scan of recent messages: logs repeat messages (health checks, retries, identical errors), and an
/// identical text gives identical keyword hits and identical secrets. Direct-mapped by a hash of the text, checked
/// against the text itself; switched off for a while when it stops paying (fewer than 1 in 8 lookups hit).
struct ScanCache {
    slots: Vec<Option<CacheSlot>>,
    lookups: u32,
    found: u32,
    off_until: u64,
}

struct CacheSlot {
    hash: u64,
    text: String,
    flags: u32,
    hits: Vec<(u32, u32, u32)>,
    shits: Vec<Hit>,
}

const CACHE_SLOTS: usize = 8192;
const CACHE_MAX_TEXT: usize = 1024;

fn text_hash(s: &str) -> u64 {
    let b = s.as_bytes();
    let mut h: u64 = b.len() as u64;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let v = u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]);
        h = (h.rotate_left(5) ^ v).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    for &c in chunks.remainder() {
        h = (h.rotate_left(5) ^ c as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    h ^ (h >> 29)
}

/// A trace that may continue in the next events (Go panics, chained Python tracebacks).
struct Pending {
    text: String,
    line: u64,
    ts: Option<Timestamp>,
    level: Option<Level>,
    kinds: u16,
    go: bool,
    lines: u32,
    excerpt: String,
    uncaught: bool,
}

/// The streaming analyzer. Call [`Analyzer::observe`] once per event in file order, then
/// [`Analyzer::finish`] (or [`Analyzer::finish_analysis`] for excerpts, incidents and trace groups too).
pub struct Analyzer {
    pub(crate) redactor: Redactor,
    ac: AhoCorasick,
    tags: Vec<Vec<Tag>>,
    hits: Vec<(u32, u32, u32)>,
    shits: Vec<Hit>,
    pub(crate) series: Series,
    pub(crate) kinds: Vec<KindAcc>,
    pub(crate) traces: TraceAcc,
    pending: Option<Pending>,
    cache: ScanCache,
    /// Single-line events: the trace group of a template key (`None`: not a trace), so that the same exception
    /// line is parsed once.
    line_traces: FxHashMap<u32, Option<usize>>,
    pub(crate) sec: SecurityAcc,
    pub(crate) crash: CrashAcc,
    pub(crate) exposures: Vec<ExposureAcc>,
    /// Connection-pool statistics from housekeeping lines: the largest `total`, `active`, `waiting`, the
    /// smallest `idle`.
    pub(crate) pool_stats: Vec<(&'static str, u64)>,
    pub(crate) events: u64,
    pub(crate) errors: u64,
}

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl std::fmt::Debug for Analyzer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzer")
            .field("events", &self.events)
            .finish()
    }
}

impl Analyzer {
    pub fn new() -> Analyzer {
        let redactor = Redactor::new();
        let mut patterns: Vec<String> = Vec::new();
        let mut tags: Vec<Vec<Tag>> = Vec::new();
        let mut add = |p: &str, t: Tag| {
            let p = p.to_ascii_lowercase();
            match patterns.iter().position(|x| *x == p) {
                Some(i) => tags[i].push(t),
                None => {
                    patterns.push(p);
                    tags.push(vec![t]);
                }
            }
        };
        for (i, kw) in redactor.catalog().keywords.iter().enumerate() {
            add(kw, Tag::Secret(i as u16));
        }
        for (i, n) in NEEDLES.iter().enumerate() {
            add(n.text, Tag::Needle(i as u16));
        }
        for m in AUTH_MARKERS {
            add(m, Tag::Auth(m.starts_with("accepted ")));
        }
        for (m, k) in MARKERS {
            add(m, Tag::Crash(*k));
        }
        for m in TRACE_MARKERS {
            add(m, Tag::Trace);
        }
        for (w, exc) in ERR_WORDS {
            add(w, if *exc { Tag::Exc } else { Tag::ErrWord });
        }
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&patterns)
            .expect("analyzer automaton");
        Analyzer {
            redactor,
            ac,
            tags,
            hits: Vec::with_capacity(64),
            shits: Vec::with_capacity(16),
            series: Series::new(),
            kinds: Kind::ALL.iter().map(|_| KindAcc::default()).collect(),
            traces: TraceAcc::default(),
            pending: None,
            line_traces: FxHashMap::default(),
            cache: ScanCache {
                slots: (0..CACHE_SLOTS).map(|_| None).collect(),
                lookups: 0,
                found: 0,
                off_until: 0,
            },
            sec: SecurityAcc::new(),
            crash: CrashAcc::default(),
            exposures: Vec::new(),
            pool_stats: Vec::new(),
            events: 0,
            errors: 0,
        }
    }

    /// The redactor the analyzer uses (for callers that quote log text next to the findings).
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// A redacted excerpt of an event: its first line, at most 300 bytes.
    pub(crate) fn excerpt(&self, text: &str) -> String {
        let red = self.redactor.redact(first_line(text));
        crate::text::ellipsize(&red, 300)
    }

    /// Observes one event. `template_id` is the template miner's id for the event when there is one.
    pub fn observe(&mut self, ev: &Event<'_>, template_id: Option<u32>) {
        self.events += 1;
        let msg = ev.message();
        let level = ev.level();
        let ts = ev.ts();
        let format = ev.format();

        // A trace continued over several events.
        let mut continued = false;
        if let Some(p) = &mut self.pending {
            let headerless = ts.is_none() && level.is_none();
            let t = ev.text;
            let room = p.lines < 400 && p.text.len() < 65_536;
            let cont = if p.go {
                headerless && room
            } else {
                room && (t.starts_with("During handling of the above exception")
                    || t.starts_with("The above exception was the direct cause")
                    || (headerless && python_traceback_open(&p.text)))
            };
            if cont {
                p.text.push('\n');
                p.text.push_str(t);
                p.lines += (ev.end_line - ev.line + 1) as u32;
                continued = true;
            } else {
                self.flush_pending();
            }
        }

        // JSON and logfmt keep fields outside the message: scan the whole line there.
        let scan: &str = if ev.header.message_end.is_some()
            || matches!(format, FormatId::Json | FormatId::Logfmt)
        {
            ev.text
        } else {
            msg
        };
        let flags = self.scan(scan);
        let warnish = level.is_none_or(|l| l >= Level::Warn);
        let is_error = match level {
            Some(l) => l >= Level::Error,
            None => flags & F_ERRWORD != 0 && !continued,
        };
        if is_error {
            self.errors += 1;
        }

        // Time series per template.
        let key = match template_id {
            Some(id) if id & SHAPE_BIT == 0 => id,
            _ => {
                let h = crate::text::shape_hash(msg);
                SHAPE_BIT | ((h ^ (h >> 32)) as u32 & !SHAPE_BIT)
            }
        };
        let ms = ts.map(|t| t.unix_millis());
        if self.series.zone.is_none() {
            if let Some(t) = ts {
                self.series.zone = Some(t.offset_minutes);
            }
        }
        let text = ev.text;
        self.series.record(key, ms, is_error, ev.line, || {
            Some(cut(first_line(text), 600).into())
        });
        if key & SHAPE_BIT != 0 {
            let info = self.series.info_mut(key);
            if info.example.is_none() {
                info.example = Some(cut(first_line(msg), 300).into());
            }
        }

        // Failure signatures.
        let mut kmask: u16 = 0;
        if flags & F_NEEDLE != 0 {
            kmask = self.failures(ev, scan, warnish);
        }
        let is_access = matches!(format, FormatId::AccessCombined | FormatId::AccessCommon);
        let request = if is_access { Request::of(ev) } else { None };
        if let Some(r) = &request {
            if r.status == 504 {
                kmask |= 1 << Kind::Timeout.index();
                let ex = self.excerpt_if(Kind::Timeout, ev.text);
                let acc = &mut self.kinds[Kind::Timeout.index()];
                acc.count += 1;
                acc.ev.push(ev.line);
                acc.span.add(ts);
                bump(&mut acc.flavors, &"gateway timeout (HTTP 504)", 8);
                bump(&mut acc.details, &r.path.to_string(), 16);
                if let Some(x) = ex {
                    acc.excerpts.push((ev.line, x));
                }
            }
        }

        // Stack traces.
        let multiline = ev.end_line > ev.line;
        let mut trace_root: Option<String> = None;
        if !continued && (multiline || flags & F_TRACE != 0 || (warnish && flags & F_EXC != 0)) {
            let starts_py =
                flags & F_TRACE != 0 && ev.text.contains("Traceback (most recent call last)");
            let go_start =
                flags & F_TRACE != 0 && (msg.contains("panic: ") || msg.contains("fatal error: "));
            // A traceback after a line that is not about it (an INFO line, say) was printed by the interpreter.
            let stray_py = starts_py
                && (ev.text.starts_with("Traceback") || level.is_some_and(|l| l < Level::Warn));
            let uncaught = level == Some(Level::Fatal)
                || go_start
                || stray_py
                || (flags & F_EXC != 0
                    && (ev.text.contains("Unhandled exception")
                        || ev.text.contains("Exception in thread \"")
                        || ev.text.contains("UnhandledPromiseRejection")
                        || ev.text.contains("Uncaught ")));
            if starts_py || (go_start && !has_go_frames(ev.text)) {
                self.flush_pending();
                let excerpt = self.excerpt(ev.text);
                self.pending = Some(Pending {
                    text: ev.text.to_string(),
                    line: ev.line,
                    ts: ts.copied(),
                    level,
                    kinds: kmask,
                    go: go_start && !starts_py,
                    lines: (ev.end_line - ev.line + 1) as u32,
                    excerpt,
                    uncaught,
                });
            } else if let Some(cached) = if multiline || (is_error && self.crash.active) {
                None
            } else {
                self.line_traces.get(&key).copied()
            } {
                if let Some(idx) = cached {
                    self.count_trace(idx, ev.line, ts, level, kmask, uncaught);
                }
            } else if let Some(tr) = stack::parse(ev.text) {
                if is_error && (self.crash.active || flags & F_CRASH != 0) {
                    let r = tr.root();
                    trace_root = Some(format!("{}: {}", r.class, r.message));
                }
                let excerpt = if self.traces.groups.len() < 5000 {
                    Some(self.excerpt(ev.text))
                } else {
                    None
                };
                let idx = self.record_trace(tr, ev.line, ts, level, kmask, uncaught, excerpt);
                if !multiline && self.line_traces.len() < 100_000 {
                    self.line_traces.insert(key, idx);
                }
            } else if !multiline && self.line_traces.len() < 100_000 {
                self.line_traces.insert(key, None);
            }
        }

        // Secrets and personal data.
        self.exposures(ev);

        // Web requests.
        if let Some(r) = &request {
            self.sec.request(ev, r, &self.redactor);
        }

        // Authentication.
        if flags & F_AUTH != 0 {
            let success = self
                .hits
                .iter()
                .any(|&(pid, _, _)| self.tags[pid as usize].contains(&Tag::Auth(true)));
            let first = first_line(msg);
            let ip = ip_in(first).unwrap_or("unknown");
            if success {
                self.sec
                    .auth_success(ip, auth_user(first).unwrap_or("?"), ev.line);
            } else {
                let ex = if self.sec.auth_excerpts.len() < 3 {
                    Some(self.excerpt(ev.text))
                } else {
                    None
                };
                self.sec.auth_failure(
                    ip,
                    &|| auth_user(first).map(str::to_string),
                    ev.line,
                    ts,
                    ex,
                    false,
                );
            }
        }

        // Crash loops. An error is remembered first: an exit message may be the error itself.
        if is_error && (self.crash.active || flags & F_CRASH != 0) {
            let t = trace_root.unwrap_or_else(|| crate::text::mask_digits(msg, 200));
            self.crash.error(ev.line, t);
        }
        if flags & F_CRASH != 0 {
            for i in 0..self.hits.len() {
                let pid = self.hits[i].0 as usize;
                for t in &self.tags[pid] {
                    if let Tag::Crash(m) = *t {
                        let ex = if self.crash.excerpts.len() < 3 {
                            self.excerpt(ev.text)
                        } else {
                            String::new()
                        };
                        self.crash.mark(m, msg, ev.component(), ev.line, ts, &ex);
                    }
                }
            }
        }
    }

    fn excerpt_if(&self, k: Kind, text: &str) -> Option<String> {
        if self.kinds[k.index()].excerpts.len() < 3 {
            Some(self.excerpt(text))
        } else {
            None
        }
    }

    /// The failure kinds of an event's needles; returns them as a bit mask.
    fn failures(&mut self, ev: &Event<'_>, scan: &str, warnish: bool) -> u16 {
        // Pool statistics from housekeeping lines (`HikariPool-1 - Pool stats (total=10, active=10, idle=0,
        // waiting=42)`, Druid's `activeCount`), kept for the pool finding.
        if scan.contains("stats (") || scan.contains("Pool stats") {
            for name in ["total", "active", "idle", "waiting"] {
                if let Some(v) = kinds::counter(scan, name) {
                    match self.pool_stats.iter_mut().find(|x| x.0 == name) {
                        Some(x) => {
                            // The worst moment: the most waiting (and the state then).
                            if name == "waiting" || name == "active" || name == "total" {
                                x.1 = x.1.max(v);
                            } else {
                                x.1 = x.1.min(v);
                            }
                        }
                        None => self.pool_stats.push((name, v)),
                    }
                }
            }
        }
        let mut mask: u16 = 0;
        let mut first_needle: [u16; 10] = [u16::MAX; 10];
        for &(pid, s, e) in &self.hits {
            for t in &self.tags[pid as usize] {
                if let Tag::Needle(ni) = *t {
                    let nd = &NEEDLES[ni as usize];
                    if !kinds::at_word_bounds(scan.as_bytes(), s as usize, e as usize) {
                        continue;
                    }
                    let ok = match nd.gate {
                        Gate::Any => true,
                        Gate::Warn => warnish,
                        Gate::WarnAnd(f) => warnish && f(scan),
                        Gate::AnyAnd(f) => f(scan),
                    };
                    if ok {
                        let k = nd.kind.index();
                        mask |= 1 << k;
                        if first_needle[k] == u16::MAX {
                            first_needle[k] = ni;
                        }
                    }
                }
            }
        }
        // A generic timeout is explained by the more specific kinds.
        if mask & !(1 << Kind::Timeout.index()) != 0 {
            mask &= !(1 << Kind::Timeout.index());
        }
        if mask == 0 {
            return 0;
        }
        let ts = ev.ts();
        let level = ev.level();
        let component = ev.component().or_else(|| ev.thread());
        for k in Kind::ALL {
            if mask & (1 << k.index()) == 0 {
                continue;
            }
            let excerpt = self.excerpt_if(k, ev.text);
            let acc = &mut self.kinds[k.index()];
            acc.count += 1;
            acc.ev.push(ev.line);
            acc.span.add(ts);
            if level > acc.max_level {
                acc.max_level = level;
            }
            let ni = first_needle[k.index()];
            if !acc.needles.contains(&ni) && acc.needles.len() < 8 {
                acc.needles.push(ni);
            }
            bump(&mut acc.flavors, &kinds::flavor(k, scan), 16);
            if let Some(c) = component {
                if acc.components.len() < 8 || acc.components.iter().any(|x| x.0 == c) {
                    bump(&mut acc.components, &c.to_string(), 8);
                }
            }
            let detail = match k {
                Kind::Oom => kinds::oom_victim(scan),
                Kind::DbPool => kinds::pool_name(scan),
                Kind::Dns => kinds::dns_host(scan),
                Kind::Tls | Kind::ConnRefused | Kind::Timeout => kinds::target_of(scan),
                _ => None,
            };
            if let Some(d) = detail {
                bump(&mut acc.details, &d, 16);
            }
            let stat_names: &[&'static str] = match k {
                Kind::DbPool => &["total", "active", "idle", "waiting", "maxActive"],
                Kind::ThreadPool => &["pool size", "active threads", "queued tasks", "All threads"],
                _ => &[],
            };
            for name in stat_names {
                let v = if *name == "All threads" {
                    scan.find("All threads (")
                        .and_then(|p| scan[p + 13..].split(')').next())
                        .and_then(|x| x.parse().ok())
                } else {
                    kinds::counter(scan, name)
                };
                if let Some(v) = v {
                    match acc.stats.iter_mut().find(|s| s.0 == *name) {
                        Some(s) => s.1 = s.1.max(v),
                        None => acc.stats.push((name, v)),
                    }
                }
            }
            if let Some(x) = excerpt {
                acc.excerpts.push((ev.line, x));
            }
        }
        mask
    }

    /// Records a parsed trace in its group; returns the group.
    #[allow(clippy::too_many_arguments)]
    fn record_trace(
        &mut self,
        tr: Trace,
        line: u64,
        ts: Option<&Timestamp>,
        level: Option<Level>,
        kmask: u16,
        uncaught: bool,
        excerpt: Option<String>,
    ) -> Option<usize> {
        let sig = tr.signature();
        let idx = match self.traces.map.get(&sig) {
            Some(&i) => i,
            None => {
                if self.traces.groups.len() >= 5000 {
                    self.traces.overflow += 1;
                    return None;
                }
                let i = self.traces.groups.len();
                self.traces.groups.push(TraceGroup {
                    trace: tr,
                    count: 0,
                    ev: Evidence::default(),
                    span: Span::default(),
                    max_level: None,
                    uncaught: false,
                    kinds: 0,
                    excerpt: excerpt.map(|e| (line, e)),
                    last_line: line,
                });
                self.traces.map.insert(sig, i);
                i
            }
        };
        self.count_trace(idx, line, ts, level, kmask, uncaught);
        Some(idx)
    }

    /// Counts one more occurrence of a trace group.
    fn count_trace(
        &mut self,
        idx: usize,
        line: u64,
        ts: Option<&Timestamp>,
        level: Option<Level>,
        kmask: u16,
        uncaught: bool,
    ) {
        let g = &mut self.traces.groups[idx];
        g.count += 1;
        g.ev.push(line);
        g.span.add(ts);
        g.last_line = line;
        if level > g.max_level {
            g.max_level = level;
        }
        g.uncaught |= uncaught;
        g.kinds |= kmask;
        for k in Kind::ALL {
            if kmask & (1 << k.index()) != 0 {
                bump(&mut self.kinds[k.index()].traces, &idx, 32);
            }
        }
    }

    fn flush_pending(&mut self) {
        let Some(p) = self.pending.take() else { return };
        let tr = if p.go {
            stack::parse_go(&p.text).or_else(|| stack::parse(&p.text))
        } else {
            stack::parse(&p.text)
        };
        if let Some(tr) = tr {
            self.record_trace(
                tr,
                p.line,
                p.ts.as_ref(),
                p.level,
                p.kinds,
                p.uncaught,
                Some(p.excerpt),
            );
        }
    }

    /// Scans a message: keyword hits into `self.hits`, secrets and personal data into `self.shits`; returns the
    /// flags of the hits.
    fn scan(&mut self, scan: &str) -> u32 {
        let use_cache = self.events >= self.cache.off_until && scan.len() <= CACHE_MAX_TEXT;
        let mut slot_i = usize::MAX;
        let mut hash = 0;
        if use_cache {
            hash = text_hash(scan);
            slot_i = hash as usize & (CACHE_SLOTS - 1);
            self.cache.lookups += 1;
            if let Some(slot) = &self.cache.slots[slot_i] {
                if slot.hash == hash && slot.text == scan {
                    self.cache.found += 1;
                    self.hits.clear();
                    self.hits.extend_from_slice(&slot.hits);
                    self.shits.clear();
                    self.shits.extend_from_slice(&slot.shits);
                    return slot.flags;
                }
            }
            if self.cache.lookups >= 4096 {
                if self.cache.found * 8 < self.cache.lookups {
                    self.cache.off_until = self.events + 65_536;
                }
                self.cache.lookups = 0;
                self.cache.found = 0;
            }
        }
        self.hits.clear();
        let mut flags = 0u32;
        for m in self.ac.find_iter(scan) {
            let pid = m.pattern().as_usize();
            for t in &self.tags[pid] {
                flags |= t.flag();
            }
            if self.hits.len() < 256 {
                self.hits
                    .push((pid as u32, m.start() as u32, m.end() as u32));
            }
        }
        self.shits.clear();
        if flags & F_SECRET != 0 {
            let cat = self.redactor.catalog();
            for &(pid, s, e) in &self.hits {
                for t in &self.tags[pid as usize] {
                    if let Tag::Secret(k) = *t {
                        cat.locate(scan, k as usize, s as usize, e as usize, &mut self.shits);
                    }
                }
            }
        }
        crate::pii::scan(scan, &mut self.shits);
        // The secrets without a key word (high-entropy base64, sibling-named query parameters, env pairs): the
        // same scans as the redactor's, so that a finding reports what `redact` masks.
        let redactor = &self.redactor;
        let decoded_has_secret = |decoded: &str| {
            redactor
                .find_nested(decoded, false)
                .iter()
                .any(|h| h.class == Class::Secret)
        };
        crate::secrets_shape::scan(scan, &mut self.shits, Some(&decoded_has_secret));
        resolve(&mut self.shits);
        if slot_i != usize::MAX {
            let slot = &mut self.cache.slots[slot_i];
            match slot {
                Some(sl) => {
                    sl.hash = hash;
                    sl.text.clear();
                    sl.text.push_str(scan);
                    sl.flags = flags;
                    sl.hits.clear();
                    sl.hits.extend_from_slice(&self.hits);
                    sl.shits.clear();
                    sl.shits.extend_from_slice(&self.shits);
                }
                None => {
                    *slot = Some(CacheSlot {
                        hash,
                        text: scan.into(),
                        flags,
                        hits: self.hits.clone(),
                        shits: self.shits.clone(),
                    })
                }
            }
        }
        flags
    }

    fn exposures(&mut self, ev: &Event<'_>) {
        if self.shits.is_empty() {
            return;
        }
        let mut seen: u64 = 0;
        for i in 0..self.shits.len() {
            let h = self.shits[i];
            let idx = match self.exposures.iter().position(|x| x.label == h.label) {
                Some(i) => i,
                None => {
                    self.exposures.push(ExposureAcc {
                        label: h.label,
                        class: h.class,
                        severity: h.severity,
                        count: 0,
                        ev: Evidence::default(),
                        span: Span::default(),
                        excerpts: Vec::new(),
                    });
                    self.exposures.len() - 1
                }
            };
            let need_excerpt =
                self.exposures[idx].excerpts.len() < 3 && seen & (1 << (idx % 64)) == 0;
            let excerpt = if need_excerpt {
                Some(self.excerpt(ev.text))
            } else {
                None
            };
            let acc = &mut self.exposures[idx];
            acc.count += 1;
            if h.severity > acc.severity {
                acc.severity = h.severity;
            }
            if seen & (1 << (idx % 64)) == 0 {
                acc.ev.push(ev.line);
                acc.span.add(ev.ts());
                if let Some(x) = excerpt {
                    acc.excerpts.push((ev.line, x));
                }
            }
            seen |= 1 << (idx % 64);
        }
    }

    /// Ends the input and returns the findings, most severe first (then by first evidence line).
    /// `templates` gives a template's text from the id passed to [`Analyzer::observe`] (for precursors).
    pub fn finish(
        self,
        templates: &dyn Fn(u32) -> Option<String>,
    ) -> Vec<logsieve_engine::Finding> {
        self.finish_analysis(templates).findings
    }

    /// Ends the input and returns the findings with redacted excerpts of their key lines, the error bursts and
    /// the stack-trace groups.
    pub fn finish_analysis(mut self, templates: &dyn Fn(u32) -> Option<String>) -> crate::Analysis {
        self.flush_pending();
        crate::build::build(self, templates)
    }
}

/// Whether a Python traceback still waits for its exception line (its last line is a frame, source line or a
/// chain separator).
fn python_traceback_open(text: &str) -> bool {
    let last = text.trim_end().rsplit('\n').next().unwrap_or("");
    last.starts_with(' ')
        || last.starts_with('\t')
        || last.starts_with("Traceback")
        || last.starts_with("During handling")
        || last.starts_with("The above exception")
}

/// Whether a Go panic's text already holds frames (a function line followed by a file line).
fn has_go_frames(text: &str) -> bool {
    text.contains(".go:")
}

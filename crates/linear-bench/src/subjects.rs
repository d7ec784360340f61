//! What is timed (the subjects) on which shapes: every series of the benchmark.
//!
//! Inputs are built and parsed before the clock starts: the detectors are timed on events the engine already made
//! (with the line and event limits raised far above the sizes, so that a detector sees the whole text of a long
//! line rather than the engine's first MiB of it), the engine on the raw bytes.

use std::time::Duration;

use logsieve_engine::event::Header;
use logsieve_engine::template::{TemplateId, TemplateMiner};
use logsieve_engine::{pipeline::parse_all, Event, ParseOptions, Stats};
use logsieve_findings::kinds::{self, Gate, Kind, NEEDLES};
use logsieve_findings::security::{auth_event, auth_user, ip_in, WebDetector};
use logsieve_findings::{stack, Analysis, Analyzer, Redactor};
use logsieve_llm::{build_digest, DigestInput, TemplateCount, DEFAULT_BUDGET_TOKENS};

use crate::alloc::measure;
use crate::shapes::{self, Shape};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// One event of n bytes.
    One,
    /// n bytes of ~160-byte lines.
    Lines,
}

impl Mode {
    pub fn sizes(self) -> Vec<usize> {
        let (first, count) = match self {
            Mode::One => (64 << 10, 7),
            Mode::Lines => (128 << 10, 6),
        };
        (0..count).map(|k| first << k).collect()
    }
    pub fn label(self) -> &'static str {
        match self {
            Mode::One => "one",
            Mode::Lines => "lines",
        }
    }
}

/// An event the engine made, owned so that it can be replayed to a detector as often as needed.
pub struct OwnedEvent {
    line: u64,
    end_line: u64,
    offset: u64,
    len: u64,
    text: String,
    header: Header,
    truncated: bool,
    invalid_utf8: bool,
    template: u32,
}

impl OwnedEvent {
    fn event(&self) -> Event<'_> {
        Event {
            line: self.line,
            end_line: self.end_line,
            offset: self.offset,
            len: self.len,
            text: &self.text,
            header: &self.header,
            truncated: self.truncated,
            invalid_utf8: self.invalid_utf8,
        }
    }
}

pub enum Input {
    Text(String),
    Events(Vec<OwnedEvent>),
    Digest(Box<(Stats, Vec<TemplateCount>, Analysis)>),
}

pub type Prepare = Box<dyn Fn(usize) -> Input>;
pub type Run = fn(&Input) -> (Duration, usize);

pub struct Series {
    pub subject: &'static str,
    pub shape: &'static str,
    pub mode: Mode,
    pub prepare: Prepare,
    pub run: Run,
}

impl Series {
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.subject, self.shape, self.mode.label())
    }
}

fn options() -> ParseOptions {
    let mut o = ParseOptions::with_year(2024);
    o.max_line_bytes = 1 << 30;
    o.max_event_bytes = 1 << 30;
    o
}

fn events(text: &str) -> Vec<OwnedEvent> {
    let mut miner = TemplateMiner::new();
    let mut out = Vec::new();
    let _ = parse_all(text.as_bytes(), options(), |ev| {
        let id = miner.observe_event(ev).0;
        out.push(OwnedEvent {
            line: ev.line,
            end_line: ev.end_line,
            offset: ev.offset,
            len: ev.len,
            text: ev.text.to_string(),
            header: ev.header.clone(),
            truncated: ev.truncated,
            invalid_utf8: ev.invalid_utf8,
            template: id,
        });
    });
    out
}

fn shape_text(shape: &Shape, mode: Mode, n: usize) -> String {
    match mode {
        Mode::One => (shape.one)(n),
        Mode::Lines => (shape.lines)(n),
    }
}

fn evs(input: &Input) -> &[OwnedEvent] {
    match input {
        Input::Events(e) => e,
        _ => panic!("events expected"),
    }
}

fn text(input: &Input) -> &str {
    match input {
        Input::Text(t) => t,
        _ => panic!("text expected"),
    }
}

// ------------------------------------------------------------------ runners

/// Every detector at once, as `logsieve analyze` runs them: observe each event, then build the findings.
fn run_analyzer(input: &Input) -> (Duration, usize) {
    let evs = evs(input);
    let mut a = Analyzer::new();
    measure(move || {
        for e in evs {
            a.observe(&e.event(), Some(e.template));
        }
        std::hint::black_box(a.finish_analysis(&|_| None));
    })
}

/// The stack-trace parsers on every event.
fn run_stack(input: &Input) -> (Duration, usize) {
    let evs = evs(input);
    measure(|| {
        for e in evs {
            std::hint::black_box(stack::parse(&e.text));
            if e.text.contains("panic: ") {
                std::hint::black_box(stack::parse_go(&e.text));
            }
        }
    })
}

/// The failure kinds' checks on every message: every needle's confirming check, the flavour of every kind, and
/// the details (target, host, victim, pool, counters). The analyzer runs them only where a needle matched.
fn run_kinds(input: &Input) -> (Duration, usize) {
    let evs = evs(input);
    measure(|| {
        for e in evs {
            let m = e.event().message();
            for nd in NEEDLES {
                if let Gate::WarnAnd(f) | Gate::AnyAnd(f) = nd.gate {
                    std::hint::black_box(f(m));
                }
            }
            for k in Kind::ALL {
                std::hint::black_box(kinds::flavor(k, m));
            }
            std::hint::black_box(kinds::target_of(m));
            std::hint::black_box(kinds::dns_host(m));
            std::hint::black_box(kinds::oom_victim(m));
            std::hint::black_box(kinds::pool_name(m));
            for name in ["total", "active", "idle", "waiting"] {
                std::hint::black_box(kinds::counter(m, name));
            }
        }
    })
}

/// The web attack classifier on access-log events, and the authentication parsers on every message.
fn run_security(input: &Input) -> (Duration, usize) {
    let evs = evs(input);
    let web = WebDetector::new();
    measure(|| {
        for e in evs {
            let ev = e.event();
            std::hint::black_box(web.classify_event(&ev));
            let m = ev.message();
            std::hint::black_box(auth_event(m));
            std::hint::black_box(auth_user(m));
            std::hint::black_box(ip_in(m));
        }
    })
}

/// The personal-data scan alone.
fn run_pii(input: &Input) -> (Duration, usize) {
    let evs = evs(input);
    measure(|| {
        let mut hits = Vec::new();
        for e in evs {
            logsieve_findings::pii::scan(&e.text, &mut hits);
            hits.clear();
        }
    })
}

/// The redactor (secrets and personal data, masked) on every event.
fn run_redactor(input: &Input) -> (Duration, usize) {
    let evs = evs(input);
    let r = Redactor::new();
    measure(|| {
        for e in evs {
            std::hint::black_box(r.redact(&e.text));
        }
    })
}

/// The floor: one pass over the bytes that counts the spaces, for what a linear scan costs on this machine.
fn run_baseline(input: &Input) -> (Duration, usize) {
    let t = text(input);
    measure(|| {
        std::hint::black_box(t.bytes().fold(0usize, |n, b| n + (b == b' ') as usize));
    })
}

/// The engine: decode, split, assemble, detect and parse the format, and mine templates.
fn run_engine(input: &Input) -> (Duration, usize) {
    let t = text(input);
    measure(|| {
        let mut miner = TemplateMiner::new();
        let _ = parse_all(t.as_bytes(), options(), |ev| {
            miner.observe_event(ev);
        });
        std::hint::black_box(miner.finish());
    })
}

fn run_k8s(input: &Input) -> (Duration, usize) {
    let t = text(input);
    measure(|| {
        std::hint::black_box(logsieve_k8s::audit(t).ok());
    })
}

/// The LLM digest of an analysis (at the default token budget).
fn run_llm(input: &Input) -> (Duration, usize) {
    let Input::Digest(d) = input else {
        panic!("digest input expected")
    };
    let (stats, templates, analysis) = &**d;
    measure(|| {
        std::hint::black_box(build_digest(
            &DigestInput {
                file_name: "bench.log",
                stats,
                templates,
                analysis,
            },
            DEFAULT_BUDGET_TOKENS,
        ));
    })
}

fn digest_input(text: &str) -> Input {
    let mut miner = TemplateMiner::new();
    let mut analyzer = Analyzer::new();
    let (stats, _) = parse_all(text.as_bytes(), options(), |ev| {
        let id = miner.observe_event(ev).0;
        analyzer.observe(ev, Some(id));
    });
    let map = miner.finish();
    let analysis =
        analyzer.finish_analysis(&|id| map.get(TemplateId(id)).map(|t| t.template.clone()));
    Input::Digest(Box::new((stats, TemplateCount::from_map(&map), analysis)))
}

// ------------------------------------------------------------------ the series

fn on_events(subject: &'static str, run: Run, shape: &'static str, mode: Mode) -> Series {
    Series {
        subject,
        shape,
        mode,
        prepare: Box::new(move |n| {
            Input::Events(events(&shape_text(&shapes::get(shape), mode, n)))
        }),
        run,
    }
}

fn on_text(subject: &'static str, run: Run, shape: &'static str, mode: Mode) -> Series {
    Series {
        subject,
        shape,
        mode,
        prepare: Box::new(move |n| Input::Text(shape_text(&shapes::get(shape), mode, n))),
        run,
    }
}

fn on_k8s(shape: &'static str, mode: Mode, make: fn(usize, bool) -> String) -> Series {
    Series {
        subject: "k8s",
        shape,
        mode,
        prepare: Box::new(move |n| Input::Text(make(n, mode == Mode::One))),
        run: run_k8s,
    }
}

fn on_digest(shape: &'static str, mode: Mode) -> Series {
    Series {
        subject: "llm",
        shape,
        mode,
        prepare: Box::new(move |n| digest_input(&shape_text(&shapes::get(shape), mode, n))),
        run: run_llm,
    }
}

/// Every series, grouped by mode (the table prints one header per mode).
pub fn all() -> Vec<Series> {
    let every: Vec<&'static str> = shapes::all().iter().map(|s| s.name).collect();
    let mut out = Vec::new();
    for mode in [Mode::One, Mode::Lines] {
        out.push(on_text("baseline", run_baseline, "ordinary", mode));
        for &s in &every {
            out.push(on_events("analyzer", run_analyzer, s, mode));
        }
        for s in [
            "ordinary",
            "trace-words",
            "brackets",
            "utf8",
            "java-trace",
            "py-trace",
            "exc-run",
            "nested",
            "hresult",
            "causes",
        ] {
            out.push(on_events("stack", run_stack, s, mode));
        }
        for s in ["ordinary", "failures", "ips", "utf8", "brackets"] {
            out.push(on_events("kinds", run_kinds, s, mode));
        }
        for s in ["access", "auth", "ip-markers", "ips", "utf8"] {
            out.push(on_events("security", run_security, s, mode));
        }
        for s in ["ordinary", "ips", "hex", "phones", "token", "utf8"] {
            out.push(on_events("pii", run_pii, s, mode));
        }
        for s in [
            "ordinary",
            "secrets",
            "password-sk",
            "ips",
            "hex",
            "phones",
            "token",
            "utf8",
            "json",
            "b64-text",
            "queries",
            "env-pairs",
        ] {
            out.push(on_events("redactor", run_redactor, s, mode));
        }
        for s in [
            "ordinary",
            "brackets",
            "token",
            "utf8",
            "java-trace",
            "access",
            "json",
            "ips",
            "distinct-words",
        ] {
            out.push(on_text("engine", run_engine, s, mode));
        }
        out.push(on_k8s("manifests", mode, shapes::manifests));
        out.push(on_k8s("pods", mode, shapes::pods_table));
        out.push(on_k8s("events", mode, shapes::events_table));
        for s in ["failures", "java-trace"] {
            out.push(on_digest(s, mode));
        }
    }
    out
}

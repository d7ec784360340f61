//! Crash loops: a service that keeps starting and dying.
//!
//! Start-up markers (Spring Boot's `Starting X ... using Java` and `Started X in N seconds`, Tomcat's `Server
//! startup in`, ASP.NET Core's `Application started` / `Now listening on`, gunicorn/uvicorn, `listening on port`
//! and kin) are counted per application; exits (`Application run failed`, `exited with code`, systemd's `Main
//! process exited`, .NET's `Unhandled exception.`) and explicit loop markers (Kubernetes `Back-off restarting
//! failed container` / `CrashLoopBackOff`, systemd `restart counter is at N` / `Start request repeated too
//! quickly`, supervisord `exited: ... (exit status 1; not expected)` and `entered FATAL state`) too. A crash loop
//! is an explicit marker, or three starts with two exits or failures between them, or four starts at intervals of
//! at most 15 minutes. The root cause is the error seen most often last before an exit or restart.

use crate::security::Span;
use logsieve_engine::{Evidence, Timestamp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Begin,
    Complete,
    Exit,
    Explicit,
}

pub static MARKERS: &[(&str, Mark)] = &[
    (" using java ", Mark::Begin),
    ("starting application", Mark::Begin),
    ("application is starting", Mark::Begin),
    ("starting service [catalina]", Mark::Begin),
    ("starting servlet engine", Mark::Begin),
    ("hosting environment:", Mark::Begin),
    ("starting gunicorn", Mark::Begin),
    ("booting worker", Mark::Begin),
    ("starting development server", Mark::Begin),
    ("seconds (process running for", Mark::Complete),
    ("seconds (jvm running for", Mark::Complete),
    ("server startup in", Mark::Complete),
    ("application started", Mark::Complete),
    ("now listening on", Mark::Complete),
    ("listening on port", Mark::Complete),
    ("server listening on", Mark::Complete),
    ("application startup complete", Mark::Complete),
    ("ready to accept connections", Mark::Complete),
    ("application run failed", Mark::Exit),
    ("application failed to start", Mark::Exit),
    ("exited with code", Mark::Exit),
    ("exited with status", Mark::Exit),
    ("main process exited", Mark::Exit),
    ("process exited with", Mark::Exit),
    ("terminated unexpectedly", Mark::Exit),
    ("entered failed state", Mark::Exit),
    ("failed with result", Mark::Exit),
    ("unhandled exception. ", Mark::Exit),
    ("worker failed to boot", Mark::Exit),
    ("app crashed", Mark::Exit),
    ("stopped with exit code", Mark::Exit),
    ("back-off restarting failed", Mark::Explicit),
    ("crashloopbackoff", Mark::Explicit),
    ("restart counter is at", Mark::Explicit),
    ("start request repeated too quickly", Mark::Explicit),
    ("entered fatal state", Mark::Explicit),
    ("not expected)", Mark::Explicit),
    ("too many start retries", Mark::Explicit),
];

/// A crash loop: the application, how many restarts, and the usual cause (text, how often, first line).
pub type Verdict = (String, u64, Option<(String, u64, u64)>);

#[derive(Debug, Default)]
struct App {
    name: String,
    begins: Vec<(u64, Option<i64>)>,
    completes: Vec<(u64, Option<i64>)>,
}

impl App {
    fn boots(&self) -> usize {
        self.begins.len().max(self.completes.len())
    }
    fn boot_times(&self) -> Vec<i64> {
        let v = if self.begins.len() >= self.completes.len() {
            &self.begins
        } else {
            &self.completes
        };
        v.iter().filter_map(|x| x.1).collect()
    }
}

#[derive(Debug, Default)]
pub struct CrashAcc {
    apps: Vec<App>,
    /// Exits, counting exit messages less than 30 s apart once.
    pub exits: u64,
    last_exit_ms: Option<i64>,
    /// A unit or container named by exit and loop messages (`orders.service`).
    unit: Option<String>,
    pub explicit: u64,
    /// Markers that mean a loop by themselves (back-off, CrashLoopBackOff, start limit hit, FATAL state).
    pub strong: u64,
    pub restart_counter: u64,
    pub ev: Evidence,
    pub span: Span,
    pub excerpts: Vec<(u64, String)>,
    /// The last error since the last start or exit: (line, text).
    last_error: Option<(u64, String)>,
    /// Errors seen last before a restart or exit: (text, count, first line).
    causes: Vec<(String, u64, u64)>,
    /// Whether any marker was seen (the analyzer then tracks errors).
    pub active: bool,
}

/// The application a start-up line names: `Starting MeetingApplication v1.0 using Java 17` →
/// `MeetingApplication`.
fn app_name(msg: &str) -> Option<String> {
    for mk in ["Starting ", "Started "] {
        if let Some(p) = msg.find(mk) {
            let w: String = msg[p + mk.len()..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-' || *c == '.')
                .collect();
            if w.len() >= 3 && w.chars().next().is_some_and(|c| c.is_ascii_uppercase()) {
                return Some(w);
            }
        }
    }
    None
}

impl CrashAcc {
    pub fn mark(
        &mut self,
        m: Mark,
        msg: &str,
        component: Option<&str>,
        line: u64,
        ts: Option<&Timestamp>,
        excerpt: &str,
    ) {
        self.active = true;
        let ms = ts.map(|t| t.unix_millis());
        match m {
            Mark::Begin | Mark::Complete => {
                let name = app_name(msg)
                    .or_else(|| component.map(str::to_string))
                    .unwrap_or_else(|| "service".to_string());
                let app = match self.apps.iter_mut().position(|a| a.name == name) {
                    Some(i) => &mut self.apps[i],
                    None => {
                        if self.apps.len() >= 64 {
                            return;
                        }
                        self.apps.push(App {
                            name,
                            ..App::default()
                        });
                        self.apps.last_mut().expect("pushed")
                    }
                };
                let list = if m == Mark::Begin {
                    &mut app.begins
                } else {
                    &mut app.completes
                };
                if list.len() < 10_000 {
                    list.push((line, ms));
                }
                // A new start: whatever failed last before it is a cause.
                if m == Mark::Begin || app.begins.is_empty() {
                    self.take_cause();
                }
            }
            Mark::Exit => {
                let dup = matches!((ms, self.last_exit_ms), (Some(a), Some(b)) if a - b < 30_000 && a >= b);
                if !dup {
                    self.exits += 1;
                }
                if ms.is_some() {
                    self.last_exit_ms = ms;
                }
                self.note_unit(msg);
                self.take_cause();
            }
            Mark::Explicit => {
                self.explicit += 1;
                let l = msg.to_ascii_lowercase();
                if [
                    "back-off restarting",
                    "crashloopbackoff",
                    "repeated too quickly",
                    "fatal state",
                    "too many start retries",
                ]
                .iter()
                .any(|p| l.contains(p))
                {
                    self.strong += 1;
                }
                self.note_unit(msg);
                if let Some(p) = crate::text::find_ci(msg, "restart counter is at ") {
                    let n: String = msg[p + 22..]
                        .chars()
                        .take_while(|c| c.is_ascii_digit())
                        .collect();
                    if let Ok(n) = n.parse::<u64>() {
                        self.restart_counter = self.restart_counter.max(n);
                    }
                }
                self.take_cause();
            }
        }
        if m != Mark::Complete {
            self.ev.push(line);
            self.span.add(ts);
            if self.excerpts.len() < 3 {
                self.excerpts
                    .push((line, crate::text::cut(excerpt, 300).to_string()));
            }
        }
    }

    /// `orders.service: Main process exited` → `orders.service`; `container payments in pod ...` → `payments`.
    fn note_unit(&mut self, msg: &str) {
        if self.unit.is_some() {
            return;
        }
        let first = crate::text::first_line(msg);
        if let Some((head, _)) = first.split_once(": ") {
            let w = head.rsplit(' ').next().unwrap_or(head);
            if w.ends_with(".service") || w.ends_with(".scope") || w.ends_with(".socket") {
                self.unit = Some(w.to_string());
                return;
            }
        }
        if let Some(p) = first.find("container ") {
            let w: String = first[p + 10..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                .collect();
            if !w.is_empty() {
                self.unit = Some(w);
                return;
            }
        }
        if let Some(p) = first.find("exited: ") {
            let w: String = first[p + 8..]
                .chars()
                .take_while(|c| !c.is_whitespace())
                .collect();
            if !w.is_empty() {
                self.unit = Some(w);
            }
        }
    }

    fn take_cause(&mut self) {
        if let Some((line, text)) = self.last_error.take() {
            match self.causes.iter_mut().find(|c| c.0 == text) {
                Some(c) => c.1 += 1,
                None => {
                    if self.causes.len() < 200 {
                        self.causes.push((text, 1, line));
                    }
                }
            }
        }
    }

    /// An error event (only tracked once a marker was seen).
    pub fn error(&mut self, line: u64, text: String) {
        self.last_error = Some((line, text));
    }

    /// `Some((application, restarts, the usual cause and its first line))` when this is a crash loop.
    pub fn verdict(&self) -> Option<Verdict> {
        let mut best: Option<(&App, usize)> = None;
        for a in &self.apps {
            let b = a.boots();
            if best.is_none_or(|(_, bb)| b > bb) {
                best = Some((a, b));
            }
        }
        let (name, boots) = match best {
            Some((a, b)) if b >= 2 || self.unit.is_none() => (a.name.clone(), b),
            _ => (
                self.unit.clone().unwrap_or_else(|| "service".to_string()),
                best.map(|x| x.1).unwrap_or(0),
            ),
        };
        let frequent = best.is_some_and(|(a, b)| {
            if b < 4 {
                return false;
            }
            let mut t = a.boot_times();
            t.sort_unstable();
            if t.len() < 4 {
                return false;
            }
            let mut gaps: Vec<i64> = t.windows(2).map(|w| w[1] - w[0]).collect();
            gaps.sort_unstable();
            gaps[gaps.len() / 2] <= 15 * 60_000
        });
        let is_loop = self.strong >= 1
            || self.restart_counter >= 3
            || (self.restart_counter == 0 && self.explicit >= 3)
            || (boots >= 3 && self.exits >= 2)
            || frequent;
        if !is_loop {
            return None;
        }
        let mut restarts = (boots.saturating_sub(1) as u64).max(self.restart_counter);
        if boots == 0 {
            restarts = restarts.max(self.exits);
        }
        if self.restart_counter == 0 {
            restarts = restarts.max(self.explicit);
        }
        let cause = self
            .causes
            .iter()
            .max_by(|a, b| a.1.cmp(&b.1).then(b.2.cmp(&a.2)))
            .cloned();
        Some((name, restarts, cause))
    }

    /// Start lines (for evidence).
    pub fn boot_lines(&self) -> Vec<u64> {
        let mut v: Vec<u64> = self
            .apps
            .iter()
            .flat_map(|a| a.begins.iter().chain(a.completes.iter()).map(|x| x.0))
            .collect();
        v.sort_unstable();
        v.truncate(20);
        v
    }
}

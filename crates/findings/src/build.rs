//! Writing the findings up at the end of the input.

use crate::advice::{self, Advice, Ctx};
use crate::analyzer::{top, Analyzer, KindAcc, TraceGroup};
use crate::burst::{Incident, Precursor, RawIncident, RawPrecursor, SHAPE_BIT};
use crate::kinds::{Kind, NEEDLES};
use crate::query;
use crate::secrets::Class;
use crate::security::{Span, ATTACK_KINDS};
use crate::text::{ellipsize, human_ms, per_min};
use crate::{Analysis, TraceSummary};
use logsieve_engine::{Evidence, Finding, Level, Queries, Severity};
use std::collections::BTreeMap;

/// A failure kind's finding as the error bursts refer to it: kind, onset, title, first line, root cause.
type KindTitle = (Kind, Option<i64>, String, u64, Option<String>);

struct Out<'a> {
    a: &'a Analyzer,
    findings: Vec<Finding>,
    excerpts: BTreeMap<u64, String>,
}

impl Out<'_> {
    fn red(&self, s: &str) -> String {
        self.a.redactor.redact(s).into_owned()
    }

    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        kind: &str,
        severity: Severity,
        title: String,
        summary: String,
        root_cause: Option<String>,
        evidence: Evidence,
        span: (Option<String>, Option<String>),
        adv: Advice,
        queries: Queries,
        excerpts: &[(u64, String)],
    ) {
        // Everything quoted from the log went through the redactor already; this is the safety net.
        let title = self.red(&title);
        let summary = self.red(&summary);
        let root_cause = root_cause.map(|r| self.red(&r));
        for (line, text) in excerpts.iter().take(3) {
            self.excerpts.entry(*line).or_insert_with(|| text.clone());
        }
        self.findings.push(Finding {
            kind: kind.to_string(),
            severity,
            title,
            summary,
            root_cause,
            evidence,
            first_seen: span.0,
            last_seen: span.1,
            hotfix: adv.hotfix,
            long_term: adv.long_term,
            commands: adv.commands,
            queries,
            k8s: None,
            suspects: Vec::new(),
        });
    }
}

fn span_of(s: &Span) -> (Option<String>, Option<String>) {
    (s.first_rfc(), s.last_rfc())
}

fn plural(n: u64, one: &str, many: &str) -> String {
    if n == 1 {
        format!("1 {one}")
    } else {
        format!("{n} {many}")
    }
}

fn sentence_join(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Template text for a key: the caller's template, or the example kept for a message shape; redacted.
fn template_text(a: &Analyzer, templates: &dyn Fn(u32) -> Option<String>, key: u32) -> String {
    let raw = if key & SHAPE_BIT == 0 {
        templates(key)
    } else {
        None
    }
    .or_else(|| {
        a.series.info(key).and_then(|i| {
            i.example
                .as_deref()
                .map(|e| crate::text::mask_tokens(e, 300))
        })
    })
    .unwrap_or_else(|| format!("template {key}"));
    ellipsize(&a.redactor.redact(raw.trim()), 160)
}

/// The precursors to show: at most three, best first. Templates that moved together (the same count in the same
/// window: the lines of one operation, like a SQL statement, its parameters and its result) are one precursor,
/// shown by the template that says the most (the longest).
fn precursors(
    a: &Analyzer,
    templates: &dyn Fn(u32) -> Option<String>,
    raw: &[RawPrecursor],
) -> Vec<Precursor> {
    let mut out: Vec<Precursor> = Vec::new();
    // The first new template is kept beside the three best, whatever they are.
    let mut first_new = None;
    for r in raw {
        let t = template_text(a, templates, r.key);
        if r.first_new {
            first_new = Some(Precursor {
                template: t,
                before_per_min: 0.0,
                during_per_min: 0.0,
                factor: 0.0,
                window_s: (r.window_ms / 1000) as u64,
                count: 0,
                appeared: true,
                dominant: false,
                first_new: true,
                share: 0.0,
                first_line: a.series.info(r.key).map(|i| i.first_line).unwrap_or(0),
            });
            continue;
        }
        if out.iter().any(|p| p.template == t) {
            continue;
        }
        let window_s = (r.window_ms / 1000) as u64;
        let twin = out.iter().position(|p| {
            p.window_s == window_s
                && (p.count as f64 - r.count as f64).abs() <= 0.1 * p.count.max(r.count) as f64
        });
        if let Some(i) = twin {
            if t.len() > out[i].template.len() {
                out[i].template = t;
                out[i].first_line = a.series.info(r.key).map(|x| x.first_line).unwrap_or(0);
            }
            continue;
        }
        if out.len() == 3 {
            continue;
        }
        out.push(Precursor {
            template: t,
            before_per_min: r.before_per_min,
            during_per_min: r.during_per_min,
            factor: r.factor,
            window_s: (r.window_ms / 1000) as u64,
            count: r.count,
            appeared: r.appeared,
            dominant: r.dominant,
            first_new: false,
            share: if r.dominant { r.score } else { 0.0 },
            first_line: a.series.info(r.key).map(|i| i.first_line).unwrap_or(0),
        });
    }
    if let Some(p) = first_new {
        if !out.iter().any(|o| o.template == p.template) {
            out.push(p);
        }
    }
    out
}

fn precursor_sentence(p: &[Precursor]) -> String {
    if p.is_empty() {
        return String::new();
    }
    let items: Vec<String> = p.iter().map(|x| x.describe()).collect();
    format!("Before it, {}.", items.join("; "))
}

fn classify(r: &RawIncident, n_incidents: usize) -> (&'static str, String) {
    let dur = human_ms(r.end_ms - r.start_ms);
    let base = format!("{} per {}", fmt_rate(r.baseline), human_ms(r.bucket_ms));
    if !r.recovered && r.reaches_end {
        return ("systemic", format!("the error rate was still above its baseline ({base}) at the end of the log: no recovery"));
    }
    if r.escalating {
        return (
            "systemic",
            format!(
                "escalating: {} errors in the second half against {} in the first",
                r.second_half, r.first_half
            ),
        );
    }
    if r.buckets >= 6 {
        return (
            "systemic",
            format!(
                "sustained for {dur} ({} intervals of {} above the baseline of {base})",
                r.buckets,
                human_ms(r.bucket_ms)
            ),
        );
    }
    if !r.recovered {
        return (
            "systemic",
            format!("the error rate did not return to its baseline ({base}) after {dur}"),
        );
    }
    if n_incidents >= 3 {
        return (
            "systemic",
            format!("recurring: {n_incidents} separate bursts in this log"),
        );
    }
    (
        "transient",
        format!(
            "an isolated {dur} spike; the error rate returned to its baseline ({base}) afterwards"
        ),
    )
}

fn fmt_rate(x: f64) -> String {
    if x >= 10.0 || x == x.round() {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

fn level_name(l: Option<Level>) -> &'static str {
    l.map(|l| l.as_str()).unwrap_or("unlevelled")
}

/// The most frequent trace group among a kind's events.
fn kind_trace<'a>(a: &'a Analyzer, acc: &KindAcc) -> Option<&'a TraceGroup> {
    let idx = top(&acc.traces)?;
    a.traces.groups.get(idx)
}

fn trace_root_text(a: &Analyzer, g: &TraceGroup) -> String {
    let r = g.trace.root();
    let msg = a.redactor.redact(&r.message);
    if msg.is_empty() {
        r.class.clone()
    } else {
        format!("{}: {}", r.class, ellipsize(&msg, 200))
    }
}

fn short_class(c: &str) -> &str {
    c.rsplit('.').next().unwrap_or(c)
}

pub(crate) fn build(a: Analyzer, templates: &dyn Fn(u32) -> Option<String>) -> Analysis {
    let raw_incidents = a.series.incidents();
    let active_kinds: Vec<Kind> = Kind::ALL
        .iter()
        .copied()
        .filter(|k| a.kinds[k.index()].count > 0)
        .collect();
    let mut onsets: Vec<i64> = raw_incidents.iter().map(|r| r.onset_ms).collect();
    let kind_onset: Vec<Option<i64>> = active_kinds
        .iter()
        .map(|k| a.kinds[k.index()].span.first.as_ref().map(|x| x.0))
        .collect();
    onsets.extend(kind_onset.iter().flatten().copied());
    let raw_pre = a.series.precursors(&onsets);
    let mut out = Out {
        a: &a,
        findings: Vec::new(),
        excerpts: BTreeMap::new(),
    };

    // Failure kinds first (incidents refer to them).
    let mut kind_titles: Vec<KindTitle> = Vec::new();
    let mut pre_i = raw_incidents.len();
    let mut kind_pre: Vec<Vec<Precursor>> = Vec::new();
    for (ki, _) in active_kinds.iter().enumerate() {
        let pre = if kind_onset[ki].is_some() {
            let p = precursors(&a, templates, &raw_pre[pre_i]);
            pre_i += 1;
            p
        } else {
            Vec::new()
        };
        kind_pre.push(pre);
    }
    for (ki, &k) in active_kinds.iter().enumerate() {
        let acc = &a.kinds[k.index()];
        let pre = &kind_pre[ki];
        let onset = kind_onset[ki];
        let incident = onset.and_then(|o| {
            raw_incidents
                .iter()
                .find(|r| o >= r.start_ms - r.bucket_ms && o < r.end_ms)
        });
        let text_of = |key: u32| template_text(&a, templates, key);
        let suspects = crate::suspects::suspects(&a, k, acc, onset, pre, &text_of);
        let (title, root) = kind_finding(
            &mut out,
            k,
            acc,
            pre,
            incident,
            raw_incidents.len(),
            suspects,
        );
        kind_titles.push((
            k,
            onset,
            title,
            acc.ev.lines.first().copied().unwrap_or(0),
            root,
        ));
    }

    // Error bursts.
    let mut incidents: Vec<Incident> = Vec::new();
    for (i, r) in raw_incidents.iter().enumerate() {
        let pre = precursors(&a, templates, &raw_pre[i]);
        let (class, reason) = classify(r, raw_incidents.len());
        let top_errors: Vec<(String, u64)> = a
            .series
            .top_errors(r.start_ms, r.end_ms, 3)
            .into_iter()
            .map(|(k, n)| (template_text(&a, templates, k), n))
            .collect();
        let bucket_min = r.bucket_ms as f64 / 60_000.0;
        let inc = Incident {
            onset: a.series.render(r.onset_ms),
            onset_line: r.first_line,
            end: a.series.render(r.end_ms),
            errors: r.errors,
            class,
            reason: reason.clone(),
            baseline_per_min: r.baseline / bucket_min,
            peak_per_min: r.peak as f64 / bucket_min,
            precursors: pre.clone(),
            top_errors: top_errors.clone(),
        };
        // Kinds that began within the burst (or just before it) explain it.
        let mut inside: Vec<&KindTitle> = kind_titles
            .iter()
            .filter(|(_, o, ..)| {
                o.is_some_and(|o| o >= r.start_ms - 5 * r.bucket_ms && o < r.end_ms)
            })
            .collect();
        inside.sort_by_key(|x| x.1);
        let severity = if class == "systemic" {
            Severity::High
        } else {
            Severity::Medium
        };
        let title = format!(
            "{} error burst at {}: {} in {}",
            if class == "systemic" {
                "Systemic"
            } else {
                "Transient"
            },
            inc.onset,
            plural(r.errors, "error", "errors"),
            human_ms(r.end_ms - r.start_ms)
        );
        let mut parts = vec![format!(
            "Errors rose from a baseline of {} to a peak of {} at {} (first error at line {}).",
            per_min(inc.baseline_per_min),
            per_min(inc.peak_per_min),
            inc.onset,
            r.first_line
        )];
        parts.push(format!("Classified {class}: {reason}."));
        if !top_errors.is_empty() {
            let te: Vec<String> = top_errors
                .iter()
                .map(|(t, n)| format!("'{t}' ({n})"))
                .collect();
            parts.push(format!("Most frequent errors: {}.", te.join(", ")));
        }
        if !inside.is_empty() {
            let ks: Vec<String> = inside
                .iter()
                .map(|x| format!("{} ({}, line {})", x.2, x.0.name(), x.3))
                .collect();
            parts.push(format!("Failures found in it: {}.", ks.join("; ")));
        }
        parts.push(precursor_sentence(&pre));
        let root = if let Some(first) = inside.first() {
            let mut s = format!("{} (first at line {})", first.2, first.3);
            if let Some(rc) = &first.4 {
                s.push_str(&format!(": {rc}"));
            }
            Some(s)
        } else if let Some(p) = pre.first() {
            Some(format!("Load change before the onset: {}", p.describe()))
        } else {
            top_errors
                .first()
                .map(|(t, n)| format!("Dominated by '{t}' ({n} errors)"))
        };
        let (lines, total) = a.series.error_lines(r.start_ms, r.end_ms);
        let mut ev = Evidence::default();
        for l in lines.iter().take(Evidence::CAP) {
            ev.lines.push(*l);
        }
        ev.total = total.max(ev.lines.len() as u64);
        let ex: Vec<(u64, String)> = a
            .series
            .error_excerpts(r.start_ms, r.end_ms, 3)
            .into_iter()
            .map(|(l, t)| (l, ellipsize(&a.redactor.redact(t), 300)))
            .collect();
        let adv = advice::for_kind(
            "error_burst",
            &Ctx {
                precursor: pre.first().map(|p| p.describe()),
                ..Ctx::default()
            },
        );
        let q = query::level_window("error", &inc.onset, &inc.end);
        out.push(
            "error_burst",
            severity,
            title,
            sentence_join(&parts),
            root,
            ev,
            (Some(inc.onset.clone()), Some(inc.end.clone())),
            adv,
            q,
            &ex,
        );
        incidents.push(inc);
    }

    crash_finding(&mut out);
    exception_findings(&mut out);
    security_findings(&mut out);
    exposure_findings(&mut out);

    let mut findings = out.findings;
    findings.sort_by(|x, y| {
        y.severity.cmp(&x.severity).then(
            x.evidence
                .lines
                .first()
                .copied()
                .unwrap_or(u64::MAX)
                .cmp(&y.evidence.lines.first().copied().unwrap_or(u64::MAX)),
        )
    });
    let excerpts = out.excerpts;
    let traces = trace_summaries(&a);
    Analysis {
        findings,
        excerpts,
        incidents,
        traces,
        events: a.events,
        errors: a.errors,
    }
}

fn kind_finding(
    out: &mut Out<'_>,
    k: Kind,
    acc: &KindAcc,
    pre: &[Precursor],
    incident: Option<&RawIncident>,
    n_incidents: usize,
    suspects: Vec<logsieve_engine::Suspect>,
) -> (String, Option<String>) {
    let a = out.a;
    let flavor = top(&acc.flavors).unwrap_or("");
    let subject = top(&acc.details).map(|s| a.redactor.redact(&s).into_owned());
    let tg = kind_trace(a, acc);
    let app_frame = tg
        .and_then(|g| g.trace.app_frame.clone())
        .map(|f| a.redactor.redact(&f).into_owned());
    let root_exc = tg.map(|g| trace_root_text(a, g));
    let count = acc.count;
    let first_line = acc.ev.lines.first().copied().unwrap_or(0);
    let first = acc.span.first_rfc();
    let last = acc.span.last_rfc();
    let when = match (&first, &last) {
        (Some(f), Some(l)) if f != l => format!(" between {f} and {l}"),
        (Some(f), _) => format!(" at {f}"),
        _ => String::new(),
    };
    let stat = |n: &str| {
        acc.stats
            .iter()
            .find(|s| s.0 == n)
            .map(|s| s.1)
            .or_else(|| {
                if k == Kind::DbPool {
                    a.pool_stats.iter().find(|s| s.0 == n).map(|s| s.1)
                } else {
                    None
                }
            })
    };
    let subj = subject.clone().unwrap_or_default();
    let (title, what) = match k {
        Kind::Oom => {
            let t = match &subject {
                Some(v) if flavor.contains("kernel") || flavor.contains("cgroup") => format!("Out of memory: the kernel OOM killer killed {v}"),
                _ => format!("Out of memory ({flavor})"),
            };
            (t, format!("The process ran out of memory ({flavor})"))
        }
        Kind::FdExhaustion => (
            format!("Too many open files ({flavor})"),
            "The process hit its open-file limit ('Too many open files'): sockets and files could not be opened".to_string(),
        ),
        Kind::DbPool => {
            let pool = subject.clone().unwrap_or_else(|| format!("The {flavor} pool"));
            (
                format!("{pool} connection pool exhausted ({flavor})"),
                format!("{pool} ran out of database connections: requests timed out waiting for a free one"),
            )
        }
        Kind::ThreadPool => (
            format!("Thread pool exhausted: {flavor}"),
            format!("Work was rejected because all threads were busy and the queue was full ({flavor})"),
        ),
        Kind::Deadlock => (format!("Deadlock: {flavor}"), format!("Transactions or threads deadlocked ({flavor})")),
        Kind::DiskFull => (format!("Disk full: {flavor}"), format!("Writes failed because the disk is full ({flavor})")),
        Kind::Dns => match &subject {
            Some(h) => (format!("DNS resolution failing for {h}"), format!("Host name resolution failed for {h} ({flavor})")),
            None => ("DNS resolution failures".to_string(), format!("Host name resolution failed ({flavor})")),
        },
        Kind::Tls => match &subject {
            Some(h) => (format!("TLS error with {h}: {flavor}"), format!("TLS connections to {h} failed ({flavor})")),
            None => (format!("TLS error: {flavor}"), format!("TLS connections failed ({flavor})")),
        },
        Kind::ConnRefused => match &subject {
            Some(h) => (
                format!("Connection refused by {h}"),
                format!("Connections to {h} were refused: nothing was listening there, or the service was down"),
            ),
            None => ("Connections refused".to_string(), "Connections were refused: the target service was down or not listening".to_string()),
        },
        Kind::Timeout => match &subject {
            Some(h) => (format!("Timeouts calling {h} ({flavor})"), format!("Calls to {h} timed out ({flavor})")),
            None => (format!("Timeouts ({flavor})"), format!("Calls timed out ({flavor})")),
        },
    };
    let title = format!("{title} — {}", plural(count, "event", "events"));
    let mut parts = vec![format!(
        "{what}: {}{when} (first at line {first_line}){}.",
        plural(count, "time", "times"),
        crate::suspects::first_sentence_clause(&suspects)
    )];
    if k == Kind::DbPool {
        let st: Vec<String> = ["total", "active", "idle", "waiting", "maxActive"]
            .iter()
            .filter_map(|n| stat(n).map(|v| format!("{n}={v}")))
            .collect();
        if !st.is_empty() {
            parts.push(format!("Pool state at worst: {}.", st.join(", ")));
        }
    }
    if k == Kind::ThreadPool {
        let st: Vec<String> = acc.stats.iter().map(|(n, v)| format!("{n} {v}")).collect();
        if !st.is_empty() {
            parts.push(format!("Pool state: {}.", st.join(", ")));
        }
    }
    if acc.details.len() > 1 {
        let mut d = acc.details.clone();
        d.sort_by_key(|x| std::cmp::Reverse(x.1));
        let ds: Vec<String> = d
            .iter()
            .take(5)
            .map(|(s, n)| format!("{} ({n})", a.redactor.redact(s)))
            .collect();
        parts.push(format!("Involved: {}.", ds.join(", ")));
    }
    if acc.flavors.len() > 1 {
        let fs: Vec<String> = acc
            .flavors
            .iter()
            .map(|(f, n)| format!("{f} ({n})"))
            .collect();
        parts.push(format!("Flavours: {}.", fs.join(", ")));
    }
    parts.push(precursor_sentence(pre));
    if let Some(r) = &root_exc {
        match &app_frame {
            Some(f) => parts.push(format!(
                "The usual stack trace ends in `{r}`, thrown through {f}."
            )),
            None => parts.push(format!("The usual stack trace ends in `{r}`.")),
        }
    }
    let mut severity = match k {
        Kind::Oom | Kind::DiskFull => Severity::Critical,
        Kind::FdExhaustion | Kind::DbPool => {
            if count >= 5 {
                Severity::Critical
            } else {
                Severity::High
            }
        }
        Kind::ThreadPool | Kind::Deadlock => Severity::High,
        Kind::Dns | Kind::Tls => {
            if count >= 3 {
                Severity::High
            } else {
                Severity::Medium
            }
        }
        Kind::ConnRefused => {
            if count >= 5 {
                Severity::High
            } else {
                Severity::Medium
            }
        }
        Kind::Timeout => {
            if count >= 20 {
                Severity::High
            } else {
                Severity::Medium
            }
        }
    };
    if let Some(r) = incident {
        let (class, reason) = classify(r, n_incidents);
        parts.push(format!(
            "It came with a {class} error burst from {} ({}): {reason}.",
            a.series.render(r.onset_ms),
            plural(r.errors, "error", "errors")
        ));
        if class == "systemic" && severity < Severity::High {
            severity = Severity::High;
        }
        // A timeout spike that recovered is worth a look, not a page.
        if class == "transient" && k == Kind::Timeout && severity > Severity::Medium {
            severity = Severity::Medium;
        }
    }
    // Root cause: the mechanism, what drove it, and where.
    let mut rc: Vec<String> = Vec::new();
    match k {
        Kind::DbPool => {
            if let (Some(t), Some(w)) = (stat("total").or(stat("maxActive")), stat("waiting")) {
                rc.push(format!("all {t} connections of {} were busy with {w} requests waiting", if subj.is_empty() { "the pool" } else { &subj }));
            } else {
                rc.push("requests needed connections faster than they were returned, so the pool ran dry".to_string());
            }
        }
        Kind::FdExhaustion => rc.push("descriptors (mostly sockets) were opened faster than they were closed, or leaked, until the limit was reached".to_string()),
        Kind::Oom if subject.is_some() && flavor.contains("kernel") => rc.push(format!("memory use exceeded the limit and the kernel killed {subj}")),
        Kind::ConnRefused if subject.is_some() => rc.push(format!("{subj} was not accepting connections")),
        _ => {}
    }
    if let Some(p) = pre.first() {
        rc.push(format!("after {}", p.describe()));
    }
    if let Some(r) = &root_exc {
        match &app_frame {
            Some(f) => rc.push(format!("root exception `{r}` at {f}")),
            None => rc.push(format!("root exception `{r}`")),
        }
    }
    let root_cause = if rc.is_empty() {
        None
    } else {
        Some(capitalise(&rc.join("; ")))
    };
    let adv = advice::for_kind(
        k.name(),
        &Ctx {
            flavor: flavor.to_string(),
            subject: subject.clone(),
            app_frame: app_frame.clone(),
            precursor: pre.first().map(|p| p.describe()),
            size: stat("total").or(stat("maxActive")).or(stat("All threads")),
        },
    );
    let phrases: Vec<&str> = acc
        .needles
        .iter()
        .filter_map(|&i| NEEDLES.get(i as usize).map(|n| n.text))
        .collect();
    let q = if phrases.is_empty() {
        query::phrases(&["Gateway Time-out", " 504 "])
    } else {
        query::phrases(&phrases)
    };
    let title_out = title.clone();
    out.push(
        k.name(),
        severity,
        title,
        sentence_join(&parts),
        root_cause.clone(),
        acc.ev.clone(),
        (first, last),
        adv,
        q,
        &acc.excerpts,
    );
    if let Some(f) = out.findings.last_mut() {
        f.suspects = suspects;
    }
    (title_out, root_cause)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn crash_finding(out: &mut Out<'_>) {
    let a = out.a;
    let Some((app, restarts, cause)) = a.crash.verdict() else {
        return;
    };
    let severity = if restarts >= 5 {
        Severity::Critical
    } else {
        Severity::High
    };
    let app_r = a.redactor.redact(&app).into_owned();
    let title = format!(
        "Crash loop: {app_r} restarted {}",
        plural(restarts, "time", "times")
    );
    let mut parts = vec![format!(
        "{app_r} kept restarting: {} detected, {} exits/failures{}.",
        plural(restarts, "restart", "restarts"),
        a.crash.exits,
        match (a.crash.span.first_rfc(), a.crash.span.last_rfc()) {
            (Some(f), Some(l)) => format!(" between {f} and {l}"),
            _ => String::new(),
        }
    )];
    if a.crash.explicit > 0 {
        parts.push(format!(
            "The supervisor reported the loop itself ({} back-off/restart messages{}).",
            a.crash.explicit,
            if a.crash.restart_counter > 0 {
                format!(", restart counter at {}", a.crash.restart_counter)
            } else {
                String::new()
            }
        ));
    }
    let root = cause.as_ref().map(|(t, n, l)| {
        let t = ellipsize(&a.redactor.redact(t), 240);
        parts.push(format!(
            "The last error before {} was `{t}` (first at line {l}).",
            plural(*n, "restart", "restarts")
        ));
        format!("Start-up fails with `{t}` ({} of the restarts)", n)
    });
    let mut ev = a.crash.ev.clone();
    if ev.lines.is_empty() {
        for l in a.crash.boot_lines() {
            ev.push(l);
        }
    }
    let adv = advice::for_kind(
        "crash_loop",
        &Ctx {
            subject: Some(app_r.clone()),
            ..Ctx::default()
        },
    );
    let q = query::phrases(&[
        "Application run failed",
        "APPLICATION FAILED TO START",
        "Back-off restarting failed container",
        "restart counter is at",
        "exited with code",
    ]);
    out.push(
        "crash_loop",
        severity,
        title,
        sentence_join(&parts),
        root,
        ev,
        span_of(&a.crash.span),
        adv,
        q,
        &a.crash.excerpts,
    );
}

fn exception_findings(out: &mut Out<'_>) {
    let a = out.a;
    let mut groups: Vec<&TraceGroup> = a.traces.groups.iter().filter(|g| g.kinds == 0).collect();
    let sev = |g: &TraceGroup| {
        if g.uncaught {
            Severity::High
        } else if g.max_level >= Some(Level::Error) {
            if g.count >= 100 {
                Severity::High
            } else {
                Severity::Medium
            }
        } else if g.max_level == Some(Level::Warn) || (g.max_level.is_none() && g.count >= 3) {
            Severity::Low
        } else {
            Severity::Info
        }
    };
    groups.sort_by(|x, y| sev(y).cmp(&sev(x)).then(y.count.cmp(&x.count)));
    for g in groups.into_iter().take(10) {
        let tr = &g.trace;
        let root = trace_root_text(a, g);
        let frame = tr
            .app_frame
            .as_ref()
            .map(|f| a.redactor.redact(f).into_owned());
        let rc = short_class(&tr.root().class).to_string();
        let title = match &frame {
            Some(f) => format!("{rc} at {} (×{})", ellipsize(f, 120), g.count),
            None => format!("{rc} (×{})", g.count),
        };
        let when = match (g.span.first_rfc(), g.span.last_rfc()) {
            (Some(f), Some(l)) if f != l => format!(" between {f} and {l}"),
            (Some(f), _) => format!(" at {f}"),
            _ => String::new(),
        };
        let what = if tr.lang == "bare" {
            "Exception without a stack trace".to_string()
        } else {
            format!("{} stack trace", capitalise(tr.lang))
        };
        let mut parts = vec![format!(
            "{what} ({}) seen {}{when}, lines {}–{}; highest level {}.",
            tr.classes(),
            plural(g.count, "time", "times"),
            g.ev.lines.first().copied().unwrap_or(0),
            g.last_line,
            level_name(g.max_level)
        )];
        if g.uncaught {
            parts.push("It was not caught: the process or request died with it.".to_string());
        }
        parts.push(format!("Root cause: `{root}`."));
        if let Some(f) = &frame {
            parts.push(format!("First application frame: {f}."));
        }
        let root_cause = Some(match &frame {
            Some(f) => format!("{root} at {f}"),
            None => root.clone(),
        });
        let adv = advice::for_kind(
            "exception",
            &Ctx {
                subject: Some(tr.root().class.clone()),
                app_frame: frame.clone(),
                ..Ctx::default()
            },
        );
        let q = query::phrases(&[tr.root().class.as_str()]);
        let ex: Vec<(u64, String)> = g.excerpt.iter().cloned().collect();
        out.push(
            "exception",
            sev(g),
            title,
            sentence_join(&parts),
            root_cause,
            g.ev.clone(),
            span_of(&g.span),
            adv,
            q,
            &ex,
        );
    }
}

fn ip_list(v: &[(String, u64, u64)]) -> String {
    v.iter()
        .take(10)
        .map(|(ip, n, _)| format!("{ip} ({n})"))
        .collect::<Vec<_>>()
        .join(", ")
}

const ATTACK_PATTERNS: [&str; 4] = [
    "(union.{0,40}select|%27|'\\s*or\\s|sleep\\(|benchmark\\(|information_schema)",
    "(%3cscript|<script|javascript:|onerror%3d|onerror=|alert\\()",
    "(\\.\\./|%2e%2e|/etc/passwd|win\\.ini)",
    "(\\$\\{jndi:|\\(\\)\\s*\\{|/bin/(ba)?sh|%3b|;\\s*(cat|id|wget|curl)|cmd\\.exe)",
];
const ATTACK_TERMS: [&[&str]; 4] = [
    &["UNION", "SELECT", "%27"],
    &["script", "onerror", "javascript"],
    &["../", "%2e%2e", "etc/passwd"],
    &["jndi", "/bin/sh", "cmd.exe"],
];
const ATTACK_NAMES: [&str; 4] = [
    "SQL injection",
    "Cross-site scripting (XSS)",
    "Path traversal",
    "Command injection",
];

fn security_findings(out: &mut Out<'_>) {
    let a = out.a;
    let s = &a.sec;
    let mut attack_ips: Vec<String> = Vec::new();
    for i in 0..4 {
        let acc = &s.attacks[i];
        if acc.ev.total == 0 {
            continue;
        }
        let ips = acc.top_ips(10);
        attack_ips.extend(ips.iter().map(|x| x.0.clone()));
        let n = acc.ev.total;
        let severity = match i {
            1 => {
                if n >= 10 || acc.ok > 0 && n >= 3 {
                    Severity::High
                } else {
                    Severity::Medium
                }
            }
            _ => {
                if n >= 3 || acc.ok > 0 {
                    Severity::High
                } else {
                    Severity::Medium
                }
            }
        };
        let title = format!(
            "{} attempts: {} from {}",
            ATTACK_NAMES[i],
            plural(n, "request", "requests"),
            plural(acc.ips.len() as u64, "client", "clients")
        );
        let samples: Vec<String> = acc
            .samples
            .iter()
            .map(|x| format!("`{}`", ellipsize(&a.redactor.redact(x), 120)))
            .collect();
        let mut parts = vec![format!(
            "{} carried {} payloads (decoded){}.",
            plural(n, "request", "requests"),
            ATTACK_NAMES[i].to_lowercase(),
            match (acc.span.first_rfc(), acc.span.last_rfc()) {
                (Some(f), Some(l)) if f != l => format!(" between {f} and {l}"),
                (Some(f), _) => format!(" at {f}"),
                _ => String::new(),
            }
        )];
        if !samples.is_empty() {
            parts.push(format!("Examples: {}.", samples.join(", ")));
        }
        parts.push(format!("Offending clients: {}.", ip_list(&ips)));
        if acc.ok > 0 {
            parts.push(format!(
                "{} answered 2xx: check whether they succeeded.",
                plural(acc.ok, "request was", "requests were")
            ));
        } else {
            parts.push("None was answered 2xx.".to_string());
        }
        let ip_strs: Vec<String> = ips.iter().map(|x| x.0.clone()).collect();
        let adv = advice::for_security(ATTACK_KINDS[i], &ip_strs, acc.ok > 0);
        let ip_refs: Vec<&str> = ip_strs.iter().map(String::as_str).collect();
        let q = query::clients(&ip_refs, Some(ATTACK_PATTERNS[i]), ATTACK_TERMS[i]);
        let root = Some(format!(
            "{} probing from {}",
            ATTACK_NAMES[i],
            ip_list(&ips)
        ));
        out.push(
            ATTACK_KINDS[i],
            severity,
            title,
            sentence_join(&parts),
            root,
            acc.ev.clone(),
            span_of(&acc.span),
            adv,
            q,
            &acc.excerpt_lines,
        );
    }

    // Scanners: tool user agents, and clients probing sensitive paths or collecting 404s.
    let mut behav: Vec<(&String, &crate::security::Client)> = s
        .clients
        .iter()
        .filter(|(_, c)| {
            c.probes.len() >= 3
                || (c.s404 >= 20 && c.paths404.len() >= 15 && c.s404 * 2 >= c.requests)
        })
        .collect();
    behav.sort_by(|x, y| y.1.requests.cmp(&x.1.requests).then(x.0.cmp(y.0)));
    if s.tools.ev.total > 0 || !behav.is_empty() {
        let mut ips: Vec<(String, u64, u64)> = s.tools.top_ips(10);
        for (ip, c) in &behav {
            if !ips.iter().any(|x| &x.0 == *ip) {
                ips.push(((*ip).clone(), c.requests, 0));
            }
        }
        ips.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
        ips.truncate(10);
        let mut lines: Vec<u64> = s.tools.ev.lines.clone();
        let mut total = s.tools.ev.total;
        for (_, c) in &behav {
            lines.extend(c.lines.iter().copied());
            total += c.requests;
        }
        lines.sort_unstable();
        lines.dedup();
        let mut ev = Evidence::default();
        ev.lines = lines.into_iter().take(Evidence::CAP).collect();
        ev.total = total.max(ev.lines.len() as u64);
        let overlap = ips.iter().any(|x| attack_ips.contains(&x.0));
        let severity = if overlap {
            Severity::High
        } else {
            Severity::Medium
        };
        let mut tools = s.tools.tools.clone();
        tools.sort_by_key(|x| std::cmp::Reverse(x.1));
        let mut parts = Vec::new();
        if !tools.is_empty() {
            let ts: Vec<String> = tools.iter().map(|(t, n)| format!("{t} ({n})")).collect();
            parts.push(format!(
                "Attack tools identified by user agent: {}.",
                ts.join(", ")
            ));
        }
        if !behav.is_empty() {
            let bs: Vec<String> = behav
                .iter()
                .take(5)
                .map(|(ip, c)| {
                    format!(
                        "{ip} ({} requests, {} not found, {} sensitive paths probed)",
                        c.requests,
                        c.s404,
                        c.probes.len()
                    )
                })
                .collect();
            parts.push(format!(
                "Clients probing for sensitive files or many missing paths: {}.",
                bs.join(", ")
            ));
        }
        if overlap {
            parts.push("Some of these clients also sent attack payloads.".to_string());
        }
        let mut span = Span::default();
        span.first = s.tools.span.first;
        span.last = s.tools.span.last;
        for (_, c) in &behav {
            if let Some(f) = &c.first {
                if span.first.as_ref().is_none_or(|x| f.0 < x.0) {
                    span.first = Some(*f);
                }
            }
            if let Some(l) = &c.last {
                if span.last.as_ref().is_none_or(|x| l.0 > x.0) {
                    span.last = Some(*l);
                }
            }
        }
        let title = format!(
            "Scanner activity from {}",
            plural(ips.len() as u64, "client", "clients")
        );
        let ip_strs: Vec<String> = ips.iter().map(|x| x.0.clone()).collect();
        let adv = advice::for_security("scanner", &ip_strs, false);
        let ip_refs: Vec<&str> = ip_strs.iter().map(String::as_str).collect();
        let q = query::clients(&ip_refs, None, &[]);
        let root = Some(format!("Automated scanning from {}", ip_list(&ips)));
        out.push(
            "scanner",
            severity,
            title,
            sentence_join(&parts),
            root,
            ev,
            span_of(&span),
            adv,
            q,
            &s.tools.excerpt_lines,
        );
    }

    // Failed logins.
    if s.auth_total > 0 {
        let mut per: Vec<(&String, &crate::security::AuthIp)> = s.auth.iter().collect();
        let addresses = per.len();
        let heavy = per.iter().any(|x| x.1.fails >= 10);
        let ssh = per.iter().any(|x| x.1.fails > x.1.http);
        let http = per.iter().any(|x| x.1.http > 0);
        // Only the ten addresses with the most failures are named: select them, then sort those (sorting every
        // address, up to 100,000, cost more than the rest of a brute-force log's analysis).
        let most_fails = |x: &(&String, &crate::security::AuthIp),
                          y: &(&String, &crate::security::AuthIp)| {
            y.1.fails.cmp(&x.1.fails).then(x.0.cmp(y.0))
        };
        if per.len() > 10 {
            per.select_nth_unstable_by(9, most_fails);
            per.truncate(10);
        }
        per.sort_by(most_fails);
        let max = per.first().map(|x| x.1.fails).unwrap_or(0);
        let distributed = s.auth_total >= 30 && addresses >= 5;
        let breached = !s.breaches.is_empty();
        if max >= 5 || distributed || breached {
            let severity = if breached {
                Severity::Critical
            } else if heavy || (distributed && s.auth_total >= 100) {
                Severity::High
            } else {
                Severity::Medium
            };
            let channel = match (ssh, http) {
                (true, true) => "SSH/application and HTTP 401/403",
                (false, true) => "HTTP 401/403",
                _ => "SSH/application",
            };
            let top: Vec<String> = per
                .iter()
                .take(10)
                .map(|(ip, x)| {
                    if x.users.is_empty() {
                        format!("{ip} ({})", x.fails)
                    } else {
                        format!("{ip} ({}; users {})", x.fails, x.users.join(", "))
                    }
                })
                .collect();
            let title = if breached {
                let b = &s.breaches[0];
                format!(
                    "Login succeeded after {} failures from {} (user {})",
                    b.3, b.1, b.2
                )
            } else {
                format!(
                    "Brute-force logins: {} from {}",
                    plural(s.auth_total, "failure", "failures"),
                    plural(addresses as u64, "address", "addresses")
                )
            };
            let mut parts = vec![format!(
                "{} failed logins ({channel}){}; most from {}.",
                s.auth_total,
                match (s.auth_span.first_rfc(), s.auth_span.last_rfc()) {
                    (Some(f), Some(l)) if f != l => format!(" between {f} and {l}"),
                    _ => String::new(),
                },
                top.join(", ")
            )];
            for b in s.breaches.iter().take(3) {
                parts.push(format!("A login for {} from {} succeeded at line {} after {} failures from that address.", b.2, b.1, b.0, b.3));
            }
            let mut ev = s.auth_ev.clone();
            for b in &s.breaches {
                if !ev.lines.contains(&b.0) {
                    if ev.lines.len() >= Evidence::CAP {
                        ev.lines.pop();
                    }
                    ev.lines.push(b.0);
                    ev.total += 1;
                }
            }
            ev.lines.sort_unstable();
            let ips: Vec<String> = per.iter().take(10).map(|x| x.0.to_string()).collect();
            let adv = advice::for_security("auth_failure_burst", &ips, breached);
            let ip_re: Vec<String> = ips.iter().map(|i| i.replace('.', "\\.")).collect();
            let q = Queries {
                logql: format!("{{job=~\".+\"}} |~ `(?i)(failed password|invalid user|authentication failure|login failed| 401 | 403 )` |~ `({})`", ip_re.join("|")),
                kql: format!(
                    "(message:(\"Failed password\" or \"Invalid user\" or \"authentication failure\") or http.response.status_code:(401 or 403)) and ({})",
                    ips.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(" or ")
                ),
                spl: format!(
                    "index=* (\"Failed password\" OR \"Invalid user\" OR \"authentication failure\" OR status=401 OR status=403) ({})",
                    ips.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(" OR ")
                ),
            };
            let root = Some(format!(
                "Password guessing from {}",
                top.iter().take(5).cloned().collect::<Vec<_>>().join(", ")
            ));
            out.push(
                "auth_failure_burst",
                severity,
                title,
                sentence_join(&parts),
                root,
                ev,
                span_of(&s.auth_span),
                adv,
                q,
                &s.auth_excerpts,
            );
        }
    }
}

fn label_name(label: &str) -> &'static str {
    match label {
        "aws-key" => "AWS access key IDs",
        "aws-secret" => "AWS secret access keys",
        "gcp-api-key" => "Google API keys",
        "github-token" => "GitHub tokens",
        "gitlab-token" => "GitLab tokens",
        "slack-token" => "Slack tokens",
        "slack-webhook" => "Slack webhook URLs",
        "discord-webhook" => "Discord webhook URLs",
        "teams-webhook" => "Microsoft Teams webhook URLs",
        "dingtalk-webhook" => "DingTalk robot tokens",
        "wecom-webhook" => "WeCom robot keys",
        "feishu-webhook" => "Feishu/Lark bot hooks",
        "telegram-token" => "Telegram bot tokens",
        "stripe-key" => "Stripe live secret keys",
        "stripe-test-key" => "Stripe test keys",
        "stripe-webhook-secret" => "Stripe webhook secrets",
        "anthropic-key" => "Anthropic API keys",
        "openai-key" => "OpenAI API keys",
        "groq-key" => "Groq API keys",
        "huggingface-token" => "Hugging Face tokens",
        "perplexity-key" => "Perplexity API keys",
        "xai-key" => "xAI API keys",
        "jwt" => "JSON Web Tokens",
        "npm-token" => "npm tokens",
        "pypi-token" => "PyPI tokens",
        "docker-token" => "Docker Hub tokens",
        "sendgrid-key" => "SendGrid API keys",
        "vault-token" => "HashiCorp Vault tokens",
        "alibaba-key" => "Alibaba Cloud AccessKey IDs",
        "tencent-key" => "Tencent Cloud SecretIds",
        "shopify-token" => "Shopify tokens",
        "square-token" => "Square tokens",
        "newrelic-key" => "New Relic keys",
        "password" => "passwords",
        "secret" => "secrets (key = value)",
        "token" => "tokens (key = value)",
        "api-key" => "API keys (key = value)",
        "access-key" => "access keys (key = value)",
        "azure-storage-key" => "Azure storage account keys",
        "private-key" => "private keys",
        "credential" => "credentials",
        "signature" => "URL signatures (SAS)",
        "bearer-token" => "bearer tokens",
        "basic-auth" => "HTTP Basic credentials",
        "authorization" => "Authorization header values",
        "email" => "e-mail addresses",
        "phone" => "phone numbers",
        "cn-id" => "China resident identity numbers",
        "card" => "payment card numbers",
        "high-entropy" => "random keys (high-entropy base64)",
        "oauth-code" => "OAuth authorization codes",
        "session" => "session ids",
        _ => "secrets",
    }
}

fn label_phrases(label: &str) -> Vec<&'static str> {
    match label {
        "aws-key" => vec!["AKIA", "ASIA"],
        "aws-secret" => vec!["aws_secret_access_key", "AWS_SECRET"],
        "gcp-api-key" => vec!["AIza"],
        "github-token" => vec!["ghp_", "gho_", "ghs_", "github_pat_"],
        "gitlab-token" => vec!["glpat-"],
        "slack-token" => vec!["xoxb-", "xoxp-", "xapp-"],
        "slack-webhook" => vec!["hooks.slack.com/services"],
        "discord-webhook" => vec!["/api/webhooks/"],
        "teams-webhook" => vec!["webhook.office.com"],
        "dingtalk-webhook" => vec!["oapi.dingtalk.com/robot/send"],
        "wecom-webhook" => vec!["qyapi.weixin.qq.com/cgi-bin/webhook"],
        "feishu-webhook" => vec!["open-apis/bot/v2/hook"],
        "telegram-token" => vec!["api.telegram.org/bot"],
        "stripe-key" | "stripe-test-key" => vec!["sk_live_", "rk_live_", "sk_test_"],
        "stripe-webhook-secret" => vec!["whsec_"],
        "openai-key" => vec!["sk-proj-", "sk-"],
        "anthropic-key" => vec!["sk-ant-"],
        "groq-key" => vec!["gsk_"],
        "huggingface-token" => vec!["hf_"],
        "perplexity-key" => vec!["pplx-"],
        "xai-key" => vec!["xai-"],
        "jwt" => vec!["eyJ"],
        "npm-token" => vec!["npm_"],
        "pypi-token" => vec!["pypi-"],
        "docker-token" => vec!["dckr_pat_"],
        "sendgrid-key" => vec!["SG."],
        "vault-token" => vec!["hvs.", "hvb."],
        "alibaba-key" => vec!["LTAI"],
        "tencent-key" => vec!["AKID"],
        "shopify-token" => vec!["shpat_", "shpss_"],
        "square-token" => vec!["sq0atp-", "sq0csp-"],
        "newrelic-key" => vec!["NRAK-"],
        "private-key" => vec!["PRIVATE KEY"],
        "password" => vec!["password", "passwd", "pwd="],
        "bearer-token" => vec!["Bearer "],
        "authorization" | "basic-auth" => vec!["Authorization"],
        "token" => vec!["token="],
        "secret" => vec!["secret"],
        "api-key" => vec!["api_key", "apikey", "api-key"],
        "access-key" => vec!["access_key", "accesskey"],
        "azure-storage-key" => vec!["AccountKey="],
        "credential" => vec!["credential"],
        "signature" => vec!["sig="],
        _ => vec!["secret", "token", "password"],
    }
}

fn label_regex(label: &str) -> Option<&'static str> {
    match label {
        "email" => Some("[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\\.[A-Za-z]{2,}"),
        "phone" => Some("(\\+?[0-9][0-9 ().-]{7,}[0-9]|1[3-9][0-9]{9})"),
        "card" => Some("[3-6][0-9]{3}[ -]?[0-9]{4}[ -]?[0-9]{4}[ -]?[0-9]{1,7}"),
        "cn-id" => Some("[1-9][0-9]{16}[0-9Xx]"),
        _ => None,
    }
}

fn exposure_findings(out: &mut Out<'_>) {
    let a = out.a;
    for acc in &a.exposures {
        let secret = acc.class == Class::Secret;
        let name = label_name(acc.label);
        let mask = if secret {
            format!("<secret:{}>", acc.label)
        } else {
            format!("<{}>", acc.label)
        };
        let title = if secret {
            format!("Secrets in the log: {name} ({})", acc.count)
        } else {
            format!("Personal data in the log: {name} ({})", acc.count)
        };
        let when = match (acc.span.first_rfc(), acc.span.last_rfc()) {
            (Some(f), Some(l)) if f != l => format!(" between {f} and {l}"),
            (Some(f), _) => format!(" at {f}"),
            _ => String::new(),
        };
        let mut parts = vec![format!(
            "{} {name} in {}{when}, first at line {}. They are shown here masked as `{mask}`; the log file itself holds them in full.",
            acc.count,
            plural(acc.ev.total, "event", "events"),
            acc.ev.lines.first().copied().unwrap_or(0)
        )];
        if secret {
            parts.push("Anyone who can read these logs (or their backups, or the log platform) can use them.".to_string());
        } else {
            parts.push("Logs holding personal data fall under data-protection rules (GDPR, PIPL, PCI DSS for card numbers).".to_string());
        }
        let root = acc.excerpts.first().map(|(l, t)| {
            format!(
                "The application writes {name} into its log, e.g. line {l}: {}",
                ellipsize(t, 200)
            )
        });
        let adv = advice::for_exposure(secret, acc.label);
        let q = match label_regex(acc.label) {
            Some(re) => Queries {
                logql: format!("{{job=~\".+\"}} |~ `{re}`"),
                kql: if acc.label == "email" {
                    "message:*@*".to_string()
                } else {
                    format!("message:/{re}/")
                },
                spl: format!("index=* | regex _raw=\"{re}\""),
            },
            None => query::phrases(&label_phrases(acc.label)),
        };
        let severity = acc.severity;
        out.push(
            if secret {
                "secret_exposure"
            } else {
                "pii_exposure"
            },
            severity,
            title,
            sentence_join(&parts),
            root,
            acc.ev.clone(),
            span_of(&acc.span),
            adv,
            q,
            &acc.excerpts,
        );
    }
}

fn trace_summaries(a: &Analyzer) -> Vec<TraceSummary> {
    let mut v: Vec<&TraceGroup> = a.traces.groups.iter().collect();
    v.sort_by(|x, y| {
        y.count
            .cmp(&x.count)
            .then(x.ev.lines.first().cmp(&y.ev.lines.first()))
    });
    v.into_iter()
        .take(100)
        .map(|g| TraceSummary {
            signature: a.redactor.redact(&g.trace.signature()).into_owned(),
            lang: g.trace.lang,
            classes: g.trace.chain.iter().map(|e| e.class.clone()).collect(),
            root_cause: trace_root_text(a, g),
            app_frame: g
                .trace
                .app_frame
                .as_ref()
                .map(|f| a.redactor.redact(f).into_owned()),
            count: g.count,
            first_line: g.ev.lines.first().copied().unwrap_or(0),
            last_line: g.last_line,
            first_seen: g.span.first_rfc(),
            last_seen: g.span.last_rfc(),
            uncaught: g.uncaught,
        })
        .collect()
}

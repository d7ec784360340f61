//! Suspects of a resource-exhaustion finding: the operation that most plausibly consumed the resource, and the
//! components and threads of the failing events.
//!
//! An operation is a template seen before the failure began. It is a candidate when its text names a way of
//! taking the resource ([`CONSUMERS`]: opening sockets for descriptors, queries for a connection pool, loading for
//! memory, …) or when its rate rose before the onset (a precursor). Candidates are ranked by events before the
//! failure, weighted up for naming the resource and for the rise. A template that runs once per event of another
//! (the same count before the failure) is reported as such: `1 per 'Sending SMS …'` is how a socket per message
//! shows in a log.

use crate::analyzer::{Analyzer, KindAcc};
use crate::burst::{Precursor, SHAPE_BIT};
use crate::kinds::Kind;
use crate::text::thousands;
use logsieve_engine::Suspect;
use std::collections::HashMap;

/// Per kind of exhaustion, words in a template that say it takes the resource (lowercase; matched at the start
/// of a word), and what one event of it is called in the finding.
const CONSUMERS: &[(Kind, &[&str], &str)] = &[
    (
        Kind::FdExhaustion,
        &[
            "open",
            "new connection",
            "connect",
            "socket",
            "new client",
            "creat",
            "accept",
            "file",
            "stream",
            "channel",
            "dial",
        ],
        "opens",
    ),
    (
        Kind::DbPool,
        &[
            "select",
            "update",
            "insert",
            "delete",
            "query",
            "transaction",
            "begin",
            "acquir",
            "borrow",
            "getconnection",
            "checkout",
            "statement",
            "sql",
            "repository",
            "dao",
        ],
        "queries",
    ),
    (
        Kind::ThreadPool,
        &[
            "submit", "execut", "task", "job", "request", "process", "handl", "schedul",
            "dispatch", "consum", "message",
        ],
        "tasks",
    ),
    (
        Kind::Oom,
        &[
            "load",
            "alloc",
            "cache",
            "buffer",
            "read",
            "batch",
            "export",
            "import",
            "report",
            "image",
            "upload",
            "download",
            "pars",
            "deserializ",
            "serializ",
            "fetch",
            "result",
            "rows",
            "records",
            "bytes",
            "size",
            "heap",
            "memory",
        ],
        "allocations",
    ),
    (
        Kind::DiskFull,
        &[
            "writ",
            "dump",
            "export",
            "upload",
            "temp",
            "spill",
            "backup",
            "archiv",
            "rotat",
            "flush",
            "snapshot",
            "sav",
            "stor",
            "compact",
            "checkpoint",
        ],
        "writes",
    ),
];

/// At most this many template suspects, and as many components and threads.
const MAX_TEMPLATES: usize = 3;
const MAX_NAMES: usize = 2;

/// Whether `text` has a word starting with one of `words` (ASCII case-insensitive).
fn names_one_of(text: &str, words: &[&str]) -> bool {
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    words.iter().any(|w| {
        lower
            .match_indices(w)
            .any(|(i, _)| i == 0 || !b[i - 1].is_ascii_alphabetic())
    })
}

/// The suspects of failure `k` (its events in `acc`, begun at `onset_ms`), given the file's precursors of it.
/// `text_of` gives a template's display text (redacted).
pub(crate) fn suspects(
    a: &Analyzer,
    k: Kind,
    acc: &KindAcc,
    onset_ms: Option<i64>,
    pre: &[Precursor],
    text_of: &dyn Fn(u32) -> String,
) -> Vec<Suspect> {
    let Some(&(_, words, unit)) = CONSUMERS.iter().find(|c| c.0 == k) else {
        return Vec::new();
    };
    let first_failure_line = acc.ev.lines.first().copied().unwrap_or(u64::MAX);
    // Events per template before the failure: from the time series when the log has times, else every event of
    // a template first seen before the first failing line.
    let before: HashMap<u32, u64> = match onset_ms {
        Some(ms) => a.series.counts_before(ms).into_iter().collect(),
        None => a
            .series
            .infos()
            .filter(|(_, t)| t.first_line < first_failure_line)
            .map(|(key, t)| (key, t.count))
            .collect(),
    };
    let mut candidates: Vec<(f64, u32, u64, String, Option<&Precursor>)> = Vec::new();
    for (&key, &n) in &before {
        let Some(info) = a.series.info(key) else {
            continue;
        };
        // The failures themselves, and templates that are mostly errors, consumed nothing.
        if n == 0 || info.errors * 2 > info.count || key & SHAPE_BIT != 0 && info.example.is_none()
        {
            continue;
        }
        let text = text_of(key);
        let rose = pre.iter().find(|p| p.template == text);
        let named = names_one_of(&text, words);
        if !named && rose.is_none() {
            continue;
        }
        let mut score = n as f64;
        if named {
            score *= 10.0;
        }
        if let Some(p) = rose {
            score *= p.factor.clamp(1.0, 100.0);
        }
        candidates.push((score, key, n, text, rose));
    }
    candidates.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(&y.1)));
    let mut out: Vec<Suspect> = Vec::new();
    for (_, key, n, text, rose) in candidates {
        if out.len() == MAX_TEMPLATES {
            break;
        }
        let named = names_one_of(&text, words);
        // A line that runs with a suspect already named (its parameters or result) adds nothing.
        if out.iter().any(|s| s.count.abs_diff(n) * 50 <= n) {
            continue;
        }
        let unit = if named { unit } else { "events" };
        let mut detail = vec![format!("{} {unit} before the failure", thousands(n))];
        if let Some(pacer) = paced_by(a, &before, key, n, text_of) {
            detail.push(format!("1 per '{pacer}'"));
        }
        if let Some(p) = rose {
            detail.push(p.change());
        }
        let lines = a
            .series
            .info(key)
            .map(|i| {
                i.sample_lines
                    .iter()
                    .copied()
                    .filter(|l| *l < first_failure_line)
                    .collect()
            })
            .unwrap_or_default();
        out.push(Suspect {
            kind: "template".into(),
            name: text,
            count: n,
            detail: detail.join(", "),
            lines,
        });
    }
    let mut names: Vec<&(String, u64)> = acc.components.iter().collect();
    names.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    for (name, n) in names.into_iter().take(MAX_NAMES) {
        out.push(Suspect {
            kind: "component".into(),
            name: a.redactor.redact(name).into_owned(),
            count: *n,
            detail: format!(
                "in {} of the {} failing events",
                thousands(*n),
                thousands(acc.count)
            ),
            // The failing events are the finding's evidence; which of them name this component is not kept.
            lines: Vec::new(),
        });
    }
    out
}

/// Another template with the same number of events before the failure (within 2 %, at least 10) that first
/// appeared before this one: the one this runs once for (the message that opens a socket, not the socket's own
/// result line).
fn paced_by(
    a: &Analyzer,
    before: &HashMap<u32, u64>,
    key: u32,
    n: u64,
    text_of: &dyn Fn(u32) -> String,
) -> Option<String> {
    let first = |k: u32| a.series.info(k).map_or(u64::MAX, |i| i.first_line);
    if n < 10 {
        return None;
    }
    before
        .iter()
        .filter(|(k, m)| **k != key && m.abs_diff(n) * 50 <= n && first(**k) < first(key))
        .min_by_key(|(k, m)| (m.abs_diff(n), **k))
        .map(|(k, _)| text_of(*k))
}

/// The clause that names the top suspect in a finding's first sentence: `, probably through 'X' (…)`.
pub(crate) fn first_sentence_clause(suspects: &[Suspect]) -> String {
    match suspects.iter().find(|s| s.kind == "template") {
        Some(s) => format!(", probably through '{}' ({})", s.name, s.detail),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_and_numbers() {
        assert!(names_one_of("Opening new connection to <*>", &["open"]));
        assert!(!names_one_of("reopened", &["open"]));
        assert!(!names_one_of("GET /api/orders 200", &["open", "connect"]));
        assert_eq!(thousands(1812), "1,812");
        assert_eq!(thousands(100), "100");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }
}

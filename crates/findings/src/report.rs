//! The Markdown incident report of `logsieve analyze`: summary, error type, root cause analysis, key lines, hotfix
//! vs long-term, next checks, queries.
//!
//! Everything quoted from the log is already redacted (findings and excerpts come from the analyzer, which runs
//! the redactor on any log text it keeps).

use logsieve_engine::{Finding, Severity, Stats};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// How many findings get a full section (all are listed in the table).
const DETAILED: usize = 12;

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn code_span(s: &str) -> String {
    if s.contains('`') {
        format!("`` {} ``", s)
    } else {
        format!("`{s}`")
    }
}

fn fence(s: &str) -> &'static str {
    if s.contains("```") {
        "~~~~"
    } else {
        "```"
    }
}

fn sev_upper(s: Severity) -> String {
    s.as_str().to_ascii_uppercase()
}

/// The report for `findings` (sorted as the analyzer returns them) over a file with `stats`; `excerpts` maps
/// evidence line numbers to their (redacted) text.
pub fn markdown(stats: &Stats, findings: &[Finding], excerpts: &BTreeMap<u64, String>) -> String {
    let mut o = String::with_capacity(8192);
    let _ = writeln!(o, "# logsieve incident report\n");

    // Summary.
    let _ = writeln!(o, "## Summary\n");
    let range = match (&stats.first_ts, &stats.last_ts) {
        (Some(f), Some(l)) => format!(", from {f} to {l}"),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "- **Input:** {} events in {} lines, format `{}`{range}.",
        stats.events, stats.lines, stats.file_format
    );
    if !stats.levels.is_empty() {
        let mut lv: Vec<String> = Vec::new();
        for name in ["FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "NONE"] {
            if let Some(n) = stats.levels.get(name) {
                lv.push(format!("{name} {n}"));
            }
        }
        let _ = writeln!(o, "- **Levels:** {}.", lv.join(", "));
    }
    let mut counts: BTreeMap<Severity, usize> = BTreeMap::new();
    for f in findings {
        *counts.entry(f.severity).or_insert(0) += 1;
    }
    if findings.is_empty() {
        let _ = writeln!(o, "- **Findings:** none. Nothing in this log points to a failure, an attack or exposed secrets.");
        return o;
    }
    let cs: Vec<String> = counts
        .iter()
        .rev()
        .map(|(s, n)| format!("{n} {}", s.as_str()))
        .collect();
    let _ = writeln!(o, "- **Findings:** {} ({}).", findings.len(), cs.join(", "));
    let head = &findings[0];
    let _ = writeln!(
        o,
        "- **Most severe:** [{}] {} — {}",
        sev_upper(head.severity),
        head.title,
        head.summary
    );
    if let Some(rc) = &head.root_cause {
        let _ = writeln!(o, "- **Likely root cause:** {rc}");
    }
    o.push('\n');

    // Error type.
    let _ = writeln!(o, "## Error type\n");
    let _ = writeln!(
        o,
        "| # | Severity | Kind | Finding | Events | First seen | Last seen |"
    );
    let _ = writeln!(o, "|---|---|---|---|---|---|---|");
    for (i, f) in findings.iter().enumerate() {
        let _ = writeln!(
            o,
            "| {} | {} | `{}` | {} | {} | {} | {} |",
            i + 1,
            f.severity.as_str(),
            f.kind,
            cell(&f.title),
            f.evidence.total,
            f.first_seen.as_deref().unwrap_or("–"),
            f.last_seen.as_deref().unwrap_or("–")
        );
    }
    o.push('\n');
    let shown: Vec<(usize, &Finding)> = findings.iter().enumerate().take(DETAILED).collect();

    // Root cause analysis.
    let _ = writeln!(o, "## Root cause analysis\n");
    for (i, f) in &shown {
        let _ = writeln!(
            o,
            "### {}. [{}] {}\n",
            i + 1,
            sev_upper(f.severity),
            f.title
        );
        let _ = writeln!(o, "{}\n", f.summary);
        if let Some(rc) = &f.root_cause {
            let _ = writeln!(o, "**Root cause:** {rc}\n");
        }
        if !f.suspects.is_empty() {
            let _ = writeln!(o, "**Suspects**, most likely first:\n");
            for s in &f.suspects {
                let at = match s.lines.as_slice() {
                    [] => String::new(),
                    ls => format!(
                        " (lines {})",
                        ls.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
                    ),
                };
                let _ = writeln!(
                    o,
                    "- {} `{}`: {}{at}",
                    s.kind,
                    s.name.replace('`', "'"),
                    s.detail
                );
            }
            o.push('\n');
        }
        let lines: Vec<String> = f.evidence.lines.iter().map(|l| l.to_string()).collect();
        if !lines.is_empty() {
            let more = if f.evidence.total > f.evidence.lines.len() as u64 {
                format!(" ({} in all)", f.evidence.total)
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "**Evidence:** line{} {}{more}\n",
                if lines.len() > 1 { "s" } else { "" },
                lines.join(", ")
            );
        }
    }

    // Key lines.
    let _ = writeln!(o, "## Key lines\n");
    let mut any = false;
    for (i, f) in &shown {
        let quoted: Vec<(u64, &String)> = f
            .evidence
            .lines
            .iter()
            .filter_map(|l| excerpts.get(l).map(|t| (*l, t)))
            .take(3)
            .collect();
        if quoted.is_empty() {
            continue;
        }
        any = true;
        let body: String = quoted
            .iter()
            .map(|(l, t)| format!("{l:>7}  {t}\n"))
            .collect();
        let fc = fence(&body);
        let _ = writeln!(o, "**{}. {}**\n\n{fc}text\n{body}{fc}\n", i + 1, f.title);
    }
    if !any {
        let _ = writeln!(o, "_No excerpts kept._\n");
    }

    // Hotfix vs long-term.
    let _ = writeln!(o, "## Hotfix vs long-term\n");
    for (i, f) in &shown {
        if f.hotfix.is_empty() && f.long_term.is_empty() {
            continue;
        }
        let _ = writeln!(o, "### {}. {}\n", i + 1, f.title);
        if !f.hotfix.is_empty() {
            let _ = writeln!(o, "**Hotfix (now):**\n");
            for h in &f.hotfix {
                let _ = writeln!(o, "- {h}");
            }
            o.push('\n');
        }
        if !f.long_term.is_empty() {
            let _ = writeln!(o, "**Long-term:**\n");
            for h in &f.long_term {
                let _ = writeln!(o, "- {h}");
            }
            o.push('\n');
        }
    }

    // Next checks.
    let _ = writeln!(o, "## Next checks\n");
    let mut seen: Vec<&str> = Vec::new();
    for (i, f) in &shown {
        let cmds: Vec<&str> = f
            .commands
            .iter()
            .map(String::as_str)
            .filter(|c| !seen.contains(c))
            .collect();
        if cmds.is_empty() {
            continue;
        }
        seen.extend(cmds.iter());
        let body: String = cmds.iter().map(|c| format!("{c}\n")).collect();
        let fc = fence(&body);
        let _ = writeln!(o, "**{}. {}**\n\n{fc}sh\n{body}{fc}\n", i + 1, f.title);
    }

    // Queries.
    let _ = writeln!(o, "## Queries\n");
    for (i, f) in &shown {
        let q = &f.queries;
        if q.logql.is_empty() && q.kql.is_empty() && q.spl.is_empty() {
            continue;
        }
        let _ = writeln!(o, "**{}. {}**\n", i + 1, f.title);
        if !q.logql.is_empty() {
            let _ = writeln!(o, "- LogQL (Loki): {}", code_span(&q.logql));
        }
        if !q.kql.is_empty() {
            let _ = writeln!(o, "- KQL (Kibana): {}", code_span(&q.kql));
        }
        if !q.spl.is_empty() {
            let _ = writeln!(o, "- SPL (Splunk): {}", code_span(&q.spl));
        }
        o.push('\n');
    }
    if findings.len() > DETAILED {
        let _ = writeln!(
            o,
            "_{} more findings are listed in the table above; `--json` has them all._",
            findings.len() - DETAILED
        );
    }
    o
}

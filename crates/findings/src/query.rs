//! Queries that find the same events again: LogQL (Grafana Loki), KQL (Kibana) and SPL (Splunk).
//!
//! The stream selector of LogQL is written `{job=~".+"}` (any stream): replace it with the service's labels.
//! Phrases are matched case-insensitively where the language allows it.

use logsieve_engine::Queries;

fn logql_regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if "\\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// Queries for events containing any of `phrases`.
pub fn phrases(phrases: &[&str]) -> Queries {
    let mut ps: Vec<&str> = Vec::new();
    for p in phrases {
        let p = p.trim();
        if !p.is_empty() && !ps.iter().any(|x| x.eq_ignore_ascii_case(p)) {
            ps.push(p);
        }
    }
    ps.truncate(6);
    if ps.is_empty() {
        return Queries::default();
    }
    let re: Vec<String> = ps.iter().map(|p| logql_regex_escape(p)).collect();
    // Backquotes keep the regex free of string escaping.
    let logql = format!("{{job=~\".+\"}} |~ `(?i)({})`", re.join("|"));
    let kql = if ps.len() == 1 {
        format!("message:{}", quote(ps[0]))
    } else {
        format!(
            "message:({})",
            ps.iter().map(|p| quote(p)).collect::<Vec<_>>().join(" or ")
        )
    };
    let spl = format!(
        "index=* ({})",
        ps.iter().map(|p| quote(p)).collect::<Vec<_>>().join(" OR ")
    );
    Queries { logql, kql, spl }
}

/// Queries for access-log requests from `ips` (and, when given, matching a LogQL regex `pattern` and KQL/SPL
/// terms `terms`).
pub fn clients(ips: &[&str], pattern: Option<&str>, terms: &[&str]) -> Queries {
    let ips: Vec<&str> = ips.iter().copied().take(10).collect();
    let ip_re: Vec<String> = ips.iter().map(|i| logql_regex_escape(i)).collect();
    let mut logql = String::from("{job=~\".+\"}");
    if !ips.is_empty() {
        logql.push_str(&format!(" |~ `^({}) `", ip_re.join("|")));
    }
    if let Some(p) = pattern {
        logql.push_str(&format!(" |~ `(?i){p}`"));
    }
    let mut kql_parts = Vec::new();
    if !ips.is_empty() {
        kql_parts.push(format!(
            "source.ip:({})",
            ips.iter()
                .map(|i| quote(i))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    if !terms.is_empty() {
        kql_parts.push(format!(
            "({})",
            terms
                .iter()
                .map(|t| format!("url.original:*{}*", t.replace(' ', "?")))
                .collect::<Vec<_>>()
                .join(" or ")
        ));
    }
    let kql = kql_parts.join(" and ");
    let mut spl = String::from("index=* sourcetype=access_combined");
    if !ips.is_empty() {
        spl.push_str(&format!(
            " clientip IN ({})",
            ips.iter().map(|i| quote(i)).collect::<Vec<_>>().join(", ")
        ));
    }
    if !terms.is_empty() {
        spl.push_str(&format!(
            " ({})",
            terms
                .iter()
                .map(|t| format!("uri=*{}*", t.replace(' ', "*")))
                .collect::<Vec<_>>()
                .join(" OR ")
        ));
    }
    Queries { logql, kql, spl }
}

/// Queries for events of one level in a time window (error bursts).
pub fn level_window(level: &str, from: &str, to: &str) -> Queries {
    Queries {
        logql: format!("sum by (level) (count_over_time({{job=~\".+\"}} |~ `(?i){level}` [1m]))  # {from} .. {to}"),
        kql: format!("log.level:{level} and @timestamp >= \"{from}\" and @timestamp <= \"{to}\""),
        spl: format!("index=* {level} earliest=\"{from}\" latest=\"{to}\" | timechart span=1m count"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_queries() {
        let q = phrases(&["Too many open files", "EMFILE"]);
        assert_eq!(
            q.logql,
            "{job=~\".+\"} |~ `(?i)(Too many open files|EMFILE)`"
        );
        assert_eq!(q.kql, "message:(\"Too many open files\" or \"EMFILE\")");
        assert_eq!(q.spl, "index=* (\"Too many open files\" OR \"EMFILE\")");
    }
}

//! Targets of the findings and charts crates: the analyzer with every detector (and its Markdown report), the
//! redactor, line redactor, template redaction and pseudonymizer, and the chart series with their SVG drawing.

use crate::{is_slice, options, Params};
use logsieve_charts::{svg, SeriesBuilder, Theme};
use logsieve_engine::pipeline::parse_all;
use logsieve_engine::template::TemplateMiner;
use logsieve_findings::{Pseudonymizer, Redactor};
use std::sync::OnceLock;

/// One redactor for the whole process: building one compiles an automaton and regexes.
fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

/// Parses, mines templates and runs the analyzer over the events as `logsieve analyze` does; the analysis
/// serializes and its Markdown report is written.
pub fn analyzer(data: &[u8]) {
    let analysis = crate::llm::analyse(data);
    serde_json::to_string(&analysis.analysis).expect("analysis serializes");
    let md = analysis.analysis.markdown(&analysis.stats);
    assert!(!md.is_empty());
    for f in &analysis.analysis.findings {
        assert!(
            logsieve_findings::KINDS.contains(&f.kind.as_str()),
            "unknown finding kind {}",
            f.kind
        );
    }
}

/// The redactor on the input's text: hits are ordered, disjoint and on character boundaries; redaction keeps the
/// lines and is idempotent; the line redactor keeps one line per line; a template's `<*>` stay; the pseudonymizer
/// keeps the lines and leaves nothing to replace in its own output.
pub fn redact(data: &[u8]) {
    let r = redactor();
    let text = String::from_utf8_lossy(data);
    let lines = text.split('\n').count();

    let hits = r.find(&text);
    let mut end = 0;
    for h in &hits {
        assert!(h.start >= end, "hits overlap or are out of order: {hits:?}");
        assert!(
            h.start < h.end && is_slice(&text, h.start, h.end),
            "bad hit {h:?}"
        );
        end = h.end;
    }

    let red = r.redact(&text);
    assert_eq!(
        red.split('\n').count(),
        lines,
        "redaction changed the number of lines"
    );
    let again = r.redact(&red);
    assert_eq!(again, red, "redaction is not idempotent");

    let mut lr = r.lines();
    for line in text.split('\n') {
        let out = lr.line(line);
        assert!(!out.contains('\n'), "the line redactor split a line");
    }

    let t = r.redact_template(&text);
    assert_eq!(
        t.matches("<*>").count(),
        text.matches("<*>").count(),
        "template redaction lost or added a variable"
    );
    let _ = r.excerpt(&text);

    let mut p = Pseudonymizer::new();
    let once = p.apply(&text);
    assert_eq!(
        once.split('\n').count(),
        lines,
        "pseudonymizing changed the number of lines"
    );
    let twice = p.apply(&once);
    assert_eq!(twice, once, "pseudonymizing is not idempotent");
    for word in text.split_whitespace().take(16) {
        let _ = p.ip(word);
        let _ = p.host(word);
    }
}

/// The chart series over the events (optionally in a time range from the flags): finished series serialize, every
/// chart that applies draws as SVG in both themes.
pub fn charts(data: &[u8]) {
    let p = Params::new(data);
    let mut miner = TemplateMiner::new();
    let mut series = if p.flags() & 0x08 != 0 {
        let b = |i: usize| p.bytes().get(i).copied().unwrap_or(0) as i64;
        let start = 1_700_000_000_000 + b(0) * 86_400_000;
        SeriesBuilder::with_time_range(start, start + (b(1) + 1) * 3_600_000)
    } else {
        SeriesBuilder::new()
    };
    let _ = parse_all(p.body, options(), |ev| {
        let id = miner.observe_event(ev).0;
        series.observe(ev, Some(id));
    });
    let map = miner.finish();
    let snap = series.snapshot(Some(&map), None);
    let s = series.finish(Some(&map), None);
    assert_eq!(
        snap.to_json_pretty(),
        s.to_json_pretty(),
        "snapshot differs from finish"
    );
    let _: serde_json::Value =
        serde_json::from_str(&s.to_json_pretty()).expect("series JSON parses");
    for kind in s.charts() {
        let _ = s.chart_json(kind);
        for theme in [Theme::Light, Theme::Dark] {
            let _ = svg::render(kind, &s, theme).expect("chart draws");
        }
    }
}

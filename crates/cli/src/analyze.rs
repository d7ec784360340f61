//! `logsieve analyze`: one pass that parses, mines templates, looks for findings and builds the chart series;
//! then a Markdown incident report (or `--json`: `{ stats, templates, findings }`), and with `--charts DIR` the
//! charts as SVG files plus their series as JSON. Kubernetes manifests and kubectl output in the input are
//! audited too, their findings in the same list.

use crate::input::drive;
use crate::templates::template_json;
use crate::{finish_with, Invocation};
use logsieve_charts::{GeoDb, SeriesBuilder};
use logsieve_engine::template::{Template, TemplateId, TemplateMap, TemplateMiner};
use logsieve_engine::{EngineError, Finding, Stats};
use logsieve_findings::{Analysis, Analyzer, Redactor};
use std::io::Read;
use std::path::Path;
use std::process::ExitCode;

/// What `analyze` prints and writes.
#[derive(Default)]
pub struct AnalyzeOptions {
    pub json: bool,
    pub charts: Option<String>,
    pub geo: Option<String>,
}

/// How much of the input is looked at to tell Kubernetes input from a log.
const K8S_SNIFF_BYTES: u64 = 256 << 10;

pub fn run(inv: Invocation, opts: &AnalyzeOptions) -> Result<ExitCode, String> {
    let geo = match &opts.geo {
        Some(path) => Some(
            GeoDb::open(Path::new(path))
                .map_err(|e| format!("{path}: not a logsieve geo database ({e})"))?,
        ),
        None => None,
    };

    let mut series = SeriesBuilder::new();
    let Analysed {
        stats,
        analysis,
        map,
        error,
    } = analyse(&inv, Some(&mut series))?;

    if let Some(dir) = &opts.charts {
        let s = series.finish(Some(&map), geo.as_ref());
        std::fs::create_dir_all(dir).map_err(|e| format!("{dir}: {e}"))?;
        logsieve_charts::svg::write_all(Path::new(dir), &s).map_err(|e| format!("{dir}: {e}"))?;
    }

    if opts.json {
        let mut templates: Vec<_> = map.templates.iter().collect();
        templates.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.0.cmp(&b.id.0)));
        let total = stats.events.max(1) as f64;
        // Templates quote log text (the template, its example, variable samples): a report shows it redacted.
        let redactor = Redactor::new();
        let templates: Vec<serde_json::Value> = templates
            .iter()
            .map(|t| {
                let t = redact_template(t, &redactor);
                let mut v = template_json(&t, t.count as f64 / total);
                redact_strings(&mut v, &redactor);
                v
            })
            .collect();
        let out = serde_json::json!({
            "stats": stats,
            "templates": templates,
            "findings": analysis.findings,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
        );
    } else {
        print!("{}", analysis.markdown(&stats));
    }
    finish_with(error)
}

/// What one pass of the analysis gives: `analyze` reports it, `ask` digests it.
pub struct Analysed {
    pub stats: Stats,
    pub analysis: Analysis,
    pub map: TemplateMap,
    pub error: Option<EngineError>,
}

/// Parses, mines templates and looks for findings in one pass (feeding `series` too when given), then audits
/// Kubernetes input; the findings of both sources sorted most severe first, then by first evidence line.
pub fn analyse(
    inv: &Invocation,
    mut series: Option<&mut SeriesBuilder>,
) -> Result<Analysed, String> {
    let mut miner = TemplateMiner::new();
    let mut analyzer = Analyzer::new();
    let (stats, error) = drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        let id = miner.observe_event(ev).0;
        analyzer.observe(ev, Some(id));
        if let Some(series) = series.as_deref_mut() {
            series.observe(ev, Some(id));
        }
    })?;
    let map = miner.finish();
    let template_text = |id: u32| map.get(TemplateId(id)).map(|t| t.template.clone());
    let mut analysis = analyzer.finish_analysis(&template_text);
    let k8s = k8s_findings(inv)?;
    if !k8s.is_empty() {
        analysis.findings.extend(k8s);
        // Most severe first across both sources, then by first evidence line (stable).
        analysis.findings.sort_by(|a, b| {
            b.severity
                .cmp(&a.severity)
                .then(first_line(a).cmp(&first_line(b)))
        });
    }
    Ok(Analysed {
        stats,
        analysis,
        map,
        error,
    })
}

/// A template with its variable samples masked where they are secrets or personal data. A sample alone may not
/// be recognisable (a bare token after `Bearer `), so each is judged in its place: put back into the template
/// and redacted there.
fn redact_template(t: &Template, redactor: &Redactor) -> Template {
    let mut t = t.clone();
    let pieces: Vec<&str> = t.template.split("<*>").collect();
    for var in &mut t.variables {
        let i = var.index as usize;
        if i + 1 >= pieces.len() {
            continue;
        }
        for sample in &mut var.samples {
            let before = pieces[..=i].join("<*>");
            let line = format!("{before}{sample}{}", pieces[i + 1..].join("<*>"));
            let (start, end) = (before.len(), before.len() + sample.len());
            if let Some(hit) = redactor
                .find(&line)
                .into_iter()
                .find(|h| h.start < end && h.end > start)
            {
                *sample = hit.mask();
            }
        }
    }
    t.template = redactor.redact_template(&t.template).into_owned();
    t
}

/// Masks secrets and personal data in every string of a JSON value.
fn redact_strings(v: &mut serde_json::Value, redactor: &Redactor) {
    match v {
        serde_json::Value::String(s) => {
            if let std::borrow::Cow::Owned(red) = redactor.redact(s) {
                *s = red;
            }
        }
        serde_json::Value::Array(items) => {
            items.iter_mut().for_each(|i| redact_strings(i, redactor))
        }
        serde_json::Value::Object(map) => {
            map.values_mut().for_each(|i| redact_strings(i, redactor))
        }
        _ => {}
    }
}

fn first_line(f: &Finding) -> u64 {
    f.evidence.lines.first().copied().unwrap_or(u64::MAX)
}

/// Kubernetes findings when the input is manifests or kubectl output (detected from its beginning).
fn k8s_findings(inv: &Invocation) -> Result<Vec<Finding>, String> {
    let mut head = Vec::new();
    inv.source
        .reader()?
        .take(K8S_SNIFF_BYTES)
        .read_to_end(&mut head)
        .map_err(|e| format!("read error: {e}"))?;
    // gzip or binary input is no manifest; a lossy look is enough to decide.
    if logsieve_k8s::detect(&String::from_utf8_lossy(&head)).is_none() {
        return Ok(Vec::new());
    }
    let text = crate::k8s_fix::read_text(inv)?;
    Ok(logsieve_k8s::audit(&text)
        .map(|a| a.findings)
        .unwrap_or_default())
}

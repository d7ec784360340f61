//! `logsieve templates`: the templates as JSON, most frequent first.

use crate::input::drive;
use crate::{finish_with, Invocation};
use logsieve_engine::template::{Template, TemplateMiner};
use logsieve_engine::Timestamp;
use serde_json::{json, Value};
use std::process::ExitCode;

pub fn run(inv: Invocation) -> Result<ExitCode, String> {
    let mut miner = TemplateMiner::new();
    let (stats, error) = drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        miner.observe_event(ev);
    })?;
    let map = miner.finish();
    let mut templates: Vec<&Template> = map.templates.iter().collect();
    templates.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.0.cmp(&b.id.0)));
    let total = stats.events.max(1) as f64;
    let rows: Vec<Value> = templates
        .iter()
        .map(|t| template_json(t, t.count as f64 / total))
        .collect();
    println!(
        "{}",
        serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?
    );
    finish_with(error)
}

/// A template as the CLI prints it: times as RFC 3339, the share of all events.
pub fn template_json(t: &Template, share: f64) -> Value {
    let time = |ms: Option<i64>| {
        ms.map(|ms| {
            let mut t = Timestamp::from_unix(
                ms.div_euclid(1000),
                (ms.rem_euclid(1000) * 1_000_000) as u32,
                3,
            );
            // The miner keeps times as milliseconds in which a local time of unknown zone counts as UTC: say
            // no zone rather than claim UTC.
            t.offset_minutes = None;
            t.to_rfc3339()
        })
    };
    json!({
        "id": t.id.0,
        "template": t.template,
        "count": t.count,
        "share": (share * 1e4).round() / 1e4,
        "levels": t.levels,
        "first_ts": time(t.first_ts),
        "last_ts": time(t.last_ts),
        "example": t.example,
        "variables": t.variables,
    })
}

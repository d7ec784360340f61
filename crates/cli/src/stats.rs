//! `logsieve stats`: counts, formats, levels, time range, templates and speed as JSON.

use crate::input::drive;
use crate::{finish_with, Invocation};
use logsieve_engine::template::TemplateMiner;
use std::process::ExitCode;
use std::time::Instant;

pub fn run(inv: Invocation) -> Result<ExitCode, String> {
    let start = Instant::now();
    let mut miner = TemplateMiner::new();
    let (stats, error) = drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        miner.observe_event(ev);
    })?;
    let templates = miner.finish().templates.len();
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let mut v = serde_json::to_value(&stats).map_err(|e| e.to_string())?;
    if let Some(o) = v.as_object_mut() {
        o.insert("templates".into(), templates.into());
        o.insert("elapsed_ms".into(), (secs * 1000.0).round().into());
        o.insert(
            "mb_per_s".into(),
            round2(stats.bytes_in as f64 / 1e6 / secs).into(),
        );
        o.insert(
            "lines_per_s".into(),
            (stats.lines as f64 / secs).round().into(),
        );
        if let Some(mb) = peak_rss_mb() {
            o.insert("peak_rss_mb".into(), round2(mb).into());
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
    );
    finish_with(error)
}

/// The process's peak resident memory (Linux `VmHWM`), for the benchmark's memory figure.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

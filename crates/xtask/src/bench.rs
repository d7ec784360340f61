//! `cargo xtask bench`: the throughput benchmark of the foundation issue.
//!
//! Builds (once, cached under target/bench/) a mixed file of at least 200 MB from the loghub datasets in ../shared
//! (each dataset's 2k lines in turn, repeated), then times on it, in the same run:
//! - the baseline: `wc -l` (reads the file and counts lines; no parsing), best of three;
//! - `logsieve stats` (release build, one thread: decode, split, assemble, every format parser, template mining),
//!   best of three, with its peak RSS;
//! - `logsieve parse > /dev/null` (the same plus NDJSON with each event's final template: two passes over the
//!   file), best of three;
//! - Drain3 (pip, in a throwaway virtualenv) on the messages of the first million events, with its default
//!   configuration and with its example masking rules, as a ratio of lines/s against `logsieve stats`;
//! - the page, in headless Chromium with one worker (`tests/browser/perf.mjs`), unless `--skip-page`.
//!   Then the charts of a 200 MB access log (`tests/browser/perf-charts.mjs`): how long after the parse every chart
//!   was drawn.
//!
//! Figures are printed as MB/s and lines/s and as ratios against the baseline, so that runs on different machines
//! or under different load can be compared.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::ctx::{Ctx, Result};

const TARGET_BYTES: u64 = 200 * 1024 * 1024;

pub fn bench(ctx: &Ctx, with_page: bool) -> Result<()> {
    let shared = shared_dir(ctx);
    let file = mixed_file(ctx, &shared)?;
    let size = fs::metadata(&file).map_err(|e| e.to_string())?.len();
    println!(
        "bench: {} ({:.1} MB)",
        ctx.rel(&file).display(),
        size as f64 / 1e6
    );

    ctx.run(
        ctx.cmd("cargo")
            .args(["build", "--release", "--quiet", "-p", "logsieve-cli"]),
    )?;
    let bin = ctx.root.join("target/release/logsieve");

    let (wc_secs, lines) = best_of(3, || {
        let out = ctx
            .output(Command::new("wc").arg("-l").arg(&file))
            .ok_or("wc -l failed")?;
        let n: u64 = out
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .ok_or("wc -l printed no count")?;
        Ok(n)
    })?;
    let wc_mbs = size as f64 / 1e6 / wc_secs;

    let mut stats_json = String::new();
    let (cli_secs, _) = best_of(3, || {
        let out = ctx
            .output(Command::new(&bin).arg("stats").arg(&file))
            .ok_or("logsieve stats failed")?;
        stats_json = out;
        Ok(())
    })?;
    let cli_mbs = size as f64 / 1e6 / cli_secs;

    let (parse_secs, _) = best_of(3, || {
        let status = Command::new(&bin)
            .arg("parse")
            .arg(&file)
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| e.to_string())?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("logsieve parse failed ({status})"))
        }
    })?;
    let parse_mbs = size as f64 / 1e6 / parse_secs;
    let peak_rss = json_number(&stats_json, "peak_rss_mb");
    let events = json_number(&stats_json, "events");

    println!();
    println!("| run | MB/s | lines/s | vs baseline |");
    println!("|---|---:|---:|---:|");
    println!(
        "| baseline `wc -l` | {:.0} | {:.0} | 1.00 |",
        wc_mbs,
        lines as f64 / wc_secs
    );
    println!(
        "| `logsieve stats` (1 thread) | {:.0} | {:.0} | {:.3} |",
        cli_mbs,
        lines as f64 / cli_secs,
        cli_mbs / wc_mbs
    );
    println!(
        "| `logsieve parse > /dev/null` (NDJSON with templates) | {:.0} | {:.0} | {:.3} |",
        parse_mbs,
        lines as f64 / parse_secs,
        parse_mbs / wc_mbs
    );
    println!(
        "\ncli: {} events, peak RSS {} MB",
        events.map_or("?".into(), |e| format!("{e:.0}")),
        peak_rss.map_or("?".into(), |m| format!("{m:.1}"))
    );
    println!(
        "{{\"bench\":\"cli\",\"bytes\":{size},\"lines\":{lines},\"baseline_mb_s\":{wc_mbs:.1},\"cli_mb_s\":{cli_mbs:.1},\"cli_lines_s\":{:.0},\"ratio_vs_baseline\":{:.4},\"parse_mb_s\":{parse_mbs:.1},\"peak_rss_mb\":{}}}",
        lines as f64 / cli_secs,
        cli_mbs / wc_mbs,
        peak_rss.map_or("null".into(), |m| format!("{m:.1}"))
    );

    drain3(ctx, &bin, &file, lines as f64 / cli_secs)?;

    if with_page {
        crate::dist::dist(ctx)?;
        let dist = ctx.root.join("dist");
        ctx.run(
            ctx.cmd("node")
                .arg("tests/browser/perf.mjs")
                .arg(&file)
                .env("LOGSIEVE_DIST", &dist)
                .env("LOGSIEVE_BIN", &bin)
                .env("LOGSIEVE_SHARED", &shared)
                .env("CHROMIUM", crate::setup::CHROMIUM),
        )?;
        // Issue 5: the charts of a 200 MB access log (built once under target/bench/), drawn after the parse.
        ctx.run(
            ctx.cmd("node")
                .arg("tests/browser/perf-charts.mjs")
                .env("LOGSIEVE_DIST", &dist)
                .env("LOGSIEVE_BIN", &bin)
                .env("LOGSIEVE_SHARED", &shared)
                .env("CHROMIUM", crate::setup::CHROMIUM),
        )?;
    }
    Ok(())
}

/// Drain3 on the messages of the first million events, in a throwaway virtualenv under target/bench/, with its
/// default configuration and with its example masking rules; the ratio is logsieve's lines/s (`stats`: parsing
/// and mining) over Drain3's (mining only: Drain3 gets the messages already split from their headers).
fn drain3(ctx: &Ctx, bin: &Path, file: &Path, logsieve_lines_s: f64) -> Result<()> {
    const LINES: &str = "1000000";
    let venv = ctx.root.join("target/bench/drain3-venv");
    let python = venv.join("bin/python");
    if !python.is_file() {
        ctx.run(ctx.cmd("python3").args(["-m", "venv"]).arg(&venv))?;
        ctx.run(
            Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "drain3==0.9.11"])
                .current_dir(&ctx.root),
        )?;
    }
    let script = ctx.root.join("crates/xtask/src/drain3_bench.py");
    for mask in [false, true] {
        let mut producer = Command::new(bin)
            .arg("parse")
            .arg(file)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("logsieve parse: {e}"))?;
        let stdout = producer.stdout.take().ok_or("no stdout")?;
        let mut cmd = Command::new(&python);
        cmd.arg(&script)
            .arg(LINES)
            .stdin(stdout)
            .current_dir(&ctx.root);
        if mask {
            cmd.arg("--mask");
        }
        let out = cmd.output().map_err(|e| format!("drain3: {e}"))?;
        let _ = producer.kill();
        let _ = producer.wait();
        if !out.status.success() {
            return Err(format!(
                "drain3 bench failed: {}",
                String::from_utf8_lossy(&out.stderr)
            ));
        }
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        let drain_lines_s = json_number(&line, "drain3_lines_s").unwrap_or(f64::NAN);
        println!("{line}");
        println!(
            "{{\"bench\":\"drain3\",\"masking\":{mask},\"logsieve_lines_s\":{logsieve_lines_s:.0},\"drain3_lines_s\":{drain_lines_s:.0},\"ratio\":{:.2}}}",
            logsieve_lines_s / drain_lines_s
        );
    }
    Ok(())
}

/// Runs `f` `n` times and returns the shortest time with the last result.
fn best_of<T>(n: usize, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut best = f64::INFINITY;
    let mut last = None;
    for _ in 0..n {
        let t = Instant::now();
        let v = f()?;
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(v);
    }
    Ok((best, last.expect("n > 0")))
}

fn json_number(json: &str, key: &str) -> Option<f64> {
    let at = json.find(&format!("\"{key}\""))?;
    let rest = &json[at + key.len() + 2..];
    let rest = rest.trim_start().strip_prefix(':')?.trim_start();
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

pub fn shared_dir(ctx: &Ctx) -> PathBuf {
    match std::env::var_os("LOGSIEVE_SHARED") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => ctx.root.join("../shared"),
    }
}

/// The ≥ 200 MB mixed file: every loghub dataset's lines in turn, repeated. Rebuilt only when missing.
pub fn mixed_file(ctx: &Ctx, shared: &Path) -> Result<PathBuf> {
    let dir = ctx.root.join("target/bench");
    let file = dir.join("mixed.log");
    if fs::metadata(&file)
        .map(|m| m.len() >= TARGET_BYTES)
        .unwrap_or(false)
    {
        return Ok(file);
    }
    let loghub = shared.join("loghub");
    let mut names: Vec<PathBuf> = fs::read_dir(&loghub)
        .map_err(|e| format!("{}: {e}", loghub.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .filter_map(|d| {
            let name = d.file_name()?.to_string_lossy().into_owned();
            let log = d.join(format!("{name}_2k.log"));
            log.is_file().then_some(log)
        })
        .collect();
    names.sort();
    if names.is_empty() {
        return Err(format!("no loghub datasets under {}", loghub.display()));
    }
    let mut blocks = Vec::new();
    for n in &names {
        let mut b = fs::read(n).map_err(|e| format!("{}: {e}", n.display()))?;
        if b.last() != Some(&b'\n') {
            b.push(b'\n');
        }
        blocks.push(b);
    }
    fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let tmp = dir.join("mixed.log.tmp");
    let mut out = std::io::BufWriter::new(fs::File::create(&tmp).map_err(|e| e.to_string())?);
    let mut written = 0u64;
    while written < TARGET_BYTES {
        for b in &blocks {
            out.write_all(b).map_err(|e| e.to_string())?;
            written += b.len() as u64;
        }
    }
    out.flush().map_err(|e| e.to_string())?;
    drop(out);
    fs::rename(&tmp, &file).map_err(|e| e.to_string())?;
    println!(
        "bench: wrote {} ({} datasets repeated, {:.1} MB)",
        ctx.rel(&file).display(),
        names.len(),
        written as f64 / 1e6
    );
    Ok(file)
}

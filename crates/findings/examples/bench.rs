//! Cost of the analysis against a plain parse, on one thread.
//!
//! ```text
//! cargo run --release -p logsieve-findings --example bench -- FILE [ROUNDS]
//! ```
//!
//! Runs, in one process and on the same bytes (read into memory first), the best of ROUNDS (default 3) of:
//! 1. `parse`: the pipeline alone, counting events;
//! 2. `parse+ndjson`: the pipeline writing NDJSON to a buffer; `logsieve parse` reads a file twice (a mining
//!    pass, then this one with the templates added), so it costs about `parse+mine` + `parse+ndjson`;
//! 3. `parse+analyze`: the pipeline feeding the analyzer without template ids (shape hashes instead);
//! 4. `parse+mine+analyze`: the pipeline, the template miner and the analyzer (what `logsieve analyze` does),
//!    then the Markdown report;
//!
//! and prints the ratios. It also prints the findings' kinds and severities.

use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{ndjson, Event, ParseOptions, Pipeline};
use logsieve_findings::Analyzer;
use std::time::Instant;

fn run(data: &[u8], f: &mut dyn FnMut(&Event<'_>)) -> logsieve_engine::Stats {
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    for c in data.chunks(4 << 20) {
        p.feed(c, f).expect("feed");
    }
    p.finish(f).expect("finish");
    p.stats().clone()
}

fn best<T>(rounds: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut best = f64::MAX;
    let mut last = None;
    for _ in 0..rounds {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed().as_secs_f64());
        last = Some(r);
    }
    (best, last.expect("one round"))
}

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: bench FILE [ROUNDS]");
    let rounds: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(3);
    let data = std::fs::read(&path).expect("read input");
    let mb = data.len() as f64 / 1e6;

    let (t_parse, events) = best(rounds, || {
        let mut n = 0u64;
        run(&data, &mut |_| n += 1);
        n
    });
    let (t_ndjson, _) = best(rounds, || {
        let mut buf = String::with_capacity(2 << 20);
        let mut total = 0usize;
        run(&data, &mut |ev| {
            ndjson::write_event(ev, &mut buf);
            if buf.len() >= 1 << 20 {
                total += buf.len();
                buf.clear();
            }
        });
        total + buf.len()
    });
    let (t_analyze, findings) = best(rounds, || {
        let mut a = Analyzer::new();
        run(&data, &mut |ev| a.observe(ev, None));
        a.finish(&|_| None)
    });
    let (t_full, (analysis, report_len)) = best(rounds, || {
        let mut a = Analyzer::new();
        let mut miner = TemplateMiner::new();
        let stats = run(&data, &mut |ev| {
            let id = miner.observe(
                ev.message(),
                ev.level(),
                ev.ts().map(|t| t.unix_millis()),
                ev.line,
            );
            a.observe(ev, Some(id.0));
        });
        let map = miner.finish();
        let lookup = |id: u32| {
            map.get(logsieve_engine::template::TemplateId(id))
                .map(|t| t.template.clone())
        };
        let analysis = a.finish_analysis(&lookup);
        let report = analysis.markdown(&stats);
        (analysis, report.len())
    });
    let (t_mine, _) = best(rounds, || {
        let mut miner = TemplateMiner::new();
        run(&data, &mut |ev| {
            miner.observe(
                ev.message(),
                ev.level(),
                ev.ts().map(|t| t.unix_millis()),
                ev.line,
            );
        });
        miner.finish().templates.len()
    });

    println!("input: {path}, {mb:.1} MB, {events} events; best of {rounds}");
    println!(
        "parse               {t_parse:7.3} s  {:7.0} MB/s",
        mb / t_parse
    );
    println!(
        "parse+ndjson        {t_ndjson:7.3} s  {:7.0} MB/s",
        mb / t_ndjson
    );
    println!(
        "parse+analyze       {t_analyze:7.3} s  {:7.0} MB/s   analyzer alone: +{:.3} s",
        mb / t_analyze,
        t_analyze - t_parse
    );
    println!(
        "parse+mine          {t_mine:7.3} s  {:7.0} MB/s",
        mb / t_mine
    );
    println!("parse+mine+analyze  {t_full:7.3} s  {:7.0} MB/s   (≈ logsieve analyze; report {report_len} bytes)", mb / t_full);
    println!(
        "≈ logsieve parse (mining pass + NDJSON pass): {:.3} s",
        t_mine + t_ndjson
    );
    println!(
        "ratio analyze / logsieve parse:          {:.2}",
        t_full / (t_mine + t_ndjson)
    );
    println!(
        "ratio analyze / parse+ndjson:            {:.2}",
        t_full / t_ndjson
    );
    println!(
        "ratio parse+analyze / parse:             {:.2}",
        t_analyze / t_parse
    );
    println!(
        "ratio parse+mine+analyze / parse+mine:   {:.2}",
        t_full / t_mine
    );
    println!("findings ({}):", findings.len());
    for f in analysis.findings.iter().take(40) {
        println!("  {:8} {:22} {}", f.severity.as_str(), f.kind, f.title);
    }
}

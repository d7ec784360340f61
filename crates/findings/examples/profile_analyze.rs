//! One mode per run, for profilers and `perf stat` (instruction counts do not depend on machine load):
//!
//! ```text
//! cargo build --release -p logsieve-findings --example profile_analyze
//! perf stat -e instructions:u target/release/examples/profile_analyze MODE FILE
//! ```
//!
//! MODE: `parse` (count events), `ndjson` (≈ `logsieve parse`), `analyze` (parse + analyzer, no templates),
//! `mine` (parse + template miner), `full` (parse + miner + analyzer + report, ≈ `logsieve analyze`).
use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{ndjson, Event, ParseOptions, Pipeline};
use logsieve_findings::Analyzer;

fn run(data: &[u8], f: &mut dyn FnMut(&Event<'_>)) -> logsieve_engine::Stats {
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    for c in data.chunks(4 << 20) {
        p.feed(c, f).expect("feed");
    }
    p.finish(f).expect("finish");
    p.stats().clone()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().expect("usage: profile_analyze MODE FILE");
    let path = args.next().expect("usage: profile_analyze MODE FILE");
    let data = std::fs::read(path).expect("read");
    let t = std::time::Instant::now();
    let out = match mode.as_str() {
        "parse" => {
            let mut n = 0u64;
            run(&data, &mut |_| n += 1);
            n as usize
        }
        "ndjson" => {
            let mut buf = String::with_capacity(2 << 20);
            let mut total = 0;
            run(&data, &mut |ev| {
                ndjson::write_event(ev, &mut buf);
                if buf.len() >= 1 << 20 {
                    total += buf.len();
                    buf.clear();
                }
            });
            total
        }
        "analyze" => {
            let mut a = Analyzer::new();
            run(&data, &mut |ev| a.observe(ev, None));
            a.finish(&|_| None).len()
        }
        "mine" => {
            let mut m = TemplateMiner::new();
            run(&data, &mut |ev| {
                m.observe(
                    ev.message(),
                    ev.level(),
                    ev.ts().map(|t| t.unix_millis()),
                    ev.line,
                );
            });
            m.finish().templates.len()
        }
        "full" => {
            let mut a = Analyzer::new();
            let mut m = TemplateMiner::new();
            let stats = run(&data, &mut |ev| {
                let id = m.observe(
                    ev.message(),
                    ev.level(),
                    ev.ts().map(|t| t.unix_millis()),
                    ev.line,
                );
                a.observe(ev, Some(id.0));
            });
            let map = m.finish();
            let lookup = |id: u32| {
                map.get(logsieve_engine::template::TemplateId(id))
                    .map(|t| t.template.clone())
            };
            a.finish_analysis(&lookup).markdown(&stats).len()
        }
        other => panic!("unknown mode {other}"),
    };
    eprintln!("{mode}: {:.3} s ({out})", t.elapsed().as_secs_f64());
}

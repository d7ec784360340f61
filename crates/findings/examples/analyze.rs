//! Analyzes a file and prints the Markdown report (or the JSON analysis), as `logsieve analyze` will.
//!
//! ```text
//! cargo run --release -p logsieve-findings --example analyze -- FILE [--json] [--templates]
//! ```
//!
//! `--templates` passes template ids from the engine's template miner (as the CLI does); without it the analyzer
//! groups messages by their own shape.
use logsieve_engine::template::{TemplateId, TemplateMiner};
use logsieve_engine::{ParseOptions, Pipeline};
use logsieve_findings::Analyzer;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .iter()
        .find(|a| !a.starts_with("--"))
        .expect("usage: analyze FILE [--json] [--templates]");
    let json = args.iter().any(|a| a == "--json");
    let templates = args.iter().any(|a| a == "--templates");
    let data = std::fs::read(path).expect("read");
    let mut a = Analyzer::new();
    let mut miner = TemplateMiner::new();
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    let mut f = |ev: &logsieve_engine::Event<'_>| {
        let id = if templates {
            Some(
                miner
                    .observe(
                        ev.message(),
                        ev.level(),
                        ev.ts().map(|t| t.unix_millis()),
                        ev.line,
                    )
                    .0,
            )
        } else {
            None
        };
        a.observe(ev, id);
    };
    for c in data.chunks(4 << 20) {
        p.feed(c, &mut f).expect("feed");
    }
    p.finish(&mut f).expect("finish");
    let map = miner.finish();
    let lookup = |id: u32| map.get(TemplateId(id)).map(|t| t.template.clone());
    let analysis = a.finish_analysis(&lookup);
    if json {
        println!("{}", serde_json::to_string_pretty(&analysis).expect("json"));
    } else {
        print!("{}", analysis.markdown(p.stats()));
    }
}

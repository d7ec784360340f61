//! Template-miner bench and dev tool.
//!
//! ```text
//! cargo run --release -p logsieve-engine --example mine -- bench FILE        # Pipeline (formats) + miner
//! cargo run --release -p logsieve-engine --example mine -- bench-naive FILE  # miner alone, naive header skip
//! cargo run --release -p logsieve-engine --example mine -- csv GT.csv OUT.ndjson
//! cargo run --release -p logsieve-engine --example mine -- accuracy [SHARED_DIR]
//! cargo run --release -p logsieve-engine --example mine -- accuracy-pipeline [SHARED_DIR]  # raw .log via Pipeline
//! cargo run --release -p logsieve-engine --example mine -- templates GT.csv   # the templates as JSON lines
//! cargo run --release -p logsieve-engine --example mine -- keys GT.csv        # per row: masked key, template
//! cargo run --release -p logsieve-engine --example mine -- diff DATASET [SHARED_DIR]
//! cargo run --release -p logsieve-engine --example mine -- adversarial [LINES] [MAX_WORDS]
//! ```
//!
//! `bench` reports lines/s and MB/s for parsing alone and for parsing plus mining (one thread).
//! `csv` mines the `Content` column of a loghub structured CSV and writes `{"line", "template"}` NDJSON.
//! `accuracy` does that for every dataset folder of SHARED_DIR/loghub and scores it with parse_accuracy.py.
//! `diff` prints the lines whose template differs from the ground truth, grouped.
//! `adversarial` mines LINES (default 1 000 000) lines of random words and reports the ids and templates made.

use logsieve_engine::template::{TemplateId, TemplateMiner};
use logsieve_engine::{ParseOptions, Pipeline};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("bench") => bench(Path::new(&args[1])),
        Some("bench-naive") => bench_naive(Path::new(&args[1])),
        Some("csv") => {
            let rows = read_csv(Path::new(&args[1]));
            let preds = mine_rows(&rows);
            write_ndjson(Path::new(&args[2]), &rows, &preds);
        }
        Some("accuracy") => accuracy(&shared_dir(args.get(1)), false),
        Some("accuracy-pipeline") => accuracy(&shared_dir(args.get(1)), true),
        Some("templates") => {
            let rows = read_csv(Path::new(&args[1]));
            let mut miner = TemplateMiner::new();
            for r in &rows {
                let line = r["LineId"].parse().unwrap_or(0);
                miner.observe(&r["Content"], None, None, line);
            }
            for t in miner.finish().templates {
                println!("{}", serde_json::to_string(&t).expect("json"));
            }
        }
        Some("keys") => {
            // Per row: the masked key (before clustering) and the final template, as JSON lines.
            let rows = read_csv(Path::new(&args[1]));
            let mut miner = TemplateMiner::new();
            let ids: Vec<TemplateId> = rows
                .iter()
                .map(|r| miner.observe(&r["Content"], None, None, r["LineId"].parse().unwrap_or(0)))
                .collect();
            let map = miner.finish();
            for (r, id) in rows.iter().zip(ids) {
                let obj = serde_json::json!({
                    "line": r["LineId"].parse::<u64>().unwrap_or(0),
                    "key": miner.provisional_template(id),
                    "template": map.get(id).map(|t| t.template.clone()),
                });
                println!("{obj}");
            }
        }
        Some("diff") => diff(&args[1], &shared_dir(args.get(2))),
        Some("adversarial") => adversarial(
            args.get(1)
                .and_then(|a| a.parse().ok())
                .unwrap_or(1_000_000),
            args.get(2).and_then(|a| a.parse().ok()).unwrap_or(12),
        ),
        _ => {
            eprintln!(
                "usage: mine bench FILE | bench-naive FILE | csv GT.csv OUT.ndjson | accuracy [SHARED] | \
                 accuracy-pipeline [SHARED] | templates GT.csv | diff D [SHARED] | adversarial [LINES] [MAX_WORDS]"
            );
            std::process::exit(2);
        }
    }
}

fn shared_dir(arg: Option<&String>) -> PathBuf {
    if let Some(a) = arg {
        return PathBuf::from(a);
    }
    if let Ok(s) = std::env::var("LOGSIEVE_SHARED") {
        return PathBuf::from(s);
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared")
}

/// Lines of 1 to MAX_WORDS random words (letters, sometimes a number), mined one by one.
fn adversarial(lines: u64, max_words: u64) {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut miner = TemplateMiner::new();
    let mut msg = String::new();
    let mut bytes = 0usize;
    let t = Instant::now();
    for i in 0..lines {
        msg.clear();
        let words = 1 + next() % max_words;
        for w in 0..words {
            if w > 0 {
                msg.push(' ');
            }
            let len = 2 + next() % 9;
            let r = next();
            for k in 0..len {
                let c = (r >> (k * 5)) % 36;
                msg.push(if c < 26 {
                    (b'a' + c as u8) as char
                } else {
                    (b'0' + (c - 26) as u8) as char
                });
            }
            if r % 17 == 0 {
                msg.push_str(&(r % 1000).to_string());
            }
        }
        bytes += msg.len() + 1;
        miner.observe(&msg, None, None, i + 1);
    }
    let online = t.elapsed().as_secs_f64();
    let rss_online = rss_mb();
    let t = Instant::now();
    let map = miner.finish();
    println!(
        "RSS after observing: {rss_online:.1} MB, after finish: {:.1} MB",
        rss_mb()
    );
    println!(
        "{} random lines ({:.1} MB): {} ids, {} templates; online {:.2} s ({:.0} lines/s), finish {:.2} s",
        lines,
        bytes as f64 / 1e6,
        miner.len(),
        map.templates.len(),
        online,
        lines as f64 / online,
        t.elapsed().as_secs_f64()
    );
}

/// Resident memory of this process (Linux), for the adversarial report.
fn rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

fn bench(path: &Path) {
    let data = std::fs::read(path).expect("read input");
    let mb = data.len() as f64 / 1e6;
    // Parsing alone.
    let t = Instant::now();
    let mut events = 0u64;
    let mut pipe = Pipeline::new(ParseOptions::default());
    let mut count = |_: &logsieve_engine::Event<'_>| events += 1;
    for chunk in data.chunks(4 << 20) {
        pipe.feed(chunk, &mut count).expect("parse");
    }
    pipe.finish(&mut count).expect("parse");
    let parse_s = t.elapsed().as_secs_f64();
    // Parsing and mining.
    let t = Instant::now();
    let mut miner = TemplateMiner::new();
    let mut ids: Vec<TemplateId> = Vec::new();
    let mut pipe = Pipeline::new(ParseOptions::default());
    let mut mine = |e: &logsieve_engine::Event<'_>| {
        let ts = e.ts().map(|t| t.unix_millis());
        ids.push(miner.observe(e.message(), e.level(), ts, e.line));
    };
    for chunk in data.chunks(4 << 20) {
        pipe.feed(chunk, &mut mine).expect("parse");
    }
    pipe.finish(&mut mine).expect("parse");
    let online_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let map = miner.finish();
    let finish_s = t.elapsed().as_secs_f64();
    let total = online_s + finish_s;
    println!("input: {:.1} MB, {} events", mb, events);
    println!(
        "parse only:      {:7.3} s  {:8.0} MB/s  {:10.0} lines/s",
        parse_s,
        mb / parse_s,
        events as f64 / parse_s
    );
    println!(
        "parse + mine:    {:7.3} s  {:8.0} MB/s  {:10.0} lines/s  (online {:.3} s + finish {:.3} s)",
        total,
        mb / total,
        events as f64 / total,
        online_s,
        finish_s
    );
    println!(
        "mining share:    {:7.3} s  ({:.0} lines/s for the miner alone)",
        total - parse_s,
        events as f64 / (total - parse_s).max(1e-9)
    );
    println!("keys: {}  templates: {}", miner.len(), map.templates.len());
    if std::env::var_os("MINE_DUMP").is_some() {
        for t in &map.templates {
            println!("{:>8} {}", t.count, t.template);
        }
    }
}

/// Text after a header, found naively: after the first ": " or "] " within the first 160 bytes.
fn naive_message(line: &str) -> &str {
    let head = &line.as_bytes()[..line.len().min(160)];
    for i in 0..head.len().saturating_sub(1) {
        if (head[i] == b':' || head[i] == b']') && head[i + 1] == b' ' {
            return &line[i + 2..];
        }
    }
    line
}

fn bench_naive(path: &Path) {
    let data = std::fs::read_to_string(path).expect("read input (UTF-8)");
    let mb = data.len() as f64 / 1e6;
    let lines: Vec<&str> = data.lines().collect();
    let t = Instant::now();
    let mut miner = TemplateMiner::new();
    let mut sink = 0u64;
    for (i, l) in lines.iter().enumerate() {
        sink =
            sink.wrapping_add(miner.observe(naive_message(l), None, None, i as u64 + 1).0 as u64);
    }
    let online = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let map = miner.finish();
    let fin = t.elapsed().as_secs_f64();
    let total = online + fin;
    println!(
        "{} lines, {:.1} MB: online {:.3} s + finish {:.3} s = {:.0} lines/s, {:.0} MB/s; keys {} templates {} ({})",
        lines.len(),
        mb,
        online,
        fin,
        lines.len() as f64 / total,
        mb / total,
        miner.len(),
        map.templates.len(),
        sink % 2
    );
}

/// A loghub structured CSV: header row, then rows; fields may be double-quoted with `""` escapes.
fn read_csv(path: &Path) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(path).expect("read csv");
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row: Vec<String> = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            _ => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    let header = rows.remove(0);
    rows.into_iter()
        .map(|r| header.iter().cloned().zip(r).collect())
        .collect()
}

fn mine_rows(rows: &[BTreeMap<String, String>]) -> Vec<String> {
    let mut miner = TemplateMiner::new();
    let ids: Vec<TemplateId> = rows
        .iter()
        .map(|r| {
            let line = r["LineId"].parse().unwrap_or(0);
            miner.observe(&r["Content"], None, None, line)
        })
        .collect();
    let map = miner.finish();
    ids.iter()
        .map(|&id| map.get(id).expect("resolved").template.clone())
        .collect()
}

fn write_ndjson(path: &Path, rows: &[BTreeMap<String, String>], preds: &[String]) {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path).expect("create output"));
    for (r, t) in rows.iter().zip(preds) {
        let obj =
            serde_json::json!({ "line": r["LineId"].parse::<u64>().unwrap_or(0), "template": t });
        writeln!(out, "{obj}").expect("write");
    }
}

fn datasets(shared: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(shared.join("loghub"))
        .expect("read loghub dir")
        .flatten()
    {
        let name = e.file_name().to_string_lossy().into_owned();
        let gt = e
            .path()
            .join(format!("{name}_2k.log_structured_corrected.csv"));
        if gt.is_file() {
            out.push((name, gt));
        }
    }
    out.sort();
    out
}

/// Mines the raw `<D>_2k.log` through the Pipeline (formats find the message) and returns `template` per line.
fn mine_raw(log: &Path) -> BTreeMap<u64, String> {
    let data = std::fs::read(log).expect("read log");
    let mut miner = TemplateMiner::new();
    let mut ids: Vec<(u64, TemplateId)> = Vec::new();
    let (_, res) = logsieve_engine::pipeline::parse_all(&data, ParseOptions::default(), |e| {
        ids.push((e.line, miner.observe_event(e)));
    });
    res.expect("parse");
    let map = miner.finish();
    ids.into_iter()
        .map(|(l, id)| (l, map.get(id).expect("resolves").template.clone()))
        .collect()
}

fn accuracy(shared: &Path, pipeline: bool) {
    let tool = shared.join("tools/parse_accuracy.py");
    let keys = ["GA", "PA", "FGA", "FTA"];
    let mut sums = [0.0; 4];
    let sets = datasets(shared);
    println!(
        "{:<12} {:>7} {:>7} {:>7} {:>7} {:>6} {:>6}",
        "dataset", "GA", "PA", "FGA", "FTA", "gt", "pred"
    );
    for (name, gt) in &sets {
        let rows = read_csv(gt);
        let preds = if pipeline {
            let raw = mine_raw(&gt.with_file_name(format!("{name}_2k.log")));
            rows.iter()
                .map(|r| {
                    raw.get(&r["LineId"].parse::<u64>().unwrap_or(0))
                        .cloned()
                        .unwrap_or_default()
                })
                .collect()
        } else {
            mine_rows(&rows)
        };
        let out = std::env::temp_dir().join(format!("logsieve_mine_{name}.ndjson"));
        write_ndjson(&out, &rows, &preds);
        let res = std::process::Command::new("python3")
            .arg(&tool)
            .arg(gt)
            .arg(&out)
            .arg("--name")
            .arg(name)
            .output()
            .expect("run parse_accuracy.py");
        let v: serde_json::Value = serde_json::from_slice(&res.stdout).expect("scorer output");
        let m: Vec<f64> = keys.iter().map(|k| v[k].as_f64().unwrap_or(0.0)).collect();
        for (s, x) in sums.iter_mut().zip(&m) {
            *s += x;
        }
        println!(
            "{:<12} {:>7.4} {:>7.4} {:>7.4} {:>7.4} {:>6} {:>6}",
            name, m[0], m[1], m[2], m[3], v["gt_templates"], v["pred_templates"]
        );
    }
    let n = sets.len() as f64;
    println!(
        "{:<12} {:>7.4} {:>7.4} {:>7.4} {:>7.4}",
        "average",
        sums[0] / n,
        sums[1] / n,
        sums[2] / n,
        sums[3] / n
    );
}

fn diff(dataset: &str, shared: &Path) {
    let gt = shared
        .join("loghub")
        .join(dataset)
        .join(format!("{dataset}_2k.log_structured_corrected.csv"));
    let rows = read_csv(&gt);
    let preds = mine_rows(&rows);
    let norm = |t: &str| {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut s = t.clone();
        loop {
            let n = s.replace("<*> <*>", "<*>").replace("<*><*>", "<*>");
            if n == s {
                break;
            }
            s = n;
        }
        s
    };
    // GT template -> predicted templates (with counts); print the groups that are not one-to-one and equal.
    let mut by_gt: BTreeMap<String, BTreeMap<String, (usize, String)>> = BTreeMap::new();
    let mut by_pred: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for (r, p) in rows.iter().zip(&preds) {
        let g = &r["EventTemplate"];
        let e = by_gt
            .entry(g.clone())
            .or_default()
            .entry(p.clone())
            .or_insert((0, r["Content"].clone()));
        e.0 += 1;
        *by_pred
            .entry(p.clone())
            .or_default()
            .entry(g.clone())
            .or_insert(0) += 1;
    }
    for (g, ps) in &by_gt {
        let ok_group = ps.len() == 1 && by_pred[ps.keys().next().unwrap()].len() == 1;
        let ok_text = ps.len() == 1 && norm(ps.keys().next().unwrap()) == norm(g);
        if ok_group && ok_text {
            continue;
        }
        let n: usize = ps.values().map(|x| x.0).sum();
        println!(
            "GT [{n}] {g}   {}",
            if ok_group { "(group ok)" } else { "" }
        );
        for (p, (c, ex)) in ps {
            let others = by_pred[p].len() - 1;
            println!("   -> [{c}] {p}   (+{others} other gt)\n        e.g. {ex}");
        }
    }
}

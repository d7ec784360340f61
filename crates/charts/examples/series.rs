//! Series builder bench and dev tool.
//!
//! ```text
//! cargo run --release -p logsieve-charts --example series -- gen OUT.log [MB]       # a combined-format access log
//! cargo run --release -p logsieve-charts --example series -- bench FILE [GEO.bin]   # MB/s with and without the series
//! cargo run --release -p logsieve-charts --example series -- svg FILE DIR [GEO.bin] [--dark]
//! ```
//!
//! `gen` writes MB megabytes (default 200) of Nginx combined lines with a request time: 60 000 clients with a
//! Zipf-like skew (a few IPv6, private and reserved among them), a realistic status mix (200, 304, 301, 404, 500 ...),
//! log-normal request times, two days of traffic with a daily cycle. Deterministic.
//!
//! `bench` reads FILE into memory and parses it on one thread, best of 5 (thread CPU time where Linux gives it): parse only, parse + series, parse + template
//! miner, parse + miner + series, then times `finish` (with GEO.bin if given, e.g. dist/geo/country.bin) and drawing
//! every chart as SVG.

use logsieve_charts::draw::Theme;
use logsieve_charts::{svg, GeoDb, SeriesBuilder};
use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{Event, ParseOptions, Pipeline};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let geo = |i: usize| {
        args.get(i).filter(|a| !a.starts_with("--")).map(|p| {
            let bytes = std::fs::read(p).expect("read geo database");
            let t = Instant::now();
            let db = GeoDb::from_bytes(&bytes).expect("geo database");
            eprintln!(
                "geo database {p}: {} bytes, read in {:.1} ms, data {}",
                bytes.len(),
                t.elapsed().as_secs_f64() * 1e3,
                db.date()
            );
            db
        })
    };
    match args.first().map(String::as_str) {
        Some("gen") => gen(
            Path::new(&args[1]),
            args.get(2).and_then(|a| a.parse().ok()).unwrap_or(200),
        ),
        Some("bench") => bench(Path::new(&args[1]), geo(2).as_ref()),
        Some("svg") => {
            let dark = args.iter().any(|a| a == "--dark");
            let input = std::fs::read(&args[1]).expect("read input");
            let (series, _) = run(&input, true, true, geo(3).as_ref());
            let series = series.expect("series");
            let dir = Path::new(&args[2]);
            if dark {
                std::fs::create_dir_all(dir).expect("mkdir");
                for kind in series.charts() {
                    let s = svg::render(kind, &series, Theme::Dark).unwrap().unwrap();
                    std::fs::write(dir.join(format!("{}.svg", kind.name())), s).unwrap();
                }
            } else {
                for p in svg::write_all(dir, &series).expect("write charts") {
                    println!("{}", p.display());
                }
            }
        }
        _ => {
            eprintln!("usage: series gen OUT [MB] | bench FILE [GEO] | svg FILE DIR [GEO] [--dark]")
        }
    }
}

/// Parses `input` on one thread with the series builder and/or the miner; returns the series and the time taken.
fn run(
    input: &[u8],
    series: bool,
    mine: bool,
    geo: Option<&GeoDb>,
) -> (Option<logsieve_charts::ChartSeries>, Duration) {
    let started = Clock::now();
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    let mut b = SeriesBuilder::new();
    let mut miner = TemplateMiner::new();
    let mut events = 0u64;
    let mut on = |ev: &Event<'_>| {
        events += 1;
        let id = if mine {
            Some(miner.observe_event(ev).0)
        } else {
            None
        };
        if series {
            b.observe(ev, id);
        }
    };
    for chunk in input.chunks(1 << 20) {
        p.feed(chunk, &mut on).unwrap();
    }
    p.finish(&mut on).unwrap();
    let elapsed = started.elapsed();
    std::hint::black_box(events);
    let out = series.then(|| {
        let map = mine.then(|| miner.finish());
        b.finish(map.as_ref(), geo)
    });
    (out, elapsed)
}

/// CPU time of this thread (Linux: /proc/thread-self/schedstat, nanoseconds on a CPU), else wall time: the machine
/// may be shared, and time spent waiting for a core is not the code's.
struct Clock {
    cpu: Option<u64>,
    wall: Instant,
}

fn thread_cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

impl Clock {
    fn now() -> Clock {
        Clock {
            cpu: thread_cpu_ns(),
            wall: Instant::now(),
        }
    }
    fn elapsed(&self) -> Duration {
        match (self.cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => Duration::from_nanos(b - a),
            _ => self.wall.elapsed(),
        }
    }
}

fn bench(path: &Path, geo: Option<&GeoDb>) {
    let input = std::fs::read(path).expect("read input");
    let mb = input.len() as f64 / 1e6;
    println!(
        "{}: {mb:.1} MB (one thread, best of 5, {} time)",
        path.display(),
        if thread_cpu_ns().is_some() {
            "CPU"
        } else {
            "wall"
        }
    );
    for (name, series, mine) in [
        ("parse only", false, false),
        ("parse + series", true, false),
        ("parse + miner", false, true),
        ("parse + miner + series", true, true),
    ] {
        // SERIES_BENCH_ONLY=NAME: run one configuration (for a profiler).
        if let Ok(only) = std::env::var("SERIES_BENCH_ONLY") {
            if only != name {
                continue;
            }
        }
        let best = (0..5)
            .map(|_| run(&input, series, mine, None).1)
            .min()
            .unwrap();
        println!(
            "  {name:<24} {:>7.0} MB/s  ({:.3} s)",
            mb / best.as_secs_f64(),
            best.as_secs_f64()
        );
    }
    // finish() alone: the series builder fed, then timed.
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    let mut b = SeriesBuilder::new();
    let mut on = |ev: &Event<'_>| b.observe(ev, None);
    p.feed(&input, &mut on).unwrap();
    p.finish(&mut on).unwrap();
    let t = Instant::now();
    let s = b.snapshot(None, geo);
    let finish = t.elapsed();
    let t = Instant::now();
    let mut svg_bytes = 0;
    for kind in s.charts() {
        svg_bytes += svg::render(kind, &s, Theme::Light).unwrap().unwrap().len();
    }
    println!(
        "  finish: {:.1} ms (geo: {}); drawing {} charts as SVG: {:.1} ms ({svg_bytes} bytes); series JSON {} bytes",
        finish.as_secs_f64() * 1e3,
        if geo.is_some() { "yes" } else { "no" },
        s.charts().len(),
        t.elapsed().as_secs_f64() * 1e3,
        s.to_json_pretty().len()
    );
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    /// Zipf-like index in 0..n: small indices much more likely.
    fn skewed(&mut self, n: u64) -> u64 {
        let u = self.unit();
        ((n as f64).powf(u) - 1.0) as u64 % n
    }
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.unit()).sum::<f64>() - 6.0
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const PATHS: [&str; 12] = [
    "/",
    "/index.html",
    "/api/v1/items",
    "/api/v1/items/{}",
    "/api/v1/users/{}/orders",
    "/static/css/site.{}.css",
    "/static/js/app.{}.js",
    "/images/photo-{}.jpg",
    "/search",
    "/login",
    "/wp-login.php",
    "/favicon.ico",
];
const AGENTS: [&str; 5] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "curl/8.5.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
];

fn client(i: u64) -> String {
    let h = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    match i % 50 {
        0 => format!(
            "10.{}.{}.{}",
            (h >> 8) & 255,
            (h >> 16) & 255,
            (h >> 24) & 255
        ),
        1 => format!("192.168.{}.{}", (h >> 8) & 255, (h >> 16) & 255),
        2..=4 => format!(
            "2a02:{:x}:{:x}::{:x}",
            (h >> 8) & 0xffff,
            (h >> 24) & 0xffff,
            i
        ),
        _ => {
            // Public first octets spread over the RIRs.
            let firsts = [
                8, 23, 31, 41, 45, 62, 77, 81, 91, 104, 133, 151, 177, 185, 200, 203, 212,
            ];
            let a = firsts[(h % firsts.len() as u64) as usize];
            format!(
                "{a}.{}.{}.{}",
                (h >> 8) & 255,
                (h >> 16) & 255,
                ((h >> 24) % 254) + 1
            )
        }
    }
}

fn gen(out: &Path, mb: u64) {
    let target = mb * 1_000_000;
    let mut rng = Rng(0x5EED);
    let clients: Vec<String> = (0..60_000).map(client).collect();
    let mut w = std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(out).unwrap());
    let mut written = 0u64;
    let mut lines = 0u64;
    // Two days; events per second follow a daily cycle.
    let t0 = 1_718_000_000i64 - 1_718_000_000 % 86_400;
    let span = 2 * 86_400i64;
    let mut line = String::with_capacity(512);
    while written < target {
        // Time: monotone over the span, a little jitter, density higher during the day.
        let frac = written as f64 / target as f64;
        let mut t = t0 + (frac * span as f64) as i64;
        let hour = (t % 86_400) / 3600;
        if (1..6).contains(&hour) && rng.below(3) == 0 {
            t += 1800;
        }
        let tm = logsieve_engine::Timestamp::from_unix(t, 0, 0);
        let ip = &clients[rng.skewed(clients.len() as u64) as usize];
        let r = rng.below(1000);
        let status = match r {
            0..=779 => 200,
            780..=839 => 304,
            840..=869 => 301,
            870..=929 => 404,
            930..=944 => 403,
            945..=954 => 206,
            955..=979 => 302,
            980..=989 => 500,
            990..=994 => 502,
            _ => 503,
        };
        let path = PATHS[rng.skewed(PATHS.len() as u64) as usize]
            .replace("{}", &rng.below(5000).to_string());
        let method = if rng.below(10) == 0 { "POST" } else { "GET" };
        let bytes = if status == 304 {
            0
        } else {
            (rng.normal() * 1.5 + 8.0).exp() as u64
        };
        let rt =
            ((rng.normal() * 0.9 - 3.2).exp() * if status >= 500 { 8.0 } else { 1.0 }).min(60.0);
        let agent = AGENTS[rng.skewed(AGENTS.len() as u64) as usize];
        let query = if rng.below(4) == 0 {
            format!("?q={}&page={}", rng.below(100_000), rng.below(20))
        } else {
            String::new()
        };
        line.clear();
        use std::fmt::Write as _;
        let _ = writeln!(
            line,
            "{ip} - - [{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000] \"{method} {path}{query} HTTP/1.1\" {status} {bytes} \
             \"https://example.com/\" \"{agent}\" {rt:.3}",
            tm.day,
            MONTHS[tm.month as usize - 1],
            tm.year,
            tm.hour,
            tm.minute,
            tm.second
        );
        w.write_all(line.as_bytes()).unwrap();
        written += line.len() as u64;
        lines += 1;
    }
    w.flush().unwrap();
    println!("{}: {lines} lines, {written} bytes", out.display());
}

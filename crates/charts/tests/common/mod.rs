//! Helpers shared by the integration tests.
#![allow(dead_code)]

use logsieve_charts::{ChartSeries, GeoDb, SeriesBuilder};
use logsieve_engine::template::TemplateMiner;
use logsieve_engine::{ParseOptions, Pipeline};
use std::path::PathBuf;
use std::sync::OnceLock;

/// `LOGSIEVE_SHARED`, or the `shared/` folder beside the repository.
pub fn shared_dir() -> PathBuf {
    match std::env::var_os("LOGSIEVE_SHARED") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

pub fn apache_sample() -> Vec<u8> {
    let p = shared_dir().join("samples/access_log/apache_combined_elastic_examples.log");
    std::fs::read(&p).unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Parses `input` as the CLI does (one pipeline, template miner), feeding the series builder.
pub fn series_of(input: &[u8], geo: Option<&GeoDb>) -> ChartSeries {
    let mut miner = TemplateMiner::new();
    let mut b = SeriesBuilder::new();
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    let mut on = |ev: &logsieve_engine::Event<'_>| {
        let id = miner.observe_event(ev);
        b.observe(ev, Some(id.0));
    };
    // Odd chunk sizes: the series must not depend on chunking.
    for chunk in input.chunks(64 * 1024 + 7) {
        p.feed(chunk, &mut on).unwrap();
    }
    p.finish(&mut on).unwrap();
    let map = miner.finish();
    b.finish(Some(&map), geo)
}

/// The npm package's directory, if `npm ci` installed it.
pub fn npm_geo_dir() -> Option<PathBuf> {
    let d = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../node_modules/@ip-location-db/geo-whois-asn-country");
    d.join("geo-whois-asn-country-ipv4-num.csv")
        .is_file()
        .then_some(d)
}

/// The real database built from the npm package (once per test binary), if installed.
pub fn npm_geo() -> Option<&'static (GeoDb, usize, usize)> {
    static DB: OnceLock<Option<(GeoDb, usize, usize)>> = OnceLock::new();
    DB.get_or_init(|| {
        let dir = npm_geo_dir()?;
        let v4 = std::fs::read_to_string(dir.join("geo-whois-asn-country-ipv4-num.csv")).unwrap();
        let v6 = std::fs::read_to_string(dir.join("geo-whois-asn-country-ipv6-num.csv")).unwrap();
        let manifest = std::fs::read_to_string(dir.join("package.json")).unwrap();
        let version: serde_json::Value = serde_json::from_str(&manifest).unwrap();
        let date =
            logsieve_charts::geo::date_from_version(version["version"].as_str().unwrap()).unwrap();
        let t = std::time::Instant::now();
        let raw = logsieve_charts::geo::build_raw(&v4, &v6, &date, "test").unwrap();
        let t_build = t.elapsed();
        let gz = logsieve_charts::geo::gzip(&raw);
        eprintln!(
            "geo: built in {t_build:?}, gzip in {:?}",
            t.elapsed() - t_build
        );
        Some((GeoDb::from_bytes(&gz).unwrap(), gz.len(), raw.len()))
    })
    .as_ref()
}

/// A small database: every public IPv4 address in `ZZ` except 8.0.0.0/8 `US`; IPv6 2000::/3 `ZZ`.
pub fn tiny_geo() -> GeoDb {
    let v4 = format!("0,{},ZZ\n134217728,150994943,US\n", u32::MAX);
    let v6 = format!("{},{},ZZ\n", 0x2000u128 << 112, (0x4000u128 << 112) - 1);
    let b = logsieve_charts::geo::build(&v4, &v6, "2000-01-01", "tiny").unwrap();
    GeoDb::from_bytes(&b).unwrap()
}

/// A tiny deterministic generator (xorshift64*).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// A CLF timestamp `dd/Mon/yyyy:HH:MM:SS +0000` of Unix seconds.
pub fn clf_time(secs: i64) -> String {
    let t = logsieve_engine::Timestamp::from_unix(secs, 0, 0);
    format!(
        "{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000",
        t.day,
        MONTHS[t.month as usize - 1],
        t.year,
        t.hour,
        t.minute,
        t.second
    )
}

/// A combined-format access line, with a trailing request time when given.
pub fn access_line(ip: &str, secs: i64, status: u16, bytes: u64, rt: Option<f64>) -> String {
    let mut s = format!(
        "{ip} - - [{}] \"GET /item/{} HTTP/1.1\" {status} {bytes} \"-\" \"test-agent/1.0\"",
        clf_time(secs),
        bytes % 97
    );
    if let Some(rt) = rt {
        s.push_str(&format!(" {rt:.3}"));
    }
    s.push('\n');
    s
}

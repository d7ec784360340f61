//! The series of whole files: which charts apply, and their numbers.

mod common;

use common::{access_line, apache_sample, series_of, tiny_geo, Rng};
use logsieve_charts::{ChartKind, ChartSeries, SeriesBuilder};
use logsieve_engine::{ParseOptions, Pipeline};

#[test]
fn apache_sample_has_the_access_log_charts() {
    let input = apache_sample();
    let geo = common::npm_geo().map(|g| &g.0);
    let tiny = tiny_geo();
    let s = series_of(&input, Some(geo.unwrap_or(&tiny)));
    assert_eq!(s.events, 10_000);
    assert_eq!(
        s.charts(),
        [
            ChartKind::Volume,
            ChartKind::Status,
            ChartKind::Clients,
            ChartKind::Geo,
            ChartKind::Templates
        ]
    );
    assert!(s.latency.is_none(), "the sample has no request times");

    // Volume: 2015-05-17 10:05 to 2015-05-20 21:05 UTC, all of it in buckets, levels from the status codes.
    let v = s.volume.as_ref().unwrap();
    assert_eq!(v.untimed, 0);
    assert!((29..=200).contains(&v.buckets()), "{} buckets", v.buckets());
    assert_eq!(v.bucket_ms, 3_600_000, "3.5 days: 1-hour buckets");
    assert_eq!(v.start_ms, 1_431_856_800_000); // 2015-05-17T10:00Z
    assert_eq!(v.totals().iter().sum::<u64>(), 10_000);
    assert!(v
        .levels
        .keys()
        .all(|k| ["INFO", "WARN", "ERROR"].contains(&k.as_str())));

    // Status: classes add up; the codes are in order.
    let st = s.status.as_ref().unwrap();
    assert_eq!(st.classes.values().sum::<u64>(), 10_000);
    assert_eq!(st.codes.iter().map(|c| c.1).sum::<u64>(), 10_000);
    assert!(st.codes.windows(2).all(|w| w[0].0 < w[1].0));
    let code = |c: u16| st.codes.iter().find(|x| x.0 == c).map_or(0, |x| x.1);
    assert!(code(200) > 9_000 && code(404) > 100, "{:?}", st.codes);
    assert_eq!(code(200) + code(206), st.classes["2xx"]);
    // WARN and ERROR events are the 4xx and 5xx responses.
    let lv = |name: &str| v.levels.get(name).map_or(0, |c| c.iter().sum::<u64>());
    assert_eq!(lv("WARN"), st.classes.get("4xx").copied().unwrap_or(0));
    assert_eq!(lv("ERROR"), st.classes.get("5xx").copied().unwrap_or(0));

    // Clients: the top 20, most requests first; the busiest is the same address in any case.
    let cl = s.clients.as_ref().unwrap();
    assert_eq!(cl.len(), 20);
    assert!(cl.windows(2).all(|w| w[0].requests >= w[1].requests));
    assert!(cl.iter().all(|c| c.overcount == 0 && c.country.is_some()));
    let busiest = input
        .split(|b| *b == b'\n')
        .filter(|l| l.starts_with(cl[0].ip.as_bytes()) && l.get(cl[0].ip.len()) == Some(&b' '))
        .count() as u64;
    assert_eq!(cl[0].requests, busiest);

    // Countries: every request somewhere.
    let co = s.countries.as_ref().unwrap();
    assert_eq!(co.iter().map(|c| c.1).sum::<u64>(), 10_000);
    assert!(co.windows(2).all(|w| w[0].1 >= w[1].1));
    if geo.is_some() {
        assert!(co.len() > 20, "real countries: {co:?}");
        let g = s.geo.as_ref().unwrap();
        assert_eq!(g.date.len(), 10);
        // 83.149.9.216, the first line's client, is in Russia in the data set.
        let first = cl.iter().find(|c| c.ip == "83.149.9.216");
        if let Some(c) = first {
            assert_eq!(c.country.as_deref(), Some("RU"));
        }
    }

    // Templates: the top 10 by count.
    let t = s.templates.as_ref().unwrap();
    assert_eq!(t.len(), 10);
    assert!(t.windows(2).all(|w| w[0].count >= w[1].count));

    // Deterministic, and the JSON round-trips.
    let again = series_of(&input, Some(geo.unwrap_or(&tiny)));
    assert_eq!(s.to_json_pretty(), again.to_json_pretty());
    let back: ChartSeries = serde_json::from_str(&s.to_json_pretty()).unwrap();
    assert_eq!(back, s);
    // Each chart's JSON is that member of the whole.
    let whole: serde_json::Value = serde_json::from_str(&s.to_json_pretty()).unwrap();
    for kind in s.charts() {
        let part: serde_json::Value = serde_json::from_str(&s.chart_json(kind).unwrap()).unwrap();
        assert_eq!(part, whole[kind.json_key()], "{}", kind.name());
    }
    assert_eq!(ChartKind::Geo.json_key(), "countries");
    assert!(s.chart_json(ChartKind::Latency).is_none());
    assert!(whole.get("latency").is_none());
}

#[test]
fn without_a_database_no_countries() {
    let s = series_of(&apache_sample(), None);
    assert!(s.countries.is_none() && s.geo.is_none());
    assert!(s.clients.is_some());
    // Public addresses have no country without the database.
    assert!(s.clients.unwrap().iter().all(|c| c.country.is_none()));
}

fn generated_access_log(lines: usize, with_rt: bool) -> (String, Vec<f64>) {
    let mut rng = Rng(99);
    let mut out = String::new();
    let mut rts = Vec::new();
    let t0 = 1_700_000_000i64;
    for i in 0..lines {
        let ip = format!("8.8.{}.{}", rng.below(4), rng.below(200));
        let status = [200, 200, 200, 301, 404, 500][rng.below(6) as usize];
        let rt = with_rt.then(|| ((rng.unit() * rng.unit() * 2000.0) as u64 + 1) as f64 / 1000.0);
        rts.extend(rt);
        out.push_str(&access_line(
            &ip,
            t0 + i as i64 * 3,
            status,
            rng.below(5000),
            rt,
        ));
    }
    (out, rts)
}

#[test]
fn request_times_give_latency() {
    let (log, rts) = generated_access_log(5_000, true);
    let s = series_of(log.as_bytes(), Some(&tiny_geo()));
    let l = s.latency.as_ref().expect("latency series");
    let v = s.volume.as_ref().unwrap();
    assert_eq!((l.bucket_ms, l.start_ms), (v.bucket_ms, v.start_ms));
    assert_eq!(l.p50.len(), v.buckets());
    assert_eq!(l.count.iter().sum::<u64>(), 5_000);
    // Counts per bucket match the volume; percentiles ascend.
    for (i, n) in v.totals().iter().enumerate() {
        assert_eq!(l.count[i], *n);
        if *n > 0 {
            let (a, b, c) = (l.p50[i].unwrap(), l.p95[i].unwrap(), l.p99[i].unwrap());
            assert!(a <= b && b <= c, "bucket {i}: {a} {b} {c}");
        } else {
            assert!(l.p50[i].is_none());
        }
    }
    // Overall: merge all buckets' p50 are within the range of the values.
    let max = rts.iter().cloned().fold(0.0, f64::max);
    assert!(l.p99.iter().flatten().all(|p| *p <= max * 1.04));
    // Countries from the tiny database: 8.0.0.0/8 is US.
    assert_eq!(
        s.countries.as_ref().unwrap(),
        &vec![("US".to_string(), 5_000)]
    );
    assert!(s
        .clients
        .as_ref()
        .unwrap()
        .iter()
        .all(|c| c.country.as_deref() == Some("US")));
    // Errors are the 4xx and 5xx responses.
    let errors: u64 = s.clients.as_ref().unwrap().iter().map(|c| c.errors).sum();
    assert!(errors > 0);

    let (log, _) = generated_access_log(500, false);
    assert!(series_of(log.as_bytes(), None).latency.is_none());
}

#[test]
fn syslog_has_no_http_charts() {
    let mut log = String::new();
    for i in 0..3_000 {
        let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
        let msg = match i % 4 {
            0 => format!(
                "sshd[{}]: Accepted publickey for alice from 10.0.0.{} port 22 ssh2",
                100 + i,
                i % 250
            ),
            1 => "CRON[42]: (root) CMD (run-parts /etc/cron.hourly)".to_string(),
            2 => format!("kernel: [{i}.000] eth0: link up"),
            _ => format!("systemd[1]: Started Session {i} of user bob."),
        };
        log.push_str(&format!("Jan 12 {h:02}:{m:02}:{s:02} web01 {msg}\n"));
    }
    let s = series_of(log.as_bytes(), Some(&tiny_geo()));
    assert!(s.status.is_none() && s.clients.is_none() && s.latency.is_none());
    assert!(s.countries.is_none());
    assert_eq!(s.charts(), [ChartKind::Volume, ChartKind::Templates]);
    let v = s.volume.unwrap();
    assert_eq!(v.totals().iter().sum::<u64>(), 3_000);
    let json = serde_json::to_value(&s.templates).unwrap();
    assert!(json.as_array().unwrap().len() >= 4);
}

#[test]
fn time_range_and_untimed_events() {
    let (log, _) = generated_access_log(1_000, true);
    let t0 = 1_700_000_000_000i64;
    let mut b = SeriesBuilder::with_time_range(t0 + 300_000, t0 + 600_000);
    let mut all = SeriesBuilder::new();
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    let mut on = |ev: &logsieve_engine::Event<'_>| {
        b.observe(ev, None);
        all.observe(ev, None);
    };
    p.feed(log.as_bytes(), &mut on).unwrap();
    p.feed(b"a line without any time\n", &mut on).unwrap();
    p.finish(&mut on).unwrap();
    let s = b.finish(None, None);
    assert_eq!(s.events, 100); // one event every 3 s
    assert_eq!(
        s.status.unwrap().codes.iter().map(|c| c.1).sum::<u64>(),
        100
    );
    assert!(s.templates.is_none(), "no template ids were given");
    let all = all.finish(None, None);
    assert_eq!(all.events, 1_001);
}

#[test]
fn snapshot_then_finish() {
    let (log, _) = generated_access_log(200, false);
    let mut b = SeriesBuilder::new();
    let mut p = Pipeline::new(ParseOptions::with_year(2024));
    let mut on = |ev: &logsieve_engine::Event<'_>| b.observe(ev, None);
    p.feed(log.as_bytes(), &mut on).unwrap();
    p.finish(&mut on).unwrap();
    let geo = tiny_geo();
    let before = b.snapshot(None, None);
    assert!(before.countries.is_none());
    let after = b.finish(None, Some(&geo));
    assert_eq!(before.volume, after.volume);
    assert!(after.countries.is_some());
}

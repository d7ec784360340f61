//! Top clients: exact under the cap, the true top clients on a skewed stream over it, countries in total.

mod common;

use common::Rng;
use logsieve_charts::clients::{ClientCounter, EXACT_CLIENTS};
use logsieve_charts::geo::Place;
use std::collections::HashMap;

fn ip(i: u64) -> String {
    // Public-looking addresses spread over many /24s: 8.x.y.z is `US` in the tiny database, others `ZZ`.
    let a = [8, 23, 45, 81, 151, 203][(i % 6) as usize];
    format!("{a}.{}.{}.{}", (i >> 16) & 255, (i >> 8) & 255, i & 255)
}

#[test]
fn exact_under_the_cap() {
    let mut rng = Rng(11);
    let mut c = ClientCounter::new();
    let mut truth: HashMap<String, (u64, u64, u64)> = HashMap::new();
    for _ in 0..200_000 {
        // A skewed choice among EXACT_CLIENTS distinct clients.
        let r = rng.below(EXACT_CLIENTS as u64);
        let k = if rng.below(2) == 0 { r % 50 } else { r };
        let key = ip(k);
        let err = rng.below(5) == 0;
        let bytes = rng.below(10_000);
        c.add(&key, err, bytes);
        let t = truth.entry(key).or_default();
        t.0 += 1;
        t.1 += err as u64;
        t.2 += bytes;
    }
    assert!(c.is_exact());
    let mut want: Vec<(&String, &(u64, u64, u64))> = truth.iter().collect();
    want.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then(a.0.cmp(b.0)));
    let got = c.top(20);
    assert_eq!(got.len(), 20);
    for ((k, s), (wk, w)) in got.iter().zip(want) {
        assert_eq!(
            (k.as_str(), s.estimate(), s.errors, s.bytes, s.overcount),
            (wk.as_str(), w.0, w.1, w.2, 0)
        );
    }
    let places = c.places(Some(&common::tiny_geo()));
    assert_eq!(places.values().sum::<u64>(), 200_000);
}

#[test]
fn skewed_stream_over_the_cap() {
    let mut rng = Rng(5);
    let mut c = ClientCounter::new();
    let mut truth: HashMap<String, u64> = HashMap::new();
    let heavy = 40u64;
    let n = 600_000;
    for i in 0..n {
        // 30 % of requests from 40 heavy clients (Zipf-like weights), the rest from ~1 M one-off clients;
        // heavy clients start late too, after the table has been pruned.
        let key = if rng.below(10) < 3 && (i > n / 3 || rng.below(4) == 0) {
            let h = rng.below(heavy * heavy);
            let k = heavy - 1 - (h as f64).sqrt() as u64;
            ip(1_000_000_000 + k)
        } else {
            ip(rng.below(1 << 21))
        };
        c.add(&key, false, 100);
        *truth.entry(key).or_default() += 1;
    }
    assert!(!c.is_exact());
    assert!(c.len() <= EXACT_CLIENTS);
    let mut want: Vec<(&String, &u64)> = truth.iter().collect();
    want.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let top = c.top(20);
    let got: Vec<&str> = top.iter().map(|t| t.0.as_str()).collect();
    let want20: Vec<&str> = want[..20].iter().map(|w| w.0.as_str()).collect();
    let mut g = got.clone();
    let mut w = want20.clone();
    g.sort();
    w.sort();
    assert_eq!(g, w, "the top 20 clients");
    for (k, s) in &top {
        let t = truth[k];
        assert!(
            s.estimate() >= t && s.estimate() <= t + s.overcount,
            "{k}: {s:?} vs {t}"
        );
    }
    // Every request is in exactly one place.
    let places = c.places(Some(&common::tiny_geo()));
    assert_eq!(places.values().sum::<u64>(), n);
    let us: u64 = truth
        .iter()
        .filter(|(k, _)| k.starts_with("8."))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(places[&Place::Country(*b"US")], us);
}

#[test]
fn host_names_and_addresses() {
    let mut c = ClientCounter::new();
    for k in [
        "example.org",
        "10.0.0.1",
        "::1",
        "[2001:db8::7]",
        "fe80::1%eth0",
        "8.8.8.8",
    ] {
        c.add(k, false, 0);
    }
    let p = c.places(None);
    assert_eq!(p[&Place::Unknown], 2); // the host name, 8.8.8.8 without a database
    assert_eq!(p[&Place::Private], 3);
    assert_eq!(p[&Place::Reserved], 1);
}

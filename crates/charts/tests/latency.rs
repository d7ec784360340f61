//! Request-time percentiles stay within the documented relative error.

mod common;

use common::Rng;
use logsieve_charts::latency::{
    bin, bin_value, Histogram, BINS, MAX_SECONDS, MIN_SECONDS, RELATIVE_ERROR,
};

/// Nearest-rank percentile of a sorted slice.
fn exact(sorted: &[f64], pct: u32) -> f64 {
    let n = sorted.len() as u64;
    let rank = (n * pct as u64).div_ceil(100).max(1);
    sorted[rank as usize - 1]
}

fn check(name: &str, mut values: Vec<f64>) {
    let mut h = Histogram::new();
    for v in &values {
        h.add(*v);
    }
    values.sort_by(f64::total_cmp);
    for pct in [50, 95, 99, 100, 1] {
        let want = exact(&values, pct);
        let got = h.percentile(pct).unwrap();
        let err = ((got - want) / want).abs();
        assert!(
            err <= RELATIVE_ERROR + 1e-12,
            "{name} p{pct}: got {got}, exact {want}, relative error {err}"
        );
    }
}

#[test]
fn known_distributions() {
    let mut rng = Rng(42);
    // Uniform 1 ms .. 2 s.
    check(
        "uniform",
        (0..50_000).map(|_| 0.001 + rng.unit() * 1.999).collect(),
    );
    // Exponential, mean 120 ms.
    check(
        "exponential",
        (0..50_000)
            .map(|_| (-(1.0 - rng.unit()).ln() * 0.120).max(1e-5))
            .collect(),
    );
    // Log-normal-ish with a long tail: exp of a sum of uniforms.
    check(
        "lognormal",
        (0..50_000)
            .map(|_| {
                let z: f64 = (0..12).map(|_| rng.unit()).sum::<f64>() - 6.0;
                (z * 1.2 - 3.0).exp()
            })
            .collect(),
    );
    // Millisecond-rounded values as nginx writes them (0.001 .. 0.999).
    check(
        "nginx ms",
        (0..20_000)
            .map(|i| ((i * 37) % 999 + 1) as f64 / 1000.0)
            .collect(),
    );
    // Bimodal: cache hits and slow backend calls.
    check(
        "bimodal",
        (0..30_000)
            .map(|i| {
                if i % 10 == 0 {
                    2.5 + rng.unit()
                } else {
                    0.002 + rng.unit() * 0.003
                }
            })
            .collect(),
    );
}

#[test]
fn bins_cover_the_range_exactly() {
    // Every bin's value lies in its own bin, bins ascend, and the error bound holds at bin edges.
    let mut last = -1.0;
    for b in 0..BINS {
        let v = bin_value(b);
        assert!(v > last, "bin {b}");
        last = v;
        if b > 0 && b < BINS - 1 {
            assert_eq!(bin(v), b);
        }
    }
    for v in [MIN_SECONDS, 0.001, 0.0625, 1.0, 1.0624999, 2.71, 4095.9] {
        let r = bin_value(bin(v));
        assert!(((r - v) / v).abs() <= RELATIVE_ERROR, "{v} -> {r}");
    }
    assert_eq!(bin(0.0), 0);
    assert_eq!(bin(-1.0), 0);
    assert_eq!(bin(f64::NAN), 0);
    assert_eq!(bin(MAX_SECONDS * 2.0), BINS - 1);
    assert_eq!(bin(f64::INFINITY), BINS - 1);
    let mut h = Histogram::new();
    assert_eq!(h.percentile(50), None);
    h.add(0.0);
    assert_eq!(h.percentile(99), Some(0.0));
}

#[test]
fn merge_equals_one_histogram() {
    let mut rng = Rng(3);
    let values: Vec<f64> = (0..10_000).map(|_| rng.unit() * 3.0).collect();
    let mut whole = Histogram::new();
    let mut a = Histogram::new();
    let mut b = Histogram::new();
    for (i, v) in values.iter().enumerate() {
        whole.add(*v);
        if i % 3 == 0 {
            a.add(*v)
        } else {
            b.add(*v)
        }
    }
    a.merge(&b);
    assert_eq!(a, whole);
}

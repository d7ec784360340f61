//! Time buckets: the width chosen for a span, and coarsening that keeps every count.

mod common;

use common::Rng;
use logsieve_charts::buckets::{bucket_count, choose, width, widths, TimeBuckets, MAX_BUCKETS};
use std::collections::BTreeMap;

const S: i64 = 1000;
const MIN: i64 = 60 * S;
const H: i64 = 60 * MIN;
const D: i64 = 24 * H;

fn chosen(span_ms: i64) -> i64 {
    let t0 = 1_700_000_000_000i64 - 1_700_000_000_000i64 % D; // midnight UTC
    let mut b = TimeBuckets::new();
    // Events every `span/500` from t0 to t0 + span, in order.
    let step = (span_ms / 500).max(1);
    let mut t = t0;
    while t <= t0 + span_ms {
        b.add(t, 2, None);
        t += step;
    }
    b.add(t0 + span_ms, 2, None);
    b.layout().unwrap().width
}

#[test]
fn ladder_divides() {
    let w = widths(400 * D);
    assert_eq!(
        &w[..11],
        &[
            S,
            5 * S,
            10 * S,
            30 * S,
            MIN,
            5 * MIN,
            15 * MIN,
            H,
            6 * H,
            D,
            7 * D
        ]
    );
    for pair in w.windows(2) {
        assert_eq!(
            pair[1] % pair[0],
            0,
            "{} does not divide {}",
            pair[0],
            pair[1]
        );
    }
}

#[test]
fn bucket_size_choice() {
    // (span, expected width): the smallest on the ladder with at most 200 buckets.
    let cases = [
        (10 * S, S),
        (3 * MIN, S),
        (10 * MIN, 5 * S),
        (H, 30 * S),
        (6 * H, 5 * MIN),
        (D, 15 * MIN),
        (2 * D, 15 * MIN),
        (3 * D, H),
        (30 * D, 6 * H),
        (365 * D, 7 * D),
        (3 * 365 * D, 7 * D),
        (5 * 365 * D, 14 * D),
    ];
    for (span, want) in cases {
        let got = chosen(span);
        assert_eq!(got, want, "span {span} ms");
        let n = bucket_count(0, span, got);
        assert!(n <= MAX_BUCKETS, "span {span}: {n} buckets");
    }
    // The bucket counts land in the documented range for spans past a few minutes.
    for span in [5 * MIN, 47 * MIN, 5 * H, 13 * H, 4 * D, 19 * D, 90 * D] {
        let (_, w) = choose(0, span, 0);
        let n = bucket_count(0, span, w);
        assert!((29..=200).contains(&n), "span {span}: {n} buckets of {w}");
    }
    // One event: one 1-second bucket.
    let mut b = TimeBuckets::new();
    b.add(123_456, 0, None);
    let l = b.layout().unwrap();
    assert_eq!((l.start, l.width, l.count), (123_000, S, 1));
    assert_eq!(width(0), S);
}

/// Reference: counts per bucket of width `w` computed directly.
fn reference(events: &[(i64, usize)], start: i64, w: i64, n: usize) -> Vec<[u64; 7]> {
    let mut out = vec![[0u64; 7]; n];
    for &(t, l) in events {
        out[((t - start) / w) as usize][l] += 1;
    }
    out
}

#[test]
fn coarsening_keeps_totals() {
    let mut rng = Rng(7);
    for (span, n_events) in [
        (90 * S, 5_000),
        (7 * H, 40_000),
        (40 * D, 60_000),
        (900 * D, 20_000),
    ] {
        let t0 = 1_400_000_000_000i64;
        let mut events: Vec<(i64, usize)> = (0..n_events)
            .map(|_| (t0 + rng.below(span as u64) as i64, rng.below(7) as usize))
            .collect();
        // Mostly in order, with some out-of-order stretches and stragglers before the start.
        events.sort_unstable();
        for i in (0..events.len()).step_by(97) {
            let j = rng.below(events.len() as u64) as usize;
            events.swap(i, j);
        }
        events.push((t0 - 3 * S, 4));
        let mut b = TimeBuckets::new();
        for &(t, l) in &events {
            b.add(t, l, None);
        }
        let layout = b.layout().unwrap();
        assert!(layout.count as i64 <= MAX_BUCKETS);
        assert_eq!(layout.start % layout.width, 0);
        assert!(b.fine_width() <= layout.width);
        let (counts, _) = b.merged(&layout);
        assert_eq!(
            counts,
            reference(&events, layout.start, layout.width, layout.count),
            "span {span}"
        );
        let total: u64 = counts.iter().flatten().sum();
        assert_eq!(total, events.len() as u64);
    }
}

#[test]
fn coarsening_merges_histograms() {
    let mut b = TimeBuckets::new();
    let t0 = 1_500_000_000_000i64;
    let mut per_hour: BTreeMap<i64, u64> = BTreeMap::new();
    for i in 0..20_000i64 {
        let t = t0 + i * 17 * S; // about 4 days
        b.add(t, 2, Some(0.010 + (i % 100) as f64 * 0.001));
        *per_hour.entry(t).or_default() += 1;
    }
    let layout = b.layout().unwrap();
    let (counts, lat) = b.merged(&layout);
    assert_eq!(counts.len(), lat.len());
    for (c, h) in counts.iter().zip(&lat) {
        let n: u64 = c.iter().sum();
        assert_eq!(n, h.as_ref().map_or(0, |h| h.count()));
    }
    assert_eq!(lat.iter().flatten().map(|h| h.count()).sum::<u64>(), 20_000);
}

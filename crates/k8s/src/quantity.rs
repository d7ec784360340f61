//! Kubernetes resource quantities: CPU in millicores, memory in bytes, and back.

/// `500m` → 500, `1` → 1000, `0.25` → 250.
pub fn cpu_millis(q: &str) -> Option<u64> {
    let q = q.trim();
    if let Some(m) = q.strip_suffix('m') {
        return m.parse::<f64>().ok().map(|v| v.round() as u64);
    }
    q.parse::<f64>()
        .ok()
        .filter(|v| *v >= 0.0)
        .map(|v| (v * 1000.0).round() as u64)
}

/// `512Mi` → 536870912, `1G` → 1e9, `128974848` → 128974848.
pub fn mem_bytes(q: &str) -> Option<u64> {
    let q = q.trim();
    const UNITS: [(&str, f64); 13] = [
        ("Ki", 1024.0),
        ("Mi", 1048576.0),
        ("Gi", 1073741824.0),
        ("Ti", 1099511627776.0),
        ("Pi", 1125899906842624.0),
        ("Ei", 1152921504606846976.0),
        ("k", 1e3),
        ("K", 1e3),
        ("M", 1e6),
        ("G", 1e9),
        ("T", 1e12),
        ("P", 1e15),
        ("E", 1e18),
    ];
    for (suffix, mult) in UNITS {
        if let Some(num) = q.strip_suffix(suffix) {
            return num
                .trim()
                .parse::<f64>()
                .ok()
                .map(|v| (v * mult).round() as u64);
        }
    }
    if let Some(num) = q.strip_suffix('m') {
        // Milli-bytes: legal, odd, and seen in the wild.
        return num.parse::<f64>().ok().map(|v| (v / 1000.0).round() as u64);
    }
    q.parse::<f64>().ok().map(|v| v.round() as u64)
}

pub fn fmt_cpu(millis: u64) -> String {
    if millis >= 1000 && millis.is_multiple_of(1000) {
        (millis / 1000).to_string()
    } else {
        format!("{millis}m")
    }
}

pub fn fmt_mem(bytes: u64) -> String {
    const GI: u64 = 1 << 30;
    const MI: u64 = 1 << 20;
    if bytes >= GI && bytes.is_multiple_of(GI) {
        format!("{}Gi", bytes / GI)
    } else {
        // Round up to whole MiB.
        format!("{}Mi", bytes.div_ceil(MI).max(1))
    }
}

/// Round a memory size up to a tidy value (64Mi steps below 1Gi, 256Mi steps above).
pub fn tidy_mem(bytes: u64) -> u64 {
    const MI: u64 = 1 << 20;
    let step = if bytes < (1 << 30) { 64 * MI } else { 256 * MI };
    bytes.div_ceil(step).max(1) * step
}

/// Round CPU up to 50m steps below 1 core, 250m above.
pub fn tidy_cpu(millis: u64) -> u64 {
    let step = if millis < 1000 { 50 } else { 250 };
    millis.div_ceil(step).max(1) * step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        assert_eq!(cpu_millis("500m"), Some(500));
        assert_eq!(cpu_millis("1"), Some(1000));
        assert_eq!(cpu_millis("0.25"), Some(250));
        assert_eq!(mem_bytes("512Mi"), Some(512 << 20));
        assert_eq!(mem_bytes("1G"), Some(1_000_000_000));
        assert_eq!(mem_bytes("128974848"), Some(128974848));
        assert_eq!(fmt_cpu(2000), "2");
        assert_eq!(fmt_cpu(250), "250m");
        assert_eq!(fmt_mem(512 << 20), "512Mi");
        assert_eq!(fmt_mem(2 << 30), "2Gi");
        assert_eq!(fmt_mem(tidy_mem(1_000_000_000)), "960Mi");
        assert_eq!(fmt_mem(tidy_mem(1_100_000_000)), "1280Mi");
    }
}

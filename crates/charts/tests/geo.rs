//! Geo: special ranges, the file format, and known addresses in the real data set (when `npm ci` installed it).

mod common;

use logsieve_charts::geo::{self, build, build_raw, date_from_version, special, GeoDb, Place};
use std::net::IpAddr;

fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[test]
fn special_ranges_without_the_database() {
    let private = [
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.4",
        "172.31.255.255",
        "127.0.0.1",
        "100.64.0.1",
        "100.127.255.254",
        "169.254.1.1",
        "::1",
        "fd00::1",
        "fc00::1",
        "fe80::1",
        "::ffff:10.0.0.1",
    ];
    let reserved = [
        "0.0.0.0",
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "192.0.2.1",
        "198.51.100.7",
        "203.0.113.9",
        "198.18.0.1",
        "192.0.0.8",
        "2001:db8::1",
        "3fff::1",
        "ff02::1",
        "::",
        "100::1",
        "2001::1",
    ];
    let public = [
        "8.8.8.8",
        "172.32.0.1",
        "100.128.0.1",
        "11.0.0.1",
        "2001:4860::8888",
        "2a00::1",
    ];
    for a in private {
        assert_eq!(special(ip(a)), Some(Place::Private), "{a}");
    }
    for a in reserved {
        assert_eq!(special(ip(a)), Some(Place::Reserved), "{a}");
    }
    for a in public {
        assert_eq!(special(ip(a)), None, "{a}");
    }
    assert_eq!(geo::locate(None, ip("8.8.8.8")), Place::Unknown);
    assert_eq!(Place::Private.as_str(), "private");
    assert_eq!(Place::Country(*b"NL").as_str(), "NL");
    assert_eq!(geo::parse_ip("[::1]"), Some(ip("::1")));
    assert_eq!(geo::parse_ip("fe80::1%eth0"), Some(ip("fe80::1")));
    assert_eq!(geo::parse_ip("example.org"), None);
}

#[test]
fn format_round_trip_overlaps_and_gaps() {
    // 1.0.0.0-1.0.0.255 AU; 1.0.1.0-1.0.3.255 CN with a more specific 1.0.2.0/24 JP inside (the later row wins);
    // a gap up to 2.0.0.0; 2.0.0.0/8 FR; nothing else.
    let v4 =
        "16777216,16777471,AU\n16777472,16778239,CN\n16777728,16777983,JP\n33554432,50331647,FR\n";
    let v6 = format!(
        "{},{},DE\n{},{},US\n",
        0x2a00u128 << 112,
        (0x2a01u128 << 112) - 1,
        0x2a00_1450u128 << 96,
        (0x2a00_1451u128 << 96) - 1
    );
    let gz = build(v4, &v6, "2026-06-17", "unit test").unwrap();
    let raw = build_raw(v4, &v6, "2026-06-17", "unit test").unwrap();
    assert_eq!(&gz[..2], &[0x1f, 0x8b]);
    let a = GeoDb::from_bytes(&gz).unwrap();
    let b = GeoDb::from_bytes(&raw).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.date(), "2026-06-17");
    assert_eq!(a.source(), "unit test");
    let cases = [
        ("1.0.0.0", "AU"),
        ("1.0.0.255", "AU"),
        ("1.0.1.0", "CN"),
        ("1.0.1.255", "CN"),
        ("1.0.2.0", "JP"),
        ("1.0.2.255", "JP"),
        ("1.0.3.0", "CN"),
        ("1.0.3.255", "CN"),
        ("1.0.4.0", "unknown"),
        ("1.255.255.255", "unknown"),
        ("2.0.0.0", "FR"),
        ("2.255.255.255", "FR"),
        ("3.0.0.0", "unknown"),
        ("0.255.255.255", "reserved"),
        ("::ffff:2.1.2.3", "FR"),
        ("2002:0201:0203::1", "FR"), // 6to4 of 2.1.2.3
        ("2a00::1", "DE"),
        ("2a00:1450::1", "US"),
        ("2a00:1451::", "DE"),
        ("2a01::", "unknown"),
        ("2001:db8::1", "reserved"),
        ("10.0.0.1", "private"),
    ];
    for (addr, want) in cases {
        assert_eq!(a.lookup(ip(addr)).as_str(), want, "{addr}");
    }
    // Broken files are refused, not misread.
    assert!(GeoDb::from_bytes(b"nonsense").is_err());
    assert!(GeoDb::from_bytes(&raw[..raw.len() - 1]).is_err());
    assert!(GeoDb::from_bytes(&gz[..gz.len() / 2]).is_err());
    assert!(build("1,2\n", "", "d", "s").is_err());
    assert_eq!(
        date_from_version("2.3.2026061719").as_deref(),
        Some("2026-06-17")
    );
    assert_eq!(date_from_version("1.0.0"), None);
}

#[test]
fn known_addresses_in_the_real_data_set() {
    let Some((db, gz_len, raw_len)) = common::npm_geo() else {
        eprintln!(
            "skipped: node_modules/@ip-location-db/geo-whois-asn-country is not installed (npm ci)"
        );
        return;
    };
    eprintln!(
        "geo database: {gz_len} bytes gzip, {raw_len} bytes inflated, {:?} ranges, data {}",
        db.len(),
        db.date()
    );
    // The asset the page fetches must stay small.
    assert!(*gz_len <= 3 << 20, "geo asset is {gz_len} bytes compressed");
    // Long-stable registrations.
    let known = [
        ("8.8.8.8", "US"),   // Google, ARIN
        ("193.0.0.1", "NL"), // RIPE NCC's own 193.0.0.0/21
        ("193.0.7.254", "NL"),
        ("202.12.27.33", "JP"),         // M-root, WIDE Project (APNIC)
        ("200.160.0.1", "BR"),          // NIC.br, LACNIC
        ("133.1.1.1", "JP"),            // Japanese academic /8
        ("41.0.0.1", "ZA"),             // AFRINIC
        ("2001:67c:2e8::1", "NL"),      // RIPE NCC
        ("2001:4860:4860::8888", "US"), // Google public DNS over IPv6
        ("::ffff:8.8.8.8", "US"),
    ];
    for (addr, want) in known {
        assert_eq!(db.lookup(ip(addr)).as_str(), want, "{addr}");
    }
    // Special ranges win over the data set (which places e.g. 2001:db8::/32 in a country).
    for (addr, want) in [
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("172.16.5.4", "private"),
        ("127.0.0.1", "private"),
        ("100.64.0.1", "private"),
        ("169.254.1.1", "private"),
        ("224.0.0.1", "reserved"),
        ("::1", "private"),
        ("fd00::1", "private"),
        ("fe80::1", "private"),
        ("2001:db8::1", "reserved"),
        ("192.0.2.1", "reserved"),
    ] {
        assert_eq!(db.lookup(ip(addr)).as_str(), want, "{addr}");
    }
}

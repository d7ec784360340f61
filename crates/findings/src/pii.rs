//! Personal data written with digits: phone numbers (mainland-China mobiles, `+CC` international numbers and the
//! North-American `(415) 555-0132` shapes), China resident identity numbers (with their ISO 7064 check digit and a
//! real birth date), and payment card numbers (issuer prefix and Luhn).
//!
//! The scan probes every fourth byte for a digit (every number of four digits or more has a probed byte), and
//! only around a probed digit looks at the run of digit groups there, so text without long numbers costs a few
//! comparisons per 4 bytes.

use crate::secrets::{Class, Hit};
use logsieve_engine::Severity;

fn is_d(c: u8) -> bool {
    c.is_ascii_digit()
}

fn is_sep(c: u8) -> bool {
    matches!(c, b' ' | b'-' | b'.' | b'(' | b')')
}

/// Pushes the digit-shaped personal data of `text` to `out`.
///
/// The cursor only moves forward: a region is never read again once scanned (`floor` is where the last region
/// ended, and the walk back from a probed digit stops there), so every byte is examined a bounded number of times
/// whatever the input (a hex dump, a run of IP addresses or phone numbers, a megabyte of digits).
pub fn scan(text: &str, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 3usize.min(n.saturating_sub(1));
    let mut floor = 0usize;
    let mut groups: Vec<(usize, usize)> = Vec::new();
    let mut work = 0u64;
    while i < n {
        work += 1;
        if !is_d(b[i]) {
            i += 4;
            continue;
        }
        // The region of digit groups joined by at most two separator bytes, read left to right.
        let rs = region_start(b, i, floor);
        work += (i - rs) as u64;
        groups.clear();
        let mut j = rs;
        let mut digits = 0;
        let mut only_dots = true;
        let mut re;
        loop {
            let gs = j;
            while j < n && is_d(b[j]) {
                j += 1;
            }
            groups.push((gs, j));
            digits += j - gs;
            re = j;
            let mut k = j;
            let mut seps = 0;
            while k < n && is_sep(b[k]) && seps < 2 {
                if b[k] != b'.' {
                    only_dots = false;
                }
                k += 1;
                seps += 1;
            }
            if seps == 0 || k >= n || !is_d(b[k]) {
                break;
            }
            j = k;
        }
        work += (re.max(i) - i) as u64 + groups.len() as u64;
        // Every shape needs 8 digits or more; numbers joined by dots only are IP addresses, versions and
        // decimals (but for the North-American 415.555.0132).
        let us_dotted = groups.len() == 3
            && groups[0].1 - groups[0].0 == 3
            && groups[1].1 - groups[1].0 == 3
            && groups[2].1 - groups[2].0 == 4;
        if digits >= 8 && !(only_dots && groups.len() > 1 && !us_dotted) {
            match_groups(b, &groups, out);
        }
        // Continue after the region (probing stays aligned to a stride of 4 from there); the region is never
        // read again.
        floor = re.max(i + 1);
        i = floor + 3;
    }
    crate::work::add(work);
}

/// The start of the region of digit groups (joined by at most two separator bytes) around the digit at `i`, not
/// before `floor` (the end of the region scanned before).
fn region_start(b: &[u8], i: usize, floor: usize) -> usize {
    let mut j = i;
    loop {
        while j > floor && is_d(b[j - 1]) {
            j -= 1;
        }
        let mut k = j;
        let mut seps = 0;
        while k > floor && is_sep(b[k - 1]) && seps < 2 {
            k -= 1;
            seps += 1;
        }
        if seps > 0 && k > floor && is_d(b[k - 1]) {
            j = k;
            continue;
        }
        return j;
    }
}

fn word_before(b: &[u8], s: usize) -> bool {
    s > 0 && (b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_')
}

fn word_after(b: &[u8], e: usize) -> bool {
    e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'_')
}

fn push(out: &mut Vec<Hit>, start: usize, end: usize, label: &'static str, severity: Severity) {
    out.push(Hit {
        start,
        end,
        label,
        class: Class::Pii,
        severity,
    });
}

fn sep_between(b: &[u8], a: (usize, usize), c: (usize, usize)) -> &[u8] {
    &b[a.1..c.0]
}

fn match_groups(b: &[u8], groups: &[(usize, usize)], out: &mut Vec<Hit>) {
    let mut k = 0;
    while k < groups.len() {
        let used = match_at(b, groups, k, out);
        k += used.max(1);
    }
}

/// Tries the shapes starting at group `k`; returns how many groups the match used (0: none).
fn match_at(b: &[u8], groups: &[(usize, usize)], k: usize, out: &mut Vec<Hit>) -> usize {
    let (s, e) = groups[k];
    let len = e - s;
    let prev_sep = if k > 0 {
        sep_between(b, groups[k - 1], groups[k])
    } else {
        &[][..]
    };
    let next_sep = if k + 1 < groups.len() {
        sep_between(b, groups[k], groups[k + 1])
    } else {
        &[][..]
    };
    // A number that is part of a dotted number (a version, an IP address, a decimal) is not personal data.
    let dotted = prev_sep == b"." || next_sep == b".";

    // International: `+CC` then groups, 8 to 15 digits in all.
    if s > 0 && b[s - 1] == b'+' && !word_before(b, s - 1) {
        let mut digits = 0;
        let mut j = k;
        let mut last = k;
        while j < groups.len() {
            let g = groups[j];
            if j > k {
                let sep = sep_between(b, groups[j - 1], g);
                if sep.contains(&b'.') && sep.len() > 1 {
                    break;
                }
            }
            digits += g.1 - g.0;
            last = j;
            if digits >= 8 {
                // Prefer the longest plausible number.
                let mut dd = digits;
                let mut jj = j + 1;
                while jj < groups.len() && dd + (groups[jj].1 - groups[jj].0) <= 15 {
                    dd += groups[jj].1 - groups[jj].0;
                    last = jj;
                    jj += 1;
                }
                break;
            }
            j += 1;
        }
        let total: usize = groups[k..=last].iter().map(|g| g.1 - g.0).sum();
        if (8..=15).contains(&total) && !word_after(b, groups[last].1) {
            push(out, s - 1, groups[last].1, "phone", Severity::Medium);
            return last - k + 1;
        }
    }

    if !dotted && !word_before(b, s) && !(s > 0 && (b[s - 1] == b'-' || b[s - 1] == b'_')) {
        // China resident identity number: 17 digits and a check character, or 18 digits.
        if len == 17
            && e < b.len()
            && (b[e] == b'X' || b[e] == b'x')
            && !word_after(b, e + 1)
            && cn_id_valid(&b[s..e + 1])
        {
            push(out, s, e + 1, "cn-id", Severity::High);
            return 1;
        }
        if !word_after(b, e) {
            if len == 18 && cn_id_valid(&b[s..e]) {
                push(out, s, e, "cn-id", Severity::High);
                return 1;
            }
            if len == 11 && b[s] == b'1' && (b'3'..=b'9').contains(&b[s + 1]) {
                // With a `+86 ` or `86-` prefix before it, the prefix belongs to the number.
                push(out, s, e, "phone", Severity::Medium);
                return 1;
            }
            if (13..=19).contains(&len) && card_valid(&b[s..e]) {
                push(out, s, e, "card", Severity::High);
                return 1;
            }
        }
        // Grouped card numbers: 4-4-4-4[-3], 4-6-5 / 4-6-4, one separator (a blank or a dash) throughout.
        if len == 4 && k + 2 < groups.len() {
            let sep = next_sep;
            if sep == b" " || sep == b"-" {
                let mut digits: Vec<u8> = Vec::with_capacity(19);
                let mut j = k;
                let mut shape = Vec::new();
                while j < groups.len() && digits.len() < 19 {
                    if j > k && sep_between(b, groups[j - 1], groups[j]) != sep {
                        break;
                    }
                    let g = groups[j];
                    digits.extend_from_slice(&b[g.0..g.1]);
                    shape.push(g.1 - g.0);
                    j += 1;
                    let ok_shape = matches!(
                        shape.as_slice(),
                        [4, 4, 4, 4]
                            | [4, 4, 4, 4, 3]
                            | [4, 6, 5]
                            | [4, 6, 4]
                            | [4, 4, 4, 2]
                            | [4, 4, 4, 1]
                    );
                    if ok_shape && card_valid(&digits) && !word_after(b, g.1) {
                        // Take the longer shape when it is valid too ([4,4,4,4] then [4,4,4,4,3]).
                        if shape == [4, 4, 4, 4]
                            && j < groups.len()
                            && sep_between(b, g, groups[j]) == sep
                            && groups[j].1 - groups[j].0 == 3
                        {
                            let mut d2 = digits.clone();
                            d2.extend_from_slice(&b[groups[j].0..groups[j].1]);
                            if card_valid(&d2) && !word_after(b, groups[j].1) {
                                push(out, s, groups[j].1, "card", Severity::High);
                                return j - k + 1;
                            }
                        }
                        push(out, s, g.1, "card", Severity::High);
                        return j - k;
                    }
                }
            }
        }
        // North-American shapes: 415-555-0132, 415.555.0132, (415) 555-0132.
        if len == 3 && k + 2 < groups.len() {
            let g2 = groups[k + 1];
            let g3 = groups[k + 2];
            let s1 = sep_between(b, groups[k], g2);
            let s2 = sep_between(b, g2, g3);
            let third_ok = g3.1 - g3.0 == 4 && !word_after(b, g3.1) && g2.1 - g2.0 == 3;
            let paren = s > 0 && b[s - 1] == b'(' && s1 == b") " && s2 == b"-";
            let plain = (s1 == b"-" && s2 == b"-") || (s1 == b"." && s2 == b".");
            let after_dot = k + 3 < groups.len() && sep_between(b, g3, groups[k + 3]) == b".";
            if third_ok && (paren || plain) && !after_dot && (b'2'..=b'9').contains(&b[s]) {
                let start = if paren { s - 1 } else { s };
                push(out, start, g3.1, "phone", Severity::Medium);
                return 3;
            }
        }
    }
    0
}

/// Luhn checksum and a known issuer prefix for the length.
pub fn card_valid(d: &[u8]) -> bool {
    let n = d.len();
    if !(13..=19).contains(&n) || !d.iter().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let v = |i: usize| (d[i] - b'0') as u32;
    let p2 = v(0) * 10 + v(1);
    let p3 = p2 * 10 + v(2);
    let p4 = p3 * 10 + v(3);
    let brand = match d[0] {
        b'4' => n == 13 || n == 16 || n == 19,
        b'5' => (51..=55).contains(&p2) && n == 16,
        b'2' => (2221..=2720).contains(&p4) && n == 16,
        b'3' => {
            ((p2 == 34 || p2 == 37) && n == 15)
                || ((3528..=3589).contains(&p4) && (16..=19).contains(&n))
                || (((300..=305).contains(&p3) || p2 == 36 || p2 == 38 || p2 == 39)
                    && (14..=19).contains(&n))
        }
        b'6' => {
            (p4 == 6011 || p2 == 65 || (644..=649).contains(&p3) || p2 == 62)
                && (16..=19).contains(&n)
        }
        _ => false,
    };
    if !brand {
        return false;
    }
    // Reject degenerate numbers (all one digit).
    if d.iter().all(|c| *c == d[0]) {
        return false;
    }
    let mut sum = 0;
    for (i, c) in d.iter().rev().enumerate() {
        let mut x = (c - b'0') as u32;
        if i % 2 == 1 {
            x *= 2;
            if x > 9 {
                x -= 9;
            }
        }
        sum += x;
    }
    sum % 10 == 0
}

/// A China resident identity number (GB 11643-1999): region, birth date, sequence, ISO 7064 MOD 11-2 check.
pub fn cn_id_valid(id: &[u8]) -> bool {
    if id.len() != 18 || !id[..17].iter().all(|c| c.is_ascii_digit()) {
        return false;
    }
    let d = |i: usize| (id[i] - b'0') as u32;
    let region = d(0) * 10 + d(1);
    let region_ok = matches!(region, 11..=15 | 21..=23 | 31..=37 | 41..=46 | 50..=54 | 61..=65 | 71 | 81..=83 | 91);
    if !region_ok {
        return false;
    }
    let year = d(6) * 1000 + d(7) * 100 + d(8) * 10 + d(9);
    let month = d(10) * 10 + d(11);
    let day = d(12) * 10 + d(13);
    if !(1900..=2099).contains(&year) || !(1..=12).contains(&month) {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let mdays = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    if day == 0 || day > mdays {
        return false;
    }
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = (0..17).map(|i| d(i) * W[i]).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    id[17].to_ascii_uppercase() == check
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(t: &str) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        scan(t, &mut out);
        out.iter()
            .map(|h| (h.label, t[h.start..h.end].to_string()))
            .collect()
    }

    #[test]
    fn finds_digit_pii() {
        assert_eq!(
            labels("call 13812345678 now"),
            vec![("phone", "13812345678".into())]
        );
        assert_eq!(
            labels("tel +86 138 1234 5678."),
            vec![("phone", "+86 138 1234 5678".into())]
        );
        assert_eq!(
            labels("ph (415) 555-0132 x"),
            vec![("phone", "(415) 555-0132".into())]
        );
        assert_eq!(
            labels("ph 415-555-0132"),
            vec![("phone", "415-555-0132".into())]
        );
        assert_eq!(
            labels("card=4111111111111111;"),
            vec![("card", "4111111111111111".into())]
        );
        assert_eq!(
            labels("card 4111 1111 1111 1111 ok"),
            vec![("card", "4111 1111 1111 1111".into())]
        );
        assert_eq!(
            labels("amex 3782-822463-10005"),
            vec![("card", "3782-822463-10005".into())]
        );
        assert_eq!(
            labels("id 11010519491231002X"),
            vec![("cn-id", "11010519491231002X".into())]
        );
        assert_eq!(labels("id=110105194912310021"), vec![]);
    }

    #[test]
    fn ignores_ordinary_numbers() {
        assert!(labels("blk_-1608999687919862906 len 67108864").is_empty());
        assert!(labels("blk_3587508140051953248").is_empty());
        assert!(labels("ts 1700000000000 and 2024-01-15 10:23:45.123").is_empty());
        assert!(labels("ip 192.168.100.123 port 8080 v1.2.3").is_empty());
        assert!(labels("took 4111111111111112 ns").is_empty());
        assert!(labels("pid 12345 uid 1000 gid 100 size 1048576").is_empty());
    }

    #[test]
    fn checks() {
        assert!(card_valid(b"4111111111111111"));
        assert!(card_valid(b"5500000000000004"));
        assert!(card_valid(b"378282246310005"));
        assert!(!card_valid(b"1234567812345678"));
        assert!(cn_id_valid(b"11010519491231002X"));
        assert!(!cn_id_valid(b"11010519491331002X"));
    }
}

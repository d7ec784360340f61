//! National identifiers and bank accounts as personal data: validation of Chinese resident identity numbers (the
//! 18-digit GB 11643-1999 form and the 15-digit first-generation GB 11643-1989 form), US Social Security numbers, and
//! the IBAN scan (ISO 13616).
//!
//! What is knowledge lives in tables: the IBAN length of every country of the SWIFT IBAN registry, the province
//! codes that open a Chinese region code. The digit scan (`pii.rs`) finds the numbers and asks these checks; the
//! IBAN, which holds letters, has its own forward-only scan here.

use crate::secrets::{Class, Hit};
use logsieve_engine::Severity;

/// IBAN length per country (SWIFT IBAN registry, release 99, 2025): the two-letter country code and the whole
/// length (country code, two check digits and the BBAN).
const IBAN_LENGTHS: &[(&[u8; 2], usize)] = &[
    (b"AD", 24),
    (b"AE", 23),
    (b"AL", 28),
    (b"AT", 20),
    (b"AZ", 28),
    (b"BA", 20),
    (b"BE", 16),
    (b"BG", 22),
    (b"BH", 22),
    (b"BI", 27),
    (b"BR", 29),
    (b"BY", 28),
    (b"CH", 21),
    (b"CR", 22),
    (b"CY", 28),
    (b"CZ", 24),
    (b"DE", 22),
    (b"DJ", 27),
    (b"DK", 18),
    (b"DO", 28),
    (b"EE", 20),
    (b"EG", 29),
    (b"ES", 24),
    (b"FI", 18),
    (b"FK", 18),
    (b"FO", 18),
    (b"FR", 27),
    (b"GB", 22),
    (b"GE", 22),
    (b"GI", 23),
    (b"GL", 18),
    (b"GR", 27),
    (b"GT", 28),
    (b"HN", 28),
    (b"HR", 21),
    (b"HU", 28),
    (b"IE", 22),
    (b"IL", 23),
    (b"IQ", 23),
    (b"IS", 26),
    (b"IT", 27),
    (b"JO", 30),
    (b"KW", 30),
    (b"KZ", 20),
    (b"LB", 28),
    (b"LC", 32),
    (b"LI", 21),
    (b"LT", 20),
    (b"LU", 20),
    (b"LV", 21),
    (b"LY", 25),
    (b"MC", 27),
    (b"MD", 24),
    (b"ME", 22),
    (b"MK", 19),
    (b"MN", 20),
    (b"MR", 27),
    (b"MT", 31),
    (b"MU", 30),
    (b"NI", 28),
    (b"NL", 18),
    (b"NO", 15),
    (b"OM", 23),
    (b"PK", 24),
    (b"PL", 28),
    (b"PS", 29),
    (b"QA", 29),
    (b"RO", 24),
    (b"RS", 22),
    (b"RU", 33),
    (b"SA", 24),
    (b"SC", 31),
    (b"SD", 18),
    (b"SE", 24),
    (b"SI", 19),
    (b"SK", 24),
    (b"SM", 27),
    (b"SO", 23),
    (b"ST", 25),
    (b"SV", 28),
    (b"TL", 23),
    (b"TN", 24),
    (b"TR", 26),
    (b"UA", 29),
    (b"VA", 22),
    (b"VG", 24),
    (b"XK", 20),
    (b"YE", 30),
];

/// The longest IBAN of the registry.
const IBAN_MAX: usize = 34;

/// The first two digits of a Chinese administrative region code (GB/T 2260): the provinces, autonomous regions and
/// municipalities, Taiwan (71), Hong Kong and Macau (81, 82, 83 for residence permits) and 91 (foreigners'
/// permanent residence, whose ids share the layout).
const CN_PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91,
];

fn digit(c: u8) -> u32 {
    (c - b'0') as u32
}

/// The region code (first six digits) opens with a province and names a prefecture (digits 3–4 are not `00`).
fn cn_region_valid(id: &[u8]) -> bool {
    let province = (digit(id[0]) * 10 + digit(id[1])) as u8;
    CN_PROVINCES.contains(&province) && !(id[2] == b'0' && id[3] == b'0')
}

fn date_valid(year: u32, month: u32, day: u32) -> bool {
    if !(1..=12).contains(&month) {
        return false;
    }
    let leap = (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400);
    let days = match month {
        2 if leap => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    };
    (1..=days).contains(&day)
}

/// A China resident identity number (GB 11643-1999): region, birth date `YYYYMMDD`, sequence, ISO 7064 MOD 11-2
/// check character.
pub fn cn_id_valid(id: &[u8]) -> bool {
    if id.len() != 18 || !id[..17].iter().all(u8::is_ascii_digit) || !cn_region_valid(id) {
        return false;
    }
    let d = |i: usize| digit(id[i]);
    let year = d(6) * 1000 + d(7) * 100 + d(8) * 10 + d(9);
    if !(1900..=2099).contains(&year) || !date_valid(year, d(10) * 10 + d(11), d(12) * 10 + d(13)) {
        return false;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = (0..17).map(|i| d(i) * WEIGHTS[i]).sum();
    let check = b"10X98765432"[(sum % 11) as usize];
    id[17].to_ascii_uppercase() == check
}

/// A first-generation China resident identity number (GB 11643-1989, issued until 2004): region code, birth date
/// `YYMMDD` in the 1900s, three-digit sequence, no check digit. Only the region and the date can be checked, so
/// the caller requires the number to stand alone.
pub fn cn_id15_valid(id: &[u8]) -> bool {
    if id.len() != 15 || !id.iter().all(u8::is_ascii_digit) || !cn_region_valid(id) {
        return false;
    }
    let d = |i: usize| digit(id[i]);
    date_valid(
        1900 + d(6) * 10 + d(7),
        d(8) * 10 + d(9),
        d(10) * 10 + d(11),
    )
}

/// A US Social Security number's three parts (SSA rules since 2011): area not 000, 666 or 900–999, group not 00,
/// serial not 0000.
pub fn ssn_valid(area: &[u8], group: &[u8], serial: &[u8]) -> bool {
    area.len() == 3
        && group.len() == 2
        && serial.len() == 4
        && area != b"000"
        && area != b"666"
        && area[0] != b'9'
        && group != b"00"
        && serial != b"0000"
}

/// An IBAN's ISO 7064 MOD 97-10 check over its characters (spaces already removed): the four first characters moved
/// to the end, letters read as 10–35, the number modulo 97 is 1.
pub fn iban_checksum_valid(iban: &[u8]) -> bool {
    if iban.len() < 5 {
        return false;
    }
    let mut rem = 0u32;
    for &c in iban[4..].iter().chain(&iban[..4]) {
        let c = c.to_ascii_uppercase();
        rem = match c {
            b'0'..=b'9' => (rem * 10 + digit(c)) % 97,
            b'A'..=b'Z' => (rem * 100 + (c - b'A' + 10) as u32) % 97,
            _ => return false,
        };
    }
    rem == 1
}

fn iban_length(country: [u8; 2]) -> Option<usize> {
    let cc = [
        country[0].to_ascii_uppercase(),
        country[1].to_ascii_uppercase(),
    ];
    IBAN_LENGTHS
        .iter()
        .find(|(c, _)| **c == cc)
        .map(|(_, n)| *n)
}

/// Pushes every IBAN of `text`: a registry country code, two check digits, then the BBAN to the country's length,
/// compact or printed in groups of four separated by single spaces, in either case, passing the MOD 97 check, and
/// standing alone (no letter or digit right before or after).
///
/// Linear: a candidate starts only at a word start, and reads at most the longest IBAN with its spaces.
pub fn scan_iban(text: &str, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    let n = b.len();
    let mut work = 0u64;
    let mut i = 0;
    let mut chars = [0u8; IBAN_MAX];
    while i + 4 < n {
        work += 1;
        let starts = b[i].is_ascii_alphabetic()
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b[i + 1].is_ascii_alphabetic()
            && b[i + 2].is_ascii_digit()
            && b[i + 3].is_ascii_digit();
        let Some(len) = starts.then(|| iban_length([b[i], b[i + 1]])).flatten() else {
            i += 1;
            continue;
        };
        // Read the characters: compact, or groups of four separated by one space.
        let mut got = 0;
        let mut j = i;
        let mut grouped = None;
        while j < n && got < len {
            let c = b[j];
            if c.is_ascii_alphanumeric() {
                chars[got] = c;
                got += 1;
                j += 1;
            } else if c == b' '
                && got.is_multiple_of(4)
                && b[j - 1] != b' '
                && grouped != Some(false)
                && j + 1 < n
            {
                if got == 4 {
                    grouped = Some(true);
                }
                if grouped != Some(true) {
                    break;
                }
                j += 1;
            } else {
                break;
            }
            if got == 5 && grouped.is_none() {
                grouped = Some(false);
            }
        }
        work += (j - i) as u64;
        let ends_alone = j >= n || !b[j].is_ascii_alphanumeric();
        if got == len && ends_alone && iban_checksum_valid(&chars[..len]) {
            out.push(Hit {
                start: i,
                end: j,
                label: "iban",
                class: Class::Pii,
                severity: Severity::High,
            });
            i = j;
        } else {
            i += 1;
        }
    }
    crate::work::add(work);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ibans(t: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan_iban(t, &mut out);
        out.iter().map(|h| &t[h.start..h.end]).collect()
    }

    #[test]
    fn iban_forms() {
        assert_eq!(
            ibans("iban=DE89370400440532013000;"),
            ["DE89370400440532013000"]
        );
        assert_eq!(
            ibans("IBAN DE89 3704 0044 0532 0130 00 BIC COBADEFFXXX"),
            ["DE89 3704 0044 0532 0130 00"]
        );
        assert_eq!(
            ibans("gb82 west 1234 5698 7654 32."),
            ["gb82 west 1234 5698 7654 32"]
        );
        assert_eq!(ibans("GB82WEST12345698765432"), ["GB82WEST12345698765432"]);
        assert!(
            ibans("DE89370400440532013001").is_empty(),
            "bad check digits"
        );
        assert!(ibans("DE893704004405320130001").is_empty(), "too long");
        assert!(
            ibans("XDE89370400440532013000").is_empty(),
            "not at a word start"
        );
        assert!(
            ibans("ZZ89370400440532013000").is_empty(),
            "no such country"
        );
        assert!(ibans("de89 a b").is_empty());
    }

    #[test]
    fn ids() {
        assert!(cn_id15_valid(b"110105491231002"));
        assert!(!cn_id15_valid(b"110105491331002"), "month 13");
        assert!(!cn_id15_valid(b"990105491231002"), "no province 99");
        assert!(
            !cn_id15_valid(b"110005000229002"),
            "1900 is not a leap year"
        );
        assert!(cn_id15_valid(b"110105960229002"));
        assert!(ssn_valid(b"078", b"05", b"1120"));
        assert!(!ssn_valid(b"666", b"05", b"1120"));
        assert!(!ssn_valid(b"912", b"05", b"1120"));
        assert!(!ssn_valid(b"078", b"00", b"1120"));
        assert!(!ssn_valid(b"078", b"05", b"0000"));
    }
}

//! Personal data in logs, apart from e-mail addresses (found with the secrets, `secrets.rs`, under the policy of
//! `pii_email.rs`): the digit-shaped data found here, and two scans of their own, IBANs (`pii_ids.rs`) and
//! URL-encoded e-mail addresses (`pii_email.rs`).
//!
//! Shapes, each from its specification:
//!
//! - **Phones.** International numbers (E.164) after `+` or the `00` international prefix, 8–15 digits with a
//!   valid country calling code, in any grouping (spaces, dashes, dots, `(0)` or `(20)` in parentheses).
//!   `00` is a weaker sign than `+`: not when a hex-dump token stands beside the number.
//!   Mainland-China mobiles `1[3-9]x xxxx xxxx` compact or in any grouping (2–3 groups, one separator);
//!   Chinese landlines `010-12345678`,
//!   `(0755) 1234 5678`. North-American (NANP) numbers `(415) 555-0132`, `415-555-0132`, `415.555.0132`,
//!   `415 555 0132`, `1-800-555-0199`, area and exchange codes starting 2–9. National numbers with a trunk `0`
//!   (`020 7946 0958`, `06 12 34 56 78`, `030 901820`): after a phone keyword (`tel`, `phone`, `手机`, …) within 32
//!   bytes before, or without one when the grouping is unmistakable: three groups or more, one separator, 10
//!   digits or more, nothing that continues the run (a hex dump) on either side.
//! - **China resident ids**: 18 digits (GB 11643-1999: region, birth date, ISO 7064 check character) and 15
//!   digits (GB 11643-1989: region, `YYMMDD` birth date, no check digit).
//! - **US Social Security numbers** `AAA-GG-SSSS` (dashes or spaces; area not 000, 666, 9xx; group not 00;
//!   serial not 0000), and 9 bare digits only after a keyword (`ssn`, `social security`).
//! - **Payment cards**: 13–19 digits with an issuer prefix and the Luhn check, compact or grouped.
//!
//! Numbers that are none of these stay: a digit group glued to a word (`blk_123…`, `v2`), a part of a dotted number
//! (IP addresses, versions, decimals), timestamps, sizes, ids that fail the checks.
//!
//! The digit scan probes every fourth byte for a digit (every number of four digits or more has a probed byte),
//! and only around a probed digit looks at the run of digit groups there, so text without long numbers costs a few
//! comparisons per 4 bytes. Keywords are looked for in the 32 bytes before a run of 8 digits or more, once per
//! run. Every scan moves forward only: the work is linear in the line's length.

pub use crate::pii_ids::cn_id_valid;
use crate::pii_ids::{cn_id15_valid, ssn_valid};
use crate::secrets::{Class, Hit};
use aho_corasick::{AhoCorasick, MatchKind};
use logsieve_engine::Severity;
use std::sync::OnceLock;

/// Words that announce a phone number (lower case; matched case-insensitively, so `Tel.:` and `PHONE` count).
const PHONE_KEYWORDS: &[&str] = &[
    "tel",
    "phone",
    "mobile",
    "mobil",
    "cell",
    "call",
    "fax",
    "contact",
    "sms",
    "whatsapp",
    "handy",
    "rückruf",
    "anruf",
    "téléphone",
    "portable",
    "telefon",
    "telefono",
    "teléfono",
    "móvil",
    "celular",
    "手机",
    "手機",
    "电话",
    "電話",
    "联系",
    "聯繫",
    "号码",
    "號碼",
    "携帯",
];

/// Words that announce a US Social Security number written as 9 bare digits.
const SSN_KEYWORDS: &[&str] = &[
    "ssn",
    "social security",
    "social_security",
    "socialsecurity",
    "ss#",
];

/// How far before a run of digits a keyword is looked for (bytes).
const KEYWORD_REACH: usize = 32;

/// The first digits of the country calling codes (ITU-T E.164 assignments): the one-digit codes, the two-digit
/// codes, and the two-digit prefixes of the three-digit codes. A number after `+` or `00` must start with one.
const CALLING_CODE_PREFIXES: &[&str] = &[
    "1", "7", "20", "21", "22", "23", "24", "25", "26", "27", "29", "30", "31", "32", "33", "34",
    "35", "36", "37", "38", "39", "40", "41", "42", "43", "44", "45", "46", "47", "48", "49", "50",
    "51", "52", "53", "54", "55", "56", "57", "58", "59", "60", "61", "62", "63", "64", "65", "66",
    "67", "68", "69", "80", "81", "82", "84", "85", "86", "87", "88", "90", "91", "92", "93", "94",
    "95", "96", "97", "98", "99",
];

fn is_d(c: u8) -> bool {
    c.is_ascii_digit()
}

fn is_sep(c: u8) -> bool {
    matches!(c, b' ' | b'-' | b'.' | b'(' | b')')
}

/// Pushes the personal data of `text` found here (digit shapes, IBANs, URL-encoded e-mail addresses) to `out`,
/// in order and without overlaps among them (what `out` held before is left as it was).
pub fn scan(text: &str, out: &mut Vec<Hit>) {
    let first = out.len();
    scan_digits(text, out);
    crate::pii_ids::scan_iban(text, out);
    crate::pii_email::scan_encoded(text, out);
    let mut found = out.split_off(first);
    if found.len() > 1 {
        found.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
        // Two scans may claim the same bytes (the digits of an IBAN): mask their union under the first label.
        let mut merged: Vec<Hit> = Vec::with_capacity(found.len());
        for h in found {
            match merged.last_mut() {
                Some(last) if h.start < last.end => last.end = last.end.max(h.end),
                _ => merged.push(h),
            }
        }
        found = merged;
    }
    out.extend(found);
}

/// The keywords of the 32 bytes before a run of digits.
#[derive(Clone, Copy, Default)]
struct Keywords {
    phone: bool,
    ssn: bool,
}

fn keyword_automaton() -> &'static AhoCorasick {
    static AC: OnceLock<AhoCorasick> = OnceLock::new();
    AC.get_or_init(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(PHONE_KEYWORDS.iter().chain(SSN_KEYWORDS))
            .expect("PII keywords")
    })
}

fn keywords_before(b: &[u8], start: usize) -> Keywords {
    let window = &b[start.saturating_sub(KEYWORD_REACH)..start];
    let mut kw = Keywords::default();
    for m in keyword_automaton().find_overlapping_iter(window) {
        // A keyword starts a word: `tel` in `Intel` or `call` in `recall` announces nothing.
        if m.start() > 0 && window[m.start() - 1].is_ascii_alphabetic() {
            continue;
        }
        if m.pattern().as_usize() < PHONE_KEYWORDS.len() {
            kw.phone = true;
        } else {
            kw.ssn = true;
        }
    }
    kw
}

/// Pushes the digit-shaped personal data of `text` to `out`.
///
/// The cursor only moves forward: a region is never read again once scanned (`floor` is where the last region
/// ended, and the walk back from a probed digit stops there), so every byte is examined a bounded number of times
/// whatever the input (a hex dump, a run of IP addresses or phone numbers, a megabyte of digits).
fn scan_digits(text: &str, out: &mut Vec<Hit>) {
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
                k += 1;
                seps += 1;
            }
            if seps == 0 || k >= n || !is_d(b[k]) {
                break;
            }
            j = k;
        }
        work += (re.max(i) - i) as u64 + groups.len() as u64;
        // Every shape needs 8 digits or more. The keywords before the region are read once per region of 8
        // digits or more, so at most 4 bytes of look-behind per digit.
        if digits >= 8 {
            let keywords = keywords_before(b, rs);
            work += (rs - rs.saturating_sub(KEYWORD_REACH)) as u64 / 4;
            let run = Run {
                b,
                groups: &groups,
                keywords,
            };
            run.match_all(out);
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

/// A word goes on at `e`: a letter, a digit or `_`, or a dot then a letter or a digit (a host name such as
/// `195-154-37-122.rev.example.eu`, a file name; a sentence's full stop is followed by a blank).
fn word_after(b: &[u8], e: usize) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    e < b.len() && (word(b[e]) || (b[e] == b'.' && e + 1 < b.len() && word(b[e + 1])))
}

/// A clock time goes on at `e` (`12` then `:30`): the groups before it are a date and a time (`05 17 2015 12:30`),
/// not a number someone dials.
fn clock_after(b: &[u8], e: usize) -> bool {
    b.get(e) == Some(&b':') && b.get(e + 1).is_some_and(u8::is_ascii_digit)
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

fn calling_code_valid(d: &[u8]) -> bool {
    CALLING_CODE_PREFIXES
        .iter()
        .any(|p| d.starts_with(p.as_bytes()))
}

/// North-American area and exchange codes start with 2–9.
fn nanp_valid(area: &[u8], exchange: &[u8]) -> bool {
    (b'2'..=b'9').contains(&area[0]) && (b'2'..=b'9').contains(&exchange[0])
}

/// A hex token (2–8 hex digits, a word of its own, like the bytes and words of a hex dump) right before `s` or
/// right after `e`, beyond one separator. Reads at most 10 bytes on each side.
fn hex_token_beside(b: &[u8], s: usize, e: usize) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let before = s >= 3 && is_sep(b[s - 1]) && {
        let mut t = s - 1;
        while t > 0 && s - 1 - t < 9 && b[t - 1].is_ascii_hexdigit() {
            t -= 1;
        }
        (2..=8).contains(&(s - 1 - t)) && (t == 0 || !word(b[t - 1]))
    };
    let after = e + 2 < b.len() && is_sep(b[e]) && {
        let mut t = e + 1;
        while t < b.len() && t - e - 1 < 9 && b[t].is_ascii_hexdigit() {
            t += 1;
        }
        (2..=8).contains(&(t - e - 1)) && (t == b.len() || !word(b[t]))
    };
    before || after
}

/// A region of digit groups and the keywords before it.
struct Run<'a> {
    b: &'a [u8],
    groups: &'a [(usize, usize)],
    keywords: Keywords,
}

impl Run<'_> {
    fn count(&self) -> usize {
        self.groups.len()
    }
    fn start(&self, j: usize) -> usize {
        self.groups[j].0
    }
    fn end(&self, j: usize) -> usize {
        self.groups[j].1
    }
    fn len(&self, j: usize) -> usize {
        self.groups[j].1 - self.groups[j].0
    }
    fn digits(&self, j: usize) -> &[u8] {
        &self.b[self.groups[j].0..self.groups[j].1]
    }
    /// The separator bytes after group `j` (empty after the last group).
    fn sep(&self, j: usize) -> &[u8] {
        if j + 1 < self.groups.len() {
            &self.b[self.groups[j].1..self.groups[j + 1].0]
        } else {
            &[]
        }
    }
    /// The separator bytes before group `j` (empty before the first group).
    fn sep_before(&self, j: usize) -> &[u8] {
        if j > 0 {
            self.sep(j - 1)
        } else {
            &[]
        }
    }
    /// Groups `k..k + lens.len()` exist, have these lengths, and are joined by `sep` each time.
    fn shape(&self, k: usize, lens: &[usize], sep: &[u8]) -> bool {
        k + lens.len() <= self.count()
            && lens.iter().enumerate().all(|(o, &l)| self.len(k + o) == l)
            && (k..k + lens.len() - 1).all(|j| self.sep(j) == sep)
    }
    /// The number of groups `k..=last` stands alone: it does not go on with the same separator on either side,
    /// is not glued to a word and is not part of a dotted number.
    fn alone(&self, k: usize, last: usize, sep: &[u8]) -> bool {
        self.sep_before(k) != sep
            && self.sep(last) != sep
            && self.sep(last) != b"."
            && !word_after(self.b, self.end(last))
    }

    fn match_all(&self, out: &mut Vec<Hit>) {
        let mut k = 0;
        while k < self.count() {
            let used = self.match_at(k, out);
            k += used.max(1);
        }
    }

    /// Tries the shapes starting at group `k`; returns how many groups the match used (0: none).
    fn match_at(&self, k: usize, out: &mut Vec<Hit>) -> usize {
        if let Some(used) = self.international(k, out) {
            return used;
        }
        let b = self.b;
        let (s, e) = self.groups[k];
        // A number glued to a word or a dash (`blk_-123`, `id-123`) or inside a dotted number is not one.
        if word_before(b, s)
            || (s > 0 && matches!(b[s - 1], b'-' | b'_'))
            || self.sep_before(k) == b"."
        {
            return 0;
        }
        // Keywords count for the first number of the region (the one they are right before).
        let keywords = if k == 0 {
            self.keywords
        } else {
            Keywords::default()
        };
        if self.sep(k) != b"." {
            if let Some(label) = self.compact(k, keywords) {
                // Only an identity number of 17 digits has its check character after the digits (a card may
                // have 17 digits too).
                let end = if label == "cn-id" && self.len(k) == 17 {
                    e + 1
                } else {
                    e
                };
                let severity = if label == "phone" {
                    Severity::Medium
                } else {
                    Severity::High
                };
                push(out, s, end, label, severity);
                return 1;
            }
        }
        if let Some(used) = self.grouped_card(k, out) {
            return used;
        }
        for sep in [&b"-"[..], b" "] {
            // US Social Security number AAA-GG-SSSS.
            if self.shape(k, &[3, 2, 4], sep)
                && self.alone(k, k + 2, sep)
                && ssn_valid(self.digits(k), self.digits(k + 1), self.digits(k + 2))
            {
                push(out, s, self.end(k + 2), "ssn", Severity::High);
                return 3;
            }
        }
        if let Some(used) = self.cn_mobile_grouped(k, out) {
            return used;
        }
        if let Some(used) = self.nanp(k, out) {
            return used;
        }
        if let Some(used) = self.national(k, keywords, out) {
            return used;
        }
        0
    }

    /// A number written as one group of digits.
    fn compact(&self, k: usize, keywords: Keywords) -> Option<&'static str> {
        let b = self.b;
        let (s, e) = self.groups[k];
        let d = self.digits(k);
        let len = d.len();
        // China resident identity number: 17 digits and a check character.
        if len == 17 && e < b.len() && (b[e] == b'X' || b[e] == b'x') && !word_after(b, e + 1) {
            return cn_id_valid(&b[s..e + 1]).then_some("cn-id");
        }
        if word_after(b, e) {
            return None;
        }
        match len {
            18 if cn_id_valid(d) => Some("cn-id"),
            11 if d[0] == b'1' && (b'3'..=b'9').contains(&d[1]) => Some("phone"),
            13..=19 if card_valid(d) => Some("card"),
            15 if cn_id15_valid(d) => Some("cn-id"),
            9 if keywords.ssn && ssn_valid(&d[..3], &d[3..5], &d[5..]) => Some("ssn"),
            10 if keywords.phone && nanp_valid(&d[..3], &d[3..6]) => Some("phone"),
            10..=12 if keywords.phone && d[0] == b'0' && d[1] != b'0' => Some("phone"),
            _ => None,
        }
    }

    /// `+CC …` or `00CC …`: a country calling code then groups, 8 to 15 digits after the prefix.
    fn international(&self, k: usize, out: &mut Vec<Hit>) -> Option<usize> {
        let b = self.b;
        let (s, e) = self.groups[k];
        let plus = s > 0 && b[s - 1] == b'+' && !word_before(b, s - 1);
        let double_zero = !plus
            && (3..=5).contains(&(e - s))
            && b[s] == b'0'
            && b[s + 1] == b'0'
            && !word_before(b, s)
            && !(s > 0 && matches!(b[s - 1], b'-' | b'_' | b'.'))
            && self.sep_before(k) != b"."
            && matches!(self.sep(k), b" " | b"-");
        if !plus && !double_zero {
            return None;
        }
        let prefix = if plus { 0 } else { 2 };
        if !calling_code_valid(&b[s + prefix..e]) {
            return None;
        }
        let mut total = e - s - prefix;
        let mut last = k;
        while last + 1 < self.count() {
            let sep = self.sep(last);
            // `. ` ends a sentence; `..` is not inside a number.
            if sep.contains(&b'.') && sep.len() > 1 {
                break;
            }
            if total + self.len(last + 1) > 15 {
                break;
            }
            total += self.len(last + 1);
            last += 1;
        }
        if !(8..=15).contains(&total) || word_after(b, self.end(last)) {
            return None;
        }
        // `00` is a weaker sign than `+`: zero-padded words of a hex dump (`0012 3456 7890 abcd`) are not phones.
        if double_zero && hex_token_beside(b, s, self.end(last)) {
            return None;
        }
        push(
            out,
            s - usize::from(plus),
            self.end(last),
            "phone",
            Severity::Medium,
        );
        Some(last - k + 1)
    }

    /// Grouped card numbers: 4-4-4-4[-3], 4-6-5 / 4-6-4, one separator (a blank, a dash or a dot) throughout.
    fn grouped_card(&self, k: usize, out: &mut Vec<Hit>) -> Option<usize> {
        let b = self.b;
        let s = self.start(k);
        if self.len(k) != 4 || k + 2 >= self.count() {
            return None;
        }
        let sep = self.sep(k);
        if !matches!(sep, b" " | b"-" | b".") {
            return None;
        }
        let mut digits: Vec<u8> = Vec::with_capacity(19);
        let mut shape = Vec::new();
        let mut j = k;
        while j < self.count() && digits.len() < 19 {
            if j > k && self.sep(j - 1) != sep {
                break;
            }
            digits.extend_from_slice(self.digits(j));
            shape.push(self.len(j));
            let ok_shape = matches!(
                shape.as_slice(),
                [4, 4, 4, 4]
                    | [4, 4, 4, 4, 3]
                    | [4, 6, 5]
                    | [4, 6, 4]
                    | [4, 4, 4, 2]
                    | [4, 4, 4, 1]
            );
            if ok_shape && card_valid(&digits) && !word_after(b, self.end(j)) {
                // Take the longer shape when it is valid too ([4,4,4,4] then [4,4,4,4,3]).
                if shape == [4, 4, 4, 4]
                    && j + 1 < self.count()
                    && self.sep(j) == sep
                    && self.len(j + 1) == 3
                {
                    let mut longer = digits.clone();
                    longer.extend_from_slice(self.digits(j + 1));
                    if card_valid(&longer) && !word_after(b, self.end(j + 1)) {
                        push(out, s, self.end(j + 1), "card", Severity::High);
                        return Some(j - k + 2);
                    }
                }
                push(out, s, self.end(j), "card", Severity::High);
                return Some(j - k + 1);
            }
            j += 1;
        }
        None
    }

    /// A mainland-China mobile `1[3-9]x xxxx xxxx` in any grouping: 2–3 groups of 3 digits or more joined by one
    /// separator (a blank or a dash), 11 digits in all, standing alone (`195-154-37-122`, an IP address written
    /// in a host name, is not one).
    fn cn_mobile_grouped(&self, k: usize, out: &mut Vec<Hit>) -> Option<usize> {
        let b = self.b;
        let s = self.start(k);
        let sep = self.sep(k);
        if self.len(k) < 3
            || b[s] != b'1'
            || !(b'3'..=b'9').contains(&b[s + 1])
            || !matches!(sep, b" " | b"-")
        {
            return None;
        }
        let mut total = self.len(k);
        let mut last = k;
        while last + 1 < self.count()
            && last - k < 2
            && self.sep(last) == sep
            && total < 11
            && self.len(last + 1) >= 3
        {
            total += self.len(last + 1);
            last += 1;
        }
        if total == 11 && last > k && self.alone(k, last, sep) {
            push(out, s, self.end(last), "phone", Severity::Medium);
            return Some(last - k + 1);
        }
        None
    }

    /// North-American numbers: `1-800-555-0199`, `(415) 555-0132`, `415-555-0132`, `415.555.0132`, `415 555 0132`.
    fn nanp(&self, k: usize, out: &mut Vec<Hit>) -> Option<usize> {
        let b = self.b;
        let s = self.start(k);
        // Trunk `1` then the ten digits, one separator throughout.
        if self.len(k) == 1 && b[s] == b'1' {
            for sep in [&b"-"[..], b" ", b"."] {
                if self.shape(k, &[1, 3, 3, 4], sep)
                    && self.alone(k, k + 3, sep)
                    && nanp_valid(self.digits(k + 1), self.digits(k + 2))
                {
                    push(out, s, self.end(k + 3), "phone", Severity::Medium);
                    return Some(4);
                }
            }
            return None;
        }
        if self.len(k) != 3 || k + 2 >= self.count() || self.len(k + 1) != 3 || self.len(k + 2) != 4
        {
            return None;
        }
        if !nanp_valid(self.digits(k), self.digits(k + 1)) || word_after(b, self.end(k + 2)) {
            return None;
        }
        let (s1, s2) = (self.sep(k), self.sep(k + 1));
        let paren = s > 0
            && b[s - 1] == b'('
            && matches!(s1, b") " | b")" | b")-")
            && matches!(s2, b"-" | b" " | b".");
        let plain = s1 == s2 && matches!(s1, b"-" | b"." | b" ") && self.alone(k, k + 2, s1);
        if (paren && self.sep(k + 2) != s2 && self.sep(k + 2) != b".") || plain {
            push(
                out,
                if paren { s - 1 } else { s },
                self.end(k + 2),
                "phone",
                Severity::Medium,
            );
            return Some(3);
        }
        None
    }

    /// National numbers with a trunk `0`: Chinese landlines (`010-12345678`, `(0755) 1234 5678`) and the grouped
    /// national forms of other countries (`020 7946 0958`, `06 12 34 56 78`, `030 901820`).
    fn national(&self, k: usize, keywords: Keywords, out: &mut Vec<Hit>) -> Option<usize> {
        let b = self.b;
        let (s, e) = self.groups[k];
        let len = e - s;
        if !(2..=5).contains(&len) || b[s] != b'0' || b[s + 1] == b'0' || k + 1 >= self.count() {
            return None;
        }
        // Chinese landline: area code 0 + 2–3 digits, a dash or the area code in parentheses, then 7–8 digits
        // (in one group, or 4-4 / 3-4).
        // Subscriber numbers do not start with the trunk 0 (test numbers like 1234 5678 do start with 1).
        let subscriber_ok = |j: usize| b[self.start(j)] != b'0';
        if (3..=4).contains(&len) {
            let paren = s > 0 && b[s - 1] == b'(' && matches!(self.sep(k), b")" | b") " | b")-");
            if (paren || self.sep(k) == b"-")
                && (7..=8).contains(&self.len(k + 1))
                && subscriber_ok(k + 1)
            {
                let last = k + 1;
                if self.sep(last) != b"-"
                    && self.sep(last) != b"."
                    && !word_after(b, self.end(last))
                {
                    push(
                        out,
                        if paren { s - 1 } else { s },
                        self.end(last),
                        "phone",
                        Severity::Medium,
                    );
                    return Some(2);
                }
            }
            if paren && subscriber_ok(k + 1) {
                for lens in [[4, 4], [3, 4]] {
                    for sep in [&b" "[..], b"-"] {
                        if self.shape(k + 1, &lens, sep) && self.alone(k + 1, k + 2, sep) {
                            push(out, s - 1, self.end(k + 2), "phone", Severity::Medium);
                            return Some(3);
                        }
                    }
                }
            }
        }
        // Grouped national forms: one separator throughout, 9–12 digits with the trunk 0.
        let sep = self.sep(k);
        if !matches!(sep, b" " | b"-" | b".") {
            return None;
        }
        let mut last = k;
        let mut total = len;
        while last + 1 < self.count() && self.sep(last) == sep && total + self.len(last + 1) <= 12 {
            total += self.len(last + 1);
            last += 1;
        }
        let groups = last - k + 1;
        if !(9..=12).contains(&total) || !self.alone(k, last, sep) {
            return None;
        }
        let with_keyword = keywords.phone && groups >= 2;
        let short_groups = (k..=last).all(|j| (2..=4).contains(&self.len(j)));
        // Dotted numbers are versions and addresses unless every group is a pair (the French 06.12.34.56.78).
        let dotted_ok = sep != b"." || (k..=last).all(|j| self.len(j) == 2);
        let unmistakable = groups >= 3
            && total >= 10
            && short_groups
            && dotted_ok
            && self.sep_before(k).is_empty()
            && self.sep(last).is_empty()
            && !clock_after(b, self.end(last))
            && !hex_token_beside(b, s, self.end(last));
        if (with_keyword && dotted_ok) || unmistakable {
            push(out, s, self.end(last), "phone", Severity::Medium);
            return Some(groups);
        }
        None
    }
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

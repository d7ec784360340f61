//! Small text helpers shared by the analyses.

/// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
pub fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    &s[..i]
}

/// `s` cut to `max` bytes with `…` appended when something was cut.
pub fn ellipsize(s: &str, max: usize) -> String {
    let c = cut(s, max);
    if c.len() < s.len() {
        format!("{c}…")
    } else {
        c.to_string()
    }
}

/// The first line of `s`.
pub fn first_line(s: &str) -> &str {
    match memchr::memchr(b'\n', s.as_bytes()) {
        Some(i) => &s[..i],
        None => s,
    }
}

/// How common a byte is in log text (lower is rarer); used to pick the byte `memchr` looks for.
const fn commonness(c: u8) -> u8 {
    match c {
        b' ' => 255,
        b'e' | b't' | b'a' | b'o' | b'i' | b'n' | b's' | b'r' => 200,
        b'0'..=b'9' => 180,
        b'l' | b'c' | b'd' | b'u' | b'h' | b'm' | b'.' | b':' | b'/' => 150,
        b'a'..=b'z' => 100,
        _ => 50,
    }
}

/// A literal to search for, with the index of its rarest byte (computed at compile time).
#[derive(Debug, Clone, Copy)]
pub struct Lit {
    pub bytes: &'static [u8],
    rare: usize,
}

impl Lit {
    pub const fn new(s: &'static str) -> Lit {
        let b = s.as_bytes();
        let mut k = 0;
        let mut i = 1;
        while i < b.len() {
            if commonness(b[i]) < commonness(b[k]) {
                k = i;
            }
            i += 1;
        }
        Lit { bytes: b, rare: k }
    }

    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The first occurrence in `hay`: `memchr` on the rarest byte, then a compare.
    pub fn find(&self, hay: &[u8]) -> Option<usize> {
        let needle = self.bytes;
        if needle.is_empty() {
            return Some(0);
        }
        if hay.len() < needle.len() {
            return None;
        }
        let k = self.rare;
        let rare = needle[k];
        let mut i = k;
        let last = hay.len() - (needle.len() - k);
        while i <= last {
            let p = i + memchr::memchr(rare, &hay[i..=last])?;
            let s = p - k;
            if &hay[s..s + needle.len()] == needle {
                return Some(s);
            }
            i = p + 1;
        }
        None
    }
}

/// ASCII case-insensitive substring search (`needle` must be lowercase ASCII).
pub fn contains_ci(hay: &str, needle: &str) -> bool {
    find_ci(hay, needle).is_some()
}

/// Position of `needle` (lowercase ASCII) in `hay`, ignoring ASCII case.
pub fn find_ci(hay: &str, needle: &str) -> Option<usize> {
    let h = hay.as_bytes();
    let n = needle.as_bytes();
    if n.is_empty() {
        return Some(0);
    }
    if h.len() < n.len() {
        return None;
    }
    let first = n[0];
    let upper = first.to_ascii_uppercase();
    let mut i = 0;
    while i + n.len() <= h.len() {
        let rest = &h[i..h.len() - n.len() + 1];
        let off = if first == upper {
            memchr::memchr(first, rest)
        } else {
            memchr::memchr2(first, upper, rest)
        };
        let off = off?;
        let p = i + off;
        if h[p..p + n.len()].eq_ignore_ascii_case(n) {
            return Some(p);
        }
        i = p + 1;
    }
    None
}

/// A cheap "shape" of a message, for grouping messages when no template ids are given: its first line (at most
/// 160 bytes) split at blanks and punctuation, with every token that holds a digit (numbers, ids, hex, IPs, times)
/// counted as one variable. Returns a 64-bit hash.
pub fn shape_hash(msg: &str) -> u64 {
    let b = msg.as_bytes();
    let end = memchr::memchr(b'\n', &b[..b.len().min(160)]).unwrap_or(b.len().min(160));
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    // The current token's hash (rotate-xor per byte; mixed in at its end unless it held a digit).
    let mut tok: u64 = 0;
    let mut tok_digit = false;
    for &c in &b[..end] {
        let delim = matches!(
            c,
            b' ' | b'='
                | b':'
                | b','
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'"'
                | b'\''
                | b'/'
                | b'<'
                | b'>'
                | b';'
                | b'\t'
                | b'@'
                | b'#'
        );
        if delim {
            let t = if tok_digit { 0x2a } else { tok };
            h = (h.rotate_left(7) ^ t ^ ((c as u64) << 56)).wrapping_mul(0x0100_0000_01b3);
            tok = 0;
            tok_digit = false;
        } else {
            tok_digit |= c.is_ascii_digit();
            tok = tok.rotate_left(5) ^ c as u64;
        }
    }
    let t = if tok_digit { 0x2a } else { tok };
    (h.rotate_left(7) ^ t).wrapping_mul(0x0100_0000_01b3)
}

/// The message's first line (at most `max` bytes) with every token that holds a digit written `<*>`, as
/// [`shape_hash`] groups them.
pub fn mask_tokens(msg: &str, max: usize) -> String {
    let line = cut(first_line(msg), max);
    let b = line.as_bytes();
    let mut out = String::with_capacity(line.len());
    let mut i = 0;
    let delim = |c: u8| {
        matches!(
            c,
            b' ' | b'='
                | b':'
                | b','
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'"'
                | b'\''
                | b'/'
                | b'<'
                | b'>'
                | b';'
                | b'\t'
                | b'@'
                | b'#'
        )
    };
    while i < b.len() {
        if delim(b[i]) {
            out.push(b[i] as char);
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && !delim(b[i]) {
            i += 1;
        }
        let tok = &line[s..i];
        if tok.bytes().any(|c| c.is_ascii_digit()) {
            out.push_str("<*>");
        } else {
            out.push_str(tok);
        }
    }
    out
}

/// The message with runs of digits replaced by `<n>` (first line, at most `max` bytes), for display.
pub fn mask_digits(msg: &str, max: usize) -> String {
    let line = cut(first_line(msg), max);
    let mut out = String::with_capacity(line.len());
    let mut prev_digit = false;
    for c in line.chars() {
        if c.is_ascii_digit() {
            if !prev_digit {
                out.push_str("<n>");
            }
            prev_digit = true;
        } else {
            out.push(c);
            prev_digit = false;
        }
    }
    out
}

pub fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Formats a rate per minute compactly.
pub fn per_min(rate: f64) -> String {
    if rate >= 10.0 {
        format!("{rate:.0}/min")
    } else if rate >= 1.0 {
        format!("{rate:.1}/min")
    } else {
        format!("{rate:.2}/min")
    }
}

/// A duration in milliseconds as `45 s`, `3 min`, `2.5 h`.
pub fn human_ms(ms: i64) -> String {
    let s = ms as f64 / 1000.0;
    if s < 1.0 {
        format!("{ms} ms")
    } else if s < 120.0 {
        format!("{s:.0} s")
    } else if s < 7200.0 {
        format!("{:.0} min", s / 60.0)
    } else if s < 172_800.0 {
        format!("{:.1} h", s / 3600.0)
    } else {
        format!("{:.1} days", s / 86_400.0)
    }
}

/// RFC 3339 of Unix milliseconds (UTC).
pub fn rfc3339_ms(ms: i64) -> String {
    logsieve_engine::Timestamp::from_unix(
        ms.div_euclid(1000),
        (ms.rem_euclid(1000) as u32) * 1_000_000,
        3,
    )
    .to_rfc3339()
}

/// Formats a count with thousands separators: `1234567` → `1,234,567`.
pub fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_ci_works() {
        assert_eq!(find_ci("Too Many Open Files", "many open"), Some(4));
        assert_eq!(find_ci("abc", "abcd"), None);
        assert!(contains_ci(
            "java.lang.OutOfMemoryError",
            "outofmemoryerror"
        ));
    }

    #[test]
    fn lit_find_works() {
        assert_eq!(
            Lit::new(" from ").find(b"Failed password for root from 1.2.3.4"),
            Some(24)
        );
        assert_eq!(Lit::new("abcd").find(b"abc"), None);
        assert_eq!(Lit::new("rhost=").find(b"xx rhost=1"), Some(3));
        assert_eq!(Lit::new("rhost=").find(b"rhost"), None);
    }

    #[test]
    fn shapes_ignore_digits() {
        assert_eq!(shape_hash("took 12 ms"), shape_hash("took 3456 ms"));
        assert_eq!(
            shape_hash("session opened: id=3f9a2b1c, user=1"),
            shape_hash("session opened: id=0a1b2c3d, user=22")
        );
        assert_ne!(shape_hash("took 12 ms"), shape_hash("took 12 s"));
        assert_eq!(mask_digits("a 12 b 3", 100), "a <n> b <n>");
        assert_eq!(
            mask_tokens("opened: id=3f9a2b1c, user=42 ok", 100),
            "opened: id=<*>, user=<*> ok"
        );
    }
}

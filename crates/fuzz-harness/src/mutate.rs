//! The log-like mutation: libFuzzer's byte-level mutations rarely write an IP address, a card number or a JWT, so
//! one mutation in three inserts (or overwrites with) a generated log-ish token at a random offset — addresses,
//! digit runs with separators, phone- and card-like numbers, secret prefixes, long repeated tokens, deep nesting,
//! multi-byte and broken UTF-8, line breaks and stack frames — and the others are libFuzzer's own.
//!
//! Plugged in by every `fuzz/fuzz_targets/*.rs` through `libfuzzer_sys::fuzz_mutator!`.

/// A small deterministic generator (xorshift), seeded by libFuzzer.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u32) -> Rng {
        Rng((seed as u64) << 32 | 0x9e37_79b9 | 1)
    }
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn digits(&mut self, n: usize, out: &mut Vec<u8>) {
        for _ in 0..n {
            out.push(b'0' + self.below(10) as u8);
        }
    }
}

/// Fixed tokens: secret markers, log syntax, attacks, UTF-8.
pub const TOKENS: &[&str] = &[
    "password=",
    "passwd: ",
    "token=",
    "api_key=",
    "secret=",
    "Authorization: Bearer ",
    "Authorization: Basic ",
    "sk-",
    "sk_live_",
    "ghp_",
    "xoxb-",
    "AKIA",
    "eyJ",
    "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.",
    "-----BEGIN RSA PRIVATE KEY-----",
    "-----BEGIN PRIVATE KEY-----\n",
    "-----END PRIVATE KEY-----",
    "postgres://user:pw@db:5432/x",
    "@example.com",
    "user@",
    "+86 138",
    "+1 (555) ",
    "IBAN DE89",
    "SSN ",
    "\n",
    "\r\n",
    "\n\tat com.acme.Foo.bar(Foo.java:42)",
    "\n    at Object.<anonymous> (/app/x.js:1:2)",
    "\nCaused by: java.lang.OutOfMemoryError: Java heap space",
    "\n\t... 12 more",
    "\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n",
    "\ngoroutine 1 [running]:\n",
    "panic: ",
    "Exception in thread \"main\" ",
    "2024-01-15 10:23:45,123 ERROR [main] c.a.B - ",
    "2024-02-30T25:61:61.123456789+14:00 ",
    "Jun 14 15:16:01 host sshd[123]: ",
    "<165>1 2003-10-11T22:14:15.003Z host app 1 ID47 - ",
    "127.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a?b=1 HTTP/1.1\" 200 2326 \"-\" \"curl\"",
    "I0115 10:23:45.123456   12345 file.go:123] ",
    "{\"level\":\"error\",\"msg\":\"",
    "{\"a\":",
    "[[[[",
    "\"}",
    "level=error msg=",
    "' OR 1=1--",
    "<script>alert(1)</script>",
    "../../../../etc/passwd",
    ";cat /etc/shadow",
    "Too many open files",
    "OutOfMemoryError",
    "Connection refused",
    "Failed password for root from ",
    "<*>",
    "<log_data>",
    "</log_data>",
    "\\u0000",
    "\\\"",
    "é",
    "中",
    "😀",
    "\u{200b}",
    "\u{feff}",
    "\u{2028}",
    "\u{0}",
    "\t",
    "apiVersion: v1\nkind: Pod\n",
    "  containers:\n  - name: a\n    image: nginx\n",
    "    securityContext:\n      privileged: true\n",
    "---\n",
];

/// One generated log-ish token.
pub fn token(rng: &mut Rng) -> Vec<u8> {
    let mut out = Vec::new();
    match rng.below(14) {
        0 => {
            // IPv4, sometimes with a port.
            let o: Vec<String> = (0..4).map(|_| rng.below(256).to_string()).collect();
            out.extend_from_slice(o.join(".").as_bytes());
            if rng.below(2) == 0 {
                out.extend_from_slice(format!(":{}", rng.below(65536)).as_bytes());
            }
        }
        1 => {
            let groups = 2 + rng.below(6);
            let g: Vec<String> = (0..groups)
                .map(|_| format!("{:x}", rng.below(65536)))
                .collect();
            out.extend_from_slice(
                g.join(if rng.below(3) == 0 { "::" } else { ":" })
                    .as_bytes(),
            );
        }
        2 | 3 => {
            // Digit groups with separators: card-, phone-, id-like; sometimes very many groups.
            let groups = if rng.below(4) == 0 {
                20 + rng.below(400)
            } else {
                1 + rng.below(6)
            };
            let sep = rng.pick(&[" ", "-", ".", "", "/", ", ", " - "]);
            if rng.below(4) == 0 {
                out.extend_from_slice(rng.pick(&["+", "+86 ", "(", "+44 "]).as_bytes());
            }
            for i in 0..groups {
                if i > 0 {
                    out.extend_from_slice(sep.as_bytes());
                }
                let n = 1 + rng.below(5);
                rng.digits(n, &mut out);
            }
        }
        4 => {
            // A card-like run.
            out.extend_from_slice(rng.pick(&["4111", "5500", "3782", "6011"]).as_bytes());
            let sep = rng.pick(&[" ", "-", ""]);
            for _ in 0..3 {
                out.extend_from_slice(sep.as_bytes());
                rng.digits(4, &mut out);
            }
        }
        5 => {
            // A long run of digits.
            let n = 8 + rng.below(64);
            rng.digits(n, &mut out);
        }
        6 => {
            // A long repeated token.
            let unit = rng.pick(&[
                "a", "A1", "x=", "%2e", "../", "0", " ", "é", "\\", "=", "&a=b",
            ]);
            let n = 64 + rng.below(4096);
            out.extend_from_slice(unit.repeat(n).as_bytes());
        }
        7 => {
            // Deep nesting.
            let unit = rng.pick(&["{\"a\":", "[", "(", "{", "<a>", "${"]);
            let n = 8 + rng.below(2000);
            out.extend_from_slice(unit.repeat(n).as_bytes());
        }
        8 => {
            // A secret-shaped value: prefix and a long token.
            out.extend_from_slice(
                rng.pick(&["sk-", "ghp_", "AKIA", "eyJ", "xoxp-", "glpat-"])
                    .as_bytes(),
            );
            const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            for _ in 0..16 + rng.below(48) {
                out.push(ALNUM[rng.below(ALNUM.len())]);
            }
        }
        9 => {
            // Broken UTF-8: a lone continuation byte, a cut sequence, an overlong form.
            let bad: &[&[u8]] = &[
                b"\xff",
                b"\x80",
                b"\xe4\xb8",
                b"\xf0\x9f\x98",
                b"\xc0\xaf",
                b"\xed\xa0\x80",
            ];
            out.extend_from_slice(bad[rng.below(bad.len())]);
        }
        10 => {
            // A date, valid or not.
            out.extend_from_slice(
                format!(
                    "{:04}-{:02}-{:02}{}{:02}:{:02}:{:02}",
                    1900 + rng.below(300),
                    rng.below(14),
                    rng.below(33),
                    rng.pick(&["T", " "]),
                    rng.below(26),
                    rng.below(62),
                    rng.below(62)
                )
                .as_bytes(),
            );
        }
        _ => out.extend_from_slice(rng.pick(TOKENS).as_bytes()),
    }
    out
}

/// The custom mutation: with probability 1/3 puts a [`token`] at a random offset of `data[..size]` (inserted, or
/// overwriting, within `max_size`); otherwise `default` (libFuzzer's mutator). Returns the new size.
pub fn log_like(
    data: &mut [u8],
    size: usize,
    max_size: usize,
    seed: u32,
    default: impl FnOnce(&mut [u8], usize, usize) -> usize,
) -> usize {
    let mut rng = Rng::new(seed);
    let max_size = max_size.min(data.len());
    if rng.below(3) != 0 || max_size == 0 {
        return default(data, size, max_size);
    }
    let size = size.min(max_size);
    let tok = token(&mut rng);
    let at = rng.below(size + 1);
    // Sometimes move the offset to a character boundary's neighbourhood: just after a multi-byte lead byte.
    let at = if rng.below(4) == 0 {
        data[..size]
            .iter()
            .position(|&b| b >= 0xc0)
            .map_or(at, |p| p + 1)
    } else {
        at
    };
    if rng.below(4) == 0 {
        // Overwrite in place.
        let n = tok.len().min(size - at);
        data[at..at + n].copy_from_slice(&tok[..n]);
        return size;
    }
    let n = tok.len().min(max_size - size);
    data.copy_within(at..size, at + n);
    data[at..at + n].copy_from_slice(&tok[..n]);
    size + n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutation_stays_in_bounds() {
        for seed in 0..2000u32 {
            let mut buf = vec![b'x'; 64];
            let size = (seed % 40) as usize;
            let max = 20 + (seed % 44) as usize;
            let n = log_like(&mut buf, size, max, seed, |d, s, m| {
                d[0] = b'!';
                s.min(m)
            });
            assert!(n <= max.min(buf.len()), "seed {seed}: {n} > {max}");
        }
    }

    #[test]
    fn tokens_vary() {
        let mut rng = Rng::new(7);
        let toks: std::collections::HashSet<Vec<u8>> = (0..200).map(|_| token(&mut rng)).collect();
        assert!(toks.len() > 100);
    }
}

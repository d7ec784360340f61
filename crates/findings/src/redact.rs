//! Redaction: secrets and personal data replaced by typed masks that keep the text's structure, and consistent
//! pseudonyms for addresses and host names.
//!
//! ```
//! use logsieve_findings::Redactor;
//! let r = Redactor::new();
//! let out = r.redact("login ok user=bob@example.com password=hunter2 key=AKIAIOSFODNN7EXAMPLE");
//! assert_eq!(out, "login ok user=<email> password=<secret:password> key=<secret:aws-key>");
//! ```

use crate::pii;
use crate::secrets::{Catalog, Class, Hit};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::borrow::Cow;
use std::collections::HashMap;

/// Finds and masks secrets and personal data. Build once (it compiles an automaton and a few regexes) and share.
pub struct Redactor {
    catalog: Catalog,
    ac: AhoCorasick,
    /// Also mask personal data (e-mails, phones, identity and card numbers). On by default.
    pub pii: bool,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").field("pii", &self.pii).finish()
    }
}

impl Redactor {
    pub fn new() -> Redactor {
        let catalog = Catalog::new();
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&catalog.keywords)
            .expect("secret keywords");
        Redactor {
            catalog,
            ac,
            pii: true,
        }
    }

    pub(crate) fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The secrets and personal data in `text`, in order, without overlaps.
    pub fn find(&self, text: &str) -> Vec<Hit> {
        self.find_nested(text, true)
    }

    /// [`Redactor::find`]; `look_inside`: text decoded from a base64 token is searched too (one level deep).
    pub(crate) fn find_nested(&self, text: &str, look_inside: bool) -> Vec<Hit> {
        let mut out = Vec::new();
        let kws = self
            .ac
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_usize(), m.start(), m.end()));
        self.catalog.locate_all(text, kws, &mut out);
        let decoded_has_secret = |decoded: &str| {
            self.find_nested(decoded, false)
                .iter()
                .any(|h| h.class == Class::Secret)
        };
        crate::secrets_shape::scan(
            text,
            &mut out,
            look_inside.then_some(&decoded_has_secret as &dyn Fn(&str) -> bool),
        );
        if self.pii {
            pii::scan(text, &mut out);
        } else {
            out.retain(|h| h.class == Class::Secret);
        }
        resolve(&mut out);
        out
    }

    /// `text` with every secret replaced by `<secret:TYPE>` and every personal datum by `<TYPE>`; borrowed when
    /// nothing was found. Line breaks are kept.
    ///
    /// Idempotent: a mask changes what surrounds it (`a.com+44…` becomes `<email>+44…`, and the `+` now starts
    /// a phone number), so the output is redacted again until nothing changes (a few rounds at most; each round
    /// only replaces text by masks, which are never masked again).
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let hits = self.find(text);
        if hits.is_empty() {
            return Cow::Borrowed(text);
        }
        let mut out = apply(text, &hits);
        for _ in 0..4 {
            let hits = self.find(&out);
            if hits.is_empty() {
                break;
            }
            out = apply(&out, &hits);
        }
        Cow::Owned(out)
    }

    /// A redacted template: as [`Redactor::redact`], and in a word that joins `@` to a masked value (`bob@<*>`,
    /// the miner's shape of an e-mail address whose domain varied) the local part becomes `<user>`: the redactor
    /// alone cannot tell it is an address, and the part before the `@` is personal data. The `<*>` stay, so the
    /// template's variables keep their positions.
    pub fn redact_template<'a>(&self, template: &'a str) -> Cow<'a, str> {
        let red = self.redact_around_variables(template);
        let split_address = |w: &str| {
            w.find('@')
                .is_some_and(|at| w[at..].starts_with("@<*>") && local_part_start(w, at) < at)
        };
        if !red.split(' ').any(split_address) {
            return red;
        }
        let words: Vec<String> = red
            .split(' ')
            .map(|w| match w.find('@') {
                Some(at) if split_address(w) => {
                    format!("{}<user>{}", &w[..local_part_start(w, at)], &w[at..])
                }
                _ => w.to_string(),
            })
            .collect();
        Cow::Owned(words.join(" "))
    }

    /// As [`Redactor::redact`], but no `<*>` is masked or cut: a hit that covers a variable (`0837…<*>8144…`
    /// read as one card number) masks the text on either side of it and keeps the variable between.
    fn redact_around_variables<'a>(&self, template: &'a str) -> Cow<'a, str> {
        if !template.contains(VARIABLE) {
            return self.redact(template);
        }
        let mut out = Cow::Borrowed(template);
        for _ in 0..5 {
            let hits = self.find(&out);
            if hits.is_empty() {
                break;
            }
            let variables: Vec<usize> = out.match_indices(VARIABLE).map(|(i, _)| i).collect();
            let mut kept = Vec::with_capacity(hits.len());
            let mut v = 0;
            for h in hits {
                let mut start = h.start;
                while v < variables.len() && variables[v] + VARIABLE.len() <= start {
                    v += 1;
                }
                let mut w = v;
                while w < variables.len() && variables[w] < h.end {
                    if variables[w] > start {
                        kept.push(Hit {
                            start,
                            end: variables[w],
                            ..h
                        });
                    }
                    start = start.max(variables[w] + VARIABLE.len());
                    w += 1;
                }
                if start < h.end {
                    kept.push(Hit { start, ..h });
                }
            }
            if kept.is_empty() {
                break;
            }
            out = Cow::Owned(apply(&out, &kept));
        }
        out
    }

    /// A redacted excerpt for a report: the first line of `text`, redacted, then cut to 300 bytes.
    pub fn excerpt(&self, text: &str) -> String {
        let red = self.redact(crate::text::first_line(text));
        crate::text::ellipsize(&red, 300)
    }

    /// A line-by-line redactor that also masks the body lines of a private key split over several lines.
    pub fn lines(&self) -> LineRedactor<'_> {
        LineRedactor {
            r: self,
            in_pem: 0,
            after_credential_name: false,
        }
    }
}

/// The template miner's variable, kept by [`Redactor::redact_template`].
const VARIABLE: &str = "<*>";

/// Labels of the generic `key = value` and header rules (as opposed to a token's own shape).
fn is_generic(label: &str) -> bool {
    matches!(
        label,
        "password"
            | "secret"
            | "token"
            | "api-key"
            | "access-key"
            | "credential"
            | "authorization"
            | "signature"
            | "bearer-token"
    )
}

/// Sorts hits and drops overlaps. Of two overlapping hits the more severe (a secret over personal data) wins; when
/// the winner is a token recognised by its own shape and the loser a generic `key = value` hit, the winner's span
/// is kept as is (so `user:ghp_…@github.com` keeps `@github.com`); otherwise the union is masked, so that nothing
/// of either stays visible.
pub(crate) fn resolve(hits: &mut Vec<Hit>) {
    if hits.len() < 2 {
        return;
    }
    hits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits.drain(..) {
        match kept.last_mut() {
            Some(last) if h.start < last.end => {
                // A token recognised by its shape names the secret better than a generic hit as severe.
                let h_wins = (h.class == Class::Secret && last.class == Class::Pii)
                    || h.severity > last.severity
                    || (h.severity == last.severity
                        && h.class == last.class
                        && is_generic(last.label)
                        && !is_generic(h.label));
                let (win, lose) = if h_wins { (h, *last) } else { (*last, h) };
                *last = if !is_generic(win.label)
                    && is_generic(lose.label)
                    && win.class == Class::Secret
                {
                    // What the generic hit covers before and after the token is still masked (`Credential=
                    // AKIA…/…, Signature=…`): pushed as hits of their own.
                    if lose.start < win.start || lose.end > win.end + 1 {
                        let (ls, le) = (lose.start, lose.end);
                        if ls < win.start {
                            *last = Hit {
                                end: win.start,
                                ..lose
                            };
                            kept.push(win);
                        } else {
                            *last = win;
                        }
                        if le > win.end + 1 {
                            kept.push(Hit {
                                start: win.end,
                                end: le,
                                ..lose
                            });
                        }
                        continue;
                    }
                    win
                } else {
                    Hit {
                        start: win.start.min(lose.start),
                        end: win.end.max(lose.end),
                        ..win
                    }
                };
            }
            _ => kept.push(h),
        }
    }
    // Splitting a generic hit around a token leaves its tail after the token; a later hit that starts inside the
    // token can then overlap what was kept before the tail. One last pass in start order joins whatever still
    // overlaps (the more severe label names the union), so the hits are always sorted and disjoint.
    kept.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut disjoint: Vec<Hit> = Vec::with_capacity(kept.len());
    for h in kept {
        match disjoint.last_mut() {
            Some(last) if h.start < last.end => {
                let win = if h.severity > last.severity { h } else { *last };
                *last = Hit {
                    start: last.start,
                    end: last.end.max(h.end),
                    ..win
                };
            }
            _ => disjoint.push(h),
        }
    }
    *hits = disjoint;
}

/// Writes `text` with `hits` (sorted, disjoint) masked.
pub(crate) fn apply(text: &str, hits: &[Hit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for h in hits {
        out.push_str(&text[pos..h.start]);
        out.push_str(&h.mask());
        pos = h.end;
    }
    out.push_str(&text[pos..]);
    out
}

/// Redacts a file line by line (`logsieve redact`): the same lines come out, each redacted; the base64 lines of
/// a private key between `-----BEGIN … PRIVATE KEY-----` and `-----END …-----` are masked whole.
pub struct LineRedactor<'r> {
    r: &'r Redactor,
    /// Lines left in an open private-key block (0: none).
    in_pem: u32,
    /// The last line named a credential variable (`- name: DB_PASSWORD`): this line's `value:` is masked.
    after_credential_name: bool,
}

impl<'r> LineRedactor<'r> {
    pub fn line<'a>(&mut self, line: &'a str) -> Cow<'a, str> {
        if self.in_pem > 0 {
            self.in_pem -= 1;
            if let Some(end) = line.find("-----END") {
                self.in_pem = 0;
                let body = &line[..end];
                let lead = body.len() - body.trim_start().len();
                let mut s = String::with_capacity(line.len());
                s.push_str(&line[..lead]);
                if !body.trim().is_empty() {
                    s.push_str("<secret:private-key>");
                }
                s.push_str(&line[end..]);
                return Cow::Owned(s);
            }
            // RFC 4880 armor: header lines (`Version: …`) and the blank line before the body stay as they are.
            let t = line.trim();
            if t.is_empty() || (t.contains(": ") && !t.contains("-----")) {
                return Cow::Borrowed(line);
            }
            if crate::secrets::looks_like_pem_body_line(line)
                || (t.starts_with('=') && t.len() <= 8)
            {
                let lead = line.len() - line.trim_start().len();
                return Cow::Owned(format!("{}<secret:private-key>", &line[..lead]));
            }
            self.in_pem = 0;
        }
        let after_credential_name = std::mem::replace(
            &mut self.after_credential_name,
            crate::secrets_shape::names_credential_variable(line),
        );
        let value = after_credential_name
            .then(|| crate::secrets_shape::env_value_span(line))
            .flatten();
        let out = match value {
            Some((s, e)) => {
                let masked = format!("{}<secret:password>{}", &line[..s], &line[e..]);
                Cow::Owned(self.r.redact(&masked).into_owned())
            }
            None => self.r.redact(line),
        };
        // A BEGIN marker without its END on this line opens a block.
        if let Some(p) = crate::text::find_ci(line, "-----begin") {
            let rest = &line[p..];
            if rest.to_ascii_uppercase().contains("PRIVATE KEY") && !rest.contains("-----END") {
                self.in_pem = 200;
            }
        }
        out
    }
}

/// Consistent pseudonyms for IP addresses and host names, for text that leaves the machine (the LLM digest):
/// the same address always becomes the same `ip-N`, the same host `host-N`, numbered in order of appearance.
#[derive(Debug, Default, Clone)]
pub struct Pseudonymizer {
    ips: HashMap<String, usize>,
    hosts: HashMap<String, usize>,
}

/// Top-level domains that make a dotted word a host name rather than a class or file name.
const TLDS: &[&str] = &[
    "com",
    "net",
    "org",
    "io",
    "dev",
    "app",
    "cn",
    "uk",
    "de",
    "jp",
    "ru",
    "fr",
    "eu",
    "us",
    "ca",
    "au",
    "in",
    "br",
    "nl",
    "info",
    "biz",
    "co",
    "me",
    "tv",
    "cloud",
    "local",
    "internal",
    "lan",
    "corp",
    "svc",
    "edu",
    "gov",
    "mil",
    "int",
    "ai",
    "it",
    "es",
    "se",
    "ch",
    "kr",
    "hk",
    "tw",
    "sg",
    "pl",
    "cz",
    "be",
    "at",
    "dk",
    "fi",
    "no",
    "ie",
    "nz",
    "za",
    "mx",
    "ar",
    "cl",
    "tr",
    "ua",
    "id",
    "vn",
    "th",
    "my",
    "ph",
    "online",
    "site",
    "tech",
    "xyz",
    "top",
    "example",
    "test",
    "localdomain",
    "home",
    "intranet",
    "cluster",
];

impl Pseudonymizer {
    pub fn new() -> Pseudonymizer {
        Pseudonymizer::default()
    }

    /// The pseudonym of one IP address.
    pub fn ip(&mut self, ip: &str) -> String {
        let n = self.ips.len() + 1;
        let id = *self.ips.entry(ip.to_string()).or_insert(n);
        format!("ip-{id}")
    }

    /// The pseudonym of one host name (case-insensitive).
    pub fn host(&mut self, host: &str) -> String {
        let n = self.hosts.len() + 1;
        let id = *self.hosts.entry(host.to_ascii_lowercase()).or_insert(n);
        format!("host-{id}")
    }

    /// `text` with every IPv4/IPv6 address and every host name (a dotted name ending in a known top-level
    /// domain) replaced by its pseudonym.
    ///
    /// Idempotent. Of an address and a host name at the same place the longer is taken (`1.2.3.4.nip.io` is a
    /// host). A pseudonym ends in a digit like what it replaced, so the text after it reads the same; only an
    /// `ip-N` followed by a host's tail (`fe80::1-a.example.com`, where `:` had stopped the host name) makes a new
    /// host name, so a second pass runs when the first replaced an address, and a third would find nothing.
    pub fn apply(&mut self, text: &str) -> String {
        let (once, replaced_ip) = self.pass(text);
        if replaced_ip {
            self.pass(&once).0
        } else {
            once
        }
    }

    /// One left-to-right pass of [`Pseudonymizer::apply`]; also says whether it replaced an address.
    fn pass(&mut self, text: &str) -> (String, bool) {
        let b = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut replaced_ip = false;
        let mut i = 0;
        let mut copied = 0;
        while i < b.len() {
            let c = b[i];
            let at_word_start = i == 0
                || !(b[i - 1].is_ascii_alphanumeric()
                    || matches!(b[i - 1], b'.' | b'_' | b'-' | b':'))
                || (b[i - 1] == b':' && (i < 2 || !is_address_byte(b[i - 2])));
            if at_word_start && (c.is_ascii_alphanumeric() || c == b':') {
                let ip = ipv4_at(b, i).or_else(|| ipv6_at(text, i));
                let host = host_at(b, i);
                let found = match (ip, host) {
                    (Some(e), Some(h)) if h > e => Some((h, false)),
                    (Some(e), _) => Some((e, true)),
                    (None, Some(h)) => Some((h, false)),
                    (None, None) => None,
                };
                if let Some((e, is_ip)) = found {
                    out.push_str(&text[copied..i]);
                    let p = if is_ip {
                        replaced_ip = true;
                        self.ip(&text[i..e])
                    } else {
                        self.host(&text[i..e])
                    };
                    out.push_str(&p);
                    i = e;
                    copied = e;
                    continue;
                }
            }
            i += 1;
        }
        out.push_str(&text[copied..]);
        (out, replaced_ip)
    }
}

/// A byte an IPv6 address is made of. A colon after one may be inside an address (`fe80::1`), so what follows
/// it does not start a word; after any other byte it separates (`host:db.example.com`). That way no address or
/// name read from a word start runs over the next word start, and a replacement never changes what is read to
/// its left (which keeps [`Pseudonymizer::apply`] idempotent).
fn is_address_byte(c: u8) -> bool {
    c.is_ascii_hexdigit() || c == b':' || c == b'.'
}

fn ipv4_at(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i;
    for part in 0..4 {
        let s = j;
        let mut v: u32 = 0;
        while j < b.len() && b[j].is_ascii_digit() && j - s < 3 {
            v = v * 10 + (b[j] - b'0') as u32;
            j += 1;
        }
        if j == s || v > 255 {
            return None;
        }
        if part < 3 {
            if j >= b.len() || b[j] != b'.' {
                return None;
            }
            j += 1;
        }
    }
    if j < b.len()
        && (b[j].is_ascii_alphanumeric()
            || (b[j] == b'.' && b.get(j + 1).is_some_and(|c| c.is_ascii_digit())))
    {
        return None;
    }
    Some(j)
}

fn ipv6_at(text: &str, i: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut j = i;
    let mut colons = 0;
    let mut hex = 0;
    while j < b.len() && (b[j].is_ascii_hexdigit() || b[j] == b':' || b[j] == b'.') && j - i < 45 {
        if b[j] == b':' {
            colons += 1;
        } else {
            hex += 1;
        }
        j += 1;
    }
    // Trim a trailing colon or dot (punctuation after the address).
    while j > i && matches!(b[j - 1], b'.' | b':') {
        if b[j - 1] == b':' && j >= 2 && b[j - 2] == b':' {
            break;
        }
        if b[j - 1] == b':' {
            colons -= 1;
        }
        j -= 1;
    }
    if colons < 2 || hex < 2 || (j < b.len() && b[j].is_ascii_alphanumeric()) {
        return None;
    }
    let s = &text[i..j];
    s.parse::<std::net::Ipv6Addr>().ok().map(|_| j)
}

fn host_at(b: &[u8], i: usize) -> Option<usize> {
    if !b[i].is_ascii_alphanumeric() {
        return None;
    }
    let mut j = i;
    let mut dots = Vec::new();
    // No length cap: a cap would cut a long run at a different label once an address in it became `ip-N`.
    while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-' || b[j] == b'.') {
        if b[j] == b'.' {
            dots.push(j);
        }
        j += 1;
    }
    while j > i && matches!(b[j - 1], b'.' | b'-') {
        if b[j - 1] == b'.' {
            dots.pop();
        }
        j -= 1;
    }
    let last = *dots.last()?;
    if j < b.len() && (b[j] == b'(' || b[j] == b'_' || b[j] == b'$') {
        // `com.acme.Foo.bar(` is code.
        return None;
    }
    let tld = std::str::from_utf8(&b[last + 1..j])
        .ok()?
        .to_ascii_lowercase();
    if !TLDS.contains(&tld.as_str()) {
        return None;
    }
    // Labels: non-empty, the name has a letter.
    let name = &b[i..j];
    if name.windows(2).any(|w| w == b"..") || !name.iter().any(|c| c.is_ascii_alphabetic()) {
        return None;
    }
    Some(j)
}

/// Where the local part of an address ending at `at` (its `@`) starts in `word`.
fn local_part_start(word: &str, at: usize) -> usize {
    // Just past the last character that cannot be in a local part (its own length: it may be multi-byte).
    word[..at]
        .char_indices()
        .rev()
        .find(|&(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')))
        .map_or(0, |(i, c)| i + c.len_utf8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_structure() {
        let r = Redactor::new();
        let cases = [
            (
                "jdbc:mysql://app:S3cr3t!@db.internal:3306/meeting",
                "jdbc:mysql://app:<secret:password>@db.internal:3306/meeting",
            ),
            (
                "Authorization: Bearer abcdef0123456789abcdef",
                "Authorization: Bearer <secret:bearer-token>",
            ),
            (
                "{\"password\": \"pa55word\", \"user\": \"x\"}",
                "{\"password\": \"<secret:password>\", \"user\": \"x\"}",
            ),
            (
                "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                "export AWS_SECRET_ACCESS_KEY=<secret:aws-secret>",
            ),
            ("nothing to see here", "nothing to see here"),
            (
                "Failed password for root from 1.2.3.4 port 22 ssh2",
                "Failed password for root from 1.2.3.4 port 22 ssh2",
            ),
            (
                "wtoken = AppWindowToken{9f4ef63 token=Token{a64f992 ActivityRecord",
                "wtoken = AppWindowToken{9f4ef63 token=Token{a64f992 ActivityRecord",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(r.redact(input), want, "{input}");
        }
    }

    #[test]
    fn pem_lines() {
        let r = Redactor::new();
        let text = "key:\n-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----\nnext";
        let out = r.redact(text);
        assert_eq!(
            out,
            "key:\n-----BEGIN RSA PRIVATE KEY-----\n<secret:private-key>\n<secret:private-key>\n-----END RSA PRIVATE KEY-----\nnext"
        );
        let mut lr = r.lines();
        let got: Vec<String> = text.lines().map(|l| lr.line(l).into_owned()).collect();
        assert_eq!(got.join("\n"), out);
    }

    #[test]
    fn pseudonyms() {
        let mut p = Pseudonymizer::new();
        let out = p.apply("from 10.0.0.1 to api.vendor.com and 10.0.0.1, class com.acme.Foo.bar(x) v1.2.3.4.5 fe80::1");
        assert_eq!(
            out,
            "from ip-1 to host-1 and ip-1, class com.acme.Foo.bar(x) v1.2.3.4.5 ip-2"
        );
    }
}

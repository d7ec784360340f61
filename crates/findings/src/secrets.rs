//! The catalogue of secrets: what a credential looks like in a log line, found from a keyword.
//!
//! Every rule starts from a keyword that an Aho-Corasick automaton finds (ASCII case-insensitive); the rule's
//! locator then confirms the secret around that keyword and returns the span to mask. Keeping the keyword step
//! separate lets the analyzer fold these keywords into its one per-event scan.
//!
//! The catalogue was written after reading gitleaks' MIT-licensed rule set (`config/gitleaks.toml`) for which
//! token shapes exist; the expressions here are our own and deliberately narrower (anchored at a prefix, with
//! word boundaries) so that a log line costs little and ordinary words are not masked.

use logsieve_engine::Severity;
use regex::Regex;
use std::sync::OnceLock;

/// Whether a hit is a credential or personal data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Class {
    Secret,
    Pii,
}

/// One secret or personal datum found in a text: the byte span to mask and its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub start: usize,
    pub end: usize,
    /// The type, as written in the mask: `aws-key` gives `<secret:aws-key>`, `email` gives `<email>`.
    pub label: &'static str,
    pub class: Class,
    pub severity: Severity,
}

impl Hit {
    /// The mask that replaces the hit: `<secret:LABEL>` or `<LABEL>`.
    pub fn mask(&self) -> String {
        match self.class {
            Class::Secret => format!("<secret:{}>", self.label),
            Class::Pii => format!("<{}>", self.label),
        }
    }
}

/// A token rule: a regex anchored at the keyword's start.
struct ReRule {
    keywords: &'static [&'static str],
    /// Anchored with `^`; capture group 1, when present, is the part masked.
    re: &'static str,
    label: &'static str,
    severity: Severity,
    /// The byte before the keyword must not be a word byte.
    boundary_before: bool,
    /// The byte after the match must not be a word byte.
    boundary_after: bool,
    check: Option<fn(&str) -> bool>,
}

use Severity::{Critical, High, Medium};

static RE_RULES: &[ReRule] = &[
    ReRule {
        keywords: &["akia", "asia", "abia", "acca"],
        re: r"^(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}",
        label: "aws-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["aiza"],
        re: r"^AIza[0-9A-Za-z_\-]{35}",
        label: "gcp-api-key",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
        re: r"^gh[pousr]_[A-Za-z0-9]{30,255}",
        label: "github-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["github_pat_"],
        re: r"^github_pat_[A-Za-z0-9_]{22,255}",
        label: "github-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["glpat-", "gldt-", "glrt-", "glptt-", "glsoat-", "glcbt-"],
        re: r"^gl(?:pat|dt|rt|ptt|soat|cbt)-[A-Za-z0-9_\-]{20,255}",
        label: "gitlab-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["xox"],
        re: r"^xox[abeposr](?:\.[a-z0-9]{1,32})?-[0-9A-Za-z\-]{10,255}",
        label: "slack-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["xapp-"],
        re: r"^xapp-\d-[A-Z0-9]{1,32}-\d{1,32}-[a-z0-9]{1,255}",
        label: "slack-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["hooks.slack.com"],
        re: r"^hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9+/_\-]{20,255})",
        label: "slack-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
    ReRule {
        keywords: &["/api/webhooks/"],
        re: r"^/api/webhooks/(\d{5,30}/[A-Za-z0-9_\-]{20,255})",
        label: "discord-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
    ReRule {
        keywords: &["webhook.office.com"],
        re: r"^webhook\.office\.com/webhookb2/([^\s\x22'<>]{20,1024})",
        label: "teams-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
    ReRule {
        keywords: &["oapi.dingtalk.com"],
        re: r"^oapi\.dingtalk\.com/robot/send\?access_token=([0-9A-Za-z]{20,255})",
        label: "dingtalk-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
    ReRule {
        keywords: &["qyapi.weixin.qq.com"],
        re: r"^qyapi\.weixin\.qq\.com/cgi-bin/webhook/send\?key=([0-9A-Za-z\-]{20,255})",
        label: "wecom-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
    ReRule {
        keywords: &["/open-apis/bot/v2/hook/"],
        re: r"^/open-apis/bot/v2/hook/([0-9A-Za-z\-]{20,255})",
        label: "feishu-webhook",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
    ReRule {
        keywords: &["api.telegram.org/bot"],
        re: r"^api\.telegram\.org/bot(\d{6,12}:[A-Za-z0-9_\-]{30,255})",
        label: "telegram-token",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
    ReRule {
        keywords: &["sk_live_", "rk_live_"],
        re: r"^[sr]k_live_[0-9A-Za-z]{16,255}",
        label: "stripe-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["sk_test_", "rk_test_"],
        re: r"^[sr]k_test_[0-9A-Za-z]{16,255}",
        label: "stripe-test-key",
        severity: Medium,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["whsec_"],
        re: r"^whsec_[A-Za-z0-9+/=]{24,255}",
        label: "stripe-webhook-secret",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["sk-"],
        re: r"^sk-ant-[A-Za-z0-9_\-]{20,255}",
        label: "anthropic-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["sk-"],
        re: r"^sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,255}",
        label: "openai-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: Some(mixed_alnum),
    },
    ReRule {
        keywords: &["gsk_"],
        re: r"^gsk_[A-Za-z0-9]{40,255}",
        label: "groq-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["hf_"],
        re: r"^hf_[A-Za-z0-9]{30,255}",
        label: "huggingface-token",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: Some(mixed_case),
    },
    ReRule {
        keywords: &["pplx-"],
        re: r"^pplx-[A-Za-z0-9]{40,255}",
        label: "perplexity-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["xai-"],
        re: r"^xai-[A-Za-z0-9]{60,255}",
        label: "xai-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["npm_"],
        re: r"^npm_[A-Za-z0-9]{36}",
        label: "npm-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["pypi-"],
        re: r"^pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_\-]{50,255}",
        label: "pypi-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["dckr_pat_"],
        re: r"^dckr_pat_[A-Za-z0-9_\-]{20,255}",
        label: "docker-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["sg."],
        re: r"^SG\.[A-Za-z0-9_\-]{16,32}\.[A-Za-z0-9_\-]{16,64}",
        label: "sendgrid-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["hvs.", "hvb."],
        re: r"^hv[sb]\.[A-Za-z0-9_\-]{24,255}",
        label: "vault-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["ltai"],
        re: r"^LTAI[A-Za-z0-9]{12,20}",
        label: "alibaba-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["akid"],
        re: r"^AKID[A-Za-z0-9]{13,40}",
        label: "tencent-key",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: Some(has_digit),
    },
    ReRule {
        keywords: &["shpat_", "shpss_", "shpca_", "shppa_"],
        re: r"^shp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}",
        label: "shopify-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["sq0atp-", "sq0csp-"],
        re: r"^sq0(?:atp|csp)-[0-9A-Za-z\-_]{22,255}",
        label: "square-token",
        severity: Critical,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["nrak-"],
        re: r"^NRAK-[A-Z0-9]{27}",
        label: "newrelic-key",
        severity: High,
        boundary_before: true,
        boundary_after: true,
        check: None,
    },
    ReRule {
        keywords: &["thin:"],
        re: r"^thin:[^/\s@:]{1,64}/([^@\s/]{1,128})@",
        label: "password",
        severity: High,
        boundary_before: false,
        boundary_after: false,
        check: None,
    },
];

/// Locators that are not a single regex.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Special {
    Pem,
    UrlCreds,
    Pair,
    Authorization,
    Bearer,
    Email,
    Jwt,
}

static SPECIAL: &[(&str, Special)] = &[
    ("-----begin", Special::Pem),
    ("://", Special::UrlCreds),
    ("pass", Special::Pair),
    ("pwd", Special::Pair),
    ("secret", Special::Pair),
    ("token", Special::Pair),
    ("apikey", Special::Pair),
    ("api_key", Special::Pair),
    ("api-key", Special::Pair),
    ("accesskey", Special::Pair),
    ("access_key", Special::Pair),
    ("access-key", Special::Pair),
    ("accountkey", Special::Pair),
    ("privatekey", Special::Pair),
    ("private_key", Special::Pair),
    ("credential", Special::Pair),
    ("authkey", Special::Pair),
    ("auth_key", Special::Pair),
    ("sig=", Special::Pair),
    ("authorization", Special::Authorization),
    ("bearer", Special::Bearer),
    ("@", Special::Email),
    ("eyj", Special::Jwt),
];

#[derive(Debug, Clone, Copy)]
enum Loc {
    Re(usize),
    Special(Special),
}

/// The compiled catalogue.
pub struct Catalog {
    /// Keywords (lowercase ASCII), in the order of their ids.
    pub keywords: Vec<&'static str>,
    /// For each keyword, the locators to try.
    locs: Vec<Vec<Loc>>,
    /// Compiled on first use.
    regexes: Vec<OnceLock<Regex>>,
}

impl Default for Catalog {
    fn default() -> Self {
        Catalog::new()
    }
}

impl Catalog {
    pub fn new() -> Catalog {
        let mut keywords: Vec<&'static str> = Vec::new();
        let mut locs: Vec<Vec<Loc>> = Vec::new();
        let mut add = |kw: &'static str, loc: Loc| match keywords.iter().position(|k| *k == kw) {
            Some(i) => locs[i].push(loc),
            None => {
                keywords.push(kw);
                locs.push(vec![loc]);
            }
        };
        for (i, r) in RE_RULES.iter().enumerate() {
            for kw in r.keywords {
                add(kw, Loc::Re(i));
            }
        }
        for (kw, s) in SPECIAL {
            add(kw, Loc::Special(*s));
        }
        let regexes = RE_RULES.iter().map(|_| OnceLock::new()).collect();
        Catalog {
            keywords,
            locs,
            regexes,
        }
    }

    /// Confirms the secret(s) around keyword `kw` found at `ks..ke` in `text`; pushes what it finds.
    ///
    /// One call does a bounded amount of work (every locator reads a bounded window, or pushes a hit over what
    /// it read). [`Catalog::locate_all`] keeps state across the keywords of a text and is linear in its length.
    pub fn locate(&self, text: &str, kw: usize, ks: usize, ke: usize, out: &mut Vec<Hit>) {
        self.locate_in(text, kw, ks, ke, &mut Memo::default(), out);
    }

    /// Confirms the secrets around every keyword occurrence `(keyword id, start, end)` (in order of start) of
    /// `text`. A keyword inside a secret already found is skipped, so that the work is linear in the text's
    /// length (a locator that reads far pushes a hit over what it read).
    pub fn locate_all(
        &self,
        text: &str,
        kws: impl Iterator<Item = (usize, usize, usize)>,
        out: &mut Vec<Hit>,
    ) {
        let mut memo = Memo::default();
        for (kw, ks, ke) in kws {
            self.locate_in(text, kw, ks, ke, &mut memo, out);
        }
    }

    fn locate_in(
        &self,
        text: &str,
        kw: usize,
        ks: usize,
        ke: usize,
        memo: &mut Memo,
        out: &mut Vec<Hit>,
    ) {
        // A keyword inside a secret already masked adds nothing (and re-reading the secret would make a line of
        // repeated keywords quadratic).
        let covered = ks < memo.covered_end && ks >= memo.covered_start;
        for loc in &self.locs[kw] {
            // Token shapes still run inside a generic hit (`https://user:ghp_…@host` is a GitHub token, not just
            // a password); their cost per keyword is bounded.
            if covered && !matches!(loc, Loc::Re(_) | Loc::Special(Special::Jwt)) {
                continue;
            }
            let before = out.len();
            match *loc {
                Loc::Re(i) => {
                    // A token shape is at most TOKEN_MAX bytes and ends where the token bytes end: from a start
                    // followed by a longer run of token bytes, no token ends at a boundary. Runs are measured
                    // once, so a line of `sk-sk-sk-…` costs linear time (and not one regex per `sk-`).
                    if RE_RULES[i].boundary_after
                        && memo.token_run_end(text.as_bytes(), ks) - ks > TOKEN_MAX
                    {
                        continue;
                    }
                    self.locate_re(text, i, ks, out)
                }
                Loc::Special(Special::Pem) => locate_pem(text, ks, memo, out),
                Loc::Special(Special::UrlCreds) => locate_url_creds(text, ks, ke, out),
                Loc::Special(Special::Pair) => locate_pair(text, ks, ke, out),
                Loc::Special(Special::Authorization) => locate_authorization(text, ks, ke, out),
                Loc::Special(Special::Bearer) => locate_bearer(text, ks, ke, out),
                Loc::Special(Special::Email) => locate_email(text, ks, out),
                Loc::Special(Special::Jwt) => locate_jwt(text, ks, out),
            }
            if out.len() > before {
                for h in &out[before..] {
                    if h.end > memo.covered_end || memo.covered_end <= ks {
                        memo.covered_start = h.start.min(ks);
                        memo.covered_end = h.end;
                    }
                }
                return;
            }
        }
    }

    fn locate_re(&self, text: &str, i: usize, ks: usize, out: &mut Vec<Hit>) {
        let rule = &RE_RULES[i];
        let b = text.as_bytes();
        if rule.boundary_before && ks > 0 && crate::text::is_word_byte(b[ks - 1]) {
            return;
        }
        // Every rule's quantifiers are bounded, so a match is shorter than the window; reading a window (and not
        // the rest of the line) bounds the cost of one attempt whatever engine the regex crate picks.
        let hay = crate::text::cut(&text[ks..], RE_WINDOW);
        crate::work::add(hay.len().min(RE_WINDOW_TYPICAL) as u64);
        let re = self.regexes[i].get_or_init(|| Regex::new(rule.re).expect("secret rule regex"));
        let (whole_end, group) = if re.captures_len() > 1 {
            let Some(caps) = re.captures(hay) else {
                return;
            };
            let whole = caps.get(0).expect("group 0");
            (whole.end(), caps.get(1).map(|g| (g.start(), g.end())))
        } else {
            let Some(m) = re.find(hay) else {
                return;
            };
            (m.end(), None)
        };
        let end = ks + whole_end;
        if rule.boundary_after && end < b.len() && crate::text::is_word_byte(b[end]) {
            return;
        }
        let (s, e) = match group {
            Some((gs, ge)) => (ks + gs, ks + ge),
            None => (ks, end),
        };
        if let Some(check) = rule.check {
            if !check(&text[s..e]) {
                return;
            }
        }
        out.push(Hit {
            start: s,
            end: e,
            label: rule.label,
            class: Class::Secret,
            severity: rule.severity,
        });
    }
}

/// The longest text a token regex is run on (every rule's match is shorter: its quantifiers are bounded).
const RE_WINDOW: usize = 320;
/// What one regex attempt is counted as in the work counter (a bounded match reads about this much).
const RE_WINDOW_TYPICAL: usize = 300;

/// The longest token any boundary-checked regex rule matches (prefix included).
const TOKEN_MAX: usize = 340;

fn is_token_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-'
}

impl Memo {
    /// The end of the run of token bytes (`[A-Za-z0-9_-]`) that `ks` is in; each run is read once.
    fn token_run_end(&mut self, b: &[u8], ks: usize) -> usize {
        if !(self.token_run.0 <= ks && ks < self.token_run.1) {
            self.token_run = (ks, run_end(b, ks, is_token_byte).max(ks + 1));
        }
        self.token_run.1
    }
}

/// What the locators learnt on the keywords of one text so far.
#[derive(Debug, Default)]
struct Memo {
    /// The span of the last secret found: keywords inside it are skipped.
    covered_start: usize,
    covered_end: usize,
    /// The last run of token bytes measured.
    token_run: (usize, usize),
    /// The last search for a PEM END marker: where it started and where it found one.
    pem_end: Option<(usize, Option<usize>)>,
}

fn is_b64url(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'_'
}

/// The end of the run of bytes in `class` starting at `s`.
fn run_end(b: &[u8], s: usize, class: fn(u8) -> bool) -> usize {
    let mut e = s;
    while e < b.len() && class(b[e]) {
        e += 1;
    }
    crate::work::add((e - s) as u64);
    e
}

/// A JSON Web Token (RFC 7519, compact serialisation of RFC 7515): `BASE64URL(header).BASE64URL(payload).
/// BASE64URL(signature)`; header and payload are JSON objects, so both start `eyJ` (`{"`). An unsecured token
/// (RFC 7519 §6, empty signature) still carries its claims and is masked too.
fn locate_jwt(text: &str, ks: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // A token starts a run of base64url bytes, so runs are read once each (and the payload and signature at
    // most three times, as the header, payload and signature of the tokens around them): linear.
    if (ks > 0 && is_b64url(b[ks - 1])) || b.get(ks..ks + 3) != Some(b"eyJ") {
        return;
    }
    let he = run_end(b, ks, is_b64url);
    if he - ks < 10 {
        return;
    }
    if let Some(end) = jwt_tail(b, he) {
        out.push(Hit {
            start: ks,
            end,
            label: "jwt",
            class: Class::Secret,
            severity: High,
        });
    }
}

/// After a JWT header ending at `he`: `.eyJ…` (payload) `.` then the signature; the token's end.
fn jwt_tail(b: &[u8], he: usize) -> Option<usize> {
    if b.get(he) != Some(&b'.') || b.get(he + 1..he + 4) != Some(b"eyJ") {
        return None;
    }
    let pe = run_end(b, he + 1, is_b64url);
    if pe - (he + 1) < 10 || b.get(pe) != Some(&b'.') {
        return None;
    }
    Some(run_end(b, pe + 1, is_b64url))
}

fn has_digit(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_digit())
}

fn mixed_alnum(s: &str) -> bool {
    has_digit(s) && s.bytes().any(|b| b.is_ascii_alphabetic())
}

fn mixed_case(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_uppercase()) && s.bytes().any(|b| b.is_ascii_lowercase())
}

// ---------------------------------------------------------------------------------------------------------------
// PEM private keys.

const PEM_END: &str = "-----END";

/// `-----BEGIN ... PRIVATE KEY-----` then the body up to `-----END`: each body line is masked on its own, so
/// that a multi-line text keeps its lines.
fn locate_pem(text: &str, ks: usize, memo: &mut Memo, out: &mut Vec<Hit>) {
    let rest = &text[ks..];
    // The marker: `-----BEGIN ` words `PRIVATE KEY` [` BLOCK`] `-----`, at most 80 bytes.
    let Some(close) = crate::text::cut(&rest[10..], 80)
        .find("-----")
        .map(|i| i + 10)
    else {
        return;
    };
    crate::work::add(close as u64);
    let marker = &rest[..close];
    let upper = marker.to_ascii_uppercase();
    if !upper.contains("PRIVATE KEY") {
        return;
    }
    let body_start = ks + close + 5;
    // The next END marker; a search made for an earlier BEGIN answers for every BEGIN before what it found.
    let end_at = match memo.pem_end {
        Some((from, found)) if from <= body_start && found.is_none_or(|f| body_start <= f) => found,
        _ => {
            let found = text[body_start..].find(PEM_END).map(|e| body_start + e);
            crate::work::add((found.unwrap_or(text.len()) - body_start) as u64);
            memo.pem_end = Some((body_start, found));
            found
        }
    };
    let body_end = match end_at {
        Some(e) => e,
        None => pem_body_end_without_marker(text, body_start),
    };
    if body_end <= body_start {
        return;
    }
    let mut pos = body_start;
    for seg in text[body_start..body_end].split('\n') {
        let s = pos;
        pos += seg.len() + 1;
        let trimmed_start = seg.len() - seg.trim_start().len();
        let t = seg.trim();
        if t.is_empty() {
            continue;
        }
        let a = s + trimmed_start;
        out.push(Hit {
            start: a,
            end: a + t.len(),
            label: "private-key",
            class: Class::Secret,
            severity: Critical,
        });
    }
}

/// Without an END marker: the body runs over the following lines that look like base64 (or PEM headers); on the
/// marker's own line, up to a quote (a key inside a JSON string with `\n` escapes).
fn pem_body_end_without_marker(text: &str, body_start: usize) -> usize {
    let b = text.as_bytes();
    let mut i = body_start;
    // Rest of the marker's line.
    while i < b.len() && b[i] != b'\n' {
        if b[i] == b'"' || b[i] == b'\'' {
            return i;
        }
        i += 1;
    }
    let mut end = i;
    while i < b.len() {
        let ls = i + 1;
        let le = memchr::memchr(b'\n', &b[ls.min(b.len())..])
            .map(|x| ls + x)
            .unwrap_or(b.len());
        if ls >= b.len() {
            break;
        }
        let line = &text[ls..le];
        if !looks_like_pem_body_line(line) {
            break;
        }
        end = le;
        i = le;
    }
    end
}

/// A line of a PEM body: base64 characters (at least 16), or a `Proc-Type:`/`DEK-Info:` header.
pub fn looks_like_pem_body_line(line: &str) -> bool {
    let t = line.trim();
    if t.starts_with("Proc-Type:") || t.starts_with("DEK-Info:") {
        return true;
    }
    t.len() >= 16
        && t.bytes()
            .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'/' || c == b'=')
}

// ---------------------------------------------------------------------------------------------------------------
// Credentials in URLs: `scheme://user:password@host`.

fn locate_url_creds(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // A scheme before `://`.
    let mut s = ks;
    while s > 0
        && ks - s < 32
        && (b[s - 1].is_ascii_alphanumeric() || matches!(b[s - 1], b'+' | b'.' | b'-'))
    {
        s -= 1;
    }
    if ks - s < 2 || !b[s].is_ascii_alphabetic() {
        return;
    }
    let mut i = ke;
    let mut at = None;
    let mut colon = None;
    while i < b.len() {
        match b[i] {
            b'/' | b'?' | b'#' | b' ' | b'\t' | b'\n' | b'"' | b'\'' | b'<' | b'>' | b'`' => break,
            b'@' => at = Some(i),
            b':' if colon.is_none() && at.is_none() => colon = Some(i),
            _ => {}
        }
        i += 1;
        // Scans stop at the next `://` (its `/`), so they never overlap: linear without a cap.
    }
    crate::work::add((i - ke) as u64);
    let (Some(at), Some(colon)) = (at, colon) else {
        return;
    };
    if colon >= at {
        return;
    }
    let pw = &text[colon + 1..at];
    if pw.is_empty() || is_placeholder(pw) {
        return;
    }
    out.push(Hit {
        start: colon + 1,
        end: at,
        label: "password",
        class: Class::Secret,
        severity: High,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// `key = value` pairs whose key names a credential.

fn is_key_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_' || c == b'-' || c == b'.'
}

/// What kind of credential a key names, if any. The key is split into lowercase words (`db.password`,
/// `clientSecret`, `X-Api-Key`, `AWS_SECRET_ACCESS_KEY`) without allocating.
fn classify_key(key: &str) -> Option<&'static str> {
    let kb = key.as_bytes();
    if kb.is_empty() || kb.len() > 64 {
        return None;
    }
    // `joined`: the key's letters and digits, lowercase; `words`: ranges of `joined`.
    let mut joined = [0u8; 64];
    let mut jl = 0usize;
    let mut words = [(0u8, 0u8); 9];
    let mut nw = 0usize;
    let mut start = 0usize;
    for (i, &c) in kb.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if jl > start {
                if nw == 9 {
                    return None;
                }
                words[nw] = (start as u8, jl as u8);
                nw += 1;
            }
            start = jl;
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 && kb[i - 1].is_ascii_lowercase() && jl > start {
            if nw == 9 {
                return None;
            }
            words[nw] = (start as u8, jl as u8);
            nw += 1;
            start = jl;
        }
        joined[jl] = c.to_ascii_lowercase();
        jl += 1;
    }
    if jl > start {
        if nw == 9 {
            return None;
        }
        words[nw] = (start as u8, jl as u8);
        nw += 1;
    }
    if nw == 0 || nw > 8 {
        return None;
    }
    let j = &joined[..jl];
    let word = |k: usize| &joined[words[k].0 as usize..words[k].1 as usize];
    let has = |w: &[u8]| (0..nw).any(|k| word(k) == w);
    const NOT_A_VALUE: &[&str] = &[
        "length",
        "len",
        "min",
        "max",
        "policy",
        "expiry",
        "expires",
        "expired",
        "expiration",
        "reset",
        "hint",
        "changed",
        "required",
        "enabled",
        "enable",
        "disabled",
        "strength",
        "file",
        "path",
        "url",
        "uri",
        "type",
        "count",
        "attempts",
        "attempt",
        "age",
        "rule",
        "rules",
        "validator",
        "encoder",
        "field",
        "label",
        "prompt",
        "ttl",
        "endpoint",
        "name",
        "limit",
        "usage",
        "id",
        "ids",
        "size",
        "timeout",
        "lifetime",
        "format",
        "mode",
        "algorithm",
        "alg",
        "version",
        "store",
        "manager",
        "provider",
        "header",
        "param",
        "location",
        "ref",
        "refs",
        "dir",
        "exists",
        "valid",
        "invalid",
        "missing",
        "set",
        "status",
        "state",
        "source",
        "method",
        "auth",
        "authentication",
        "login",
        "prefix",
        "kind",
        "bucket",
        "scope",
        "scopes",
    ];
    if NOT_A_VALUE.iter().any(|w| has(w.as_bytes())) {
        return None;
    }
    let contains = |n: &[u8]| j.windows(n.len()).any(|w| w == n);
    if has(b"password")
        || has(b"passwd")
        || has(b"pwd")
        || has(b"pass")
        || has(b"passphrase")
        || has(b"passcode")
        || j.ends_with(b"password")
        || j.ends_with(b"passwd")
    {
        return Some("password");
    }
    if contains(b"secret") {
        if contains(b"aws") {
            return Some("aws-secret");
        }
        return Some("secret");
    }
    if contains(b"accountkey") {
        return Some("azure-storage-key");
    }
    if contains(b"apikey") {
        return Some("api-key");
    }
    if contains(b"accesskey") {
        return Some("access-key");
    }
    if contains(b"privatekey") {
        return Some("private-key");
    }
    if contains(b"authkey") {
        return Some("api-key");
    }
    if has(b"token") || has(b"tokens") || j.ends_with(b"token") {
        return Some("token");
    }
    if has(b"credential") || has(b"credentials") {
        return Some("credential");
    }
    if nw == 1 && j == b"sig" {
        return Some("signature");
    }
    None
}

/// Values that are not credentials: placeholders, booleans, already-masked text.
fn is_placeholder(v: &str) -> bool {
    let l = v.trim().to_ascii_lowercase();
    if l.is_empty() {
        return true;
    }
    if l.bytes()
        .all(|c| c == b'*' || c == b'x' || c == b'#' || c == b'.' || c == b'-' || c == b'?')
    {
        return true;
    }
    if (l.starts_with('<') && l.ends_with('>'))
        || l.starts_with("${")
        || l.starts_with("{{")
        || l.starts_with("%s")
        || l.starts_with("<secret")
        || l.starts_with('[') && l.ends_with(']')
    {
        return true;
    }
    matches!(
        l.as_str(),
        "null"
            | "nil"
            | "none"
            | "undefined"
            | "true"
            | "false"
            | "yes"
            | "no"
            | "redacted"
            | "masked"
            | "hidden"
            | "filtered"
            | "removed"
            | "secret"
            | "password"
            | "empty"
            | "n/a"
            | "na"
            | "{}"
            | "[]"
            | "''"
            | "\"\""
            | "set"
            | "unset"
            | "required"
            | "optional"
            | "ok"
            | "invalid"
            | "incorrect"
            | "wrong"
            | "expired"
            | "missing"
            | "present"
            | "provided"
            | "changed"
    )
}

fn locate_pair(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // `sig=` carries its separator.
    let sig = b[ks..ke].ends_with(b"=");
    let (mut kl, mut kr) = (ks, if sig { ke - 1 } else { ke });
    while kl > 0 && is_key_byte(b[kl - 1]) && ks - kl < 64 {
        kl -= 1;
    }
    while kr < b.len() && is_key_byte(b[kr]) && kr - ke < 64 {
        kr += 1;
    }
    // A key ending in `.` or `-` is a sentence, not a key.
    while kr > ke && matches!(b[kr - 1], b'.' | b'-') {
        kr -= 1;
    }
    let key = &text[kl..kr];
    let Some(label) = classify_key(key) else {
        return;
    };
    let xml = kl > 0 && b[kl - 1] == b'<';
    // Separator: optional closing quote of a JSON key, blanks, then `=`, `:`, `=>`, `:=` (or `>` in XML).
    let mut i = kr;
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        i += 1;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let sep_colon;
    if xml {
        if i >= b.len() || b[i] != b'>' {
            return;
        }
        sep_colon = false;
        i += 1;
    } else {
        match b.get(i) {
            Some(b'=') => {
                sep_colon = false;
                i += 1;
                if b.get(i) == Some(&b'>') {
                    i += 1;
                }
            }
            Some(b':') => {
                sep_colon = true;
                i += 1;
                if b.get(i) == Some(&b'=') {
                    i += 1;
                }
            }
            _ => return,
        }
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    let strong = label != "password";
    // The value. No cap on its length (a long value is masked whole); the scan gives up as soon as the value
    // cannot be a credential, so a line of repeated keywords costs linear time.
    let (vs, ve, quoted) = match b.get(i) {
        Some(&q @ (b'"' | b'\'')) => {
            let s = i + 1;
            let mut e = s;
            while e < b.len() && b[e] != q && b[e] != b'\n' {
                if b[e] == b'\\' {
                    e += 1;
                } else if strong && b[e] == b' ' {
                    // Tokens and keys have no blanks.
                    return;
                }
                e += 1;
            }
            (s, e.min(b.len()), true)
        }
        Some(_) => {
            let s = i;
            let mut e = s;
            while e < b.len() {
                let c = b[e];
                let stop = c.is_ascii_whitespace()
                    || (c == b'&' && starts_pair(&b[e + 1..]))
                    || matches!(
                        c,
                        b'"' | b'\''
                            | b','
                            | b';'
                            | b'}'
                            | b')'
                            | b']'
                            | b'<'
                            | b'>'
                            | b'{'
                            | b'('
                            | b'['
                            | b'|'
                    );
                if stop {
                    break;
                }
                // `credentials: accessKeyId=…` and `token: https://…` name another pair or a URL, not a value
                // (but `=` padding ends base64).
                if c == b'=' {
                    let mut k = e;
                    while k < b.len() && b[k] == b'=' {
                        k += 1;
                    }
                    if k < b.len() && !value_stop(b[k]) {
                        return;
                    }
                }
                if (c == b':' && b[e + 1..].starts_with(b"//")) || (strong && c == b'@') {
                    return;
                }
                e += 1;
            }
            // A trailing full stop ends a sentence.
            while e > s && matches!(b[e - 1], b'.') {
                e -= 1;
            }
            (s, e, false)
        }
        None => return,
    };
    crate::work::add((ve.max(vs) - vs) as u64);
    if ve <= vs {
        return;
    }
    let v = &text[vs..ve];
    if is_placeholder(v) {
        return;
    }
    if strong {
        // Tokens and keys are long and not plain words.
        let min = if label == "signature" { 20 } else { 8 };
        if v.len() < min {
            return;
        }
        if !quoted && v.len() < 16 && !v.bytes().any(|c| c.is_ascii_digit()) {
            return;
        }
    } else {
        // `pwd=/home/user` is a working directory.
        if v.starts_with('/')
            && (key.eq_ignore_ascii_case("pwd") || key.eq_ignore_ascii_case("oldpwd"))
        {
            return;
        }
        if sep_colon && !quoted {
            // `password: hunter2`, not `password: required`: a colon needs something password-like.
            let looks = v.len() >= 4
                && (v
                    .bytes()
                    .any(|c| c.is_ascii_digit() || c.is_ascii_punctuation())
                    || (v.bytes().any(|c| c.is_ascii_uppercase())
                        && v.bytes().any(|c| c.is_ascii_lowercase())));
            if !looks {
                return;
            }
        }
    }
    let severity = match label {
        "aws-secret" | "azure-storage-key" | "private-key" => Critical,
        _ => High,
    };
    out.push(Hit {
        start: vs,
        end: ve,
        label,
        class: Class::Secret,
        severity,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// Authorization headers and bearer tokens.

fn is_credential_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'~' | b'+' | b'/' | b'=' | b'-' | b':')
}

/// The end of a credential (RFC 7235 `token68` bytes and `:`) starting at `s`; no cap, so a long credential is
/// masked whole.
fn credential_end(b: &[u8], s: usize) -> usize {
    run_end(b, s, is_credential_byte)
}

fn locate_authorization(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    // `unauthorization` is not a header; `proxyauthorization` (`Proxy-Authorization` without its dash) and
    // `XAuthorization` are.
    if ks > 0
        && b[ks - 1].is_ascii_alphanumeric()
        && !b[ks - 1].is_ascii_uppercase()
        && !(ks >= 5 && b[ks - 5..ks].eq_ignore_ascii_case(b"proxy"))
    {
        return;
    }
    let mut i = ke;
    if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
        i += 1;
    }
    while i < b.len() && b[i] == b' ' {
        i += 1;
    }
    if i >= b.len() || !(b[i] == b':' || b[i] == b'=') {
        return;
    }
    i += 1;
    while i < b.len() && (b[i] == b' ' || b[i] == b'"' || b[i] == b'\'' || b[i] == b'[') {
        i += 1;
    }
    // Optional scheme word.
    let ws = i;
    let mut we = i;
    while we < b.len() && (b[we].is_ascii_alphanumeric() || b[we] == b'-') && we - ws < 24 {
        we += 1;
    }
    let scheme = text[ws..we].to_ascii_lowercase();
    let known = [
        "bearer",
        "basic",
        "token",
        "digest",
        "negotiate",
        "ntlm",
        "apikey",
        "sharedkey",
        "hmac",
        "dpop",
        "aws4-hmac-sha256",
        "otp",
        "key",
        "sso-key",
        "splunk",
        "gentoken",
    ];
    let (label, cs) = if we < b.len() && b[we] == b' ' && known.contains(&scheme.as_str()) {
        let label = match scheme.as_str() {
            "bearer" | "dpop" => "bearer-token",
            "basic" => "basic-auth",
            _ => "authorization",
        };
        let mut cs = we;
        while cs < b.len() && b[cs] == b' ' {
            cs += 1;
        }
        (label, cs)
    } else {
        ("authorization", ws)
    };
    let ce = if matches!(scheme.as_str(), "digest" | "aws4-hmac-sha256" | "hmac") {
        // Parameters with blanks: up to the end of the line or a closing quote.
        let mut e = cs;
        while e < b.len() && b[e] != b'\n' && b[e] != b'"' && b[e] != b'\'' && b[e] != b']' {
            e += 1;
        }
        crate::work::add((e - cs) as u64);
        e
    } else {
        credential_end(b, cs)
    };
    if ce <= cs || ce - cs < 6 || is_placeholder(&text[cs..ce]) {
        return;
    }
    out.push(Hit {
        start: cs,
        end: ce,
        label,
        class: Class::Secret,
        severity: High,
    });
}

fn locate_bearer(text: &str, ks: usize, ke: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    if ks > 0 && b[ks - 1].is_ascii_alphanumeric() {
        return;
    }
    let mut i = ke;
    if i >= b.len() || !(b[i] == b' ' || b[i] == b'=' || b[i] == b':') {
        return;
    }
    while i < b.len() && matches!(b[i], b' ' | b'=' | b':' | b'"' | b'\'') {
        i += 1;
    }
    // Decide on the first 64 bytes (a digit or a dot: not a word), then read the whole credential: a rejected
    // attempt reads a bounded window, so a line of repeated `bearer` stays linear.
    let mut h = i;
    while h < b.len() && h - i < 64 && is_credential_byte(b[h]) {
        h += 1;
    }
    crate::work::add((h - i) as u64);
    let head = &b[i..h];
    if !head.iter().any(|c| c.is_ascii_digit() || *c == b'.') {
        return;
    }
    let e = credential_end(b, h);
    if e - i < 16 || is_placeholder(&text[i..e]) {
        return;
    }
    out.push(Hit {
        start: i,
        end: e,
        label: "bearer-token",
        class: Class::Secret,
        severity: High,
    });
}

// ---------------------------------------------------------------------------------------------------------------
// E-mail addresses (personal data).

fn locate_email(text: &str, at: usize, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    let mut s = at;
    while s > 0
        && (b[s - 1].is_ascii_alphanumeric()
            || matches!(b[s - 1], b'.' | b'_' | b'%' | b'+' | b'-'))
        && at - s < 64
    {
        s -= 1;
    }
    while s < at && matches!(b[s], b'.' | b'-' | b'+') {
        s += 1;
    }
    if s == at {
        return;
    }
    // `scheme://user:pass@host`: the URL-credentials rule owns it; `a/b@c` is a path.
    if s > 0 && matches!(b[s - 1], b':' | b'/') {
        return;
    }
    let mut e = at + 1;
    let mut last_dot = None;
    while e < b.len()
        && (b[e].is_ascii_alphanumeric() || b[e] == b'-' || b[e] == b'.')
        && e - at < 255
    {
        if b[e] == b'.' {
            last_dot = Some(e);
        }
        e += 1;
    }
    while e > at + 1 && matches!(b[e - 1], b'.' | b'-') {
        e -= 1;
        if last_dot == Some(e) {
            last_dot = text[at + 1..e].rfind('.').map(|x| x + at + 1);
        }
    }
    let Some(dot) = last_dot else { return };
    if dot >= e || dot <= at + 1 {
        return;
    }
    let tld = &b[dot + 1..e];
    if tld.len() < 2 || tld.len() > 24 || !tld.iter().all(|c| c.is_ascii_alphabetic()) {
        return;
    }
    // The domain's labels are not empty.
    if text[at + 1..e].contains("..") || b[at + 1] == b'.' || b[at + 1] == b'-' {
        return;
    }
    let local = &text[s..at];
    if local.eq_ignore_ascii_case("git") {
        return;
    }
    out.push(Hit {
        start: s,
        end: e,
        label: "email",
        class: Class::Pii,
        severity: Severity::Low,
    });
}

/// A byte that ends an unquoted value.
fn value_stop(c: u8) -> bool {
    c.is_ascii_whitespace()
        || matches!(
            c,
            b'"' | b'\''
                | b','
                | b';'
                | b'}'
                | b')'
                | b']'
                | b'<'
                | b'>'
                | b'{'
                | b'('
                | b'['
                | b'|'
                | b'&'
        )
}

/// Whether `rest` (what follows a `&`) starts another `name=` pair: then the `&` separates query parameters;
/// otherwise it is part of the value (`password=Tr0ub4dor&3x`), and cutting there would leak the rest.
fn starts_pair(rest: &[u8]) -> bool {
    // Parameter names are short; reading at most 64 bytes keeps a value with many `&` linear.
    let name = rest
        .iter()
        .take(64)
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'[' | b']'))
        .count();
    name > 0 && rest.get(name) == Some(&b'=')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_classification() {
        assert_eq!(classify_key("password"), Some("password"));
        assert_eq!(classify_key("spring.datasource.password"), Some("password"));
        assert_eq!(classify_key("clientSecret"), Some("secret"));
        assert_eq!(classify_key("AWS_SECRET_ACCESS_KEY"), Some("aws-secret"));
        assert_eq!(classify_key("X-Api-Key"), Some("api-key"));
        assert_eq!(classify_key("access_token"), Some("token"));
        assert_eq!(classify_key("password_length"), None);
        assert_eq!(classify_key("passed"), None);
        assert_eq!(classify_key("bypass"), None);
        assert_eq!(classify_key("token_type"), None);
        assert_eq!(classify_key("tokenizer"), None);
    }

    #[test]
    fn ampersand_ends_a_value_only_before_another_pair() {
        assert!(starts_pair(b"user=bob"));
        assert!(starts_pair(b"filter[name]=x"));
        assert!(!starts_pair(b"3x"));
        assert!(!starts_pair(b"=x"));
        assert!(!starts_pair(b""));
        let r = crate::Redactor::new();
        assert_eq!(
            r.redact("login password=Tr0ub4dor&3x ok"),
            "login password=<secret:password> ok"
        );
        assert_eq!(
            r.redact("GET /login?password=hunter2&user=bob"),
            "GET /login?password=<secret:password>&user=bob"
        );
    }
}

#[cfg(test)]
mod compile_tests {
    #[test]
    fn every_rule_compiles() {
        for r in super::RE_RULES {
            regex::Regex::new(r.re).unwrap_or_else(|e| panic!("{}: {e}", r.label));
            assert!(r.re.starts_with('^'), "{} is anchored", r.label);
        }
    }
}

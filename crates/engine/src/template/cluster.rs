//! Clustering: merging keys that differ only where a value sits.
//!
//! Input: the distinct keys seen (masked word sequences) with their line counts. Keys with the same number of words
//! are compared first. Keys equal in every word but one form a *group*; the group becomes one template, with
//! `<*>` in the differing word, when the words that differ there look like values:
//!
//! * one of them is already a value in some key (`uid=<*>` next to `uid=ffff`, `(<*>)` next to `()`);
//! * they sit inside double quotes (a quoted string that varies), or right after `=` (two distinct suffice);
//! * they look like identifiers (dots, slashes, underscores, digits: `com.a.b`, `a/b`): two distinct suffice;
//! * they are plain words (`root`, `news`): three distinct are needed (two words that alternate are usually the
//!   message's own text: `startup`/`shutdown`, `begin`/`end`, `failure;`/`failures;`, `initialization.`);
//! * they are constants: upper-case (`RUNNING`, `FAIL_TASK_CLEANUP`), capitalised (`Paused`, `Resumed`,
//!   `Started`: states), dotted names that differ only in a constant (`a.action.SCREEN_ON`,
//!   `a.action.SCREEN_OFF`), devices of different kinds (`alt0`, `ee0`, `scip0`), or field names (before `=`):
//!   five distinct are needed (states and names are text). Devices of one kind are instances, a value (`eth0`,
//!   `eth1`; three for upper-case ones: `CPU0`..`CPU3`, not `IPV4`/`IPV6`);
//! * the first word of a message is a value only on the first rule's evidence or when three distinct identifiers
//!   take its place (it is usually a verb, a component or a property name), unless it is a word alone in brackets
//!   or single quotes (`(alice) CMD (…)`, cron's user): then the rules of the other words apply;
//! * text around a value that differs (`num=<*>,flags=<*>` against `topActivity=<*>`) is structure, never a value,
//!   and neither is the name glued before a value (`core.<*>` against `node-<*>`: different things).
//!
//! Words are compared part by part (split at the same delimiters as masking), so `key=<*>|com.a.x|<*>` and
//! `key=<*>|com.b.y|<*>` merge into `key=<*>|<*>|<*>` (a `/` between two differing parts is inside one value:
//! `pkg/.Activity`); dotted names keep the labels they all start with, two at least (`org.apache.hadoop.<*>`,
//! `com.apple.<*>:`); words of different shapes keep their common prefix and suffix (`(<*>)`). A group is first
//! split by word shape, so one odd member does not stop the others from merging.
//!
//! Passes, per word count: one differing word, repeated until nothing changes; then two differing words at once
//! (each needing three distinct values, no upper-case constants, no change of shape, and one of the two an
//! identifier or a value: two columns of plain words, `Claim successful`/`Creating image`, are text); then keys
//! that share their first literal word and differ, as a set, in at most half their words, each of which passes the
//! rules above with three distinct values or a strong shape, and at least one of which is an identifier or a value
//! (messages with several independent fields: `tag="..", name=.., ws=..`); then templates with values absorb the
//! keys they match. Finally a `name=value` field whose value was found to vary in one template is a value in all
//! of them.
//!
//! Then, across word counts, templates whose *literal skeleton* is the same merge: the same literal words in the
//! same order, with values in the same gaps between them, where a gap is a run of words that are only values and
//! punctuation (`<*>`, `<*>:<*>`, `(<*>)`, `<<*>`) and of units right after them (`bytes`, `KB`, `ms`, `sec`). So
//! `<*> bytes sent` and `<*> bytes (<*>) sent`, `lifetime <*>:<*>` and `lifetime <<*> sec`, a list of one or of
//! six `@<*>` are one template each (two literal words at least are needed). A gap where the members differ is `<*>` (with the closing punctuation they
//! share); a unit that varies somewhere (`<*> KB`, `<*> B`) is part of the values in every gap, and one that never
//! varies is text (`memory <*> MB`).
//!
//! Everything is computed from the set of keys and counts, in sorted order: the result does not depend on the
//! order in which lines arrived (so slices mined apart and merged give the same templates).

use super::mask::VAR;
use rustc_hash::FxHashMap;

/// A key: its masked words (separated by blanks, each ending at an offset of `ends`) and how many lines had it.
pub(crate) struct KeyIn<'a> {
    pub key: &'a str,
    pub ends: &'a [u32],
    pub count: u64,
}

/// The words of a text, from their end offsets (a word may hold blanks: `ends` says where it stops).
pub(crate) fn split_words<'a>(text: &'a str, ends: &[u32]) -> Vec<&'a str> {
    let mut out = Vec::with_capacity(ends.len());
    let mut start = 0;
    for &e in ends {
        let e = (e as usize).min(text.len());
        out.push(text.get(start..e).unwrap_or(""));
        start = (e + 1).min(text.len());
    }
    out
}

/// A template: its words (with `<*>`, separated by blanks, each ending at an offset of `ends`) and the keys
/// (indices into the input) it holds.
pub(crate) struct ClusterOut {
    pub text: String,
    pub ends: Vec<u32>,
    pub members: Vec<u32>,
}

struct Cl {
    tpl: Vec<u32>,
    members: Vec<u32>,
    count: u64,
    hash: u64,
    alive: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Shape {
    Var,
    Empty,
    Struct,
    Enum,
    Word,
    Ident,
}

/// Words as numbers. Words of the input are borrowed; merged words are owned.
struct Interner<'a> {
    /// Names of `name=value` fields whose value was found to vary in some template.
    fields: rustc_hash::FxHashSet<Box<str>>,
    borrowed: FxHashMap<&'a str, u32>,
    owned: FxHashMap<Box<str>, u32>,
    text: Vec<std::borrow::Cow<'a, str>>,
}

impl<'a> Interner<'a> {
    fn input(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.borrowed.get(s) {
            return i;
        }
        let i = self.text.len() as u32;
        self.borrowed.insert(s, i);
        self.text.push(std::borrow::Cow::Borrowed(s));
        i
    }
    fn id(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.borrowed.get(s).or_else(|| self.owned.get(s)) {
            return i;
        }
        let i = self.text.len() as u32;
        self.owned.insert(s.into(), i);
        self.text.push(std::borrow::Cow::Owned(s.to_owned()));
        i
    }
    #[inline]
    fn get(&self, t: u32) -> &str {
        &self.text[t as usize]
    }
}

#[inline]
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline]
fn col_hash(j: usize, tok: u32) -> u64 {
    mix(((j as u64) << 32) ^ tok as u64)
}

fn full_hash(tpl: &[u32]) -> u64 {
    tpl.iter()
        .enumerate()
        .fold(0, |h, (j, &t)| h ^ col_hash(j, t))
}

/// Splits a word into parts: runs of non-delimiters and single delimiters; `<*>` is one part.
fn parts(w: &str) -> Vec<&str> {
    let b = w.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut seg = 0;
    while i < b.len() {
        if b[i..].starts_with(VAR.as_bytes()) {
            if seg < i {
                out.push(&w[seg..i]);
            }
            out.push(VAR);
            i += 3;
            seg = i;
            continue;
        }
        if is_part_delim(b[i]) {
            if seg < i {
                out.push(&w[seg..i]);
            }
            out.push(&w[i..i + 1]);
            i += 1;
            seg = i;
            continue;
        }
        i += 1;
    }
    if seg < b.len() {
        out.push(&w[seg..]);
    }
    out
}

#[inline]
fn is_part_delim(b: u8) -> bool {
    matches!(
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
    )
}

fn is_delim_part(p: &str) -> bool {
    p.len() == 1 && is_part_delim(p.as_bytes()[0])
}

/// The merge of several words, and what differed between them.
struct Merged<'a> {
    text: String,
    /// A differing part is a key (followed by `=`): names differ, not values.
    key: bool,
    /// A differing part follows `=`: a value's place.
    value: bool,
    /// The differing text is inside double quotes: a quoted string that varies.
    quoted: bool,
    /// The differing text is alone inside brackets or single quotes (`(alice)`, `[web-a]`, `'orders'`).
    bracketed: bool,
    /// Names of the `name=value` fields whose value differs.
    fields: Vec<&'a str>,
    /// The differing parts, one entry per (word, differing position).
    diffs: Vec<&'a str>,
    /// A differing part is glued to a value after it (`core.<*>`, `instruction......<*>`): the value's name.
    named: bool,
}

fn merge_words<'a>(words: &[&'a str]) -> Merged<'a> {
    let split: Vec<Vec<&'a str>> = words.iter().map(|w| parts(w)).collect();
    let first = &split[0];
    let same_skeleton = split.iter().all(|p| {
        p.len() == first.len()
            && p.iter()
                .zip(first.iter())
                .all(|(a, b)| is_delim_part(a) == is_delim_part(b) && (!is_delim_part(a) || a == b))
    });
    let mut diffs = Vec::new();
    let mut text = String::new();
    let mut key = false;
    let mut value = false;
    let mut quoted = false;
    let mut bracketed = false;
    let mut named = false;
    let mut fields = Vec::new();
    if same_skeleton {
        let differs: Vec<bool> = (0..first.len())
            .map(|k| !split.iter().all(|p| p[k] == first[k]))
            .collect();
        let mut skip_next = false;
        for k in 0..first.len() {
            if !differs[k] {
                // A `/` between two differing parts is inside one value (`pkg/.Activity`, `type/subtype`).
                let inner_slash = first[k] == "/"
                    && k > 0
                    && k + 1 < first.len()
                    && differs[k - 1]
                    && differs[k + 1];
                // A field whose name differs and whose value is a value: the whole `name=value` is one value.
                let named_value = first[k] == "="
                    && k > 0
                    && k + 1 < first.len()
                    && differs[k - 1]
                    && (differs[k + 1] || first[k + 1] == VAR);
                if named_value {
                    if !differs[k + 1] {
                        skip_next = true;
                    }
                } else if skip_next {
                    skip_next = false;
                } else if !inner_slash {
                    text.push_str(first[k]);
                }
            } else {
                // Dotted names keep their common leading labels (`org.apache.hadoop.<*>`).
                let col: Vec<&'a str> = split.iter().map(|p| p[k]).collect();
                let slashed = (k + 2 < first.len() && first[k + 1] == "/" && differs[k + 2])
                    || (k >= 2 && first[k - 1] == "/" && differs[k - 2]);
                if !slashed {
                    text.push_str(dotted_prefix(&col));
                }
                text.push_str(VAR);
                named |= first.get(k + 1) == Some(&VAR) && !differs[k + 1];
                key |= first.get(k + 1) == Some(&"=");
                value |= k > 0 && first[k - 1] == "=";
                if k > 1
                    && first[k - 1] == "="
                    && !is_delim_part(first[k - 2])
                    && first[k - 2] != VAR
                {
                    fields.push(first[k - 2]);
                }
                quoted |= k > 0 && first[k - 1] == "\"" && first.get(k + 1) == Some(&"\"");
                bracketed |= k == 1
                    && first.len() == 3
                    && matches!(
                        (first[0], first[2]),
                        ("(", ")") | ("[", "]") | ("{", "}") | ("'", "'") | ("<", ">")
                    );
                let middles = dotted_middles(&col);
                for (w, m) in col.into_iter().zip(middles) {
                    // Dotted names that differ only in a constant (`a.b.SCREEN_ON`, `a.b.SCREEN_OFF`) are text.
                    diffs.push(if shape(m) == Shape::Enum { m } else { w });
                }
            }
        }
    } else {
        // Common prefix and suffix of parts; the middle is the value.
        let min_len = split.iter().map(|p| p.len()).min().unwrap_or(0);
        let mut pre = 0;
        while pre < min_len && split.iter().all(|p| p[pre] == first[pre]) {
            pre += 1;
        }
        let mut suf = 0;
        while suf < min_len - pre
            && split
                .iter()
                .all(|p| p[p.len() - 1 - suf] == first[first.len() - 1 - suf])
        {
            suf += 1;
        }
        value = pre > 0 && first[pre - 1] == "=";
        if value && pre > 1 && !is_delim_part(first[pre - 2]) && first[pre - 2] != VAR {
            fields.push(first[pre - 2]);
        }
        quoted = pre > 0 && first[pre - 1] == "\"" && suf > 0 && first[first.len() - suf] == "\"";
        for p in &first[..pre] {
            text.push_str(p);
        }
        text.push_str(VAR);
        for p in &first[first.len() - suf..] {
            text.push_str(p);
        }
        for (w, p) in words.iter().zip(split.iter()) {
            let start: usize = p[..pre].iter().map(|x| x.len()).sum();
            let end: usize = w.len() - p[p.len() - suf..].iter().map(|x| x.len()).sum::<usize>();
            diffs.push(&w[start..end.max(start)]);
        }
    }
    while text.contains("<*><*>") {
        text = text.replace("<*><*>", VAR);
    }
    Merged {
        text,
        key,
        value,
        quoted,
        bracketed,
        fields,
        diffs,
        named,
    }
}

/// The labels (with their dots) that dotted names all start with, two at least: `com.apple.` for
/// `com.apple.a.daily` and `com.apple.b`. None if a name holds a value or does not start with a letter.
fn dotted_prefix<'a>(col: &[&'a str]) -> &'a str {
    let first = col[0];
    if col
        .iter()
        .any(|w| w.contains(VAR) || !w.starts_with(|c: char| c.is_ascii_alphabetic()))
    {
        return "";
    }
    let common = col.iter().fold(first.len(), |n, w| {
        n.min(
            first
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        )
    });
    // The byte-wise common prefix may end inside a multi-byte character (`é` and `è` share their first byte).
    let common = first.floor_char_boundary(common);
    let p = &first[..first[..common].rfind('.').map_or(0, |i| i + 1)];
    // Two labels at least (`com.apple.`): one (`com.`, `system.`) says little.
    if p.bytes().filter(|&b| b == b'.').count() >= 2 {
        p
    } else {
        ""
    }
}

/// The parts of dotted names that differ: `a.b.SCREEN_ON` and `a.b.SCREEN_OFF` differ in `SCREEN_ON` and
/// `SCREEN_OFF` (constants: the message's own text), `com.a.x` and `com.b.y` in `a.x` and `b.y`. Words without a
/// common dotted prefix or suffix are returned whole.
fn dotted_middles<'a>(col: &[&'a str]) -> Vec<&'a str> {
    let first = col[0];
    // Common prefix ending at a dot, common suffix starting at one.
    let mut pre = col.iter().fold(first.len(), |n, w| {
        n.min(
            first
                .bytes()
                .zip(w.bytes())
                .take_while(|(a, b)| a == b)
                .count(),
        )
    });
    // Byte-wise counts may stop inside a multi-byte character: round them to whole characters of `first`. The
    // dot found is then at the same place in every word (it is inside the common part), so a boundary there too.
    pre = first[..first.floor_char_boundary(pre)]
        .rfind('.')
        .map_or(0, |i| i + 1);
    let mut suf = col.iter().fold(first.len() - pre, |n, w| {
        n.min(
            first
                .bytes()
                .rev()
                .zip(w.bytes().rev())
                .take_while(|(a, b)| a == b)
                .count(),
        )
        .min(w.len().saturating_sub(pre))
    });
    let suf_start = first.ceil_char_boundary(first.len() - suf);
    suf = first[suf_start..]
        .find('.')
        .map_or(0, |i| first.len() - suf_start - i);
    if pre == 0 && suf == 0 {
        return col.to_vec();
    }
    col.iter()
        .map(|w| {
            let e = w.len() - suf;
            w.get(pre..e.max(pre)).unwrap_or(w)
        })
        .collect()
}

fn shape(v: &str) -> Shape {
    if v == VAR {
        return Shape::Var;
    }
    if v.is_empty() {
        return Shape::Empty;
    }
    if v.contains(VAR) {
        // Text around a value: a different structure, not a value.
        return Shape::Struct;
    }
    // A full stop ends a sentence: `initialization.` is a word.
    let v = v.trim_end_matches('.');
    // Classify the core: punctuation other than identifier separators does not count (`*launch*`, `icons*`,
    // `null?true`, `View Lock`).
    let mut letters = 0;
    let (mut upper, mut lower, mut digit, mut sep) = (false, false, false, false);
    for c in v.chars() {
        match c {
            'A'..='Z' => {
                upper = true;
                letters += 1;
            }
            'a'..='z' => {
                lower = true;
                letters += 1;
            }
            '0'..='9' => digit = true,
            '.' | '_' | '/' | ':' | '@' | '$' | '\\' => sep = true,
            c if !c.is_ascii() => {
                lower = true;
                letters += 1;
            }
            _ => {}
        }
    }
    if letters == 0 && !digit {
        return Shape::Ident;
    }
    if upper && !lower && (letters > 1 || !digit) {
        return Shape::Enum;
    }
    if letters > 1
        && v.as_bytes()[0].is_ascii_uppercase()
        && v[1..].bytes().all(|b| b.is_ascii_lowercase())
    {
        // A capitalised word (`Paused`, `Resumed`, `Started`): a state's name, like a constant.
        return Shape::Enum;
    }
    if is_device_name(v) {
        // `eth0`, `en1`, `alt0`: a device's name, one of a few (like a constant).
        return Shape::Enum;
    }
    if digit || sep {
        return Shape::Ident;
    }
    Shape::Word
}

/// Letters and one digit: `eth0`, `scip0`, `tty1`.
fn is_device_name(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() >= 2
        && b.len() <= 8
        && b[b.len() - 1].is_ascii_digit()
        && b[..b.len() - 1].iter().all(|c| c.is_ascii_alphabetic())
}

/// Whether the differing words of a group are values. `d`: number of distinct words; `pair`: two columns differ
/// at once (weaker evidence: each needs three distinct words).
fn is_variable(m: &Merged<'_>, d: usize, col: usize, pair: bool) -> bool {
    evidence(m, d, col, pair).is_some()
}

/// `None` if the differing words are not values; `Some(strong)` if they are, `strong` when a shape says so (a value
/// next to a word, an identifier) rather than only the number of distinct words.
fn evidence(m: &Merged<'_>, d: usize, col: usize, pair: bool) -> Option<bool> {
    let (mut var, mut en, mut ident, mut structure) = (false, 0, 0, false);
    let (mut devices, mut same_device, mut device_name) = (0, true, None);
    // Distinct differing words: a group may hold thousands of them, long and sharing long prefixes, so a hash set
    // (a linear `contains` per word was quadratic, a sort compares the prefixes n log n times). The counts below do
    // not depend on the order.
    let seen: rustc_hash::FxHashSet<&str> = m.diffs.iter().copied().collect();
    for &v in seen.iter() {
        match shape(v) {
            Shape::Var => var = true,
            Shape::Enum if is_device_name(v) => {
                devices += 1;
                let name = v.trim_end_matches(|c: char| c.is_ascii_digit());
                same_device &= device_name.is_none_or(|d| d == name);
                device_name = Some(name);
            }
            Shape::Enum => en += 1,
            Shape::Ident => ident += 1,
            Shape::Struct => structure = true,
            Shape::Word | Shape::Empty => {}
        }
    }
    // Devices of one kind (`eth0`, `eth1`; three if upper-case like constants: `CPU0`, `CPU1`, `CPU2`) are
    // instances, a value; of different kinds (`en0`, `wl0`) or two constants (`IPV4`, `IPV6`) they are names.
    let upper = device_name.is_some_and(|n: &str| n.bytes().all(|b| b.is_ascii_uppercase()));
    if same_device && (!upper || devices != 2) {
        ident += devices;
    } else {
        en += devices;
    }
    if pair && (d < 3 || structure) {
        // Two columns at once are weaker evidence: a value next to text that changes shape is not enough.
        return None;
    }
    if m.named {
        // Names of values differ (`core.<*>`, `node-<*>`): different things.
        return None;
    }
    if var || m.quoted {
        return Some(true);
    }
    if structure || pair && en > 0 {
        return None;
    }
    if col == 0 && !m.bracketed {
        // The first word is the message's own text (a verb, a component, a property name): only a value next to
        // a word makes it a value, or many distinct identifiers (`com.apple.a.daily:`, `com.apple.b:`).
        return (!pair && en == 0 && ident == seen.len() && d >= 3).then_some(true);
    }
    let ok = if en > 0 || m.key {
        d >= 5
    } else if ident > 0 || m.value {
        d >= 2
    } else {
        d >= 3
    };
    ok.then_some(ident > 0 && en == 0)
}

/// Glob match of a template word (with `<*>`) against a key word (where `<*>` is literal text).
fn word_matches(pat: &str, text: &str) -> bool {
    let pieces: Vec<&str> = pat.split(VAR).collect();
    if pieces.len() == 1 {
        return pat == text;
    }
    let Some(rest) = text.strip_prefix(pieces[0]) else {
        return false;
    };
    let last = pieces[pieces.len() - 1];
    if rest.len() < last.len() || !rest.ends_with(last) {
        return false;
    }
    let mut rest = &rest[..rest.len() - last.len()];
    for p in &pieces[1..pieces.len() - 1] {
        match rest.find(p) {
            Some(i) => rest = &rest[i + p.len()..],
            None => return false,
        }
    }
    true
}

/// Which passes a clustering runs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Passes {
    /// Every pass: the final templates.
    All,
    /// One differing word at a time, then absorption: the patterns of a compaction. Their cost per key is a few
    /// hash-and-sort steps per word, a fraction of observing the key's line, so that a compaction costs less than
    /// the lines that led to it; pairs of columns (one pass per pair, up to 1 128 per word count), anchors and
    /// skeletons wait for the end.
    OneColumn,
}

/// Clusters `keys` with the given passes. Returns one cluster per template, members in input order.
pub(crate) fn cluster_with(keys: &[KeyIn<'_>], passes: Passes) -> Vec<ClusterOut> {
    let mut int = Interner {
        fields: Default::default(),
        borrowed: FxHashMap::default(),
        owned: FxHashMap::default(),
        text: Vec::new(),
    };
    // Order keys by text so that the result does not depend on arrival order.
    let mut order: Vec<u32> = (0..keys.len() as u32).collect();
    order.sort_by(|&a, &b| keys[a as usize].key.cmp(keys[b as usize].key));
    let mut cls: Vec<Cl> = Vec::with_capacity(keys.len());
    let mut buckets: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for &k in &order {
        let key = &keys[k as usize];
        let tpl: Vec<u32> = split_words(key.key, key.ends)
            .into_iter()
            .map(|w| int.input(w))
            .collect();
        let hash = full_hash(&tpl);
        buckets.entry(tpl.len()).or_default().push(cls.len());
        cls.push(Cl {
            tpl,
            members: vec![k],
            count: key.count,
            hash,
            alive: true,
        });
    }
    let mut lens: Vec<usize> = buckets.keys().copied().collect();
    lens.sort_unstable();
    for len in lens {
        let bucket = buckets.remove(&len).unwrap_or_default();
        if bucket.len() > 1 && len > 0 {
            cluster_bucket(&mut cls, &bucket, len, &mut int, passes);
        }
    }
    if passes == Passes::All {
        skeleton_pass(&mut cls, &mut int);
    }
    let mut out: Vec<ClusterOut> = cls
        .into_iter()
        .filter(|c| c.alive)
        .map(|mut c| {
            c.members.sort_unstable();
            let mut text = String::new();
            let mut ends = Vec::with_capacity(c.tpl.len());
            for &t in &c.tpl {
                if !ends.is_empty() {
                    text.push(' ');
                }
                text.push_str(&field_values(int.get(t), &int.fields));
                ends.push(text.len() as u32);
            }
            ClusterOut {
                text,
                ends,
                members: c.members,
            }
        })
        .collect();
    out.sort_by_key(|c| c.members[0]);
    out
}

/// A word with the values of known fields written `<*>`: a field whose value varies in one template is a value
/// in every template (`user=root` where `user=<*>` was seen).
fn field_values(w: &str, fields: &rustc_hash::FxHashSet<Box<str>>) -> String {
    if fields.is_empty() || !w.contains('=') {
        return w.to_string();
    }
    let p = parts(w);
    let mut out = String::with_capacity(w.len());
    let mut k = 0;
    while k < p.len() {
        out.push_str(p[k]);
        if p[k] == "="
            && k > 0
            && fields.contains(p[k - 1])
            && k + 1 < p.len()
            && !is_delim_part(p[k + 1])
            && p[k + 1] != VAR
        {
            out.push_str(VAR);
            k += 2;
            continue;
        }
        k += 1;
    }
    out
}

/// A word that is only values and punctuation: `<*>`, `<*>:<*>`, `(<*>)`, `<<*>`.
pub(crate) fn is_value_word(w: &str) -> bool {
    w.contains(VAR)
        && w.split(VAR)
            .all(|p| !p.bytes().any(|b| b.is_ascii_alphanumeric() || b >= 0x80))
}

/// A unit of size or time (`bytes`, `KB`, `ms`, `sec`, `%`), punctuation around it aside.
fn is_unit_word(w: &str) -> bool {
    let core = w.trim_matches(|c: char| c.is_ascii_punctuation() && c != '%');
    matches!(
        core,
        "B" | "KB"
            | "MB"
            | "GB"
            | "TB"
            | "kB"
            | "KiB"
            | "MiB"
            | "GiB"
            | "TiB"
            | "byte"
            | "bytes"
            | "ns"
            | "us"
            | "µs"
            | "ms"
            | "s"
            | "sec"
            | "secs"
            | "second"
            | "seconds"
            | "millis"
            | "milliseconds"
            | "min"
            | "mins"
            | "minute"
            | "minutes"
            | "h"
            | "hr"
            | "hrs"
            | "hour"
            | "hours"
            | "day"
            | "days"
            | "%"
    )
}

/// Templates with the same literal words in the same order, with values in the same gaps between them, are one
/// template even when their values take a different number of words or another shape: `<*> bytes sent` and
/// `<*> bytes (<*>) sent`, `lifetime <*>:<*>` and `lifetime <<*> sec`, a list of one or of three `@<*>`. A gap
/// holds words that are only values and punctuation, and units right after them (`bytes`, `KB`, `ms`). At least
/// two literal words are needed. The merged template keeps a gap's words where all agree and is `<*>` elsewhere.
/// A template's words as literal words and gaps (runs of value words and the units after them).
enum Piece {
    Literal(u32),
    Gap(Vec<u32>),
}

fn pieces(tpl: &[u32], int: &Interner<'_>) -> Vec<Piece> {
    let mut out: Vec<Piece> = Vec::with_capacity(tpl.len());
    let mut prev_value = false;
    for &t in tpl {
        let w = int.get(t);
        let value = is_value_word(w) || (prev_value && is_unit_word(w));
        match (value, out.last_mut()) {
            (true, Some(Piece::Gap(g))) => g.push(t),
            (true, _) => out.push(Piece::Gap(vec![t])),
            (false, _) => out.push(Piece::Literal(t)),
        }
        prev_value = value;
    }
    out
}

fn skeleton_pass(cls: &mut [Cl], int: &mut Interner<'_>) {
    const GAP: u32 = u32::MAX;
    let mut groups: FxHashMap<Vec<u32>, Vec<usize>> = FxHashMap::default();
    for (c, cl) in cls.iter().enumerate() {
        if !cl.alive {
            continue;
        }
        let ps = pieces(&cl.tpl, int);
        let literals = ps.iter().filter(|p| matches!(p, Piece::Literal(_))).count();
        if literals < 2 || literals == ps.len() {
            continue;
        }
        // Literal words as they are rendered (known fields' values written `<*>`).
        let skel: Vec<u32> = ps
            .iter()
            .map(|p| match p {
                Piece::Literal(t) => {
                    let w = field_values(int.get(*t), &int.fields);
                    int.id(&w)
                }
                Piece::Gap(_) => GAP,
            })
            .collect();
        groups.entry(skel).or_default().push(c);
    }
    let mut groups: Vec<Vec<usize>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort_unstable_by_key(|g| g[0]);
    for g in groups {
        let all: Vec<Vec<Piece>> = g.iter().map(|&c| pieces(&cls[c].tpl, int)).collect();
        let gap = |m: &[Piece], k: usize| -> Vec<u32> {
            match &m[k] {
                Piece::Gap(v) => v.clone(),
                Piece::Literal(_) => Vec::new(),
            }
        };
        let n = all[0].len();
        let same: Vec<bool> = (0..n)
            .map(|k| all.iter().all(|m| gap(m, k) == gap(&all[0], k)))
            .collect();
        let has_unit = |v: &[u32]| v.iter().any(|&t| is_unit_word(int.get(t)));
        // Units that vary in one place (`<*> KB` and `<*> B`) are part of the values in all places.
        let units_vary = (0..n).any(|k| !same[k] && all.iter().any(|m| has_unit(&gap(m, k))));
        // Words kept as they are, or a value with the closing punctuation all the gaps end with (`<*>,` for
        // `<*> KB,` and `<*> B,`).
        let mut out: Vec<Result<u32, String>> = Vec::with_capacity(cls[g[0]].tpl.len());
        for (k, p) in all[0].iter().enumerate() {
            match p {
                Piece::Literal(t) => out.push(Ok(*t)),
                Piece::Gap(first) if same[k] && !(units_vary && has_unit(first)) => {
                    out.extend(first.iter().map(|&t| Ok(t)))
                }
                Piece::Gap(_) => {
                    let tail = |m: &[Piece]| -> String {
                        let last = gap(m, k).last().map_or("", |&t| int.get(t));
                        let core = last.trim_end_matches(|c: char| {
                            matches!(c, ',' | ';' | ')' | ']' | '}' | '.')
                        });
                        last[core.len()..].to_string()
                    };
                    let t0 = tail(&all[0]);
                    if all.iter().all(|m| tail(m) == t0) {
                        out.push(Err(t0));
                    } else {
                        out.push(Err(String::new()));
                    }
                }
            }
        }
        let tpl: Vec<u32> = out
            .into_iter()
            .map(|o| o.unwrap_or_else(|tail| int.id(&format!("{VAR}{tail}"))))
            .collect();
        let target = g[0];
        for &c in &g[1..] {
            merge_into(cls, target, c);
        }
        cls[target].hash = full_hash(&tpl);
        cls[target].tpl = tpl;
    }
}

fn merge_into(cls: &mut [Cl], target: usize, other: usize) {
    let members = std::mem::take(&mut cls[other].members);
    let count = cls[other].count;
    cls[other].alive = false;
    cls[target].members.extend(members);
    cls[target].count += count;
}

fn cluster_bucket(
    cls: &mut [Cl],
    bucket: &[usize],
    len: usize,
    int: &mut Interner<'_>,
    passes: Passes,
) {
    let mut alive: Vec<usize> = bucket.to_vec();
    let mut map: Vec<(u64, usize)> = Vec::new();
    // Columns where the bucket's words differ at all.
    let varying: Vec<usize> = (0..len)
        .filter(|&j| {
            let t0 = cls[alive[0]].tpl[j];
            alive.iter().any(|&c| cls[c].tpl[j] != t0)
        })
        .collect();
    let mut rounds = 0;
    loop {
        let mut changed = false;
        for &j in &varying {
            changed |= merge_pass(cls, &alive, &[j], &mut map, int);
            alive.retain(|&c| cls[c].alive);
        }
        rounds += 1;
        if !changed || rounds > 8 {
            break;
        }
    }
    if passes == Passes::OneColumn {
        absorb(cls, &alive, int);
        return;
    }
    // Pairs of columns that vary together (two identifiers per message).
    if varying.len() >= 2 && varying.len() <= 48 {
        let mut changed = false;
        for a in 0..varying.len() {
            for b in a + 1..varying.len() {
                changed |= merge_pass(cls, &alive, &[varying[a], varying[b]], &mut map, int);
                alive.retain(|&c| cls[c].alive);
            }
        }
        if changed {
            for &j in &varying {
                merge_pass(cls, &alive, &[j], &mut map, int);
                alive.retain(|&c| cls[c].alive);
            }
        }
    }
    if anchor_pass(cls, &alive, len, int) {
        alive.retain(|&c| cls[c].alive);
    }
    absorb(cls, &alive, int);
}

/// One pass over the columns `cols` (one or two): groups the clusters equal outside them and merges the groups
/// whose differing words are values.
fn merge_pass(
    cls: &mut [Cl],
    alive: &[usize],
    cols: &[usize],
    by_rest: &mut Vec<(u64, usize)>,
    int: &mut Interner<'_>,
) -> bool {
    // Clusters by the hash of their words outside `cols`, sorted: one reused buffer instead of a map with a
    // vector per cluster (this runs once per column and per pair of columns, over every cluster).
    by_rest.clear();
    for &c in alive {
        let mut h = cls[c].hash;
        for &j in cols {
            h ^= col_hash(j, cls[c].tpl[j]);
        }
        by_rest.push((h, c));
    }
    by_rest.sort_unstable();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for run in by_rest.chunk_by(|a, b| a.0 == b.0) {
        if run.len() > 1 {
            groups.push(run.iter().map(|&(_, c)| c).collect());
        }
    }
    if groups.is_empty() {
        return false;
    }
    groups.sort_unstable_by_key(|g| g[0]);
    let mut changed = false;
    for g in groups {
        // Guard against hash collisions: keep those equal to the first outside `cols`.
        let g0 = g[0];
        let g: Vec<usize> = g
            .into_iter()
            .filter(|&c| {
                (0..cls[c].tpl.len()).all(|k| cols.contains(&k) || cls[c].tpl[k] == cls[g0].tpl[k])
            })
            .collect();
        if g.len() < 2 {
            continue;
        }
        if cols.len() == 1 {
            // First among words of the same shape (same delimiters), then across shapes.
            let j = cols[0];
            let mut by_shape: Vec<(Vec<u8>, Vec<usize>)> = Vec::new();
            for &c in &g {
                let sk = skeleton(&int.text[cls[c].tpl[j] as usize]);
                match by_shape.iter_mut().find(|(k, _)| *k == sk) {
                    Some((_, v)) => v.push(c),
                    None => by_shape.push((sk, vec![c])),
                }
            }
            if by_shape.len() > 1 {
                for (_, sub) in &by_shape {
                    if sub.len() > 1 {
                        changed |= try_merge(cls, sub, cols, int);
                    }
                }
            }
            let rest: Vec<usize> = g.iter().copied().filter(|&c| cls[c].alive).collect();
            if rest.len() > 1 {
                changed |= try_merge(cls, &rest, cols, int);
            }
        } else {
            changed |= try_merge(cls, &g, cols, int);
        }
    }
    changed
}

/// A word's delimiters, with each run of other bytes (and each `<*>`) written as one `a`.
fn skeleton(w: &str) -> Vec<u8> {
    parts(w)
        .iter()
        .map(|p| {
            if is_delim_part(p) {
                p.as_bytes()[0]
            } else {
                b'a'
            }
        })
        .collect()
}

/// Merges `g` (clusters equal outside `cols`) if the words that differ in `cols` are values.
fn try_merge(cls: &mut [Cl], g: &[usize], cols: &[usize], int: &mut Interner<'_>) -> bool {
    let mut new_toks = Vec::with_capacity(cols.len());
    let mut strong = false;
    for &j in cols {
        let mut toks: Vec<u32> = g.iter().map(|&c| cls[c].tpl[j]).collect();
        toks.sort_unstable();
        toks.dedup();
        if toks.len() == 1 {
            new_toks.push((toks[0], Vec::new()));
            continue;
        }
        let words: Vec<&str> = toks.iter().map(|&t| int.get(t)).collect();
        let merged = merge_words(&words);
        match evidence(&merged, toks.len(), j, cols.len() > 1) {
            Some(s) => strong |= s,
            None => return false,
        }
        let fields: Vec<Box<str>> = merged.fields.iter().map(|&f| f.into()).collect();
        let text = merged.text;
        new_toks.push((int.id(&text), fields));
    }
    if cols.len() > 1 && !strong {
        // Two columns of plain words (`Claim successful`, `Creating image`) are the message's own text.
        return false;
    }
    let target = g[0];
    for &c in &g[1..] {
        merge_into(cls, target, c);
    }
    for (&j, (t, fields)) in cols.iter().zip(new_toks) {
        cls[target].tpl[j] = t;
        int.fields.extend(fields);
    }
    cls[target].hash = full_hash(&cls[target].tpl);
    true
}

/// Clusters that share their first literal word and differ, as a set, only in columns that look like values
/// merge: messages with several independent fields (`tag="..", name=.., ws=..`) that never differ one at a time.
/// Each differing column needs three distinct words (or a value next to a word), at least one column an
/// identifier or a value, and at most half the columns may differ.
fn anchor_pass(cls: &mut [Cl], alive: &[usize], len: usize, int: &mut Interner<'_>) -> bool {
    let mut subs: FxHashMap<(usize, u32), Vec<usize>> = FxHashMap::default();
    for &c in alive {
        let anchor = cls[c]
            .tpl
            .iter()
            .enumerate()
            .find(|(_, &t)| int.get(t) != VAR);
        if let Some((j, &t)) = anchor {
            subs.entry((j, t)).or_default().push(c);
        }
    }
    let mut groups: Vec<Vec<usize>> = subs
        .into_values()
        .filter(|g| g.len() > 1 && g.len() <= 512)
        .collect();
    groups.sort_unstable_by_key(|g| g[0]);
    let mut changed = false;
    for g in groups {
        let varying: Vec<usize> = (0..len)
            .filter(|&j| g.iter().any(|&c| cls[c].tpl[j] != cls[g[0]].tpl[j]))
            .collect();
        if varying.is_empty() || varying.len() * 2 > len {
            continue;
        }
        let mut strong = false;
        let mut fields: Vec<Box<str>> = Vec::new();
        let mut new_toks = Vec::with_capacity(varying.len());
        let mut ok = true;
        for &j in &varying {
            let mut toks: Vec<u32> = g.iter().map(|&c| cls[c].tpl[j]).collect();
            toks.sort_unstable();
            toks.dedup();
            let words: Vec<&str> = toks.iter().map(|&t| int.get(t)).collect();
            let merged = merge_words(&words);
            match evidence(&merged, toks.len(), j, false) {
                Some(s) if s || toks.len() >= 3 => {
                    strong |= s;
                    fields.extend(merged.fields.iter().map(|&f| Box::<str>::from(f)));
                    new_toks.push(merged.text);
                }
                _ => {
                    ok = false;
                    break;
                }
            }
        }
        if !ok || !strong {
            continue;
        }
        let target = g[0];
        for &c in &g[1..] {
            merge_into(cls, target, c);
        }
        for (&j, t) in varying.iter().zip(new_toks.iter()) {
            cls[target].tpl[j] = int.id(t);
        }
        int.fields.extend(fields);
        cls[target].hash = full_hash(&cls[target].tpl);
        changed = true;
    }
    changed
}

/// Templates with values absorb the other clusters they match, word by word.
fn absorb(cls: &mut [Cl], alive: &[usize], int: &Interner<'_>) {
    // General templates by first word (`u32::MAX`: the first word holds a value).
    let first = |c: &Cl| {
        let t = c.tpl[0];
        if int.get(t).contains(VAR) {
            u32::MAX
        } else {
            t
        }
    };
    let mut general: FxHashMap<u32, Vec<usize>> = FxHashMap::default();
    let mut is_general = vec![false; cls.len()];
    for &c in alive {
        if cls[c].members.len() > 1 && cls[c].tpl.iter().any(|&t| int.get(t).contains(VAR)) {
            general.entry(first(&cls[c])).or_default().push(c);
            is_general[c] = true;
        }
    }
    if general.is_empty() {
        return;
    }
    let none = Vec::new();
    for &c in alive {
        if !cls[c].alive || is_general[c] {
            continue;
        }
        let own = general.get(&first(&cls[c])).unwrap_or(&none);
        let led = general.get(&u32::MAX).unwrap_or(&none);
        // A bounded number of candidates per cluster.
        for &g in own.iter().take(64).chain(led.iter().take(64)) {
            if !cls[g].alive {
                continue;
            }
            let ok = cls[g]
                .tpl
                .iter()
                .zip(cls[c].tpl.iter())
                .enumerate()
                .all(|(j, (&pt, &ct))| {
                    if pt == ct {
                        return true;
                    }
                    let (p, t) = (int.get(pt), int.get(ct));
                    if !p.contains(VAR) || !word_matches(p, t) {
                        return false;
                    }
                    let m = merge_words(&[p, t]);
                    is_variable(&m, 2, j, false)
                });
            if ok {
                merge_into(cls, g, c);
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words that share the first or last bytes of different multi-byte characters (`é` is C3 A9, `è` C3 A8,
    /// `ʩ` CA A9): common prefixes and suffixes are counted in bytes, then cut at whole characters.
    #[test]
    fn common_parts_end_on_character_boundaries() {
        assert_eq!(dotted_prefix(&["a.b.é", "a.b.è"]), "a.b.");
        assert_eq!(dotted_prefix(&["aé.b.c", "aè.b.c"]), "");
        assert_eq!(dotted_middles(&["x.é", "x.è"]), ["é", "è"]);
        assert_eq!(dotted_middles(&["é.y", "ʩ.y"]), ["é", "ʩ"]);
        assert_eq!(dotted_middles(&["é", "ʩ", "è"]), ["é", "ʩ", "è"]);
        for words in [
            ["é", "è", "ê"],
            ["xé", "xè", "xê"],
            ["é.z", "ʩ.z", "ũ.z"],
            ["q.é.z", "q.ʩ.z", "q.ũ.z"],
        ] {
            let lines: Vec<(String, u64)> =
                words.iter().map(|w| (format!("op {w} done"), 1)).collect();
            let refs: Vec<(&str, u64)> = lines.iter().map(|(l, c)| (l.as_str(), *c)).collect();
            assert!(!run(&refs).is_empty());
        }
    }

    fn run(lines: &[(&str, u64)]) -> Vec<String> {
        let ends: Vec<Vec<u32>> = lines
            .iter()
            .map(|(l, _)| {
                let mut e: Vec<u32> = l.match_indices(' ').map(|(i, _)| i as u32).collect();
                e.push(l.len() as u32);
                e
            })
            .collect();
        let keys: Vec<KeyIn> = lines
            .iter()
            .zip(&ends)
            .map(|((l, c), e)| KeyIn {
                key: l,
                ends: e,
                count: *c,
            })
            .collect();
        let mut out: Vec<String> = cluster_with(&keys, Passes::All)
            .into_iter()
            .map(|c| c.text)
            .collect();
        out.sort();
        out
    }

    #[test]
    fn merges_values_keeps_states() {
        let t = run(&[
            ("Invalid user webmaster from <*>", 1),
            ("Invalid user chen from <*>", 1),
            ("Invalid user pgadmin from <*>", 1),
            ("<*> Transitioned from NEW to UNASSIGNED", 3),
            ("<*> Transitioned from UNASSIGNED to ASSIGNED", 3),
            ("<*> Transitioned from ASSIGNED to RUNNING", 3),
            ("cupsd startup succeeded", 1),
            ("cupsd shutdown succeeded", 1),
            ("klogd startup succeeded", 1),
        ]);
        assert_eq!(
            t,
            vec![
                "<*> Transitioned from ASSIGNED to RUNNING",
                "<*> Transitioned from NEW to UNASSIGNED",
                "<*> Transitioned from UNASSIGNED to ASSIGNED",
                "Invalid user <*> from <*>",
                "cupsd shutdown succeeded",
                "cupsd startup succeeded",
                "klogd startup succeeded",
            ]
        );
    }

    #[test]
    fn merges_parts() {
        let t = run(&[
            ("add key=<*>|com.tencent.mm|<*>", 1),
            ("add key=<*>|com.tencent.mobileqq|<*>", 1),
            ("connection from <*> (<*>) at", 1),
            ("connection from <*> () at", 1),
        ]);
        // Dotted names keep their common leading labels.
        assert_eq!(
            t,
            vec![
                "add key=<*>|com.tencent.<*>|<*>",
                "connection from <*> (<*>) at"
            ]
        );
    }
    #[test]
    fn constants_states_and_devices_stay_text() {
        let t = run(&[
            ("onReceive action: android.intent.action.SCREEN_ON", 1),
            ("onReceive action: android.intent.action.SCREEN_OFF", 1),
            ("onReceive action: android.intent.action.TIME_TICK", 1),
            ("[instance: <*>] VM Paused (Lifecycle Event)", 1),
            ("[instance: <*>] VM Resumed (Lifecycle Event)", 1),
            ("[instance: <*>] VM Started (Lifecycle Event)", 1),
            ("via interface alt0", 1),
            ("via interface ee0", 1),
            ("via interface scip0", 1),
            ("allocating for eth0", 1),
            ("allocating for eth1", 1),
            ("[instance: <*>] Claim successful", 1),
            ("[instance: <*>] Creating image", 1),
            ("[instance: <*>] Terminating instance", 1),
        ]);
        assert_eq!(t.len(), 13, "{t:?}");
        assert!(t.contains(&"allocating for <*>".to_string()), "{t:?}");
    }

    #[test]
    fn same_skeleton_merges_across_word_counts() {
        let t = run(&[
            (
                "<*>:<*> close, <*> bytes (<*> KB) sent, <*> bytes received, lifetime <*>:<*>",
                3,
            ),
            (
                "<*>:<*> close, <*> bytes sent, <*> bytes (<*> MB) received, lifetime <<*> sec",
                2,
            ),
            (
                "<*>:<*> close, <*> bytes sent, <*> bytes received, lifetime <*>:<*>:<*>",
                1,
            ),
            ("<*>:<*> open through proxy <*>:<*> HTTPS", 4),
            ("Block <*> stored (estimated size <*> KB, free <*> KB)", 3),
            ("Block <*> stored (estimated size <*> B, free <*> KB)", 1),
            ("Attempting claim: memory <*> MB, disk <*> GB", 2),
        ]);
        assert_eq!(
            t,
            vec![
                "<*>:<*> close, <*> sent, <*> received, lifetime <*>",
                "<*>:<*> open through proxy <*>:<*> HTTPS",
                "Attempting claim: memory <*> MB, disk <*> GB",
                "Block <*> stored (estimated size <*>, free <*>)",
            ]
        );
    }
}

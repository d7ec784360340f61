//! Template mining: turning messages into a few hundred kinds of event.
//!
//! [`TemplateMiner::observe`] takes each event's message (the text after the header) and returns a
//! [`TemplateId`] at once; [`TemplateMiner::finish`] (or a [`TemplateMiner::snapshot`] at any time) returns a
//! [`TemplateMap`] that maps every id handed out to its final [`Template`]. Consumers that stream events keep the
//! id per event and resolve it at the end.
//!
//! ```
//! use logsieve_engine::template::TemplateMiner;
//!
//! let mut miner = TemplateMiner::new();
//! let ids: Vec<_> = ["alice", "bob", "carol", "bob"]
//!     .iter()
//!     .enumerate()
//!     .map(|(i, user)| {
//!         let msg = format!("Invalid user {user} from 10.0.0.{i} port 22");
//!         miner.observe(&msg, None, None, i as u64 + 1)
//!     })
//!     .collect();
//! assert_eq!(ids[1], ids[3]); // same masked message, same id at once
//! let map = miner.finish();
//! let t = map.get(ids[2]).unwrap();
//! assert_eq!(t.template, "Invalid user <*> from <*> port <*>");
//! assert_eq!((t.id, t.count), (ids[0], 4)); // the merged template keeps the first id
//! assert_eq!(t.variables[0].position, 2); // `<*>` #0 is word 2: the user name
//! ```
//!
//! How (see the submodules for the rules):
//! 1. **Mask** ([`mask`]): one pass over the message splits it into words and replaces values (numbers, hex, IPs
//!    and ports, UUIDs, paths, URLs, durations, sizes, timestamps, booleans, ...) with `<*>`, keeping the
//!    punctuation around them. The masked text is the message's *key*; an exact-match hash map from key to id
//!    makes the common case one hash and one compare. A new key gets a new id.
//! 2. **Cluster** ([`cluster`]), at the end: keys that differ only in words that look like values (user names,
//!    host names, class names, ... that masking cannot know) merge into one template. The decision uses all the
//!    keys of the file, so it sees how many distinct words a position takes; constants, states and names (upper-case
//!    or capitalised words, devices of different kinds) need more evidence than identifiers. Then templates with
//!    the same literal words around their values merge even when their values take a different number of words
//!    (`<*> bytes sent` and `<*> bytes (<*> KB) sent`); a unit that varies is part of the value, one that does not
//!    is text. A merged template's id is the smallest of its keys' ids: ids are stable, and the one an event got
//!    is always resolvable.
//!
//! Bounds (adversarial input, e.g. a million lines of random words): at most [`MinerLimits::max_keys`] keys are
//! kept (16 384 by default), holding at most [`MinerLimits::max_bytes`] of text (8 MiB: keys, one example each,
//! up to [`MAX_SAMPLES`] samples of their first [`MAX_VARS`] values). When the number of keys doubles (from 4 096
//! on), a quarter of the keys (chosen by hash) are clustered with the one-word passes only, and the templates with
//! values are kept as patterns: a new key that one of them matches joins it instead of taking a slot. A compaction
//! so costs a fraction of observing the keys it follows, and all of them together less than the clustering at the
//! end: mining time stays linear in the input. Once a limit is reached, a message that is neither a known key nor
//! matches a pattern goes to an overflow template for its word count (`<*>` repeated; one per word count up to 64,
//! one beyond): at most `max_keys + 65` ids in all. Only the first line of a message is mined, words starting past
//! its first 2 KiB or past 256 words are one value, and a word whose masked form exceeds 256 bytes is one value, so
//! a key is at most a few KiB. Measured (`examples/mine.rs adversarial`): a million lines of 1 to 12 random words
//! end with 16 393 ids and 8 828 templates, 16 MB resident after observing and 26 MB after `finish`; lines of up
//! to 400 random words stop at 2 108 ids (the byte budget), 34 MB. Per-line time does not grow with the number of
//! templates: one hash lookup, and on a miss a bounded pattern check.

pub mod cluster;
pub mod mask;

use crate::event::{Event, Level};
use cluster::{split_words, KeyIn};
use mask::{Masker, VAR};
use rustc_hash::{FxBuildHasher, FxHashMap};
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::BuildHasher;

/// Identifies a template within one run of a miner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TemplateId(pub u32);

/// Samples kept per variable.
pub const MAX_SAMPLES: usize = 5;
/// Variables listed per template, and values per key whose samples are kept (the first ones).
pub const MAX_VARS: usize = 32;
/// A sample longer than this is cut (at a character boundary).
pub const MAX_SAMPLE_BYTES: usize = 64;
/// Patterns tried per new message in bounded mode (per word count and first word).
const MAX_PATTERN_SCAN: usize = 256;
/// Overflow templates: one per word count up to 64, one for 65 words and more.
const OVERFLOW_BUCKETS: u32 = 65;

/// Limits of a miner. The defaults are what the CLI and the page use.
#[derive(Debug, Clone, Copy)]
pub struct MinerLimits {
    /// Distinct keys (masked messages) kept; beyond, new shapes join a pattern or an overflow template.
    pub max_keys: usize,
    /// Number of keys at which patterns are first built (then at each doubling).
    pub first_compaction: usize,
    /// Bytes of text kept (keys, examples, samples); beyond, new shapes are treated as over `max_keys` and no more
    /// samples are taken. Keeps long random lines from filling memory before the key cap is reached.
    pub max_bytes: usize,
}

impl Default for MinerLimits {
    fn default() -> Self {
        MinerLimits {
            max_keys: 16_384,
            first_compaction: 4_096,
            max_bytes: 8 << 20,
        }
    }
}

/// One event kept as the example of a template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    pub line: u64,
    pub message: String,
}

/// A variable (`<*>`) of a template.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Variable {
    /// Ordinal among the template's variables (0-based).
    pub index: u32,
    /// Index of the word (blank-separated token) of the template that holds it.
    pub position: u32,
    /// Up to [`MAX_SAMPLES`] distinct values seen.
    pub samples: Vec<String>,
}

/// A template: one kind of event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Template {
    pub id: TemplateId,
    /// The message with its values written `<*>`.
    pub template: String,
    pub count: u64,
    /// Events per level (`NONE` for events without one).
    pub levels: BTreeMap<&'static str, u64>,
    /// Earliest and latest event time (Unix milliseconds) among the events that had one.
    pub first_ts: Option<i64>,
    pub last_ts: Option<i64>,
    pub example: Example,
    /// The first [`MAX_VARS`] variables, in order.
    pub variables: Vec<Variable>,
}

/// The final templates, and where each id handed out by [`TemplateMiner::observe`] went.
#[derive(Debug, Clone, Default, Serialize)]
pub struct TemplateMap {
    /// Templates in id order.
    pub templates: Vec<Template>,
    /// `resolve[id]` is the index in `templates` of the template that id belongs to.
    #[serde(skip)]
    pub resolve: Vec<u32>,
}

impl TemplateMap {
    /// The template an id handed out by `observe` belongs to.
    pub fn get(&self, id: TemplateId) -> Option<&Template> {
        let i = *self.resolve.get(id.0 as usize)?;
        self.templates.get(i as usize)
    }
    /// The final id of an id handed out by `observe` (one of the ids of the merged keys: the smallest).
    pub fn final_id(&self, id: TemplateId) -> Option<TemplateId> {
        self.get(id).map(|t| t.id)
    }
}

#[derive(Debug)]
struct KeyState {
    /// Masked words separated by blanks.
    key: Box<str>,
    /// End of each word in `key`.
    word_ends: Box<[u32]>,
    count: u64,
    levels: [u64; 7],
    first_ts: Option<i64>,
    last_ts: Option<i64>,
    example_line: u64,
    example: Box<str>,
    /// Per value of the key (the first [`MAX_VARS`]): distinct samples.
    samples: Vec<Vec<Box<str>>>,
    overflow: bool,
}

impl KeyState {
    /// The key's identity (text, example) without its counts.
    fn clone_empty(&self) -> KeyState {
        KeyState {
            key: self.key.clone(),
            word_ends: self.word_ends.clone(),
            count: 0,
            levels: [0; 7],
            first_ts: None,
            last_ts: None,
            example_line: self.example_line,
            example: self.example.clone(),
            samples: Vec::new(),
            overflow: self.overflow,
        }
    }
}

/// A template with values kept as a pattern once the keys were clustered (bounded mode).
#[derive(Debug)]
struct Pattern {
    words: Vec<Box<str>>,
    id: u32,
}

/// The online template miner. See the module documentation.
#[derive(Debug)]
pub struct TemplateMiner {
    masker: Masker,
    ids: FxHashMap<Box<[u8]>, u32>,
    keys: Vec<KeyState>,
    limits: MinerLimits,
    next_compaction: usize,
    /// Patterns by word count, then by first word (`""` for those whose first word holds a value).
    patterns: FxHashMap<u32, FxHashMap<Box<str>, Vec<Pattern>>>,
    /// Overflow template per word-count bucket.
    overflow: FxHashMap<u32, u32>,
    /// Approximate bytes of text kept (see [`MinerLimits::max_bytes`]).
    bytes: usize,
}

impl Default for TemplateMiner {
    fn default() -> Self {
        TemplateMiner::new()
    }
}

fn level_index(level: Option<Level>) -> usize {
    match level {
        Some(Level::Trace) => 0,
        Some(Level::Debug) => 1,
        Some(Level::Info) => 2,
        Some(Level::Warn) => 3,
        Some(Level::Error) => 4,
        Some(Level::Fatal) => 5,
        None => 6,
    }
}

fn level_name(i: usize) -> &'static str {
    if i < 6 {
        Level::ALL[i].as_str()
    } else {
        "NONE"
    }
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut e = max;
    while !s.is_char_boundary(e) {
        e -= 1;
    }
    &s[..e]
}

fn first_line(message: &str) -> &str {
    let end = memchr::memchr(b'\n', message.as_bytes()).unwrap_or(message.len());
    message[..end].trim_end_matches('\r')
}

impl TemplateMiner {
    pub fn new() -> TemplateMiner {
        TemplateMiner::with_limits(MinerLimits::default())
    }

    pub fn with_limits(limits: MinerLimits) -> TemplateMiner {
        TemplateMiner {
            masker: Masker::new(),
            ids: FxHashMap::default(),
            keys: Vec::new(),
            limits,
            next_compaction: limits.first_compaction.max(1).min(limits.max_keys),
            patterns: FxHashMap::default(),
            overflow: FxHashMap::default(),
            bytes: 0,
        }
    }

    /// Number of ids handed out so far.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }

    /// The template text of an id as first seen (before the end-of-file merge): the masked message.
    pub fn provisional_template(&self, id: TemplateId) -> Option<String> {
        self.keys.get(id.0 as usize).map(|k| k.key.to_string())
    }

    /// Mines one event of the pipeline: its message, level, time and line.
    pub fn observe_event(&mut self, event: &Event<'_>) -> TemplateId {
        let ts = event.ts().map(|t| t.unix_millis());
        self.observe(event.message(), event.level(), ts, event.line)
    }

    /// Adds what another miner saw (a slice of the same input mined apart, e.g. by another worker) and returns,
    /// for each id `other` handed out, the id it has here. Templates are computed from the keys and their counts
    /// only, so mining slices apart and absorbing them gives the same templates as one miner over the whole input
    /// (ids and examples follow the order of absorption).
    pub fn absorb(&mut self, other: TemplateMiner) -> Vec<TemplateId> {
        let mut remap = Vec::with_capacity(other.keys.len());
        for k in other.keys {
            let id = if k.overflow {
                let bucket = k.word_ends.len() as u32;
                self.overflow_key(bucket, k.example_line, &k.example)
            } else if let Some(&id) = self.ids.get(k.key.as_bytes()) {
                id
            } else if self.keys.len() < self.limits.max_keys && self.bytes < self.limits.max_bytes {
                self.bytes += 2 * k.key.len() + 4 * k.word_ends.len() + k.example.len() + 64;
                let id = self.keys.len() as u32;
                self.ids.insert(k.key.as_bytes().into(), id);
                self.keys.push(KeyState {
                    samples: vec![Vec::new(); k.samples.len()],
                    ..k.clone_empty()
                });
                id
            } else {
                // Over the cap: into the overflow template of its word count.
                let bucket = (k.word_ends.len() as u32).min(OVERFLOW_BUCKETS);
                self.overflow_key(bucket, k.example_line, &k.example)
            };
            let mine = &mut self.keys[id as usize];
            mine.count += k.count;
            for (a, b) in mine.levels.iter_mut().zip(k.levels.iter()) {
                *a += b;
            }
            mine.first_ts = match (mine.first_ts, k.first_ts) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            mine.last_ts = match (mine.last_ts, k.last_ts) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            if k.example_line < mine.example_line {
                mine.example_line = k.example_line;
                mine.example = k.example;
            }
            for (slot, theirs) in mine.samples.iter_mut().zip(k.samples) {
                for v in theirs {
                    if slot.len() < MAX_SAMPLES && !slot.contains(&v) {
                        slot.push(v);
                    }
                }
            }
            remap.push(TemplateId(id));
        }
        remap
    }

    /// Mines one message. `line` is the event's (first) line number, `ts_millis` its time when known.
    pub fn observe(
        &mut self,
        message: &str,
        level: Option<Level>,
        ts_millis: Option<i64>,
        line: u64,
    ) -> TemplateId {
        self.masker.mask(message);
        let id = match self.ids.get(self.masker.masked.key.as_slice()) {
            Some(&id) => id,
            None => self.new_key(message, line),
        };
        let key = &mut self.keys[id as usize];
        key.count += 1;
        key.levels[level_index(level)] += 1;
        if let Some(ts) = ts_millis {
            key.first_ts = Some(key.first_ts.map_or(ts, |f| f.min(ts)));
            key.last_ts = Some(key.last_ts.map_or(ts, |l| l.max(ts)));
        }
        // Samples: from the first 32 events of a key, then from one in 32, while the byte budget lasts.
        if !key.overflow
            && (key.count <= 32 || key.count.is_multiple_of(32))
            && self.bytes < self.limits.max_bytes
        {
            let vars = &self.masker.masked.vars;
            for (slot, &(s, e)) in key.samples.iter_mut().zip(vars.iter()) {
                if slot.len() >= MAX_SAMPLES {
                    continue;
                }
                // Value spans fall on character boundaries (the masker splits at ASCII bytes); `get` so that a
                // span that did not costs a sample, not a panic.
                let Some(v) = message.get(s as usize..e as usize) else {
                    continue;
                };
                let v = cut(v, MAX_SAMPLE_BYTES);
                if !slot.iter().any(|x| &**x == v) {
                    self.bytes += v.len() + 16;
                    slot.push(v.into());
                }
            }
        }
        TemplateId(id)
    }

    fn new_key(&mut self, message: &str, line: u64) -> u32 {
        if self.keys.len() >= self.next_compaction && !self.keys.is_empty() {
            self.compact();
        }
        if !self.patterns.is_empty() {
            if let Some(id) = self.match_pattern() {
                return id;
            }
        }
        let example = cut(first_line(message), mask::MAX_MESSAGE_BYTES);
        let id = self.keys.len() as u32;
        if self.keys.len() >= self.limits.max_keys || self.bytes >= self.limits.max_bytes {
            let bucket = self.masker.masked.words().min(OVERFLOW_BUCKETS);
            return self.overflow_key(bucket, line, example);
        }
        // The key is stored twice (map and state), with its word ends and its example.
        self.bytes += 2 * self.masker.masked.key.len()
            + 4 * self.masker.masked.word_ends.len()
            + example.len()
            + 64;
        let masked = &self.masker.masked;
        self.ids.insert(masked.key.as_slice().into(), id);
        self.keys.push(KeyState {
            key: masked.key_str().into(),
            word_ends: masked.word_ends.as_slice().into(),
            count: 0,
            levels: [0; 7],
            first_ts: None,
            last_ts: None,
            example_line: line,
            example: example.into(),
            samples: vec![Vec::new(); masked.vars.len().min(MAX_VARS)],
            overflow: false,
        });
        id
    }

    /// The overflow template of a word count (made on first use): `<*>` repeated.
    fn overflow_key(&mut self, bucket: u32, line: u64, example: &str) -> u32 {
        if let Some(&id) = self.overflow.get(&bucket) {
            return id;
        }
        let id = self.keys.len() as u32;
        self.overflow.insert(bucket, id);
        let words: Vec<&str> = vec![VAR; bucket as usize];
        self.keys.push(KeyState {
            key: words.join(" ").into(),
            word_ends: (1..=bucket).map(|w| w * 4 - 1).collect(),
            count: 0,
            levels: [0; 7],
            first_ts: None,
            last_ts: None,
            example_line: line,
            example: example.into(),
            samples: Vec::new(),
            overflow: true,
        });
        id
    }

    /// Clusters the keys seen so far and keeps the templates with values as patterns.
    fn compact(&mut self) {
        self.next_compaction = if self.next_compaction >= self.limits.max_keys {
            usize::MAX
        } else {
            (self.next_compaction * 2).min(self.limits.max_keys)
        };
        // A quarter of the keys, chosen by their text's hash: a pattern is found from a few of its keys, and a
        // compaction then costs a fraction of the lines that led to it (clustering every key, the compaction at
        // 4 096 keys alone cost as much as everything before it).
        let sampled = |k: &KeyState| FxBuildHasher.hash_one(&*k.key) >> 62 == 0;
        let (clusters, _) = self.run_cluster(cluster::Passes::OneColumn, sampled);
        self.patterns.clear();
        for c in clusters {
            if c.members.len() < 2 || !c.text.contains(VAR) {
                continue;
            }
            let words = split_words(&c.text, &c.ends);
            let first: Box<str> = match words.first() {
                Some(w) if !w.contains(VAR) => (*w).into(),
                _ => "".into(),
            };
            self.patterns
                .entry(words.len() as u32)
                .or_default()
                .entry(first)
                .or_default()
                .push(Pattern {
                    words: words.into_iter().map(Into::into).collect(),
                    id: c.members[0],
                });
        }
    }

    fn match_pattern(&self) -> Option<u32> {
        let masked = &self.masker.masked;
        let by_first = self.patterns.get(&masked.words())?;
        let words = split_words(masked.key_str(), &masked.word_ends);
        let first = words.first().copied().unwrap_or("");
        // At most `MAX_PATTERN_SCAN` patterns are tried per message: the check stays bounded.
        [first, ""]
            .iter()
            .filter_map(|f| by_first.get(*f))
            .flat_map(|pats| pats.iter().take(MAX_PATTERN_SCAN))
            .find(|p| {
                p.words
                    .iter()
                    .zip(words.iter())
                    .all(|(pw, w)| &**pw == *w || glob(pw, w))
            })
            .map(|p| p.id)
    }

    /// Clusters the keys (not the overflow templates) that `keep` selects; also returns the overflow templates.
    fn run_cluster(
        &self,
        passes: cluster::Passes,
        keep: impl Fn(&KeyState) -> bool,
    ) -> (Vec<cluster::ClusterOut>, Vec<u32>) {
        let mut inputs: Vec<KeyIn> = Vec::with_capacity(self.keys.len());
        let mut index: Vec<u32> = Vec::with_capacity(self.keys.len());
        for (i, k) in self.keys.iter().enumerate() {
            if k.overflow || !keep(k) {
                continue;
            }
            inputs.push(KeyIn {
                key: &k.key,
                ends: &k.word_ends,
                count: k.count,
            });
            index.push(i as u32);
        }
        let mut clusters = cluster::cluster_with(&inputs, passes);
        for c in &mut clusters {
            for m in &mut c.members {
                *m = index[*m as usize];
            }
            c.members.sort_unstable();
        }
        let overflow: Vec<u32> = self
            .keys
            .iter()
            .enumerate()
            .filter(|(_, k)| k.overflow)
            .map(|(i, _)| i as u32)
            .collect();
        (clusters, overflow)
    }

    /// The templates so far; the miner can go on observing afterwards.
    pub fn snapshot(&self) -> TemplateMap {
        let (mut clusters, overflow) = self.run_cluster(cluster::Passes::All, |_| true);
        for id in overflow {
            let k = &self.keys[id as usize];
            clusters.push(cluster::ClusterOut {
                text: k.key.to_string(),
                ends: k.word_ends.to_vec(),
                members: vec![id],
            });
        }
        // Render, collapse runs of values, and merge templates whose text is the same.
        let mut by_text: FxHashMap<String, usize> = FxHashMap::default();
        let mut groups: Vec<(String, Vec<u32>)> = Vec::new();
        for c in clusters {
            let text = collapse(&split_words(&c.text, &c.ends));
            match by_text.get(&text) {
                Some(&g) => groups[g].1.extend(c.members),
                None => {
                    by_text.insert(text.clone(), groups.len());
                    groups.push((text, c.members));
                }
            }
        }
        for g in &mut groups {
            g.1.sort_unstable();
        }
        groups.sort_by_key(|g| g.1[0]);
        let mut resolve = vec![0u32; self.keys.len()];
        let mut templates = Vec::with_capacity(groups.len());
        for (ti, (text, members)) in groups.into_iter().enumerate() {
            for &m in &members {
                resolve[m as usize] = ti as u32;
            }
            templates.push(self.build_template(text, &members));
        }
        TemplateMap { templates, resolve }
    }

    /// The final templates. Same as [`TemplateMiner::snapshot`]; named for the end of the input.
    pub fn finish(&mut self) -> TemplateMap {
        self.snapshot()
    }

    fn build_template(&self, text: String, members: &[u32]) -> Template {
        let rep = &self.keys[members[0] as usize];
        let mut count = 0;
        let mut levels = [0u64; 7];
        let (mut first_ts, mut last_ts): (Option<i64>, Option<i64>) = (None, None);
        for &m in members {
            let k = &self.keys[m as usize];
            count += k.count;
            for (a, b) in levels.iter_mut().zip(k.levels.iter()) {
                *a += b;
            }
            if let Some(f) = k.first_ts {
                first_ts = Some(first_ts.map_or(f, |x| x.min(f)));
            }
            if let Some(l) = k.last_ts {
                last_ts = Some(last_ts.map_or(l, |x| x.max(l)));
            }
        }
        let words: Vec<&str> = text.split(' ').collect();
        let mut variables: Vec<Variable> = Vec::new();
        'list: for (pos, w) in words.iter().enumerate() {
            for _ in 0..w.matches(VAR).count() {
                if variables.len() >= MAX_VARS {
                    break 'list;
                }
                variables.push(Variable {
                    index: variables.len() as u32,
                    position: pos as u32,
                    samples: Vec::new(),
                });
            }
        }
        if !variables.is_empty() {
            // Most frequent keys first.
            let mut order: Vec<u32> = members.to_vec();
            order.sort_by_key(|&m| std::cmp::Reverse(self.keys[m as usize].count));
            for &m in order.iter().take(64) {
                let k = &self.keys[m as usize];
                if k.overflow {
                    add_samples(&mut variables, &text, first_line(&k.example), None);
                } else {
                    add_samples(&mut variables, &text, &k.key, Some(&k.samples));
                }
                if variables.iter().all(|v| v.samples.len() >= MAX_SAMPLES) {
                    break;
                }
            }
        }
        Template {
            id: TemplateId(members[0]),
            template: text,
            count,
            levels: levels
                .iter()
                .enumerate()
                .filter(|(_, &n)| n > 0)
                .map(|(i, &n)| (level_name(i), n))
                .collect(),
            first_ts,
            last_ts,
            example: Example {
                line: rep.example_line,
                message: rep.example.to_string(),
            },
            variables,
        }
    }
}

/// Template words joined by blanks, with runs of whole-word values collapsed into one, and lists of three or more
/// of the same value word too (`@<*> @<*> @<*>)` is `@<*>)`: a list of addresses is one value; two may be two
/// fields, `from <*>: <*>:`; values that end with a separator are fields, `<*>, <*>, <*>,`).
fn collapse(words: &[&str]) -> String {
    let mut out = String::new();
    let mut prev_var = false;
    let mut i = 0;
    while i < words.len() {
        let w = words[i];
        let is_var = w == VAR;
        if is_var && prev_var {
            i += 1;
            continue;
        }
        // A list: the same value word repeated, the last one maybe with closing punctuation.
        let mut j = i + 1;
        if w != VAR && cluster::is_value_word(w) && !w.ends_with([',', ';', ':']) {
            while j < words.len() && words[j] == w {
                j += 1;
            }
            if j < words.len()
                && words[j].len() > w.len()
                && words[j].starts_with(w)
                && words[j][w.len()..]
                    .bytes()
                    .all(|b| matches!(b, b')' | b']' | b'}' | b',' | b';' | b'.'))
            {
                j += 1;
            }
        }
        let last = if j - i >= 3 { words[j - 1] } else { w };
        if j - i < 3 {
            j = i + 1;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(last);
        prev_var = is_var;
        i = j;
    }
    out
}

/// Glob match: `<*>` in `pat` matches any text (including none).
fn glob(pat: &str, text: &str) -> bool {
    captures(pat, text).is_some()
}

/// Matches `pat` (with `<*>`) against `text`, leftmost-shortest, and returns the text under each `<*>`.
fn captures<'t>(pat: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let pieces: Vec<&str> = pat.split(VAR).collect();
    if pieces.len() == 1 {
        return (pat == text).then(Vec::new);
    }
    let rest = text.strip_prefix(pieces[0])?;
    let last = pieces[pieces.len() - 1];
    if rest.len() < last.len() || !rest.ends_with(last) {
        return None;
    }
    let mut rest = &rest[..rest.len() - last.len()];
    let mut caps = Vec::with_capacity(pieces.len() - 1);
    for p in &pieces[1..pieces.len() - 1] {
        if p.is_empty() {
            caps.push(&rest[..0]);
            continue;
        }
        let i = rest.find(p)?;
        caps.push(&rest[..i]);
        rest = &rest[i + p.len()..];
    }
    caps.push(rest);
    Some(caps)
}

/// Adds samples for the template's variables from one key: the key text is matched against the template; a
/// variable over exactly one of the key's values takes that value's samples, any other the key's text with the
/// key's values filled in from their first sample.
fn add_samples(
    vars: &mut [Variable],
    template: &str,
    key_text: &str,
    samples: Option<&Vec<Vec<Box<str>>>>,
) {
    let Some(caps) = captures(template, key_text) else {
        return;
    };
    // Index of the key's value at each capture start.
    let mut var_index = 0usize;
    let mut consumed = 0usize;
    for (v, cap) in vars.iter_mut().zip(caps.iter()) {
        let start = cap.as_ptr() as usize - key_text.as_ptr() as usize;
        var_index += key_text[consumed..start].matches(VAR).count();
        consumed = start + cap.len();
        let inner = cap.matches(VAR).count();
        let key_samples = samples.map(|s| s.as_slice()).unwrap_or(&[]);
        if *cap == VAR {
            if let Some(slot) = key_samples.get(var_index) {
                for s in slot {
                    if v.samples.len() < MAX_SAMPLES && !v.samples.iter().any(|x| x == &**s) {
                        v.samples.push(s.to_string());
                    }
                }
            }
        } else if v.samples.len() < MAX_SAMPLES {
            let mut value = String::new();
            let mut k = var_index;
            for (i, piece) in cap.split(VAR).enumerate() {
                if i > 0 {
                    match key_samples.get(k).and_then(|s| s.first()) {
                        Some(s) => value.push_str(s),
                        None => value.push_str(VAR),
                    }
                    k += 1;
                }
                value.push_str(piece);
            }
            let value = cut(&value, MAX_SAMPLE_BYTES).to_string();
            if !v.samples.contains(&value) {
                v.samples.push(value);
            }
        }
        var_index += inner;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_alone_in_brackets_at_the_start_varies_like_any_other() {
        // cron's `(user) CMD (command)`: one template for every user, not one per user; two alternating words
        // in brackets stay text.
        let mut m = TemplateMiner::new();
        let users = ["alice", "bob", "carol", "dave", "erin", "frank"];
        for (i, u) in users.iter().cycle().take(60).enumerate() {
            m.observe(
                &format!("({u}) CMD (run-parts /etc/cron.hourly)"),
                None,
                None,
                i as u64 + 1,
            );
        }
        for (i, w) in ["[start]", "[stop]"].iter().cycle().take(20).enumerate() {
            m.observe(&format!("{w} service nginx"), None, None, 100 + i as u64);
        }
        let map = m.finish();
        let mut texts: Vec<&str> = map.templates.iter().map(|t| t.template.as_str()).collect();
        texts.sort();
        assert_eq!(
            texts,
            [
                "(<*>) CMD (run-parts <*>)",
                "[start] service nginx",
                "[stop] service nginx"
            ]
        );
    }

    #[test]
    fn ids_are_stable_and_resolve() {
        let mut m = TemplateMiner::new();
        let a = m.observe(
            "Invalid user webmaster from 1.2.3.4",
            Some(Level::Info),
            Some(10),
            1,
        );
        let b = m.observe(
            "Invalid user chen from 1.2.3.5",
            Some(Level::Warn),
            Some(5),
            2,
        );
        let c = m.observe("Invalid user pgadmin from 1.2.3.6", None, None, 3);
        let d = m.observe("Invalid user chen from 1.2.3.7", None, Some(20), 4);
        assert_eq!(b, d);
        assert_ne!(a, b);
        let map = m.finish();
        let t = map.get(c).unwrap();
        assert_eq!(t.id, a);
        assert_eq!(t.template, "Invalid user <*> from <*>");
        assert_eq!(t.count, 4);
        assert_eq!(t.first_ts, Some(5));
        assert_eq!(t.last_ts, Some(20));
        assert_eq!(t.levels.get("NONE"), Some(&2));
        assert_eq!(t.example.line, 1);
        assert_eq!(t.variables.len(), 2);
        assert_eq!(t.variables[0].position, 2);
        let mut s = t.variables[0].samples.clone();
        s.sort();
        assert_eq!(s, vec!["chen", "pgadmin", "webmaster"]);
        assert_eq!(t.variables[1].samples.len(), 4);
    }

    #[test]
    fn patterns_absorb_new_values_after_compaction() {
        let mut m = TemplateMiner::with_limits(MinerLimits {
            max_keys: 1000,
            first_compaction: 100,
            ..MinerLimits::default()
        });
        let mut ids = Vec::new();
        for i in 0..5000u64 {
            let user: String = (0..6)
                .map(|k| (b'a' + ((i * 7 + k * 13) % 26) as u8) as char)
                .collect();
            let user = format!(
                "{user}{}",
                ["x", "y", "zz", "w"][(i % 4) as usize].repeat(1 + (i / 26) as usize % 5)
            );
            ids.push(m.observe(
                &format!("Invalid user {user} from 10.0.0.{}", i % 250),
                None,
                None,
                i + 1,
            ));
        }
        assert!(m.len() <= 200, "{} keys", m.len());
        let map = m.finish();
        assert_eq!(map.templates.len(), 1);
        assert_eq!(map.templates[0].template, "Invalid user <*> from <*>");
        assert_eq!(map.templates[0].count, 5000);
        assert!(ids.iter().all(|&id| map.get(id).is_some()));
    }

    #[test]
    fn arbitrary_text_does_not_panic() {
        let pieces = [
            "é", "日本", "\"", "'", "/", "://", ":", "=", "<*>", "<", ">", "0", "12", "0x1f", "-",
            ".", " ", "  ", "\t", "true", "Jun", "Fri", "KB", "a", "Zz", "C:\\x", "/a/b", "[", "]",
            "(", ")", "{", "}", "#", "@", "|", "\u{1f}", "…", "𝄞", "\r", "\n",
        ];
        let mut m = TemplateMiner::with_limits(MinerLimits {
            max_keys: 300,
            first_compaction: 50,
            ..MinerLimits::default()
        });
        let mut x: u64 = 7;
        let mut ids = Vec::new();
        for i in 0..3000u64 {
            let mut msg = String::new();
            for _ in 0..(x % 40) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                msg.push_str(pieces[(x % pieces.len() as u64) as usize]);
            }
            ids.push(m.observe(&msg, None, None, i));
        }
        let long = "ab1 ".repeat(5000) + &"é".repeat(3000);
        ids.push(m.observe(&long, None, None, 0));
        let map = m.finish();
        for id in ids {
            let t = map.get(id).expect("resolves");
            assert!(t.count > 0);
        }
    }

    #[test]
    fn slices_mined_apart_give_the_same_templates() {
        let lines: Vec<String> = (0..400)
            .map(|i| match i % 4 {
                0 => format!(
                    "Invalid user u{} from 10.0.0.{}",
                    ["ab", "cd", "ef", "gh", "ij"][i % 5],
                    i % 200
                ),
                1 => format!(
                    "session opened for user {}",
                    ["root", "news", "cyrus", "test"][i % 4]
                ),
                2 => format!(
                    "Received block blk_{i} of size {} from /10.0.0.{}",
                    i * 3,
                    i % 9
                ),
                _ => "Interrupting SendWorker".to_string(),
            })
            .collect();
        let mut whole = TemplateMiner::new();
        for (i, l) in lines.iter().enumerate() {
            whole.observe(l, None, None, i as u64 + 1);
        }
        let mut a = TemplateMiner::new();
        let mut b = TemplateMiner::new();
        let mut b_ids = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if i < 150 {
                a.observe(l, None, None, i as u64 + 1);
            } else {
                b_ids.push(b.observe(l, None, None, i as u64 + 1));
            }
        }
        let remap = a.absorb(b);
        let texts = |m: &TemplateMap| {
            let mut v: Vec<(String, u64)> = m
                .templates
                .iter()
                .map(|t| (t.template.clone(), t.count))
                .collect();
            v.sort();
            v
        };
        let (wm, am) = (whole.finish(), a.finish());
        assert_eq!(texts(&wm), texts(&am));
        assert_eq!(
            remap.len(),
            b_ids.iter().map(|i| i.0).max().unwrap() as usize + 1
        );
        for (i, id) in b_ids.iter().enumerate() {
            let t = am.get(remap[id.0 as usize]).unwrap();
            assert!(t.count > 0, "line {i}");
        }
    }

    #[test]
    fn long_random_lines_stay_within_the_byte_budget() {
        let mut m = TemplateMiner::with_limits(MinerLimits {
            max_bytes: 1 << 20,
            ..MinerLimits::default()
        });
        let mut x: u64 = 99;
        for i in 0..3000u64 {
            let mut msg = String::new();
            for _ in 0..400 {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                msg.push((b'a' + (x % 26) as u8) as char);
                msg.push(if x.is_multiple_of(5) {
                    ' '
                } else {
                    (b'a' + (x >> 8) as u8 % 26) as char
                });
                msg.push_str(&format!("={}", x % 1000));
            }
            m.observe(&msg, None, None, i + 1);
        }
        assert!(m.bytes < (1 << 20) + 16 * 1024, "{} bytes", m.bytes);
        assert!(m.len() < 3000);
        let map = m.finish();
        assert_eq!(map.templates.iter().map(|t| t.count).sum::<u64>(), 3000);
    }

    #[test]
    fn bounded_on_random_input() {
        let mut m = TemplateMiner::with_limits(MinerLimits {
            max_keys: 1000,
            first_compaction: 100,
            ..MinerLimits::default()
        });
        let mut x: u64 = 1;
        for i in 0..20_000u64 {
            let mut msg = String::new();
            for _ in 0..(1 + i % 7) {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                let w: String = (0..5)
                    .map(|k| (b'a' + ((x >> (k * 5)) % 26) as u8) as char)
                    .collect();
                msg.push_str(&w);
                msg.push(' ');
            }
            m.observe(&msg, None, None, i + 1);
        }
        assert!(m.len() <= 1000 + 65);
        let map = m.finish();
        assert_eq!(map.templates.iter().map(|t| t.count).sum::<u64>(), 20_000);
    }
}

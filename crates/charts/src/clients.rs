//! Requests, errors and bytes per client, bounded.
//!
//! **Bound.** Counts are exact while at most [`EXACT_CLIENTS`] (32 768) distinct clients were seen. When a new
//! client arrives with the table full, the table is pruned to the [`KEPT_CLIENTS`] (16 384) with the highest
//! estimates (ties by address), a batched Space-Saving sketch: a client that enters later starts with an
//! *overcount* equal to the highest estimate ever evicted (the *floor*), so that `requests` (observed + overcount) is
//! never below the true count and exceeds it by at most `overcount`. Every client whose true count exceeds the floor
//! is in the table, so on a skewed stream the top clients are the true ones. Errors and bytes are counted from when
//! the client entered the table (lower bounds; exact when `overcount` is 0). Memory: a table of at most 65 536
//! slots of 32 bytes (2 MiB) for the counts, and the text and overcount of at most 32 768 clients (≈ 50 bytes each).
//!
//! **Countries stay exact in total.** An evicted client's observed requests move to a table of network prefixes
//! (IPv4 /24, IPv6 /48) that is looked up at the end, so every request is counted in exactly one country. That table
//! holds at most [`PREFIX_CAP`] (131 072) prefixes; past that it coarsens once to /16 and /32, and past that again
//! requests of new prefixes count as `unknown`. A client that is not an address (a host name) is `unknown` too.
//!
//! Cost per event: hashing the address text (a 64-bit hash, two multiplies per 8 bytes) and one lookup in an
//! open-addressing table keyed by that hash whose slots hold the counts, so a lookup reads one cache line. With tens
//! of thousands of clients that line is usually not in cache: on x86-64 it is prefetched when the client arrives and
//! the client is counted [`DEFER`] calls later, so the miss overlaps the parsing of the next events. A new client
//! allocates its text once. (Prefix table: ≈ 20 bytes per prefix, at most 2.6 MB.)
//! Two distinct client strings whose 64-bit hashes collide would be counted as one: for `n` distinct clients the
//! chance is about n²/2⁶⁵ (2·10⁻¹⁰ for 100 000).

use crate::geo::{locate, parse_ip, GeoDb, Place};
use rustc_hash::FxHashMap;
use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::net::IpAddr;

/// Distinct clients counted exactly; a new one beyond prunes the table.
pub const EXACT_CLIENTS: usize = 32_768;
/// Clients kept by a prune.
pub const KEPT_CLIENTS: usize = 16_384;
/// Network prefixes kept for the countries of evicted clients.
pub const PREFIX_CAP: usize = 131_072;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// Requests seen since the client entered the table.
    pub observed: u64,
    /// Requests the client may have had before it entered (0 unless the table was pruned before).
    pub overcount: u64,
    pub errors: u64,
    pub bytes: u64,
}

/// What the hot table holds per client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Hot {
    observed: u64,
    errors: u64,
    bytes: u64,
}

/// A slot of [`HotTable`]: the key (a hash; 0 marks an empty slot) and the counts, 32 bytes, aligned so that a
/// slot never straddles two cache lines.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[repr(C, align(32))]
struct Slot {
    key: u64,
    hot: Hot,
}

/// Open addressing with linear probing at a load of at most 1/2: a lookup usually reads one cache line (a
/// general-purpose map reads its control bytes, then the entry). Keys are the well-mixed hashes of [`key_hash`].
#[derive(Debug, Clone, Default)]
struct HotTable {
    slots: Vec<Slot>,
    len: usize,
}

impl HotTable {
    /// Asks the CPU to bring the slot of `key` into cache (x86-64; elsewhere nothing).
    #[inline]
    fn prefetch(&self, key: u64) {
        #[cfg(target_arch = "x86_64")]
        if !self.slots.is_empty() {
            let i = key as usize & (self.slots.len() - 1);
            let p = self.slots.as_ptr().wrapping_add(i) as *const i8;
            // SAFETY: a prefetch is a hint; it does not fault, whatever the address.
            #[allow(unused_unsafe)]
            unsafe {
                std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(p)
            };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = key;
    }

    #[inline]
    fn get_mut(&mut self, key: u64) -> Option<&mut Hot> {
        if self.slots.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut i = key as usize & mask;
        loop {
            let k = self.slots[i].key;
            if k == key {
                return Some(&mut self.slots[i].hot);
            }
            if k == 0 {
                return None;
            }
            i = (i + 1) & mask;
        }
    }

    /// Inserts a key that is not in the table.
    fn insert(&mut self, key: u64, hot: Hot) {
        if (self.len + 1) * 2 > self.slots.len() {
            let old = std::mem::take(&mut self.slots);
            self.slots = vec![Slot::default(); (old.len() * 2).max(1024)];
            self.len = 0;
            for s in old.into_iter().filter(|s| s.key != 0) {
                self.insert(s.key, s.hot);
            }
        }
        let mask = self.slots.len() - 1;
        let mut i = key as usize & mask;
        while self.slots[i].key != 0 {
            i = (i + 1) & mask;
        }
        self.slots[i] = Slot { key, hot };
        self.len += 1;
    }

    fn iter(&self) -> impl Iterator<Item = (u64, &Hot)> {
        self.slots
            .iter()
            .filter(|s| s.key != 0)
            .map(|s| (s.key, &s.hot))
    }

    /// Empties the table, keeping its memory.
    fn drain(&mut self) -> Vec<(u64, Hot)> {
        let out = self.iter().map(|(k, h)| (k, *h)).collect();
        self.slots.iter_mut().for_each(|s| *s = Slot::default());
        self.len = 0;
        out
    }
}

/// What only inserts, prunes and the end touch.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Cold {
    name: Box<str>,
    overcount: u64,
}

fn stats(h: &Hot, c: Option<&Cold>) -> ClientStats {
    ClientStats {
        observed: h.observed,
        overcount: c.map_or(0, |c| c.overcount),
        errors: h.errors,
        bytes: h.bytes,
    }
}

impl ClientStats {
    /// Space-Saving estimate: never below the true count.
    pub fn estimate(&self) -> u64 {
        self.observed + self.overcount
    }
}

/// A 64-bit hash of a client's text (folded 64×64→128 multiplies, as in wyhash): well mixed, so the table uses it
/// as is.
#[inline]
fn key_hash(s: &[u8]) -> u64 {
    #[inline]
    fn fold(a: u64, b: u64) -> u64 {
        let m = (a as u128).wrapping_mul(b as u128);
        (m as u64) ^ ((m >> 64) as u64)
    }
    const P0: u64 = 0xa076_1d64_78bd_642f;
    const P1: u64 = 0xe703_7ed1_a0b4_28db;
    let mut h = P0 ^ s.len() as u64;
    let mut chunks = s.chunks_exact(8);
    for c in &mut chunks {
        h = fold(h ^ u64::from_le_bytes(c.try_into().unwrap()), P1);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut buf = [0u8; 8];
        buf[..rest.len()].copy_from_slice(rest);
        h = fold(h ^ u64::from_le_bytes(buf), P1);
    }
    fold(h, P0)
}

/// Hasher for keys that are already hashes.
#[derive(Default)]
struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only u64 keys are hashed here.
        for b in bytes {
            self.0 = (self.0 << 8) | *b as u64;
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

type HashKeyed<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// Clients whose counting waits for their slot to arrive in cache.
pub const DEFER: usize = 4;
/// Longest client text that can wait (longer ones are counted at once).
const DEFER_TEXT: usize = 46;

#[derive(Debug, Clone, Copy)]
struct Pending {
    hash: u64,
    bytes: u64,
    error: bool,
    len: u8,
    text: [u8; DEFER_TEXT],
}

impl Default for Pending {
    fn default() -> Self {
        Pending {
            hash: 0,
            bytes: 0,
            error: false,
            len: 0,
            text: [0; DEFER_TEXT],
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct ClientCounter {
    /// The last few clients, counted [`DEFER`] calls later: their slot is prefetched when they arrive, so the
    /// table's cache miss overlaps the parsing of the next events. Flushed by every reader.
    pending: [Pending; DEFER],
    /// Number of pending clients; the oldest is at `next`.
    n_pending: usize,
    next: usize,
    /// Counts by the hash of the client's text.
    map: HotTable,
    /// The text and overcount of each client in `map`.
    names: HashKeyed<Cold>,
    floor: u64,
    pruned: bool,
    prefixes: FxHashMap<u64, u64>,
    /// 0: IPv4 /24 and IPv6 /48; 1: /16 and /32.
    prefix_level: u8,
    unlocated: u64,
    total: u64,
}

const V4_TAG: u64 = 1 << 63;

fn prefix_key(ip: IpAddr, level: u8) -> u64 {
    let ip = match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    };
    match ip {
        IpAddr::V4(a) => V4_TAG | (u32::from(a) >> if level == 0 { 8 } else { 16 }) as u64,
        IpAddr::V6(a) => (u128::from(a) >> if level == 0 { 80 } else { 96 }) as u64,
    }
}

fn prefix_addr(key: u64, level: u8) -> IpAddr {
    if key & V4_TAG != 0 {
        let shift = if level == 0 { 8 } else { 16 };
        IpAddr::V4((((key & !V4_TAG) as u32) << shift).into())
    } else {
        let shift = if level == 0 { 80 } else { 96 };
        IpAddr::V6(((key as u128) << shift).into())
    }
}

impl ClientCounter {
    pub fn new() -> ClientCounter {
        ClientCounter::default()
    }

    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// Requests counted (all clients).
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Whether every count is exact (the table was never pruned).
    pub fn is_exact(&self) -> bool {
        !self.flushed().pruned
    }

    /// Distinct clients in the table.
    pub fn len(&self) -> usize {
        self.flushed().map.len
    }

    #[inline]
    pub fn add(&mut self, client: &str, error: bool, bytes: u64) {
        self.total += 1;
        // 0 marks an empty slot.
        let h = key_hash(client.as_bytes()).max(1);
        if client.len() > DEFER_TEXT {
            self.count(h, client.as_bytes(), error, bytes);
            return;
        }
        self.map.prefetch(h);
        let idx = if self.n_pending == DEFER {
            // Count the oldest (its slot has had time to arrive), then reuse its place.
            let idx = self.next;
            let old = self.pending[idx];
            self.next = (idx + 1) % DEFER;
            self.count_pending(&old);
            idx
        } else {
            self.n_pending += 1;
            (self.next + self.n_pending - 1) % DEFER
        };
        let p = &mut self.pending[idx];
        p.hash = h;
        p.bytes = bytes;
        p.error = error;
        p.len = client.len() as u8;
        p.text[..client.len()].copy_from_slice(client.as_bytes());
    }

    #[inline]
    fn count_pending(&mut self, p: &Pending) {
        self.count(p.hash, &p.text[..p.len as usize], p.error, p.bytes);
    }

    /// Counts the clients still waiting. Every method that reads the counts calls it (on a copy when borrowed).
    pub fn flush(&mut self) {
        while self.n_pending > 0 {
            let p = self.pending[self.next];
            self.next = (self.next + 1) % DEFER;
            self.n_pending -= 1;
            self.count_pending(&p);
        }
    }

    /// `self` with nothing pending: itself, or a flushed copy.
    fn flushed(&self) -> std::borrow::Cow<'_, ClientCounter> {
        if self.n_pending == 0 {
            std::borrow::Cow::Borrowed(self)
        } else {
            let mut c = self.clone();
            c.flush();
            std::borrow::Cow::Owned(c)
        }
    }

    /// `client`: the text of a `&str` (valid UTF-8; read as text only when the client is new).
    #[inline]
    fn count(&mut self, h: u64, client: &[u8], error: bool, bytes: u64) {
        if let Some(s) = self.map.get_mut(h) {
            s.observed += 1;
            s.errors += error as u64;
            s.bytes += bytes;
            return;
        }
        self.insert(h, client, error, bytes);
    }

    #[cold]
    fn insert(&mut self, h: u64, client: &[u8], error: bool, bytes: u64) {
        let client = String::from_utf8_lossy(client);
        if self.map.len >= EXACT_CLIENTS {
            self.prune();
        }
        self.map.insert(
            h,
            Hot {
                observed: 1,
                errors: error as u64,
                bytes,
            },
        );
        self.names.insert(
            h,
            Cold {
                name: client.as_ref().into(),
                overcount: self.floor,
            },
        );
    }

    /// All clients, most requests first, ties by text.
    fn ranked(&self) -> Vec<(&str, ClientStats)> {
        let mut v: Vec<(&str, ClientStats)> = self
            .map
            .iter()
            .map(|(h, s)| {
                let c = self.names.get(&h);
                (c.map_or("", |c| &*c.name), stats(s, c))
            })
            .collect();
        v.sort_unstable_by(|a, b| b.1.estimate().cmp(&a.1.estimate()).then(a.0.cmp(b.0)));
        v
    }

    fn prune(&mut self) {
        self.pruned = true;
        let mut all: Vec<(u64, Hot, Cold)> = self
            .map
            .drain()
            .into_iter()
            .map(|(h, s)| (h, s, self.names.remove(&h).unwrap_or_default()))
            .collect();
        self.names.clear();
        // Keep the KEPT_CLIENTS best (estimate, then text): a partial sort.
        let est = |x: &(u64, Hot, Cold)| x.1.observed + x.2.overcount;
        let by_rank = |a: &(u64, Hot, Cold), b: &(u64, Hot, Cold)| {
            est(b).cmp(&est(a)).then_with(|| a.2.name.cmp(&b.2.name))
        };
        if all.len() > KEPT_CLIENTS {
            all.select_nth_unstable_by(KEPT_CLIENTS, by_rank);
        }
        for x in all.drain(KEPT_CLIENTS.min(all.len())..) {
            self.floor = self.floor.max(est(&x));
            self.evict(&x.2.name, x.1.observed);
        }
        for (h, s, c) in all {
            self.map.insert(h, s);
            self.names.insert(h, c);
        }
    }

    fn evict(&mut self, client: &str, requests: u64) {
        let Some(ip) = parse_ip(client) else {
            self.unlocated += requests;
            return;
        };
        let key = prefix_key(ip, self.prefix_level);
        if let Some(n) = self.prefixes.get_mut(&key) {
            *n += requests;
            return;
        }
        if self.prefixes.len() >= PREFIX_CAP {
            if self.prefix_level == 0 {
                self.prefix_level = 1;
                let old = std::mem::take(&mut self.prefixes);
                for (k, n) in old {
                    let k = prefix_key(prefix_addr(k, 0), 1);
                    *self.prefixes.entry(k).or_default() += n;
                }
                return self.evict(client, requests);
            }
            self.unlocated += requests;
            return;
        }
        self.prefixes.insert(key, requests);
    }

    /// The `n` clients with the most requests (ties by address), with their stats.
    pub fn top(&self, n: usize) -> Vec<(String, ClientStats)> {
        let c = self.flushed();
        let mut v = c.ranked();
        v.truncate(n);
        v.into_iter().map(|(k, s)| (k.to_string(), s)).collect()
    }

    /// Requests per place. Every request counted is in exactly one place.
    pub fn places(&self, geo: Option<&GeoDb>) -> BTreeMap<Place, u64> {
        self.flushed().places_flushed(geo)
    }

    fn places_flushed(&self, geo: Option<&GeoDb>) -> BTreeMap<Place, u64> {
        let mut out: BTreeMap<Place, u64> = BTreeMap::new();
        for (h, s) in self.map.iter() {
            let name = self.names.get(&h).map_or("", |c| &*c.name);
            let p = parse_ip(name).map_or(Place::Unknown, |ip| locate(geo, ip));
            *out.entry(p).or_default() += s.observed;
        }
        for (k, n) in &self.prefixes {
            *out.entry(locate(geo, prefix_addr(*k, self.prefix_level)))
                .or_default() += n;
        }
        if self.unlocated > 0 {
            *out.entry(Place::Unknown).or_default() += self.unlocated;
        }
        out
    }
}

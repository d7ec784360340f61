//! logsieve-fuzz-harness: every fuzz target of logsieve as a plain `pub fn <target>(data: &[u8])`.
//!
//! Each function drives the real code of one entry point that takes log bytes and asserts cheap invariants (no
//! panic, output that parses, chunked feeding equal to one-shot feeding, redaction that keeps lines). The
//! cargo-fuzz project in `fuzz/` (nightly, libFuzzer) calls them, one `fuzz_targets/<target>.rs` each; the
//! regression test (`tests/regressions.rs`, stable, part of `cargo test --workspace`) replays every input committed
//! under `fuzz/regressions/<target>/` through the same function.
//!
//! Targets that need parameters (chunk sizes, a mode, limits) read them from the first bytes of the input with
//! [`Params`], so that a log file is itself a valid input: its first few bytes become the parameters.
//!
//! [`mutate`] holds the log-like mutation the fuzz targets plug into libFuzzer's custom-mutator hook.

pub mod engine;
pub mod findings;
pub mod k8s;
pub mod llm;
pub mod mutate;

use logsieve_engine::{Event, ParseOptions};

/// A target: it panics (or hangs) on a bug.
pub type Target = fn(&[u8]);

/// Every target by name, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/regressions/<name>/` call it.
pub const TARGETS: &[(&str, Target)] = &[
    ("decode", engine::decode),
    ("pipeline_chunks", engine::pipeline_chunks),
    ("formats", engine::formats),
    ("miner", engine::miner),
    ("ndjson", engine::ndjson),
    ("analyzer", findings::analyzer),
    ("redact", findings::redact),
    ("charts", findings::charts),
    ("k8s", k8s::k8s),
    ("llm_digest", llm::llm_digest),
];

/// The target called `name`.
pub fn target(name: &str) -> Option<Target> {
    TARGETS.iter().find(|(n, _)| *n == name).map(|(_, f)| *f)
}

/// The year every target parses with (dates without a year get it).
pub const YEAR: i32 = 2024;

/// Parameters read from the front of an input; the rest is the body.
pub struct Params<'a> {
    head: &'a [u8],
    pub body: &'a [u8],
}

impl<'a> Params<'a> {
    /// Takes `1 + (data[0] & 7)` bytes of parameters (at most 8): byte 0 is [`Params::flags`], the others
    /// [`Params::bytes`] (chunk sizes and the like).
    pub fn new(data: &'a [u8]) -> Params<'a> {
        let n = data
            .first()
            .map_or(0, |b| 1 + (b & 7) as usize)
            .min(data.len());
        Params {
            head: &data[..n],
            body: &data[n..],
        }
    }

    /// The first byte (0 when the input is empty); its low three bits gave the number of parameter bytes.
    pub fn flags(&self) -> u8 {
        self.head.first().copied().unwrap_or(0)
    }

    /// The parameter bytes after the flags.
    pub fn bytes(&self) -> &'a [u8] {
        self.head.get(1..).unwrap_or(&[])
    }

    /// The body cut into chunks whose sizes cycle through the parameter bytes (a zero makes an empty chunk; with no
    /// non-zero size the body is one chunk).
    pub fn chunks(&self) -> Vec<&'a [u8]> {
        chunks(self.body, self.bytes())
    }
}

/// `body` cut into chunks whose sizes cycle through `sizes`; see [`Params::chunks`].
pub fn chunks<'a>(body: &'a [u8], sizes: &[u8]) -> Vec<&'a [u8]> {
    if sizes.iter().all(|&s| s == 0) {
        return vec![body];
    }
    let mut out = Vec::new();
    let mut rest = body;
    let mut i = 0;
    while !rest.is_empty() {
        // Scale a size byte so that both tiny chunks (boundaries inside characters) and large ones occur.
        let s = sizes[i % sizes.len()] as usize;
        let n = if s < 128 { s } else { (s - 127) * 97 };
        let n = n.min(rest.len());
        out.push(&rest[..n]);
        rest = &rest[n..];
        i += 1;
    }
    out
}

/// The parse options of every target: the defaults with a fixed year.
pub fn options() -> ParseOptions {
    ParseOptions::with_year(YEAR)
}

/// One event, owned, with everything the output shows: its NDJSON line and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnedEvent {
    pub line: u64,
    pub end_line: u64,
    pub offset: u64,
    pub len: u64,
    pub text: String,
    pub ndjson: String,
}

impl OwnedEvent {
    pub fn of(ev: &Event<'_>) -> OwnedEvent {
        let mut ndjson = String::new();
        logsieve_engine::ndjson::write_event(ev, &mut ndjson);
        OwnedEvent {
            line: ev.line,
            end_line: ev.end_line,
            offset: ev.offset,
            len: ev.len,
            text: ev.text.to_string(),
            ndjson,
        }
    }
}

/// Whether `s[start..end]` is a valid slice (in bounds, on character boundaries).
pub fn is_slice(s: &str, start: usize, end: usize) -> bool {
    start <= end && end <= s.len() && s.is_char_boundary(start) && s.is_char_boundary(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_body() {
        let body: Vec<u8> = (0..=255u8).cycle().take(5000).collect();
        for sizes in [&[][..], &[0], &[1], &[0, 3], &[200, 1], &[255]] {
            let c = chunks(&body, sizes);
            assert_eq!(c.concat(), body, "sizes {sizes:?}");
        }
        assert_eq!(chunks(b"", &[1]).len(), 0);
    }

    #[test]
    fn params_take_the_front() {
        let p = Params::new(b"\x02ab rest");
        assert_eq!(p.flags(), 2);
        assert_eq!(p.bytes(), b"ab");
        assert_eq!(p.body, b" rest");
        let p = Params::new(b"\x07a");
        assert_eq!(p.bytes(), b"a");
        assert!(p.body.is_empty());
        assert!(Params::new(b"").body.is_empty());
    }

    #[test]
    fn every_target_takes_empty_and_small_inputs() {
        for (name, f) in TARGETS {
            for input in [
                &b""[..],
                b"\n",
                b"\x00",
                b"\x1f\x8b",
                b"a=b c=d\n  at x.y(Z.java:1)\n",
            ] {
                eprintln!("{name} {input:?}");
                f(input);
            }
        }
    }
}

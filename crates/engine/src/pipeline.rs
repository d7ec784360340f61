//! Pipeline: the engine's front door. Bytes in (any chunking, plain or gzip), events out, stats at the end.

use crate::assemble::{AssemblerLimits, EventAssembler};
use crate::decode::{DecodeError, Decoder};
use crate::event::Event;
use crate::formats::{FormatId, ParseContext};
use crate::lines::LineSplitter;
use crate::stats::Stats;

/// Options of a parse. The defaults are what the CLI and the page use.
#[derive(Debug, Clone, Copy)]
pub struct ParseOptions {
    /// Year given to dates written without one (syslog, Android logcat, ...). The CLI and the page pass the
    /// current year (UTC); tests pass a fixed one.
    pub default_year: i32,
    /// A line longer than this keeps its first `max_line_bytes` bytes and is marked `truncated` (1 MiB).
    pub max_line_bytes: usize,
    /// An event (a line and its continuations) keeps at most this many bytes; further continuation lines are
    /// counted in `end_line` but their text is dropped and the event is marked `truncated` (4 MiB).
    pub max_event_bytes: usize,
    /// How many first lines (or bytes, whichever comes first) decide the file's format.
    pub detect_lines: usize,
    pub detect_bytes: usize,
    /// Skip detection and read the input as this format. For re-reading one event of a file whose format is
    /// already known (the page re-parses the rows it shows from the file's bytes): the event then comes out exactly
    /// as in the full pass. The input is then decoded text (no gzip sniffing: an event's bytes may start with
    /// gzip's magic). `None` (the default): detect the format from the first lines.
    pub forced_format: Option<FormatId>,
    /// With `forced_format`: the format tried first for a line that the forced format does not accept, as the
    /// full pass's fallback was when it read that line (the page passes the event's own format). `None`: none.
    pub fallback_format: Option<FormatId>,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            default_year: 1970,
            max_line_bytes: 1 << 20,
            max_event_bytes: 4 << 20,
            detect_lines: 200,
            detect_bytes: 1 << 20,
            forced_format: None,
            fallback_format: None,
        }
    }
}

impl ParseOptions {
    pub fn with_year(default_year: i32) -> ParseOptions {
        ParseOptions {
            default_year,
            ..ParseOptions::default()
        }
    }
}

/// An input problem. Everything readable before it has been emitted as events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EngineError {
    Decode(DecodeError),
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            EngineError::Decode(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for EngineError {}

pub struct Pipeline {
    decoder: Decoder,
    splitter: LineSplitter,
    assembler: EventAssembler,
    bytes_in: u64,
    failed: bool,
}

impl Pipeline {
    pub fn new(opts: ParseOptions) -> Pipeline {
        let mut p = Pipeline {
            decoder: if opts.forced_format.is_some() {
                Decoder::plain()
            } else {
                Decoder::new()
            },
            // Spans into a line are `u32` offsets whose top bit marks decoded text (`Span::DECODED`): lines stay
            // below 2 GiB whatever the option says.
            splitter: LineSplitter::new(opts.max_line_bytes.min(i32::MAX as usize)),
            assembler: EventAssembler::new(
                ParseContext {
                    default_year: opts.default_year,
                },
                AssemblerLimits {
                    max_event_bytes: opts.max_event_bytes,
                    detect_lines: opts.detect_lines,
                    detect_bytes: opts.detect_bytes,
                },
            ),
            bytes_in: 0,
            failed: false,
        };
        if let Some(format) = opts.forced_format {
            p.assembler.force_format(format, opts.fallback_format);
        }
        p
    }

    /// Feeds a chunk of input. Events completed by it go to `on_event`. After an error, further input is
    /// ignored; call [`Pipeline::finish`] to flush what was read.
    pub fn feed(
        &mut self,
        chunk: &[u8],
        on_event: &mut dyn FnMut(&Event<'_>),
    ) -> Result<(), EngineError> {
        // Every byte given counts as input, also after an error, so that the count does not depend on how the
        // input was cut into chunks.
        self.bytes_in += chunk.len() as u64;
        if self.failed {
            return Ok(());
        }
        let Pipeline {
            decoder,
            splitter,
            assembler,
            ..
        } = self;
        let res = decoder.feed(chunk, &mut |text| {
            splitter.push(text, &mut |line| assembler.push_line(line, on_event))
        });
        if let Err(e) = res {
            self.failed = true;
            self.note_error(&e);
            return Err(EngineError::Decode(e));
        }
        Ok(())
    }

    /// Ends the input: flushes the last line and event, and reports a truncated gzip.
    pub fn finish(&mut self, on_event: &mut dyn FnMut(&Event<'_>)) -> Result<(), EngineError> {
        let Pipeline {
            decoder,
            splitter,
            assembler,
            ..
        } = self;
        let res = decoder.finish(&mut |text| {
            splitter.push(text, &mut |line| assembler.push_line(line, on_event))
        });
        splitter.finish(&mut |line| assembler.push_line(line, on_event));
        assembler.finish(on_event);
        let gzip = self.decoder.is_gzip();
        let bytes_in = self.bytes_in;
        let stats = &mut self.assembler.stats;
        stats.gzip = gzip;
        stats.bytes_in = bytes_in;
        if let Err(e) = res {
            self.note_error(&e);
            return Err(EngineError::Decode(e));
        }
        Ok(())
    }

    fn note_error(&mut self, e: &DecodeError) {
        self.assembler.stats.warnings.push(e.to_string());
    }

    /// Counts so far; complete after [`Pipeline::finish`].
    pub fn stats(&self) -> &Stats {
        &self.assembler.stats
    }
}

/// Parses a whole in-memory input; for tests and small inputs.
pub fn parse_all(
    input: &[u8],
    opts: ParseOptions,
    mut on_event: impl FnMut(&Event<'_>),
) -> (Stats, Result<(), EngineError>) {
    let mut p = Pipeline::new(opts);
    let r1 = p.feed(input, &mut on_event);
    let r2 = p.finish(&mut on_event);
    (p.stats().clone(), r1.and(r2))
}

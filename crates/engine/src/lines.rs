//! LineSplitter: cuts a stream of byte chunks into lines, carrying a partial line across chunk boundaries.
//!
//! Lines end at `\n`; a `\r` before it is dropped (CRLF files). A line longer than the limit keeps its first
//! `max_line_bytes` bytes and is marked truncated; the rest of it is skipped without being buffered, so a 50 MB
//! line costs no more memory than the limit.

use memchr::memchr;

/// One line as the splitter hands it on.
#[derive(Debug, Clone, Copy)]
pub struct Line<'a> {
    /// The line's bytes without its terminator (`\n` or `\r\n`).
    pub bytes: &'a [u8],
    /// Byte offset of the line in the decoded stream.
    pub offset: u64,
    /// Length in the stream, terminator included (and the skipped part of a truncated line).
    pub len: u64,
    /// The line was longer than the limit and was cut.
    pub truncated: bool,
}

pub struct LineSplitter {
    max_line_bytes: usize,
    partial: Vec<u8>,
    /// Bytes of the current line that were dropped past the limit.
    skipped: u64,
    offset: u64,
}

impl LineSplitter {
    pub fn new(max_line_bytes: usize) -> LineSplitter {
        LineSplitter {
            max_line_bytes: max_line_bytes.max(1),
            partial: Vec::new(),
            skipped: 0,
            offset: 0,
        }
    }

    pub fn push(&mut self, mut chunk: &[u8], on_line: &mut dyn FnMut(Line<'_>)) {
        while !chunk.is_empty() {
            match memchr(b'\n', chunk) {
                Some(nl) => {
                    let body = &chunk[..nl];
                    if self.partial.is_empty()
                        && self.skipped == 0
                        && body.len() <= self.max_line_bytes
                    {
                        let len = nl as u64 + 1;
                        on_line(Line {
                            bytes: strip_cr(body),
                            offset: self.offset,
                            len,
                            truncated: false,
                        });
                        self.offset += len;
                    } else {
                        self.take_partial(body);
                        self.emit_partial(1, on_line);
                    }
                    chunk = &chunk[nl + 1..];
                }
                None => {
                    self.take_partial(chunk);
                    return;
                }
            }
        }
    }

    /// Ends the stream: a last line without a terminator is still a line.
    pub fn finish(&mut self, on_line: &mut dyn FnMut(Line<'_>)) {
        if !self.partial.is_empty() || self.skipped > 0 {
            self.emit_partial(0, on_line);
        }
    }

    fn take_partial(&mut self, bytes: &[u8]) {
        let room = self.max_line_bytes.saturating_sub(self.partial.len());
        let keep = room.min(bytes.len());
        self.partial.extend_from_slice(&bytes[..keep]);
        self.skipped += (bytes.len() - keep) as u64;
    }

    fn emit_partial(&mut self, terminator: u64, on_line: &mut dyn FnMut(Line<'_>)) {
        let truncated = self.skipped > 0;
        let len = self.partial.len() as u64 + self.skipped + terminator;
        let mut body: &[u8] = &self.partial;
        if !truncated && terminator == 1 {
            body = strip_cr(body);
        }
        on_line(Line {
            bytes: body,
            offset: self.offset,
            len,
            truncated,
        });
        self.offset += len;
        self.partial.clear();
        self.skipped = 0;
    }
}

fn strip_cr(b: &[u8]) -> &[u8] {
    match b.last() {
        Some(b'\r') => &b[..b.len() - 1],
        _ => b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(input: &[u8], chunk: usize, max: usize) -> Vec<(Vec<u8>, u64, u64, bool)> {
        let mut s = LineSplitter::new(max);
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            s.push(c, &mut |l| {
                out.push((l.bytes.to_vec(), l.offset, l.len, l.truncated))
            });
        }
        s.finish(&mut |l| out.push((l.bytes.to_vec(), l.offset, l.len, l.truncated)));
        out
    }

    #[test]
    fn joins_lines_across_any_chunk_boundary() {
        let input = b"alpha\r\nbeta\n\ngamma";
        for chunk in 1..=input.len() {
            let got = split(input, chunk, 1024);
            let texts: Vec<&[u8]> = got.iter().map(|l| &l.0[..]).collect();
            assert_eq!(
                texts,
                vec![&b"alpha"[..], b"beta", b"", b"gamma"],
                "chunk {chunk}"
            );
            let offsets: Vec<u64> = got.iter().map(|l| l.1).collect();
            assert_eq!(offsets, vec![0, 7, 12, 13]);
            assert_eq!(got.iter().map(|l| l.2).sum::<u64>(), input.len() as u64);
        }
    }

    #[test]
    fn empty_input_has_no_lines() {
        assert!(split(b"", 10, 10).is_empty());
    }

    #[test]
    fn long_line_is_cut_and_marked_without_buffering_it() {
        let mut input = vec![b'x'; 100_000];
        input.extend_from_slice(b"\nshort\n");
        for chunk in [7, 4096, 1 << 20] {
            let got = split(&input, chunk, 1000);
            assert_eq!(got.len(), 2);
            assert_eq!(got[0].0.len(), 1000);
            assert!(got[0].3);
            assert_eq!(got[0].2, 100_001);
            assert_eq!(got[1].0, b"short");
            assert_eq!(got[1].1, 100_001);
            assert!(!got[1].3);
        }
    }
}

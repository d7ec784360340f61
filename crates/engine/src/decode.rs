//! Decoder: turns the input's bytes into text bytes, un-gzipping on the fly when the first bytes are gzip's magic.
//!
//! Push-based so that the browser (File slices) and the CLI (read calls) drive it the same way. Multi-member gzip
//! (as `cat a.gz b.gz` makes) is read whole. A truncated or corrupt stream keeps everything decoded before the
//! damage and reports a clear error.

use flate2::write::MultiGzDecoder;
use std::io::Write;

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

enum State {
    /// Not enough bytes yet to tell plain text from gzip.
    Sniffing(Vec<u8>),
    Plain,
    Gzip(Box<MultiGzDecoder<Vec<u8>>>),
    Failed,
}

pub struct Decoder {
    state: State,
    is_gzip: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The gzip stream ended before its end marker: the file was cut short.
    TruncatedGzip,
    /// The gzip stream is damaged.
    CorruptGzip(String),
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::TruncatedGzip => write!(
                f,
                "the gzip stream is truncated: everything before the cut was read, the rest of the file is missing"
            ),
            DecodeError::CorruptGzip(e) => write!(
                f,
                "the gzip stream is corrupt ({e}): everything before the damage was read"
            ),
        }
    }
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder {
            state: State::Sniffing(Vec::new()),
            is_gzip: false,
        }
    }

    /// A decoder for input known to be text already: no sniffing, bytes pass through.
    pub fn plain() -> Decoder {
        Decoder {
            state: State::Plain,
            is_gzip: false,
        }
    }

    pub fn is_gzip(&self) -> bool {
        self.is_gzip
    }

    /// Feeds input bytes; decoded text bytes go to `out`.
    pub fn feed(&mut self, input: &[u8], out: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        if let State::Sniffing(head) = &mut self.state {
            head.extend_from_slice(input);
            if head.len() < GZIP_MAGIC.len() {
                return Ok(());
            }
            let head = std::mem::take(head);
            if head[..2] == GZIP_MAGIC {
                self.is_gzip = true;
                self.state = State::Gzip(Box::new(MultiGzDecoder::new(Vec::new())));
            } else {
                self.state = State::Plain;
            }
            return self.feed_known(&head, out);
        }
        self.feed_known(input, out)
    }

    fn feed_known(&mut self, input: &[u8], out: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        match &mut self.state {
            State::Plain => {
                out(input);
                Ok(())
            }
            State::Gzip(dec) => {
                // Write in slices so that a highly compressed chunk does not inflate into one huge buffer.
                for piece in input.chunks(256 * 1024) {
                    let res = dec.write_all(piece);
                    let buf = dec.get_mut();
                    if !buf.is_empty() {
                        out(buf);
                        buf.clear();
                    }
                    if let Err(e) = res {
                        self.state = State::Failed;
                        return Err(DecodeError::CorruptGzip(e.to_string()));
                    }
                }
                Ok(())
            }
            State::Failed => Ok(()),
            State::Sniffing(_) => unreachable!("sniffing is resolved before"),
        }
    }

    /// Ends the input: flushes what is left and reports a stream cut short.
    pub fn finish(&mut self, out: &mut dyn FnMut(&[u8])) -> Result<(), DecodeError> {
        match std::mem::replace(&mut self.state, State::Failed) {
            State::Sniffing(head) => {
                out(&head);
                Ok(())
            }
            State::Plain | State::Failed => Ok(()),
            State::Gzip(mut dec) => {
                let res = dec.try_finish();
                let buf = dec.get_mut();
                if !buf.is_empty() {
                    out(buf);
                    buf.clear();
                }
                match res {
                    Ok(()) => Ok(()),
                    Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                        Err(DecodeError::TruncatedGzip)
                    }
                    Err(e) if e.to_string().contains("unexpected end") => {
                        Err(DecodeError::TruncatedGzip)
                    }
                    Err(e) => Err(DecodeError::CorruptGzip(e.to_string())),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::{write::GzEncoder, Compression};

    fn gz(data: &[u8]) -> Vec<u8> {
        let mut e = GzEncoder::new(Vec::new(), Compression::default());
        e.write_all(data).unwrap();
        e.finish().unwrap()
    }

    fn decode_in_chunks(input: &[u8], chunk: usize) -> (Vec<u8>, Result<(), DecodeError>) {
        let mut d = Decoder::new();
        let mut out = Vec::new();
        for c in input.chunks(chunk.max(1)) {
            if let Err(e) = d.feed(c, &mut |b| out.extend_from_slice(b)) {
                return (out, Err(e));
            }
        }
        let r = d.finish(&mut |b| out.extend_from_slice(b));
        (out, r)
    }

    #[test]
    fn plain_passes_through_any_chunking() {
        let text = b"a\nbb\nccc\n";
        for chunk in [1, 2, 3, 100] {
            let (out, r) = decode_in_chunks(text, chunk);
            assert_eq!(out, text);
            assert!(r.is_ok());
        }
        let (out, r) = decode_in_chunks(b"x", 1);
        assert_eq!(out, b"x");
        assert!(r.is_ok());
    }

    #[test]
    fn gzip_is_detected_and_streamed() {
        let text: Vec<u8> = (0..5000)
            .flat_map(|i| format!("line {i}\n").into_bytes())
            .collect();
        let (out, r) = decode_in_chunks(&gz(&text), 7);
        assert!(r.is_ok());
        assert_eq!(out, text);
    }

    #[test]
    fn multi_member_gzip() {
        let mut both = gz(b"one\n");
        both.extend(gz(b"two\n"));
        let (out, r) = decode_in_chunks(&both, 3);
        assert!(r.is_ok());
        assert_eq!(out, b"one\ntwo\n");
    }

    #[test]
    fn truncated_gzip_keeps_what_was_readable() {
        let text: Vec<u8> = (0..20000)
            .flat_map(|i| format!("line number {i} with some text\n").into_bytes())
            .collect();
        let z = gz(&text);
        let (out, r) = decode_in_chunks(&z[..z.len() / 2], 4096);
        assert_eq!(r, Err(DecodeError::TruncatedGzip));
        assert!(out.len() > text.len() / 4, "kept {} bytes", out.len());
        assert_eq!(&text[..out.len()], &out[..]);
    }
}

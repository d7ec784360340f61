//! The answer stream: server-sent events of the OpenAI chat-completions and Anthropic Messages APIs, decoded
//! incrementally from chunks split anywhere (inside a line, a CRLF, a UTF-8 character).
//!
//! Hand-written rather than taken from an SSE crate: the crates on crates.io are built around async streams
//! (futures, tokio or reqwest), while the page's worker and the blocking CLI both need a push decoder that takes
//! bytes as they come. The line rules are those of the WHATWG event-stream format: lines end in LF, CRLF or CR;
//! `:` starts a comment; `data:` lines of one event are joined with LF; a blank line dispatches the event.
//!
//! A server that ignores `"stream": true` and answers with one JSON body is understood too ([`StreamDecoder::finish`]).

use crate::request::Provider;

/// What a chunk of the stream meant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamEvent {
    /// The next piece of the answer.
    Text(String),
    /// The answer is complete.
    Done,
    /// The provider reported an error inside the stream (or the stream broke off).
    Error(String),
}

/// Longest line kept (a longer one is a broken stream, not an answer): 4 MiB.
const MAX_LINE: usize = 4 << 20;
/// A non-SSE body kept for [`StreamDecoder::finish`]: 4 MiB.
const MAX_PLAIN: usize = 4 << 20;

/// Incremental decoder for one answer.
#[derive(Debug)]
pub struct StreamDecoder {
    provider: Provider,
    /// Bytes of the current, unfinished line.
    line: Vec<u8>,
    /// The last byte seen was CR: a LF right after it belongs to the same line end.
    after_cr: bool,
    /// `data` of the event being read, and whether it has any `data` line yet.
    data: String,
    has_data: bool,
    event_type: String,
    /// A field line was seen: the body is SSE (otherwise `finish` tries it as one JSON answer).
    saw_field: bool,
    plain: Vec<u8>,
    /// A stop signal (`finish_reason`, `message_delta` with `stop_reason`) arrived.
    stopped: bool,
    /// `Done` or `Error` was emitted: later input is ignored.
    ended: bool,
}

impl StreamDecoder {
    pub fn new(provider: Provider) -> StreamDecoder {
        StreamDecoder {
            provider,
            line: Vec::new(),
            after_cr: false,
            data: String::new(),
            has_data: false,
            event_type: String::new(),
            saw_field: false,
            plain: Vec::new(),
            stopped: false,
            ended: false,
        }
    }

    /// Feeds the next bytes of the response body; returns the events they completed.
    pub fn push(&mut self, bytes: &[u8]) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        if !self.saw_field && self.plain.len() < MAX_PLAIN {
            let room = MAX_PLAIN - self.plain.len();
            self.plain
                .extend_from_slice(&bytes[..bytes.len().min(room)]);
        }
        let mut start = 0;
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' if self.after_cr => {
                    // The LF of a CRLF split from its CR: the line was already ended.
                    self.after_cr = false;
                    start = i + 1;
                }
                b'\n' | b'\r' => {
                    self.take_line(&bytes[start..i]);
                    self.after_cr = b == b'\r';
                    start = i + 1;
                    self.end_line(&mut out);
                    if self.ended {
                        return out;
                    }
                }
                _ => self.after_cr = false,
            }
        }
        self.take_line(&bytes[start..]);
        out
    }

    /// The body ended: flushes an event without its final blank line, then says whether the answer was complete.
    pub fn finish(&mut self) -> Vec<StreamEvent> {
        let mut out = Vec::new();
        if self.ended {
            return out;
        }
        if !self.line.is_empty() {
            self.end_line(&mut out);
        }
        if !self.ended && self.has_data {
            self.dispatch(&mut out);
        }
        if self.ended {
            return out;
        }
        if !self.saw_field {
            let plain = std::mem::take(&mut self.plain);
            if let Some(text) = self.plain_answer(&plain) {
                if !text.is_empty() {
                    out.push(StreamEvent::Text(text));
                }
                out.push(StreamEvent::Done);
                self.ended = true;
                return out;
            }
        }
        self.ended = true;
        if self.stopped {
            out.push(StreamEvent::Done);
        } else {
            out.push(StreamEvent::Error(
                "the answer stream ended before the provider said it was complete".into(),
            ));
        }
        out
    }

    fn take_line(&mut self, part: &[u8]) {
        let room = MAX_LINE.saturating_sub(self.line.len());
        self.line.extend_from_slice(&part[..part.len().min(room)]);
    }

    fn end_line(&mut self, out: &mut Vec<StreamEvent>) {
        let raw = std::mem::take(&mut self.line);
        let line = String::from_utf8_lossy(&raw);
        if line.is_empty() {
            if self.has_data {
                self.dispatch(out);
            }
            self.event_type.clear();
            return;
        }
        if line.starts_with(':') {
            self.saw_field = true;
            return;
        }
        let (field, value) = match line.split_once(':') {
            Some((f, v)) => (f, v.strip_prefix(' ').unwrap_or(v)),
            None => (line.as_ref(), ""),
        };
        match field {
            "data" => {
                self.saw_field = true;
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => {
                self.saw_field = true;
                self.event_type = value.to_string();
            }
            "id" | "retry" => self.saw_field = true,
            _ => {}
        }
    }

    fn dispatch(&mut self, out: &mut Vec<StreamEvent>) {
        let data = std::mem::take(&mut self.data);
        self.has_data = false;
        let event_type = std::mem::take(&mut self.event_type);
        let data = data.trim();
        if data.is_empty() {
            return;
        }
        match self.provider {
            Provider::Openai => self.openai(data, out),
            Provider::Anthropic => self.anthropic(&event_type, data, out),
        }
    }

    fn openai(&mut self, data: &str, out: &mut Vec<StreamEvent>) {
        if data == "[DONE]" {
            out.push(StreamEvent::Done);
            self.ended = true;
            return;
        }
        let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else {
            return;
        };
        if let Some(e) = error_text(&v) {
            out.push(StreamEvent::Error(e));
            self.ended = true;
            return;
        }
        for choice in v
            .get("choices")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
        {
            if let Some(t) = choice.pointer("/delta/content").and_then(|t| t.as_str()) {
                if !t.is_empty() {
                    out.push(StreamEvent::Text(t.to_string()));
                }
            }
            if choice.get("finish_reason").is_some_and(|r| !r.is_null()) {
                self.stopped = true;
            }
        }
    }

    fn anthropic(&mut self, event_type: &str, data: &str, out: &mut Vec<StreamEvent>) {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(data) else {
            return;
        };
        let kind = v.get("type").and_then(|t| t.as_str()).unwrap_or(event_type);
        match kind {
            "content_block_start" => {
                if let Some(t) = v.pointer("/content_block/text").and_then(|t| t.as_str()) {
                    if !t.is_empty() {
                        out.push(StreamEvent::Text(t.to_string()));
                    }
                }
            }
            // Text deltas only: thinking and tool-input deltas are not part of the answer.
            "content_block_delta"
                if v.pointer("/delta/type").and_then(|t| t.as_str()) == Some("text_delta") =>
            {
                if let Some(t) = v.pointer("/delta/text").and_then(|t| t.as_str()) {
                    if !t.is_empty() {
                        out.push(StreamEvent::Text(t.to_string()));
                    }
                }
            }
            "message_delta"
                if v.pointer("/delta/stop_reason")
                    .is_some_and(|r| !r.is_null()) =>
            {
                self.stopped = true;
            }
            "message_stop" => {
                out.push(StreamEvent::Done);
                self.ended = true;
            }
            "error" => {
                let msg = error_text(&v).unwrap_or_else(|| "the provider reported an error".into());
                out.push(StreamEvent::Error(msg));
                self.ended = true;
            }
            // message_start, content_block_stop, ping and future event types carry no text.
            _ => {}
        }
    }

    /// The text of a whole, non-streamed JSON answer, or None when the body is no such answer.
    fn plain_answer(&self, body: &[u8]) -> Option<String> {
        let v: serde_json::Value = serde_json::from_slice(body).ok()?;
        if let Some(e) = error_text(&v) {
            return Some(format!("(error from the provider) {e}"));
        }
        match self.provider {
            Provider::Openai => v
                .pointer("/choices/0/message/content")
                .and_then(|t| t.as_str())
                .map(str::to_string),
            Provider::Anthropic => {
                let blocks = v.get("content")?.as_array()?;
                Some(
                    blocks
                        .iter()
                        .filter_map(|b| b.get("text").and_then(|t| t.as_str()))
                        .collect(),
                )
            }
        }
    }
}

/// `error.message`, `error` as a string, or an `error` object's `type`.
fn error_text(v: &serde_json::Value) -> Option<String> {
    let e = v.get("error")?;
    if e.is_null() {
        return None;
    }
    let msg = e
        .get("message")
        .and_then(|m| m.as_str())
        .or_else(|| e.as_str())
        .or_else(|| e.get("type").and_then(|t| t.as_str()))
        .unwrap_or("the provider reported an error");
    Some(msg.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_of(events: &[StreamEvent]) -> String {
        events
            .iter()
            .filter_map(|e| match e {
                StreamEvent::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect()
    }

    /// Feeds `body` in every split into two parts and in one-byte pieces; all must give the same events.
    fn all_splits(p: Provider, body: &str) -> Vec<StreamEvent> {
        let whole = {
            let mut d = StreamDecoder::new(p);
            let mut ev = d.push(body.as_bytes());
            ev.extend(d.finish());
            ev
        };
        let b = body.as_bytes();
        for cut in 0..=b.len() {
            let mut d = StreamDecoder::new(p);
            let mut ev = d.push(&b[..cut]);
            ev.extend(d.push(&b[cut..]));
            ev.extend(d.finish());
            assert_eq!(text_of(&ev), text_of(&whole), "split at {cut}");
            assert_eq!(ev.last(), whole.last(), "split at {cut}");
        }
        let mut d = StreamDecoder::new(p);
        let mut ev = Vec::new();
        for byte in b {
            ev.extend(d.push(std::slice::from_ref(byte)));
        }
        ev.extend(d.finish());
        assert_eq!(text_of(&ev), text_of(&whole), "byte by byte");
        whole
    }

    #[test]
    fn openai_stream_split_anywhere() {
        let body = ": keep-alive\r\n\r\n\
            data: {\"choices\":[{\"delta\":{\"role\":\"assistant\"}}]}\r\n\r\n\
            data: {\"choices\":[{\"delta\":{\"content\":\"## Summary\\nPool \"}}]}\r\n\r\n\
            data: {\"choices\":[{\"delta\":{\"content\":\"exhausted – ünïcode ✓\"},\"finish_reason\":null}]}\n\n\
            data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\r\r\
            data: [DONE]\n\n";
        let ev = all_splits(Provider::Openai, body);
        assert_eq!(text_of(&ev), "## Summary\nPool exhausted – ünïcode ✓");
        assert_eq!(ev.last(), Some(&StreamEvent::Done));
        assert_eq!(ev.iter().filter(|e| **e == StreamEvent::Done).count(), 1);
    }

    #[test]
    fn anthropic_stream_split_anywhere() {
        let body = "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"m\"}}\n\n\
            event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n\
            event: ping\ndata: {\"type\": \"ping\"}\n\n\
            event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Root \"}}\r\n\r\n\
            event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"cause\"}}\n\n\
            event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n\
            event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"}}\n\n\
            event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
        let ev = all_splits(Provider::Anthropic, body);
        assert_eq!(text_of(&ev), "Root cause");
        assert_eq!(ev.last(), Some(&StreamEvent::Done));
    }

    #[test]
    fn errors_inside_the_stream() {
        let body = "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
        let ev = all_splits(Provider::Anthropic, body);
        assert_eq!(ev, vec![StreamEvent::Error("Overloaded".into())]);
        let body = "data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"error\":{\"message\":\"context length exceeded\"}}\n\n";
        let ev = all_splits(Provider::Openai, body);
        assert_eq!(
            ev.last(),
            Some(&StreamEvent::Error("context length exceeded".into()))
        );
    }

    #[test]
    fn multi_line_data_and_missing_final_blank_line() {
        // Two data lines join with LF (not valid JSON for OpenAI when split inside a string, but JSON allows
        // whitespace between tokens).
        let body = "data: {\"choices\":[{\"delta\":\ndata: {\"content\":\"x\"}}]}\n\ndata: [DONE]";
        let ev = all_splits(Provider::Openai, body);
        assert_eq!(ev, vec![StreamEvent::Text("x".into()), StreamEvent::Done]);
    }

    #[test]
    fn cut_off_stream_is_an_error() {
        let mut d = StreamDecoder::new(Provider::Openai);
        let mut ev = d.push(b"data: {\"choices\":[{\"delta\":{\"content\":\"half\"}}]}\n\n");
        ev.extend(d.finish());
        assert!(matches!(ev.last(), Some(StreamEvent::Error(m)) if m.contains("ended before")));
        // A finish_reason without [DONE] (some local servers) counts as complete.
        let mut d = StreamDecoder::new(Provider::Openai);
        let mut ev = d.push(b"data: {\"choices\":[{\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\n");
        ev.extend(d.finish());
        assert_eq!(ev, vec![StreamEvent::Text("ok".into()), StreamEvent::Done]);
    }

    #[test]
    fn non_streamed_answers() {
        let mut d = StreamDecoder::new(Provider::Openai);
        let mut ev =
            d.push(b"{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\"whole\"}}]}");
        ev.extend(d.finish());
        assert_eq!(
            ev,
            vec![StreamEvent::Text("whole".into()), StreamEvent::Done]
        );
        let mut d = StreamDecoder::new(Provider::Anthropic);
        let mut ev = d.push(b"{\"content\":[{\"type\":\"text\",\"text\":\"A\"},{\"type\":\"text\",\"text\":\"B\"}]}\n");
        ev.extend(d.finish());
        assert_eq!(ev, vec![StreamEvent::Text("AB".into()), StreamEvent::Done]);
    }

    #[test]
    fn nothing_after_done() {
        let mut d = StreamDecoder::new(Provider::Openai);
        let ev =
            d.push(b"data: [DONE]\n\ndata: {\"choices\":[{\"delta\":{\"content\":\"late\"}}]}\n\n");
        assert_eq!(ev, vec![StreamEvent::Done]);
        assert!(d.finish().is_empty());
    }
}

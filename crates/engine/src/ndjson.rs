//! NDJSON output: one JSON object per event, the same bytes from the CLI and from the page's export.
//!
//! Keys, in order: `line`, `end_line`, `ts`, `level`, `component`, `pid`, `thread`, `trace_id`, `host`,
//! `message`, `format` (always present, `null` when unknown), then the format's own fields (access logs:
//! `client_ip`, `method`, `path`, `query`, `status`, `bytes`, `referrer`, `user_agent`, `request_time`; only when
//! present), then `truncated`, `invalid_utf8` and `level_inferred` (only when true), then `template_id` and
//! `template` (the event's final template, once the template miner has finished: see [`push_template`]), then
//! `fields` (names a model gave the template's variables, with their values in this event: see [`push_fields`];
//! only with `logsieve parse --model`).
//!
//! The JSON writer is hand-written rather than serde's: it runs once per event on the hot path and writes
//! straight into a reused buffer, with no intermediate value.

use crate::event::{Event, FieldRef};
use std::fmt::Write as _;

/// Appends the event's JSON object and a `\n` to `out`.
pub fn write_event(ev: &Event<'_>, out: &mut String) {
    let mut num = itoa::Buffer::new();
    out.push_str("{\"line\":");
    out.push_str(num.format(ev.line));
    out.push_str(",\"end_line\":");
    out.push_str(num.format(ev.end_line));
    out.push_str(",\"ts\":");
    match ev.ts() {
        Some(ts) => {
            out.push('"');
            ts.write_rfc3339(out);
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"level\":");
    match ev.level() {
        Some(l) => {
            out.push('"');
            out.push_str(l.as_str());
            out.push('"');
        }
        None => out.push_str("null"),
    }
    out.push_str(",\"component\":");
    opt_str(out, ev.component());
    out.push_str(",\"pid\":");
    match ev.pid() {
        Some(p) if !p.is_empty() && p.len() < 19 && p.bytes().all(|b| b.is_ascii_digit()) => {
            out.push_str(p.trim_start_matches('0'));
            if p.bytes().all(|b| b == b'0') {
                out.push('0');
            }
        }
        other => opt_str(out, other),
    }
    out.push_str(",\"thread\":");
    opt_str(out, ev.thread());
    out.push_str(",\"trace_id\":");
    opt_str(out, ev.trace_id());
    out.push_str(",\"host\":");
    opt_str(out, ev.host());
    out.push_str(",\"message\":");
    json_str(out, ev.message());
    out.push_str(",\"format\":\"");
    out.push_str(ev.format().as_str());
    out.push('"');
    for (key, value) in ev.fields() {
        out.push_str(",\"");
        out.push_str(key);
        out.push_str("\":");
        match value {
            FieldRef::Text(s) => json_str(out, s),
            FieldRef::Int(i) => out.push_str(num.format(i)),
            FieldRef::Float(f) if f.is_finite() => {
                let _ = write!(out, "{f}");
            }
            FieldRef::Float(_) => out.push_str("null"),
        }
    }
    if ev.truncated {
        out.push_str(",\"truncated\":true");
    }
    if ev.invalid_utf8 {
        out.push_str(",\"invalid_utf8\":true");
    }
    if ev.header.level_inferred {
        out.push_str(",\"level_inferred\":true");
    }
    out.push_str("}\n");
}

/// Adds `template_id` and `template` to an event line written by [`write_event`] (which ends in `}\n`).
/// `template_json` is the template already written as a JSON string (see [`json_str`]), so that a template shared
/// by a million events is escaped once.
pub fn push_template(line: &mut String, template_id: u32, template_json: &str) {
    debug_assert!(line.ends_with("}\n"));
    line.truncate(line.len() - 2);
    let _ = writeln!(
        line,
        ",\"template_id\":{template_id},\"template\":{template_json}}}"
    );
}

/// Adds `fields`, an object of names the model gave the event's template variables (see `logsieve-model`), to an
/// event line that ends in `}\n` (after [`push_template`]): `,"fields":{"user":"root",...}}`. Nothing when empty.
pub fn push_fields(line: &mut String, fields: &[(String, String)]) {
    if fields.is_empty() {
        return;
    }
    debug_assert!(line.ends_with("}\n"));
    line.truncate(line.len() - 2);
    line.push_str(",\"fields\":{");
    for (i, (k, v)) in fields.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        json_str(line, k);
        line.push(':');
        json_str(line, v);
    }
    line.push_str("}}\n");
}

fn opt_str(out: &mut String, s: Option<&str>) {
    match s {
        Some(s) => json_str(out, s),
        None => out.push_str("null"),
    }
}

/// Writes `s` as a JSON string literal.
pub fn json_str(out: &mut String, s: &str) {
    out.push('"');
    let bytes = s.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight clean bytes at a time: most log text needs no escaping.
        if i + 8 <= bytes.len() {
            let w = u64::from_le_bytes(bytes[i..i + 8].try_into().expect("8 bytes"));
            if !needs_escape_word(w) {
                i += 8;
                continue;
            }
        }
        let b = bytes[i];
        let esc: &str = match b {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            0..=0x1f | 0x7f => "",
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&s[start..i]);
        if esc.is_empty() {
            let _ = write!(out, "\\u{:04x}", b);
        } else {
            out.push_str(esc);
        }
        i += 1;
        start = i;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

/// Whether any byte of `w` is a control byte (< 0x20 or 0x7f), `"` or `\\` (bit tricks from "Bit Twiddling Hacks":
/// `hasless` and `haszero`).
#[inline]
fn needs_escape_word(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let has_zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH != 0;
    let below_space = w.wrapping_sub(ONES * 0x20) & !w & HIGH != 0;
    below_space
        || has_zero(w ^ (ONES * b'"' as u64))
        || has_zero(w ^ (ONES * b'\\' as u64))
        || has_zero(w ^ (ONES * 0x7f))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_fields_close_the_object() {
        let mut line = String::from("{\"line\":1}\n");
        let mut t = String::new();
        json_str(&mut t, "user <*> logged \"in\"");
        push_template(&mut line, 7, &t);
        let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(v["template_id"], 7);
        assert_eq!(v["template"], "user <*> logged \"in\"");
        assert!(line.ends_with("}\n"));
    }

    #[test]
    fn model_fields_close_the_object() {
        let mut line = String::from("{\"line\":1}\n");
        push_fields(&mut line, &[]);
        assert_eq!(line, "{\"line\":1}\n");
        push_fields(
            &mut line,
            &[
                ("user".into(), "r\"oot".into()),
                ("port".into(), "22".into()),
            ],
        );
        let v: serde_json::Value = serde_json::from_str(line.trim_end()).unwrap();
        assert_eq!(v["fields"]["user"], "r\"oot");
        assert_eq!(v["fields"]["port"], "22");
        assert!(line.ends_with("}\n"));
    }

    #[test]
    fn escapes_round_trip_through_serde() {
        for s in [
            "plain",
            "exactly8",
            "sixteen bytes ok",
            "long clean text then \" a quote after the first words",
            "\u{1}ctrl at the start of a long line of text",
            "x\u{7f}",
            "quote \" back \\ slash",
            "nl\n tab\t cr\r nul\0 del\x7f",
            "ünïcødé ✓ 日本",
        ] {
            let mut out = String::new();
            json_str(&mut out, s);
            let back: String = serde_json::from_str(&out).unwrap();
            assert_eq!(back, s);
        }
    }
}

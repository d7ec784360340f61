//! Secrets found without a key word on the same line: what gives them away is their shape or their neighbours.
//!
//! - **High-entropy base64** (the rule detect-secrets calls `Base64HighEntropyString`): a whole token of 40 or
//!   more base64 characters (standard alphabet, `=` padding) with upper case, lower case and digits, whose
//!   Shannon entropy is at least 4.5 bits per character. Words, paths, hex ids and class names do not pass (they
//!   break the run with `-_.`, lack a case, or repeat letters). A token that passes is then decoded: random bytes
//!   (AWS secret keys, Azure storage keys) are a secret; decoded text is a secret only when the redactor finds one
//!   in it (a Kubernetes Secret's PEM, a base64 service-account file or `.dockerconfigjson`), so base64 state in
//!   URLs (`?page=eyJzZWFyY2gi…`, a search engine's click token) stays.
//! - **Query parameters named by their siblings** ([`QUERY_RULES`]): a parameter whose name alone says nothing
//!   (`p`, `code`) is a credential when the query also carries the parameter that gives its meaning away
//!   (Subsonic's `u=…&p=…`, OAuth's `code=…&state=…`).
//! - **Kubernetes `env` entries** (`- name: DB_PASSWORD` then `value: …` on the next line): the value of a
//!   variable whose name names a credential.
//!
//! Each scan reads every byte a bounded number of times.

use crate::secrets::{classify_key, Class, Hit};
use logsieve_engine::Severity;

/// Fewest base64 characters (padding excluded) of a high-entropy token.
const ENTROPY_MIN_LEN: usize = 40;
/// Bits per character (detect-secrets' default limit for base64).
const ENTROPY_MIN_BITS: f64 = 4.5;

/// Answers whether text decoded from a base64 token holds a secret (the redactor, one level deep).
pub(crate) type DecodedHasSecret<'a> = &'a dyn Fn(&str) -> bool;

/// All three scans over `text`. Without `decoded_has_secret`, a token that decodes to text is not a secret.
pub(crate) fn scan(text: &str, out: &mut Vec<Hit>, decoded_has_secret: Option<DecodedHasSecret>) {
    scan_high_entropy(text, out, decoded_has_secret);
    scan_queries(text, out);
    scan_env_values(text, out);
}

fn is_b64(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'+' || c == b'/'
}

/// A byte that glues a token to what is before or after it (so the base64 run is only part of a word).
fn is_word_glue(c: u8) -> bool {
    is_b64(c) || matches!(c, b'_' | b'-' | b'%' | b'@' | b'$' | b'#' | b'*' | b'~')
}

fn scan_high_entropy(text: &str, out: &mut Vec<Hit>, decoded_has_secret: Option<DecodedHasSecret>) {
    let b = text.as_bytes();
    crate::work::add(b.len() as u64);
    let mut i = 0;
    while i < b.len() {
        if !is_b64(b[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && is_b64(b[i]) {
            i += 1;
        }
        let body_end = i;
        let mut end = i;
        while end < b.len() && b[end] == b'=' && end - body_end < 2 {
            end += 1;
        }
        // `KEY=value`: a `=` followed by more base64 is a separator, not padding; the run after it is scanned next.
        if end > body_end && end < b.len() && is_b64(b[end]) {
            i = body_end + 1;
            continue;
        }
        i = end.max(body_end);
        let before_ok = start == 0 || !(is_word_glue(b[start - 1]) || b[start - 1] == b'.');
        // After: not glued to more of a word, and not a dot that goes on (`…abc.def`), but a sentence's full stop.
        let glued_after = |c: u8| {
            is_word_glue(c)
                || c == b'='
                || (c == b'.' && b.get(end + 1).is_some_and(|n| n.is_ascii_alphanumeric()))
        };
        let after_ok = end == b.len() || !glued_after(b[end]);
        if before_ok
            && after_ok
            && high_entropy(&b[start..body_end])
            && decodes_to_secret(&text[start..body_end], decoded_has_secret)
        {
            out.push(Hit {
                start,
                end,
                label: "high-entropy",
                class: Class::Secret,
                severity: Severity::Medium,
            });
        }
    }
}

/// Whether `w` (base64 characters) reads as random: long enough, upper and lower case and digits, entropy at
/// or above the limit, and not a path (`/` at its start or doubled, or more slashes than random text has).
fn high_entropy(w: &[u8]) -> bool {
    if w.len() < ENTROPY_MIN_LEN
        || !w.iter().any(|c| c.is_ascii_uppercase())
        || !w.iter().any(|c| c.is_ascii_lowercase())
        || !w.iter().any(|c| c.is_ascii_digit())
        || w[0] == b'/'
        || w.windows(2).any(|p| p == b"//")
        || w.iter().filter(|c| **c == b'/').count() > 2 + w.len() / 16
    {
        return false;
    }
    let mut counts = [0u32; 128];
    for &c in w {
        counts[c as usize] += 1;
    }
    let n = w.len() as f64;
    let bits: f64 = counts
        .iter()
        .filter(|c| **c > 0)
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum();
    bits >= ENTROPY_MIN_BITS
}

/// Whether a high-entropy base64 token is a secret by what it decodes to: bytes that are not text (or that do not
/// decode) are random, a key; text is a secret only when it holds one.
fn decodes_to_secret(token: &str, decoded_has_secret: Option<DecodedHasSecret>) -> bool {
    use base64::engine::{
        general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig,
    };
    use base64::Engine;
    const LENIENT: GeneralPurpose = GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        GeneralPurposeConfig::new()
            .with_decode_padding_mode(DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    let Ok(bytes) = LENIENT.decode(token) else {
        return true;
    };
    match std::str::from_utf8(&bytes) {
        Ok(decoded)
            if !decoded
                .chars()
                .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r')) =>
        {
            decoded_has_secret.is_some_and(|has| has(decoded))
        }
        _ => true,
    }
}

/// A query parameter that is a credential when one of `given` is also in the query. `generated`: only when the
/// value looks generated (letters and digits, 16 bytes or more), for names some services use for public ids.
struct QueryRule {
    names: &'static [&'static str],
    given: &'static [&'static str],
    generated: bool,
    label: &'static str,
}

/// Parameters whose name alone does not say they are secret. Sources: the Subsonic API (`u`, `p` in clear or
/// `enc:`), RFC 6749 §4.1.2 (the authorization `code` comes back with `state`), OpenWeatherMap and similar APIs
/// (`appid` is the account's key).
const QUERY_RULES: &[QueryRule] = &[
    QueryRule {
        names: &["p", "pw"],
        given: &["u", "user", "username", "login"],
        generated: false,
        label: "password",
    },
    QueryRule {
        names: &["code"],
        given: &["state", "session_state"],
        generated: false,
        label: "oauth-code",
    },
    QueryRule {
        names: &["appid", "app_key", "appkey"],
        given: &[],
        generated: true,
        label: "api-key",
    },
];

/// A byte that ends a URL's query.
fn query_stop(c: u8) -> bool {
    c.is_ascii_whitespace() || matches!(c, b'"' | b'\'' | b'#' | b'<' | b'>' | b'`' | b'\\')
}

fn scan_queries(text: &str, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(q) = memchr::memchr(b'?', &b[from..]).map(|p| from + p) {
        let mut end = q + 1;
        while end < b.len() && !query_stop(b[end]) {
            end += 1;
        }
        crate::work::add((end - q) as u64);
        from = end.max(q + 1);
        // The parameters: `name=value` pieces between `&`, at most 64 per query (the rest is read, not matched).
        let mut params: Vec<(&[u8], usize, usize)> = Vec::new();
        for piece in split_positions(b, q + 1, end, b'&').take(64) {
            let (s, e) = piece;
            let Some(eq) = b[s..e].iter().position(|c| *c == b'=') else {
                continue;
            };
            params.push((&b[s..s + eq], s + eq + 1, e));
        }
        let has = |names: &[&str]| {
            params
                .iter()
                .any(|(n, _, _)| names.iter().any(|g| n.eq_ignore_ascii_case(g.as_bytes())))
        };
        for rule in QUERY_RULES {
            if !rule.given.is_empty() && !has(rule.given) {
                continue;
            }
            for &(name, vs, ve) in &params {
                if !rule
                    .names
                    .iter()
                    .any(|n| name.eq_ignore_ascii_case(n.as_bytes()))
                {
                    continue;
                }
                let v = &b[vs..ve];
                let generated = v.len() >= 16
                    && v.iter().any(|c| c.is_ascii_digit())
                    && v.iter().any(|c| c.is_ascii_alphabetic())
                    && v.iter()
                        .all(|c| c.is_ascii_alphanumeric() || b"-_.~%".contains(c));
                if v.is_empty() || v.starts_with(b"<") || (rule.generated && !generated) {
                    continue;
                }
                out.push(Hit {
                    start: vs,
                    end: ve,
                    label: rule.label,
                    class: Class::Secret,
                    severity: Severity::High,
                });
            }
        }
    }
}

/// The `(start, end)` of the pieces of `b[s..e]` between `sep`.
fn split_positions(
    b: &[u8],
    s: usize,
    e: usize,
    sep: u8,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = s;
    std::iter::from_fn(move || {
        if at > e {
            return None;
        }
        let piece_end = memchr::memchr(sep, &b[at..e]).map_or(e, |p| at + p);
        let piece = (at, piece_end);
        at = piece_end + 1;
        Some(piece)
    })
}

fn scan_env_values(text: &str, out: &mut Vec<Hit>) {
    let mut after_credential_name = false;
    let mut offset = 0;
    for line in text.split('\n') {
        crate::work::add(line.len() as u64 + 1);
        if after_credential_name {
            if let Some((s, e)) = env_value_span(line) {
                out.push(Hit {
                    start: offset + s,
                    end: offset + e,
                    label: "password",
                    class: Class::Secret,
                    severity: Severity::High,
                });
            }
        }
        after_credential_name = names_credential_variable(line);
        offset += line.len() + 1;
    }
}

/// Whether `line` starts an entry of a Kubernetes container's `env` list (`- name: DB_PASSWORD`) whose name
/// names a credential; then the next line's `value:` is the credential.
pub(crate) fn names_credential_variable(line: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix("- ").unwrap_or(t);
    let Some(name) = t.strip_prefix("name:") else {
        return false;
    };
    let name = name.trim().trim_matches(|c| c == '"' || c == '\'');
    classify_key(name).is_some()
}

/// The span of the value in a `value: …` line (quotes excluded), unless it is empty or a placeholder.
pub(crate) fn env_value_span(line: &str) -> Option<(usize, usize)> {
    let t = line.trim_start();
    let rest = t.strip_prefix("value:")?;
    let lead = line.len() - t.len() + "value:".len();
    let v = rest.trim();
    let v_start = lead + (rest.len() - rest.trim_start().len());
    let (s, e) = match v.as_bytes().first() {
        Some(q @ (b'"' | b'\'')) if v.len() >= 2 && v.as_bytes()[v.len() - 1] == *q => {
            (v_start + 1, v_start + v.len() - 1)
        }
        _ => (v_start, v_start + v.len()),
    };
    let value = &line[s..e];
    if value.is_empty() || crate::secrets::is_placeholder(value) {
        return None;
    }
    Some((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(&str, &'static str)> {
        let mut out = Vec::new();
        let r = crate::Redactor::new();
        let has = |d: &str| r.find(d).iter().any(|h| h.class == Class::Secret);
        scan(text, &mut out, Some(&has));
        out.iter()
            .map(|h| (&text[h.start..h.end], h.label))
            .collect()
    }

    #[test]
    fn random_base64_tokens_are_found_and_words_are_not() {
        let key = "fpKRyeUY49QUvs9KdiZ5Bp1LKg5ouO2F4RT8TFOFlldIiO6YPBoXDhWYxS4W8GUE0WmK17M5/01iU1cU0ouKJw==";
        assert_eq!(
            found(&format!("\"value\": \"{key}\"")),
            [(key, "high-entropy")]
        );
        let aws = "8tLpLU+WSMZgLzt6wKWMbeMVx1yLB3JOQbFkSubx";
        assert_eq!(found(&format!("value: {aws}")), [(aws, "high-entropy")]);
        // Decoded: a PEM block is a secret, a UI's JSON state is not.
        let pem =
            "LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV2UUlCQURBTkJna3Foa2lHOXcwQkFRRUZBQVND";
        assert_eq!(found(&format!("tls.key: {pem}")), [(pem, "high-entropy")]);
        let state =
            "eyJzZWFyY2giOiIiLCJmaWVsZHMiOltdLCJvZmZzZXQiOjAsInRpbWVmcmFtZSI6IjE1IG1pbnV0ZXMi";
        assert!(found(&format!("GET /kibana/loader2.php?page={state} 200")).is_empty());
        for quiet in [
            "ThisIsAVeryLongCamelCaseIdentifierNameWithoutAnyNumbers",
            "/api/v1/users/1234567/orders/9876543/items/Abcdef",
            "com.example.service.impl.OrderServiceImplementation1",
            "attempt_1445144423722_0020_m_000000_0_AbCdEfGhIjKlMnOpQr",
            "0123456789abcdef0123456789abcdef0123456789abcdef",
            "x-AbCdEfGhIjKlMnOpQrStUvWxYz0123456789AbCdEfGhIj",
        ] {
            assert!(found(quiet).is_empty(), "{quiet}");
        }
    }

    #[test]
    fn query_parameters_named_by_their_siblings() {
        assert_eq!(
            found("GET /rest/ping.view?u=admin&p=dxmn591RFVQXed&v=1.16.1&c=DSub 200"),
            [("dxmn591RFVQXed", "password")]
        );
        assert!(found("GET /search?q=x&p=2 200").is_empty());
        assert_eq!(
            found("GET /cb?code=sQDgMO1xMlInfFJL&state=cd25e1 302"),
            [("sQDgMO1xMlInfFJL", "oauth-code")]
        );
        assert_eq!(
            found("GET /v1/forecast?q=Paris&appid=oKg2dTCFtYgpotFacNAp9q7wyXqS4ytk HTTP/1.1"),
            [("oKg2dTCFtYgpotFacNAp9q7wyXqS4ytk", "api-key")]
        );
        assert!(found("GET /app?appid=12345 200").is_empty());
    }

    #[test]
    fn kubernetes_env_values_of_credential_names() {
        let y = "        - name: DB_PASSWORD\n          value: \"ntku728UJK\"\n        - name: LOG_LEVEL\n          value: debug\n";
        assert_eq!(found(y), [("ntku728UJK", "password")]);
        assert!(found("- name: DB_PASSWORD\n  valueFrom:\n").is_empty());
        assert!(found("- name: DB_PASSWORD\n  value: \"\"\n").is_empty());
    }

    #[test]
    fn a_line_of_question_marks_and_runs_is_linear() {
        for unit in ["?u=1&p=2&", "A1b2C3d4+", "?", "==", "- name: password\n"] {
            let mut lens = Vec::new();
            for n in [1 << 12, 1 << 13] {
                let text = unit.repeat(n / unit.len());
                let _ = crate::work::take();
                scan(&text, &mut Vec::new(), None);
                lens.push(crate::work::take());
            }
            assert!(lens[1] <= lens[0] * 5 / 2, "{unit}: {lens:?}");
        }
    }
}

//! E-mail addresses as personal data: which addresses are *not* someone's personal data, and addresses written
//! URL-encoded (`alice%40example.com`).
//!
//! The address itself is found in `secrets.rs` (`locate_email`, triggered by the `@` keyword); it asks
//! [`is_public_contact`] before masking. The policy:
//!
//! - **Role mailboxes are not personal data.** An address whose local part is a function rather than a person
//!   (RFC 2142: `postmaster`, `hostmaster`, `webmaster`, `abuse`, `noc`, `security`, `info`, `support`, `sales`,
//!   `marketing`, …; and the usual functional senders `help`, `noreply`, `mailer-daemon`, …) is published on
//!   purpose and names no one. It stays readable, which keeps the logs useful (who bounced, which crawler).
//!   A `+tag` suffix does not change the mailbox (`support+ticket@x.com` is still `support`).
//! - **A crawler's published contact stays.** Bots put a contact address in the product comment of their
//!   User-Agent, `(compatible; DotBot/1.1; http://…; help@moz.com)`: an address inside a parenthesised comment that
//!   also holds a URL or names a bot/crawler/spider is the operator's public contact, not a visitor's.
//! - **A comment right after a `product/version` token describes software, not a person.** In the product
//!   grammar of User-Agent and Server headers (RFC 9110 §10.1.5: `product/version (comment)`) and in build
//!   banners, an address in that comment is the software's published contact or its build account:
//!   `binlar_2.6.3 (test@mgmt.mic)`, and `Linux version 2.6.5-1.358 (bhcompile@bugs.build.redhat.com)`, which prints
//!   `LINUX_COMPILE_BY@LINUX_COMPILE_HOST`, the build account and machine. The token must hold a version (`/` then
//!   a digit, or ending in digits with a dot), so `user (john@corp.com)` is still masked. For the same reason an
//!   address anywhere in a quoted field that opens with such a token (an access log's User-Agent field,
//!   `"binlar_2.6.3 test@mgmt.mic"`) is the operator's contact.
//!
//! Everything else is masked: `john.doe@corp.com`, `alice+tag@mail.example.co.uk`, addresses in `mailto:`, in JSON,
//! and in URL-encoded form, found here by [`scan_encoded`].

use crate::secrets::{Class, Hit};
use logsieve_engine::Severity;

/// Local parts that name a function, not a person: RFC 2142 section 3–5 mailboxes, then the common functional
/// senders and receivers.
const ROLE_MAILBOXES: &[&str] = &[
    // RFC 2142 business and network operations mailboxes.
    "info",
    "marketing",
    "sales",
    "support",
    "abuse",
    "noc",
    "security",
    // RFC 2142 support mailboxes for specific services.
    "postmaster",
    "hostmaster",
    "usenet",
    "news",
    "webmaster",
    "www",
    "uucp",
    "ftp",
    // Common functional mailboxes (`git@github.com` is an SSH remote's user, not a person).
    "git",
    "help",
    "contact",
    "feedback",
    "privacy",
    "legal",
    "billing",
    "noreply",
    "no-reply",
    "no_reply",
    "donotreply",
    "do-not-reply",
    "do_not_reply",
    "mailer-daemon",
    "bounce",
    "bounces",
    "notifications",
    "notification",
    "alerts",
    "crawler",
    "bot",
    "spider",
    "robot",
];

/// Words that make a parenthesised comment a crawler's product comment (the User-Agent convention).
const BOT_COMMENT_MARKERS: &[&str] = &[
    "http://",
    "https://",
    "www.",
    "bot",
    "crawl",
    "spider",
    "compatible",
];

/// How far around an address a User-Agent comment's parenthesis or a banner is looked for (bytes).
const COMMENT_REACH: usize = 160;

fn is_role_mailbox(local: &str) -> bool {
    let mailbox = local.split('+').next().unwrap_or(local);
    ROLE_MAILBOXES
        .iter()
        .any(|r| r.eq_ignore_ascii_case(mailbox))
}

fn contains_ci(hay: &[u8], needle: &str) -> bool {
    let n = needle.as_bytes();
    hay.len() >= n.len() && hay.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

/// The address `text[start..end]` (with its `@` at `at`) is in a parenthesised comment that is a crawler's product
/// comment: an unclosed `(` before it and a `)` after it, each within [`COMMENT_REACH`] bytes, and the comment
/// holds a URL or a bot word.
fn in_bot_comment(b: &[u8], start: usize, end: usize) -> bool {
    let lo = start.saturating_sub(COMMENT_REACH);
    let Some(open) = b[lo..start]
        .iter()
        .rposition(|&c| c == b'(' || c == b')')
        .map(|p| lo + p)
        .filter(|&p| b[p] == b'(')
    else {
        return false;
    };
    let hi = (end + COMMENT_REACH).min(b.len());
    let Some(close) = b[end..hi]
        .iter()
        .position(|&c| c == b')' || c == b'(')
        .map(|p| end + p)
        .filter(|&p| b[p] == b')')
    else {
        return false;
    };
    let comment = &b[open + 1..close];
    BOT_COMMENT_MARKERS.iter().any(|m| contains_ci(comment, m))
}

/// A `product/version` token (RFC 9110 product grammar, and the `name_1.2.3` of some crawlers and banners): a `/`
/// then a digit, or ending in a dotted version (`2.6.3`, `2.6.5-1.358`).
fn is_product_token(token: &[u8]) -> bool {
    let slash_version = token
        .windows(2)
        .any(|w| w[0] == b'/' && w[1].is_ascii_digit());
    let tail = token
        .iter()
        .rev()
        .take_while(|c| c.is_ascii_digit() || **c == b'.')
        .count();
    let trailing = &token[token.len() - tail..];
    let dotted_version = tail >= 3
        && trailing[0].is_ascii_digit()
        && trailing[tail - 1].is_ascii_digit()
        && trailing.contains(&b'.');
    slash_version || dotted_version
}

/// The token ending at `e` (back to a blank, a quote or a parenthesis; at most 64 bytes).
fn token_before(b: &[u8], e: usize) -> &[u8] {
    let mut t = e;
    while t > 0
        && e - t < 64
        && !b[t - 1].is_ascii_whitespace()
        && !matches!(b[t - 1], b'"' | b'(' | b')')
    {
        t -= 1;
    }
    &b[t..e]
}

/// The address opens a parenthesised comment (`(` right before it) that follows a `product/version` token:
/// `Linux version 2.6.5-1.358 (bhcompile@host)`, `Foo/1.2 (ops@foo.example)`. Reads at most 64 bytes back.
fn after_product_token(b: &[u8], start: usize) -> bool {
    if start < 2 || b[start - 1] != b'(' {
        return false;
    }
    let mut e = start - 1;
    if b[e - 1] == b' ' {
        e -= 1;
    }
    is_product_token(token_before(b, e))
}

/// The address is inside a double-quoted field that opens with a `product/version` token: the User-Agent field of
/// an access log (`"binlar_2.6.3 test@mgmt.mic"`, `"MyTool/1.1 (+https://…; tool@example.org)"`), where an
/// address is the operator's published contact. Reads at most [`COMMENT_REACH`] bytes on each side.
fn in_user_agent_field(b: &[u8], start: usize, end: usize) -> bool {
    let lo = start.saturating_sub(COMMENT_REACH);
    let Some(open) = b[lo..start]
        .iter()
        .rposition(|&c| c == b'"')
        .map(|p| lo + p)
    else {
        return false;
    };
    let hi = (end + COMMENT_REACH).min(b.len());
    if !b[end..hi].contains(&b'"') {
        return false;
    }
    let first = &b[open + 1..start];
    let token_end = first
        .iter()
        .position(|c| c.is_ascii_whitespace() || *c == b'(')
        .unwrap_or(first.len());
    token_end > 0 && token_end < first.len() && is_product_token(&first[..token_end])
}

/// The address `text[start..end]`, `@` at `at`, is a role mailbox, a crawler's published contact or the
/// contact of a `product/version`: not personal data (see the module doc). Reads at most [`COMMENT_REACH`] bytes
/// on each side.
pub fn is_public_contact(text: &str, start: usize, at: usize, end: usize) -> bool {
    let b = text.as_bytes();
    if start >= at || at >= end || end > b.len() {
        return false;
    }
    is_role_mailbox(&text[start..at])
        || in_bot_comment(b, start, end)
        || after_product_token(b, start)
        || in_user_agent_field(b, start, end)
}

/// The start of a quoted local part (RFC 5322 `quoted-string`, `"bob smith"@x.org`) ending right before the `@` at
/// `at`: the opening quote within 64 bytes, printable ASCII between, not glued to a word. Reads at most 64 bytes.
pub fn quoted_local_start(b: &[u8], at: usize) -> Option<usize> {
    if at < 3 || b[at - 1] != b'"' {
        return None;
    }
    let mut q = at - 2;
    while b[q] != b'"' {
        if q == 0 || at - q > 64 || !(b' '..=b'~').contains(&b[q]) || b[q] == b'\\' {
            return None;
        }
        q -= 1;
    }
    let glued = q > 0 && (b[q - 1].is_ascii_alphanumeric() || b[q - 1] == b'"');
    (q + 2 < at && !glued).then_some(q)
}

fn local_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b'%' | b'+' | b'-')
}

fn domain_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-' || c == b'.'
}

/// Pushes the URL-encoded addresses of `text` (`alice%40example.com`, `%40` for the `@`), found by the same rules
/// as plain ones: a local part of at most 64 characters, a domain whose last label is 2–24 letters.
///
/// Linear: the walk back from a `%40` stops at the previous `%40`, the walk forward stops at the first byte that
/// cannot be in a domain (a `%` included), so each byte is read at most twice.
pub fn scan_encoded(text: &str, out: &mut Vec<Hit>) {
    let b = text.as_bytes();
    let mut floor = 0;
    let mut work = 0u64;
    for at in memchr::memmem::find_iter(b, b"%40") {
        let domain_start = at + 3;
        let mut s = at;
        while s > floor && local_char(b[s - 1]) && at - s < 64 {
            s -= 1;
        }
        floor = domain_start;
        while s < at && matches!(b[s], b'.' | b'-' | b'+' | b'%') {
            s += 1;
        }
        let mut e = domain_start;
        while e < b.len() && domain_char(b[e]) && e - domain_start < 255 {
            e += 1;
        }
        work += (e - s) as u64 + 1;
        while e > domain_start && matches!(b[e - 1], b'.' | b'-') {
            e -= 1;
        }
        if s == at || e <= domain_start || (s > 0 && matches!(b[s - 1], b':' | b'/')) {
            continue;
        }
        let domain = &b[domain_start..e];
        let Some(dot) = domain.iter().rposition(|&c| c == b'.') else {
            continue;
        };
        let tld = &domain[dot + 1..];
        let labels_ok =
            domain[0] != b'.' && domain[0] != b'-' && !domain.windows(2).any(|w| w == b"..");
        if !(2..=24).contains(&tld.len()) || !tld.iter().all(u8::is_ascii_alphabetic) || !labels_ok
        {
            continue;
        }
        let local = text[s..at].replace("%2B", "+").replace("%2b", "+");
        if is_role_mailbox(&local) || in_bot_comment(b, s, e) {
            continue;
        }
        out.push(Hit {
            start: s,
            end: e,
            label: "email",
            class: Class::Pii,
            severity: Severity::Low,
        });
    }
    crate::work::add(work);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn public(t: &str) -> bool {
        let at = t.find('@').unwrap();
        let start = t[..at]
            .rfind(|c: char| !(c.is_ascii_alphanumeric() || "._+-".contains(c)))
            .map_or(0, |p| p + 1);
        let end = at
            + t[at..]
                .find(|c: char| !(c.is_ascii_alphanumeric() || "@.-".contains(c)))
                .unwrap_or(t.len() - at);
        is_public_contact(t, start, at, end)
    }

    #[test]
    fn policy() {
        assert!(public("Mozilla/5.0 (compatible; DotBot/1.1; http://www.opensiteexplorer.org/dotbot, help@moz.com)"));
        assert!(public(
            "(compatible; Foo/1.0; +http://foo.example/; jane.doe@foo.example)"
        ));
        assert!(public(
            "Linux version 2.6.5-1.358 (bhcompile@bugs.build.redhat.com) (gcc version 3.3.3)"
        ));
        assert!(public("bounce from postmaster@example.org"));
        assert!(public("Reply-To: Support+1234@example.org"));
        assert!(public("From: no-reply@accounts.example.com"));
        assert!(!public("user john.doe@corp.com logged in"));
        assert!(!public("(john.doe@corp.com)"));
        assert!(public("\"binlar_2.6.3 (test@mgmt.mic)\""));
        assert!(public("Server: Foo/1.2 (ops@foo.example)"));
        assert!(!public("user (john.doe@corp.com)"));
        assert!(public("200 15811 \"-\" \"binlar_2.6.3 test@mgmt.mic\""));
        assert!(!public("{\"user\": \"john.doe@corp.com\"}"));
        assert!(!public("msg=\"sent 2 mails to john.doe@corp.com\""));
        assert!(!public("user-42 (john.doe@corp.com)"));
        assert!(!public("at 12:30 (john.doe@corp.com)"));
        assert!(!public("to=<alice+tag@mail.example.co.uk>"));
        assert!(!public("mailto:bob@x.org"));
    }

    fn encoded(t: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan_encoded(t, &mut out);
        out.iter().map(|h| &t[h.start..h.end]).collect()
    }

    #[test]
    fn url_encoded() {
        assert_eq!(
            encoded("GET /s?address=nguyen.sofia79%40orange.fr HTTP/1.1"),
            ["nguyen.sofia79%40orange.fr"]
        );
        assert_eq!(
            encoded("to=alice%2Btag%40example.co.uk&x=1"),
            ["alice%2Btag%40example.co.uk"]
        );
        assert!(encoded("to=support%40example.com").is_empty());
        assert!(encoded("width=100%40px").is_empty());
        assert!(encoded("%40%40%40").is_empty());
    }
}

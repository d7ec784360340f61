//! Invariants of the redactor on generated log-like text: it keeps the line count, it is idempotent, and it
//! never panics, whatever the bytes after a keyword (multi-byte characters included).

use logsieve_findings::Redactor;
use proptest::prelude::*;
use std::sync::OnceLock;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

/// Pieces of log text: words, numbers with separators, addresses, secret-ish pairs, keywords cut short,
/// multi-byte characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z]{1,8}",
        "[0-9]{1,4}([ .-][0-9]{1,4}){0,5}",
        "[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}\\.[0-9]{1,3}",
        "(password|passwd|pwd|token|secret|api_key|apiKey|client_secret|session|sid|auth|key)[=:][ ]?[A-Za-z0-9+/=_.!-]{0,24}",
        "(https?|postgres|redis)://[a-z]{0,6}(:[A-Za-z0-9]{0,8})?@[a-z]{1,6}\\.(com|io)(/[a-z]{0,5})?",
        "[a-z.+]{1,8}@[a-z]{1,8}\\.(com|org|co\\.uk)",
        "(Authorization|Proxy-Authorization): ?(Bearer|Basic|Digest|SSWS)? ?[A-Za-z0-9=._-]{0,30}",
        Just("-----BEGIN".to_string()),
        Just("-----BEGIN RSA PRIVATE KEY-----".to_string()),
        Just("-----END RSA PRIVATE KEY-----".to_string()),
        "(sk-|ghp_|eyJ|AKIA|xoxb-|glpat-|hvs\\.|AIza)[A-Za-z0-9_-]{0,40}",
        "(password=|Authorization:|-----BEGIN|sk-|\\+|%3D|%40|@|://|\\\\\"|<password>|Cookie: )",
        "[\\u{80}-\\u{10FFFF}]{1,3}",
        "[ \\t\\n,;&\"'{}\\[\\]<>]{1,2}",
        "\\+[0-9]{1,3}[ -][0-9]{2,4}[ -][0-9]{3,4}[ -][0-9]{3,4}",
        "[A-Z]{2}[0-9]{2}( ?[A-Z0-9]{4}){2,7}",
    ]
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn keeps_lines_and_is_idempotent(t in text()) {
        let r = redactor();
        let once = r.redact(&t).into_owned();
        prop_assert_eq!(once.matches('\n').count(), t.matches('\n').count());
        let twice = r.redact(&once).into_owned();
        prop_assert_eq!(&twice, &once, "input {:?}", t);
        // Line by line as `logsieve redact` does: same number of lines.
        let mut lr = r.lines();
        let n = t.lines().map(|l| lr.line(l).into_owned()).count();
        prop_assert_eq!(n, t.lines().count());
    }

    #[test]
    fn never_panics_on_any_str(t in "\\PC{0,64}", kw in prop::sample::select(vec![
        "password=", "Authorization:", "-----BEGIN", "sk-", "+", "@", "://", "%3D", "%40", "eyJ", "key=",
        "pwd ", "--password ", "mysql -p", "\\\"password\\\":\\\"", "<password>", "Cookie: sid=", "Q~", ":AA",
        "-us", ".atlasv1.", "0044 ", "GB82",
    ]), tail in "[\\u{80}-\\u{10FFFF}a-z0-9 ]{0,8}") {
        let r = redactor();
        for s in [format!("{t}{kw}"), format!("{t}{kw}{tail}"), format!("{kw}{tail}{t}"), kw.to_string()] {
            let _ = r.redact(&s);
            let _ = r.find(&s);
            let _ = r.redact_template(&s);
            let _ = r.excerpt(&s);
            let mut lr = r.lines();
            for l in s.lines() {
                let _ = lr.line(l);
            }
        }
    }
}

//! Properties of the personal-data scan on arbitrary text (multi-byte characters, digits, separators, `+`, `@`,
//! `%40`): it never panics, and its spans are in order, disjoint, inside the text and on character boundaries, so
//! that masking them can never cut a character or leave a byte of a match behind.

use logsieve_findings::{pii, Redactor};
use proptest::prelude::*;
use std::sync::OnceLock;

fn redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(Redactor::new)
}

/// Text built from the pieces the scans react to, mixed with multi-byte characters.
fn piiish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("0".to_string()),
        Just("00".to_string()),
        Just("+".to_string()),
        Just("@".to_string()),
        Just("%40".to_string()),
        Just("(".to_string()),
        Just(")".to_string()),
        Just(" ".to_string()),
        Just("-".to_string()),
        Just(".".to_string()),
        Just("X".to_string()),
        Just("tel ".to_string()),
        Just("ssn ".to_string()),
        Just("手机".to_string()),
        Just("é".to_string()),
        Just("😀".to_string()),
        Just("DE89".to_string()),
        Just("a.b".to_string()),
        "[0-9]{1,19}",
        "[A-Za-z]{1,4}",
        any::<char>().prop_map(|c| c.to_string()),
    ];
    prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
}

fn check_spans(text: &str) -> Result<(), TestCaseError> {
    let mut hits = Vec::new();
    pii::scan(text, &mut hits);
    let mut prev_end = 0;
    for h in &hits {
        prop_assert!(
            h.start < h.end,
            "empty span {}..{} in {:?}",
            h.start,
            h.end,
            text
        );
        prop_assert!(h.end <= text.len());
        prop_assert!(
            h.start >= prev_end,
            "overlapping or out of order at {} in {:?}",
            h.start,
            text
        );
        prop_assert!(text.is_char_boundary(h.start) && text.is_char_boundary(h.end));
        prev_end = h.end;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn pii_spans_are_ordered_disjoint_on_boundaries(text in piiish()) {
        check_spans(&text)?;
    }

    #[test]
    fn pii_spans_on_any_string(text in any::<String>()) {
        check_spans(&text)?;
    }

    #[test]
    fn redaction_never_panics(text in piiish()) {
        let r = redactor();
        let _ = r.redact(&text);
        let hits = r.find(&text);
        for w in hits.windows(2) {
            prop_assert!(w[0].end <= w[1].start);
        }
    }
}

//! From the model's answer for a template's example event to names for the template's variables: which `<*>`
//! holds each returned value. Pure functions.
//!
//! 1. **Align** the template with the example: the template's literal text must match the example's (runs of
//!    blanks match runs of blanks), each `<*>` takes a non-empty stretch; among the alignments, values within one
//!    word are preferred to values that span words. If the whole message does not align (an example that is
//!    not one of the template's own events), the template's words are aligned one by one when both have the
//!    same number of words.
//! 2. **Match** the returned values, in the model's order, to the variables' values (both trimmed of blanks,
//!    quotes and brackets): an equal value names its variable; a value found in the template's literal text is a
//!    constant of the template; a value that contains several variables' values (`"10.0.0.1:22"` over
//!    `<*>:<*>`) names each of them `name_1`, `name_2`, ...; a value contained in one variable's value (the model
//!    dropped a unit) names that variable. What is left is reported, not guessed.

use serde::{Deserialize, Serialize};

use crate::guard::Fields;

/// The template's marker for a variable.
pub const VAR: &str = "<*>";

/// Names for one template's variables, from one model answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateFields {
    /// `names[i]` is the field name of variable `i` (the `i`-th `<*>`), if the answer named it.
    pub names: Vec<Option<String>>,
    /// Fields whose value is fixed text of the template (e.g. a level written in every event of it).
    pub constants: Vec<(String, String)>,
    /// Fields whose value matched neither a variable nor the template's text.
    pub unmatched: Vec<(String, String)>,
}

impl TemplateFields {
    /// Variables that got a name.
    pub fn named(&self) -> usize {
        self.names.iter().flatten().count()
    }
}

/// The value of each `<*>` of `template` in `message`, or `None` when they do not align.
pub fn align(template: &str, message: &str) -> Option<Vec<String>> {
    let t = normalize_blanks(template);
    let m = normalize_blanks(message);
    if let Some(values) = align_normalized(&t, &m) {
        return Some(values);
    }
    // Word by word, when the counts agree.
    let tw: Vec<&str> = t.split(' ').collect();
    let mw: Vec<&str> = m.split(' ').collect();
    if tw.len() != mw.len() {
        return None;
    }
    let mut values = Vec::new();
    let (mut same, mut differ) = (0, 0);
    for (tw, mw) in tw.iter().zip(&mw) {
        if tw.contains(VAR) {
            values.extend(align_normalized(tw, mw)?);
        } else if tw == mw {
            same += 1;
        } else {
            // A fixed word that differs: the clustering merged it. Tolerated while most fixed words agree.
            differ += 1;
        }
    }
    (same > 0 && differ <= same).then_some(values)
}

fn normalize_blanks(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Aligns a template with a message, both with single blanks.
fn align_normalized(template: &str, message: &str) -> Option<Vec<String>> {
    let lits: Vec<&str> = template.split(VAR).collect();
    let n_vars = lits.len() - 1;
    if n_vars == 0 {
        return (template == message).then(Vec::new);
    }
    let rest = message.strip_prefix(lits[0])?;
    let base = message.len() - rest.len();
    let mut ends = vec![0usize; n_vars];
    // Depth-first over the variables with memo of dead (variable, start) states: polynomial.
    let mut dead = std::collections::HashSet::new();
    if !search(message, &lits, 0, base, &mut ends, &mut dead) {
        return None;
    }
    let mut values = Vec::with_capacity(n_vars);
    let mut start = base;
    for (i, &end) in ends.iter().enumerate() {
        values.push(message[start..end].to_owned());
        start = end + lits[i + 1].len();
    }
    Some(values)
}

/// Variable `v` starts at `start`; finds its end and the rest recursively.
fn search(
    m: &str,
    lits: &[&str],
    v: usize,
    start: usize,
    ends: &mut [usize],
    dead: &mut std::collections::HashSet<(usize, usize)>,
) -> bool {
    if dead.contains(&(v, start)) {
        return false;
    }
    let next = lits[v + 1];
    let last = v + 1 == ends.len();
    let mut candidates: Vec<usize> = Vec::new();
    if last && next.is_empty() {
        if start < m.len() {
            candidates.push(m.len());
        }
    } else if last {
        // The final literal must end the message.
        if m.len() >= start + 1 + next.len() && m.ends_with(next) {
            let end = m.len() - next.len();
            if m.is_char_boundary(end) {
                candidates.push(end);
            }
        }
    } else if next.is_empty() {
        // Two adjacent variables: every split point (rare; the masker keeps punctuation between values).
        candidates.extend(
            m[start..]
                .char_indices()
                .skip(1)
                .map(|(i, _)| start + i)
                .chain(std::iter::once(m.len())),
        );
    } else {
        let mut from = start + 1;
        while from <= m.len() {
            while !m.is_char_boundary(from) {
                from += 1;
            }
            match m[from..].find(next) {
                Some(i) => {
                    candidates.push(from + i);
                    from += i + 1;
                }
                None => break,
            }
        }
    }
    // Values within one word first, shortest first; then values that span words.
    candidates.sort_by_key(|&end| (m[start..end].contains(' '), end));
    for end in candidates {
        if end <= start {
            continue;
        }
        ends[v] = end;
        if last || search(m, lits, v + 1, end + next.len(), ends, dead) {
            return true;
        }
    }
    dead.insert((v, start));
    false
}

/// Trims what models add or drop around a value: blanks, quotes, brackets, trailing punctuation.
fn norm(v: &str) -> &str {
    v.trim_matches(|c: char| c.is_whitespace() || "\"'`()[]{}<>,;".contains(c))
        .trim_end_matches([',', ';', ':', '.'])
}

/// Names for the variables of `template` from the model's `fields` for `example` (the event the model saw). See
/// the module documentation.
pub fn map_fields(template: &str, example: &str, fields: &Fields) -> TemplateFields {
    let n_vars = template.matches(VAR).count();
    let mut out = TemplateFields {
        names: vec![None; n_vars],
        ..TemplateFields::default()
    };
    let values: Vec<String> = align(template, example)
        .filter(|v| v.len() == n_vars)
        .unwrap_or_default();
    let literal: String = template.split(VAR).collect::<Vec<_>>().join("\u{0}");
    let mut left: Vec<&(String, String)> = Vec::new();

    // 1. Equal values.
    for field in &fields.0 {
        let fv = norm(&field.1);
        let hit = (!fv.is_empty())
            .then(|| (0..values.len()).find(|&i| out.names[i].is_none() && norm(&values[i]) == fv))
            .flatten();
        match hit {
            Some(i) => out.names[i] = Some(field.0.clone()),
            None => left.push(field),
        }
    }
    // 2. Constants, 3. values over several variables, 4. values inside one variable.
    for field in left {
        let (name, value) = field;
        let fv = norm(value);
        if fv.is_empty() {
            out.unmatched.push(field.clone());
            continue;
        }
        if literal.contains(fv) {
            out.constants.push(field.clone());
            continue;
        }
        let inside: Vec<usize> = (0..values.len())
            .filter(|&i| out.names[i].is_none() && !norm(&values[i]).is_empty())
            .filter(|&i| fv.contains(norm(&values[i])))
            .collect();
        let spans = inside.len() >= 2 && spans_in_order(fv, &inside, &values);
        if spans {
            for (k, &i) in inside.iter().enumerate() {
                out.names[i] = Some(format!("{name}_{}", k + 1));
            }
            continue;
        }
        let container =
            (0..values.len()).find(|&i| out.names[i].is_none() && norm(&values[i]).contains(fv));
        match (container, inside.as_slice()) {
            (Some(i), _) => out.names[i] = Some(name.clone()),
            (None, [i]) => out.names[*i] = Some(name.clone()),
            _ => out.unmatched.push(field.clone()),
        }
    }
    dedupe(&mut out.names);
    out
}

/// Whether the variables' values occur in `field` in their order, without overlapping.
fn spans_in_order(field: &str, vars: &[usize], values: &[String]) -> bool {
    let mut at = 0;
    for &i in vars {
        match field[at..].find(norm(&values[i])) {
            Some(p) => at += p + norm(&values[i]).len(),
            None => return false,
        }
    }
    true
}

/// The same name on two variables: the later ones get `_2`, `_3`, ...
fn dedupe(names: &mut [Option<String>]) {
    let mut seen: Vec<String> = Vec::new();
    for name in names.iter_mut().flatten() {
        let base = name.clone();
        let mut n = 2;
        while seen.contains(name) {
            *name = format!("{base}_{n}");
            n += 1;
        }
        seen.push(name.clone());
    }
}

/// The fields of one event of a template: its variables' values under their names, then the constants.
pub fn event_fields(
    names: &TemplateFields,
    template: &str,
    message: &str,
) -> Option<Vec<(String, String)>> {
    let values = align(template, message)?;
    let mut out: Vec<(String, String)> = names
        .names
        .iter()
        .zip(values)
        .filter_map(|(n, v)| n.clone().map(|n| (n, v)))
        .collect();
    out.extend(names.constants.iter().cloned());
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(pairs: &[(&str, &str)]) -> Fields {
        Fields(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    fn names(v: &[Option<&str>]) -> Vec<Option<String>> {
        v.iter().map(|n| n.map(str::to_owned)).collect()
    }

    #[test]
    fn aligns_values_within_words_first() {
        assert_eq!(
            align(
                "Invalid user <*> from <*> port <*>",
                "Invalid  user alice from 10.0.0.1 port 22"
            ),
            Some(vec!["alice".into(), "10.0.0.1".into(), "22".into()])
        );
        assert_eq!(
            align("user=<*>, took <*>ms", "user=bob, took 15ms"),
            Some(vec!["bob".into(), "15".into()])
        );
        // A value that spans words, where the template says so.
        assert_eq!(
            align("at <*> done", "at 2024-01-01 12:00:00 done"),
            Some(vec!["2024-01-01 12:00:00".into()])
        );
        assert_eq!(align("a <*> b", "x y z"), None);
        assert_eq!(align("no vars", "no vars"), Some(vec![]));
    }

    #[test]
    fn aligns_word_by_word_when_a_merged_word_differs() {
        // The clustering merged "alice"/"bob" keys where a fixed word also varied: the whole does not align.
        assert_eq!(
            align("session <*> opened by <*>", "session 42 closed by root"),
            Some(vec!["42".into(), "root".into()])
        );
    }

    #[test]
    fn maps_equal_values_and_constants() {
        let t = "Failed password for <*> from <*> port <*> ssh2";
        let ex = "Failed password for root from 10.0.0.5 port 5122 ssh2";
        let got = map_fields(
            t,
            ex,
            &fields(&[
                ("user", "root"),
                ("client_ip", "10.0.0.5"),
                ("client_port", "5122"),
                ("protocol", "ssh2"),
                ("status", "succeeded"),
            ]),
        );
        assert_eq!(
            got.names,
            names(&[Some("user"), Some("client_ip"), Some("client_port")])
        );
        assert_eq!(got.constants, vec![("protocol".into(), "ssh2".into())]);
        assert_eq!(got.unmatched, vec![("status".into(), "succeeded".into())]);
        assert_eq!(got.named(), 3);
        assert_eq!(
            event_fields(&got, t, "Failed password for bob from 1.2.3.4 port 1 ssh2").unwrap(),
            vec![
                ("user".into(), "bob".into()),
                ("client_ip".into(), "1.2.3.4".into()),
                ("client_port".into(), "1".into()),
                ("protocol".into(), "ssh2".into()),
            ]
        );
    }

    #[test]
    fn maps_values_that_span_or_trim_variables() {
        let t = "connect <*>:<*> in <*>ms";
        let ex = "connect 10.1.1.1:8080 in 250ms";
        let got = map_fields(
            t,
            ex,
            &fields(&[("peer", "10.1.1.1:8080"), ("duration_ms", "\"250\"")]),
        );
        assert_eq!(
            got.names,
            names(&[Some("peer_1"), Some("peer_2"), Some("duration_ms")])
        );
        // The model dropped a unit the masker kept in the value.
        let got = map_fields("took <*>", "took 250ms", &fields(&[("duration", "250")]));
        assert_eq!(got.names, names(&[Some("duration")]));
    }

    #[test]
    fn repeated_values_and_names() {
        // Two variables with the same value: the model's two fields take them in order.
        let got = map_fields(
            "from <*> to <*>",
            "from 7 to 7",
            &fields(&[("start", "7"), ("end", "7")]),
        );
        assert_eq!(got.names, names(&[Some("start"), Some("end")]));
        // The same name twice (one field containing, one equal).
        let got = map_fields(
            "a=<*> b=<*>",
            "a=x1 b=x",
            &fields(&[("v", "x1"), ("w", "x")]),
        );
        assert_eq!(got.names, names(&[Some("v"), Some("w")]));
        let mut n = names(&[Some("id"), None, Some("id"), Some("id")]);
        dedupe(&mut n);
        assert_eq!(n, names(&[Some("id"), None, Some("id_2"), Some("id_3")]));
    }

    #[test]
    fn an_example_that_does_not_align_names_nothing() {
        let got = map_fields("x <*> y", "totally different", &fields(&[("a", "b")]));
        assert_eq!(got.names, names(&[None]));
        assert_eq!(got.unmatched, vec![("a".into(), "b".into())]);
    }
}

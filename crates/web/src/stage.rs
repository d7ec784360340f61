//! The stages of the parsing worker's work on a file, the set of stages a retry leaves out, and the test-only fault
//! switch.
//!
//! The worker reports the stage it is in with every progress message (and its panic hook names it), so that when it
//! fails or goes quiet the page can say where, and offer to parse again without that stage
//! ([`Stage::skippable`]): the events and templates then come back, and the skipped panel says it did not run.
//!
//! ## The fault switch (tests only, and why it is safe in the production build)
//! The browser tests must make a stage panic or hang on purpose. A second, test-only build of the page would cost
//! minutes of every CI run, so the switch is compiled into the one build, and it can only be turned on by the
//! **page's own URL** (`?fault=panic:findings`, `?fault=stall:findings`; see [`Fault::from_query`]): the UI reads
//! `location.search` once and passes the parsed [`Fault`] in the open request. Nothing derived from a file's bytes
//! ever reaches that parameter or the request's `fault` field, so log content cannot trigger it; a user who types
//! the parameter into their own address bar only breaks their own page's parse, which the page then reports.

use serde::{Deserialize, Serialize};

/// A stage of the worker's work on a file, in the order they first run.
///
/// During the one pass over the bytes, `parse` feeds every event to `templates` (the miner), `charts` (the series)
/// and `findings` (the analyzer) in turn; after the pass, `templates` builds the list, `findings` finishes the
/// analysis, `k8s` audits Kubernetes input, and `charts` (waiting for the geo database when needed) sends the
/// series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Reading the file's bytes (and decoding gzip).
    Read,
    /// The engine: lines, events, formats, fields.
    #[default]
    Parse,
    Templates,
    Charts,
    Findings,
    K8s,
}

impl Stage {
    pub const ALL: [Stage; 6] = [
        Stage::Read,
        Stage::Parse,
        Stage::Templates,
        Stage::Charts,
        Stage::Findings,
        Stage::K8s,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Read => "read",
            Stage::Parse => "parse",
            Stage::Templates => "templates",
            Stage::Charts => "charts",
            Stage::Findings => "findings",
            Stage::K8s => "k8s",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// Whether the file can be parsed without this stage. Reading and parsing are what everything else stands on;
    /// the table needs the templates' ids. The analyses on top can be left out.
    pub fn skippable(self) -> bool {
        matches!(self, Stage::Charts | Stage::Findings | Stage::K8s)
    }

    /// What a panel says when the stage was left out.
    pub fn panel_name(self) -> &'static str {
        match self {
            Stage::Read => "Reading",
            Stage::Parse => "Parsing",
            Stage::Templates => "Templates",
            Stage::Charts => "Charts",
            Stage::Findings => "Findings",
            Stage::K8s => "The Kubernetes audit",
        }
    }
}

/// Why a skipped stage did not run, as the open request carries it and the panel shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Skip {
    pub stage: Stage,
    /// The failure that made the user leave it out (e.g. `the worker panicked: …`).
    pub reason: String,
}

/// Finds the skip of `stage` in `skips`.
pub fn skipped(skips: &[Skip], stage: Stage) -> Option<&Skip> {
    skips.iter().find(|s| s.stage == stage)
}

/// A deliberate failure for the browser tests: the worker panics, or stops answering, when it enters `stage`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    pub kind: FaultKind,
    pub stage: Stage,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FaultKind {
    Panic,
    Stall,
}

impl Fault {
    /// The fault asked for by the page's URL query (`location.search`, e.g. `?fault=stall:findings`): the only way
    /// in (see the module doc). Anything else, or nothing, is `None`.
    pub fn from_query(search: &str) -> Option<Fault> {
        let value = search
            .trim_start_matches('?')
            .split('&')
            .find_map(|kv| kv.strip_prefix("fault="))?;
        let (kind, stage) = value.split_once(':')?;
        let kind = match kind {
            "panic" => FaultKind::Panic,
            "stall" => FaultKind::Stall,
            _ => return None,
        };
        Some(Fault {
            kind,
            stage: Stage::parse(stage)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_names_round_trip() {
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
            assert_eq!(
                serde_json::to_string(&s).unwrap(),
                format!("\"{}\"", s.as_str())
            );
        }
        assert_eq!(Stage::parse("nope"), None);
    }

    #[test]
    fn only_analyses_are_skippable() {
        let skippable: Vec<_> = Stage::ALL.into_iter().filter(|s| s.skippable()).collect();
        assert_eq!(skippable, [Stage::Charts, Stage::Findings, Stage::K8s]);
    }

    #[test]
    fn fault_from_the_page_query_only_in_its_one_form() {
        assert_eq!(
            Fault::from_query("?fault=panic:findings"),
            Some(Fault {
                kind: FaultKind::Panic,
                stage: Stage::Findings
            })
        );
        assert_eq!(
            Fault::from_query("?x=1&fault=stall:k8s"),
            Some(Fault {
                kind: FaultKind::Stall,
                stage: Stage::K8s
            })
        );
        for q in [
            "",
            "?",
            "?fault=",
            "?fault=panic",
            "?fault=boom:findings",
            "?fault=panic:nowhere",
            "?nofault=panic:findings",
        ] {
            assert_eq!(Fault::from_query(q), None, "{q}");
        }
    }
}

//! The parsing worker's side of the model: which templates need it, and the names it gave, applied to events.
//!
//! The model itself runs in its own worker (crates/model-worker); the parsing worker only lists the templates
//! whose variables the rules could not name (`logsieve_model::namer::needs_naming`, judged on the format of the
//! template's example event), most frequent first, and keeps the names that come back per template (final id).
//! Rows, details and the export then carry each event's `fields`: its template's variables under those names
//! with this event's values (`logsieve_model::fields::event_fields` over the message's first line, which is what
//! templates are mined from), as `logsieve parse --model` writes them (`ndjson::push_fields`).

use std::collections::HashMap;

use logsieve_engine::ndjson;
use logsieve_model::fields::event_fields;
use logsieve_model::namer::{mined_text, needs_naming};
use logsieve_model::TemplateFields;

use crate::index::EventIndex;
use crate::protocol::ModelTemplate;
use crate::templates::Templates;

/// Most templates listed for the model per file (most frequent first): past this many, the rest are rare and a
/// real model would take hours.
pub const MAX_MODEL_TEMPLATES: usize = 2_000;

/// The templates that need the model, most frequent first (then by id), each with its example event.
pub fn model_templates(templates: &Templates, index: &EventIndex) -> Vec<ModelTemplate> {
    let map = templates.map();
    let mut order: Vec<usize> = (0..map.templates.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&map.templates[a], &map.templates[b]);
        b.count.cmp(&a.count).then(a.id.0.cmp(&b.id.0))
    });
    order
        .into_iter()
        .map(|i| &map.templates[i])
        .filter(|t| {
            let format = index
                .event_of_line(t.example.line)
                .map(|e| index.format(&index.get(e)).as_str())
                .unwrap_or("unknown");
            needs_naming(&t.template, format)
        })
        .take(MAX_MODEL_TEMPLATES)
        .map(|t| ModelTemplate {
            id: t.id.0,
            template: t.template.clone(),
            example: t.example.message.clone(),
            count: t.count,
        })
        .collect()
}

/// The names the model gave, by final template id.
#[derive(Debug, Default)]
pub struct ModelFields {
    by_template: HashMap<u32, (String, TemplateFields)>,
}

impl ModelFields {
    /// Keeps the names for template `id` (text `template`); names that name nothing are not kept.
    pub fn set(&mut self, id: u32, template: String, names: TemplateFields) {
        if names.named() == 0 && names.constants.is_empty() {
            self.by_template.remove(&id);
        } else {
            self.by_template.insert(id, (template, names));
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_template.is_empty()
    }

    /// Templates with names.
    pub fn len(&self) -> usize {
        self.by_template.len()
    }

    /// The fields of an event of template `template_id` whose message is `message`.
    pub fn fields_of(&self, template_id: Option<u32>, message: &str) -> Vec<(String, String)> {
        template_id
            .and_then(|id| self.by_template.get(&id))
            .and_then(|(template, names)| event_fields(names, template, mined_text(message)))
            .unwrap_or_default()
    }

    /// Adds `fields` to one NDJSON event line (ending in `}\n`, with `template_id` and `message` as
    /// `ndjson::write_event` and `ndjson::push_template` write them).
    pub fn add_to_line(&self, line: &mut String) {
        if self.is_empty() {
            return;
        }
        let Some(id) = template_id_of_line(line) else {
            return;
        };
        if !self.by_template.contains_key(&id) {
            return;
        }
        let Some(message) = message_of_line(line) else {
            return;
        };
        let fields = self.fields_of(Some(id), &message);
        ndjson::push_fields(line, &fields);
    }

    /// Adds `fields` to each line of a part of the export (whole lines), in place.
    pub fn add_to_part(&self, part: &[u8]) -> Option<Vec<u8>> {
        if self.is_empty() {
            return None;
        }
        let text = std::str::from_utf8(part).ok()?;
        let mut out = String::with_capacity(part.len() + part.len() / 8);
        let mut line = String::new();
        for l in text.split_inclusive('\n') {
            line.clear();
            line.push_str(l);
            if line.ends_with("}\n") {
                self.add_to_line(&mut line);
            }
            out.push_str(&line);
        }
        Some(out.into_bytes())
    }
}

/// The `template_id` of an NDJSON event line. The key is searched from the end: inside JSON strings a `"` is
/// always escaped, so `,"template_id":` cannot occur in a value.
fn template_id_of_line(line: &str) -> Option<u32> {
    const KEY: &str = ",\"template_id\":";
    let at = line.rfind(KEY)? + KEY.len();
    let digits: &str = &line[at..];
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

/// The `message` of an NDJSON event line (the first `,"message":` key: the values before it are JSON strings,
/// numbers or null, whose quotes are escaped).
fn message_of_line(line: &str) -> Option<String> {
    const KEY: &str = ",\"message\":";
    let at = line.find(KEY)? + KEY.len();
    let mut de = serde_json::Deserializer::from_str(&line[at..]).into_iter::<String>();
    de.next()?.ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::EventIndex;
    use logsieve_engine::template::TemplateMiner;
    use logsieve_engine::{Event, ParseOptions, Pipeline};

    fn session(input: &[u8]) -> (EventIndex, Templates, Vec<String>) {
        let mut index = EventIndex::new();
        let mut miner = TemplateMiner::new();
        let mut ids = Vec::new();
        let mut lines = Vec::new();
        let mut p = Pipeline::new(ParseOptions::with_year(2024));
        let mut on = |ev: &Event<'_>| {
            let id = miner.observe_event(ev);
            index.push(ev, id.0);
            ids.push(id.0);
            let mut s = String::new();
            ndjson::write_event(ev, &mut s);
            lines.push(s);
        };
        let _ = p.feed(input, &mut on);
        let _ = p.finish(&mut on);
        let map = miner.finish();
        let t = Templates::build(map, &index);
        for (line, id) in lines.iter_mut().zip(ids) {
            let tpl = t.template_of(id).unwrap();
            let mut json = String::new();
            ndjson::json_str(&mut json, &tpl.template);
            ndjson::push_template(line, tpl.id.0, &json);
        }
        (index, t, lines)
    }

    #[test]
    fn lists_the_templates_the_rules_did_not_name_most_frequent_first() {
        let mut log = String::new();
        for i in 0..6 {
            log.push_str(&format!("widget {i} entered state s{}\n", i % 2));
        }
        for i in 0..3 {
            log.push_str(&format!("user=u{i} took=5\n"));
        }
        log.push_str("plain words only here\n");
        let (index, templates, _) = session(log.as_bytes());
        let list = model_templates(&templates, &index);
        let texts: Vec<&str> = list.iter().map(|t| t.template.as_str()).collect();
        assert_eq!(texts.len(), 1, "{texts:?}");
        assert!(texts[0].starts_with("widget <*>"), "{texts:?}");
        assert_eq!(list[0].count, 6);
        assert_eq!(list[0].example, "widget 0 entered state s0");
    }

    #[test]
    fn names_reach_every_line_of_the_template() {
        let mut log = String::new();
        for i in 0..4 {
            log.push_str(&format!("widget {i} entered state s{i} \"q\"\n"));
        }
        log.push_str("other thing 5\n");
        let (index, templates, lines) = session(log.as_bytes());
        let list = model_templates(&templates, &index);
        let w = list
            .iter()
            .find(|t| t.template.starts_with("widget"))
            .unwrap();
        let names = logsieve_model::map_fields(
            &w.template,
            &w.example,
            &logsieve_model::Fields(vec![
                ("widget_id".into(), "0".into()),
                ("state".into(), "s0".into()),
            ]),
        );
        let mut mf = ModelFields::default();
        assert!(mf.add_to_part(b"x").is_none());
        mf.set(w.id, w.template.clone(), names);
        assert_eq!(mf.len(), 1);
        let part: String = lines.concat();
        let out = String::from_utf8(mf.add_to_part(part.as_bytes()).unwrap()).unwrap();
        let evs: Vec<serde_json::Value> = out
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(evs.len(), 5);
        for (i, ev) in evs.iter().take(4).enumerate() {
            assert_eq!(ev["fields"]["widget_id"], i.to_string(), "{ev}");
            assert_eq!(ev["fields"]["state"], format!("s{i}"), "{ev}");
        }
        assert!(evs[4].get("fields").is_none());
        assert_eq!(
            mf.fields_of(Some(w.id), "widget 9 entered state s9 \"q\""),
            vec![
                ("widget_id".to_string(), "9".to_string()),
                ("state".to_string(), "s9".to_string())
            ]
        );
        assert_eq!(template_id_of_line(&lines[0]), Some(w.id));
        assert_eq!(
            message_of_line(&lines[0]).as_deref(),
            Some("widget 0 entered state s0 \"q\"")
        );
    }
}

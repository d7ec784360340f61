//! The pipeline: once per template, most frequent first, cache first. A template with no variable is not sent;
//! one whose answer is cached costs nothing; otherwise its example event goes to the model, the answer is checked
//! (one stricter retry, then failed), its values are mapped back to the template's variables, and the result is
//! cached, failures included, so a log with the same templates later makes no model call.

use logsieve_engine::template::Template;

use crate::cache::{AnswerStatus, CacheKey, CachedAnswer, FieldCache};
use crate::decode::{generate, DecodeOptions, StopReason};
use crate::fields::{map_fields, TemplateFields, VAR};
use crate::guard::{parse_answer, Fields};
use crate::model::LogModel;
use crate::prompt::{LogTokenizer, Prompt};
use crate::Result;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamerOptions {
    /// The cap on new tokens per answer.
    pub max_new_tokens: usize,
    /// Events longer than this are cut (at a character boundary) before they are sent.
    pub max_event_bytes: usize,
    /// Names the model in cache keys (e.g. its file name and size).
    pub model_tag: String,
}

impl Default for NamerOptions {
    fn default() -> Self {
        NamerOptions {
            max_new_tokens: 192,
            max_event_bytes: 2048,
            model_tag: String::new(),
        }
    }
}

/// What happened to one template.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// No variable to name: not sent.
    Skipped,
    /// Answered from the cache: no model call.
    Cached(CachedAnswer),
    /// Sent to the model (`attempts` is 1, or 2 after a retry); the answer is now cached.
    Asked {
        answer: CachedAnswer,
        attempts: u8,
        /// Prefill and decode speed of the last attempt.
        stats: crate::decode::Stats,
    },
    /// Cancelled while the model ran: nothing cached.
    Cancelled,
}

impl Outcome {
    pub fn answer(&self) -> Option<&CachedAnswer> {
        match self {
            Outcome::Cached(a) | Outcome::Asked { answer: a, .. } => Some(a),
            Outcome::Skipped | Outcome::Cancelled => None,
        }
    }
}

/// Names template variables with a model, through a cache.
pub struct FieldNamer<'a> {
    model: &'a mut LogModel,
    tokenizer: &'a mut LogTokenizer,
    prompt: &'a Prompt,
    cache: &'a mut dyn FieldCache,
    opts: NamerOptions,
    /// Templates sent to the model (a retry does not count again).
    pub calls: usize,
    /// Generations run (retries included).
    pub generations: usize,
}

impl<'a> FieldNamer<'a> {
    pub fn new(
        model: &'a mut LogModel,
        tokenizer: &'a mut LogTokenizer,
        prompt: &'a Prompt,
        cache: &'a mut dyn FieldCache,
        opts: NamerOptions,
    ) -> Self {
        FieldNamer {
            model,
            tokenizer,
            prompt,
            cache,
            opts,
            calls: 0,
            generations: 0,
        }
    }

    /// The cache key of a template under this prompt and model.
    pub fn key(&self, template: &str) -> CacheKey {
        CacheKey::new(template, &self.prompt.id, &self.opts.model_tag)
    }

    /// Names the variables of one template from one of its events (its example).
    pub fn name(
        &mut self,
        template: &str,
        event: &str,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Outcome> {
        if !template.contains(VAR) {
            return Ok(Outcome::Skipped);
        }
        let key = self.key(template);
        if let Some(hit) = self.cache.get(&key) {
            if hit.template == template {
                return Ok(Outcome::Cached(hit));
            }
        }
        let event = cut(event, self.opts.max_event_bytes);
        self.calls += 1;
        let mut reason: Option<String> = None;
        let mut attempts = 0u8;
        let mut stats = crate::decode::Stats::default();
        let mut fields: Option<Fields> = None;
        for retry in [false, true] {
            attempts += 1;
            let segments = self
                .prompt
                .render(event, reason.as_deref().filter(|_| retry));
            let ids = self.tokenizer.encode_segments(&segments)?;
            if ids.len() + self.opts.max_new_tokens > self.model.info().max_context {
                reason = Some(format!(
                    "the prompt ({} tokens) does not fit the model's context of {} tokens",
                    ids.len(),
                    self.model.info().max_context
                ));
                break;
            }
            let opts = DecodeOptions {
                max_new_tokens: self.opts.max_new_tokens,
                answer_prefix: Prompt::answer_prefix(retry).to_owned(),
                ..DecodeOptions::default()
            };
            self.generations += 1;
            let decoded = generate(self.model, self.tokenizer, &ids, opts, cancel, &mut |_| {})?;
            stats = decoded.stats;
            if decoded.stop == StopReason::Cancelled {
                return Ok(Outcome::Cancelled);
            }
            match parse_answer(&decoded.text) {
                Ok(f) => {
                    fields = Some(f);
                    break;
                }
                Err(e) => reason = Some(e.to_string()),
            }
        }
        let answer = match fields {
            Some(fields) => CachedAnswer {
                template: template.to_owned(),
                prompt_id: self.prompt.id.clone(),
                status: AnswerStatus::Named,
                names: map_fields(template, event, &fields),
                fields,
                reason: String::new(),
            },
            None => CachedAnswer {
                template: template.to_owned(),
                prompt_id: self.prompt.id.clone(),
                status: AnswerStatus::Failed,
                fields: Fields::default(),
                names: TemplateFields {
                    names: vec![None; template.matches(VAR).count()],
                    ..TemplateFields::default()
                },
                reason: reason.unwrap_or_default(),
            },
        };
        self.cache.put(&key, &answer)?;
        Ok(Outcome::Asked {
            answer,
            attempts,
            stats,
        })
    }

    /// Names the templates the rules could not, most frequent first, each from its example event.
    /// `on_outcome` sees each result as it comes (to stream fields into a table). Stops early when `cancel`
    /// says so. Returns the number of templates handled.
    pub fn name_templates(
        &mut self,
        templates: &[&Template],
        cancel: &dyn Fn() -> bool,
        on_outcome: &mut dyn FnMut(&Template, &Outcome),
    ) -> Result<usize> {
        let mut order: Vec<&Template> = templates.to_vec();
        order.sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
        let mut done = 0;
        for t in order {
            if cancel() {
                break;
            }
            let outcome = self.name(&t.template, &t.example.message, cancel)?;
            on_outcome(t, &outcome);
            if outcome == Outcome::Cancelled {
                break;
            }
            done += 1;
        }
        Ok(done)
    }
}

/// Whether a template needs the model: it has a variable (`<*>`) that the rules did not name. A variable is named
/// when it is the value of a `key=` or `key:` pair (`user=<*>`, `"took": <*>`); the format's own fields are named
/// too, so templates of access logs (whose request parts the format already splits into `client_ip`, `method`,
/// `path`, ...) are never sent. `format` is the format name of the template's example event (`FormatId::as_str`).
/// Events of unknown format are always candidates: their whole line is the message.
pub fn needs_naming(template: &str, format: &str) -> bool {
    if matches!(format, "access_combined" | "access_common") {
        return false;
    }
    let mut at = 0;
    while let Some(i) = template[at..].find(VAR) {
        let before = template[..at + i].trim_end_matches([' ', '"', '\'']);
        let keyed = before
            .strip_suffix('=')
            .or_else(|| before.strip_suffix(':'))
            .map(|k| k.trim_end_matches([' ', '"', '\'']))
            .is_some_and(|k| k.ends_with(|c: char| c.is_alphanumeric() || c == '_'));
        if !keyed {
            return true;
        }
        at += i + VAR.len();
    }
    false
}

/// The part of an event's message that templates are mined from (its first line), for aligning the event with its
/// template ([`crate::fields::event_fields`]).
pub fn mined_text(message: &str) -> &str {
    message.split('\n').next().unwrap_or("")
}

/// The first `max` bytes of `s`, cut at a character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::{cut, needs_naming};

    #[test]
    fn cuts_at_char_boundaries() {
        assert_eq!(cut("héllo", 2), "h");
        assert_eq!(cut("héllo", 3), "hé");
        assert_eq!(cut("abc", 10), "abc");
    }

    #[test]
    fn templates_the_rules_named_are_not_sent() {
        assert!(!needs_naming("service started", "unknown"));
        assert!(!needs_naming("user=<*> took=<*>", "logfmt"));
        assert!(!needs_naming("\"ms\": <*>, user: <*>", "json"));
        assert!(needs_naming("user=<*> took <*>ms", "logfmt"));
        assert!(needs_naming(
            "Accepted password for <*> from <*>",
            "unknown"
        ));
        assert!(needs_naming("<*> connected", "syslog_rfc3164"));
        assert!(!needs_naming("GET <*> HTTP/1.1", "access_combined"));
    }
}

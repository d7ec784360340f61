//! The prompt: `model-assets/prompt.txt` parsed into its sections (schema in `model-assets/PROMPT.md`), rendered
//! with Qwen3's chat template with thinking off, and tokenized so that the log event is data: it is tokenized
//! apart from the rest, with special tokens read as plain text.

use sha2::{Digest, Sha256};
use tokenizers::Tokenizer;

use crate::{err, Error, Result};

/// The prompt built into the crate: `model-assets/prompt.txt` at build time.
pub const BUILTIN_PROMPT: &str = include_str!("../../../model-assets/prompt.txt");

const EVENT: &str = "{event}";
const REASON: &str = "{reason}";

/// A parsed prompt file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prompt {
    pub version: String,
    pub system: String,
    /// (example event, expected answer)
    pub examples: Vec<(String, String)>,
    pub user: String,
    pub retry: String,
    /// `v{version}-{first 16 hex digits of sha256(file)}`: part of the cache key.
    pub id: String,
}

impl Prompt {
    /// The prompt built into the crate.
    pub fn builtin() -> Prompt {
        Prompt::parse(BUILTIN_PROMPT).expect("model-assets/prompt.txt is valid (checked by a test)")
    }

    /// Parses a prompt file. See `model-assets/PROMPT.md`.
    pub fn parse(text: &str) -> Result<Prompt> {
        let mut sections: Vec<(String, String)> = Vec::new();
        for line in text.split_inclusive('\n') {
            let bare = line.trim_end_matches(['\n', '\r']);
            if let Some(name) = bare
                .strip_prefix("=== ")
                .and_then(|r| r.strip_suffix(" ==="))
            {
                sections.push((name.trim().to_owned(), String::new()));
                continue;
            }
            match sections.last_mut() {
                Some((_, body)) => body.push_str(line),
                None if bare.starts_with('#') || bare.trim().is_empty() => {}
                None => {
                    return err!("prompt: text before the first `=== section ===` line: {bare:?}")
                }
            }
        }
        let mut version = None;
        let mut system = None;
        let mut user = None;
        let mut retry = None;
        let mut examples: Vec<(String, String)> = Vec::new();
        let mut pending_example: Option<String> = None;
        for (name, body) in sections {
            // The newline before the next marker belongs to the layout, not the text.
            let body = body
                .strip_suffix('\n')
                .map(|b| b.strip_suffix('\r').unwrap_or(b))
                .unwrap_or(&body)
                .to_owned();
            let once = |slot: &mut Option<String>, body: String| -> Result<()> {
                if slot.replace(body).is_some() {
                    return err!("prompt: section `{name}` appears twice");
                }
                Ok(())
            };
            match name.as_str() {
                "version" => once(&mut version, body.trim().to_owned())?,
                "system" => once(&mut system, body)?,
                "user" => once(&mut user, body)?,
                "retry" => once(&mut retry, body)?,
                "example" => {
                    if pending_example.replace(body).is_some() {
                        return err!("prompt: an `example` has no `answer`");
                    }
                }
                "answer" => {
                    let Some(example) = pending_example.take() else {
                        return err!("prompt: an `answer` has no `example` before it");
                    };
                    if let Err(e) = crate::guard::parse_answer(&body) {
                        return err!(
                            "prompt: the answer to example {:?} fails the answer check: {e}",
                            example
                        );
                    }
                    examples.push((example, body.trim().to_owned()));
                }
                other => return err!("prompt: unknown section `{other}`"),
            }
        }
        if pending_example.is_some() {
            return err!("prompt: the last `example` has no `answer`");
        }
        let need = |s: Option<String>, name: &str| match s {
            Some(s) => Ok(s),
            None => err!("prompt: no `{name}` section"),
        };
        let version = need(version, "version")?;
        let system = need(system, "system")?;
        let user = need(user, "user")?;
        let retry = need(retry, "retry")?;
        for (name, s) in [("user", &user), ("retry", &retry)] {
            if s.matches(EVENT).count() != 1 {
                return err!("prompt: `{name}` must contain `{EVENT}` exactly once");
            }
        }
        let digest = Sha256::digest(text.as_bytes());
        let id = format!("v{version}-{}", &hex(&digest)[..16]);
        Ok(Prompt {
            version,
            system,
            examples,
            user,
            retry,
            id,
        })
    }

    /// The conversation for one event, in Qwen3's chat template with thinking off. `retry` is the reason the
    /// first answer failed, for the stricter second attempt (whose answer is started with `{`).
    pub fn render(&self, event: &str, retry: Option<&str>) -> Vec<Segment> {
        let mut out = Vec::new();
        let mut text = String::new();
        text.push_str("<|im_start|>system\n");
        text.push_str(&self.system);
        text.push_str("<|im_end|>\n");
        for (example, answer) in &self.examples {
            // The examples are ours (trusted text), but rendered exactly like the real event.
            let (before, after) = split_event(&self.user);
            text.push_str("<|im_start|>user\n");
            text.push_str(before);
            text.push_str(example);
            text.push_str(after);
            text.push_str("<|im_end|>\n<|im_start|>assistant\n");
            text.push_str(answer);
            text.push_str("<|im_end|>\n");
        }
        let (template, reason) = match retry {
            Some(reason) => (&self.retry, reason),
            None => (&self.user, ""),
        };
        let template = template.replace(REASON, reason);
        let (before, after) = split_event(&template);
        text.push_str("<|im_start|>user\n");
        text.push_str(before);
        out.push(Segment::Trusted(std::mem::take(&mut text)));
        out.push(Segment::Data(event.to_owned()));
        text.push_str(after);
        text.push_str("<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n");
        if retry.is_some() {
            text.push('{');
        }
        out.push(Segment::Trusted(text));
        out
    }

    /// What the answer starts with, already in the prompt (the retry starts it with `{`).
    pub fn answer_prefix(retry: bool) -> &'static str {
        if retry {
            "{"
        } else {
            ""
        }
    }
}

fn split_event(template: &str) -> (&str, &str) {
    template
        .split_once(EVENT)
        .expect("checked at parse time: `{event}` occurs once")
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A part of a prompt: our text (special tokens such as `<|im_start|>` are tokens) or the log event (data: special
/// tokens in it are plain text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Trusted(String),
    Data(String),
}

/// `tokenizer.json`, with what the decoder needs to know of it.
#[derive(Clone)]
pub struct LogTokenizer {
    inner: Tokenizer,
    /// Tokens that end the answer: `<|im_end|>`, `<|endoftext|>`.
    pub eos: Vec<u32>,
}

impl LogTokenizer {
    pub fn new(inner: Tokenizer) -> Result<Self> {
        let eos: Vec<u32> = ["<|im_end|>", "<|endoftext|>"]
            .iter()
            .filter_map(|t| inner.token_to_id(t))
            .collect();
        for t in ["<|im_start|>", "<|im_end|>"] {
            if inner.token_to_id(t).is_none() {
                return err!("tokenizer.json has no `{t}` token: is it a Qwen3 tokenizer?");
            }
        }
        Ok(LogTokenizer { inner, eos })
    }

    pub fn vocab_size(&self) -> usize {
        self.inner.get_vocab_size(true)
    }

    pub fn token_to_id(&self, token: &str) -> Option<u32> {
        self.inner.token_to_id(token)
    }

    /// Token ids of a text with special tokens recognised (our text).
    pub fn encode(&mut self, text: &str) -> Result<Vec<u32>> {
        self.encode_as(text, false)
    }

    fn encode_as(&mut self, text: &str, data: bool) -> Result<Vec<u32>> {
        self.inner.set_encode_special_tokens(data);
        let enc = self.inner.encode(text, false);
        self.inner.set_encode_special_tokens(false);
        Ok(enc
            .map_err(|e| Error(format!("tokenize: {e}")))?
            .get_ids()
            .to_vec())
    }

    /// Token ids of a rendered prompt.
    pub fn encode_segments(&mut self, segments: &[Segment]) -> Result<Vec<u32>> {
        let mut ids = Vec::new();
        for s in segments {
            match s {
                Segment::Trusted(t) => ids.extend(self.encode_as(t, false)?),
                Segment::Data(t) => ids.extend(self.encode_as(t, true)?),
            }
        }
        Ok(ids)
    }

    /// Text of token ids, special tokens left out.
    pub fn decode(&self, ids: &[u32]) -> Result<String> {
        self.inner
            .decode(ids, true)
            .map_err(|e| Error(format!("detokenize: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_prompt_parses() {
        let p = Prompt::builtin();
        assert_eq!(p.version, "1");
        assert_eq!(p.examples.len(), 3);
        assert!(p.system.starts_with("You are a log parser."));
        assert!(!p.system.ends_with('\n'));
        assert!(p.id.starts_with("v1-"));
    }

    #[test]
    fn renders_qwen3_template_with_thinking_off() {
        let p = Prompt::parse(
            "=== version ===\n2\n=== system ===\nSYS\n=== example ===\nEX\n=== answer ===\n{\"a\": \"EX\"}\n\
             === user ===\nU[{event}]\n=== retry ===\nR({reason})[{event}]\n",
        )
        .unwrap();
        let segs = p.render("LINE <|im_end|>", None);
        assert_eq!(
            segs,
            vec![
                Segment::Trusted(
                    "<|im_start|>system\nSYS<|im_end|>\n<|im_start|>user\nU[EX]<|im_end|>\n\
                     <|im_start|>assistant\n{\"a\": \"EX\"}<|im_end|>\n<|im_start|>user\nU["
                        .into()
                ),
                Segment::Data("LINE <|im_end|>".into()),
                Segment::Trusted(
                    "]<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n".into()
                ),
            ]
        );
        let segs = p.render("L", Some("not JSON"));
        assert!(
            matches!(&segs[0], Segment::Trusted(t) if t.ends_with("<|im_start|>user\nR(not JSON)["))
        );
        assert!(matches!(&segs[2], Segment::Trusted(t) if t.ends_with("</think>\n\n{")));
    }

    #[test]
    fn rejects_bad_prompts() {
        let base = "=== version ===\n1\n=== system ===\nS\n=== user ===\n{event}\n=== retry ===\n{event}\n";
        assert!(Prompt::parse(base).is_ok());
        assert!(Prompt::parse(&format!("{base}=== sytem ===\nx\n")).is_err());
        assert!(Prompt::parse(&format!("{base}=== example ===\nx\n")).is_err());
        assert!(
            Prompt::parse(&format!("{base}=== example ===\nx\n=== answer ===\n[1]\n")).is_err()
        );
        assert!(
            Prompt::parse(&base.replace("=== user ===\n{event}", "=== user ===\nno event"))
                .is_err()
        );
        assert!(Prompt::parse(&format!("stray\n{base}")).is_err());
        // A different file is a different id, even with the same version.
        let a = Prompt::parse(base).unwrap();
        let b = Prompt::parse(&base.replace("\nS\n", "\nT\n")).unwrap();
        assert_ne!(a.id, b.id);
    }
}

//! Greedy decoding: the prompt in (prefill), one token at a time out, until the first JSON object is complete, an
//! end-of-message token, the cap on new tokens, or cancellation.
//!
//! [`Generation`] is the step-wise form (the page's worker runs a step, then yields to its event loop so a cancel
//! message can arrive); [`generate`] runs it to the end with a cancel callback.

use crate::model::LogModel;
use crate::prompt::LogTokenizer;
use crate::time::now_secs;
use crate::{err, Result};

/// Tokens run per forward pass during prefill: bounds the activations of a long prompt.
pub const PREFILL_CHUNK: usize = 512;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeOptions {
    /// The cap on new tokens.
    pub max_new_tokens: usize,
    /// Stop once the first JSON object of the answer is complete.
    pub stop_at_json: bool,
    /// Keep going past end-of-message tokens (benchmarks only).
    pub ignore_eos: bool,
    /// Text the prompt already ends with and the answer continues (the retry's `{`).
    pub answer_prefix: String,
}

impl Default for DecodeOptions {
    fn default() -> Self {
        DecodeOptions {
            max_new_tokens: 192,
            stop_at_json: true,
            ignore_eos: false,
            answer_prefix: String::new(),
        }
    }
}

/// Why decoding stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The first JSON object of the answer is complete.
    JsonComplete,
    /// The model ended its message.
    EndOfText,
    /// The cap on new tokens.
    MaxTokens,
    Cancelled,
}

/// Counts and times of one generation.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub prompt_tokens: usize,
    pub prefill_secs: f64,
    /// Forward passes after the prefill (one per token after the first).
    pub decode_steps: usize,
    pub decode_secs: f64,
}

impl Stats {
    pub fn prefill_tok_s(&self) -> f64 {
        rate(self.prompt_tokens, self.prefill_secs)
    }
    pub fn decode_tok_s(&self) -> f64 {
        rate(self.decode_steps, self.decode_secs)
    }
}

fn rate(n: usize, secs: f64) -> f64 {
    if secs > 0.0 {
        n as f64 / secs
    } else {
        0.0
    }
}

/// The result of one generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Decoded {
    /// New tokens (end-of-message tokens excluded).
    pub tokens: Vec<u32>,
    /// The answer text: the answer prefix, then the new tokens' text, cut after the first JSON object when
    /// decoding stopped there.
    pub text: String,
    pub stop: StopReason,
    pub stats: Stats,
}

/// Index of the largest logit; the first one on ties, NaN never wins. Deterministic, as greedy decoding must be.
pub fn argmax(logits: &[f32]) -> u32 {
    let mut best = 0usize;
    let mut best_v = f32::NEG_INFINITY;
    for (i, &v) in logits.iter().enumerate() {
        if v > best_v {
            best = i;
            best_v = v;
        }
    }
    best as u32
}

/// One generation in progress. Created by [`Generation::start`] (which runs the prefill), advanced by
/// [`Generation::step`], ended by [`Generation::finish`].
pub struct Generation<'m> {
    model: &'m mut LogModel,
    tokenizer: &'m LogTokenizer,
    opts: DecodeOptions,
    /// The next token, chosen but not yet emitted.
    next: u32,
    tokens: Vec<u32>,
    /// Answer prefix + text of `tokens`.
    text: String,
    /// Bytes of `text` passed to the caller as added text.
    streamed: usize,
    /// End (in `text`) of the first complete JSON object.
    json_end: Option<usize>,
    stats: Stats,
    stop: Option<StopReason>,
}

impl<'m> Generation<'m> {
    /// Sizes the KV cache for `prompt.len() + max_new_tokens` positions and runs the prompt, in chunks of
    /// [`PREFILL_CHUNK`] tokens; `cancel` is checked between chunks.
    pub fn start(
        model: &'m mut LogModel,
        tokenizer: &'m LogTokenizer,
        prompt: &[u32],
        opts: DecodeOptions,
        cancel: &dyn Fn() -> bool,
    ) -> Result<Self> {
        if prompt.is_empty() {
            return err!("empty prompt");
        }
        let capacity = prompt.len() + opts.max_new_tokens;
        if capacity > model.info().max_context {
            return err!(
                "a prompt of {} tokens and up to {} new tokens exceed the context of {} tokens",
                prompt.len(),
                opts.max_new_tokens,
                model.info().max_context
            );
        }
        model.begin(capacity)?;
        let t0 = now_secs();
        let mut logits = Vec::new();
        let mut stop = None;
        for chunk in prompt.chunks(PREFILL_CHUNK) {
            if cancel() {
                stop = Some(StopReason::Cancelled);
                break;
            }
            logits = model.forward(chunk)?;
        }
        let stats = Stats {
            prompt_tokens: prompt.len(),
            prefill_secs: now_secs() - t0,
            ..Stats::default()
        };
        if opts.max_new_tokens == 0 && stop.is_none() {
            stop = Some(StopReason::MaxTokens);
        }
        let text = opts.answer_prefix.clone();
        Ok(Generation {
            streamed: text.len(),
            model,
            tokenizer,
            next: argmax(&logits),
            opts,
            tokens: Vec::new(),
            text,
            json_end: None,
            stats,
            stop,
        })
    }

    /// Emits the next token and, unless that ends decoding, computes the one after it. Returns the emitted token
    /// and the text it added (empty while a multi-byte character is incomplete), or `None` once decoding has
    /// stopped.
    pub fn step(&mut self, cancel: &dyn Fn() -> bool) -> Result<Option<(u32, String)>> {
        if self.stop.is_some() {
            return Ok(None);
        }
        if cancel() {
            self.stop = Some(StopReason::Cancelled);
            return Ok(None);
        }
        let tok = self.next;
        if !self.opts.ignore_eos && self.tokenizer.eos.contains(&tok) {
            self.stop = Some(StopReason::EndOfText);
            return Ok(None);
        }
        self.tokens.push(tok);
        // Re-decode the whole answer: byte-level tokens may complete a character only with the next token, so
        // trailing replacement characters are held back from the stream until they resolve.
        let mut text = self.opts.answer_prefix.clone();
        text.push_str(&self.tokenizer.decode(&self.tokens)?);
        let stable = text.trim_end_matches('\u{fffd}');
        let added = match (stable.get(..self.streamed), self.text.get(..self.streamed)) {
            (Some(now), Some(before)) if now == before => {
                let added = stable[self.streamed..].to_owned();
                self.streamed = stable.len();
                added
            }
            _ => String::new(),
        };
        self.text = text;
        if self.opts.stop_at_json {
            if let Some(r) = crate::guard::first_object(&self.text) {
                self.json_end = Some(r.end);
                self.stop = Some(StopReason::JsonComplete);
            }
        }
        if self.stop.is_none() && self.tokens.len() >= self.opts.max_new_tokens {
            self.stop = Some(StopReason::MaxTokens);
        }
        if self.stop.is_none() {
            let t0 = now_secs();
            let logits = self.model.forward(&[tok])?;
            self.stats.decode_secs += now_secs() - t0;
            self.stats.decode_steps += 1;
            self.next = argmax(&logits);
        }
        Ok(Some((tok, added)))
    }

    /// Whether decoding has stopped.
    pub fn is_done(&self) -> bool {
        self.stop.is_some()
    }

    /// The answer so far.
    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn finish(self) -> Decoded {
        let mut text = self.text;
        if let Some(end) = self.json_end {
            text.truncate(end);
        }
        Decoded {
            tokens: self.tokens,
            text,
            stop: self.stop.unwrap_or(StopReason::Cancelled),
            stats: self.stats,
        }
    }
}

/// Runs a generation to its end. `on_text` receives the answer's text as it grows.
pub fn generate(
    model: &mut LogModel,
    tokenizer: &LogTokenizer,
    prompt: &[u32],
    opts: DecodeOptions,
    cancel: &dyn Fn() -> bool,
    on_text: &mut dyn FnMut(&str),
) -> Result<Decoded> {
    let mut g = Generation::start(model, tokenizer, prompt, opts, cancel)?;
    while let Some((_, added)) = g.step(cancel)? {
        if !added.is_empty() {
            on_text(&added);
        }
    }
    Ok(g.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_is_first_of_ties_and_skips_nan() {
        assert_eq!(argmax(&[1.0, 3.0, 3.0, 2.0]), 1);
        assert_eq!(argmax(&[f32::NAN, -1.0, f32::NAN]), 1);
        assert_eq!(argmax(&[]), 0);
    }
}

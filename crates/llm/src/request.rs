//! The request: provider, endpoint convention, the JSON body (the exact bytes that go on the wire) and the
//! headers. Nothing here sends anything.
//!
//! Endpoints: an OpenAI-compatible provider takes a base URL (`https://api.openai.com/v1`,
//! `http://127.0.0.1:11434/v1` for Ollama, `http://host:8000/v1` for vLLM) and is sent `POST {base}/chat/completions`;
//! a full URL already ending in `/chat/completions` is used as is. Anthropic takes `https://api.anthropic.com` and
//! is sent `POST {base}/v1/messages`; a URL ending in `/v1` gets `/messages`, one ending in `/v1/messages` is used
//! as is. Only `http` and `https`; no user name, password, query string or fragment (a key must never ride in a
//! URL, where proxies and histories keep it).
//!
//! The URL is checked by hand rather than with the `url` crate: the checks need only the scheme, the authority
//! and the absence of `?`/`#`/`@`, and `url` would add its IDNA tables to the page's wasm.

use crate::digest::{estimate_tokens, Digest};
use crate::prompt;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The answer length asked for when the caller does not say.
pub const DEFAULT_MAX_TOKENS: u32 = 2048;

/// The `anthropic-version` header value this crate's body and stream decoding are written against.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// Which wire format: OpenAI chat completions (also Ollama, vLLM, LM Studio, llama.cpp server, …) or the
/// Anthropic Messages API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    #[default]
    Openai,
    Anthropic,
}

impl Provider {
    /// `openai` or `anthropic`: the name used on the command line and in settings.
    pub fn as_str(self) -> &'static str {
        match self {
            Provider::Openai => "openai",
            Provider::Anthropic => "anthropic",
        }
    }

    /// A name for people: `OpenAI-compatible API` or `Anthropic API`.
    pub fn label(self) -> &'static str {
        match self {
            Provider::Openai => "OpenAI-compatible API",
            Provider::Anthropic => "Anthropic API",
        }
    }

    /// The public endpoint of the provider, as a starting value for settings.
    pub fn default_endpoint(self) -> &'static str {
        match self {
            Provider::Openai => "https://api.openai.com/v1",
            Provider::Anthropic => "https://api.anthropic.com",
        }
    }
}

impl fmt::Display for Provider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Provider {
    type Err = String;

    fn from_str(s: &str) -> Result<Provider, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "openai" => Ok(Provider::Openai),
            "anthropic" => Ok(Provider::Anthropic),
            other => Err(format!(
                "unknown provider {other:?}: use openai (any OpenAI-compatible server) or anthropic"
            )),
        }
    }
}

/// Where to send and what to ask for. The key is not part of it: it goes only into [`headers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LlmConfig {
    pub provider: Provider,
    /// Base URL (see the module documentation for the convention).
    pub endpoint: String,
    pub model: String,
    /// Longest answer, in tokens.
    pub max_tokens: u32,
}

impl LlmConfig {
    pub fn new(provider: Provider, endpoint: &str, model: &str) -> LlmConfig {
        LlmConfig {
            provider,
            endpoint: endpoint.to_string(),
            model: model.to_string(),
            max_tokens: DEFAULT_MAX_TOKENS,
        }
    }
}

/// A request ready to send: `POST url` with `body` and [`headers`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreparedRequest {
    pub url: String,
    /// The exact bytes sent: pretty-printed JSON.
    pub body: String,
    /// Estimated prompt tokens: system prompt plus user message (see [`estimate_tokens`]).
    pub tokens: usize,
}

#[derive(Serialize)]
struct Message<'a> {
    role: &'static str,
    content: &'a str,
}

/// `POST /chat/completions`. Field order is fixed by the struct, so the bytes do not depend on serde_json
/// features enabled elsewhere in a build.
#[derive(Serialize)]
struct OpenAiBody<'a> {
    model: &'a str,
    stream: bool,
    max_tokens: u32,
    messages: [Message<'a>; 2],
}

/// `POST /v1/messages`.
#[derive(Serialize)]
struct AnthropicBody<'a> {
    model: &'a str,
    stream: bool,
    max_tokens: u32,
    system: &'a str,
    messages: [Message<'a>; 1],
}

/// The request for `digest` under `config`. Err: one sentence saying what is wrong with the endpoint or model.
pub fn prepare(config: &LlmConfig, digest: &Digest) -> Result<PreparedRequest, String> {
    let url = endpoint_url(config.provider, &config.endpoint)?;
    let model = config.model.trim();
    if model.is_empty() {
        return Err(
            "no model given: name the model to ask (e.g. gpt-4o-mini, llama3.1, claude-sonnet-4-5)"
                .into(),
        );
    }
    if model.chars().any(|c| c.is_control()) || model.len() > 200 {
        return Err(format!(
            "not a model name: {:?}",
            model.chars().take(60).collect::<String>()
        ));
    }
    if config.max_tokens == 0 {
        return Err("max tokens must be at least 1".into());
    }
    let system = prompt::SYSTEM;
    let user = prompt::user_message(&digest.text);
    let body = match config.provider {
        Provider::Openai => serde_json::to_string_pretty(&OpenAiBody {
            model,
            stream: true,
            max_tokens: config.max_tokens,
            messages: [
                Message {
                    role: "system",
                    content: system,
                },
                Message {
                    role: "user",
                    content: &user,
                },
            ],
        }),
        Provider::Anthropic => serde_json::to_string_pretty(&AnthropicBody {
            model,
            stream: true,
            max_tokens: config.max_tokens,
            system,
            messages: [Message {
                role: "user",
                content: &user,
            }],
        }),
    }
    .map_err(|e| e.to_string())?;
    Ok(PreparedRequest {
        url,
        body,
        tokens: estimate_tokens(system) + estimate_tokens(&user),
    })
}

/// The headers to send with the body. The key appears here and nowhere else.
pub fn headers(provider: Provider, key: &str) -> Vec<(&'static str, String)> {
    let key = key.trim();
    let mut h = vec![
        ("content-type", "application/json".to_string()),
        ("accept", "text/event-stream".to_string()),
    ];
    match provider {
        Provider::Openai => h.push(("authorization", format!("Bearer {key}"))),
        Provider::Anthropic => {
            h.push(("x-api-key", key.to_string()));
            h.push(("anthropic-version", ANTHROPIC_VERSION.to_string()));
            // Anthropic answers a browser's CORS preflight only with this opt-in; harmless elsewhere.
            h.push((
                "anthropic-dangerous-direct-browser-access",
                "true".to_string(),
            ));
        }
    }
    h
}

/// The URL to POST to for `endpoint` (see the module documentation), or why it cannot be used.
pub fn endpoint_url(provider: Provider, endpoint: &str) -> Result<String, String> {
    let e = endpoint.trim();
    if e.is_empty() {
        return Err(format!(
            "no endpoint given: use a base URL such as {}",
            provider.default_endpoint()
        ));
    }
    let lower = e.to_ascii_lowercase();
    let rest = if lower.starts_with("https://") {
        &e[8..]
    } else if lower.starts_with("http://") {
        &e[7..]
    } else {
        return Err(format!(
            "endpoint must start with http:// or https:// (e.g. {})",
            provider.default_endpoint()
        ));
    };
    if e.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err("endpoint must not contain spaces or control characters".into());
    }
    if e.contains('?') || e.contains('#') {
        return Err(
            "endpoint must not have a query string or fragment (keys never go into the URL; the key is sent in a header)"
                .into(),
        );
    }
    let authority = rest.split('/').next().unwrap_or("");
    if authority.contains('@') {
        return Err(
            "endpoint must not contain a user name or password (the key is sent in a header)"
                .into(),
        );
    }
    let (host, port) = match authority.strip_prefix('[') {
        Some(v6) => {
            let (h, after) = v6
                .split_once(']')
                .ok_or("endpoint: an IPv6 address needs its closing ]")?;
            if !after.is_empty() && !after.starts_with(':') {
                return Err(format!(
                    "endpoint: unexpected {after:?} after the IPv6 address"
                ));
            }
            (h, after.strip_prefix(':'))
        }
        None => match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority, None),
        },
    };
    if host.is_empty() {
        return Err("endpoint has no host name".into());
    }
    if let Some(port) = port {
        if port.parse::<u16>().is_err() {
            return Err(format!("endpoint port is not a number: {port:?}"));
        }
    }
    let base = e.trim_end_matches('/');
    let path = rest[authority.len()..].trim_end_matches('/');
    let url = match provider {
        Provider::Openai if path.ends_with("/chat/completions") => base.to_string(),
        Provider::Openai => format!("{base}/chat/completions"),
        Provider::Anthropic if path.ends_with("/v1/messages") => base.to_string(),
        Provider::Anthropic if path.ends_with("/v1") => format!("{base}/messages"),
        Provider::Anthropic => format!("{base}/v1/messages"),
    };
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_convention() {
        let o = Provider::Openai;
        let a = Provider::Anthropic;
        let ok = [
            (
                o,
                "https://api.openai.com/v1",
                "https://api.openai.com/v1/chat/completions",
            ),
            (
                o,
                "https://api.openai.com/v1/",
                "https://api.openai.com/v1/chat/completions",
            ),
            (
                o,
                " http://127.0.0.1:11434/v1 ",
                "http://127.0.0.1:11434/v1/chat/completions",
            ),
            (
                o,
                "http://[::1]:8000/v1",
                "http://[::1]:8000/v1/chat/completions",
            ),
            (
                o,
                "http://h:8000/v1/chat/completions",
                "http://h:8000/v1/chat/completions",
            ),
            (
                o,
                "HTTPS://x.example/openai/deployments/d",
                "HTTPS://x.example/openai/deployments/d/chat/completions",
            ),
            (
                a,
                "https://api.anthropic.com",
                "https://api.anthropic.com/v1/messages",
            ),
            (
                a,
                "https://api.anthropic.com/",
                "https://api.anthropic.com/v1/messages",
            ),
            (
                a,
                "https://api.anthropic.com/v1",
                "https://api.anthropic.com/v1/messages",
            ),
            (
                a,
                "http://127.0.0.1:9/v1/messages",
                "http://127.0.0.1:9/v1/messages",
            ),
        ];
        for (p, input, want) in ok {
            assert_eq!(endpoint_url(p, input).as_deref(), Ok(want), "{input}");
        }
        let bad = [
            ("", "no endpoint"),
            ("ftp://x/v1", "http:// or https://"),
            ("api.openai.com/v1", "http:// or https://"),
            ("https://api.openai.com/v1?key=sk-123", "query string"),
            (
                "https://user:sk-123@api.openai.com/v1",
                "user name or password",
            ),
            ("https:///v1", "no host"),
            ("http://h:port/v1", "port"),
            ("http://h/v 1", "spaces"),
        ];
        for (input, want) in bad {
            let err = endpoint_url(o, input).unwrap_err();
            assert!(err.contains(want), "{input}: {err}");
        }
    }

    #[test]
    fn provider_names() {
        assert_eq!("openai".parse::<Provider>(), Ok(Provider::Openai));
        assert_eq!(" Anthropic".parse::<Provider>(), Ok(Provider::Anthropic));
        assert!("gemini"
            .parse::<Provider>()
            .unwrap_err()
            .contains("unknown provider"));
        assert_eq!(
            serde_json::to_string(&Provider::Anthropic).unwrap(),
            "\"anthropic\""
        );
    }

    #[test]
    fn headers_carry_the_key_only_in_auth() {
        let h = headers(Provider::Openai, "sk-test");
        assert!(h.contains(&("authorization", "Bearer sk-test".into())));
        assert!(h.contains(&("accept", "text/event-stream".into())));
        let h = headers(Provider::Anthropic, "sk-ant");
        assert!(h.contains(&("x-api-key", "sk-ant".into())));
        assert!(h.contains(&("anthropic-version", ANTHROPIC_VERSION.into())));
        assert!(h.contains(&("anthropic-dangerous-direct-browser-access", "true".into())));
        assert!(!h.iter().any(|(k, _)| *k == "authorization"));
    }

    #[test]
    fn bodies() {
        let digest = Digest {
            text: "<log_data>\n\"x\"\n</log_data>".into(),
            tokens: 5,
            omitted: vec![],
        };
        let mut c = LlmConfig::new(Provider::Openai, "http://127.0.0.1:1/v1", "m1");
        let r = prepare(&c, &digest).unwrap();
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["model"], "m1");
        assert_eq!(v["stream"], true);
        assert_eq!(v["messages"][0]["role"], "system");
        assert!(v["messages"][1]["content"]
            .as_str()
            .unwrap()
            .contains("<log_data>"));
        assert!(r.body.contains("\n  \"model\""), "pretty-printed");
        c.provider = Provider::Anthropic;
        let r = prepare(&c, &digest).unwrap();
        assert_eq!(r.url, "http://127.0.0.1:1/v1/messages");
        let v: serde_json::Value = serde_json::from_str(&r.body).unwrap();
        assert_eq!(v["system"], prompt::SYSTEM);
        assert_eq!(v["max_tokens"], DEFAULT_MAX_TOKENS);
        assert_eq!(v["messages"].as_array().unwrap().len(), 1);
        c.model = "  ".into();
        assert!(prepare(&c, &digest).unwrap_err().contains("no model"));
    }
}

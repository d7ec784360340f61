//! One clear sentence for a failed request: what the HTTP status means for a bring-your-own-key user, plus the
//! provider's own `error.message` when the body has one (secrets in it masked, cut to 300 characters).

use crate::request::Provider;

/// The longest provider message quoted.
const MAX_PROVIDER_MESSAGE: usize = 300;

/// What went wrong, for an HTTP `status` other than 2xx with response `body`.
pub fn http_error_message(provider: Provider, status: u16, body: &str) -> String {
    let what = match status {
        401 => "the API key was rejected (HTTP 401 Unauthorized): check that the key is right and still valid".to_string(),
        403 => "the API key is not allowed to do this (HTTP 403 Forbidden): check the key's permissions, the model's access and the organisation or project".to_string(),
        404 => format!(
            "endpoint or model not found (HTTP 404): check the model name and the endpoint URL ({} expects a base URL like {})",
            provider.label(),
            provider.default_endpoint()
        ),
        408 | 504 => format!("the {} timed out (HTTP {status}): try again, or a smaller budget", provider.label()),
        413 => "the request is too large for the provider (HTTP 413): lower the token budget".to_string(),
        400 | 422 => format!("the {} refused the request (HTTP {status})", provider.label()),
        429 => "rate limit or quota exceeded (HTTP 429 Too Many Requests): wait a minute and retry, or check the plan's quota and billing".to_string(),
        529 => "the provider is overloaded (HTTP 529): retry in a little while".to_string(),
        500..=599 => format!("the {} failed on its side (HTTP {status}): retry later", provider.label()),
        _ => format!("unexpected answer from the {} (HTTP {status})", provider.label()),
    };
    match provider_message(body) {
        Some(m) => format!("{what}. The provider said: {m}"),
        None => what,
    }
}

/// `error.message` (OpenAI, Anthropic, vLLM), `error` as a string (Ollama) or `message`/`detail` at the top.
fn provider_message(body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body.trim()).ok()?;
    let m = v
        .pointer("/error/message")
        .or_else(|| v.get("error").filter(|e| e.is_string()))
        .or_else(|| v.get("message"))
        .or_else(|| v.get("detail").filter(|e| e.is_string()))?
        .as_str()?
        .trim();
    if m.is_empty() {
        return None;
    }
    // Providers echo parts of a wrong key ("Incorrect API key provided: sk-…"): mask what looks like one.
    let masked = logsieve_findings::Redactor::new().redact(m).into_owned();
    let one_line = masked.split_whitespace().collect::<Vec<_>>().join(" ");
    Some(logsieve_findings::text::ellipsize(
        &one_line,
        MAX_PROVIDER_MESSAGE,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        let p = Provider::Openai;
        assert!(http_error_message(p, 401, "").contains("API key was rejected"));
        assert!(http_error_message(p, 429, "").contains("rate limit"));
        assert!(http_error_message(p, 404, "").contains("https://api.openai.com/v1"));
        assert!(
            http_error_message(Provider::Anthropic, 404, "").contains("https://api.anthropic.com")
        );
        assert!(http_error_message(p, 503, "<html>").contains("HTTP 503"));
    }

    #[test]
    fn quotes_the_provider_message() {
        let openai = r#"{"error":{"message":"Incorrect API key provided: sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD.","type":"invalid_request_error"}}"#;
        let m = http_error_message(Provider::Openai, 401, openai);
        assert!(
            m.contains("The provider said: Incorrect API key provided"),
            "{m}"
        );
        assert!(!m.contains("abcdefghijklmnop"), "{m}");
        let anthropic = r#"{"type":"error","error":{"type":"rate_limit_error","message":"Number of requests has exceeded your rate limit"}}"#;
        let m = http_error_message(Provider::Anthropic, 429, anthropic);
        assert!(
            m.ends_with("Number of requests has exceeded your rate limit"),
            "{m}"
        );
        let ollama = r#"{"error":"model \"llama9\" not found, try pulling it first"}"#;
        assert!(http_error_message(Provider::Openai, 404, ollama).contains("llama9"));
    }
}

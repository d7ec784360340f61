//! `logsieve ask`: the analysis of `logsieve analyze`, reduced to a redacted digest (crate `logsieve-llm`), sent
//! to an OpenAI-compatible or Anthropic endpoint with the user's own key (`LOGSIEVE_LLM_KEY`), the answer
//! streamed to stdout as it arrives. `--dry-run` prints the exact request body and sends nothing.
//!
//! The key is read from the environment only (never a flag: flags end up in shell histories and process lists),
//! goes into one request header, and is scrubbed from any message this command prints.

use crate::input::Source;
use crate::Invocation;
use logsieve_engine::ParseOptions;
use logsieve_llm::{
    build_digest, endpoint_url, headers, http_error_message, prepare, DigestInput, LlmConfig,
    Provider, StreamDecoder, StreamEvent, TemplateCount, DEFAULT_BUDGET_TOKENS,
};
use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::Duration;

/// The environment variable that holds the API key.
pub const KEY_VAR: &str = "LOGSIEVE_LLM_KEY";

const USAGE: &str = "\
logsieve ask: ask a language model about a log with your own key; only a redacted digest is sent.

Usage:
  logsieve ask FILE|- --endpoint URL --model MODEL [options]

Options:
  --provider P          openai (default; any OpenAI-compatible server: OpenAI, Ollama, vLLM, …) or anthropic
  --endpoint URL        base URL: https://api.openai.com/v1, http://127.0.0.1:11434/v1 (Ollama),
                        https://api.anthropic.com; a full …/chat/completions or …/v1/messages URL is used as is
  --model MODEL         the model name, e.g. gpt-4o-mini, llama3.1, claude-sonnet-4-5
  --max-tokens N        longest answer in tokens (default 2048)
  --budget TOKENS       size of the digest in tokens (default 6000); what is cut is listed in the digest
  --dry-run             print the exact request body on stdout and send nothing (no key needed)
  --connect-timeout S   seconds to connect (default 30)
  --idle-timeout S      seconds without a byte of the answer before giving up (default 120)
  --year YYYY           year for dates written without one
  -h, --help            this text

The key is read from LOGSIEVE_LLM_KEY; it is sent in one header (Authorization: Bearer, or x-api-key) and
never printed. Exit status: 0 answered, 1 the provider or the network failed, 2 bad usage or unreadable input.";

/// What `ask` was told on its command line.
struct AskOptions {
    input: String,
    year: Option<i32>,
    config: LlmConfig,
    budget: usize,
    dry_run: bool,
    connect_timeout: Duration,
    idle_timeout: Duration,
}

/// `logsieve ask …` (`args`: what follows `ask`).
pub fn main(args: &[String]) -> Result<ExitCode, String> {
    let Some(opts) = parse_args(args)? else {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    // Check what can be checked before reading a large file.
    endpoint_url(opts.config.provider, &opts.config.endpoint)?;
    if opts.config.model.trim().is_empty() {
        return Err("ask: --model is required (e.g. --model gpt-4o-mini); see ask --help".into());
    }
    let key = if opts.dry_run {
        None
    } else {
        match std::env::var(KEY_VAR) {
            Ok(k) if !k.trim().is_empty() => Some(k),
            _ => {
                return Err(format!(
                    "ask: set {KEY_VAR} to your API key (or use --dry-run to see what would be sent); for a local server without keys any value will do"
                ))
            }
        }
    };

    let inv = Invocation {
        source: Source::open(&opts.input)?,
        opts: match opts.year {
            Some(y) => ParseOptions::with_year(y),
            None => ParseOptions::with_year(crate::current_year()),
        },
        model: Default::default(),
    };
    let crate::analyze::Analysed {
        stats,
        analysis,
        map,
        error,
    } = crate::analyze::analyse(&inv, None)?;
    let templates = TemplateCount::from_map(&map);
    if let Some(e) = &error {
        eprintln!("logsieve: {e} (asking about what was readable)");
    }
    let file_name = match &inv.source {
        Source::Stdin => "stdin".to_string(),
        Source::File(path) => std::path::Path::new(path)
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    };
    let digest = build_digest(
        &DigestInput {
            file_name: &file_name,
            stats: &stats,
            templates: &templates,
            analysis: &analysis,
        },
        opts.budget,
    );
    let request = prepare(&opts.config, &digest)?;
    if !digest.omitted.is_empty() {
        eprintln!(
            "logsieve: to fit {} tokens the digest leaves out: {}",
            opts.budget,
            digest.omitted.join("; ")
        );
    }

    let Some(key) = key else {
        println!("{}", request.body);
        eprintln!(
            "logsieve: dry run: would POST this body ({} bytes, about {} tokens) to {}; nothing was sent",
            request.body.len(),
            request.tokens,
            request.url
        );
        return Ok(ExitCode::SUCCESS);
    };
    eprintln!(
        "logsieve: asking {} at {} (about {} tokens, redacted digest)…",
        opts.config.model.trim(),
        request.url,
        request.tokens
    );
    match send(&opts, &request, &key) {
        Ok(()) => Ok(ExitCode::SUCCESS),
        Err(msg) => {
            eprintln!("logsieve: {}", scrub(&msg, &key));
            Ok(ExitCode::from(1))
        }
    }
}

fn parse_args(args: &[String]) -> Result<Option<AskOptions>, String> {
    let mut input = None;
    let mut year = None;
    let mut provider = Provider::Openai;
    let mut endpoint = None;
    let mut model = None;
    let mut max_tokens = logsieve_llm::request::DEFAULT_MAX_TOKENS;
    let mut budget = DEFAULT_BUDGET_TOKENS;
    let mut dry_run = false;
    let mut connect_timeout = Duration::from_secs(30);
    let mut idle_timeout = Duration::from_secs(120);
    let mut it = args.iter();
    let number = |flag: &str, v: Option<&String>| -> Result<u64, String> {
        let v = v.ok_or(format!("{flag} needs a number"))?;
        v.parse::<u64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or(format!("{flag}: not a positive number: {v}"))
    };
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--provider" => {
                provider = it
                    .next()
                    .ok_or("--provider needs openai or anthropic")?
                    .parse()?
            }
            "--endpoint" => endpoint = Some(it.next().ok_or("--endpoint needs a URL")?.clone()),
            "--model" => model = Some(it.next().ok_or("--model needs a model name")?.clone()),
            "--max-tokens" => {
                max_tokens = u32::try_from(number(a, it.next())?)
                    .map_err(|_| "--max-tokens: too large".to_string())?
            }
            "--budget" => budget = number(a, it.next())? as usize,
            "--dry-run" => dry_run = true,
            "--connect-timeout" => connect_timeout = Duration::from_secs(number(a, it.next())?),
            "--idle-timeout" => idle_timeout = Duration::from_secs(number(a, it.next())?),
            "--year" => {
                let v = it.next().ok_or("--year needs a value")?;
                year = Some(v.parse().map_err(|_| format!("--year: not a year: {v}"))?);
            }
            s if s.starts_with("--") => {
                return Err(format!("ask: unknown option {s}; see ask --help"))
            }
            _ if input.is_none() => input = Some(a.clone()),
            _ => return Err("ask: one FILE only; see ask --help".into()),
        }
    }
    let input = input.ok_or("ask: missing FILE (use - for stdin); see ask --help")?;
    let endpoint = endpoint.ok_or_else(|| {
        format!(
            "ask: --endpoint is required (e.g. {} or {}); see ask --help",
            Provider::Openai.default_endpoint(),
            Provider::Anthropic.default_endpoint()
        )
    })?;
    let model =
        model.ok_or("ask: --model is required (e.g. --model gpt-4o-mini); see ask --help")?;
    Ok(Some(AskOptions {
        input,
        year,
        config: LlmConfig {
            provider,
            endpoint,
            model,
            max_tokens,
        },
        budget,
        dry_run,
        connect_timeout,
        idle_timeout,
    }))
}

/// POSTs the request and streams the answer to stdout. Err: one line for people.
fn send(
    opts: &AskOptions,
    request: &logsieve_llm::PreparedRequest,
    key: &str,
) -> Result<(), String> {
    let provider = opts.config.provider;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_connect(Some(opts.connect_timeout))
        .timeout_recv_response(Some(opts.idle_timeout))
        .timeout_per_read(Some(opts.idle_timeout))
        .http_status_as_error(false)
        // An API endpoint that redirects is misconfigured; following it would re-send the digest elsewhere.
        .max_redirects(0)
        .user_agent(concat!("logsieve/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    let mut req = agent.post(&request.url);
    for (name, value) in headers(provider, key) {
        req = req.header(name, &value);
    }
    let response = req
        .send(request.body.as_bytes())
        .map_err(|e| transport_message(&e, &request.url, opts))?;
    let status = response.status().as_u16();
    let mut reader = response.into_body().into_reader();
    if !(200..300).contains(&status) {
        let mut body = Vec::new();
        let _ = (&mut reader).take(64 << 10).read_to_end(&mut body);
        if (300..400).contains(&status) {
            return Err(format!(
                "the endpoint answered with a redirect (HTTP {status}); give the final URL with --endpoint"
            ));
        }
        return Err(http_error_message(
            provider,
            status,
            &String::from_utf8_lossy(&body),
        ));
    }

    let mut decoder = StreamDecoder::new(provider);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut buf = vec![0u8; 16 << 10];
    let mut wrote_any = false;
    let mut ends_with_newline = true;
    let mut emit =
        |events: Vec<StreamEvent>, out: &mut std::io::StdoutLock| -> Result<bool, String> {
            for e in events {
                match e {
                    StreamEvent::Text(t) => {
                        out.write_all(t.as_bytes())
                            .and_then(|_| out.flush())
                            .map_err(|e| format!("write error: {e}"))?;
                        wrote_any = true;
                        ends_with_newline = t.ends_with('\n');
                    }
                    StreamEvent::Done => return Ok(true),
                    StreamEvent::Error(m) => {
                        if wrote_any && !ends_with_newline {
                            let _ = writeln!(out);
                        }
                        return Err(format!("the {} reported an error: {m}", provider.label()));
                    }
                }
            }
            Ok(false)
        };
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                if wrote_any {
                    let _ = writeln!(out);
                }
                return Err(
                    if e.kind() == std::io::ErrorKind::TimedOut || e.to_string().contains("timeout")
                    {
                        format!(
                            "the answer stalled: nothing arrived for {} s (--idle-timeout)",
                            opts.idle_timeout.as_secs()
                        )
                    } else {
                        format!("the answer broke off: {e}")
                    },
                );
            }
        };
        if emit(decoder.push(&buf[..n]), &mut out)? {
            break;
        }
    }
    emit(decoder.finish(), &mut out)?;
    if wrote_any && !ends_with_newline {
        let _ = writeln!(out);
    }
    Ok(())
}

/// One line for a failure before any HTTP status arrived.
fn transport_message(e: &ureq::Error, url: &str, opts: &AskOptions) -> String {
    use ureq::Error;
    match e {
        Error::Timeout(t) => {
            let what = format!("{t:?}").to_ascii_lowercase();
            if what.contains("connect") || what.contains("resolve") {
                format!(
                    "could not connect to {url} within {} s (--connect-timeout)",
                    opts.connect_timeout.as_secs()
                )
            } else {
                format!(
                    "no answer from {url} within {} s (--idle-timeout)",
                    opts.idle_timeout.as_secs()
                )
            }
        }
        Error::HostNotFound => format!("{url}: host not found (check --endpoint and the network)"),
        Error::ConnectionFailed => format!("could not connect to {url}: is the server running?"),
        Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            format!("could not connect to {url}: connection refused (is the server running?)")
        }
        Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!("no answer from {url} (timed out)")
        }
        other => format!("request to {url} failed: {other}"),
    }
}

/// `msg` with the key replaced, in case a library or a server echoed it.
fn scrub(msg: &str, key: &str) -> String {
    let key = key.trim();
    if key.len() >= 4 {
        msg.replace(key, "<key>")
    } else {
        msg.to_string()
    }
}

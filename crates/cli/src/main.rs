//! `logsieve`: the command-line shell over the logsieve crates. It reads files or stdin in chunks, hands them to
//! the engine, and prints what the engine produces. No parsing or analysis logic lives here.

mod analyze;
mod ask;
mod input;
mod k8s_fix;
mod model;
mod parse;
mod redact;
mod stats;
mod templates;

use logsieve_engine::{EngineError, ParseOptions};
use std::process::ExitCode;

const USAGE: &str = "\
logsieve: structure log files into events, locally.

Usage:
  logsieve parse FILE|-       one JSON object per event (NDJSON) on stdout, with its template
  logsieve stats FILE|-       counts, formats, levels, time range, templates and speed as JSON
  logsieve templates FILE|-   the templates as JSON, most frequent first
  logsieve analyze FILE|-     a Markdown incident report: findings with evidence, fixes, commands, queries
  logsieve redact FILE|-      the input with secrets and personal data masked, line for line
  logsieve k8s-fix FILE|-     Kubernetes manifests written back with every audit finding fixed
  logsieve model-bench        the model's speed and memory, natively (see model-bench --help)
  logsieve ask FILE|- --endpoint URL --model M   ask an LLM with your own key (LOGSIEVE_LLM_KEY); only a
                              redacted digest is sent, --dry-run prints it (see ask --help)

Options:
  --year YYYY       year for dates written without one (default: the current year, UTC)
  --json            analyze: print { stats, templates, findings } as JSON instead of Markdown
  --charts DIR      analyze: also write the charts as SVG files and their series as DIR/series.json
  --geo FILE        analyze: the country database for client IPs (dist/geo/country.bin of `cargo xtask dist`)
  --model DIR       parse: name the fields of templates the rules cannot with the model in DIR (model.gguf and
                    tokenizer.json, see model-assets/README.md); each event gets a `fields` object
  --model-cache DIR parse: where answers are cached (default: ~/.cache/logsieve/model-fields)
  --model-stats     parse: the model's counts (templates, calls, cached) as one JSON line on stderr
  -h, --help        this text

Input may be plain text or gzip (detected by its first bytes). Unreadable input: exit status 2 and one line on
stderr. A truncated or corrupt gzip: everything readable is processed, then exit status 1 and one line.";

/// What a command receives: the input and the parse options.
pub struct Invocation {
    pub source: input::Source,
    pub opts: ParseOptions,
    /// `--model DIR` and its options (`parse` only).
    pub model: model::ModelOptions,
}

type Command = fn(Invocation) -> Result<ExitCode, String>;

struct Args {
    command: String,
    input: String,
    year: i32,
    analyze: analyze::AnalyzeOptions,
    model: model::ModelOptions,
}

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("logsieve: {msg}");
            ExitCode::from(2)
        }
    }
}

fn parse_args() -> Result<Option<Args>, String> {
    let mut positional = Vec::new();
    let mut year = current_year();
    let mut analyze = analyze::AnalyzeOptions::default();
    let mut model = model::ModelOptions::default();
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        if model.take(&a, &mut it)? {
            continue;
        }
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--year" => {
                let v = it.next().ok_or("--year needs a value")?;
                year = v.parse().map_err(|_| format!("--year: not a year: {v}"))?;
            }
            "--json" => analyze.json = true,
            "--charts" => analyze.charts = Some(it.next().ok_or("--charts needs a folder")?),
            "--geo" => analyze.geo = Some(it.next().ok_or("--geo needs a file")?),
            s if s.starts_with("--") => return Err(format!("unknown option {s}; see --help")),
            _ => positional.push(a),
        }
    }
    match positional.as_slice() {
        [] => Ok(None),
        [command, input] => Ok(Some(Args {
            command: command.clone(),
            input: input.clone(),
            year,
            analyze,
            model,
        })),
        [command] => Err(format!("{command}: missing FILE (use - for stdin)")),
        _ => Err("too many arguments; see --help".into()),
    }
}

fn run() -> Result<ExitCode, String> {
    // `model-bench` takes no input file and options of its own.
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv.first().map(String::as_str) == Some("model-bench") {
        return model::bench_main(&argv[1..]).map(|()| ExitCode::SUCCESS);
    }
    // `ask` has options of its own (its `--model` names an LLM, not parse's model folder).
    if argv.first().map(String::as_str) == Some("ask") {
        return ask::main(&argv[1..]);
    }
    let Some(args) = parse_args()? else {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    let analyze_only =
        args.analyze.json || args.analyze.charts.is_some() || args.analyze.geo.is_some();
    if analyze_only && args.command != "analyze" {
        return Err("--json, --charts and --geo go with analyze; see --help".into());
    }
    if args.model.is_set() && args.command != "parse" {
        return Err("--model, --model-cache and --model-stats go with parse; see --help".into());
    }
    let command: Option<Command> = match args.command.as_str() {
        "analyze" => None,
        "redact" => Some(redact::run),
        "parse" => Some(parse::run),
        "stats" => Some(stats::run),
        "templates" => Some(templates::run),
        "k8s-fix" => Some(k8s_fix::run),
        other => return Err(format!("unknown command {other:?}; see --help")),
    };
    let inv = Invocation {
        source: input::Source::open(&args.input)?,
        opts: ParseOptions::with_year(args.year),
        model: args.model,
    };
    match command {
        Some(command) => command(inv),
        None => analyze::run(inv, &args.analyze),
    }
}

/// Exit status after the output was written: 1 with one line on stderr when the input ended in an error.
pub fn finish_with(error: Option<EngineError>) -> Result<ExitCode, String> {
    match error {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("logsieve: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

fn current_year() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    logsieve_engine::Timestamp::from_unix(secs, 0, 0).year
}

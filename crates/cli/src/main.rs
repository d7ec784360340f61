//! `logsieve`: the command-line shell over logsieve-engine. It reads files or stdin in chunks, hands them to the
//! engine, and prints what the engine produces. No parsing logic lives here.

use logsieve_engine::{ndjson, EngineError, ParseOptions, Pipeline, Stats};
use std::io::{self, Read, Write};
use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "\
logsieve: structure log files into events, locally.

Usage:
  logsieve parse FILE|-   write one JSON object per event (NDJSON) to stdout
  logsieve stats FILE|-   print counts, formats, levels, time range and speed as JSON

Options:
  --year YYYY   year for dates written without one (default: the current year, UTC)
  -h, --help    this text

Input may be plain text or gzip (detected by its first bytes).";

/// Bytes read per call: large enough to amortise the call, small enough to keep memory flat.
const CHUNK: usize = 4 << 20;

struct Args {
    command: String,
    input: String,
    year: i32,
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
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--year" => {
                let v = it.next().ok_or("--year needs a value")?;
                year = v.parse().map_err(|_| format!("--year: not a year: {v}"))?;
            }
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
        })),
        [command] => Err(format!("{command}: missing FILE (use - for stdin)")),
        _ => Err("too many arguments; see --help".into()),
    }
}

fn run() -> Result<ExitCode, String> {
    let Some(args) = parse_args()? else {
        println!("{USAGE}");
        return Ok(ExitCode::SUCCESS);
    };
    let command: fn(&mut dyn Read, ParseOptions) -> Result<ExitCode, String> =
        match args.command.as_str() {
            "parse" => parse,
            "stats" => stats,
            other => return Err(format!("unknown command {other:?}; see --help")),
        };
    let mut input = open(&args.input)?;
    command(&mut *input, ParseOptions::with_year(args.year))
}

fn open(path: &str) -> Result<Box<dyn Read>, String> {
    if path == "-" {
        return Ok(Box::new(io::stdin().lock()));
    }
    let meta = std::fs::metadata(path).map_err(|e| format!("{path}: {}", io_msg(&e)))?;
    if meta.is_dir() {
        return Err(format!("{path}: is a directory, not a log file"));
    }
    let f = std::fs::File::open(path).map_err(|e| format!("{path}: {}", io_msg(&e)))?;
    Ok(Box::new(f))
}

fn io_msg(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Streams the input through the engine, calling `on_event` for each event. Returns the stats and the input
/// error, if any (events before it were delivered).
fn drive(
    input: &mut dyn Read,
    opts: ParseOptions,
    on_event: &mut dyn FnMut(&logsieve_engine::Event<'_>),
) -> Result<(Stats, Option<EngineError>), String> {
    let mut pipeline = Pipeline::new(opts);
    let mut buf = vec![0u8; CHUNK];
    let mut error = None;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("read error: {}", io_msg(&e))),
        };
        if let Err(e) = pipeline.feed(&buf[..n], on_event) {
            error = Some(e);
            break;
        }
    }
    if let Err(e) = pipeline.finish(on_event) {
        error.get_or_insert(e);
    }
    Ok((pipeline.stats().clone(), error))
}

fn parse(input: &mut dyn Read, opts: ParseOptions) -> Result<ExitCode, String> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    let mut buf = String::with_capacity(2 << 20);
    let mut write_error: Option<io::Error> = None;
    let (_, error) = drive(input, opts, &mut |ev| {
        ndjson::write_event(ev, &mut buf);
        if buf.len() >= 1 << 20 && write_error.is_none() {
            if let Err(e) = out.write_all(buf.as_bytes()) {
                write_error = Some(e);
            }
            buf.clear();
        }
    })?;
    if write_error.is_none() {
        if let Err(e) = out.write_all(buf.as_bytes()).and_then(|_| out.flush()) {
            write_error = Some(e);
        }
    }
    if let Some(e) = write_error {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(format!("write error: {e}"));
    }
    finish_with(error)
}

fn stats(input: &mut dyn Read, opts: ParseOptions) -> Result<ExitCode, String> {
    let start = Instant::now();
    let (stats, error) = drive(input, opts, &mut |_| {})?;
    let secs = start.elapsed().as_secs_f64().max(1e-9);
    let mut v = serde_json::to_value(&stats).map_err(|e| e.to_string())?;
    if let Some(o) = v.as_object_mut() {
        o.insert("elapsed_ms".into(), (secs * 1000.0).round().into());
        o.insert(
            "mb_per_s".into(),
            round2(stats.bytes_in as f64 / 1e6 / secs).into(),
        );
        o.insert(
            "lines_per_s".into(),
            (stats.lines as f64 / secs).round().into(),
        );
        if let Some(mb) = peak_rss_mb() {
            o.insert("peak_rss_mb".into(), round2(mb).into());
        }
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
    );
    finish_with(error)
}

/// The process's peak resident memory (Linux `VmHWM`), for the benchmark's memory figure.
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

fn finish_with(error: Option<EngineError>) -> Result<ExitCode, String> {
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

//! Opening the input and streaming it through the engine.

use logsieve_engine::{EngineError, Event, ParseOptions, Pipeline, Stats};
use std::io::{self, Read};

/// Bytes read per call: large enough to amortise the call, small enough to keep memory flat.
const CHUNK: usize = 4 << 20;

/// Where the input comes from. A regular file can be read twice (`parse` does, to write each event with its
/// final template without spooling); stdin cannot.
pub enum Source {
    File(String),
    Stdin,
}

impl Source {
    /// Checks that the input can be read: a one-line message otherwise.
    pub fn open(path: &str) -> Result<Source, String> {
        if path == "-" {
            return Ok(Source::Stdin);
        }
        let meta = std::fs::metadata(path).map_err(|e| format!("{path}: {}", io_msg(&e)))?;
        if meta.is_dir() {
            return Err(format!("{path}: is a directory, not a log file"));
        }
        std::fs::File::open(path).map_err(|e| format!("{path}: {}", io_msg(&e)))?;
        Ok(Source::File(path.to_string()))
    }

    /// A fresh reader from the start of the input (stdin: the rest of it).
    pub fn reader(&self) -> Result<Box<dyn Read>, String> {
        match self {
            Source::Stdin => Ok(Box::new(io::stdin().lock())),
            Source::File(path) => std::fs::File::open(path)
                .map(|f| Box::new(f) as Box<dyn Read>)
                .map_err(|e| format!("{path}: {}", io_msg(&e))),
        }
    }

    pub fn is_rereadable(&self) -> bool {
        matches!(self, Source::File(path) if std::fs::metadata(path).map(|m| m.is_file()).unwrap_or(false))
    }
}

pub fn io_msg(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => e.to_string(),
    }
}

/// Streams the input through the engine, calling `on_event` for each event. Returns the stats and the input
/// error, if any (the events before it were delivered).
pub fn drive(
    input: &mut dyn Read,
    opts: ParseOptions,
    on_event: &mut dyn FnMut(&Event<'_>),
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

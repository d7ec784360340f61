//! `logsieve parse`: NDJSON events with their templates.
//!
//! An event's final template is known only at the end of the input (the miner merges templates there), so the
//! events are written to an anonymous temporary file while the input streams, with the miner's id of each kept
//! in memory (4 bytes per event); at the end the spool is copied to stdout with `template_id` and `template`
//! added to each line. Memory stays flat whatever the input's size.

use crate::input::drive;
use crate::{finish_with, Invocation};
use logsieve_engine::ndjson;
use logsieve_engine::template::TemplateMiner;
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};
use std::process::ExitCode;

pub fn run(mut inv: Invocation) -> Result<ExitCode, String> {
    let spool_file =
        tempfile::tempfile().map_err(|e| format!("cannot create a temporary file: {e}"))?;
    let mut spool = BufWriter::with_capacity(1 << 20, spool_file);
    let mut miner = TemplateMiner::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut buf = String::with_capacity(2 << 20);
    let mut spool_error: Option<io::Error> = None;
    let (_, error) = drive(&mut *inv.input, inv.opts, &mut |ev| {
        ids.push(miner.observe_event(ev).0);
        ndjson::write_event(ev, &mut buf);
        if buf.len() >= 1 << 20 {
            if let Err(e) = spool.write_all(buf.as_bytes()) {
                spool_error.get_or_insert(e);
            }
            buf.clear();
        }
    })?;
    let spool_io = |e: io::Error| format!("temporary file: {e}");
    if let Some(e) = spool_error {
        return Err(spool_io(e));
    }
    spool.write_all(buf.as_bytes()).map_err(spool_io)?;
    let mut spool_file = spool.into_inner().map_err(|e| spool_io(e.into_error()))?;
    spool_file.rewind().map_err(spool_io)?;

    let map = miner.finish();
    let escaped: Vec<String> = map
        .templates
        .iter()
        .map(|t| {
            let mut s = String::new();
            ndjson::json_str(&mut s, &t.template);
            s
        })
        .collect();

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut reader = BufReader::with_capacity(1 << 20, spool_file);
    let mut line = String::new();
    for id in ids {
        line.clear();
        if reader.read_line(&mut line).map_err(spool_io)? == 0 {
            return Err("temporary file: fewer events than expected".into());
        }
        let ti = map.resolve[id as usize] as usize;
        ndjson::push_template(&mut line, map.templates[ti].id.0, &escaped[ti]);
        if let Err(e) = out.write_all(line.as_bytes()) {
            return write_failed(e);
        }
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    finish_with(error)
}

/// A closed pipe (`logsieve parse f | head`) is not an error.
fn write_failed(e: io::Error) -> Result<ExitCode, String> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(format!("write error: {e}"))
    }
}

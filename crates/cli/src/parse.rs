//! `logsieve parse`: NDJSON events with their templates.
//!
//! An event's final template is known only at the end of the input (the miner merges templates there). A regular
//! file is therefore read twice: once to mine (keeping the miner's id of each event, 4 bytes per event), once to
//! write each event with its final template. Stdin cannot be read twice: its events are spooled to an anonymous
//! temporary file while it streams, then copied out with the templates added. Either way memory stays flat.

use crate::input::drive;
use crate::{finish_with, Invocation};
use logsieve_engine::ndjson;
use logsieve_engine::template::{TemplateMap, TemplateMiner};
use std::io::{self, BufRead, BufReader, BufWriter, Seek, Write};
use std::process::ExitCode;

/// The final template of each event, in event order, as the NDJSON fields to add.
struct Templates {
    map: TemplateMap,
    escaped: Vec<String>,
    ids: Vec<u32>,
}

impl Templates {
    fn new(mut miner: TemplateMiner, ids: Vec<u32>) -> Templates {
        let map = miner.finish();
        let escaped = map
            .templates
            .iter()
            .map(|t| {
                let mut s = String::new();
                ndjson::json_str(&mut s, &t.template);
                s
            })
            .collect();
        Templates { map, escaped, ids }
    }

    /// Adds the template of the `n`-th event (0-based) to its line.
    fn push(&self, n: usize, line: &mut String) -> Result<(), String> {
        let id = *self
            .ids
            .get(n)
            .ok_or("the input changed while it was read: more events than before")?;
        let ti = self.map.resolve[id as usize] as usize;
        ndjson::push_template(line, self.map.templates[ti].id.0, &self.escaped[ti]);
        Ok(())
    }
}

pub fn run(inv: Invocation) -> Result<ExitCode, String> {
    if inv.source.is_rereadable() {
        two_passes(inv)
    } else {
        spooled(inv)
    }
}

fn two_passes(inv: Invocation) -> Result<ExitCode, String> {
    let mut miner = TemplateMiner::new();
    let mut ids: Vec<u32> = Vec::new();
    drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        ids.push(miner.observe_event(ev).0);
    })?;
    let templates = Templates::new(miner, ids);

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut line = String::with_capacity(4096);
    let mut n = 0usize;
    let mut failure: Option<Result<ExitCode, String>> = None;
    let (_, error) = drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        if failure.is_some() {
            return;
        }
        line.clear();
        ndjson::write_event(ev, &mut line);
        if let Err(e) = templates.push(n, &mut line) {
            failure = Some(Err(e));
            return;
        }
        n += 1;
        if let Err(e) = out.write_all(line.as_bytes()) {
            failure = Some(write_failed(e));
        }
    })?;
    if let Some(result) = failure {
        return result;
    }
    if let Err(e) = out.flush() {
        return write_failed(e);
    }
    finish_with(error)
}

fn spooled(inv: Invocation) -> Result<ExitCode, String> {
    let spool_io = |e: io::Error| format!("temporary file: {e}");
    let spool_file = tempfile::tempfile().map_err(spool_io)?;
    let mut spool = BufWriter::with_capacity(1 << 20, spool_file);
    let mut miner = TemplateMiner::new();
    let mut ids: Vec<u32> = Vec::new();
    let mut buf = String::with_capacity(2 << 20);
    let mut spool_error: Option<io::Error> = None;
    let (_, error) = drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        ids.push(miner.observe_event(ev).0);
        ndjson::write_event(ev, &mut buf);
        if buf.len() >= 1 << 20 {
            if let Err(e) = spool.write_all(buf.as_bytes()) {
                spool_error.get_or_insert(e);
            }
            buf.clear();
        }
    })?;
    if let Some(e) = spool_error {
        return Err(spool_io(e));
    }
    spool.write_all(buf.as_bytes()).map_err(spool_io)?;
    let mut spool_file = spool.into_inner().map_err(|e| spool_io(e.into_error()))?;
    spool_file.rewind().map_err(spool_io)?;
    let events = ids.len();
    let templates = Templates::new(miner, ids);

    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut reader = BufReader::with_capacity(1 << 20, spool_file);
    let mut line = String::new();
    for n in 0..events {
        line.clear();
        if reader.read_line(&mut line).map_err(spool_io)? == 0 {
            return Err("temporary file: fewer events than expected".into());
        }
        templates.push(n, &mut line)?;
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

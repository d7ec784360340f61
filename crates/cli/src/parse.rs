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
use logsieve_engine::Event;
use std::collections::HashMap;
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

    /// The index (into `map.templates`) of the `n`-th event's template.
    fn index(&self, n: usize) -> Option<usize> {
        let id = *self.ids.get(n)?;
        Some(self.map.resolve[id as usize] as usize)
    }

    /// With `--model DIR`: names the templates that need it (see `crate::model`). `first_format`: the format of
    /// the first event of each provisional id.
    fn name_fields(
        &self,
        opts: &crate::model::ModelOptions,
        first_format: &HashMap<u32, &'static str>,
    ) -> Result<Option<crate::model::NamedTemplates>, String> {
        if !opts.is_set() {
            return Ok(None);
        }
        let formats: Vec<&'static str> = self
            .map
            .templates
            .iter()
            .map(|t| first_format.get(&t.id.0).copied().unwrap_or("unknown"))
            .collect();
        crate::model::name_templates(opts, &self.map, &formats).map(Some)
    }
}

/// Keeps the format of the first event of each provisional template id (only with `--model`).
fn note_format(first_format: &mut HashMap<u32, &'static str>, on: bool, id: u32, ev: &Event<'_>) {
    if on {
        first_format.entry(id).or_insert(ev.format().as_str());
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
    let model_on = inv.model.is_set();
    let mut first_format = HashMap::new();
    drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        let id = miner.observe_event(ev).0;
        note_format(&mut first_format, model_on, id, ev);
        ids.push(id);
    })?;
    let templates = Templates::new(miner, ids);
    let named = templates.name_fields(&inv.model, &first_format)?;

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
        if let (Some(named), Some(ti)) = (&named, templates.index(n)) {
            named.push(ti, ev.message(), &mut line);
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
    let model_on = inv.model.is_set();
    let mut first_format = HashMap::new();
    let (_, error) = drive(&mut *inv.source.reader()?, inv.opts, &mut |ev| {
        let id = miner.observe_event(ev).0;
        note_format(&mut first_format, model_on, id, ev);
        ids.push(id);
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
    let named = templates.name_fields(&inv.model, &first_format)?;

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
        if let (Some(named), Some(ti)) = (&named, templates.index(n)) {
            if named.has(ti) {
                // The spooled line is all there is of the event now: its message is read back from it.
                let message = serde_json::from_str::<serde_json::Value>(&line)
                    .ok()
                    .and_then(|v| v["message"].as_str().map(str::to_owned))
                    .unwrap_or_default();
                named.push(ti, &message, &mut line);
            }
        }
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

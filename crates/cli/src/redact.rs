//! `logsieve redact`: the input with secrets and personal data masked, line for line (the same number of lines,
//! so line numbers in reports still point at the right place).

use crate::input::io_msg;
use crate::Invocation;
use logsieve_engine::decode::Decoder;
use logsieve_engine::lines::LineSplitter;
use logsieve_findings::Redactor;
use std::io::{self, BufWriter, Read, Write};
use std::process::ExitCode;

pub fn run(inv: Invocation) -> Result<ExitCode, String> {
    let redactor = Redactor::new();
    let mut lines = redactor.lines();
    let mut decoder = Decoder::new();
    let mut splitter = LineSplitter::new(inv.opts.max_line_bytes);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 20, stdout.lock());
    let mut write_error: Option<io::Error> = None;
    let mut emit = |bytes: &[u8]| {
        if write_error.is_some() {
            return;
        }
        let text = String::from_utf8_lossy(bytes);
        let red = lines.line(&text);
        if let Err(e) = out
            .write_all(red.as_bytes())
            .and_then(|_| out.write_all(b"\n"))
        {
            write_error = Some(e);
        }
    };
    let mut input = inv.source.reader()?;
    let mut buf = vec![0u8; 4 << 20];
    let mut decode_error = None;
    loop {
        let n = match input.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(format!("read error: {}", io_msg(&e))),
        };
        let res = decoder.feed(&buf[..n], &mut |text| {
            splitter.push(text, &mut |line| emit(line.bytes))
        });
        if let Err(e) = res {
            decode_error = Some(e);
            break;
        }
    }
    if let Err(e) = decoder.finish(&mut |text| splitter.push(text, &mut |line| emit(line.bytes))) {
        decode_error.get_or_insert(e);
    }
    splitter.finish(&mut |line| emit(line.bytes));
    if let Some(e) = write_error.or_else(|| out.flush().err()) {
        if e.kind() == io::ErrorKind::BrokenPipe {
            return Ok(ExitCode::SUCCESS);
        }
        return Err(format!("write error: {e}"));
    }
    match decode_error {
        None => Ok(ExitCode::SUCCESS),
        Some(e) => {
            eprintln!("logsieve: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

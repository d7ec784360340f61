//! Redacts a file line by line, as `logsieve redact FILE` will: `cargo run -p logsieve-findings --example redact -- FILE`.
use std::io::{BufRead, Write};
fn main() {
    let path = std::env::args().nth(1).expect("usage: redact FILE");
    let f = std::io::BufReader::new(std::fs::File::open(path).expect("open"));
    let r = logsieve_findings::Redactor::new();
    let mut lr = r.lines();
    let out = std::io::stdout();
    let mut out = out.lock();
    for line in f.lines() {
        let line = line.expect("utf-8 line");
        writeln!(out, "{}", lr.line(&line)).expect("write");
    }
}

//! The header fields of every loghub-2k dataset in the shared folder against loghub's corrected ground truth.
//!
//! For each `<D>/<D>_2k.log` with its `<D>_2k.log_structured_corrected.csv` (or, for a dataset that has no
//! corrected version, `<D>_2k.log_structured.csv`) under `../shared/loghub` (relative to the workspace root;
//! `$LOGSIEVE_SHARED/loghub` when that is set), the log is parsed through the whole pipeline and each event is
//! compared with its ground-truth row:
//!
//! - one event per row, in order, and the file's format is not `unknown` (a dataset may be a subset of its 2,000
//!   lines: the rows the CSV has are the lines compared);
//! - timestamp pieces (`Date`, `Day`, `Month`, `Time`) against the event's timestamp (year-less dates take the
//!   default year 2026, two-digit years are 20xx, epochs are UTC);
//! - `Level` against the level (Linux's "Level" is the hostname: against the host), `Component` against the
//!   component (OpenSSH's "Component" is the hostname: against the host), `Pid`/`PID` numerically, the
//!   thread-like columns (`Tid`, `Process`, Zookeeper's `Node`) against the thread, the host-like ones (`User`,
//!   BGL/HPC `Node`) against the host, Proxifier's `Program` against the component;
//! - `Content` against the message (trailing whitespace that loghub stripped from the line is ignored).
//!
//! A per-dataset table is printed (`cargo test --test loghub_headers -- --nocapture`), and every compared field
//! must match on at least 99% of the lines.

use logsieve_engine::pipeline::{parse_all, ParseOptions};
use logsieve_engine::{Level, Timestamp};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const YEAR: i32 = 2026;
const THRESHOLD: f64 = 0.99;

fn loghub_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("LOGSIEVE_SHARED") {
        Some(s) => PathBuf::from(s),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    };
    [base.join("loghub"), base].into_iter().find(|p| p.is_dir())
}

/// RFC 4180: quoted fields, doubled quotes, separators and line breaks inside quotes.
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut in_quotes = false;
    let mut any = false;
    while let Some(c) = chars.next() {
        any = true;
        if in_quotes {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => in_quotes = false,
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => in_quotes = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
                any = false;
            }
            _ => field.push(c),
        }
    }
    if any {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// What the ground truth says of the timestamp; absent pieces are not compared.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct WantTs {
    year: Option<i32>,
    month: Option<u8>,
    day: Option<u8>,
    hms: Option<(u8, u8, u8)>,
    /// Fractional seconds in nanoseconds.
    nanos: Option<u32>,
}

fn month_num(s: &str) -> Option<u8> {
    logsieve_engine::timestamp::month_from_abbrev(s.as_bytes())
}

fn frac_nanos(s: &str) -> Option<u32> {
    if s.is_empty() || s.len() > 9 || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let v: u32 = s.parse().ok()?;
    Some(v * 10u32.pow(9 - s.len() as u32))
}

/// `HH:MM:SS` with an optional `.fff`/`,fff`.
fn parse_hms(s: &str) -> Option<((u8, u8, u8), Option<u32>)> {
    let (main, frac) = match s.find(['.', ',']) {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    };
    let p: Vec<&str> = main.split(':').collect();
    if p.len() != 3 {
        return None;
    }
    let hms = (p[0].parse().ok()?, p[1].parse().ok()?, p[2].parse().ok()?);
    Some((hms, frac.map(frac_nanos).unwrap_or(Some(0))))
}

fn want_ts(cols: &BTreeMap<&str, &str>) -> Option<WantTs> {
    let mut w = WantTs::default();
    let mut any = false;
    if let Some(d) = cols.get("Date").copied() {
        let b = d.as_bytes();
        let digits = |s: &str| s.parse::<u32>().ok();
        if b.len() == 10 && (b[4] == b'-' || b[4] == b'.') {
            w.year = Some(digits(&d[0..4])? as i32);
            w.month = Some(digits(&d[5..7])? as u8);
            w.day = Some(digits(&d[8..10])? as u8);
        } else if b.len() == 8 && b[2] == b'/' {
            w.year = Some(2000 + digits(&d[0..2])? as i32);
            w.month = Some(digits(&d[3..5])? as u8);
            w.day = Some(digits(&d[6..8])? as u8);
        } else if b.len() == 5 && b[2] == b'-' {
            w.year = Some(YEAR);
            w.month = Some(digits(&d[0..2])? as u8);
            w.day = Some(digits(&d[3..5])? as u8);
        } else if d.bytes().all(|c| c.is_ascii_digit()) && d.len() >= 5 {
            // yymmdd written as a number (HDFS: 081109 → 81109)
            let v = digits(d)?;
            w.year = Some(2000 + (v / 10000) as i32);
            w.month = Some((v / 100 % 100) as u8);
            w.day = Some((v % 100) as u8);
        } else if let Some(m) = month_num(d) {
            w.month = Some(m);
            w.year = Some(YEAR);
        } else if d.bytes().all(|c| c.is_ascii_digit()) {
            w.day = Some(digits(d)? as u8);
        }
        any = true;
    }
    if let Some(m) = cols.get("Month").and_then(|m| month_num(m)) {
        // The syslog date wins over the dataset's date column (Thunderbird), which only gives the year.
        if w.month == Some(1) && m == 12 {
            w.year = w.year.map(|y| y - 1);
        }
        w.month = Some(m);
        w.year = w.year.or(Some(YEAR));
        any = true;
    }
    if let Some(d) = cols.get("Day").and_then(|d| d.parse::<u8>().ok()) {
        w.day = Some(d);
    }
    if w.month.is_some() && !cols.contains_key("Day") {
        if let Some(d) = cols.get("Date").and_then(|d| d.parse::<u8>().ok()) {
            w.day = Some(d);
        }
    }
    if let Some(t) = cols.get("Time").copied() {
        any = true;
        let b = t.as_bytes();
        if let Some((hms, nanos)) = parse_hms(t) {
            w.hms = Some(hms);
            w.nanos = nanos;
        } else if t.len() <= 6 && t.bytes().all(|c| c.is_ascii_digit()) {
            // HHMMSS written as a number
            let v: u32 = t.parse().ok()?;
            w.hms = Some(((v / 10000) as u8, (v / 100 % 100) as u8, (v % 100) as u8));
            w.nanos = Some(0);
        } else if (9..=10).contains(&t.len()) && t.bytes().all(|c| c.is_ascii_digit()) {
            let ts = Timestamp::from_unix(t.parse().ok()?, 0, 0);
            return Some(WantTs {
                year: Some(ts.year),
                month: Some(ts.month),
                day: Some(ts.day),
                hms: Some((ts.hour, ts.minute, ts.second)),
                nanos: Some(0),
            });
        } else if b.len() >= 20 && b[4] == b'-' && b[10] == b'-' {
            // BGL: 2005-06-03-15.42.50.675872
            w.year = Some(t[0..4].parse().ok()?);
            w.month = Some(t[5..7].parse().ok()?);
            w.day = Some(t[8..10].parse().ok()?);
            w.hms = Some((
                t[11..13].parse().ok()?,
                t[14..16].parse().ok()?,
                t[17..19].parse().ok()?,
            ));
            w.nanos = frac_nanos(&t[20..]);
        } else if b.len() >= 9 && b[8] == b'-' && t[..8].bytes().all(|c| c.is_ascii_digit()) {
            // HealthApp: 20171223-22:15:29:606 (fields may lack zero padding)
            w.year = Some(t[0..4].parse().ok()?);
            w.month = Some(t[4..6].parse().ok()?);
            w.day = Some(t[6..8].parse().ok()?);
            let p: Vec<&str> = t[9..].split(':').collect();
            if p.len() != 4 {
                return None;
            }
            w.hms = Some((p[0].parse().ok()?, p[1].parse().ok()?, p[2].parse().ok()?));
            w.nanos = Some(p[3].parse::<u32>().ok()? * 1_000_000);
        } else if b.len() == 14 && b[2] == b'.' && b[5] == b' ' {
            // Proxifier: 10.30 16:49:06
            w.year = Some(YEAR);
            w.month = Some(t[0..2].parse().ok()?);
            w.day = Some(t[3..5].parse().ok()?);
            w.hms = parse_hms(&t[6..]).map(|x| x.0);
        } else {
            // Apache: Sun Dec 04 04:47:44 2005
            let p: Vec<&str> = t.split_whitespace().collect();
            if p.len() == 5 {
                w.month = month_num(p[1]);
                w.day = p[2].parse().ok();
                let (hms, nanos) = parse_hms(p[3])?;
                w.hms = Some(hms);
                w.nanos = nanos;
                w.year = p[4].parse().ok();
            } else {
                return None;
            }
        }
    }
    any.then_some(w)
}

fn ts_matches(w: &WantTs, t: Option<&Timestamp>) -> bool {
    let Some(t) = t else { return false };
    w.year.is_none_or(|y| y == t.year)
        && w.month.is_none_or(|m| m == t.month)
        && w.day.is_none_or(|d| d == t.day)
        && w.hms.is_none_or(|h| h == (t.hour, t.minute, t.second))
        && w.nanos.is_none_or(|n| n == t.nanos)
}

/// The header field a ground-truth column is compared with, per dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Ts,
    Level,
    Component,
    Pid,
    Thread,
    Host,
    Message,
}

fn field_of(dataset: &str, column: &str) -> Option<Field> {
    Some(match (dataset, column) {
        (_, "Date" | "Day" | "Month" | "Time") => Field::Ts,
        ("Linux", "Level") => Field::Host,
        (_, "Level") => Field::Level,
        ("OpenSSH", "Component") => Field::Host,
        (_, "Component" | "Program") => Field::Component,
        (_, "Pid" | "PID") => Field::Pid,
        (_, "Tid" | "Process") => Field::Thread,
        ("Zookeeper", "Node") => Field::Thread,
        (_, "Node" | "User") => Field::Host,
        (_, "Content") => Field::Message,
        _ => return None,
    })
}

struct Got {
    line: u64,
    ts: Option<Timestamp>,
    level: Option<Level>,
    component: Option<String>,
    pid: Option<String>,
    thread: Option<String>,
    host: Option<String>,
    message: String,
}

fn same_text(want: &str, got: &Option<String>) -> bool {
    match got {
        Some(g) => g == want,
        None => want.is_empty(),
    }
}

fn same_pid(want: &str, got: &Option<String>) -> bool {
    let w = want.trim();
    if w.is_empty() {
        return got.is_none();
    }
    let wn = w.parse::<f64>().ok();
    let gn = got.as_deref().and_then(|g| g.parse::<f64>().ok());
    match (wn, gn) {
        (Some(a), Some(b)) => a == b,
        _ => same_text(w, got),
    }
}

fn same_level(want: &str, got: Option<Level>) -> bool {
    Level::parse(want) == got
}

#[test]
fn loghub_headers_match_ground_truth() {
    let Some(dir) = loghub_dir() else {
        eprintln!("loghub_headers: no shared loghub folder found; set LOGSIEVE_SHARED");
        return;
    };
    let mut datasets: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("read loghub dir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    datasets.sort();
    let mut failures = Vec::new();
    let mut table = String::new();
    table.push_str(&format!(
        "{:<12} {:<16} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}\n",
        "dataset", "format", "events", "ts", "level", "comp", "pid", "thread", "host", "message"
    ));
    let mut checked = 0;
    for ds in datasets {
        let name = ds.file_name().unwrap().to_string_lossy().to_string();
        let log = ds.join(format!("{name}_2k.log"));
        // The corrected ground truth when there is one, else loghub's original annotation (Windows has no
        // corrected version in loghub-2.0).
        let Some(csv) = [
            format!("{name}_2k.log_structured_corrected.csv"),
            format!("{name}_2k.log_structured.csv"),
        ]
        .into_iter()
        .map(|f| ds.join(f))
        .find(|p| p.is_file()) else {
            continue;
        };
        if !log.is_file() {
            continue;
        }
        checked += 1;
        let rows = read_csv(&std::fs::read_to_string(&csv).expect("read csv"));
        let header = &rows[0];
        // Every row is compared (a subset of a dataset may have fewer than 2,000); a row with another number of
        // columns than the header is a broken file, not a row to skip.
        let rows: Vec<&Vec<String>> = rows[1..].iter().collect();
        if let Some((i, r)) = rows
            .iter()
            .enumerate()
            .find(|(_, r)| r.len() != header.len())
        {
            failures.push(format!(
                "{name}: ground-truth row {} has {} columns, the header {}",
                i + 1,
                r.len(),
                header.len()
            ));
            continue;
        }
        let bytes = std::fs::read(&log).expect("read log");
        let mut got = Vec::new();
        let (stats, res) = parse_all(&bytes, ParseOptions::with_year(YEAR), |ev| {
            got.push(Got {
                line: ev.line,
                ts: ev.ts().copied(),
                level: ev.level(),
                component: ev.component().map(str::to_string),
                pid: ev.pid().map(str::to_string),
                thread: ev.thread().map(str::to_string),
                host: ev.host().map(str::to_string),
                message: ev.message().to_string(),
            })
        });
        res.expect("parse");
        if got.len() != rows.len() {
            failures.push(format!(
                "{name}: {} events for {} ground-truth rows",
                got.len(),
                rows.len()
            ));
        }
        if stats.file_format == "unknown" {
            failures.push(format!("{name}: the file's format was not recognised"));
        }
        // Per field: (compared, matched, first mismatches).
        let mut score: BTreeMap<Field, (usize, usize, Vec<String>)> = BTreeMap::new();
        for (row, g) in rows.iter().zip(&got) {
            let cols: BTreeMap<&str, &str> = header
                .iter()
                .map(|h| h.as_str())
                .zip(row.iter().map(|v| v.as_str()))
                .collect();
            if let Some(id) = cols.get("LineId").and_then(|v| v.parse::<u64>().ok()) {
                if id != g.line {
                    failures.push(format!("{name}: row {id} met the event of line {}", g.line));
                    break;
                }
            }
            let mut note = |f: Field, ok: bool, what: String| {
                let e = score.entry(f).or_insert((0, 0, Vec::new()));
                e.0 += 1;
                if ok {
                    e.1 += 1;
                } else if e.2.len() < 3 {
                    e.2.push(what);
                }
            };
            let mut ts_done = false;
            for (col, want) in &cols {
                let Some(field) = field_of(&name, col) else {
                    continue;
                };
                match field {
                    Field::Ts => {
                        if ts_done {
                            continue;
                        }
                        ts_done = true;
                        let w = want_ts(&cols);
                        let ok = w.as_ref().is_some_and(|w| ts_matches(w, g.ts.as_ref()));
                        note(
                            field,
                            ok,
                            format!(
                                "line {}: want {w:?}, got {:?}",
                                g.line,
                                g.ts.map(|t| t.to_rfc3339())
                            ),
                        );
                    }
                    Field::Level => {
                        note(
                            field,
                            same_level(want, g.level),
                            format!("line {}: want {want:?}, got {:?}", g.line, g.level),
                        );
                    }
                    Field::Pid => {
                        note(
                            field,
                            same_pid(want, &g.pid),
                            format!("line {}: want {want:?}, got {:?}", g.line, g.pid),
                        );
                    }
                    Field::Component | Field::Thread | Field::Host => {
                        let v = match field {
                            Field::Component => &g.component,
                            Field::Thread => &g.thread,
                            _ => &g.host,
                        };
                        note(
                            field,
                            same_text(want, v),
                            format!("line {}: want {want:?}, got {v:?}", g.line),
                        );
                    }
                    Field::Message => {
                        let ok = g.message.trim_end() == want.trim_end();
                        note(
                            field,
                            ok,
                            format!("line {}: want {want:?}, got {:?}", g.line, g.message),
                        );
                    }
                }
            }
        }
        let cell = |f: Field| match score.get(&f) {
            Some((n, ok, _)) => format!("{:.1}%", *ok as f64 * 100.0 / *n as f64),
            None => "-".to_string(),
        };
        table.push_str(&format!(
            "{:<12} {:<16} {:>6} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7} {:>7}\n",
            name,
            stats.file_format,
            got.len(),
            cell(Field::Ts),
            cell(Field::Level),
            cell(Field::Component),
            cell(Field::Pid),
            cell(Field::Thread),
            cell(Field::Host),
            cell(Field::Message)
        ));
        for (f, (n, ok, examples)) in &score {
            if (*ok as f64) < THRESHOLD * *n as f64 {
                failures.push(format!(
                    "{name}: {f:?} matched {ok}/{n}; e.g. {examples:#?}"
                ));
            }
        }
    }
    println!("{table}");
    assert!(
        checked > 0 || dir.read_dir().is_err(),
        "no dataset found in {}",
        dir.display()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn csv_reader_handles_quotes() {
    let rows = read_csv("a,b,c\n1,\"x, \"\"y\"\"\",\"multi\nline\"\n2,,\r\n");
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1], vec!["1", "x, \"y\"", "multi\nline"]);
    assert_eq!(rows[2], vec!["2", "", ""]);
}

#[test]
fn ground_truth_time_columns_of_every_layout() {
    let want = |cols: &[(&str, &str)]| want_ts(&cols.iter().copied().collect()).unwrap();
    let w = |y, mo, d, hms, nanos| WantTs {
        year: Some(y),
        month: Some(mo),
        day: Some(d),
        hms: Some(hms),
        nanos,
    };
    // BGL: the date column and the local time with microseconds.
    assert_eq!(
        want(&[
            ("Date", "2005.06.03"),
            ("Time", "2005-06-03-15.42.50.675872")
        ]),
        w(2005, 6, 3, (15, 42, 50), Some(675_872_000))
    );
    // HPC: an epoch (UTC).
    assert_eq!(
        want(&[("Time", "1077804742")]),
        w(2004, 2, 26, (14, 12, 22), Some(0))
    );
    // Thunderbird: the date gives the year, the syslog month and day win (a year earlier on 1 January).
    assert_eq!(
        want(&[
            ("Date", "2006.01.01"),
            ("Month", "Dec"),
            ("Day", "31"),
            ("Time", "15:59:58")
        ]),
        w(2005, 12, 31, (15, 59, 58), Some(0))
    );
    // HealthApp: fields without their zero padding, milliseconds after a colon.
    assert_eq!(
        want(&[("Time", "20171224-0:0:0:232")]),
        w(2017, 12, 24, (0, 0, 0), Some(232_000_000))
    );
    // Mac: month name and day number, no year.
    assert_eq!(
        want(&[("Month", "Jul"), ("Date", "1"), ("Time", "09:00:55")]),
        w(YEAR, 7, 1, (9, 0, 55), Some(0))
    );
    // Proxifier: month.day and time, no year.
    let p = want(&[("Time", "10.30 16:49:06")]);
    assert_eq!(
        (p.year, p.month, p.day, p.hms),
        (Some(YEAR), Some(10), Some(30), Some((16, 49, 6)))
    );
    // Windows and OpenStack: an ISO date and a time (with milliseconds for OpenStack).
    assert_eq!(
        want(&[("Date", "2016-09-28"), ("Time", "04:30:30")]),
        w(2016, 9, 28, (4, 30, 30), Some(0))
    );
    assert_eq!(
        want(&[("Date", "2017-05-16"), ("Time", "00:00:00.008")]),
        w(2017, 5, 16, (0, 0, 0), Some(8_000_000))
    );
}

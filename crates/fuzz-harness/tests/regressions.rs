//! Replays every input under `fuzz/regressions/<target>/` through its target on stable: each crash or hang the
//! fuzzers found stays fixed.
//!
//! `fuzz/regressions/pending.txt` lists inputs whose fix is not merged yet (`<target>/<file>` and the file that owns
//! the bug): they run too, and the test fails if one of them passes, so that it is moved out of the list with its
//! fix. `LOGSIEVE_FUZZ_REPLAY=<target>:<path>` replays a file or a directory of inputs instead (e.g. a corpus or
//! an artifact of `cargo xtask fuzz`), each input reported as it runs.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

/// A regression input that runs longer than this (unoptimized) counts as a hang.
const TIMEOUT: Duration = Duration::from_secs(60);
/// Pending inputs are expected to fail; one that still hangs is given up on sooner.
const PENDING_TIMEOUT: Duration = Duration::from_secs(10);

fn regressions_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/regressions")
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Passed,
    Panicked(String),
    Hung,
}

/// Threads of pending inputs are named with this prefix: their expected panics are not printed.
const QUIET: &str = "pending:";

/// Runs one input in its own thread (a hang leaves the thread behind; the test process ends anyway).
fn replay(target: &str, path: &Path, timeout: Duration, quiet: bool) -> Outcome {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !thread::current()
                .name()
                .is_some_and(|n| n.starts_with(QUIET))
            {
                default(info);
            }
        }));
    });
    let f = logsieve_fuzz_harness::target(target).expect("known target");
    let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let (tx, rx) = mpsc::channel();
    let prefix = if quiet { QUIET } else { "" };
    thread::Builder::new()
        .name(format!("{prefix}{target}:{}", path.display()))
        .spawn(move || {
            let r = std::panic::catch_unwind(|| f(&data));
            let _ = tx.send(r.map_err(|e| {
                e.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default()
            }));
        })
        .expect("spawn");
    match rx.recv_timeout(timeout) {
        Ok(Ok(())) => Outcome::Passed,
        Ok(Err(msg)) => Outcome::Panicked(msg),
        Err(_) => Outcome::Hung,
    }
}

/// `pending.txt`: `<target>/<file>` -> the rest of its line (owner and bug).
fn pending() -> BTreeMap<String, String> {
    let text = fs::read_to_string(regressions_dir().join("pending.txt")).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((k, v)) => (k.to_string(), v.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = match fs::read_dir(dir) {
        Ok(rd) => rd
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect(),
        Err(_) => Vec::new(),
    };
    v.sort();
    v
}

#[test]
fn every_regression_input_passes() {
    if let Ok(spec) = std::env::var("LOGSIEVE_FUZZ_REPLAY") {
        let (target, path) = spec
            .split_once(':')
            .expect("LOGSIEVE_FUZZ_REPLAY=<target>:<path>");
        let path = Path::new(path);
        let inputs = if path.is_dir() {
            files(path)
        } else {
            vec![path.to_path_buf()]
        };
        let mut bad = 0;
        for p in &inputs {
            let started = Instant::now();
            let outcome = replay(target, p, TIMEOUT, false);
            eprintln!(
                "{target} {}: {outcome:?} ({:.1?})",
                p.display(),
                started.elapsed()
            );
            bad += (outcome != Outcome::Passed) as usize;
        }
        assert_eq!(bad, 0, "{bad} of {} inputs failed", inputs.len());
        return;
    }

    let root = regressions_dir();
    let mut pending = pending();
    let mut failures = Vec::new();
    let mut count = 0;
    for (target, _) in logsieve_fuzz_harness::TARGETS {
        for path in files(&root.join(target)) {
            let name = format!("{target}/{}", path.file_name().unwrap().to_string_lossy());
            let owner = pending.remove(&name);
            let timeout = if owner.is_some() {
                PENDING_TIMEOUT
            } else {
                TIMEOUT
            };
            let started = Instant::now();
            let outcome = replay(target, &path, timeout, owner.is_some());
            count += 1;
            eprintln!("{name}: {outcome:?} ({:.1?})", started.elapsed());
            match (owner, outcome) {
                (None, Outcome::Passed) => {}
                (None, bad) => failures.push(format!("{name}: {bad:?}")),
                (Some(owner), Outcome::Passed) => failures.push(format!(
                    "{name} passes now: remove it from fuzz/regressions/pending.txt ({owner})"
                )),
                (Some(owner), bad) => eprintln!("    pending ({owner}): {bad:?}"),
            }
        }
    }
    for stale in pending.keys() {
        failures.push(format!("pending.txt lists {stale}, which does not exist"));
    }
    // Every directory is a target, so that an input is never left out by a typo.
    for entry in fs::read_dir(&root).into_iter().flatten().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if entry.path().is_dir() && logsieve_fuzz_harness::target(&name).is_none() {
            failures.push(format!("fuzz/regressions/{name}/ is no target"));
        }
    }
    eprintln!("{count} regression inputs replayed");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_target_has_a_fuzz_target_file() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/fuzz_targets");
    let mut on_disk: Vec<String> = files(&dir)
        .iter()
        .filter_map(|p| Some(p.file_name()?.to_str()?.strip_suffix(".rs")?.to_string()))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = logsieve_fuzz_harness::TARGETS
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    listed.sort();
    assert_eq!(on_disk, listed, "fuzz/fuzz_targets/*.rs and TARGETS differ");
}

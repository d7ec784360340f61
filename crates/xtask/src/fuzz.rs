//! `cargo xtask fuzz [--seconds N] [--target T]`: coverage-guided fuzzing of every entry point that takes log bytes.
//!
//! Installs what is missing (the pinned nightly toolchain, cargo-fuzz), builds the targets of `fuzz/` (the
//! harness logic is the `logsieve-fuzz-harness` crate), writes seed corpora under `target/fuzz-corpus/<target>/`
//! (slices of `../shared/loghub` and `../shared/samples`, plus generated log-like lines; the corpus grows from run to
//! run), then runs each target for N seconds with libFuzzer (a 10 s timeout makes a hang a finding) and prints its
//! executions, speed, corpus size and crashes. A crash or hang prints the input's path and the command that
//! replays it, and the command exits non-zero after the other targets ran.

use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::thread;
use std::time::Instant;

use crate::ctx::{secs, show, Ctx, Result};
use crate::setup::cargo_tool;

/// The nightly that builds the fuzz targets (libFuzzer and sanitizer flags need nightly); pinned for repeatability.
pub const NIGHTLY: &str = "nightly-2026-10-29";
pub const CARGO_FUZZ_VERSION: &str = "0.13.2";
/// Seconds per target when `--seconds` is not given.
pub const DEFAULT_SECONDS: u64 = 60;
/// Largest input per target: 64 KiB, more where slowness only shows on large inputs.
fn max_len(target: &str) -> usize {
    match target {
        "analyzer" => 1 << 20,
        "redact" | "llm_digest" => 256 << 10,
        _ => 64 << 10,
    }
}

pub struct Options {
    pub seconds: u64,
    pub target: Option<String>,
}

pub fn parse_options(options: &[&str]) -> std::result::Result<Options, String> {
    let mut opts = Options {
        seconds: DEFAULT_SECONDS,
        target: None,
    };
    let mut rest = options.iter();
    while let Some(&opt) = rest.next() {
        let (name, value) = match opt.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (opt, None),
        };
        let mut value = || {
            value
                .or_else(|| rest.next().copied())
                .ok_or(format!("fuzz: {name} needs a value"))
        };
        match name {
            "--seconds" => {
                let v = value()?;
                opts.seconds = v
                    .parse()
                    .ok()
                    .filter(|&s| s > 0)
                    .ok_or(format!("fuzz: --seconds `{v}` is not a positive number"))?;
            }
            "--target" => opts.target = Some(value()?.to_string()),
            _ => return Err(format!("fuzz: unexpected option `{opt}`")),
        }
    }
    Ok(opts)
}

/// What one target's run gave.
struct Outcome {
    target: String,
    stats: BTreeMap<String, String>,
    corpus: usize,
    artifact: Option<String>,
    failed: Option<String>,
    time: String,
}

pub fn fuzz(ctx: &Ctx, opts: &Options) -> Result<()> {
    let started = Instant::now();
    nightly(ctx)?;
    cargo_tool(ctx, "cargo-fuzz", "cargo-fuzz", CARGO_FUZZ_VERSION, true)?;
    let targets = targets(ctx)?;
    let chosen: Vec<String> = match &opts.target {
        Some(t) if targets.contains(t) => vec![t.clone()],
        Some(t) => {
            return Err(format!(
                "fuzz: no target `{t}` (targets: {})",
                targets.join(", ")
            ))
        }
        None => targets,
    };

    let build_started = Instant::now();
    let mut build = fuzz_cmd(ctx, "build");
    if let Some(t) = &opts.target {
        build.arg(t);
    }
    ctx.run(&mut build)?;
    println!(
        "fuzz: built {} target(s) ({})",
        chosen.len(),
        secs(build_started)
    );

    let mut outcomes = Vec::new();
    for t in &chosen {
        let corpus = seed_corpus(ctx, t)?;
        outcomes.push(run_target(ctx, t, &corpus, opts.seconds)?);
    }

    println!("\nfuzz summary ({} s per target):", opts.seconds);
    println!(
        "  {:<16} {:>12} {:>9} {:>7} {:>8}  result",
        "target", "executions", "exec/s", "corpus", "time"
    );
    let mut bad = 0;
    for o in &outcomes {
        let get = |k: &str| o.stats.get(k).cloned().unwrap_or_else(|| "?".into());
        let result = match (&o.failed, &o.artifact) {
            (None, _) => "ok".to_string(),
            (Some(why), Some(a)) => format!("FAILED: {why}: {a}"),
            (Some(why), None) => format!("FAILED: {why}"),
        };
        bad += o.failed.is_some() as usize;
        println!(
            "  {:<16} {:>12} {:>9} {:>7} {:>8}  {result}",
            o.target,
            get("number_of_executed_units"),
            get("average_exec_per_sec"),
            o.corpus,
            o.time,
        );
    }
    for o in outcomes.iter().filter(|o| o.artifact.is_some()) {
        let a = o.artifact.as_deref().unwrap_or_default();
        println!(
            "\n{}: the input is {a}\n  replay:   cargo +{NIGHTLY} fuzz run -O -a -s none {} {a}\n  \
             minimize: cargo +{NIGHTLY} fuzz tmin -O -a -s none {} {a}\n  \
             keep it:  copy it to fuzz/regressions/{}/ (replayed by `cargo test -p logsieve-fuzz-harness`)",
            o.target, o.target, o.target, o.target
        );
    }
    println!("fuzz: done ({})", secs(started));
    if bad > 0 {
        return Err(format!(
            "fuzz: {bad} of {} target(s) failed",
            outcomes.len()
        ));
    }
    Ok(())
}

/// The pinned nightly, installed (minimal profile) when missing.
fn nightly(ctx: &Ctx) -> Result<()> {
    let what = format!("fuzz: rust toolchain {NIGHTLY}");
    if ctx.which("rustup").is_none() {
        return Err(format!(
            "{what}: fuzzing needs rustup to install the nightly toolchain (https://rustup.rs)"
        ));
    }
    let installed = ctx
        .output(ctx.cmd("rustup").args(["toolchain", "list"]))
        .ok_or("`rustup toolchain list` failed")?;
    if installed.lines().any(|l| l.starts_with(NIGHTLY)) {
        println!("{what}: found");
        return Ok(());
    }
    println!("{what}: missing, installing (about a minute)");
    let started = Instant::now();
    let mut cmd = ctx.cmd("rustup");
    cmd.args(["toolchain", "install", NIGHTLY, "--profile", "minimal"]);
    ctx.run(&mut cmd)?;
    println!("{what}: installed ({})", secs(started));
    Ok(())
}

/// `cargo +NIGHTLY fuzz <sub> -O -a -s none`, run in the repository root. Release code with debug assertions and
/// overflow checks; no sanitizer (the code under test is safe Rust: a sanitizer would halve the executions for
/// nothing).
fn fuzz_cmd(ctx: &Ctx, sub: &str) -> std::process::Command {
    let mut cmd = ctx.rustup_cargo();
    cmd.args([
        &format!("+{NIGHTLY}"),
        "fuzz",
        sub,
        "-O",
        "-a",
        "-s",
        "none",
    ]);
    cmd
}

/// The targets: `fuzz/fuzz_targets/*.rs`, sorted.
fn targets(ctx: &Ctx) -> Result<Vec<String>> {
    let dir = ctx.root.join("fuzz").join("fuzz_targets");
    let mut v: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .flatten()
        .filter_map(|e| Some(e.file_name().to_str()?.strip_suffix(".rs")?.to_string()))
        .collect();
    v.sort();
    if v.is_empty() {
        return Err(format!("no fuzz targets in {}", dir.display()));
    }
    Ok(v)
}

/// Writes the seeds of `target` into `target/fuzz-corpus/<target>/` (files named `seed-*`; what libFuzzer added
/// there on earlier runs stays) and returns the directory.
fn seed_corpus(ctx: &Ctx, target: &str) -> Result<PathBuf> {
    let dir = ctx.root.join("target").join("fuzz-corpus").join(target);
    fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut seeds: Vec<(String, Vec<u8>)> = Vec::new();
    let shared = ctx.root.join("..").join("shared");
    let k8s = target == "k8s";
    if !k8s {
        let mut logs = Vec::new();
        find_files(&shared.join("loghub"), ".log", &mut logs);
        find_files(
            &shared.join("samples").join("access_log"),
            ".log",
            &mut logs,
        );
        logs.sort();
        for path in &logs {
            let Ok(bytes) = fs::read(path) else { continue };
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            // Slices of a few KB from the start, the middle and the end, cut at line starts.
            for (i, at) in [0, bytes.len() / 2, bytes.len().saturating_sub(3000)]
                .into_iter()
                .enumerate()
            {
                let start = line_start(&bytes, at);
                let end = line_start(&bytes, (start + 3000).min(bytes.len()));
                if end > start {
                    seeds.push((format!("seed-{stem}-{i}"), bytes[start..end].to_vec()));
                }
            }
        }
    }
    let mut manifests = Vec::new();
    find_files(
        &shared.join("samples").join("k8s_manifests"),
        ".yml",
        &mut manifests,
    );
    manifests.sort();
    let take = if k8s { manifests.len() } else { 3 };
    for path in manifests.iter().take(take) {
        if let Ok(bytes) = fs::read(path) {
            let stem = path.file_stem().unwrap_or_default().to_string_lossy();
            seeds.push((format!("seed-k8s-{stem}"), bytes));
        }
    }
    for (i, s) in generated_seeds().into_iter().enumerate() {
        seeds.push((format!("seed-gen-{i:02}"), s.into_bytes()));
    }
    if seeds.len() < 10 {
        println!(
            "fuzz: {target}: only generated seeds ({} not found: no loghub or samples)",
            shared.display()
        );
    }
    for (name, bytes) in &seeds {
        let path = dir.join(name);
        if fs::read(&path).ok().as_deref() != Some(bytes) {
            fs::write(&path, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    Ok(dir)
}

/// The start of the line that holds byte `at` (or `at` itself at the end).
fn line_start(bytes: &[u8], at: usize) -> usize {
    if at >= bytes.len() {
        return bytes.len();
    }
    bytes[..at]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1)
}

fn find_files(dir: &Path, suffix: &str, out: &mut Vec<PathBuf>) {
    let Ok(rd) = fs::read_dir(dir) else { return };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            find_files(&p, suffix, out);
        } else if p.to_string_lossy().ends_with(suffix) {
            out.push(p);
        }
    }
}

/// Small log-like inputs the shared logs lack: stack traces, JSON and logfmt lines, secrets and personal data,
/// multi-byte text, kubectl output.
fn generated_seeds() -> Vec<String> {
    let digits = (0..60)
        .map(|i| format!("{:02}", i * 7 % 100))
        .collect::<Vec<_>>()
        .join(" ");
    vec![
        "2024-03-05 03:00:35.112 ERROR 1 --- [exec-1] c.a.Db : java.net.SocketException: Too many open files\n\
         \tat com.acme.Db.open(Db.java:42)\n\tat com.acme.Api.get(Api.java:7)\nCaused by: java.io.IOException: x\n\t... 3 more\n"
            .into(),
        "{\"level\":\"error\",\"time\":\"2024-01-15T10:23:45.123Z\",\"msg\":\"db timeout after 30s\",\"trace_id\":\"abc\"}\n\
         {\"level\":\"info\",\"ts\":1705314225.5,\"msg\":\"ok \\u00e9 \\\"q\\\"\",\"nested\":{\"a\":[1,{\"b\":null}]}}\n"
            .into(),
        "time=2024-01-15T10:23:45Z level=warn msg=\"pool exhausted\" pool=db size=10 user=bob@example.com\n".into(),
        "Jun 14 15:16:01 web1 sshd[2201]: Failed password for root from 203.0.113.7 port 52113 ssh2\n\
         Jun 14 15:16:03 web1 sshd[2201]: Failed password for root from 203.0.113.7 port 52113 ssh2\n"
            .into(),
        "203.0.113.9 - - [10/Oct/2023:13:55:36 -0700] \"GET /search?q=' OR 1=1-- HTTP/1.1\" 200 2326 \"-\" \"sqlmap/1.7\"\n\
         198.51.100.2 - - [10/Oct/2023:13:55:37 -0700] \"GET /../../etc/passwd HTTP/1.1\" 404 12 \"-\" \"Nikto\"\n"
            .into(),
        "2024-01-15 10:23:45,123 INFO [main] Login user=alice password=hunter2 card=4111 1111 1111 1111 \
         phone=+86 138 0013 8000 key=AKIAIOSFODNN7EXAMPLE token=sk-abcdefghijklmnopqrstuvwxyz0123456789ABCD\n\
         -----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA7bq3\nqY2s9e+f\n-----END RSA PRIVATE KEY-----\n"
            .into(),
        format!("2024-01-15 10:23:45 ERROR numbers {digits}\n"),
        "panic: runtime error: index out of range [3] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\n"
            .into(),
        "Traceback (most recent call last):\n  File \"/app/x.py\", line 3, in <module>\n    f()\nValueError: bad é 中 😀\n".into(),
        "info: Microsoft.AspNetCore.Hosting.Diagnostics[1]\n      Request starting HTTP/1.1 GET http://localhost/\n".into(),
        "I0115 10:23:45.123456   12345 controller.go:123] Reconciling pod default/web-0\n\
         E0115 10:23:46.000001   12345 controller.go:200] OOMKilled: container web exceeded memory limit\n"
            .into(),
        "NAME      READY   STATUS             RESTARTS   AGE\nweb-0     0/1     CrashLoopBackOff   12         1h\n\
         api-1     1/1     Running            0          2d\n"
            .into(),
        "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut=\"3\"] An application event\n".into(),
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block blk_38865049064139660 terminating\n".into(),
    ]
}

/// Runs one target for `seconds`, its libFuzzer output in `target/fuzz-logs/<target>.log`.
fn run_target(ctx: &Ctx, target: &str, corpus: &Path, seconds: u64) -> Result<Outcome> {
    let started = Instant::now();
    let logs = ctx.root.join("target").join("fuzz-logs");
    fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    let log_path = logs.join(format!("{target}.log"));
    let mut cmd = fuzz_cmd(ctx, "run");
    cmd.arg(target).arg(corpus).arg("--");
    cmd.args([
        format!("-max_total_time={seconds}"),
        "-timeout=10".into(),
        "-rss_limit_mb=2048".into(),
        format!("-max_len={}", max_len(target)),
        "-print_final_stats=1".into(),
    ]);
    for dict in dicts(ctx, target) {
        cmd.arg(format!("-dict={}", dict.display()));
    }
    println!(
        "\nfuzz: {target} for {seconds} s (log: {})",
        ctx.rel(&log_path).display()
    );
    println!("    $ {}", show(&cmd));
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start cargo fuzz: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let stderr = child.stderr.take().expect("piped");
    let out_thread = thread::spawn(move || {
        BufReader::new(stdout)
            .lines()
            .map_while(std::result::Result::ok)
            .collect::<Vec<_>>()
    });
    let mut log =
        fs::File::create(&log_path).map_err(|e| format!("{}: {e}", log_path.display()))?;
    let mut stats = BTreeMap::new();
    let mut artifact = None;
    let mut reason = None;
    let mut tail: Vec<String> = Vec::new();
    for line in BufReader::new(stderr)
        .lines()
        .map_while(std::result::Result::ok)
    {
        let _ = writeln!(log, "{line}");
        if let Some(rest) = line.strip_prefix("stat::") {
            if let Some((k, v)) = rest.split_once(':') {
                stats.insert(k.trim().to_string(), v.trim().to_string());
            }
        }
        if let Some(p) = line.split("Test unit written to ").nth(1) {
            artifact = Some(p.trim().to_string());
        }
        if reason.is_none() {
            if line.contains("ERROR: libFuzzer: timeout") {
                reason = Some("timeout (over 10 s)".to_string());
            } else if line.contains("ERROR: libFuzzer: out-of-memory") {
                reason = Some("out of memory (over 2048 MB)".to_string());
            } else if line.contains("panicked at") {
                reason = Some(format!("panic: {}", line.trim()));
            } else if line.contains("ERROR: libFuzzer: deadly signal") {
                reason = Some("crash".to_string());
            }
        }
        tail.push(line);
        if tail.len() > 40 {
            tail.remove(0);
        }
    }
    let status = child.wait().map_err(|e| format!("cargo fuzz: {e}"))?;
    for line in out_thread.join().unwrap_or_default() {
        let _ = writeln!(log, "{line}");
    }
    let corpus_len = fs::read_dir(corpus).map(|rd| rd.count()).unwrap_or(0);
    let failed = if status.success() {
        None
    } else {
        // Show the end of libFuzzer's report (the panic message and backtrace are there).
        for line in &tail {
            println!("    | {line}");
        }
        Some(reason.unwrap_or_else(|| format!("cargo fuzz exited with {status}")))
    };
    let o = Outcome {
        target: target.to_string(),
        corpus: corpus_len,
        artifact: artifact.map(|a| ctx.rel(Path::new(&a)).display().to_string()),
        failed,
        stats,
        time: secs(started),
    };
    println!(
        "fuzz: {target}: {} executions, {} exec/s, corpus {}, {} ({})",
        o.stats
            .get("number_of_executed_units")
            .map_or("?", String::as_str),
        o.stats
            .get("average_exec_per_sec")
            .map_or("?", String::as_str),
        o.corpus,
        match &o.failed {
            None => "no crash".to_string(),
            Some(why) => why.clone(),
        },
        o.time
    );
    Ok(o)
}

/// The libFuzzer dictionaries of a target: `fuzz/dicts/log.dict` for all, `fuzz/dicts/<target>.dict` when there is one.
fn dicts(ctx: &Ctx, target: &str) -> Vec<PathBuf> {
    let dir = ctx.root.join("fuzz").join("dicts");
    ["log".to_string(), target.to_string()]
        .iter()
        .map(|n| dir.join(format!("{n}.dict")))
        .filter(|p| p.is_file())
        .collect()
}

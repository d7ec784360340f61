//! `cargo xtask bench-model`: the model's speed and memory, natively and in headless Chromium (one worker).
//!
//! Speed does not depend on the weight values, so the benchmark uses a Qwen3 with random weights and exactly
//! Qwen3-0.6B's shapes (LoGEM's), generated once in Q8_0 and Q4_K as GGUF and cached under target/bench-model/.
//! Each run loads the GGUF through the same loader as the page (streamed, tensor by tensor), runs a 256-token
//! prompt and 64 decoded tokens with the KV cache sized for a 512-token context, and prints one JSON line:
//! `{"runtime":"native|wasm-chromium","quant":"q8_0|q4_k","prefill_tok_s":…,"decode_tok_s":…,"peak_mem_mb":…,…}`.
//! Natively candle runs on one thread unless `--threads N` says otherwise; peak memory is the process's peak RSS.
//! In Chromium peak memory is the wasm memory's size (it never shrinks). The wasm build has the model crate's
//! `relaxed-simd` feature (Q8_0 prefill through relaxed SIMD, as the page's model build); `--baseline` also runs Q8_0
//! with prefill through the SIMD128 tile, in the same browser, for a like-for-like ratio.
//!
//! The pieces: `crates/model/examples/model_bench.rs` (generate, run natively), `crates/model/examples/wasm_bench.rs`
//! (the wasm entry), `crates/model/bench/` (the page, its worker, the playwright-core driver).

use std::path::{Path, PathBuf};
use std::process::Stdio;

use crate::ctx::{Ctx, Result};
use crate::setup::{CHROMIUM, WASM_TARGET};

const QUANTS: [&str; 2] = ["q8_0", "q4_k"];
const PROMPT: &str = "256";
const DECODE: &str = "64";
const CONTEXT: &str = "512";

pub struct Options {
    pub native: bool,
    pub wasm: bool,
    /// Native threads for candle (CANDLE_NUM_THREADS); 1 matches the page's one worker.
    pub threads: u32,
    /// Also run wasm Q8_0 without relaxed SIMD (the SIMD128 prefill), to compare in one run.
    pub baseline: bool,
    /// Only check the wasm model's tokens in Chromium ([`check`]).
    pub check: bool,
}

/// `[--native-only | --wasm-only] [--threads N] [--baseline] | --check`.
pub fn parse_options(options: &[&str]) -> std::result::Result<Options, String> {
    let mut opts = Options {
        native: true,
        wasm: true,
        threads: 1,
        baseline: false,
        check: false,
    };
    let mut rest = options.iter();
    while let Some(&o) = rest.next() {
        match o {
            "--native-only" => opts.wasm = false,
            "--wasm-only" => opts.native = false,
            "--baseline" => opts.baseline = true,
            "--check" => opts.check = true,
            "--threads" => {
                let v = rest.next().ok_or("bench-model: --threads needs a number")?;
                opts.threads = v
                    .parse()
                    .map_err(|_| format!("bench-model: `{v}` is not a number of threads"))?;
            }
            other => return Err(format!("bench-model: unexpected option `{other}`")),
        }
    }
    if !opts.native && !opts.wasm {
        return Err("bench-model: --native-only and --wasm-only exclude each other".into());
    }
    Ok(opts)
}

pub fn bench_model(ctx: &Ctx, opts: &Options) -> Result<()> {
    if opts.check {
        return check(ctx);
    }
    let dir = ctx.root.join("target").join("bench-model");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;

    ctx.run(ctx.cmd("cargo").args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "logsieve-model",
        "--example",
        "model_bench",
    ]))?;
    let tool = ctx.root.join("target/release/examples/model_bench");

    let mut models = Vec::new();
    for q in QUANTS {
        let file = dir.join(format!("qwen3-0.6b-random-{q}.gguf"));
        if !file.is_file() {
            println!(
                "bench-model: generating {} (once)",
                ctx.rel(&file).display()
            );
            ctx.run(
                ctx.cmd(tool.to_str().ok_or("non-UTF-8 path")?)
                    .args(["gen", "--quant", q, "--shape", "qwen3-0.6b", "--out"])
                    .arg(&file),
            )?;
        }
        models.push((q, file));
    }

    let mut lines = Vec::new();
    if opts.native {
        for (q, file) in &models {
            let out = capture(
                ctx.cmd(tool.to_str().ok_or("non-UTF-8 path")?)
                    .args(["run", "--quant", q, "--prompt", PROMPT, "--decode", DECODE])
                    .args(["--context", CONTEXT, "--gguf"])
                    .arg(file)
                    .env("CANDLE_NUM_THREADS", opts.threads.to_string()),
            )?;
            lines.extend(
                out.lines()
                    .filter(|l| l.starts_with('{'))
                    .map(str::to_owned),
            );
        }
    }
    if opts.wasm {
        let pkg = wasm_package(ctx, &dir)?;
        let mut cmd = ctx.cmd("node");
        cmd.arg("crates/model/bench/run.mjs")
            .arg("--pkg")
            .arg(&pkg)
            .arg("--models")
            .arg(&dir)
            .args([
                "--chromium",
                CHROMIUM,
                "--prompt",
                PROMPT,
                "--decode",
                DECODE,
            ])
            .args(["--context", CONTEXT]);
        if opts.baseline {
            cmd.arg("--baseline");
        }
        for (q, file) in &models {
            let name = file
                .file_name()
                .and_then(|n| n.to_str())
                .ok_or("non-UTF-8 file name")?;
            cmd.arg(format!("{q}={name}"));
        }
        let out = capture(&mut cmd)?;
        lines.extend(
            out.lines()
                .filter(|l| l.starts_with('{'))
                .map(str::to_owned),
        );
    }

    println!();
    for l in &lines {
        println!("{l}");
    }
    summary(&lines);
    Ok(())
}

/// `cargo xtask bench-model --check` (and a step of `cargo xtask test`): the production wasm path (relaxed SIMD) in
/// headless Chromium must give the tiny Q8_0 model's native greedy tokens, and the Q8_0 kernel must give
/// bit-identical results with and without relaxed SIMD. Node's V8 cannot test this (Node 20 has relaxed SIMD only
/// behind a flag, and its dot product is wrong there: `kernels::relaxed_simd_mode` reports it unusable).
pub fn check(ctx: &Ctx) -> Result<()> {
    let dir = ctx.root.join("target").join("bench-model");
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let pkg = wasm_package(ctx, &dir)?;
    let mut cmd = ctx.cmd("node");
    cmd.arg("crates/model/bench/run.mjs")
        .arg("--pkg")
        .arg(&pkg)
        .arg("--models")
        .arg(&dir)
        .args(["--chromium", CHROMIUM, "--check"]);
    let out = capture(&mut cmd)?;
    if !out.contains("\"ok\":true") {
        return Err("the wasm model check in Chromium did not report ok".into());
    }
    Ok(())
}

/// Builds the wasm entry and runs wasm-bindgen (no-modules, for `importScripts` in the worker).
fn wasm_package(ctx: &Ctx, dir: &Path) -> Result<PathBuf> {
    ctx.run(ctx.cmd("cargo").args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "logsieve-model",
        "--example",
        "wasm_bench",
        "--features",
        "relaxed-simd",
        "--target",
        WASM_TARGET,
    ]))?;
    let wasm = ctx
        .root
        .join("target")
        .join(WASM_TARGET)
        .join("release/examples/wasm_bench.wasm");
    let pkg = dir.join("pkg");
    ctx.run(
        ctx.cmd("wasm-bindgen")
            .args([
                "--target",
                "no-modules",
                "--no-typescript",
                "--out-name",
                "wasm_bench",
            ])
            .arg("--out-dir")
            .arg(&pkg)
            .arg(&wasm),
    )?;
    Ok(pkg)
}

/// Runs a command with stderr shown and stdout captured (and shown).
fn capture(cmd: &mut std::process::Command) -> Result<String> {
    let shown = crate::ctx::show(cmd);
    println!("    $ {shown}");
    let out = cmd
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    print!("{text}");
    if !out.status.success() {
        return Err(format!("`{shown}` failed ({})", out.status));
    }
    Ok(text)
}

fn number(line: &str, key: &str) -> Option<f64> {
    let at = line.find(&format!("\"{key}\":"))? + key.len() + 3;
    let rest = &line[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == 'e'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// The table for the README and the targets for Chromium.
fn summary(lines: &[String]) {
    println!("\n| runtime | quant | prefill tok/s | decode tok/s | peak memory MB |");
    println!("|---|---|---:|---:|---:|");
    for l in lines {
        let s = |k: &str| {
            let at = l.find(&format!("\"{k}\":\"")).map(|i| i + k.len() + 4);
            at.and_then(|i| l[i..].split('"').next())
                .unwrap_or("?")
                .to_owned()
        };
        let n = |k: &str| number(l, k).map_or("?".into(), |v| format!("{v:.1}"));
        let runtime = if l.contains("\"relaxed_simd\":false") {
            format!("{} (SIMD128 baseline)", s("runtime"))
        } else {
            s("runtime")
        };
        println!(
            "| {} | {} | {} | {} | {} |",
            runtime,
            s("quant"),
            n("prefill_tok_s"),
            n("decode_tok_s"),
            n("peak_mem_mb")
        );
    }
    let find = |q: &str| {
        lines.iter().find(|l| {
            l.contains("\"wasm-chromium\"")
                && l.contains(&format!("\"quant\":\"{q}\""))
                && !l.contains("\"relaxed_simd\":false")
        })
    };
    let check = |label: &str, v: Option<f64>, ok: &dyn Fn(f64) -> bool| match v {
        Some(v) => println!("  {} {label}: {v:.1}", if ok(v) { "ok  " } else { "MISS" }),
        None => println!("  ?    {label}: not measured"),
    };
    println!("\ntargets (Chromium, one worker):");
    let q8 = find("q8_0");
    check(
        "Q8_0 decode tok/s >= 10",
        q8.and_then(|l| number(l, "decode_tok_s")),
        &|v| v >= 10.0,
    );
    check(
        "Q8_0 prefill tok/s >= 60",
        q8.and_then(|l| number(l, "prefill_tok_s")),
        &|v| v >= 60.0,
    );
    let q4 = find("q4_k");
    check(
        "Q4_K peak wasm memory MB <= 1000 (512-token context)",
        q4.and_then(|l| number(l, "peak_mem_mb")),
        &|v| v <= 1000.0,
    );
}

//! The developer commands of logsieve, run as `cargo xtask <command>` (an alias in .cargo/config.toml).

mod bench;
mod bench_linear;
mod bench_model;
mod ctx;
mod dist;
mod eval_secrets;
mod serve;
mod setup;
mod test_all;

use std::process::ExitCode;

use ctx::{Ctx, Result};
use test_all::Scope;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  setup                      install what is missing: the wasm32 target, wasm-bindgen-cli, trunk, Chromium
                             (apt-get, as root) and the npm packages (playwright-core, binaryen's wasm-opt)
  dist                       setup, then `trunk build --release` into dist/
  serve [--port N] [--no-build]
                             dist, then serve dist/ at http://127.0.0.1:N/ (default 8080, or the next free port)
                             until Ctrl-C; --no-build serves the existing dist/ as it is
  test [--skip-browser | --only-browser]
                             setup, fmt + clippy, cargo test (--no-fail-fast), the CLI release build, the Trunk build + wasm clippy,
                             then the browser tests; --only-browser runs setup and the browser tests against the
                             existing dist/ and target/release/logsieve
  bench [--skip-page]        the throughput benchmark: a >= 200 MB mixed file from ../shared/loghub, timed with
                             `wc -l` (baseline), `logsieve stats` and the page in headless Chromium
  bench-model [--native-only | --wasm-only] [--threads N] [--baseline] [--check]
                             the model benchmark: random Qwen3-0.6B-shaped GGUFs (Q8_0, Q4_K; cached under
                             target/bench-model/), 256-token prompt + 64 decoded tokens, natively and in headless
                             Chromium (one worker, relaxed-SIMD build); one JSON line per run; --baseline adds a
                             Q8_0 run with the SIMD128-only prefill in the same browser; --check runs the tiny
                             model in Chromium instead (tokens equal to native, kernels bit-identical)
  bench-linear [--only TEXT]... [--limit SECS] [--max-ratio R] [--list]
                             the linearity benchmark: every detector, the redactor, the engine, the k8s audit and
                             the LLM digest on one event of n bytes and on n bytes of lines, n doubling, adversarial
                             text per detector; CPU time and peak memory per n; fails when a ratio per doubling is
                             above R (2.5) or a series runs out of its limit (120 s of wall time); --only keeps
                             the series whose id (subject/shape/mode, see --list) contains TEXT
  eval-secrets [--report-only] [--examples N] [--skip-detect-secrets]
                             the redactor measured like a secret scanner: recall per family on the labelled corpus
                             tests/secrets-eval/positives.tsv and false-positive lines on every line of
                             ../shared/loghub/**/*.log and ../shared/samples/, with `logsieve redact` (release
                             build) and, in the same run, detect-secrets (pip, throwaway venv); fails below recall
                             0.98 overall / 0.9 per family, above 0.5 % false positives, or when not ahead of
                             detect-secrets; --report-only only prints; report in target/eval-secrets/report.md
  help                       this text
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Usage(msg)) => {
            eprintln!("xtask: {msg}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("xtask: error: {msg}");
            ExitCode::FAILURE
        }
    }
}

enum Failure {
    Usage(String),
    Run(String),
}

impl From<String> for Failure {
    fn from(msg: String) -> Failure {
        Failure::Run(msg)
    }
}

fn run(args: &[String]) -> std::result::Result<(), Failure> {
    let Some((command, options)) = args.split_first() else {
        print!("{USAGE}");
        return Ok(());
    };
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    match command.as_str() {
        "setup" => {
            no_options("setup", &options)?;
            setup::setup(&Ctx::new()?)?;
        }
        "dist" => {
            no_options("dist", &options)?;
            dist::dist(&Ctx::new()?)?;
        }
        "serve" => {
            let (port, build) = serve_options(&options)?;
            let ctx = Ctx::new()?;
            if build {
                dist::dist(&ctx)?;
            }
            serve::serve(&ctx, port)?;
        }
        "test" => {
            let scope = match options.as_slice() {
                [] => Scope::All,
                ["--skip-browser"] => Scope::SkipBrowser,
                ["--only-browser"] => Scope::OnlyBrowser,
                _ => {
                    return Err(Failure::Usage(format!(
                        "test: unexpected options {options:?}"
                    )))
                }
            };
            test_all::test(&Ctx::new()?, scope)?;
        }
        "bench" => {
            let with_page = match options.as_slice() {
                [] => true,
                ["--skip-page"] => false,
                _ => {
                    return Err(Failure::Usage(format!(
                        "bench: unexpected options {options:?}"
                    )))
                }
            };
            bench::bench(&Ctx::new()?, with_page)?;
        }
        "bench-model" => {
            let opts = bench_model::parse_options(&options).map_err(Failure::Usage)?;
            bench_model::bench_model(&Ctx::new()?, &opts)?;
        }
        "bench-linear" => bench_linear::bench_linear(&Ctx::new()?, &options)?,
        "eval-secrets" => {
            let opts = eval_secrets::parse_options(&options).map_err(Failure::Usage)?;
            eval_secrets::eval_secrets(&Ctx::new()?, &opts)?;
        }
        "help" | "-h" | "--help" => print!("{USAGE}"),
        other => return Err(Failure::Usage(format!("unknown command `{other}`"))),
    }
    Ok(())
}

fn no_options(command: &str, options: &[&str]) -> std::result::Result<(), Failure> {
    match options {
        [] => Ok(()),
        _ => Err(Failure::Usage(format!(
            "{command} takes no options, got {options:?}"
        ))),
    }
}

/// `[--port N | --port=N] [--no-build]` -> (port, whether to build dist/ first).
fn serve_options(options: &[&str]) -> std::result::Result<(u16, bool), Failure> {
    let mut port = serve::DEFAULT_PORT;
    let mut build = true;
    let mut rest = options.iter();
    while let Some(&opt) = rest.next() {
        let value = match opt {
            "--no-build" => {
                build = false;
                continue;
            }
            "--port" => rest.next().copied(),
            _ => match opt.strip_prefix("--port=") {
                Some(v) => Some(v),
                None => return Err(Failure::Usage(format!("serve: unexpected option `{opt}`"))),
            },
        };
        port = parse_port(value).map_err(Failure::Usage)?;
    }
    Ok((port, build))
}

fn parse_port(value: Option<&str>) -> Result<u16> {
    let value = value.ok_or("serve: --port needs a number")?;
    value
        .parse()
        .map_err(|_| format!("serve: `{value}` is not a port number (0-65535)"))
}

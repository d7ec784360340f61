//! `cargo xtask test`: every check of the project, one summary line per step, non-zero exit if any step failed.
//!
//! Steps run on after a failure where they can (a formatting slip should not hide a failing test); a step that needs
//! the output of a failed one is reported as not run.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::ctx::{secs, Ctx, Result};
use crate::dist::trunk_build;
use crate::setup::{setup, CHROMIUM};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    All,
    SkipBrowser,
    OnlyBrowser,
}

enum Outcome {
    Passed,
    Failed(String),
    /// Not run on purpose (an option asked so); not a failure.
    Skipped(String),
    /// Not run because a step it needs failed; the failure is already counted there.
    Blocked(String),
}

struct Step {
    id: char,
    name: String,
    outcome: Outcome,
    time: String,
}

#[derive(Default)]
struct Report {
    steps: Vec<Step>,
}

impl Report {
    /// Runs one step and records it; returns whether it passed.
    fn run(&mut self, id: char, name: &str, f: impl FnOnce() -> Result<()>) -> bool {
        println!("\n==> [{id}] {name}");
        let started = Instant::now();
        let result = f();
        let time = secs(started);
        let passed = result.is_ok();
        let outcome = match result {
            Ok(()) => Outcome::Passed,
            Err(e) => Outcome::Failed(e),
        };
        self.push(id, name, outcome, time);
        passed
    }

    fn push(&mut self, id: char, name: &str, outcome: Outcome, time: String) {
        let step = Step {
            id,
            name: name.to_owned(),
            outcome,
            time,
        };
        println!("==> {}", step.line());
        self.steps.push(step);
    }

    fn not_run(&mut self, id: char, name: &str, outcome: Outcome) {
        println!("\n==> [{id}] {name}");
        self.push(id, name, outcome, String::new());
    }

    /// Prints the summary; Err if any step failed.
    fn finish(self) -> Result<()> {
        println!("\nxtask test summary:");
        for step in &self.steps {
            println!("  {}", step.line());
        }
        let failed = self
            .steps
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Failed(_)))
            .count();
        let blocked = self
            .steps
            .iter()
            .filter(|s| matches!(s.outcome, Outcome::Blocked(_)))
            .count();
        if failed == 0 {
            println!("xtask test: all steps passed");
            Ok(())
        } else {
            let blocked = if blocked > 0 {
                format!(", {blocked} not run")
            } else {
                String::new()
            };
            Err(format!(
                "xtask test: FAILED ({failed} of {} steps failed{blocked})",
                self.steps.len()
            ))
        }
    }
}

impl Step {
    fn line(&self) -> String {
        let (label, detail) = match &self.outcome {
            Outcome::Passed => ("ok", String::new()),
            // "`cargo test …` failed (exit status: 101)" under the name "cargo test …": keep only the status.
            Outcome::Failed(why) => match why.strip_prefix(&format!("`{}` failed ", self.name)) {
                Some(status) => ("FAILED", format!(" {status}")),
                None => ("FAILED", format!(": {why}")),
            },
            Outcome::Skipped(why) => ("skipped", format!(" ({why})")),
            Outcome::Blocked(why) => ("NOT RUN", format!(" ({why})")),
        };
        let time = if self.time.is_empty() {
            String::new()
        } else {
            format!(" [{}]", self.time)
        };
        format!("[{}] {label:<7} {}{time}{detail}", self.id, self.name)
    }
}

/// Each cargo step is named by its command line, which is also what runs (split on spaces).
const FMT: &str = "cargo fmt --all -- --check";
const CLIPPY: &str = "cargo clippy --workspace --all-targets -- -D warnings";
// --no-fail-fast: one run reports every failing test binary, not only the first.
const TESTS: &str = "cargo test --workspace --no-fail-fast";
const CLI_BUILD: &str = "cargo build --release -p logsieve-cli";
// The page's crates for wasm32: the UI and parsing worker, and the model worker.
const WASM_CLIPPY: &str =
    "cargo clippy -p logsieve-web -p logsieve-model-worker --target wasm32-unknown-unknown -- -D warnings";
const TRUNK: &str = "trunk build --release";
/// The model's greedy tokens in wasm (run by wasm-bindgen-test-runner in Node) equal the native ones.
const WASM_MODEL_TESTS: &str =
    "cargo test -p logsieve-model --target wasm32-unknown-unknown --release --test wasm_tokens";
/// The same tokens through the production build (relaxed SIMD, feature `relaxed-simd`) in headless Chromium.
const WASM_MODEL_CHROMIUM: &str = "cargo xtask bench-model --check";
const BROWSER: &str = "browser tests (node --test tests/browser/)";
/// Seconds per fuzz target in CI: a smoke pass of every target (the long run is `cargo xtask fuzz --seconds 600`).
pub const CI_FUZZ_SECONDS: u64 = 12;

pub fn test(ctx: &Ctx, scope: Scope) -> Result<()> {
    let cargo = |line: &str| ctx.run(ctx.cmd("cargo").args(line.split(' ').skip(1)));
    let mut report = Report::default();

    let setup_ok = report.run('a', "setup", || setup(ctx));

    let mut cli_ok = true;
    let mut dist_ok = true;
    if scope != Scope::OnlyBrowser {
        report.run('b', FMT, || cargo(FMT));
        report.run('b', CLIPPY, || cargo(CLIPPY));
        report.run('c', TESTS, || cargo(TESTS));
        cli_ok = report.run('d', CLI_BUILD, || cargo(CLI_BUILD));
        let fuzz_name = format!("cargo xtask fuzz --seconds {CI_FUZZ_SECONDS}");
        report.run('d', &fuzz_name, || {
            crate::fuzz::fuzz(
                ctx,
                &crate::fuzz::Options {
                    seconds: CI_FUZZ_SECONDS,
                    target: None,
                },
            )
        });
        // Both need the wasm32 target and Trunk's tools from setup.
        if setup_ok {
            dist_ok = report.run('e', TRUNK, || trunk_build(ctx));
            report.run('e', WASM_CLIPPY, || cargo(WASM_CLIPPY));
            report.run('e', WASM_MODEL_TESTS, || {
                ctx.run(
                    ctx.cmd("cargo")
                        .args(WASM_MODEL_TESTS.split(' ').skip(1))
                        .env(
                            "CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER",
                            "wasm-bindgen-test-runner",
                        ),
                )
            });
            report.run('e', WASM_MODEL_CHROMIUM, || crate::bench_model::check(ctx));
        } else {
            dist_ok = false;
            report.not_run('e', TRUNK, Outcome::Blocked("setup failed".into()));
            report.not_run('e', WASM_CLIPPY, Outcome::Blocked("setup failed".into()));
            report.not_run(
                'e',
                WASM_MODEL_TESTS,
                Outcome::Blocked("setup failed".into()),
            );
            report.not_run(
                'e',
                WASM_MODEL_CHROMIUM,
                Outcome::Blocked("setup failed".into()),
            );
        }
    }

    if scope == Scope::SkipBrowser {
        report.not_run('f', BROWSER, Outcome::Skipped("--skip-browser".into()));
    } else if !setup_ok {
        report.not_run('f', BROWSER, Outcome::Blocked("setup failed".into()));
    } else if !cli_ok || !dist_ok {
        let which = match (cli_ok, dist_ok) {
            (false, false) => "steps d and e",
            (false, true) => "step d",
            _ => "step e",
        };
        report.not_run('f', BROWSER, Outcome::Blocked(format!("{which} failed")));
    } else {
        report.run('f', BROWSER, || {
            browser_tests(ctx, scope == Scope::OnlyBrowser)
        });
    }

    report.finish()
}

/// The browser tests: Node's test runner over tests/browser/, one file at a time (each starts a Chromium).
fn browser_tests(ctx: &Ctx, reuse_builds: bool) -> Result<()> {
    let dir = ctx.root.join("tests").join("browser");
    let mut files = Vec::new();
    find_test_files(&dir, &mut files);
    if files.is_empty() {
        return Err(
            "no tests/browser/*.test.mjs found: the browser tests are not written yet".into(),
        );
    }
    println!("    {} test file(s) in tests/browser/", files.len());

    let dist = ctx.root.join("dist");
    let bin = ctx.root.join("target").join("release").join("logsieve");
    if reuse_builds {
        // --only-browser tests what was built last; say so, and stop early if it was never built.
        if !dist.join("index.html").is_file() {
            return Err("dist/index.html is missing: run `cargo xtask dist` first (--only-browser does not build)".into());
        }
        if !bin.is_file() {
            return Err(
                "target/release/logsieve is missing: run `cargo build --release -p logsieve-cli` first \
                 (--only-browser does not build)"
                    .into(),
            );
        }
        println!("    --only-browser: using the existing dist/ and target/release/logsieve, not rebuilding them");
    }
    let shared_raw = ctx.root.join("..").join("shared");
    let shared = shared_raw.canonicalize().unwrap_or(shared_raw);

    let node_major = ctx
        .output(ctx.cmd("node").arg("--version"))
        .and_then(|v| {
            v.trim()
                .trim_start_matches('v')
                .split('.')
                .next()?
                .parse::<u32>()
                .ok()
        })
        .ok_or("node not found (setup should have caught this)")?;
    // Node 20 takes a directory and finds the *.test.mjs files in it; Node 21+ takes glob patterns instead.
    let target = if node_major >= 21 {
        "tests/browser/**/*.test.mjs"
    } else {
        "tests/browser/"
    };

    let mut cmd = ctx.cmd("node");
    cmd.args(["--test", "--test-concurrency=1", target])
        .env("LOGSIEVE_DIST", &dist)
        .env("LOGSIEVE_BIN", &bin)
        .env("LOGSIEVE_SHARED", &shared)
        .env("CHROMIUM", CHROMIUM);
    ctx.run(&mut cmd)
}

/// *.test.mjs files under `dir`, node_modules excluded (as Node's runner does).
fn find_test_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path.is_dir() {
            if name != "node_modules" {
                find_test_files(&path, out);
            }
        } else if name.ends_with(".test.mjs") {
            out.push(path);
        }
    }
}

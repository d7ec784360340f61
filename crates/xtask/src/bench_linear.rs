//! `cargo xtask bench-linear`: linear time and bounded memory as a measured property.
//!
//! Builds and runs the release binary of `crates/linear-bench`, which times every detector of the analyzer, the
//! redactor, the engine (pipeline and template miner), the k8s audit and the LLM digest on one event of n bytes
//! and on n bytes of lines, n doubling, with adversarial text per detector; it prints a table of times, the
//! largest ratio per doubling and the peak memory, and fails when a ratio is above 2.5 (see that crate's
//! documentation). The options are passed through: `--only TEXT` (repeatable) keeps the series whose id
//! (`subject/shape/mode`) contains TEXT, `--limit SECS` bounds each series, `--max-ratio R`, `--list`.

use crate::ctx::{Ctx, Result};

pub fn bench_linear(ctx: &Ctx, options: &[&str]) -> Result<()> {
    ctx.run(ctx.cmd("cargo").args([
        "build",
        "--release",
        "--quiet",
        "-p",
        "logsieve-linear-bench",
    ]))?;
    let bin = ctx.root.join("target/release/logsieve-linear-bench");
    let mut cmd = std::process::Command::new(&bin);
    cmd.current_dir(&ctx.root).args(options);
    ctx.run(&mut cmd)
        .map_err(|e| format!("bench-linear: a series is not linear or ran out of time ({e})"))
}

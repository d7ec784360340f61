//! `cargo xtask dist`: the release build of the web page into dist/.

use std::fs;
use std::time::Instant;

use crate::ctx::{secs, Ctx, Result};
use crate::setup::setup;

/// The web crate's native post-build binary, run on dist/ after Trunk if crates/web/Cargo.toml declares it.
const POSTBUILD_BIN: &str = "logsieve-postbuild";

pub fn dist(ctx: &Ctx) -> Result<()> {
    setup(ctx)?;
    trunk_build(ctx)
}

/// `trunk build --release` from the repository root. Trunk.toml sets offline mode, where Trunk runs
/// `cargo build --offline`, so the dependencies are fetched first.
pub fn trunk_build(ctx: &Ctx) -> Result<()> {
    let started = Instant::now();
    println!("dist: fetching crates, then building the page with Trunk");
    ctx.run(ctx.cmd("cargo").arg("fetch"))?;
    ctx.run(ctx.cmd("trunk").args(["build", "--release"]))?;
    // The web crate's post-build step (moves Trunk's inline scripts into files for the page's CSP), when it has one.
    let web_manifest =
        fs::read_to_string(ctx.root.join("crates/web/Cargo.toml")).unwrap_or_default();
    if web_manifest.contains(&format!("name = \"{POSTBUILD_BIN}\"")) {
        ctx.run(ctx.cmd("cargo").args([
            "run",
            "--quiet",
            "-p",
            "logsieve-web",
            "--bin",
            POSTBUILD_BIN,
            "--",
            "dist",
        ]))?;
    }
    // The country database the page fetches lazily (dist/geo/country.bin), from the npm package that setup installs.
    // After Trunk, which empties dist/.
    ctx.run(ctx.cmd("cargo").args([
        "run",
        "--quiet",
        "--release",
        "-p",
        "logsieve-charts",
        "--bin",
        "build-geo",
        "--",
        "--out",
        "dist/geo/country.bin",
    ]))?;
    let index = ctx.root.join("dist").join("index.html");
    if !index.is_file() {
        return Err(format!(
            "`trunk build` succeeded but {} is missing",
            ctx.rel(&index).display()
        ));
    }
    println!(
        "dist: built {}/ ({})",
        ctx.rel(&ctx.root.join("dist")).display(),
        secs(started)
    );
    Ok(())
}

//! `cargo xtask setup`: installs what the build and the tests need, and only what is missing.
//!
//! Every step first checks what is there (and its version) and prints one line; the fast path runs no installer.

use std::env;
use std::fs;
use std::path::Path;
use std::time::{Instant, SystemTime};

use crate::ctx::{is_root, secs, Ctx, Result};

pub const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// Must equal the `wasm-bindgen` crate pin in Cargo.toml and `[tools] wasm_bindgen` in Trunk.toml.
pub const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// 0.22 needs rustc >= 1.96.1 (see TOOLCHAIN.md).
pub const TRUNK_VERSION: &str = "0.21.14";
/// From npm's binaryen 132.0.0; must match `[tools] wasm_opt = "version_132"` in Trunk.toml.
pub const WASM_OPT_VERSION: &str = "132";
pub const CHROMIUM: &str = "/usr/bin/chromium";

pub fn setup(ctx: &Ctx) -> Result<()> {
    let started = Instant::now();
    wasm_target(ctx)?;
    rust_components(ctx)?;
    // wasm-bindgen-cli's lockfile pins a webpki-roots version missing from the registry: no --locked.
    cargo_tool(
        ctx,
        "wasm-bindgen",
        "wasm-bindgen-cli",
        WASM_BINDGEN_VERSION,
        false,
    )?;
    cargo_tool(ctx, "trunk", "trunk", TRUNK_VERSION, true)?;
    chromium(ctx)?;
    npm_packages(ctx)?;
    println!("setup: everything is in place ({})", secs(started));
    Ok(())
}

fn wasm_target(ctx: &Ctx) -> Result<()> {
    let what = format!("setup: rust target {WASM_TARGET}");
    if ctx.which("rustup").is_none() {
        // No rustup (a distribution's Rust): the target's std must already be in the sysroot.
        let sysroot = ctx
            .output(ctx.cmd("rustc").args(["--print", "sysroot"]))
            .ok_or("rustc not found: install Rust with rustup (https://rustup.rs)")?;
        let lib = Path::new(sysroot.trim())
            .join("lib/rustlib")
            .join(WASM_TARGET);
        if lib.is_dir() {
            println!("{what}: found in {}", lib.display());
            return Ok(());
        }
        return Err(format!(
            "{what}: missing, and there is no rustup to add it; install it with rustup"
        ));
    }
    let installed = ctx
        .output(ctx.cmd("rustup").args(["target", "list", "--installed"]))
        .ok_or("`rustup target list --installed` failed")?;
    if installed.lines().any(|l| l.trim() == WASM_TARGET) {
        println!("{what}: found");
        return Ok(());
    }
    println!("{what}: missing, installing");
    ctx.run(ctx.cmd("rustup").args(["target", "add", WASM_TARGET]))?;
    println!("{what}: installed");
    Ok(())
}

/// rustfmt and clippy, which `cargo xtask test` runs (rustup's minimal profile leaves them out).
fn rust_components(ctx: &Ctx) -> Result<()> {
    let what = "setup: rust components rustfmt, clippy";
    if ctx.which("rustup").is_none() {
        println!("{what}: no rustup, not checked");
        return Ok(());
    }
    let installed = ctx
        .output(ctx.cmd("rustup").args(["component", "list", "--installed"]))
        .ok_or("`rustup component list --installed` failed")?;
    let has = |name: &str| {
        installed
            .lines()
            .any(|l| l.trim() == name || l.starts_with(&format!("{name}-")))
    };
    let missing: Vec<&str> = ["rustfmt", "clippy"]
        .into_iter()
        .filter(|c| !has(c))
        .collect();
    if missing.is_empty() {
        println!("{what}: found");
        return Ok(());
    }
    println!("{what}: {} missing, installing", missing.join(", "));
    ctx.run(ctx.cmd("rustup").args(["component", "add"]).args(&missing))?;
    println!("{what}: installed");
    Ok(())
}

/// The version a `<tool> --version` prints ("trunk 0.21.14" -> "0.21.14"), if the tool runs.
fn tool_version(ctx: &Ctx, tool: &str) -> Option<String> {
    ctx.which(tool)?;
    let out = ctx.output(ctx.cmd(tool).arg("--version"))?;
    out.split_whitespace().nth(1).map(str::to_owned)
}

pub(crate) fn cargo_tool(
    ctx: &Ctx,
    tool: &str,
    krate: &str,
    version: &str,
    locked: bool,
) -> Result<()> {
    let what = format!("setup: {tool} {version}");
    let found = tool_version(ctx, tool);
    if found.as_deref() == Some(version) {
        let at = ctx
            .which(tool)
            .map(|p| p.display().to_string())
            .unwrap_or_default();
        println!("{what}: found ({at})");
        return Ok(());
    }
    match &found {
        Some(other) => {
            println!("{what}: found {other} instead, installing {version} (a few minutes)")
        }
        None => println!("{what}: missing, installing (a few minutes)"),
    }
    let started = Instant::now();
    let mut cmd = ctx.cmd("cargo");
    cmd.args(["install", krate, "--version", version]);
    if locked {
        cmd.arg("--locked");
    }
    // Outside the repository, so that its .cargo/config.toml (aliases, target flags) does not apply.
    cmd.current_dir(env::temp_dir());
    ctx.run(&mut cmd)?;
    match tool_version(ctx, tool) {
        Some(v) if v == version => {
            println!("{what}: installed into {} ({})", ctx.cargo_bin.display(), secs(started));
            Ok(())
        }
        other => Err(format!(
            "{what}: `cargo install` succeeded but `{tool} --version` gives {} (is another {tool} first on PATH?)",
            other.unwrap_or_else(|| "nothing".into())
        )),
    }
}

fn chromium(ctx: &Ctx) -> Result<()> {
    let what = "setup: chromium";
    if Path::new(CHROMIUM).is_file() {
        // Debian's wrapper script prints noise on stderr; `output` drops it.
        let version = ctx
            .output(ctx.cmd(CHROMIUM).arg("--version"))
            .unwrap_or_default();
        println!("{what}: found {CHROMIUM} ({})", version.trim());
        return Ok(());
    }
    if !is_root() {
        return Err(format!(
            "{what}: {CHROMIUM} is missing; install Chromium as root (`apt-get install -y chromium` on Debian) and rerun"
        ));
    }
    if ctx.which("apt-get").is_none() {
        return Err(format!(
            "{what}: {CHROMIUM} is missing and there is no apt-get; install Chromium at {CHROMIUM}"
        ));
    }
    println!("{what}: missing, installing with apt-get");
    let started = Instant::now();
    let apt = |args: &[&str]| {
        let mut cmd = ctx.cmd("apt-get");
        // Wait for another apt/dpkg run to finish instead of failing on its lock.
        cmd.args(["-o", "DPkg::Lock::Timeout=600"])
            .args(args)
            .env("DEBIAN_FRONTEND", "noninteractive");
        ctx.run(&mut cmd)
    };
    apt(&["update"])?;
    apt(&["install", "-y", "chromium"])?;
    if !Path::new(CHROMIUM).is_file() {
        return Err(format!(
            "{what}: `apt-get install chromium` succeeded but {CHROMIUM} is still missing"
        ));
    }
    println!("{what}: installed {CHROMIUM} ({})", secs(started));
    Ok(())
}

fn mtime(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// Why `npm ci` must run, or None when node_modules is complete and newer than package.json and the lockfile.
fn npm_stale_reason(ctx: &Ctx) -> Option<String> {
    let modules = ctx.root.join("node_modules");
    if !modules.is_dir() {
        return Some("node_modules is missing".into());
    }
    for required in [".bin/wasm-opt", "playwright-core/package.json"] {
        if !modules.join(required).exists() {
            return Some(format!("node_modules/{required} is missing"));
        }
    }
    // npm writes node_modules/.package-lock.json last when it installs; the directory itself is the fallback.
    let hidden_lock = modules.join(".package-lock.json");
    let installed = mtime(&hidden_lock).or_else(|| mtime(&modules))?;
    for manifest in ["package-lock.json", "package.json"] {
        if mtime(&ctx.root.join(manifest)).is_some_and(|t| t > installed) {
            return Some(format!("node_modules is older than {manifest}"));
        }
    }
    None
}

fn npm_packages(ctx: &Ctx) -> Result<()> {
    let what = "setup: npm packages";
    for file in ["package.json", "package-lock.json"] {
        if !ctx.root.join(file).is_file() {
            return Err(format!("{what}: {file} is missing at the repository root"));
        }
    }
    if ctx.which("node").is_none() || ctx.which("npm").is_none() {
        return Err(format!(
            "{what}: node and npm are needed (Node.js 20 or newer); install them and rerun"
        ));
    }
    let started = Instant::now();
    match npm_stale_reason(ctx) {
        None => print!("{what}: node_modules up to date"),
        Some(reason) => {
            println!("{what}: {reason}, running npm ci");
            ctx.run(ctx.cmd("npm").args(["ci", "--no-audit", "--no-fund"]))?;
            print!("{what}: installed ({})", secs(started));
        }
    }
    // Trunk only uses a wasm-opt whose version matches Trunk.toml exactly; anything else it tries to download.
    let wasm_opt = ctx
        .output(ctx.cmd("wasm-opt").arg("--version"))
        .unwrap_or_default();
    let playwright = package_version(&ctx.root.join("node_modules/playwright-core/package.json"));
    println!(
        "; playwright-core {}, {}",
        playwright.as_deref().unwrap_or("?"),
        if wasm_opt.is_empty() {
            "wasm-opt missing".into()
        } else {
            wasm_opt.trim().to_owned()
        }
    );
    if wasm_opt.split_whitespace().nth(2) != Some(WASM_OPT_VERSION) {
        let at = ctx
            .which("wasm-opt")
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "nowhere".into());
        return Err(format!(
            "{what}: the first wasm-opt on PATH ({at}) is not version {WASM_OPT_VERSION}; delete node_modules and rerun"
        ));
    }
    Ok(())
}

/// The "version" of a package.json, read without a JSON parser (the field is a plain string).
fn package_version(path: &Path) -> Option<String> {
    let text = fs::read_to_string(path).ok()?;
    let after_key = &text[text.find("\"version\"")? + "\"version\"".len()..];
    let after_colon = after_key
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    Some(after_colon[..after_colon.find('"')?].to_owned())
}

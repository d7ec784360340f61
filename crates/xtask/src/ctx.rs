//! Where the repository is, which PATH the child processes get, and how they are run.

use std::env;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// Errors are one line of text for the user; `main` prints them and exits non-zero.
pub type Result<T> = std::result::Result<T, String>;

/// Environment variables that `cargo run` sets for the xtask binary itself; they describe the xtask package, not the
/// crates the children build, so the children do not inherit them.
const XTASK_ONLY_ENV: &[&str] = &[
    "CARGO_MANIFEST_DIR",
    "CARGO_MANIFEST_PATH",
    "CARGO_CRATE_NAME",
    "CARGO_BIN_NAME",
    "CARGO_PRIMARY_PACKAGE",
];

pub struct Ctx {
    /// The workspace root (holds Cargo.toml, Trunk.toml, package.json).
    pub root: PathBuf,
    /// `$CARGO_HOME/bin`, where `cargo install` puts its tools.
    pub cargo_bin: PathBuf,
    /// The PATH of every child process: `<root>/node_modules/.bin`, `$CARGO_HOME/bin`, then the inherited PATH.
    path: OsString,
}

impl Ctx {
    pub fn new() -> Result<Ctx> {
        // `cargo run` sets CARGO_MANIFEST_DIR at run time too; the compile-time value is the fallback.
        let manifest_dir = env::var_os("CARGO_MANIFEST_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
        let root = manifest_dir.join("../..").canonicalize().map_err(|e| {
            format!(
                "cannot find the repository root from {}: {e}",
                manifest_dir.display()
            )
        })?;
        if !root.join("Cargo.toml").is_file() {
            return Err(format!(
                "{} has no Cargo.toml: is xtask still at crates/xtask?",
                root.display()
            ));
        }

        let cargo_home = match env::var_os("CARGO_HOME") {
            Some(dir) if !dir.is_empty() => PathBuf::from(dir),
            _ => home_dir()
                .ok_or("neither CARGO_HOME nor HOME is set")?
                .join(".cargo"),
        };
        let cargo_bin = cargo_home.join("bin");

        let mut dirs = vec![root.join("node_modules").join(".bin"), cargo_bin.clone()];
        if let Some(old) = env::var_os("PATH") {
            dirs.extend(env::split_paths(&old));
        }
        let path = env::join_paths(dirs).map_err(|e| format!("cannot build PATH: {e}"))?;
        Ok(Ctx {
            root,
            cargo_bin,
            path,
        })
    }

    /// A command run from the repository root with the xtask PATH and no stdin (CI has none, and nothing may
    /// prompt). Programs are resolved on the xtask PATH first, so freshly installed tools are found.
    pub fn cmd(&self, program: &str) -> Command {
        // For cargo, the one running xtask (`cargo run` sets CARGO), so `cargo +toolchain xtask` stays on it.
        let cargo = if program == "cargo" {
            env::var_os("CARGO")
        } else {
            None
        };
        let resolved = cargo
            .or_else(|| self.which(program).map(PathBuf::into_os_string))
            .unwrap_or_else(|| OsString::from(program));
        self.cmd_at(resolved)
    }

    /// `cargo` as found on the xtask PATH (rustup's proxy, which understands `+toolchain`), not the cargo that
    /// runs xtask; otherwise as [`Ctx::cmd`]. The toolchain that runs xtask is not passed on.
    pub fn rustup_cargo(&self) -> Command {
        let resolved = self
            .which("cargo")
            .map(PathBuf::into_os_string)
            .unwrap_or_else(|| OsString::from("cargo"));
        let mut cmd = self.cmd_at(resolved);
        for var in ["RUSTUP_TOOLCHAIN", "CARGO", "RUSTC", "RUSTDOC"] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn cmd_at(&self, resolved: OsString) -> Command {
        let mut cmd = Command::new(resolved);
        cmd.current_dir(&self.root)
            .env("PATH", &self.path)
            .stdin(Stdio::null());
        for (key, _) in env::vars_os() {
            let key_str = key.to_string_lossy();
            if XTASK_ONLY_ENV.contains(&key_str.as_ref()) || key_str.starts_with("CARGO_PKG_") {
                cmd.env_remove(&key);
            }
        }
        cmd
    }

    /// The first executable called `name` on the xtask PATH.
    pub fn which(&self, name: &str) -> Option<PathBuf> {
        env::split_paths(&self.path)
            .map(|dir| dir.join(name))
            .find(|candidate| is_executable(candidate))
    }

    /// Runs a command with inherited stdout/stderr; an error names the command and how it ended.
    pub fn run(&self, cmd: &mut Command) -> Result<()> {
        let shown = show(cmd);
        println!("    $ {shown}");
        let status = cmd
            .status()
            .map_err(|e| format!("cannot start `{shown}`: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{shown}` failed ({status})"))
        }
    }

    /// Runs a command quietly and returns its stdout if it succeeded (used for version checks).
    pub fn output(&self, cmd: &mut Command) -> Option<String> {
        let out = cmd.stderr(Stdio::null()).output().ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
    }

    pub fn rel<'a>(&self, path: &'a Path) -> &'a Path {
        path.strip_prefix(&self.root).unwrap_or(path)
    }
}

/// The command line as a user would type it (program file name, not its full path).
pub fn show(cmd: &Command) -> String {
    let program = Path::new(cmd.get_program())
        .file_name()
        .unwrap_or_else(|| cmd.get_program())
        .to_string_lossy()
        .into_owned();
    let mut parts = vec![program];
    parts.extend(cmd.get_args().map(quote));
    parts.join(" ")
}

fn quote(arg: &OsStr) -> String {
    let s = arg.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:+@,*".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

pub fn secs(started: Instant) -> String {
    format!("{:.1}s", started.elapsed().as_secs_f64())
}

fn home_dir() -> Option<PathBuf> {
    env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(PathBuf::from)
}

#[cfg(unix)]
fn is_executable(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

#[cfg(not(unix))]
fn is_executable(path: &Path) -> bool {
    path.is_file()
}

/// Whether this process runs as root (it may then install system packages).
#[cfg(unix)]
pub fn is_root() -> bool {
    // /proc/self/status has "Uid:\t<real>\t<effective>\t…"; fall back to `id -u` where there is no /proc.
    if let Ok(status) = std::fs::read_to_string("/proc/self/status") {
        if let Some(line) = status.lines().find(|l| l.starts_with("Uid:")) {
            return line.split_whitespace().nth(2) == Some("0");
        }
    }
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

#[cfg(not(unix))]
pub fn is_root() -> bool {
    false
}

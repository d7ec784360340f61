//! Builds the page's country database from the npm package `@ip-location-db/geo-whois-asn-country`.
//!
//! ```text
//! cargo run --release -p logsieve-charts --bin build-geo -- [--package DIR] [--out FILE]
//! ```
//!
//! Reads `DIR/geo-whois-asn-country-ipv4-num.csv`, `-ipv6-num.csv` and `package.json` (the version gives the data
//! set's date), default `node_modules/@ip-location-db/geo-whois-asn-country`, and writes FILE (default
//! `dist/geo/country.bin`; see `logsieve_charts::geo` for the format). Paths are relative to the current directory
//! (`cargo xtask dist` runs it from the repository root). Prints the sizes and the date.

use logsieve_charts::geo::{self, GeoDb};
use std::path::PathBuf;
use std::process::ExitCode;

const PACKAGE: &str = "@ip-location-db/geo-whois-asn-country";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("build-geo: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), String> {
    let mut package = PathBuf::from("node_modules").join(PACKAGE);
    let mut out = PathBuf::from("dist/geo/country.bin");
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--package" => package = args.next().ok_or("--package needs a directory")?.into(),
            "--out" => out = args.next().ok_or("--out needs a file")?.into(),
            "-h" | "--help" => {
                println!("usage: build-geo [--package DIR] [--out FILE]");
                return Ok(());
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    let read = |name: &str| {
        let p = package.join(name);
        std::fs::read_to_string(&p).map_err(|e| {
            format!(
                "cannot read {}: {e} (is the npm package installed? `npm ci` at the repository root)",
                p.display()
            )
        })
    };
    let manifest = read("package.json")?;
    let manifest: serde_json::Value =
        serde_json::from_str(&manifest).map_err(|e| format!("package.json: {e}"))?;
    let version = manifest["version"]
        .as_str()
        .ok_or("package.json has no version")?
        .to_string();
    let date = geo::date_from_version(&version)
        .ok_or_else(|| format!("cannot read a date from version {version}"))?;
    let source = format!("{PACKAGE} {version} (CC0-1.0); RIR data by the NRO (nro.net), CC BY 4.0");
    let v4 = read("geo-whois-asn-country-ipv4-num.csv")?;
    let v6 = read("geo-whois-asn-country-ipv6-num.csv")?;
    let raw = geo::build_raw(&v4, &v6, &date, &source)?;
    let gz = geo::gzip(&raw);
    let db = GeoDb::from_bytes(&gz)?;
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    std::fs::write(&out, &gz).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    let (n4, n6) = db.len();
    println!(
        "build-geo: wrote {} ({} bytes gzip, {} bytes inflated; {n4} IPv4 and {n6} IPv6 ranges; data {date})",
        out.display(),
        gz.len(),
        raw.len()
    );
    Ok(())
}

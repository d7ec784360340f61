//! `logsieve-postbuild DIST`: the step after `trunk build` that moves Trunk's inline start-up script into a file,
//! so that the page's Content-Security-Policy allows no inline script (see `logsieve_web::postbuild`).

fn main() -> std::process::ExitCode {
    let dist = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "dist".to_string());
    match logsieve_web::postbuild::externalize_inline_scripts(std::path::Path::new(&dist)) {
        Ok(names) => {
            for n in names {
                println!("postbuild: wrote {dist}/{n}");
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("logsieve-postbuild: {dist}/index.html: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

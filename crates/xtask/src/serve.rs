//! `cargo xtask serve`: a small static HTTP server for dist/ on 127.0.0.1.
//!
//! GET and HEAD only, one request per connection, `Cache-Control: no-cache` on everything, no directory listings, and
//! nothing outside the served directory (`..` is refused, symlinks leading out are refused).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::Duration;

use crate::ctx::{Ctx, Result};

pub const DEFAULT_PORT: u16 = 8080;
/// How many ports after the requested one are tried when it is busy.
const PORT_ATTEMPTS: u16 = 20;
const MAX_REQUEST_HEAD: u64 = 64 * 1024;

pub fn serve(ctx: &Ctx, port: u16) -> Result<()> {
    let dir = ctx.root.join("dist");
    let root = dir.canonicalize().map_err(|e| {
        format!(
            "cannot serve {}: {e} (build it with `cargo xtask dist`)",
            dir.display()
        )
    })?;
    if !root.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html (build it with `cargo xtask dist`)",
            root.display()
        ));
    }
    let listener = bind(port)?;
    let port = listener.local_addr().map_err(|e| e.to_string())?.port();
    println!("logsieve is served at http://127.0.0.1:{port}/");
    println!("(serving {}; press Ctrl-C to stop)", root.display());
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let root = root.clone();
        thread::spawn(move || {
            if let Err(e) = handle(&root, stream) {
                eprintln!("serve: {e}");
            }
        });
    }
    Ok(())
}

/// Binds 127.0.0.1:`port`, or the next free port after it (port 0 lets the system choose).
fn bind(port: u16) -> Result<TcpListener> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_ATTEMPTS - 1)
    };
    for candidate in port..=last {
        match TcpListener::bind(("127.0.0.1", candidate)) {
            Ok(listener) => {
                if candidate != port {
                    println!("serve: port {port} is busy, using {candidate}");
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(format!("cannot listen on 127.0.0.1:{candidate}: {e}")),
        }
    }
    Err(format!(
        "ports {port} to {last} on 127.0.0.1 are all busy; choose another with --port"
    ))
}

struct Response {
    status: &'static str,
    content_type: &'static str,
    extra_headers: Vec<(&'static str, String)>,
    body: Body,
}

enum Body {
    Text(String),
    File(File, u64),
}

impl Response {
    fn error(status: &'static str) -> Response {
        Response {
            status,
            content_type: "text/plain; charset=utf-8",
            extra_headers: Vec::new(),
            body: Body::Text(format!("{status}\n")),
        }
    }
}

fn handle(root: &Path, stream: TcpStream) -> io::Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new((&stream).take(MAX_REQUEST_HEAD));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line)? == 0 {
        return Ok(()); // the client connected and left
    }
    // Skip the headers: nothing in them changes the answer.
    loop {
        let mut header = String::new();
        let n = reader.read_line(&mut header)?;
        if n == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }

    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let head_only = method == "HEAD";
    let response = if method != "GET" && method != "HEAD" {
        let mut r = Response::error("405 Method Not Allowed");
        r.extra_headers.push(("Allow", "GET, HEAD".into()));
        r
    } else {
        respond(root, target)
    };
    println!("serve: {method} {target} -> {}", response.status);
    write_response(&stream, response, head_only)
}

fn respond(root: &Path, target: &str) -> Response {
    let path = target.split(['?', '#']).next().unwrap_or("");
    if !path.starts_with('/') {
        return Response::error("400 Bad Request");
    }
    let Some(decoded) = percent_decode(path) else {
        return Response::error("400 Bad Request");
    };
    let mut file = root.to_path_buf();
    for segment in decoded.split('/') {
        match segment {
            "" | "." => {}
            ".." => return Response::error("403 Forbidden"),
            s if s.contains(['\\', '\0']) => return Response::error("400 Bad Request"),
            s => file.push(s),
        }
    }
    if file.is_dir() {
        if !decoded.ends_with('/') {
            // Relative URLs in the page need the trailing slash.
            let mut r = Response::error("301 Moved Permanently");
            r.extra_headers.push(("Location", format!("{path}/")));
            return r;
        }
        file.push("index.html"); // and never a listing
    }
    match open_inside(root, &file) {
        Some((f, len)) => Response {
            status: "200 OK",
            content_type: mime_type(&file),
            extra_headers: Vec::new(),
            body: Body::File(f, len),
        },
        None => Response::error("404 Not Found"),
    }
}

/// Opens a regular file whose real path is inside `root`.
fn open_inside(root: &Path, file: &Path) -> Option<(File, u64)> {
    let real: PathBuf = file.canonicalize().ok()?;
    if !real.starts_with(root) {
        return None;
    }
    let f = File::open(&real).ok()?;
    let meta = f.metadata().ok()?;
    meta.is_file().then_some((f, meta.len()))
}

fn write_response(mut stream: &TcpStream, response: Response, head_only: bool) -> io::Result<()> {
    let length = match &response.body {
        Body::Text(text) => text.len() as u64,
        Body::File(_, len) => *len,
    };
    let mut head = format!(
        "HTTP/1.1 {}\r\nContent-Type: {}\r\nContent-Length: {length}\r\nCache-Control: no-cache\r\n\
         X-Content-Type-Options: nosniff\r\nConnection: close\r\n",
        response.status, response.content_type
    );
    for (name, value) in &response.extra_headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        match response.body {
            Body::Text(text) => stream.write_all(text.as_bytes())?,
            Body::File(mut file, _) => {
                io::copy(&mut file, &mut stream)?;
            }
        }
    }
    stream.flush()
}

/// Decodes %XX escapes; None for a malformed escape or a result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn mime_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "wasm" => "application/wasm",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "txt" | "log" | "md" => "text/plain; charset=utf-8",
        "csv" => "text/csv; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "otf" => "font/otf",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_escapes() {
        assert_eq!(percent_decode("/a%20b/%C3%A9").as_deref(), Some("/a b/é"));
        assert_eq!(percent_decode("/bad%2"), None);
        assert_eq!(percent_decode("/bad%zz"), None);
    }

    #[test]
    fn mime_types() {
        assert_eq!(mime_type(Path::new("a/b.wasm")), "application/wasm");
        assert_eq!(
            mime_type(Path::new("x.JS")),
            "text/javascript; charset=utf-8"
        );
        assert_eq!(
            mime_type(Path::new("index.html")),
            "text/html; charset=utf-8"
        );
        assert_eq!(mime_type(Path::new("style.css")), "text/css; charset=utf-8");
        assert_eq!(
            mime_type(Path::new("model.gguf")),
            "application/octet-stream"
        );
    }

    #[test]
    fn refuses_parent_segments() {
        let root = std::env::temp_dir();
        assert_eq!(respond(&root, "/../etc/passwd").status, "403 Forbidden");
        assert_eq!(
            respond(&root, "/a/%2e%2e/%2e%2e/etc/passwd").status,
            "403 Forbidden"
        );
        assert_eq!(respond(&root, "relative").status, "400 Bad Request");
    }
}

//! Post-build step: moves the inline `<script>`s that Trunk writes into `dist/index.html` (the module that imports
//! the wasm-bindgen JS and starts the app) into files of their own, so that the page's Content-Security-Policy can
//! say `script-src 'self' 'wasm-unsafe-eval'` with no `'unsafe-inline'`, no nonce and no hash to keep in sync.
//!
//! Trunk 0.21 has no setting for this: its `create_nonce` writes a placeholder nonce that only `trunk serve`
//! replaces, a `'sha256-…'` hash would change with every build's file names, and `pattern_script` would move the
//! loader into Trunk.toml. Run after `trunk build`:
//!
//! ```text
//! cargo run -p logsieve-web --bin logsieve-postbuild -- dist
//! ```
//!
//! (std only, so it builds natively in seconds; the xtask may also include this file with `#[path]` and call
//! [`externalize_inline_scripts`].) It is idempotent: a page without inline scripts is left as it is.

use std::hash::{Hash, Hasher};
use std::path::Path;

/// Rewrites `dist/index.html`: each inline `<script …>BODY</script>` becomes `<script … src="/start-HASH.js">`
/// with BODY written to `dist/start-HASH.js`. Returns the names of the files written.
pub fn externalize_inline_scripts(dist: &Path) -> std::io::Result<Vec<String>> {
    let index = dist.join("index.html");
    let html = std::fs::read_to_string(&index)?;
    let base = public_base(&html);
    let (out, scripts) = rewrite(&html, &base);
    let mut names = Vec::new();
    for (name, body) in &scripts {
        std::fs::write(dist.join(name), body)?;
        names.push(name.clone());
    }
    if !scripts.is_empty() {
        std::fs::write(&index, out)?;
    }
    Ok(names)
}

/// Trunk loads its files from the public URL (`/` by default); the scripts are written next to them.
fn public_base(html: &str) -> String {
    // The wasm-bindgen module is imported as `'{base}{name}.js'`; take the base from the import if present.
    if let Some(i) = html.find("from '") {
        let rest = &html[i + 6..];
        if let Some(end) = rest.find('\'') {
            let url = &rest[..end];
            if let Some(slash) = url.rfind('/') {
                return url[..=slash].to_string();
            }
        }
    }
    "/".to_string()
}

/// The rewritten page and the scripts taken out of it (file name, body).
pub fn rewrite(html: &str, base: &str) -> (String, Vec<(String, String)>) {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len());
    let mut scripts = Vec::new();
    let mut at = 0;
    while let Some(rel) = lower[at..].find("<script") {
        let open_start = at + rel;
        let Some(open_len) = lower[open_start..].find('>') else {
            break;
        };
        let open_end = open_start + open_len + 1;
        let Some(close_rel) = lower[open_end..].find("</script") else {
            break;
        };
        let close_start = open_end + close_rel;
        let Some(close_len) = lower[close_start..].find('>') else {
            break;
        };
        let close_end = close_start + close_len + 1;
        let open_tag = &html[open_start..open_end];
        let body = &html[open_end..close_start];
        out.push_str(&html[at..open_start]);
        if has_src(&lower[open_start..open_end]) || body.trim().is_empty() {
            out.push_str(&html[open_start..close_end]);
        } else {
            let name = format!("start-{:016x}.js", hash(body));
            let attrs = open_tag[7..open_tag.len() - 1].trim_end_matches('/');
            out.push_str(&format!("<script{attrs} src=\"{base}{name}\"></script>"));
            scripts.push((name, body.trim().to_string() + "\n"));
        }
        at = close_end;
    }
    out.push_str(&html[at..]);
    (out, scripts)
}

fn has_src(open_tag_lower: &str) -> bool {
    open_tag_lower
        .split(|c: char| c.is_ascii_whitespace())
        .any(|a| a.starts_with("src="))
}

/// FNV-1a: a stable name for the script (cache busting), not a security measure.
fn hash(s: &str) -> u64 {
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for b in bytes {
                self.0 ^= *b as u64;
                self.0 = self.0.wrapping_mul(0x100000001b3);
            }
        }
    }
    let mut h = Fnv(0xcbf29ce484222325);
    s.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRUNK: &str = r#"<html><head><link rel="modulepreload" href="/logsieve-web-1a.js" integrity="sha384-x"></head><body>
<script type="module">
import init, * as bindings from '/logsieve-web-1a.js';
const wasm = await init({ module_or_path: '/logsieve-web-1a_bg.wasm' });
</script><script src="/x.js"></script></body></html>"#;

    #[test]
    fn inline_scripts_move_to_files() {
        let (out, scripts) = rewrite(TRUNK, &public_base(TRUNK));
        assert_eq!(scripts.len(), 1);
        let (name, body) = &scripts[0];
        assert!(body.starts_with("import init"));
        assert!(out.contains(&format!(
            "<script type=\"module\" src=\"/{name}\"></script>"
        )));
        assert!(out.contains("<script src=\"/x.js\"></script>"));
        assert!(!out.contains("import init"));
        // Idempotent.
        let (again, none) = rewrite(&out, "/");
        assert!(none.is_empty());
        assert_eq!(again, out);
    }

    #[test]
    fn base_follows_the_public_url() {
        let html = TRUNK.replace("'/logsieve", "'/app/logsieve");
        assert_eq!(public_base(&html), "/app/");
        let (out, _) = rewrite(&html, &public_base(&html));
        assert!(out.contains("src=\"/app/start-"));
    }

    #[test]
    fn minified_attributes() {
        let (out, s) = rewrite("<script type=module>go()</script>", "/");
        assert_eq!(s.len(), 1);
        assert!(out.starts_with("<script type=module src=\"/start-"));
    }
}

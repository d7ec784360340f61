//! `logsieve k8s-fix`: the Kubernetes manifests of the input, written back with every audit finding fixed.

use crate::Invocation;
use std::io::{Read, Write};
use std::process::ExitCode;

/// Manifests are small and YAML needs the whole document: read at most this much.
const MAX_MANIFEST_BYTES: u64 = 64 << 20;

pub fn run(inv: Invocation) -> Result<ExitCode, String> {
    let text = read_text(&inv)?;
    let fixed = logsieve_k8s::fix(&text).map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    out.write_all(fixed.as_bytes())
        .and_then(|_| out.flush())
        .map_err(|e| format!("write error: {e}"))?;
    Ok(ExitCode::SUCCESS)
}

/// The whole input as text (manifests, kubectl output), gunzipped when it is gzip.
pub fn read_text(inv: &Invocation) -> Result<String, String> {
    let mut raw = Vec::new();
    inv.source
        .reader()?
        .take(MAX_MANIFEST_BYTES + 1)
        .read_to_end(&mut raw)
        .map_err(|e| format!("read error: {e}"))?;
    if raw.len() as u64 > MAX_MANIFEST_BYTES {
        return Err(format!(
            "the input is over {} MiB: too large for a manifest",
            MAX_MANIFEST_BYTES >> 20
        ));
    }
    let mut text = Vec::with_capacity(raw.len());
    let mut decoder = logsieve_engine::decode::Decoder::new();
    let mut push = |b: &[u8]| text.extend_from_slice(b);
    decoder.feed(&raw, &mut push).map_err(|e| e.to_string())?;
    decoder.finish(&mut push).map_err(|e| e.to_string())?;
    String::from_utf8(text).map_err(|_| "the input is not UTF-8 text".to_string())
}

//! wasm32 only: reading model files that live in JavaScript (a `Blob`/`File` from OPFS, a drop or a fetch)
//! without copying them whole into wasm memory.

use std::io::{Read, Seek, SeekFrom};

/// A `Read + Seek` over a JavaScript source of `len` bytes, read through `read(offset, length) -> Uint8Array`
/// (in a worker: `new FileReaderSync().readAsArrayBuffer(blob.slice(offset, offset + length))`). With
/// [`crate::load_gguf_reader`], each tensor is copied from JavaScript straight into the model: wasm memory holds
/// the weights, never the file.
pub struct JsReader {
    read: js_sys::Function,
    len: u64,
    pos: u64,
}

impl JsReader {
    pub fn new(read: js_sys::Function, len: u64) -> Self {
        JsReader { read, len, pos: 0 }
    }
}

impl Read for JsReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = (buf.len() as u64).min(self.len.saturating_sub(self.pos)) as usize;
        if n == 0 {
            return Ok(0);
        }
        let got = self
            .read
            .call2(
                &wasm_bindgen::JsValue::NULL,
                &(self.pos as f64).into(),
                &(n as f64).into(),
            )
            .map_err(|e| std::io::Error::other(format!("read callback failed: {e:?}")))?;
        let bytes = js_sys::Uint8Array::new(&got);
        let got_n = (bytes.length() as usize).min(n);
        if got_n == 0 {
            return Err(std::io::Error::other("read callback returned no bytes"));
        }
        bytes.subarray(0, got_n as u32).copy_to(&mut buf[..got_n]);
        self.pos += got_n as u64;
        Ok(got_n)
    }
}

impl Seek for JsReader {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let new = match pos {
            SeekFrom::Start(p) => p as i128,
            SeekFrom::End(d) => self.len as i128 + d as i128,
            SeekFrom::Current(d) => self.pos as i128 + d as i128,
        };
        if new < 0 {
            return Err(std::io::Error::other("seek before the start"));
        }
        self.pos = new as u64;
        Ok(self.pos)
    }
}

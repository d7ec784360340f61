//! Answers cached by a hash of the template, the prompt and the model, so that a log with templates seen before
//! costs no model call. [`MemoryCache`] for one run, [`DirCache`] (one JSON file per template) for the CLI; the
//! page's IndexedDB/OPFS cache implements the same trait over the same [`CachedAnswer`] JSON.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::fields::TemplateFields;
use crate::guard::Fields;
use crate::prompt::hex;
use crate::{Error, Result};

/// Version of the cached JSON layout; part of the key.
const LAYOUT: &str = "logsieve-model-cache-1";

/// `sha256(layout, prompt id, model tag, template)` as 32 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CacheKey(pub String);

impl CacheKey {
    /// The key of a template's answer. `prompt_id` is [`crate::Prompt::id`] (version + hash of the prompt file);
    /// `model_tag` names the model (e.g. file name and size), so that another model asks again.
    pub fn new(template: &str, prompt_id: &str, model_tag: &str) -> CacheKey {
        let mut h = Sha256::new();
        for part in [LAYOUT, prompt_id, model_tag, template] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        CacheKey(hex(&h.finalize())[..32].to_owned())
    }
}

/// What was learnt about one template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedAnswer {
    /// The template text (kept to check the entry and for display).
    pub template: String,
    pub prompt_id: String,
    /// `named` or `failed`.
    pub status: AnswerStatus,
    /// The model's fields for the example event it saw (empty when failed).
    pub fields: Fields,
    /// Names for the template's variables.
    pub names: TemplateFields,
    /// Why it failed, or empty.
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AnswerStatus {
    Named,
    Failed,
}

/// A store of answers.
pub trait FieldCache {
    fn get(&self, key: &CacheKey) -> Option<CachedAnswer>;
    fn put(&mut self, key: &CacheKey, answer: &CachedAnswer) -> Result<()>;
}

/// Answers for one run.
#[derive(Debug, Clone, Default)]
pub struct MemoryCache {
    map: HashMap<CacheKey, CachedAnswer>,
}

impl MemoryCache {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn len(&self) -> usize {
        self.map.len()
    }
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

impl FieldCache for MemoryCache {
    fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        self.map.get(key).cloned()
    }
    fn put(&mut self, key: &CacheKey, answer: &CachedAnswer) -> Result<()> {
        self.map.insert(key.clone(), answer.clone());
        Ok(())
    }
}

/// One `<key>.json` per answer in a directory (the CLI's cache folder). Writes go through a temporary file and a
/// rename, so a crash never leaves half an entry; an unreadable entry is a miss.
#[derive(Debug, Clone)]
pub struct DirCache {
    dir: PathBuf,
}

impl DirCache {
    /// Creates the directory if needed.
    pub fn new(dir: impl Into<PathBuf>) -> Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)
            .map_err(|e| Error(format!("cache folder {}: {e}", dir.display())))?;
        Ok(DirCache { dir })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn path(&self, key: &CacheKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.0))
    }
}

impl FieldCache for DirCache {
    fn get(&self, key: &CacheKey) -> Option<CachedAnswer> {
        let bytes = std::fs::read(self.path(key)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    fn put(&mut self, key: &CacheKey, answer: &CachedAnswer) -> Result<()> {
        let path = self.path(key);
        let tmp = self.dir.join(format!("{}.tmp", key.0));
        let json = serde_json::to_vec_pretty(answer)?;
        std::fs::write(&tmp, json)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| Error(format!("cache {}: {e}", path.display())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(template: &str) -> CachedAnswer {
        CachedAnswer {
            template: template.into(),
            prompt_id: "v1-x".into(),
            status: AnswerStatus::Named,
            fields: Fields(vec![("user".into(), "root".into())]),
            names: TemplateFields {
                names: vec![Some("user".into())],
                ..Default::default()
            },
            reason: String::new(),
        }
    }

    #[test]
    fn keys_depend_on_template_prompt_and_model() {
        let k = CacheKey::new("a <*>", "v1-x", "m");
        assert_eq!(k, CacheKey::new("a <*>", "v1-x", "m"));
        assert_eq!(k.0.len(), 32);
        assert_ne!(k, CacheKey::new("a <*> ", "v1-x", "m"));
        assert_ne!(k, CacheKey::new("a <*>", "v2-x", "m"));
        assert_ne!(k, CacheKey::new("a <*>", "v1-x", "n"));
        // Length-prefixed parts: moving a boundary changes the key.
        assert_ne!(CacheKey::new("b", "a", "m"), CacheKey::new("", "ab", "m"));
    }

    #[test]
    fn memory_cache_round_trip() {
        let mut c = MemoryCache::new();
        let k = CacheKey::new("t <*>", "v1-x", "m");
        assert!(c.get(&k).is_none());
        c.put(&k, &answer("t <*>")).unwrap();
        assert_eq!(c.get(&k), Some(answer("t <*>")));
        assert_eq!(c.len(), 1);
    }

    #[test]
    fn dir_cache_round_trip_and_survives_reopening() {
        let dir =
            std::env::temp_dir().join(format!("logsieve-model-cache-test-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let k = CacheKey::new("t <*>", "v1-x", "m");
        {
            let mut c = DirCache::new(&dir).unwrap();
            assert!(c.get(&k).is_none());
            c.put(&k, &answer("t <*>")).unwrap();
        }
        let c = DirCache::new(&dir).unwrap();
        assert_eq!(c.get(&k), Some(answer("t <*>")));
        // A damaged entry is a miss, not an error.
        std::fs::write(dir.join(format!("{}.json", k.0)), b"{not json").unwrap();
        assert!(c.get(&k).is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

//! The asset cache: every asset stored once, under a content address derived from what made it
//! (its §23 cache key plus whatever else shapes its bytes), in the same object store as the
//! outputs, so it lives where they live, survives restarts and is shared by every render.
//!
//! Each entry is the file itself and a small JSON record beside it (media type, length, word
//! timings). The record is written last: an entry without one was never finished and counts as
//! missing.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, LazyLock, Mutex, Weak};

use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::AssetError;
use crate::scene::Word;
use crate::storage::Storage;

/// What is known about a cached file besides its bytes.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The file's storage key.
    pub key: String,
    pub media_type: String,
    /// Speech: word timings from the start of the audio.
    #[serde(default)]
    pub words: Vec<StoredWord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredWord {
    pub text: String,
    pub start: f64,
    pub end: f64,
}

impl From<&Word> for StoredWord {
    fn from(w: &Word) -> Self {
        StoredWord {
            text: w.text.clone(),
            start: w.start,
            end: w.end,
        }
    }
}

impl From<&StoredWord> for Word {
    fn from(w: &StoredWord) -> Self {
        Word {
            text: w.text.clone(),
            start: w.start,
            end: w.end,
        }
    }
}

/// A cache entry with its bytes.
#[derive(Debug, Clone)]
pub struct Entry {
    pub record: Record,
    pub bytes: Bytes,
}

/// New content for the cache, from whatever made it.
pub struct Made {
    pub bytes: Bytes,
    pub ext: &'static str,
    pub media_type: String,
    pub words: Vec<StoredWord>,
}

/// The content address of an identity string: stable, file-name safe.
pub fn address(identity: &str) -> String {
    hex::encode(&Sha256::digest(identity.as_bytes())[..16])
}

fn record_key(addr: &str) -> String {
    format!("assets/{addr}.json")
}

/// The cached entry at `addr`, or `None` when there is none (or only a broken one).
pub async fn lookup(storage: &Storage, addr: &str) -> Result<Option<Entry>, AssetError> {
    let Some(raw) = storage.get(&record_key(addr)).await? else {
        return Ok(None);
    };
    let record: Record = match serde_json::from_slice(&raw) {
        Ok(record) => record,
        Err(e) => {
            tracing::warn!(address = addr, error = %e, "unreadable asset cache record; making the asset again");
            return Ok(None);
        }
    };
    Ok(storage
        .get(&record.key)
        .await?
        .map(|bytes| Entry { record, bytes }))
}

/// The entry at `addr`, made by `make` and stored when it is not cached yet. Returns whether
/// it was cached. Two renders of this process that need the same new entry make it once.
pub async fn get_or_make<F, Fut>(
    storage: &Storage,
    addr: &str,
    make: F,
) -> Result<(Entry, bool), AssetError>
where
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<Made, AssetError>>,
{
    if let Some(entry) = lookup(storage, addr).await? {
        crate::metrics::record_cache(true);
        return Ok((entry, true));
    }
    let _claim = claim(addr).await;
    // Someone may have made it while this render waited for the claim.
    if let Some(entry) = lookup(storage, addr).await? {
        crate::metrics::record_cache(true);
        return Ok((entry, true));
    }
    crate::metrics::record_cache(false);
    let made = make().await?;
    let record = Record {
        key: format!("assets/{addr}.{}", made.ext),
        media_type: made.media_type,
        words: made.words,
    };
    storage.put(&record.key, made.bytes.clone()).await?;
    let json = serde_json::to_vec(&record)
        .map_err(|e| AssetError::internal(format!("cannot write an asset cache record: {e}")))?;
    storage.put(&record_key(addr), json).await?;
    Ok((
        Entry {
            record,
            bytes: made.bytes,
        },
        false,
    ))
}

type Claims = Mutex<HashMap<String, Weak<tokio::sync::Mutex<()>>>>;

static CLAIMS: LazyLock<Claims> = LazyLock::new(Default::default);

/// Holds the address for this caller until the guard is dropped.
async fn claim(addr: &str) -> tokio::sync::OwnedMutexGuard<()> {
    let lock = {
        let mut claims = CLAIMS.lock().unwrap_or_else(|p| p.into_inner());
        claims.retain(|_, weak| weak.strong_count() > 0);
        match claims.get(addr).and_then(Weak::upgrade) {
            Some(lock) => lock,
            None => {
                let lock = Arc::new(tokio::sync::Mutex::new(()));
                claims.insert(addr.to_string(), Arc::downgrade(&lock));
                lock
            }
        }
    };
    lock.lock_owned().await
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn store() -> (Storage, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("varg-cache-{}", uuid::Uuid::new_v4()));
        (Storage::local(&dir, "http://h").expect("store"), dir)
    }

    fn made(text: &'static str) -> Made {
        Made {
            bytes: Bytes::from_static(text.as_bytes()),
            ext: "txt",
            media_type: "text/plain".into(),
            words: vec![StoredWord {
                text: "hi".into(),
                start: 0.0,
                end: 0.4,
            }],
        }
    }

    #[tokio::test]
    async fn makes_once_then_hits() {
        let (storage, dir) = store();
        let addr = address("generateImage:prompt:a cat");
        let calls = AtomicUsize::new(0);
        let make = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(made("one"))
        };
        let (first, cached) = get_or_make(&storage, &addr, make).await.expect("first");
        assert!(!cached);
        let (second, cached) = get_or_make(&storage, &addr, make).await.expect("second");
        assert!(cached);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(first.bytes, second.bytes);
        assert_eq!(second.record.words.len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn concurrent_misses_make_once() {
        let (storage, dir) = store();
        let addr = address("same");
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..4)
            .map(|_| {
                let (storage, addr, calls) = (storage.clone(), addr.clone(), calls.clone());
                tokio::spawn(async move {
                    get_or_make(&storage, &addr, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                        Ok(made("x"))
                    })
                    .await
                    .map(|(_, cached)| cached)
                })
            })
            .collect();
        let mut fresh = 0;
        for task in tasks {
            if !task.await.expect("task").expect("entry") {
                fresh += 1;
            }
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(fresh, 1);
        let _ = std::fs::remove_dir_all(dir);
    }

    #[tokio::test]
    async fn a_failed_make_leaves_no_entry() {
        let (storage, dir) = store();
        let addr = address("fails");
        let result = get_or_make(&storage, &addr, || async {
            Err(AssetError::generation("the gateway is down"))
        })
        .await;
        assert!(result.is_err());
        assert!(lookup(&storage, &addr).await.expect("lookup").is_none());
        let _ = std::fs::remove_dir_all(dir);
    }
}

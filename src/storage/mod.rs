//! Where outputs, thumbnails and the asset cache live: object_store over a local directory
//! (default) or an S3 bucket. The only module that touches object_store.

mod s3;

use std::path::{Path as FsPath, PathBuf};
use std::sync::Arc;

use bytes::Bytes;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use thiserror::Error;

use s3::Presigner;
pub use s3::S3Settings;

#[derive(Debug, Error)]
pub enum StorageError {
    #[error("cannot use {path} as the file store: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("\"{0}\" is not a valid storage key")]
    BadKey(String),
    #[error("the file store failed: {0}")]
    Backend(#[from] object_store::Error),
    #[error("the S3 storage settings are not usable: {0}")]
    Config(String),
}

/// A content store with public URLs. Cheap to clone.
#[derive(Clone)]
pub struct Storage {
    store: Arc<dyn ObjectStore>,
    /// Set for the local backend: files under it are served by `/files/{key}`.
    local_root: Option<PathBuf>,
    /// Prefix of public URLs, e.g. `http://127.0.0.1:8080/files`.
    url_base: String,
    /// Set for a private S3 bucket: links are presigned.
    presigner: Option<Arc<Presigner>>,
}

impl Storage {
    /// A store in `root` whose files are served at `{public_url}/files/{key}`.
    pub fn local(root: &FsPath, public_url: &str) -> Result<Self, StorageError> {
        std::fs::create_dir_all(root).map_err(|source| StorageError::Open {
            path: root.to_path_buf(),
            source,
        })?;
        let root = root.canonicalize().map_err(|source| StorageError::Open {
            path: root.to_path_buf(),
            source,
        })?;
        let store = LocalFileSystem::new_with_prefix(&root)?;
        Ok(Storage {
            store: Arc::new(store),
            local_root: Some(root),
            url_base: format!("{}/files", public_url.trim_end_matches('/')),
            presigner: None,
        })
    }

    /// A store in an S3 bucket (credentials from the usual `AWS_*` variables). Its URLs point
    /// at the bucket: under `public_url` when set, else presigned.
    pub fn s3(settings: &S3Settings) -> Result<Self, StorageError> {
        let opened = s3::open(settings)?;
        Ok(Storage {
            store: opened.store,
            local_root: None,
            url_base: opened.url_base,
            presigner: opened.presigner.map(Arc::new),
        })
    }

    pub async fn put(&self, key: &str, bytes: impl Into<Bytes>) -> Result<(), StorageError> {
        self.store
            .put(&parse_key(key)?, PutPayload::from(bytes.into()))
            .await?;
        Ok(())
    }

    /// The object's bytes, or `None` when there is no such object.
    pub async fn get(&self, key: &str) -> Result<Option<Bytes>, StorageError> {
        match self.store.get(&parse_key(key)?).await {
            Ok(result) => Ok(Some(result.bytes().await?)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// The plain URL of `key`. For a private S3 bucket this URL needs a signature: hand out
    /// [`Storage::link`] instead.
    pub fn url(&self, key: &str) -> String {
        format!("{}/{}", self.url_base, key)
    }

    /// The URL to hand out for `key`: the plain URL, or a presigned one for a private bucket.
    pub async fn link(&self, key: &str) -> Result<String, StorageError> {
        match &self.presigner {
            Some(presigner) => presigner.sign(&parse_key(key)?).await,
            None => Ok(self.url(key)),
        }
    }

    /// The file behind `key` in a local store, for serving with `Range`; `None` for other
    /// backends and for keys that are not plain relative paths.
    pub fn local_file(&self, key: &str) -> Option<PathBuf> {
        let root = self.local_root.as_ref()?;
        let path = parse_key(key).ok()?;
        Some(root.join(path.as_ref()))
    }

    /// Can the store take a write right now? (for readiness)
    pub async fn check_writable(&self) -> Result<(), StorageError> {
        self.put(".readyz", Bytes::from_static(b"ok")).await
    }
}

/// Keys are plain relative paths of safe segments: no `..`, no empty or hidden-escape parts.
fn parse_key(key: &str) -> Result<Path, StorageError> {
    let bad = || StorageError::BadKey(key.to_string());
    if key.is_empty()
        || key.starts_with('/')
        || key
            .split('/')
            .any(|seg| seg.is_empty() || seg == "." || seg == ".." || seg.contains('\\'))
    {
        return Err(bad());
    }
    Path::parse(key).map_err(|_| bad())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn put_get_and_urls() {
        let dir = std::env::temp_dir().join(format!("varg-storage-{}", uuid::Uuid::new_v4()));
        let storage = Storage::local(&dir, "http://h:1/").expect("store");
        storage
            .put("renders/a.mp4", b"abc".to_vec())
            .await
            .expect("put");
        assert_eq!(
            storage.get("renders/a.mp4").await.expect("get").as_deref(),
            Some(&b"abc"[..])
        );
        assert!(storage
            .get("renders/none.mp4")
            .await
            .expect("get")
            .is_none());
        assert_eq!(
            storage.url("renders/a.mp4"),
            "http://h:1/files/renders/a.mp4"
        );
        assert!(storage.local_file("../etc/passwd").is_none());
        assert!(storage
            .local_file("renders/a.mp4")
            .is_some_and(|p| p.exists()));
        let _ = std::fs::remove_dir_all(dir);
    }
}

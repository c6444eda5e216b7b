//! The S3 backend (`VARG_STORAGE=s3`): a bucket, an optional key prefix, and links that are
//! either under a public base URL or presigned for a while.

use std::sync::Arc;
use std::time::Duration;

use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::signer::{Method, Signer};
use object_store::ObjectStore;

use super::StorageError;

/// The `VARG_S3_*` settings of api.md.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Settings {
    pub bucket: String,
    /// An S3-compatible endpoint (MinIO, moto, R2, ...); AWS itself when absent.
    pub endpoint: Option<String>,
    pub region: Option<String>,
    /// Every key is stored under this prefix.
    pub prefix: String,
    /// Where the bucket is served publicly; without it, links are presigned.
    pub public_url: Option<String>,
    /// How long a presigned link works (at most 7 days, SigV4's limit).
    pub url_ttl: Duration,
}

/// SigV4 presigned URLs live at most a week.
pub const MAX_URL_TTL: Duration = Duration::from_secs(7 * 24 * 3600);

pub(super) struct Opened {
    pub store: Arc<dyn ObjectStore>,
    pub url_base: String,
    pub presigner: Option<Presigner>,
}

pub(super) fn open(settings: &S3Settings) -> Result<Opened, StorageError> {
    if settings.bucket.trim().is_empty() {
        return Err(StorageError::Config(
            "VARG_S3_BUCKET must name the bucket".into(),
        ));
    }
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(settings.bucket.trim());
    if let Some(region) = settings.region.as_deref().filter(|r| !r.is_empty()) {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = settings.endpoint.as_deref().filter(|e| !e.is_empty()) {
        builder = builder
            .with_endpoint(endpoint.trim_end_matches('/'))
            .with_allow_http(endpoint.starts_with("http://"));
    }
    let s3 = Arc::new(builder.build()?);
    let prefix = settings.prefix.trim_matches('/').to_string();
    let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
        s3.clone()
    } else {
        Arc::new(PrefixStore::new(s3.clone(), prefix.as_str()))
    };
    let key_base = |base: &str| {
        let base = base.trim_end_matches('/');
        if prefix.is_empty() {
            base.to_string()
        } else {
            format!("{base}/{prefix}")
        }
    };
    let (url_base, presigner) = match settings.public_url.as_deref().filter(|u| !u.is_empty()) {
        Some(public) => (key_base(public), None),
        None => {
            let endpoint = settings
                .endpoint
                .clone()
                .filter(|e| !e.is_empty())
                .unwrap_or_else(|| {
                    format!(
                        "https://s3.{}.amazonaws.com",
                        settings.region.as_deref().unwrap_or("us-east-1")
                    )
                });
            let plain = key_base(&format!(
                "{}/{}",
                endpoint.trim_end_matches('/'),
                settings.bucket.trim()
            ));
            let presigner = Presigner {
                s3,
                prefix,
                ttl: settings.url_ttl.min(MAX_URL_TTL),
            };
            (plain, Some(presigner))
        }
    };
    Ok(Opened {
        store,
        url_base,
        presigner,
    })
}

/// Signs GET links to objects of a private bucket.
pub(super) struct Presigner {
    s3: Arc<AmazonS3>,
    prefix: String,
    ttl: Duration,
}

impl Presigner {
    pub async fn sign(&self, key: &Path) -> Result<String, StorageError> {
        let full = if self.prefix.is_empty() {
            key.clone()
        } else {
            let joined = format!("{}/{}", self.prefix, key.as_ref());
            Path::parse(&joined).map_err(|_| StorageError::BadKey(joined))?
        };
        Ok(self
            .s3
            .signed_url(Method::GET, &full, self.ttl)
            .await?
            .to_string())
    }
}

//! `src` files: `http(s)` URLs (through the outbound rules, with size and time limits) and
//! paths inside the configured asset directories (never outside them, by `..` or a symlink).

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, UNIX_EPOCH};

use bytes::Bytes;

use super::error::{AssetError, AssetErrorKind};
use super::fetch::{fetch, FetchError, Limits};
use super::outbound::OutboundPolicy;

/// api.md "fetched source": 200 MiB in 30 s.
pub const SOURCE_LIMITS: Limits = Limits {
    max_bytes: 200 * 1024 * 1024,
    time: Duration::from_secs(30),
};

/// Where a `src` points.
#[derive(Debug, Clone, PartialEq)]
pub enum Location {
    Url(String),
    /// The real path, inside an asset directory, with its modification time (ms) and size:
    /// what the cache key of a local file is made of (§23).
    File {
        path: PathBuf,
        modified_ms: u128,
        size: u64,
    },
}

impl Location {
    /// What identifies the file's content for the cache.
    pub fn identity(&self) -> String {
        match self {
            Location::Url(url) => format!("url:{url}"),
            Location::File {
                path,
                modified_ms,
                size,
            } => format!("file:{}:{modified_ms}:{size}", path.display()),
        }
    }
}

pub fn is_url(src: &str) -> bool {
    let lower = src.get(..8).unwrap_or(src).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Finds a `src`: a URL as it is, a path confined to `dirs`.
pub fn locate(src: &str, dirs: &[PathBuf]) -> Result<Location, AssetError> {
    if is_url(src) {
        return Ok(Location::Url(src.to_string()));
    }
    if src.contains("://") {
        return Err(AssetError::invalid_source(format!(
            "cannot load \"{src}\": only http and https URLs and files in the asset directories can be used"
        )));
    }
    let path = confine(src, dirs)?;
    let meta = std::fs::metadata(&path)
        .map_err(|e| AssetError::invalid_source(format!("cannot read \"{src}\": {e}")))?;
    let modified_ms = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_millis());
    Ok(Location::File {
        path,
        modified_ms,
        size: meta.len(),
    })
}

/// The bytes of a located `src`.
pub async fn load(
    src: &str,
    location: &Location,
    client: &reqwest::Client,
    policy: &OutboundPolicy,
    limits: Limits,
    cancel: &AtomicBool,
) -> Result<Bytes, AssetError> {
    match location {
        Location::Url(url) => {
            fetch(client, policy, url, limits, cancel)
                .await
                .map_err(|e| match e {
                    FetchError::Cancelled => AssetError::cancelled(),
                    // Each of these names the URL already.
                    other => AssetError::invalid_source(other.to_string()),
                })
        }
        Location::File { path, .. } => read_limited(path, src, limits.max_bytes).await,
    }
}

/// The path of `src` inside one of `dirs`, refusing `..` and symlink escapes.
pub fn confine(src: &str, dirs: &[PathBuf]) -> Result<PathBuf, AssetError> {
    if dirs.is_empty() {
        return Err(AssetError::invalid_source(format!(
            "cannot read \"{src}\": no asset directory is configured (set VARG_ASSET_DIRS)"
        )));
    }
    let requested = Path::new(src);
    for dir in dirs {
        let Ok(root) = dir.canonicalize() else {
            continue;
        };
        let candidate = if requested.is_absolute() {
            requested.to_path_buf()
        } else {
            root.join(requested)
        };
        // canonicalize resolves `..` and symlinks, so the prefix test sees the real location.
        if let Ok(real) = candidate.canonicalize() {
            if real.starts_with(&root) && real.is_file() {
                return Ok(real);
            }
        }
    }
    Err(AssetError::invalid_source(format!(
        "cannot read \"{src}\": it is not a file inside the asset directories"
    )))
}

async fn read_limited(path: &Path, src: &str, max: u64) -> Result<Bytes, AssetError> {
    let unreadable =
        |e: std::io::Error| AssetError::invalid_source(format!("cannot read \"{src}\": {e}"));
    let size = tokio::fs::metadata(path).await.map_err(unreadable)?.len();
    if size > max {
        return Err(AssetError::new(
            AssetErrorKind::InvalidSource,
            format!(
                "\"{src}\" is {} MiB, over the limit of {} MiB",
                size / (1024 * 1024),
                max / (1024 * 1024)
            ),
        ));
    }
    tokio::fs::read(path)
        .await
        .map(Bytes::from)
        .map_err(unreadable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confine_refuses_escapes() {
        let base = std::env::temp_dir().join(format!("varg-confine-{}", uuid::Uuid::new_v4()));
        let inside = base.join("assets");
        std::fs::create_dir_all(&inside).expect("dir");
        std::fs::write(inside.join("a.png"), b"x").expect("file");
        std::fs::write(base.join("secret.png"), b"x").expect("file");
        #[cfg(unix)]
        std::os::unix::fs::symlink(base.join("secret.png"), inside.join("link.png")).expect("link");
        let dirs = vec![inside.clone()];
        assert!(confine("a.png", &dirs).is_ok());
        assert!(confine("../secret.png", &dirs).is_err());
        assert!(confine(&base.join("secret.png").display().to_string(), &dirs).is_err());
        #[cfg(unix)]
        assert!(confine("link.png", &dirs).is_err());
        assert!(confine("a.png", &[]).is_err());
        let _ = std::fs::remove_dir_all(base);
    }

    #[test]
    fn locations() {
        assert!(is_url("HTTPS://example.com/a.png"));
        assert!(!is_url("photos/a.png"));
        let err = locate("file:///etc/passwd", &[]).expect_err("file URL");
        assert_eq!(err.kind, AssetErrorKind::InvalidSource);
        assert!(
            err.message.contains("only http and https"),
            "{}",
            err.message
        );
        assert_eq!(
            locate("https://x/a.png", &[]).expect("url").identity(),
            "url:https://x/a.png"
        );
    }
}

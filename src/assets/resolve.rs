//! One resolver for every asset of a scene: placeholders, files from asset directories; each
//! stored once under a content address derived from its cache key, and listed in `files`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::{stream, StreamExt, TryStreamExt};
use image::RgbaImage;
use serde_json::json;
use sha2::{Digest, Sha256};
use thiserror::Error;

use super::decode::{decode_image, DecodeError};
use super::placeholder::placeholder_image;
use crate::scene::{AssetKind, AssetRequest, AssetSource, Scene};
use crate::storage::{Storage, StorageError};

/// Largest source file read from disk (api.md "fetched source").
const MAX_SOURCE_BYTES: u64 = 200 * 1024 * 1024;
/// Assets resolved at the same time.
const PARALLEL: usize = 4;
/// Bumped when placeholder art changes, so cached placeholders are made again.
const PLACEHOLDER_VERSION: &str = "placeholder-v1";

#[derive(Debug, Error)]
pub enum AssetError {
    #[error("{0}")]
    InvalidSource(String),
    #[error("{0}")]
    Generation(String),
    #[error("{0}")]
    Storage(#[from] StorageError),
    #[error("an asset task failed: {0}")]
    Internal(String),
}

/// How generations are made for this render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generation {
    /// Every generation is a local placeholder (D10).
    Placeholder,
    /// Real generation through the gateway.
    Gateway,
}

/// A resolved asset: pixels for the compositor and the entry for the job's `files`.
pub struct ResolvedAsset {
    pub image: Arc<RgbaImage>,
    pub key: String,
    pub media_type: &'static str,
    pub metadata: serde_json::Value,
}

pub struct AssetContext<'a> {
    pub storage: &'a Storage,
    pub asset_dirs: &'a [PathBuf],
    pub generation: Generation,
}

/// Resolves every asset of `scene`, in parallel, in the order of `scene.assets`.
pub async fn resolve_assets(
    scene: &Scene,
    ctx: &AssetContext<'_>,
) -> Result<Vec<ResolvedAsset>, AssetError> {
    // Collected first: a lazy `map` over borrowed requests makes the future's Send-ness
    // depend on a higher-ranked lifetime the compiler cannot prove.
    let pending: Vec<_> = scene
        .assets
        .iter()
        .map(|request| resolve_one(request, scene, ctx))
        .collect();
    stream::iter(pending).buffered(PARALLEL).try_collect().await
}

async fn resolve_one(
    request: &AssetRequest,
    scene: &Scene,
    ctx: &AssetContext<'_>,
) -> Result<ResolvedAsset, AssetError> {
    match (&request.source, request.kind) {
        (AssetSource::Prompt(generation), AssetKind::Image) => {
            let (prompt, model, aspect_ratio) = (
                &generation.prompt,
                &generation.model,
                &generation.aspect_ratio,
            );
            if ctx.generation == Generation::Gateway {
                return Err(AssetError::Generation(format!(
                    "cannot generate the image \"{prompt}\": real generation through the gateway is not available in this version; render in preview mode"
                )));
            }
            let (width, height) = placeholder_size(aspect_ratio.as_deref(), scene);
            let key = format!(
                "assets/{}.png",
                content_address(&format!(
                    "{PLACEHOLDER_VERSION}:{width}x{height}:{}",
                    request.cache_key
                ))
            );
            let (image, cached) = match ctx.storage.get(&key).await? {
                Some(bytes) => (decode_blocking(bytes.to_vec()).await?, true),
                None => {
                    let prompt_text = prompt.clone();
                    let (image, png) = blocking(move || {
                        let image = placeholder_image(&prompt_text, "IMAGE", width, height);
                        let png = encode_png(&image);
                        (image, png)
                    })
                    .await?;
                    ctx.storage.put(&key, png?).await?;
                    (image, false)
                }
            };
            Ok(ResolvedAsset {
                image: Arc::new(image),
                key,
                media_type: "image/png",
                metadata: json!({
                    "type": "image",
                    "model": model.as_ref().map(|m| m.model_id.as_str()).unwrap_or(""),
                    "prompt": prompt,
                    "placeholder": true,
                    "cached": cached,
                }),
            })
        }
        (AssetSource::Src { src }, AssetKind::Image) => {
            if src.starts_with("http://") || src.starts_with("https://") {
                return Err(AssetError::InvalidSource(format!(
                    "cannot load \"{src}\": fetching src URLs is not available in this version; put the file in an asset directory"
                )));
            }
            let path = confine(src, ctx.asset_dirs)?;
            let bytes = read_limited(&path, src).await?;
            let hash = content_address_bytes(&bytes);
            let (media_type, ext) = sniff_image(&bytes);
            let key = format!("assets/{hash}.{ext}");
            let image = decode_blocking(bytes.clone()).await.map_err(|e| match e {
                AssetError::InvalidSource(msg) => {
                    AssetError::InvalidSource(format!("\"{src}\": {msg}"))
                }
                other => other,
            })?;
            let cached = ctx.storage.get(&key).await?.is_some();
            if !cached {
                ctx.storage.put(&key, bytes).await?;
            }
            Ok(ResolvedAsset {
                image: Arc::new(image),
                key,
                media_type,
                metadata: json!({ "type": "image", "src": src, "placeholder": false, "cached": cached }),
            })
        }
        // Video and audio assets arrive with the compositor and audio work; until then they
        // resolve to nothing visible and the job says so in its warnings.
        (_, kind) => Ok(ResolvedAsset {
            image: Arc::new(RgbaImage::new(1, 1)),
            key: String::new(),
            media_type: "application/octet-stream",
            metadata: json!({ "type": kind, "unavailable": true }),
        }),
    }
}

/// Placeholder pixels: the requested aspect ratio, else the frame's, at most 2048 on a side.
fn placeholder_size(aspect_ratio: Option<&str>, scene: &Scene) -> (u32, u32) {
    let ratio = aspect_ratio
        .and_then(|r| r.split_once(':'))
        .and_then(|(w, h)| Some((w.trim().parse::<f64>().ok()?, h.trim().parse::<f64>().ok()?)))
        .filter(|(w, h)| *w > 0.0 && *h > 0.0 && (w / h) > 0.05 && (w / h) < 20.0)
        .map(|(w, h)| w / h)
        .unwrap_or(scene.width as f64 / scene.height as f64);
    let long = (scene.width.max(scene.height) as f64).min(2048.0);
    if ratio >= 1.0 {
        (long as u32, (long / ratio).round().max(2.0) as u32)
    } else {
        ((long * ratio).round().max(2.0) as u32, long as u32)
    }
}

/// The path of `src` inside one of `dirs`, refusing `..` and symlink escapes.
pub fn confine(src: &str, dirs: &[PathBuf]) -> Result<PathBuf, AssetError> {
    if dirs.is_empty() {
        return Err(AssetError::InvalidSource(format!(
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
    Err(AssetError::InvalidSource(format!(
        "cannot read \"{src}\": it is not a file inside the asset directories"
    )))
}

async fn read_limited(path: &Path, src: &str) -> Result<Vec<u8>, AssetError> {
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| AssetError::InvalidSource(format!("cannot read \"{src}\": {e}")))?
        .len();
    if size > MAX_SOURCE_BYTES {
        return Err(AssetError::InvalidSource(format!(
            "\"{src}\" is {} MiB, over the limit of {} MiB",
            size / (1024 * 1024),
            MAX_SOURCE_BYTES / (1024 * 1024)
        )));
    }
    tokio::fs::read(path)
        .await
        .map_err(|e| AssetError::InvalidSource(format!("cannot read \"{src}\": {e}")))
}

fn sniff_image(bytes: &[u8]) -> (&'static str, &'static str) {
    if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", "jpg")
    } else {
        ("image/png", "png")
    }
}

async fn decode_blocking(bytes: Vec<u8>) -> Result<RgbaImage, AssetError> {
    blocking(move || decode_image(&bytes))
        .await?
        .map_err(|e: DecodeError| AssetError::InvalidSource(e.to_string()))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AssetError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AssetError::Internal(e.to_string()))
}

pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, AssetError> {
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| AssetError::Internal(format!("cannot encode a PNG: {e}")))?;
    Ok(out.into_inner())
}

/// A stable, file-name-safe address for a cache key.
fn content_address(key: &str) -> String {
    content_address_bytes(key.as_bytes())
}

fn content_address_bytes(bytes: &[u8]) -> String {
    hex::encode(&Sha256::digest(bytes)[..16])
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
}

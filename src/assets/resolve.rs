//! The one resolver every asset of a scene goes through: placeholders (preview), the gateway
//! (strict), and `src` files. Each asset is made once, stored once under its content address
//! (see `cache`), turned into `Media` for the compositor and the mixer, and listed in `files`.
//!
//! Assets that others refer to (an edit's source, a video's reference images, a talking
//! head's voice) are resolved first; the rest run side by side, a few at a time.

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use bytes::Bytes;
use futures_util::{stream, StreamExt};
use image::RgbaImage;
use serde_json::{json, Value};

use super::cache::{self, Entry, Made, StoredWord};
use super::decode::decode_image;
use super::error::{AssetError, AssetErrorKind};
use super::gateway::{default_model, request_body, Gateway, GatewayError, GatewayKey};
use super::placeholder::{placeholder_image, placeholder_video};
use super::sniff::expect_kind;
use super::source::{is_url, load, locate, SOURCE_LIMITS};
use crate::audio::placeholder::{music_wav, speech_wav};
use crate::config::RenderSettings;
use crate::media::{probe_audio, probe_video, AudioFile, Media, VideoFile};
use crate::scene::{
    AssetKind, AssetRequest, AssetSource, Background, CaptionSource, Generation as Request, Layer,
    Scene, SourcePos, Word,
};
use crate::storage::Storage;

/// Assets made at the same time: enough to overlap the gateway's waits, few enough not to
/// flood it (or the CPU, for placeholders).
const PARALLEL: usize = 4;
/// Bumped when placeholder art changes, so cached placeholders are made again.
const PLACEHOLDER_VERSION: &str = "placeholder-v2";
/// Bumped if what a generation's address covers ever changes.
const GENERATED_VERSION: &str = "generated-v1";
/// Video placeholders are drawn at most this long on a side (the compositor scales them).
const MAX_PLACEHOLDER_VIDEO_SIDE: f64 = 1280.0;

/// How generations are made for this render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generation {
    /// Every generation is a local placeholder (D10): no network.
    Placeholder,
    /// Real generation through the gateway, with this job's key, else the configured one.
    Gateway(Option<GatewayKey>),
}

/// A resolved asset: its content and its entry for the job's `files`.
pub struct ResolvedAsset {
    pub media: Media,
    /// The stored file (`files` URL).
    pub key: String,
    pub media_type: String,
    pub metadata: Value,
    /// The real length of a video or audio asset, seconds.
    pub duration: Option<f64>,
    /// Speech: word timings from the start of the audio.
    pub words: Option<Vec<Word>>,
    pub bytes: Bytes,
    pub cached: bool,
}

pub struct AssetContext<'a> {
    pub storage: &'a Storage,
    pub settings: &'a RenderSettings,
    pub generation: &'a Generation,
    pub cancel: &'a AtomicBool,
}

/// Resolves every asset of `scene`, in the order of `scene.assets`. On failure, assets already
/// being made are finished and cached (a retry reuses them) but no new ones are started.
pub async fn resolve_assets(
    scene: &Scene,
    ctx: &AssetContext<'_>,
) -> Result<Vec<ResolvedAsset>, AssetError> {
    let mut done: Vec<Option<ResolvedAsset>> = scene.assets.iter().map(|_| None).collect();
    let stop = AtomicBool::new(false);
    for level in levels(scene)? {
        let results: Vec<(usize, Result<Option<ResolvedAsset>, AssetError>)> = {
            let (done, stop) = (&done, &stop);
            // Collected first: a lazy `map` over borrowed requests makes the future's
            // Send-ness depend on a higher-ranked lifetime the compiler cannot prove.
            let pending: Vec<_> = level
                .into_iter()
                .map(|i| async move { (i, resolve_one(i, scene, ctx, done, stop).await) })
                .collect();
            stream::iter(pending)
                .buffer_unordered(PARALLEL)
                .collect()
                .await
        };
        let mut failure: Option<(usize, AssetError)> = None;
        for (i, result) in results {
            match result {
                Ok(Some(asset)) => done[i] = Some(asset),
                Ok(None) => {}
                Err(e) => {
                    // A cancel wins; otherwise the first failing asset in program order.
                    let better = match &failure {
                        None => true,
                        Some((j, old)) => match (
                            e.kind == AssetErrorKind::Cancelled,
                            old.kind == AssetErrorKind::Cancelled,
                        ) {
                            (true, false) => true,
                            (false, true) => false,
                            _ => i < *j,
                        },
                    };
                    if better {
                        failure = Some((i, e));
                    }
                }
            }
        }
        if let Some((i, e)) = failure {
            return Err(e.at(asset_position(scene, i)));
        }
        if ctx.cancel.load(Ordering::Relaxed) {
            return Err(AssetError::cancelled());
        }
    }
    done.into_iter()
        .map(|a| a.ok_or_else(|| AssetError::internal("an asset was left unresolved")))
        .collect()
}

/// `None` when skipped because another asset already failed.
async fn resolve_one(
    index: usize,
    scene: &Scene,
    ctx: &AssetContext<'_>,
    done: &[Option<ResolvedAsset>],
    stop: &AtomicBool,
) -> Result<Option<ResolvedAsset>, AssetError> {
    if ctx.cancel.load(Ordering::Relaxed) {
        return Err(AssetError::cancelled());
    }
    if stop.load(Ordering::Relaxed) {
        return Ok(None);
    }
    let request = &scene.assets[index];
    let result = match (&request.source, ctx.generation) {
        (AssetSource::Src { src }, _) => from_source(request.kind, src, ctx).await,
        (AssetSource::Prompt(generation), Generation::Placeholder) => {
            placeholder(request, generation, scene, ctx, done).await
        }
        (AssetSource::Prompt(generation), Generation::Gateway(key)) => {
            generate(request, generation, scene, ctx, done, key.as_ref()).await
        }
    };
    if result.is_err() {
        stop.store(true, Ordering::Relaxed);
    }
    result.map(Some)
}

async fn from_source(
    kind: AssetKind,
    src: &str,
    ctx: &AssetContext<'_>,
) -> Result<ResolvedAsset, AssetError> {
    let settings = ctx.settings;
    let location = locate(src, &settings.asset_dirs)?;
    let addr = cache::address(&format!(
        "source:{}:{}",
        kind_name(kind),
        location.identity()
    ));
    let (entry, cached) = cache::get_or_make(ctx.storage, &addr, || async {
        let bytes = load(
            src,
            &location,
            &settings.http,
            &settings.outbound,
            SOURCE_LIMITS,
            ctx.cancel,
        )
        .await?;
        // Only files of the right kind enter the cache.
        let sniffed = expect_kind(&bytes, kind).map_err(|why| {
            AssetError::invalid_source(format!("\"{src}\" cannot be used as {}: {why}", noun(kind)))
        })?;
        Ok(Made {
            bytes,
            ext: sniffed.ext,
            media_type: sniffed.media_type.to_string(),
            words: Vec::new(),
        })
    })
    .await?;
    let (media, duration) = to_media(kind, &entry.bytes)
        .await
        .map_err(|why| AssetError::invalid_source(format!("\"{src}\" cannot be read: {why}")))?;
    Ok(resolved(
        entry,
        media,
        duration,
        None,
        cached,
        json!({ "type": kind, "src": src, "placeholder": false, "cached": cached }),
    ))
}

async fn placeholder(
    request: &AssetRequest,
    generation: &Request,
    scene: &Scene,
    ctx: &AssetContext<'_>,
    done: &[Option<ResolvedAsset>],
) -> Result<ResolvedAsset, AssetError> {
    let kind = request.kind;
    let prompt = generation.prompt.clone();
    let metadata = |cached: bool| {
        json!({
            "type": kind,
            "model": model_name(kind, generation),
            "prompt": generation.prompt,
            "placeholder": true,
            "cached": cached,
        })
    };
    // D14: in preview an edit shows its source unchanged.
    if let Some(source) = generation.edit.and_then(|i| done.get(i)?.as_ref()) {
        let mut metadata = metadata(source.cached);
        metadata["edit_of"] = source.metadata.get("src").cloned().unwrap_or(Value::Null);
        return Ok(ResolvedAsset {
            media: source.media.clone(),
            key: source.key.clone(),
            media_type: source.media_type.clone(),
            metadata,
            duration: None,
            words: None,
            bytes: source.bytes.clone(),
            cached: source.cached,
        });
    }
    let placeholder_failed = |why: String| {
        AssetError::internal(format!(
            "cannot make the preview placeholder for {} \"{}\": {why}",
            element(kind),
            short(&generation.prompt)
        ))
    };
    let (identity, words): (String, Vec<Word>) = match kind {
        AssetKind::Image => {
            let (w, h) = placeholder_size(generation.aspect_ratio.as_deref(), scene, 2048.0);
            (format!("image:{w}x{h}"), Vec::new())
        }
        AssetKind::Video => {
            let (w, h) = placeholder_size(
                generation.aspect_ratio.as_deref(),
                scene,
                MAX_PLACEHOLDER_VIDEO_SIDE,
            );
            let seconds = video_seconds(request, generation);
            (
                format!("video:{w}x{h}:{seconds:.3}:{}", scene.fps),
                Vec::new(),
            )
        }
        AssetKind::Speech => {
            let seconds = request.duration.unwrap_or(0.0);
            (format!("speech:{seconds:.3}"), request.words.clone())
        }
        AssetKind::Music => (
            format!("music:{:.3}", music_seconds(generation, scene)),
            Vec::new(),
        ),
    };
    let addr = cache::address(&format!(
        "{PLACEHOLDER_VERSION}:{identity}:{}",
        request.cache_key
    ));
    let mut drawn: Option<Arc<RgbaImage>> = None;
    let (entry, cached) = cache::get_or_make(ctx.storage, &addr, || async {
        let made = match kind {
            AssetKind::Image => {
                let (w, h) = placeholder_size(generation.aspect_ratio.as_deref(), scene, 2048.0);
                let prompt = prompt.clone();
                let (image, png) = blocking(move || {
                    let image = placeholder_image(&prompt, "IMAGE", w, h);
                    let png = encode_png(&image);
                    (image, png)
                })
                .await?;
                drawn = Some(Arc::new(image));
                Made {
                    bytes: png?.into(),
                    ext: "png",
                    media_type: "image/png".into(),
                    words: Vec::new(),
                }
            }
            AssetKind::Video => {
                let (w, h) = placeholder_size(
                    generation.aspect_ratio.as_deref(),
                    scene,
                    MAX_PLACEHOLDER_VIDEO_SIDE,
                );
                let (seconds, fps) = (video_seconds(request, generation), scene.fps);
                let prompt = prompt.clone();
                let mp4 = blocking(move || placeholder_video(&prompt, "VIDEO", w, h, seconds, fps))
                    .await?
                    .map_err(|e| placeholder_failed(e.to_string()))?;
                Made {
                    bytes: mp4.into(),
                    ext: "mp4",
                    media_type: "video/mp4".into(),
                    words: Vec::new(),
                }
            }
            AssetKind::Speech | AssetKind::Music => {
                let wav = if kind == AssetKind::Speech {
                    let (words, seconds) = (words.clone(), request.duration.unwrap_or(0.0));
                    blocking(move || speech_wav(&words, seconds)).await?
                } else {
                    let (prompt, seconds) = (prompt.clone(), music_seconds(generation, scene));
                    blocking(move || music_wav(&prompt, seconds)).await?
                };
                if wav.is_empty() {
                    return Err(placeholder_failed("the audio came out empty".into()));
                }
                Made {
                    bytes: wav.into(),
                    ext: "wav",
                    media_type: "audio/wav".into(),
                    words: words.iter().map(StoredWord::from).collect(),
                }
            }
        };
        Ok(made)
    })
    .await?;
    let (media, duration) = match drawn {
        Some(image) => (Media::Image(image), None),
        None => to_media(kind, &entry.bytes)
            .await
            .map_err(placeholder_failed)?,
    };
    let words = (kind == AssetKind::Speech).then_some(words);
    Ok(resolved(
        entry,
        media,
        duration,
        words,
        cached,
        metadata(cached),
    ))
}

async fn generate(
    request: &AssetRequest,
    generation: &Request,
    scene: &Scene,
    ctx: &AssetContext<'_>,
    done: &[Option<ResolvedAsset>],
    job_key: Option<&GatewayKey>,
) -> Result<ResolvedAsset, AssetError> {
    let kind = request.kind;
    let settings = ctx.settings;
    let failed = |why: String| {
        AssetError::generation(format!(
            "{} \"{}\" could not be generated: {why}",
            element(kind),
            short(&generation.prompt)
        ))
    };
    // The address leaves out the key and the gateway's URL: the same request is the same
    // asset whoever pays for it.
    let addr = cache::address(&format!(
        "{GENERATED_VERSION}:{}:{}",
        kind_name(kind),
        request.cache_key
    ));
    let (entry, cached) = cache::get_or_make(ctx.storage, &addr, || async {
        let key = job_key.or(settings.gateway_key.as_ref()).ok_or_else(|| {
            failed("strict mode needs a gateway key: send `gatewayApiKey` or configure VARG_GATEWAY_KEY (or render in preview mode)".into())
        })?;
        let gateway = Gateway {
            client: &settings.http,
            policy: &settings.outbound,
            base: &settings.gateway_url,
            key,
            cancel: ctx.cancel,
            patience: settings.gateway_patience,
        };
        let gateway_failed = |e: GatewayError| match e {
            GatewayError::Cancelled => AssetError::cancelled(),
            other => failed(other.to_string()),
        };
        let files = reference_files(generation, scene, done, &gateway)
            .await
            .map_err(gateway_failed)?;
        let body = request_body(kind, generation, files);
        let generated = gateway
            .generate(kind, body)
            .await
            .map_err(gateway_failed)?;
        let sniffed = expect_kind(&generated.bytes, kind)
            .map_err(|why| failed(format!("the gateway's file is unusable: {why}")))?;
        Ok(Made {
            bytes: generated.bytes,
            ext: sniffed.ext,
            media_type: sniffed.media_type.to_string(),
            words: generated
                .words
                .unwrap_or_default()
                .iter()
                .map(StoredWord::from)
                .collect(),
        })
    })
    .await?;
    let (media, duration) = to_media(kind, &entry.bytes)
        .await
        .map_err(|why| failed(format!("the generated file cannot be read: {why}")))?;
    let words = (kind == AssetKind::Speech).then(|| {
        if entry.record.words.is_empty() {
            // No alignment from the provider: the script's words spread over the real length,
            // so captions still follow the speech.
            spread(&request.words, duration)
        } else {
            entry.record.words.iter().map(Word::from).collect()
        }
    });
    let metadata = json!({
        "type": kind,
        "model": model_name(kind, generation),
        "prompt": generation.prompt,
        "placeholder": false,
        "cached": cached,
    });
    Ok(resolved(entry, media, duration, words, cached, metadata))
}

/// The reference files a generation sends: public URLs as they are, everything else uploaded.
async fn reference_files(
    generation: &Request,
    scene: &Scene,
    done: &[Option<ResolvedAsset>],
    gateway: &Gateway<'_>,
) -> Result<Vec<Value>, GatewayError> {
    let mut refs: Vec<usize> = generation.images.clone();
    refs.extend(generation.audio);
    let mut seen = BTreeSet::new();
    let mut files = Vec::new();
    for index in refs.into_iter().filter(|i| seen.insert(*i)) {
        let Some(asset) = done.get(index).and_then(Option::as_ref) else {
            continue;
        };
        let public = match &scene.assets[index].source {
            AssetSource::Src { src } if is_url(src) => Some(src.clone()),
            _ => None,
        };
        let url = match public {
            Some(url) => url,
            None => {
                gateway
                    .upload(asset.bytes.clone(), &asset.media_type)
                    .await?
            }
        };
        files.push(json!({ "url": url, "media_type": asset.media_type }));
    }
    Ok(files)
}

fn resolved(
    entry: Entry,
    media: Media,
    duration: Option<f64>,
    words: Option<Vec<Word>>,
    cached: bool,
    metadata: Value,
) -> ResolvedAsset {
    let mut metadata = metadata;
    if let Some(seconds) = duration {
        metadata["duration"] = json!(seconds);
    }
    ResolvedAsset {
        media,
        key: entry.record.key,
        media_type: entry.record.media_type,
        metadata,
        duration,
        words,
        bytes: entry.bytes,
        cached,
    }
}

/// Decodes or probes a file into what the compositor and mixer use; the length for video and
/// audio. The reason as text when the file cannot be used.
async fn to_media(kind: AssetKind, bytes: &Bytes) -> Result<(Media, Option<f64>), String> {
    let bytes = bytes.clone();
    let result = blocking(move || match kind {
        AssetKind::Image => decode_image(&bytes)
            .map(|image| (Media::Image(Arc::new(image)), None))
            .map_err(|e| e.to_string()),
        AssetKind::Video => probe_video(&bytes)
            .map(|info| {
                let duration = info.duration;
                (
                    Media::Video(Arc::new(VideoFile { bytes, info })),
                    Some(duration),
                )
            })
            .map_err(|e| e.to_string()),
        AssetKind::Speech | AssetKind::Music => probe_audio(&bytes)
            .map(|info| {
                let duration = info.duration;
                (
                    Media::Audio(Arc::new(AudioFile { bytes, info })),
                    Some(duration),
                )
            })
            .map_err(|e| e.to_string()),
    })
    .await
    .map_err(|e| e.message)?;
    result
}

/// Words spread evenly over `seconds`, keeping their order and relative lengths.
fn spread(words: &[Word], seconds: Option<f64>) -> Vec<Word> {
    let (Some(seconds), Some(last)) = (seconds, words.last()) else {
        return words.to_vec();
    };
    let scale = if last.end > 0.0 {
        seconds / last.end.max(1e-6)
    } else {
        1.0
    };
    words
        .iter()
        .map(|w| Word {
            text: w.text.clone(),
            start: w.start * scale,
            end: w.end * scale,
        })
        .collect()
}

/// A generated video's length: what was asked for, else the scene's estimate, else 5 s.
fn video_seconds(request: &AssetRequest, generation: &Request) -> f64 {
    generation.duration.or(request.duration).unwrap_or(5.0)
}

/// Music placeholders last as long as asked, and at least as long as the video.
fn music_seconds(generation: &Request, scene: &Scene) -> f64 {
    generation
        .duration
        .unwrap_or(0.0)
        .max(scene.duration)
        .max(1.0)
}

/// Placeholder pixels: the requested aspect ratio, else the frame's, at most `max_side`.
fn placeholder_size(aspect_ratio: Option<&str>, scene: &Scene, max_side: f64) -> (u32, u32) {
    let ratio = aspect_ratio
        .and_then(|r| r.split_once(':'))
        .and_then(|(w, h)| Some((w.trim().parse::<f64>().ok()?, h.trim().parse::<f64>().ok()?)))
        .filter(|(w, h)| *w > 0.0 && *h > 0.0 && (w / h) > 0.05 && (w / h) < 20.0)
        .map(|(w, h)| w / h)
        .unwrap_or(scene.width as f64 / scene.height as f64);
    let long = (scene.width.max(scene.height) as f64).min(max_side);
    let even = |v: f64| ((v / 2.0).round() as u32 * 2).max(2);
    if ratio >= 1.0 {
        (even(long), even(long / ratio))
    } else {
        (even(long * ratio), even(long))
    }
}

/// Assets in the order they can be made: each level needs only earlier levels.
fn levels(scene: &Scene) -> Result<Vec<Vec<usize>>, AssetError> {
    let n = scene.assets.len();
    let deps = |i: usize| -> Vec<usize> {
        match &scene.assets[i].source {
            AssetSource::Prompt(g) => g
                .images
                .iter()
                .copied()
                .chain(g.edit)
                .chain(g.audio)
                .filter(|&d| d < n && d != i)
                .collect(),
            AssetSource::Src { .. } => Vec::new(),
        }
    };
    let mut depth: Vec<Option<usize>> = vec![None; n];
    // Depth = 1 + deepest dependency, found without recursion; n rounds bound any chain, so
    // an unfinished asset after them sits on a cycle.
    for _ in 0..=n {
        let mut changed = false;
        for i in 0..n {
            if depth[i].is_some() {
                continue;
            }
            let ds = deps(i);
            if ds.iter().all(|&d| depth[d].is_some()) {
                depth[i] = Some(
                    ds.iter()
                        .filter_map(|&d| depth[d])
                        .max()
                        .map_or(0, |m| m + 1),
                );
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut levels: Vec<Vec<usize>> = Vec::new();
    for (i, d) in depth.into_iter().enumerate() {
        let d = d.ok_or_else(|| {
            AssetError::internal("the scene's assets refer to each other in a circle")
        })?;
        if levels.len() <= d {
            levels.resize_with(d + 1, Vec::new);
        }
        levels[d].push(i);
    }
    Ok(levels)
}

/// Where the element that needs asset `index` was written: its layer, track or caption, or
/// the generation it is a reference of.
pub fn asset_position(scene: &Scene, index: usize) -> Option<SourcePos> {
    let in_layer = |layer: &Layer| match layer {
        Layer::Image(l) if l.asset == index => Some(l.source),
        Layer::Video(l) if l.asset == index => Some(l.source),
        Layer::Slider(l) | Layer::Swipe(l) if l.items.iter().any(|m| m.asset == index) => {
            Some(l.source)
        }
        Layer::Packshot(p)
            if p.logo == Some(index)
                || matches!(p.background, Background::Image { asset } | Background::Video { asset } if asset == index) =>
        {
            Some(p.source)
        }
        _ => None,
    };
    let found = scene
        .clips
        .iter()
        .flat_map(|c| c.layers.iter())
        .chain(scene.overlays.iter())
        .find_map(in_layer)
        .or_else(|| {
            scene
                .audio
                .iter()
                .find(|t| t.asset == index)
                .map(|t| t.source)
        })
        .or_else(|| {
            scene
                .captions
                .iter()
                .find(|c| c.from == CaptionSource::Speech { asset: index })
                .map(|c| c.source)
        });
    if let Some(position) = found {
        return position;
    }
    // A reference only: the element it belongs to.
    scene
        .assets
        .iter()
        .enumerate()
        .find_map(|(parent, a)| match &a.source {
            AssetSource::Prompt(g)
                if parent != index
                    && (g.images.contains(&index)
                        || g.edit == Some(index)
                        || g.audio == Some(index)) =>
            {
                asset_position(scene, parent)
            }
            _ => None,
        })
}

fn model_name(kind: AssetKind, generation: &Request) -> String {
    generation
        .model
        .as_ref()
        .map(|m| m.model_id.clone())
        .unwrap_or_else(|| default_model(kind).to_string())
}

fn kind_name(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Image => "image",
        AssetKind::Video => "video",
        AssetKind::Speech => "speech",
        AssetKind::Music => "music",
    }
}

fn element(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Image => "the <Image>",
        AssetKind::Video => "the <Video>",
        AssetKind::Speech => "the <Speech>",
        AssetKind::Music => "the <Music>",
    }
}

fn noun(kind: AssetKind) -> &'static str {
    match kind {
        AssetKind::Image => "an image",
        AssetKind::Video => "a video",
        AssetKind::Speech => "speech",
        AssetKind::Music => "music",
    }
}

/// A prompt short enough for an error message.
fn short(prompt: &str) -> String {
    const MAX: usize = 80;
    if prompt.chars().count() <= MAX {
        prompt.to_string()
    } else {
        format!(
            "{}…",
            prompt.chars().take(MAX).collect::<String>().trim_end()
        )
    }
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AssetError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| AssetError::internal(format!("an asset task failed: {e}")))
}

pub fn encode_png(image: &RgbaImage) -> Result<Vec<u8>, AssetError> {
    let mut out = std::io::Cursor::new(Vec::new());
    image
        .write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| AssetError::internal(format!("cannot encode a PNG: {e}")))?;
    Ok(out.into_inner())
}

//! One render, start to end: script → scene → assets → frames → MP4. The server's workers
//! and the CLI both run exactly this.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::assets::srt::load_srt;
use crate::assets::{
    resolve_assets, AssetContext, AssetError, AssetErrorKind, GatewayKey, Generation,
};
use crate::audio::{render_soundtrack, AudioError};
use crate::config::RenderSettings;
use crate::encode::{encode_scene, EncodeError};
use crate::jobs::{
    ErrorCategory, Failure, FileEntry, Job, Mode, Outcome, Progress, RunFuture, Runner, Timings,
};
use crate::media::Media;
use crate::render::Compositor;
use crate::scene::{
    build_scene, resolve_timeline, CaptionSource, Scene, SceneError, SceneErrorKind, Word,
};
use crate::script::{evaluate, ScriptError, ScriptErrorKind};
use crate::storage::Storage;

/// What a finished render produced.
pub struct Rendered {
    pub mp4: Vec<u8>,
    pub thumbnail_jpeg: Vec<u8>,
    pub frames: u64,
    pub files: Vec<FileEntry>,
    pub timings: Timings,
    pub warnings: Vec<String>,
    pub logs: Vec<String>,
}

/// Progress callback: overall fraction 0..1 and a short message.
pub type ProgressFn = Arc<dyn Fn(f64, &str) + Send + Sync>;

/// The front half: program text → scene. Shared by `check`, `frame`, `render` and the server.
pub async fn load_scene(
    code: &str,
    settings: &RenderSettings,
) -> Result<(Scene, Vec<String>), Failure> {
    let code = code.to_string();
    let limits = settings.eval.clone();
    let evaluated = tokio::task::spawn_blocking(move || evaluate(&code, &limits))
        .await
        .map_err(|e| {
            Failure::new(
                ErrorCategory::Internal,
                format!("the script task failed: {e}"),
            )
        })?
        .map_err(script_failure)?;
    let scene = build_scene(&evaluated.tree, &settings.scene).map_err(scene_failure)?;
    Ok((scene, evaluated.logs))
}

/// A scene with every asset resolved: ready to draw.
pub struct Prepared {
    /// Real asset lengths and speech timings written back, the timeline resolved again.
    pub scene: Scene,
    /// Every asset's content, indexed like `scene.assets`.
    pub media: Vec<Media>,
    /// The images of `media` (a 1×1 transparent pixel for the other kinds), for the
    /// compositor until it reads `media` itself.
    pub images: Vec<Arc<image::RgbaImage>>,
    pub files: Vec<FileEntry>,
    pub logs: Vec<String>,
    pub timings: Timings,
}

/// Program text → scene → resolved assets.
pub async fn prepare(
    code: &str,
    generation: Generation,
    settings: &RenderSettings,
    storage: &Storage,
    progress: &ProgressFn,
) -> Result<Prepared, Failure> {
    let never = AtomicBool::new(false);
    prepare_cancellable(code, generation, settings, storage, progress, &never).await
}

/// [`prepare`], stopping when `cancel` is set (downloads and generations included).
pub async fn prepare_cancellable(
    code: &str,
    generation: Generation,
    settings: &RenderSettings,
    storage: &Storage,
    progress: &ProgressFn,
    cancel: &AtomicBool,
) -> Result<Prepared, Failure> {
    let mut timings = Timings::default();
    progress(0.01, "evaluating the program");
    let started = Instant::now();
    let (mut scene, logs) = load_scene(code, settings).await?;
    timings.eval_ms = elapsed_ms(started);

    progress(0.05, "preparing assets");
    let started = Instant::now();
    let ctx = AssetContext {
        storage,
        settings,
        generation: &generation,
        cancel,
    };
    let assets = resolve_assets(&scene, &ctx).await.map_err(asset_failure)?;
    // D3: `auto` clips follow the real lengths of speech and video.
    for (request, asset) in scene.assets.iter_mut().zip(&assets) {
        if let Some(seconds) = asset.duration {
            request.duration = Some(seconds);
        }
        if let Some(words) = &asset.words {
            request.words = words.clone();
        }
    }
    resolve_timeline(&mut scene).map_err(scene_failure)?;
    load_srt_captions(&mut scene, settings, cancel)
        .await
        .map_err(asset_failure)?;
    timings.generate_ms = elapsed_ms(started);

    let mut files = Vec::with_capacity(assets.len());
    for asset in &assets {
        let url = storage.link(&asset.key).await.map_err(|e| {
            Failure::new(
                ErrorCategory::Internal,
                format!("cannot make a link to a stored asset: {e}"),
            )
        })?;
        files.push(FileEntry {
            url,
            media_type: asset.media_type.clone(),
            metadata: asset.metadata.clone(),
        });
    }
    let blank = Arc::new(image::RgbaImage::new(1, 1));
    let media: Vec<Media> = assets.into_iter().map(|a| a.media).collect();
    let images = media
        .iter()
        .map(|m| match m {
            Media::Image(image) => image.clone(),
            _ => blank.clone(),
        })
        .collect();
    Ok(Prepared {
        scene,
        media,
        images,
        files,
        logs,
        timings,
    })
}

/// Caption tracks from SRT files get their entries, placed on the timeline.
async fn load_srt_captions(
    scene: &mut Scene,
    settings: &RenderSettings,
    cancel: &AtomicBool,
) -> Result<(), AssetError> {
    for track in scene.captions.iter_mut() {
        let CaptionSource::Srt { path } = &track.from else {
            continue;
        };
        let entries = load_srt(path, settings, cancel)
            .await
            .map_err(|e| e.at(track.source))?;
        let offset = track.start;
        track.words = entries
            .into_iter()
            .map(|w| Word {
                text: w.text,
                start: w.start + offset,
                end: w.end + offset,
            })
            .collect();
    }
    Ok(())
}

/// The whole render: program text → MP4 bytes and thumbnail.
pub async fn render_code(
    code: &str,
    generation: Generation,
    settings: &RenderSettings,
    storage: &Storage,
    progress: ProgressFn,
    cancel: Arc<AtomicBool>,
) -> Result<Rendered, Failure> {
    let Prepared {
        scene,
        media,
        images,
        files,
        logs,
        mut timings,
        ..
    } = prepare_cancellable(code, generation, settings, storage, &progress, &cancel).await?;
    let mut warnings = scene.warnings.clone();
    warnings.extend(undrawn_warnings(&scene));
    let render_progress = progress.clone();
    let (encoded, sound_warnings) = tokio::task::spawn_blocking(move || {
        // Audio: the whole mix is made and encoded up front; the muxer writes it with the frames.
        let soundtrack = render_soundtrack(&scene, &media).map_err(audio_failure)?;
        let (audio, sound_warnings) = match soundtrack {
            Some(s) => {
                tracing::info!(
                    mix_ms = s.mix_time.as_millis() as u64,
                    encode_ms = s.encode_time.as_millis() as u64,
                    "audio mixed and encoded"
                );
                (Some(s.encoded), s.warnings)
            }
            None => (None, Vec::new()),
        };
        let compositor = Compositor::new(&scene, images).map_err(|e| {
            Failure::new(
                ErrorCategory::Internal,
                format!("cannot prepare the frames: {e}"),
            )
        })?;
        let report = |done: u64, total: u64| {
            let share = done as f64 / total.max(1) as f64;
            render_progress(
                RENDER_START + share * (RENDER_END - RENDER_START),
                &format!("rendering frame {done}/{total}"),
            );
        };
        encode_scene(&scene, compositor, audio, &report, &cancel)
            .map(|encoded| (encoded, sound_warnings))
            .map_err(encode_failure)
    })
    .await
    .map_err(|e| {
        Failure::new(
            ErrorCategory::Internal,
            format!("the render task failed: {e}"),
        )
    })??;
    warnings.extend(sound_warnings);
    timings.compose_ms = encoded.compose_ms;
    timings.encode_ms = encoded.encode_ms;
    crate::metrics::add_frames(encoded.frames);
    Ok(Rendered {
        mp4: encoded.mp4,
        thumbnail_jpeg: encoded.thumbnail_jpeg,
        frames: encoded.frames,
        files,
        timings,
        warnings,
        logs,
    })
}

/// The share of overall progress the frames take.
const RENDER_START: f64 = 0.1;
const RENDER_END: f64 = 0.97;

fn elapsed_ms(since: Instant) -> u64 {
    since.elapsed().as_millis() as u64
}

fn located(
    message: String,
    line: Option<u32>,
    column: Option<u32>,
    category: ErrorCategory,
) -> Failure {
    match (line, column) {
        (Some(line), Some(column)) => Failure::new(
            category,
            format!("{message} (line {line}, column {column})"),
        )
        .at(line, column),
        _ => Failure::new(category, message),
    }
}

pub fn script_failure(e: ScriptError) -> Failure {
    let category = match e.kind {
        ScriptErrorKind::Syntax | ScriptErrorKind::InvalidCode => ErrorCategory::InvalidCode,
        ScriptErrorKind::Timeout => ErrorCategory::Timeout,
        ScriptErrorKind::LimitExceeded => ErrorCategory::LimitExceeded,
        ScriptErrorKind::Internal => ErrorCategory::Internal,
    };
    located(e.message, e.line, e.column, category)
}

pub fn scene_failure(e: SceneError) -> Failure {
    let category = match e.kind {
        SceneErrorKind::InvalidCode => ErrorCategory::InvalidCode,
        SceneErrorKind::LimitExceeded => ErrorCategory::LimitExceeded,
    };
    located(
        e.message,
        e.position.map(|s| s.line),
        e.position.map(|s| s.column),
        category,
    )
}

fn asset_failure(e: AssetError) -> Failure {
    let category = match e.kind {
        AssetErrorKind::InvalidSource => ErrorCategory::InvalidSource,
        AssetErrorKind::Generation => ErrorCategory::GenerationFailed,
        AssetErrorKind::Cancelled => ErrorCategory::Cancelled,
        AssetErrorKind::Internal => ErrorCategory::Internal,
    };
    located(
        e.message,
        e.position.map(|p| p.line),
        e.position.map(|p| p.column),
        category,
    )
}

/// A sound file that cannot be played is the program's source's fault; anything else is ours.
fn audio_failure(e: AudioError) -> Failure {
    let category = match e {
        AudioError::Decode(_) | AudioError::Unsupported(_) | AudioError::NoAudioTrack => {
            ErrorCategory::InvalidSource
        }
        AudioError::Resample(_) | AudioError::Encode(_) => ErrorCategory::Internal,
    };
    Failure::new(category, e.to_string())
}

fn encode_failure(e: EncodeError) -> Failure {
    match e {
        EncodeError::Cancelled => Failure::new(ErrorCategory::Cancelled, "the job was cancelled"),
        other => Failure::new(ErrorCategory::Internal, format!("encoding failed: {other}")),
    }
}

/// The server's workers run jobs through the pipeline and store what it made.
pub struct PipelineRunner {
    pub settings: RenderSettings,
    pub storage: Storage,
    /// Running average of render times in ms, shown to clients as an estimate.
    pub estimate: Arc<AtomicU64>,
}

impl Runner for PipelineRunner {
    fn run(
        &self,
        job: Job,
        secret: Option<String>,
        progress: Progress,
        cancel: Arc<AtomicBool>,
    ) -> RunFuture {
        let settings = self.settings.clone();
        let storage = self.storage.clone();
        let estimate = self.estimate.clone();
        Box::pin(async move {
            let started = Instant::now();
            let generation = match job.mode {
                Mode::Preview => Generation::Placeholder,
                Mode::Strict => Generation::Gateway(secret.as_deref().and_then(GatewayKey::new)),
            };
            let report: ProgressFn = Arc::new(move |p, message| progress.report(p, message));
            let rendered =
                match render_code(&job.code, generation, &settings, &storage, report, cancel).await
                {
                    Ok(rendered) => rendered,
                    Err(failure) if failure.category == ErrorCategory::Cancelled => {
                        return Outcome::Cancelled
                    }
                    Err(failure) => return Outcome::Failed(failure),
                };
            for line in &rendered.logs {
                tracing::info!(job_id = %job.id, "console: {line}");
            }
            let stored_at = Instant::now();
            let video_key = format!("renders/{}.mp4", job.id);
            let thumb_key = format!("renders/{}.jpg", job.id);
            let stored = async {
                storage.put(&video_key, rendered.mp4).await?;
                storage.put(&thumb_key, rendered.thumbnail_jpeg).await
            };
            if let Err(e) = stored.await {
                return Outcome::Failed(Failure::new(
                    ErrorCategory::Internal,
                    format!("cannot store the video: {e}"),
                ));
            }
            let links = async {
                Ok::<_, crate::storage::StorageError>((
                    storage.link(&video_key).await?,
                    storage.link(&thumb_key).await?,
                ))
            };
            let (output_url, thumbnail_url) = match links.await {
                Ok(links) => links,
                Err(e) => {
                    return Outcome::Failed(Failure::new(
                        ErrorCategory::Internal,
                        format!("cannot make a link to the stored video: {e}"),
                    ))
                }
            };
            let mut timings = rendered.timings;
            timings.store_ms = elapsed_ms(stored_at);
            let took = elapsed_ms(started);
            let previous = estimate.load(Ordering::Relaxed);
            estimate.store((previous * 3 + took) / 4, Ordering::Relaxed);
            Outcome::Completed {
                output_url,
                thumbnail_url: Some(thumbnail_url),
                files: rendered.files,
                timings,
                warnings: rendered.warnings,
            }
        })
    }
}

/// The parts of a scene this version of the compositor does not draw yet, so a render never
/// drops them silently.
fn undrawn_warnings(scene: &Scene) -> Vec<String> {
    let mut missing: Vec<&str> = Vec::new();
    let layers = scene
        .clips
        .iter()
        .flat_map(|c| c.layers.iter())
        .chain(scene.overlays.iter());
    for layer in layers {
        let name = match layer {
            crate::scene::Layer::Video(_) => "<Video> and <TalkingHead> pictures",
            crate::scene::Layer::Slider(_) => "<Slider>",
            crate::scene::Layer::Swipe(_) => "<Swipe>",
            crate::scene::Layer::Packshot(_) => "<Packshot>",
            crate::scene::Layer::Image(_) | crate::scene::Layer::Text(_) => continue,
        };
        if !missing.contains(&name) {
            missing.push(name);
        }
    }
    if !scene.captions.is_empty() {
        missing.push("<Captions>");
    }
    missing
        .into_iter()
        .map(|name| {
            format!(
                "{name} are not drawn by this version yet: the video shows the rest of the scene"
            )
        })
        .collect()
}

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
use crate::encode::{encode_scene, frame_png, EncodeError};
use crate::jobs::{
    ErrorCategory, Failure, FileEntry, Job, Mode, Outcome, OutputKind, Progress, RunFuture, Runner,
    Timings,
};
use crate::media::Media;
use crate::render::Compositor;
use crate::scene::{
    build_scene, resolve_timeline, CaptionSource, Scene, SceneError, SceneErrorKind, SourcePos,
    Word,
};
use crate::script::{evaluate, ScriptError, ScriptErrorKind};
use crate::storage::Storage;

/// What a finished render produced.
pub struct Rendered {
    pub output: RenderedOutput,
    /// Frames drawn: the video's length, or one per clip for stills.
    pub frames: u64,
    pub files: Vec<FileEntry>,
    pub timings: Timings,
    pub warnings: Vec<String>,
    pub logs: Vec<String>,
}

pub enum RenderedOutput {
    Video {
        mp4: Vec<u8>,
        thumbnail_jpeg: Vec<u8>,
    },
    /// `output: "frames"` (D13): one PNG per clip, in clip order.
    Stills(Vec<Still>),
}

/// One clip's picture, taken at its middle.
pub struct Still {
    pub clip: usize,
    /// Seconds on the timeline.
    pub at: f64,
    pub png: Vec<u8>,
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
    crate::render::text::prepare_fonts(&mut scene, settings)
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
    let media: Vec<Media> = assets.into_iter().map(|a| a.media).collect();
    Ok(Prepared {
        scene,
        media,
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

/// The whole render: program text → an MP4 and its thumbnail, or one still per clip.
pub async fn render_code(
    code: &str,
    generation: Generation,
    output: OutputKind,
    settings: &RenderSettings,
    storage: &Storage,
    progress: ProgressFn,
    cancel: Arc<AtomicBool>,
) -> Result<Rendered, Failure> {
    let Prepared {
        scene,
        media,
        files,
        logs,
        mut timings,
        ..
    } = prepare_cancellable(code, generation, settings, storage, &progress, &cancel).await?;
    let mut warnings = scene.warnings.clone();
    if output == OutputKind::Frames {
        let started = Instant::now();
        let (stills, skipped) =
            tokio::task::spawn_blocking(move || render_stills(&scene, &media, &cancel))
                .await
                .map_err(task_failed)??;
        timings.compose_ms = elapsed_ms(started);
        warnings.extend(skipped);
        return Ok(Rendered {
            frames: stills.len() as u64,
            output: RenderedOutput::Stills(stills),
            files,
            timings,
            warnings,
            logs,
        });
    }
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
        let compositor = compositor_for(&scene, &media)?;
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
    .map_err(task_failed)??;
    warnings.extend(sound_warnings);
    warnings.extend(encoded.warnings);
    timings.compose_ms = encoded.compose_ms;
    timings.encode_ms = encoded.encode_ms;
    crate::metrics::add_frames(encoded.frames);
    Ok(Rendered {
        output: RenderedOutput::Video {
            mp4: encoded.mp4,
            thumbnail_jpeg: encoded.thumbnail_jpeg,
        },
        frames: encoded.frames,
        files,
        timings,
        warnings,
        logs,
    })
}

fn task_failed(e: tokio::task::JoinError) -> Failure {
    Failure::new(
        ErrorCategory::Internal,
        format!("the render task failed: {e}"),
    )
}

fn compositor_for(scene: &Scene, media: &[Media]) -> Result<Compositor, Failure> {
    Compositor::from_media(scene, media).map_err(|e| {
        Failure::new(
            ErrorCategory::Internal,
            format!("cannot prepare the frames: {e}"),
        )
    })
}

/// D13: the frame at the middle of each clip, drawn by the same compositor as the video.
fn render_stills(
    scene: &Scene,
    media: &[Media],
    cancel: &AtomicBool,
) -> Result<(Vec<Still>, Vec<String>), Failure> {
    let mut compositor = compositor_for(scene, media)?;
    let mut stills = Vec::with_capacity(scene.clips.len());
    for (clip, c) in scene.clips.iter().enumerate() {
        if cancel.load(Ordering::Relaxed) {
            return Err(Failure::new(
                ErrorCategory::Cancelled,
                "the job was cancelled",
            ));
        }
        let at = c.start + c.duration / 2.0;
        let png = frame_png(&mut compositor, scene, at).map_err(encode_failure)?;
        stills.push(Still { clip, at, png });
    }
    Ok((stills, compositor.take_warnings()))
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

fn located_at(message: String, position: Option<SourcePos>, category: ErrorCategory) -> Failure {
    located(
        message,
        position.map(|p| p.line),
        position.map(|p| p.column),
        category,
    )
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
    located_at(e.message, e.position, category)
}

fn asset_failure(e: AssetError) -> Failure {
    let category = match e.kind {
        AssetErrorKind::InvalidSource => ErrorCategory::InvalidSource,
        AssetErrorKind::Generation => ErrorCategory::GenerationFailed,
        AssetErrorKind::Cancelled => ErrorCategory::Cancelled,
        AssetErrorKind::Internal => ErrorCategory::Internal,
    };
    located_at(e.message, e.position, category)
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
            let rendered = match render_code(
                &job.code, generation, job.output, &settings, &storage, report, cancel,
            )
            .await
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
            let (output_url, thumbnail_url, mut files) =
                match store_output(&storage, job.id, rendered.output).await {
                    Ok(stored) => stored,
                    Err(e) => {
                        return Outcome::Failed(Failure::new(
                            ErrorCategory::Internal,
                            format!("cannot store the output: {e}"),
                        ))
                    }
                };
            files.extend(rendered.files);
            let mut timings = rendered.timings;
            timings.store_ms = elapsed_ms(stored_at);
            let took = elapsed_ms(started);
            let previous = estimate.load(Ordering::Relaxed);
            estimate.store((previous * 3 + took) / 4, Ordering::Relaxed);
            Outcome::Completed {
                output_url,
                thumbnail_url: Some(thumbnail_url),
                files,
                timings,
                warnings: rendered.warnings,
            }
        })
    }
}

/// Puts a render's output in storage: the MP4 and its thumbnail, or each still (listed first
/// in `files`, the first also standing for `output_url` and the thumbnail). Returns the output
/// URL, the thumbnail URL and the stills' file entries.
async fn store_output(
    storage: &Storage,
    id: uuid::Uuid,
    output: RenderedOutput,
) -> Result<(String, String, Vec<FileEntry>), crate::storage::StorageError> {
    match output {
        RenderedOutput::Video {
            mp4,
            thumbnail_jpeg,
        } => {
            let video_key = format!("renders/{id}.mp4");
            let thumb_key = format!("renders/{id}.jpg");
            storage.put(&video_key, mp4).await?;
            storage.put(&thumb_key, thumbnail_jpeg).await?;
            Ok((
                storage.link(&video_key).await?,
                storage.link(&thumb_key).await?,
                Vec::new(),
            ))
        }
        RenderedOutput::Stills(stills) => {
            let mut files = Vec::with_capacity(stills.len());
            for still in stills {
                let key = format!("renders/{id}/clip-{:03}.png", still.clip + 1);
                storage.put(&key, still.png).await?;
                files.push(FileEntry {
                    url: storage.link(&key).await?,
                    media_type: "image/png".into(),
                    metadata: serde_json::json!({
                        "type": "frame",
                        "clip": still.clip,
                        "at": still.at,
                    }),
                });
            }
            let first = files.first().map(|f| f.url.clone()).unwrap_or_default();
            Ok((first.clone(), first, files))
        }
    }
}

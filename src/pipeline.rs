//! One render, start to end: script → scene → assets → frames → MP4. The server's workers
//! and the CLI both run exactly this.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Instant;

use crate::assets::{resolve_assets, AssetContext, AssetError, Generation};
use crate::config::RenderSettings;
use crate::encode::{encode_scene, EncodeError};
use crate::jobs::{
    ErrorCategory, Failure, FileEntry, Job, Mode, Outcome, Progress, RunFuture, Runner, Timings,
};
use crate::render::Compositor;
use crate::scene::{build_scene, Scene, SceneError, SceneErrorKind};
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
    pub scene: Scene,
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
    let mut timings = Timings::default();
    progress(0.01, "evaluating the program");
    let started = Instant::now();
    let (scene, logs) = load_scene(code, settings).await?;
    timings.eval_ms = elapsed_ms(started);

    progress(0.05, "preparing assets");
    let started = Instant::now();
    let ctx = AssetContext {
        storage,
        asset_dirs: &settings.asset_dirs,
        generation,
    };
    let assets = resolve_assets(&scene, &ctx).await.map_err(asset_failure)?;
    timings.generate_ms = elapsed_ms(started);
    let mut scene = scene;
    for asset in assets.iter().filter(|a| a.key.is_empty()) {
        scene.warnings.push(format!(
            "{} assets are not rendered by this version yet and were skipped",
            asset.metadata["type"].as_str().unwrap_or("some")
        ));
    }
    scene.warnings.dedup();
    let files = assets
        .iter()
        .filter(|a| !a.key.is_empty())
        .map(|a| FileEntry {
            url: storage.url(&a.key),
            media_type: a.media_type.to_string(),
            metadata: a.metadata.clone(),
        })
        .collect();
    let images = assets.into_iter().map(|a| a.image).collect();
    Ok(Prepared {
        scene,
        images,
        files,
        logs,
        timings,
    })
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
        images,
        files,
        logs,
        mut timings,
    } = prepare(code, generation, settings, storage, &progress).await?;
    let warnings = scene.warnings.clone();
    let render_progress = progress.clone();
    let encoded = tokio::task::spawn_blocking(move || {
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
        encode_scene(&scene, compositor, &report, &cancel).map_err(encode_failure)
    })
    .await
    .map_err(|e| {
        Failure::new(
            ErrorCategory::Internal,
            format!("the render task failed: {e}"),
        )
    })??;
    timings.compose_ms = encoded.compose_ms;
    timings.encode_ms = encoded.encode_ms;
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
    let category = match e {
        AssetError::InvalidSource(_) => ErrorCategory::InvalidSource,
        AssetError::Generation(_) => ErrorCategory::GenerationFailed,
        AssetError::Storage(_) | AssetError::Internal(_) => ErrorCategory::Internal,
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
        _secret: Option<String>,
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
                Mode::Strict => Generation::Gateway,
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
            let mut timings = rendered.timings;
            timings.store_ms = elapsed_ms(stored_at);
            let took = elapsed_ms(started);
            let previous = estimate.load(Ordering::Relaxed);
            estimate.store((previous * 3 + took) / 4, Ordering::Relaxed);
            Outcome::Completed {
                output_url: storage.url(&video_key),
                thumbnail_url: Some(storage.url(&thumb_key)),
                files: rendered.files,
                timings,
                warnings: rendered.warnings,
            }
        })
    }
}

//! `render`, `frame` and `check`: the pipeline without a server.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::json;

use crate::assets::Generation;
use crate::cli::{CheckArgs, DataArgs, FrameArgs, RenderArgs};
use crate::config::{open_storage, RenderSettings};
use crate::encode::frame_png;
use crate::jobs::{Failure, OutputKind};
use crate::pipeline::{load_scene, prepare, render_code, ProgressFn, RenderedOutput};
use crate::render::Compositor;
use crate::scene::{AssetSource, Scene};
use crate::storage::Storage;

pub async fn render(args: RenderArgs) -> anyhow::Result<ExitCode> {
    let (code, settings, storage) = setup(&args.file, &args.data)?;
    // Strict when asked, or by default when a gateway key is configured (api.md's rule).
    let generation = if args.strict || (!args.preview && settings.gateway_key.is_some()) {
        Generation::Gateway(None)
    } else {
        Generation::Placeholder
    };
    let kind = if args.frames {
        OutputKind::Frames
    } else {
        OutputKind::Video
    };
    let output = args.output.clone().unwrap_or_else(|| {
        let stem = args.file.file_stem().unwrap_or_default();
        match kind {
            OutputKind::Frames => PathBuf::from(format!("{}-frames", stem.to_string_lossy())),
            OutputKind::Video => PathBuf::from(stem).with_extension("mp4"),
        }
    });
    let bar = ProgressBar::new(1000);
    bar.set_style(
        ProgressStyle::with_template("{bar:40.cyan/blue} {percent:>3}% {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let progress_bar = bar.clone();
    let progress: ProgressFn = Arc::new(move |p, message| {
        progress_bar.set_position((p * 1000.0) as u64);
        progress_bar.set_message(message.to_string());
    });
    let result = render_code(
        &code,
        generation,
        kind,
        &settings,
        &storage,
        progress,
        Arc::new(AtomicBool::new(false)),
    )
    .await;
    bar.finish_and_clear();
    let rendered = match result {
        Ok(rendered) => rendered,
        Err(failure) => return Ok(report_failure(&args.file, &failure)),
    };
    let written = match rendered.output {
        RenderedOutput::Video { mp4, .. } => {
            std::fs::write(&output, &mp4)
                .with_context(|| format!("cannot write {}", output.display()))?;
            format!("{:.1} MB", mp4.len() as f64 / 1e6)
        }
        RenderedOutput::Stills(stills) => {
            std::fs::create_dir_all(&output)
                .with_context(|| format!("cannot create {}", output.display()))?;
            for still in &stills {
                let path = output.join(format!("clip-{:03}.png", still.clip + 1));
                std::fs::write(&path, &still.png)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            format!("{} PNGs", stills.len())
        }
    };
    for line in &rendered.logs {
        eprintln!("console: {line}");
    }
    for warning in &rendered.warnings {
        eprintln!("warning: {warning}");
    }
    let t = &rendered.timings;
    println!(
        "{}: {} frames, {written} (eval {} ms, assets {} ms, compose {} ms, encode {} ms)",
        output.display(),
        rendered.frames,
        t.eval_ms,
        t.generate_ms,
        t.compose_ms,
        t.encode_ms
    );
    Ok(ExitCode::SUCCESS)
}

pub async fn frame(args: FrameArgs) -> anyhow::Result<ExitCode> {
    let (code, settings, storage) = setup(&args.file, &args.data)?;
    let quiet: ProgressFn = Arc::new(|_, _| {});
    let prepared = match prepare(&code, Generation::Placeholder, &settings, &storage, &quiet).await
    {
        Ok(p) => p,
        Err(failure) => return Ok(report_failure(&args.file, &failure)),
    };
    if !(0.0..=prepared.scene.duration).contains(&args.at) {
        anyhow::bail!(
            "--at {} is outside the video, which lasts {:.3} s",
            args.at,
            prepared.scene.duration
        );
    }
    let png = tokio::task::spawn_blocking(move || -> anyhow::Result<Vec<u8>> {
        let mut compositor = Compositor::from_media(&prepared.scene, &prepared.media)?;
        Ok(frame_png(&mut compositor, &prepared.scene, args.at)?)
    })
    .await??;
    std::fs::write(&args.output, png)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    Ok(ExitCode::SUCCESS)
}

pub async fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    let (code, settings, _) = setup(&args.file, &args.data)?;
    let (scene, _logs) = match load_scene(&code, &settings).await {
        Ok(loaded) => loaded,
        Err(failure) => return Ok(report_failure(&args.file, &failure)),
    };
    if args.json {
        println!("{}", scene_json(&scene));
    } else {
        print!("{}", summary(&scene));
    }
    for warning in &scene.warnings {
        eprintln!("warning: {warning}");
    }
    Ok(ExitCode::SUCCESS)
}

/// The program, the settings a file render uses (its own folder is an asset directory), and
/// the asset cache in the data directory.
fn setup(file: &Path, data: &DataArgs) -> anyhow::Result<(String, RenderSettings, Storage)> {
    let code =
        std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let folder = file
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let settings = RenderSettings::from_args(data, vec![folder.to_path_buf()])?;
    let files_dir = data.data_dir.join("files");
    let storage = open_storage(data, &files_dir, &format!("file://{}", files_dir.display()))?;
    Ok((code, settings, storage))
}

/// `FILE:LINE:COLUMN: message` on standard error, exit status 1.
fn report_failure(file: &Path, failure: &Failure) -> ExitCode {
    let location = failure
        .details
        .as_ref()
        .and_then(|d| Some((d.get("line")?.as_u64()?, d.get("column")?.as_u64()?)));
    match location {
        Some((line, column)) => {
            eprintln!("{}:{line}:{column}: {}", file.display(), failure.message)
        }
        None => eprintln!("{}: {}", file.display(), failure.message),
    }
    ExitCode::FAILURE
}

fn scene_json(scene: &Scene) -> serde_json::Value {
    let mut value = serde_json::to_value(scene).unwrap_or_default();
    let generations: Vec<_> = scene
        .assets
        .iter()
        .filter_map(|a| match &a.source {
            AssetSource::Prompt(g) => Some(json!({
                "type": a.kind,
                "model": g.model.as_ref().map(|m| m.model_id.clone()),
                "prompt": g.prompt,
            })),
            AssetSource::Src { .. } => None,
        })
        .collect();
    let audio: Vec<_> = scene
        .audio
        .iter()
        .map(|t| {
            let mut track = serde_json::to_value(t).unwrap_or_default();
            track["type"] = json!(t.kind);
            track["duration"] = json!(t.length(&scene.assets));
            track
        })
        .collect();
    value["generations"] = json!(generations);
    value["audio"] = json!(audio);
    value
}

fn summary(scene: &Scene) -> String {
    let mut out = format!(
        "{}×{} at {} fps, {:.2} s, {} clip(s), {} asset(s)\n",
        scene.width,
        scene.height,
        scene.fps,
        scene.duration,
        scene.clips.len(),
        scene.assets.len()
    );
    for (i, clip) in scene.clips.iter().enumerate() {
        let transition = clip
            .transition
            .as_ref()
            .map(|t| format!(", then {} {:.2} s", t.name, t.duration))
            .unwrap_or_default();
        out.push_str(&format!(
            "  clip {}: {:.2}–{:.2} s, {} layer(s){transition}\n",
            i + 1,
            clip.start,
            clip.end(),
            clip.layers.len()
        ));
    }
    out
}

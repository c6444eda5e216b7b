//! Release-build measurements (ignored by default):
//! `BENCH_HEIGHT=720 cargo test --release --lib bench_ -- --ignored --nocapture`.

use std::sync::Arc;
use std::time::Instant;

use image::{Rgba, RgbaImage};

use super::tests::encode_quietly;
use super::yuv::YuvFrame;
use crate::render::Compositor;
use crate::scene::{
    Align, AssetKind, AssetRequest, AssetSource, Clip, CropPosition, ImageLayer, Layer, Resize,
    Scene, TextKind, TextLayer, TextPosition, Transition, Zoom,
};

/// design.md's reference: 5 clips × 3 s, Ken Burns, 0.5 s fades, a title each, 30 fps.
fn reference_scene(width: u32, height: u32) -> (Scene, Vec<Arc<RgbaImage>>) {
    let zooms = [Zoom::In, Zoom::Out, Zoom::Left, Zoom::Right, Zoom::In];
    let mut clips = Vec::new();
    let mut start = 0.0;
    for (i, zoom) in zooms.iter().enumerate() {
        let last = i == zooms.len() - 1;
        clips.push(Clip {
            start,
            duration: 3.0,
            auto_duration: None,
            transition: (!last).then(|| Transition {
                name: "fade".into(),
                duration: 0.5,
            }),
            layers: vec![
                Layer::Image(ImageLayer {
                    asset: i,
                    resize: Resize::Cover,
                    crop_position: CropPosition::Center,
                    zoom: Some(*zoom),
                    rect: None,
                    window: None,
                    source: None,
                }),
                Layer::Text(TextLayer {
                    kind: TextKind::Title,
                    text: format!("Scene number {} of the benchmark", i + 1),
                    position: TextPosition {
                        horizontal: Align::Center,
                        vertical: Align::End,
                    },
                    color: [255, 255, 255, 255],
                    outline: Some(3.0),
                    outline_color: [0, 0, 0, 255],
                    background: None,
                    font_family: None,
                    font_path: None,
                    given_window: (None, None),
                    start: if i == 0 { 0.0 } else { 0.5 },
                    end: if last { 3.0 } else { 2.5 },
                    source: None,
                }),
            ],
            source: None,
        });
        start += 2.5;
    }
    let duration = start + 0.5;
    let assets = (0..5)
        .map(|n| AssetRequest {
            kind: AssetKind::Image,
            source: AssetSource::Src {
                src: format!("{n}.jpg"),
            },
            cache_key: format!("{n}"),
            duration: None,
            words: Vec::new(),
        })
        .collect();
    let images = (0..5u32)
        .map(|n| Arc::new(photo_like(2048, 1536, n)))
        .collect();
    (
        Scene {
            width,
            height,
            fps: 30,
            duration,
            clips,
            assets,
            warnings: Vec::new(),
            overlays: Vec::new(),
            captions: Vec::new(),
            audio: Vec::new(),
            shortest: false,
            normalize: false,
        },
        images,
    )
}

/// Smooth colour fields plus fine texture and noise, so the encoder has real detail to code.
fn photo_like(width: u32, height: u32, seed: u32) -> RgbaImage {
    let mut state = 0x9e37_79b9u32.wrapping_mul(seed + 1);
    RgbaImage::from_fn(width, height, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let noise = (state & 31) as f32 - 16.0;
        let fx = x as f32 / width as f32;
        let fy = y as f32 / height as f32;
        let wave = ((x as f32 * 0.05 + seed as f32).sin() * (y as f32 * 0.03).cos()) * 40.0;
        let c = |base: f32| (base + wave + noise).clamp(0.0, 255.0) as u8;
        let channels = [
            c(200.0 * fx + 30.0),
            c(180.0 * fy),
            c(255.0 * (1.0 - fx) * (0.5 + 0.5 * fy)),
        ];
        // A different channel order per image, so clips are told apart at a glance.
        let s = seed as usize;
        Rgba([
            channels[s % 3],
            channels[(s + 1) % 3],
            channels[(s + 2) % 3],
            255,
        ])
    })
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU seconds this process has used (user + system), from `/proc/self/stat` (100 Hz ticks):
/// unlike wall time, barely moved by other work on a busy machine.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let after = s.rsplit_once(')')?.1;
            let fields: Vec<&str> = after.split_whitespace().collect();
            let utime: f64 = fields.get(11)?.parse().ok()?;
            let stime: f64 = fields.get(12)?.parse().ok()?;
            Some((utime + stime) / 100.0)
        })
        .unwrap_or(0.0)
}

fn size_from_env() -> (u32, u32) {
    match std::env::var("BENCH_HEIGHT").as_deref() {
        Ok("1080") => (1920, 1080),
        _ => (1280, 720),
    }
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn bench_compose_only() {
    let (w, h) = size_from_env();
    let (scene, images) = reference_scene(w, h);
    let cpu0 = cpu_seconds();
    let started = Instant::now();
    let mut compositor = Compositor::new(&scene, images).expect("compositor");
    let setup = started.elapsed();
    let mut frame = RgbaImage::new(w, h);
    let mut yuv = YuvFrame::new(w, h).expect("yuv");
    let total = compositor.frame_count();
    let (mut render, mut convert, mut worst) = (0.0, 0.0, 0.0f64);
    for i in 0..total {
        let t0 = Instant::now();
        compositor.render_frame(i, &mut frame);
        let t1 = Instant::now();
        yuv.fill_from_rgba(&frame).expect("yuv");
        let r = (t1 - t0).as_secs_f64() * 1e3;
        worst = worst.max(r);
        render += r;
        convert += t1.elapsed().as_secs_f64() * 1e3;
    }
    let cpu = cpu_seconds() - cpu0;
    println!(
        "\n{w}x{h}: {total} frames, new() {:.1} ms, render {:.2} ms/frame (worst {worst:.1} ms), \
         yuv {:.2} ms/frame, CPU {:.2} ms/frame, peak RSS {:.0} MB",
        setup.as_secs_f64() * 1e3,
        render / total as f64,
        convert / total as f64,
        cpu * 1e3 / total as f64,
        peak_rss_mb()
    );
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn bench_pipeline() {
    let (w, h) = size_from_env();
    let (scene, images) = reference_scene(w, h);
    let cpu0 = cpu_seconds();
    let started = Instant::now();
    let compositor = Compositor::new(&scene, images).expect("compositor");
    let video = encode_quietly(&scene, compositor).expect("encode");
    let wall = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds() - cpu0;
    println!(
        "\n{w}x{h}: {} frames in {wall:.2} s wall ({:.2} ms/frame), CPU {cpu:.2} s; compose {} ms \
         ({:.2}/frame), encode {} ms ({:.2}/frame); mp4 {} KB; peak RSS {:.0} MB",
        video.frames,
        wall * 1e3 / video.frames as f64,
        video.compose_ms,
        video.compose_ms as f64 / video.frames as f64,
        video.encode_ms,
        video.encode_ms as f64 / video.frames as f64,
        video.mp4.len() / 1024,
        peak_rss_mb()
    );
    if let Ok(path) = std::env::var("BENCH_OUT") {
        std::fs::write(path, &video.mp4).expect("write");
    }
}

/// Writes sample stills for eyeballing: `DUMP_DIR=/tmp/x cargo test --lib dump_ -- --ignored`.
#[test]
#[ignore = "writes sample images for visual review"]
fn dump_samples() {
    let dir = std::path::PathBuf::from(std::env::var("DUMP_DIR").unwrap_or_else(|_| "/tmp".into()));
    for (i, prompt) in [
        "sunset over the sea, golden hour",
        "a red fox in the snow",
        "",
    ]
    .iter()
    .enumerate()
    {
        let img = crate::assets::placeholder::placeholder_image(prompt, "IMAGE", 1024, 1024);
        img.save(dir.join(format!("placeholder-{i}.png")))
            .expect("save");
    }
    let wide = crate::assets::placeholder::placeholder_image(
        "a cinematic wide shot of mountains at dawn with mist in the valleys and a lone hiker",
        "VIDEO",
        1080,
        1920,
    );
    wide.save(dir.join("placeholder-tall.png")).expect("save");

    let (scene, images) = reference_scene(1280, 720);
    let mut compositor = Compositor::new(&scene, images).expect("compositor");
    for (name, t) in [("title", 1.0), ("fade", 2.75), ("pan", 6.0)] {
        let png = super::frame_png(&mut compositor, &scene, t).expect("png");
        std::fs::write(dir.join(format!("frame-{name}.png")), png).expect("write");
    }
}

#[test]
#[ignore = "benchmark: run in release with --ignored --nocapture"]
fn bench_resample_filters() {
    use fast_image_resize::images::{Image, ImageRef};
    use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
    let src = photo_like(2112, 1188, 1);
    let src = ImageRef::new(2112, 1188, src.as_raw(), PixelType::U8x4).expect("src");
    let mut dst = Image::new(1920, 1080, PixelType::U8x4);
    let mut resizer = Resizer::new();
    for (name, alg) in [
        (
            "conv bilinear",
            ResizeAlg::Convolution(FilterType::Bilinear),
        ),
        (
            "interp bilinear",
            ResizeAlg::Interpolation(FilterType::Bilinear),
        ),
        (
            "conv catmullrom",
            ResizeAlg::Convolution(FilterType::CatmullRom),
        ),
        (
            "interp catmullrom",
            ResizeAlg::Interpolation(FilterType::CatmullRom),
        ),
    ] {
        let mut best = f64::MAX;
        for i in 0..20 {
            let z = 1.0 + 0.005 * f64::from(i);
            let (w, h) = (2112.0 / z, 1188.0 / z);
            let opts = ResizeOptions::new()
                .resize_alg(alg)
                .crop((2112.0 - w) / 2.0, (1188.0 - h) / 2.0, w, h)
                .use_alpha(false);
            let t = Instant::now();
            resizer.resize(&src, &mut dst, &opts).expect("resize");
            best = best.min(t.elapsed().as_secs_f64() * 1e3);
        }
        println!("{name}: best {best:.2} ms");
    }
}

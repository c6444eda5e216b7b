//! End-to-end encode tests, checked with the real ffprobe/ffmpeg (test-only tools).

use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use image::{Rgba, RgbaImage};

use super::{encode_scene, frame_png, EncodeError};
use crate::render::Compositor;
use crate::scene::{
    Align, AssetKind, AssetRequest, AssetSource, Clip, CropPosition, ImageLayer, Layer, Resize,
    Scene, TextKind, TextLayer, TextPosition, Transition, Zoom,
};

fn test_scene() -> (Scene, Vec<Arc<RgbaImage>>) {
    let image = |asset| {
        Layer::Image(ImageLayer {
            asset,
            resize: Resize::Cover,
            crop_position: CropPosition::Center,
            zoom: Some(Zoom::In),
            rect: None,
            window: None,
            source: None,
        })
    };
    let title = Layer::Text(TextLayer {
        kind: TextKind::Title,
        text: "Encode test".into(),
        position: TextPosition {
            horizontal: Align::Center,
            vertical: Align::End,
        },
        color: [255, 255, 255, 255],
        outline: Some(2.0),
        outline_color: [0, 0, 0, 255],
        background: None,
        font_family: None,
        font_path: None,
        given_window: (None, None),
        start: 0.0,
        end: 1.0,
        source: None,
    });
    let clips = vec![
        Clip {
            auto_duration: None,
            start: 0.0,
            duration: 1.25,
            transition: Some(Transition {
                name: "fade".into(),
                duration: 0.5,
            }),
            layers: vec![image(0), title],
            source: None,
        },
        Clip {
            auto_duration: None,
            start: 0.75,
            duration: 1.25,
            transition: None,
            layers: vec![image(1)],
            source: None,
        },
    ];
    let assets = (0..2)
        .map(|n| AssetRequest {
            kind: AssetKind::Image,
            source: AssetSource::Src {
                src: format!("{n}.png"),
            },
            cache_key: format!("{n}"),
            duration: None,
            words: Vec::new(),
        })
        .collect();
    let scene = Scene {
        width: 320,
        height: 180,
        fps: 10,
        duration: 2.0,
        clips,
        assets,
        warnings: Vec::new(),
        overlays: Vec::new(),
        captions: Vec::new(),
        audio: Vec::new(),
        shortest: false,
        normalize: false,
    };
    let gradient = |r: u8| {
        Arc::new(RgbaImage::from_fn(200, 150, move |x, y| {
            Rgba([r, (x + y) as u8, (y * 2) as u8, 255])
        }))
    };
    (scene, vec![gradient(220), gradient(30)])
}

fn temp_path(name: &str) -> std::path::PathBuf {
    std::env::temp_dir().join(format!("varg-render-{}-{name}", std::process::id()))
}

/// Top-level MP4 box types in file order.
fn top_level_boxes(mp4: &[u8]) -> Vec<String> {
    let mut boxes = Vec::new();
    let mut at = 0usize;
    while at + 8 <= mp4.len() {
        let size = u32::from_be_bytes([mp4[at], mp4[at + 1], mp4[at + 2], mp4[at + 3]]) as usize;
        boxes.push(String::from_utf8_lossy(&mp4[at + 4..at + 8]).into_owned());
        if size < 8 {
            break;
        }
        at += size;
    }
    boxes
}

#[test]
fn encodes_a_playable_faststart_mp4() {
    let (scene, images) = test_scene();
    let compositor = Compositor::new(&scene, images).expect("compositor");
    let calls = Mutex::new(Vec::new());
    let progress = |done: u64, total: u64| calls.lock().expect("lock").push((done, total));
    let cancel = AtomicBool::new(false);
    let video = encode_scene(&scene, compositor, None, &progress, &cancel).expect("encode");
    assert_eq!(video.frames, 20);

    let calls = calls.into_inner().expect("lock");
    assert_eq!(calls.last(), Some(&(20, 20)));
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0));

    let boxes = top_level_boxes(&video.mp4);
    let moov = boxes.iter().position(|b| b == "moov").expect("moov box");
    let mdat = boxes.iter().position(|b| b == "mdat").expect("mdat box");
    assert!(moov < mdat, "moov comes first: {boxes:?}");

    let path = temp_path("encode.mp4");
    std::fs::write(&path, &video.mp4).expect("write mp4");
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-count_frames",
            "-show_entries",
            "stream=codec_name,width,height,nb_read_frames,color_space,color_range",
            "-of",
            "default=noprint_wrappers=1",
        ])
        .arg(&path)
        .output()
        .expect("run ffprobe");
    let info = String::from_utf8_lossy(&probe.stdout);
    for want in [
        "codec_name=h264",
        "width=320",
        "height=180",
        "nb_read_frames=20",
        "color_space=bt709",
        "color_range=tv",
    ] {
        assert!(info.lines().any(|l| l == want), "{want} in:\n{info}");
    }

    let decode = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&path)
        .args(["-f", "null", "-"])
        .output()
        .expect("run ffmpeg");
    std::fs::remove_file(&path).ok();
    assert!(decode.status.success());
    assert_eq!(String::from_utf8_lossy(&decode.stderr), "");
    assert_eq!(String::from_utf8_lossy(&decode.stdout), "");

    let thumb = image::load_from_memory(&video.thumbnail_jpeg).expect("thumbnail decodes");
    assert_eq!((thumb.width(), thumb.height()), (320, 180));
}

#[test]
fn cancelling_stops_the_encode() {
    let (scene, images) = test_scene();
    let compositor = Compositor::new(&scene, images).expect("compositor");
    let cancel = AtomicBool::new(false);
    let seen = AtomicU64::new(0);
    let progress = |done: u64, _| {
        seen.store(done, Ordering::Relaxed);
        cancel.store(true, Ordering::Relaxed);
    };
    let result = encode_scene(&scene, compositor, None, &progress, &cancel);
    assert!(matches!(result, Err(EncodeError::Cancelled)));
    assert!(seen.load(Ordering::Relaxed) < 20);
}

/// A whole encode without sound, progress or a way to cancel.
pub(super) fn encode_quietly(
    scene: &Scene,
    compositor: Compositor,
) -> Result<super::EncodedVideo, EncodeError> {
    encode_scene(scene, compositor, None, &|_, _| {}, &AtomicBool::new(false))
}

#[test]
fn odd_sizes_are_refused() {
    let (mut scene, images) = test_scene();
    scene.width = 321;
    let compositor = Compositor::new(&scene, images).expect("compositor");
    let result = encode_quietly(&scene, compositor);
    assert!(matches!(result, Err(EncodeError::InvalidSize { .. })));
}

#[test]
fn frame_png_renders_the_frame_at_t() {
    let (scene, images) = test_scene();
    let mut compositor = Compositor::new(&scene, images).expect("compositor");
    let png = frame_png(&mut compositor, &scene, 0.2).expect("png");
    let still = image::load_from_memory(&png).expect("decode").to_rgba8();
    let mut direct = RgbaImage::new(320, 180);
    compositor.render_frame(2, &mut direct);
    assert_eq!(still, direct);
    // Past the end: the last frame.
    assert!(frame_png(&mut compositor, &scene, 99.0).is_ok());
    assert!(frame_png(&mut compositor, &scene, f64::NAN).is_err());
}

#[test]
fn a_single_frame_video_is_valid() {
    let (mut scene, images) = test_scene();
    scene.duration = 0.1;
    let compositor = Compositor::new(&scene, images).expect("compositor");
    let video = encode_quietly(&scene, compositor).expect("encode");
    assert_eq!(video.frames, 1);
    let path = temp_path("single.mp4");
    std::fs::write(&path, &video.mp4).expect("write mp4");
    let decode = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(&path)
        .args(["-f", "null", "-"])
        .output()
        .expect("run ffmpeg");
    std::fs::remove_file(&path).ok();
    assert!(decode.status.success());
    assert_eq!(String::from_utf8_lossy(&decode.stderr), "");
    // muxide gives a lone sample a one-tick duration (it has no frame rate to go on), so
    // only the picture, not the length, survives for sub-frame scenes.
}

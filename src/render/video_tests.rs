//! Video layers in frames: timing against the source's own clock, trims, holds and placement.

use std::sync::Arc;

use image::RgbaImage;

use super::tests::{clip, scene};
use super::Compositor;
use crate::media::video::tests::{close, coloured_mp4, PALETTE};
use crate::media::{probe_video, Media, VideoFile};
use crate::scene::{AssetKind, BoxRect, CropPosition, Layer, Resize, Scene, VideoLayer, Window};

const BLACK: [u8; 3] = [0, 0, 0];

/// One second of 64×48 video at 12 fps, frame `i` in `PALETTE[i]`.
fn media() -> Vec<Media> {
    let bytes = coloured_mp4(64, 48, 12, 12);
    let info = probe_video(&bytes).expect("probe");
    vec![Media::Video(Arc::new(VideoFile {
        bytes: bytes.into(),
        info,
    }))]
}

fn video(resize: Resize, rect: Option<BoxRect>, cut_from: f64, cut_to: Option<f64>) -> VideoLayer {
    VideoLayer {
        asset: 0,
        resize,
        crop_position: CropPosition::Center,
        rect,
        window: None,
        cut_from,
        cut_to,
        keep_audio: false,
        volume: 1.0,
        source: None,
    }
}

fn video_scene(layer: VideoLayer, seconds: f64, fps: u32) -> Scene {
    let mut s = scene(vec![clip(0.0, seconds, None, vec![Layer::Video(layer)])], 1);
    s.assets[0].kind = AssetKind::Video;
    s.fps = fps;
    s
}

fn frame(c: &mut Compositor, index: u64) -> RgbaImage {
    let mut out = RgbaImage::new(1, 1);
    c.render_frame(index, &mut out);
    out
}

fn at(img: &RgbaImage, x: u32, y: u32) -> [u8; 4] {
    img.get_pixel(x, y).0
}

fn assert_colour(img: &RgbaImage, x: u32, y: u32, expected: [u8; 3], what: &str) {
    let got = at(img, x, y);
    assert!(
        close(got, expected),
        "{what}: at ({x}, {y}) expected {expected:?}, got {got:?}"
    );
}

#[test]
fn a_12fps_source_in_a_30fps_scene_shows_frame_floor_t_times_12() {
    let s = video_scene(video(Resize::Cover, None, 0.0, None), 1.0, 30);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    for i in 0..30u64 {
        let img = frame(&mut c, i);
        let expected = (i * 12 / 30) as usize;
        assert_colour(
            &img,
            160,
            90,
            PALETTE[expected],
            &format!("output frame {i}"),
        );
    }
}

#[test]
fn cut_from_shifts_and_cut_to_holds_the_picture() {
    let s = video_scene(video(Resize::Cover, None, 0.5, None), 0.4, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    assert_colour(
        &frame(&mut c, 0),
        160,
        90,
        PALETTE[6],
        "cut_from 0.5 at t=0",
    );
    assert_colour(
        &frame(&mut c, 2),
        160,
        90,
        PALETTE[8],
        "cut_from 0.5 at t=0.2",
    );

    let s = video_scene(video(Resize::Cover, None, 0.0, Some(0.5)), 1.0, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    assert_colour(&frame(&mut c, 3), 160, 90, PALETTE[3], "before cut_to");
    assert_colour(&frame(&mut c, 8), 160, 90, PALETTE[5], "past cut_to");
}

#[test]
fn past_the_source_end_the_last_frame_holds() {
    let s = video_scene(video(Resize::Cover, None, 0.0, None), 2.0, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    assert_colour(&frame(&mut c, 15), 160, 90, PALETTE[11], "t=1.5");
    assert_colour(&frame(&mut c, 19), 160, 90, PALETTE[11], "t=1.9");
    // And back to the start: a backwards seek.
    assert_colour(&frame(&mut c, 1), 160, 90, PALETTE[1], "t=0.1");
}

#[test]
fn contain_leaves_bars_and_cover_fills_them() {
    // A 4:3 source in a 16:9 frame: contain pillarboxes it.
    let s = video_scene(video(Resize::Contain, None, 0.0, None), 1.0, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    let img = frame(&mut c, 0);
    assert_colour(&img, 5, 90, BLACK, "contain bar");
    assert_colour(&img, 160, 90, PALETTE[0], "contain centre");
    assert_eq!(at(&img, 5, 90)[3], 255);

    let s = video_scene(video(Resize::Cover, None, 0.0, None), 1.0, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    let img = frame(&mut c, 0);
    assert_colour(&img, 5, 90, PALETTE[0], "cover edge");

    let s = video_scene(video(Resize::ContainBlur, None, 0.0, None), 1.0, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    let img = frame(&mut c, 0);
    assert_colour(&img, 5, 90, PALETTE[0], "contain-blur fills the bar");
}

#[test]
fn a_positioned_video_lands_in_its_box() {
    let rect = BoxRect {
        left: 20,
        top: 30,
        width: 64,
        height: None,
    };
    let s = video_scene(video(Resize::Cover, Some(rect), 0.0, None), 1.0, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    let img = frame(&mut c, 5);
    // Box 64×48 at (20, 30); t = 0.5 shows frame 6.
    assert_colour(&img, 21, 31, PALETTE[6], "box top-left");
    assert_colour(&img, 82, 76, PALETTE[6], "box bottom-right");
    assert_colour(&img, 18, 50, BLACK, "left of the box");
    assert_colour(&img, 50, 80, BLACK, "below the box");
}

#[test]
fn a_windowed_video_starts_its_source_when_it_appears() {
    let mut layer = video(Resize::Cover, None, 0.0, None);
    layer.window = Some(Window {
        start: 0.5,
        end: 1.0,
    });
    let s = video_scene(layer, 1.0, 10);
    let mut c = Compositor::from_media(&s, &media()).expect("compositor");
    assert_colour(&frame(&mut c, 2), 160, 90, BLACK, "before the window");
    // t = 0.7 is 0.2 s into the window: source frame floor(0.2·12) = 2.
    assert_colour(&frame(&mut c, 7), 160, 90, PALETTE[2], "inside the window");
}

#[test]
fn a_missing_video_file_is_an_error_not_a_panic() {
    let s = video_scene(video(Resize::Cover, None, 0.0, None), 1.0, 10);
    assert!(Compositor::from_media(&s, &[]).is_err());
    let blank = Media::Image(Arc::new(RgbaImage::new(1, 1)));
    assert!(Compositor::from_media(&s, &[blank]).is_err());
}

#[test]
fn an_off_screen_video_holds_no_pictures() {
    use super::image_layer::Frame;
    use super::layers::{draw_layers, LayerPlan, Tools};
    use super::timeline::Span;
    use fast_image_resize::Resizer;

    let Media::Video(file) = media().remove(0) else {
        unreachable!("media() makes a video")
    };
    let layer = Layer::Video(video(Resize::Cover, None, 0.0, None));
    let span = Span {
        start: 0.0,
        end: 1.0,
    };
    let mut plans: Vec<LayerPlan> = LayerPlan::new(&layer, span, 0.0, (64, 48), &[], &[Some(file)])
        .expect("plan")
        .into_iter()
        .collect();
    let (mut resizer, mut scratch, mut skipped) = (Resizer::new(), Vec::new(), Vec::new());
    let mut tools = Tools {
        images: &[],
        has_alpha: &mut [],
        resizer: &mut resizer,
        scratch: &mut scratch,
        skipped: &mut skipped,
    };
    let mut data = vec![0u8; 64 * 48 * 4];
    let mut out = Frame {
        data: &mut data,
        width: 64,
        height: 48,
    };
    draw_layers(&mut plans, 0.5, &mut out, &mut tools, true);
    let holds = |plans: &[LayerPlan]| match &plans[0] {
        LayerPlan::Video { plan, .. } => plan.holds_pixels(),
        _ => unreachable!("a video plan"),
    };
    assert!(holds(&plans), "on screen, the picture is kept");
    plans[0].release_if_hidden(0.9);
    assert!(holds(&plans), "still on screen at 0.9 s");
    plans[0].release_if_hidden(1.5);
    assert!(
        !holds(&plans),
        "off screen, decoder and pictures are dropped"
    );
}

#[test]
fn a_video_that_fails_to_decode_becomes_a_warning_not_a_silent_gap() {
    let mut bytes = coloured_mp4(64, 48, 12, 12);
    let mdat = bytes
        .windows(4)
        .position(|w| w == b"mdat")
        .expect("mdat box");
    // The index stays intact (it is probed), the pictures are gone.
    for b in &mut bytes[mdat + 4..] {
        *b = 0;
    }
    let info = probe_video(&bytes).expect("the index is intact");
    let media = vec![Media::Video(Arc::new(VideoFile {
        bytes: bytes.into(),
        info,
    }))];
    let s = video_scene(video(Resize::Cover, None, 0.0, None), 1.0, 12);
    let mut c = Compositor::from_media(&s, &media).expect("compositor");
    for i in 0..12 {
        assert_colour(
            &frame(&mut c, i),
            32,
            24,
            BLACK,
            "an undrawable video leaves black",
        );
    }
    let warnings = c.take_warnings();
    assert_eq!(
        warnings.len(),
        1,
        "one line, not one per frame: {warnings:?}"
    );
    assert!(
        warnings[0].starts_with("<Video> could not be drawn") && warnings[0].contains("left out"),
        "{warnings:?}"
    );
}

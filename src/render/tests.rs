//! Whole-scene rendering tests: small hand-built scenes, pixels checked at known points.

use std::sync::Arc;

use image::{Rgba, RgbaImage};

use super::Compositor;
use crate::scene::{
    Align, AssetKind, AssetRequest, AssetSource, BoxRect, Clip, CropPosition, ImageLayer, Layer,
    Resize, Scene, TextKind, TextLayer, TextPosition, Transition, Zoom,
};

pub const W: u32 = 320;
pub const H: u32 = 180;
pub const FPS: u32 = 10;

pub fn asset(n: usize) -> AssetRequest {
    AssetRequest {
        kind: AssetKind::Image,
        source: AssetSource::Src {
            src: format!("test-{n}.png"),
        },
        cache_key: format!("key-{n}"),
        duration: None,
        words: Vec::new(),
    }
}

pub fn scene(clips: Vec<Clip>, assets: usize) -> Scene {
    let duration = clips.iter().map(Clip::end).fold(0.0, f64::max);
    Scene {
        width: W,
        height: H,
        fps: FPS,
        duration,
        clips,
        assets: (0..assets).map(asset).collect(),
        warnings: Vec::new(),
        overlays: Vec::new(),
        captions: Vec::new(),
        audio: Vec::new(),
        shortest: false,
        normalize: false,
    }
}

pub fn clip(
    start: f64,
    duration: f64,
    transition: Option<(&str, f64)>,
    layers: Vec<Layer>,
) -> Clip {
    Clip {
        auto_duration: None,
        start,
        duration,
        transition: transition.map(|(name, duration)| Transition {
            name: name.to_string(),
            duration,
        }),
        layers,
        source: None,
    }
}

pub fn image(asset: usize, resize: Resize, crop: CropPosition, zoom: Option<Zoom>) -> Layer {
    Layer::Image(ImageLayer {
        asset,
        resize,
        crop_position: crop,
        zoom,
        rect: None,
        window: None,
        source: None,
    })
}

pub fn positioned(asset: usize, rect: BoxRect, resize: Resize) -> Layer {
    Layer::Image(ImageLayer {
        asset,
        resize,
        crop_position: CropPosition::Center,
        zoom: None,
        rect: Some(rect),
        window: None,
        source: None,
    })
}

pub fn title(text: &str, vertical: Align, start: f64, end: f64) -> Layer {
    Layer::Text(TextLayer {
        kind: TextKind::Title,
        text: text.to_string(),
        position: TextPosition {
            horizontal: Align::Center,
            vertical,
        },
        color: [255, 255, 255, 255],
        outline: None,
        outline_color: [0, 0, 0, 255],
        background: None,
        font_family: None,
        font_path: None,
        given_window: (None, None),
        start,
        end,
        source: None,
    })
}

pub fn solid(w: u32, h: u32, c: [u8; 4]) -> Arc<RgbaImage> {
    Arc::new(RgbaImage::from_pixel(w, h, Rgba(c)))
}

const RED: [u8; 3] = [255, 0, 0];
const GREEN: [u8; 3] = [0, 255, 0];
const BLUE: [u8; 3] = [0, 0, 255];
const BLACK: [u8; 3] = [0, 0, 0];

/// 100×200: top third red, middle third green, bottom third blue.
fn bands() -> Arc<RgbaImage> {
    Arc::new(RgbaImage::from_fn(100, 200, |_, y| match y * 3 / 200 {
        0 => Rgba([255, 0, 0, 255]),
        1 => Rgba([0, 255, 0, 255]),
        _ => Rgba([0, 0, 255, 255]),
    }))
}

pub fn render(scene: &Scene, images: Vec<Arc<RgbaImage>>, index: u64) -> RgbaImage {
    let mut c = Compositor::new(scene, images).expect("compositor");
    let mut out = RgbaImage::new(1, 1);
    c.render_frame(index, &mut out);
    out
}

fn rgb(img: &RgbaImage, x: u32, y: u32) -> [u8; 3] {
    let p = img.get_pixel(x, y).0;
    [p[0], p[1], p[2]]
}

fn near(a: [u8; 3], b: [u8; 3]) -> bool {
    a.iter()
        .zip(b)
        .all(|(x, y)| (i32::from(*x) - i32::from(y)).abs() <= 3)
}

fn assert_colour(img: &RgbaImage, x: u32, y: u32, want: [u8; 3]) {
    let got = rgb(img, x, y);
    assert!(
        near(got, want),
        "pixel ({x}, {y}) is {got:?}, want {want:?}"
    );
}

fn still(resize: Resize, crop: CropPosition) -> RgbaImage {
    let s = scene(
        vec![clip(0.0, 1.0, None, vec![image(0, resize, crop, None)])],
        1,
    );
    render(&s, vec![bands()], 0)
}

#[test]
fn frames_are_opaque_and_sized() {
    let f = still(Resize::Contain, CropPosition::Center);
    assert_eq!(f.dimensions(), (W, H));
    assert!(f.pixels().all(|p| p[3] == 255));
}

#[test]
fn cover_fills_the_frame_with_the_middle() {
    // A tall source covering a wide frame keeps only a slice of its middle band.
    let f = still(Resize::Cover, CropPosition::Center);
    for (x, y) in [(2, 2), (160, 90), (317, 177)] {
        assert_colour(&f, x, y, GREEN);
    }
}

#[test]
fn cover_honours_crop_position() {
    let top = still(Resize::Cover, CropPosition::Top);
    assert_colour(&top, 160, 90, RED);
    let bottom = still(Resize::Cover, CropPosition::Bottom);
    assert_colour(&bottom, 160, 90, BLUE);
}

#[test]
fn contain_pads_with_black() {
    // 100×200 scaled by 0.9 is 90×180, centred at x 115..205.
    let f = still(Resize::Contain, CropPosition::Center);
    assert_colour(&f, 10, 20, BLACK);
    assert_colour(&f, 300, 170, BLACK);
    assert_colour(&f, 160, 20, RED);
    assert_colour(&f, 160, 90, GREEN);
    assert_colour(&f, 160, 170, BLUE);
}

#[test]
fn stretch_shows_everything_distorted() {
    let f = still(Resize::Stretch, CropPosition::Center);
    assert_colour(&f, 10, 20, RED);
    assert_colour(&f, 10, 90, GREEN);
    assert_colour(&f, 310, 170, BLUE);
}

#[test]
fn contain_blur_fills_the_bars_with_the_picture() {
    let f = still(Resize::ContainBlur, CropPosition::Center);
    assert_colour(&f, 160, 20, RED);
    // The bars show a blurred cover of the (green) middle.
    let bar = rgb(&f, 10, 90);
    assert!(bar[1] > 150 && bar[0] < 60, "{bar:?}");
}

/// A black 160×90 image with a white 40×40 square in the middle.
fn centred_square() -> Arc<RgbaImage> {
    Arc::new(RgbaImage::from_fn(160, 90, |x, y| {
        if (60..100).contains(&x) && (25..65).contains(&y) {
            Rgba([255, 255, 255, 255])
        } else {
            Rgba([0, 0, 0, 255])
        }
    }))
}

fn white_pixels(img: &RgbaImage) -> usize {
    img.pixels().filter(|p| p[0] > 128).count()
}

fn zoom_frames(zoom: Zoom) -> (RgbaImage, RgbaImage) {
    let s = scene(
        vec![clip(
            0.0,
            2.0,
            None,
            vec![image(0, Resize::Cover, CropPosition::Center, Some(zoom))],
        )],
        1,
    );
    let mut c = Compositor::new(&s, vec![centred_square()]).expect("compositor");
    let (mut first, mut last) = (RgbaImage::new(W, H), RgbaImage::new(W, H));
    c.render_frame(0, &mut first);
    c.render_frame(c.frame_count() - 1, &mut last);
    (first, last)
}

#[test]
fn zoom_in_grows_the_centre() {
    let (first, last) = zoom_frames(Zoom::In);
    let (a, b) = (white_pixels(&first), white_pixels(&last));
    // The square covers 80×80 = 6400 px at 1.0 and about 1.1² of that at the end.
    assert!((6000..6800).contains(&a), "start {a}");
    assert!(b as f64 > a as f64 * 1.12, "start {a}, end {b}");
    assert_colour(&last, 160, 90, [255, 255, 255]);
}

#[test]
fn zoom_out_shrinks_the_centre() {
    let (first, last) = zoom_frames(Zoom::Out);
    assert!(white_pixels(&first) as f64 > white_pixels(&last) as f64 * 1.12);
}

fn white_centre_x(img: &RgbaImage) -> f64 {
    let xs: Vec<u32> = img
        .enumerate_pixels()
        .filter(|(_, _, p)| p[0] > 128)
        .map(|(x, _, _)| x)
        .collect();
    xs.iter().map(|&x| f64::from(x)).sum::<f64>() / xs.len() as f64
}

#[test]
fn pans_move_the_picture() {
    // Panning right moves the window right, so the picture drifts left, and vice versa.
    let (first, last) = zoom_frames(Zoom::Right);
    assert!(white_centre_x(&last) < white_centre_x(&first) - 10.0);
    let (first, last) = zoom_frames(Zoom::Left);
    assert!(white_centre_x(&last) > white_centre_x(&first) + 10.0);
}

#[test]
fn zoom_is_smooth_between_frames() {
    // Sub-pixel windows: the square's width grows a little every frame, never by jumps.
    let s = scene(
        vec![clip(
            0.0,
            3.0,
            None,
            vec![image(
                0,
                Resize::Cover,
                CropPosition::Center,
                Some(Zoom::In),
            )],
        )],
        1,
    );
    let mut c = Compositor::new(&s, vec![centred_square()]).expect("compositor");
    let mut out = RgbaImage::new(W, H);
    let mut sums = Vec::new();
    for i in 0..c.frame_count() {
        c.render_frame(i, &mut out);
        sums.push(out.pixels().map(|p| u64::from(p[0])).sum::<u64>());
    }
    let steps: Vec<i64> = sums.windows(2).map(|w| w[1] as i64 - w[0] as i64).collect();
    assert!(
        steps.iter().all(|&d| d > 0),
        "brightness grows every frame: {steps:?}"
    );
    let (lo, hi) = (
        *steps.iter().min().expect("steps"),
        *steps.iter().max().expect("steps"),
    );
    assert!(hi < lo * 3, "steps are even: {steps:?}");
}

fn ink_rows(img: &RgbaImage) -> (u32, u32) {
    let rows: Vec<u32> = img
        .enumerate_pixels()
        .filter(|(_, _, p)| p[0] > 100)
        .map(|(_, y, _)| y)
        .collect();
    assert!(!rows.is_empty(), "the title drew something");
    (
        *rows.iter().min().expect("rows"),
        *rows.iter().max().expect("rows"),
    )
}

#[test]
fn titles_sit_in_the_right_third() {
    for (vertical, lo, hi) in [
        (Align::End, 2 * H / 3, H),
        (Align::Start, 0, H / 3),
        (Align::Center, H / 3, 2 * H / 3),
    ] {
        let s = scene(
            vec![clip(
                0.0,
                1.0,
                None,
                vec![title("Hello", vertical, 0.0, 1.0)],
            )],
            0,
        );
        let f = render(&s, vec![], 0);
        let (top, bottom) = ink_rows(&f);
        assert!(
            top >= lo && bottom < hi,
            "{vertical:?}: ink rows {top}..={bottom}, want within {lo}..{hi}"
        );
    }
}

#[test]
fn titles_show_only_in_their_window() {
    let s = scene(
        vec![clip(
            0.0,
            2.0,
            None,
            vec![title("Hi", Align::Center, 0.5, 1.0)],
        )],
        0,
    );
    let mut c = Compositor::new(&s, vec![]).expect("compositor");
    let mut out = RgbaImage::new(W, H);
    for (index, visible) in [(4, false), (5, true), (9, true), (10, false)] {
        c.render_frame(index, &mut out);
        assert_eq!(white_pixels(&out) > 0, visible, "frame {index}");
    }
}

#[test]
fn titles_draw_over_images_with_outline() {
    let mut layer = title("Outlined", Align::Center, 0.0, 1.0);
    if let Layer::Text(t) = &mut layer {
        t.outline = Some(3.0);
        t.outline_color = [255, 0, 0, 255];
    }
    let s = scene(
        vec![clip(
            0.0,
            1.0,
            None,
            vec![image(0, Resize::Cover, CropPosition::Center, None), layer],
        )],
        1,
    );
    let f = render(&s, vec![solid(8, 8, [0, 0, 255, 255])], 0);
    let red = f.pixels().filter(|p| p[0] > 200 && p[2] < 60).count();
    let white = f.pixels().filter(|p| p[0] > 200 && p[1] > 200).count();
    assert!(red > 100 && white > 100, "red {red}, white {white}");
}

fn two_clips(name: &str) -> Scene {
    // Clip 0: 0..2 s, fading over 1 s into clip 1: 1..3 s.
    scene(
        vec![
            clip(
                0.0,
                2.0,
                Some((name, 1.0)),
                vec![image(0, Resize::Cover, CropPosition::Center, None)],
            ),
            clip(
                1.0,
                2.0,
                None,
                vec![image(1, Resize::Cover, CropPosition::Center, None)],
            ),
        ],
        2,
    )
}

fn transition_frame(name: &str, index: u64) -> [u8; 3] {
    let s = two_clips(name);
    let f = render(
        &s,
        vec![solid(4, 4, [255, 0, 0, 255]), solid(4, 4, [0, 0, 255, 255])],
        index,
    );
    rgb(&f, 160, 90)
}

#[test]
fn fade_midpoint_mixes_both_clips() {
    assert_eq!(transition_frame("fade", 5), RED);
    let mid = transition_frame("fade", 15);
    assert!(near(mid, [128, 0, 128]), "{mid:?}");
    assert_eq!(transition_frame("fade", 25), BLUE);
    let quarter = transition_frame("crossfade", 12);
    assert!(quarter[0] > quarter[2] && quarter[2] > 0, "{quarter:?}");
}

#[test]
fn fadeblack_midpoint_is_black() {
    assert!(near(transition_frame("fadeblack", 15), BLACK));
    let early = transition_frame("fadeblack", 12);
    assert!(early[0] > 50 && early[2] == 0, "{early:?}");
    let late = transition_frame("fadeblack", 18);
    assert!(late[2] > 50 && late[0] == 0, "{late:?}");
}

#[test]
fn fadewhite_midpoint_is_white() {
    assert!(near(transition_frame("fadewhite", 15), [255, 255, 255]));
}

#[test]
fn hard_cut_switches_at_the_boundary() {
    let s = scene(
        vec![
            clip(
                0.0,
                1.0,
                None,
                vec![image(0, Resize::Cover, CropPosition::Center, None)],
            ),
            clip(
                1.0,
                1.0,
                None,
                vec![image(1, Resize::Cover, CropPosition::Center, None)],
            ),
        ],
        2,
    );
    let images = vec![solid(4, 4, [255, 0, 0, 255]), solid(4, 4, [0, 0, 255, 255])];
    let mut c = Compositor::new(&s, images).expect("compositor");
    let mut out = RgbaImage::new(W, H);
    c.render_frame(9, &mut out);
    assert_colour(&out, 0, 0, RED);
    c.render_frame(10, &mut out);
    assert_colour(&out, 0, 0, BLUE);
}

#[test]
fn positioned_png_keeps_its_transparency() {
    // 40×40: left half opaque green, right half fully transparent (with junk colour),
    // bottom-left quarter half-transparent white.
    let overlay = Arc::new(RgbaImage::from_fn(40, 40, |x, y| {
        if x >= 20 {
            Rgba([255, 255, 0, 0])
        } else if y >= 20 {
            Rgba([255, 255, 255, 128])
        } else {
            Rgba([0, 255, 0, 255])
        }
    }));
    let rect = BoxRect {
        left: 100,
        top: 50,
        width: 80,
        height: None,
    };
    let s = scene(
        vec![clip(
            0.0,
            1.0,
            None,
            vec![
                image(0, Resize::Cover, CropPosition::Center, None),
                positioned(1, rect, Resize::Cover),
            ],
        )],
        2,
    );
    let f = render(&s, vec![solid(4, 4, [0, 0, 255, 255]), overlay], 0);
    // Box is 80×80 at (100, 50).
    assert_colour(&f, 120, 70, GREEN);
    assert_colour(&f, 160, 70, BLUE);
    assert_colour(&f, 160, 110, BLUE);
    assert_colour(&f, 120, 110, [128, 128, 255]);
    assert_colour(&f, 90, 70, BLUE);
    assert_colour(&f, 190, 70, BLUE);
}

#[test]
fn positioned_image_shows_only_during_its_clip() {
    let rect = BoxRect {
        left: 0,
        top: 0,
        width: 40,
        height: Some(40),
    };
    let s = scene(
        vec![
            clip(0.0, 1.0, None, vec![positioned(0, rect, Resize::Stretch)]),
            clip(1.0, 1.0, None, vec![]),
        ],
        1,
    );
    let mut c = Compositor::new(&s, vec![solid(4, 4, [255, 0, 0, 255])]).expect("compositor");
    let mut out = RgbaImage::new(W, H);
    c.render_frame(5, &mut out);
    assert_colour(&out, 10, 10, RED);
    assert_colour(&out, 100, 100, BLACK);
    c.render_frame(15, &mut out);
    assert_colour(&out, 10, 10, BLACK);
}

#[test]
fn missing_images_are_an_error() {
    let s = scene(
        vec![clip(
            0.0,
            1.0,
            None,
            vec![image(3, Resize::Cover, CropPosition::Center, None)],
        )],
        1,
    );
    assert!(Compositor::new(&s, vec![solid(2, 2, [0, 0, 0, 255])]).is_err());
}

#[test]
fn compositor_is_send() {
    fn assert_send<T: Send>() {}
    assert_send::<Compositor>();
}

#[test]
fn absurd_boxes_are_an_error_not_an_allocation() {
    let rect = BoxRect {
        left: 0,
        top: 0,
        width: 1_000_000,
        height: Some(10),
    };
    let s = scene(
        vec![clip(
            0.0,
            1.0,
            None,
            vec![positioned(0, rect, Resize::Cover)],
        )],
        1,
    );
    assert!(matches!(
        Compositor::new(&s, vec![solid(2, 2, [0, 0, 0, 255])]),
        Err(super::RenderError::BoxTooLarge { .. })
    ));
}

#[test]
fn subtitles_sit_low_on_a_box() {
    let mut layer = title("A subtitle line", Align::Start, 0.0, 1.0);
    if let Layer::Text(t) = &mut layer {
        t.kind = TextKind::Subtitle;
        t.background = Some([0, 0, 255, 255]);
    }
    let s = scene(vec![clip(0.0, 1.0, None, vec![layer])], 0);
    let f = render(&s, vec![], 0);
    let boxed: Vec<(u32, u32)> = f
        .enumerate_pixels()
        .filter(|(_, _, p)| p[2] > 200 && p[0] < 50)
        .map(|(x, y, _)| (x, y))
        .collect();
    assert!(boxed.len() > 1000, "{}", boxed.len());
    // Centred on 0.85 H = 153, whatever the vertical preset said.
    let (top, bottom) = (
        boxed.iter().map(|p| p.1).min().expect("box"),
        boxed.iter().map(|p| p.1).max().expect("box"),
    );
    assert!(
        top > 120 && bottom < 180 && (top + bottom) / 2 > 145,
        "{top}..{bottom}"
    );
    let (left, right) = (
        boxed.iter().map(|p| p.0).min().expect("box"),
        boxed.iter().map(|p| p.0).max().expect("box"),
    );
    assert!(
        left.abs_diff(W - 1 - right) <= 2,
        "centred: {left}..{right}"
    );
    // White text inside the box.
    assert!(f.pixels().any(|p| p[0] > 200 && p[1] > 200));
}

#[test]
fn image_windows_limit_visibility() {
    let rect = BoxRect {
        left: 0,
        top: 0,
        width: 40,
        height: Some(40),
    };
    let mut layer = positioned(0, rect, Resize::Stretch);
    if let Layer::Image(img) = &mut layer {
        img.window = Some(crate::scene::Window {
            start: 0.5,
            end: 1.5,
        });
    }
    let s = scene(
        vec![
            clip(0.0, 1.0, None, vec![]),
            clip(1.0, 2.0, None, vec![layer]),
        ],
        1,
    );
    let mut c = Compositor::new(&s, vec![solid(4, 4, [255, 0, 0, 255])]).expect("compositor");
    let mut out = RgbaImage::new(W, H);
    // The window counts from the clip's start (1 s): visible 1.5..2.5 s.
    for (index, visible) in [(12, false), (15, true), (24, true), (25, false)] {
        c.render_frame(index, &mut out);
        assert_eq!(rgb(&out, 10, 10) == RED, visible, "frame {index}");
    }
}

#[test]
fn render_level_overlays_cover_every_clip() {
    let rect = BoxRect {
        left: 280,
        top: 10,
        width: 30,
        height: Some(30),
    };
    let mut s = scene(
        vec![
            clip(
                0.0,
                1.0,
                Some(("fadeblack", 0.5)),
                vec![image(0, Resize::Cover, CropPosition::Center, None)],
            ),
            clip(
                0.5,
                1.0,
                None,
                vec![image(0, Resize::Cover, CropPosition::Center, None)],
            ),
        ],
        2,
    );
    s.overlays = vec![positioned(1, rect, Resize::Stretch)];
    let images = vec![solid(4, 4, [0, 0, 255, 255]), solid(4, 4, [0, 255, 0, 255])];
    let mut c = Compositor::new(&s, images).expect("compositor");
    let mut out = RgbaImage::new(W, H);
    for index in 0..c.frame_count() {
        c.render_frame(index, &mut out);
        // Drawn after the transition: even the fade's black midpoint shows the logo.
        assert_colour(&out, 295, 25, GREEN);
    }
}

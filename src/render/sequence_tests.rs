//! Slider, Swipe and Packshot frames: hand-built scenes, pixels checked at known points.

use std::sync::Arc;

use image::RgbaImage;

use super::tests::{clip, render, scene, solid, FPS, H, W};
use super::{Compositor, RenderError};
use crate::media::video::tests::{close, coloured_mp4, PALETTE};
use crate::media::{probe_video, Media, VideoFile};
use crate::scene::{
    Align, AssetKind, Background, Direction, Layer, MediaRef, PackshotLayer, SequenceLayer,
    TextPosition,
};

const RED: [u8; 3] = [255, 0, 0];
const GREEN: [u8; 3] = [0, 255, 0];
const BLUE: [u8; 3] = [0, 0, 255];
const WHITE: [u8; 3] = [255, 255, 255];
const GREY: [u8; 3] = [48, 48, 48];

fn rgb(img: &RgbaImage, x: u32, y: u32) -> [u8; 3] {
    let p = img.get_pixel(x, y).0;
    [p[0], p[1], p[2]]
}

fn assert_colour(img: &RgbaImage, x: u32, y: u32, want: [u8; 3]) {
    let got = rgb(img, x, y);
    let near = got
        .iter()
        .zip(want)
        .all(|(a, b)| (i32::from(*a) - i32::from(b)).abs() <= 3);
    assert!(near, "pixel ({x}, {y}) is {got:?}, want {want:?}");
}

fn colours() -> Vec<Arc<RgbaImage>> {
    vec![
        solid(64, 64, [255, 0, 0, 255]),
        solid(64, 64, [0, 255, 0, 255]),
        solid(64, 64, [0, 0, 255, 255]),
    ]
}

fn sequence(items: &[(usize, AssetKind)], direction: Direction, interval: f64) -> SequenceLayer {
    SequenceLayer {
        items: items
            .iter()
            .map(|&(asset, kind)| MediaRef { asset, kind })
            .collect(),
        direction,
        interval,
        source: None,
    }
}

fn images(items: &[usize]) -> Vec<(usize, AssetKind)> {
    items.iter().map(|&a| (a, AssetKind::Image)).collect()
}

/// Frames of a single-clip scene holding `layer`, `seconds` long.
fn frames(layer: Layer, seconds: f64, indexes: &[u64]) -> Vec<RgbaImage> {
    let s = scene(vec![clip(0.0, seconds, None, vec![layer])], 3);
    let mut c = Compositor::new(&s, colours()).expect("compositor");
    indexes
        .iter()
        .map(|&i| {
            let mut out = RgbaImage::new(W, H);
            c.render_frame(i, &mut out);
            out
        })
        .collect()
}

#[test]
fn slider_wipes_from_before_to_after() {
    // Red before, blue after, 2 s: hold to 0.3 s, sweep to 1.7 s, hold.
    let layer = Layer::Slider(sequence(&images(&[0, 2]), Direction::Left, 3.0));
    let f = frames(layer, 2.0, &[0, 10, 19]);
    assert_colour(&f[0], 160, 90, RED);
    assert_colour(&f[0], 5, 90, RED);
    // Half-way (t = 1 s): the after picture fills the left half, the line sits at x = 160.
    assert_colour(&f[1], 40, 90, BLUE);
    assert_colour(&f[1], 140, 20, BLUE);
    assert_colour(&f[1], 180, 20, RED);
    assert_colour(&f[1], 280, 170, RED);
    assert_colour(&f[1], 160, 10, WHITE);
    assert_colour(&f[1], 160, 170, WHITE);
    // The handle sits on the line in the middle: its ring is white.
    assert_colour(&f[2], 160, 90, BLUE);
    assert_colour(&f[2], 5, 90, BLUE);
    assert_colour(&f[2], 315, 90, BLUE);
}

#[test]
fn slider_handle_marks_the_middle_of_the_line() {
    let layer = Layer::Slider(sequence(&images(&[0, 2]), Direction::Left, 3.0));
    let f = &frames(layer, 2.0, &[10])[0];
    // Radius round(180·0.035) = 6: the ring's edge is white, the disc darkens the picture.
    let lit = (150..170)
        .filter(|&x| rgb(f, x, 90 - 5) == WHITE || rgb(f, x, 90 + 5) == WHITE)
        .count();
    assert!(
        lit >= 3,
        "the ring crosses the rows above and below the centre"
    );
    // Inside the ring, the translucent disc darkens both pictures.
    let darkened = (154..167)
        .flat_map(|x| (84..97).map(move |y| (x, y)))
        .filter(|&(x, y)| {
            let p = rgb(f, x, y);
            p != WHITE && p.iter().all(|&c| c < 235) && p.iter().any(|&c| c > 100)
        })
        .count();
    assert!(darkened >= 8, "darkened handle pixels: {darkened}");
}

#[test]
fn vertical_slider_sweeps_down() {
    let layer = Layer::Slider(sequence(&images(&[0, 2]), Direction::Up, 3.0));
    let f = frames(layer, 2.0, &[0, 10, 19]);
    assert_colour(&f[0], 160, 20, RED);
    assert_colour(&f[1], 300, 20, BLUE);
    assert_colour(&f[1], 300, 160, RED);
    assert_colour(&f[1], 20, 90, WHITE);
    assert_colour(&f[1], 300, 90, WHITE);
    assert_colour(&f[2], 160, 170, BLUE);
}

#[test]
fn slider_with_three_items_reveals_twice() {
    let layer = Layer::Slider(sequence(&images(&[0, 1, 2]), Direction::Left, 3.0));
    // 4 s: reveals over [0, 2) and [2, 4).
    let f = frames(layer, 4.0, &[0, 19, 30, 39]);
    assert_colour(&f[0], 300, 90, RED);
    assert_colour(&f[1], 300, 90, GREEN);
    assert_colour(&f[2], 40, 40, BLUE);
    assert_colour(&f[2], 280, 40, GREEN);
    assert_colour(&f[3], 300, 90, BLUE);
}

#[test]
fn swipe_sends_cards_off_to_the_left() {
    // interval 2, three cards: arrivals at 0, 1.5, 3.0; swipes over [1.5, 2.0) and [3.0, 3.5).
    let layer = Layer::Swipe(sequence(&images(&[0, 1, 2]), Direction::Left, 2.0));
    let f = frames(layer, 5.0, &[10, 16, 17, 25, 32, 49]);
    assert_colour(&f[0], 160, 90, RED);
    assert_colour(&f[0], 310, 90, RED);
    // t = 1.6: eased 0.104 of the way: red moved ≈ 33 px left, green shows at the right.
    assert_colour(&f[1], 20, 90, RED);
    assert_colour(&f[1], 310, 90, GREEN);
    assert_colour(&f[1], 280, 90, RED);
    // t = 1.7: further (≈ 113 px).
    assert_colour(&f[2], 20, 90, RED);
    assert_colour(&f[2], 190, 90, RED);
    assert_colour(&f[2], 220, 90, GREEN);
    assert_colour(&f[3], 160, 90, GREEN);
    assert_colour(&f[3], 5, 5, GREEN);
    // t = 3.2: green leaving, blue behind.
    assert_colour(&f[4], 10, 90, GREEN);
    assert_colour(&f[4], 310, 90, BLUE);
    assert_colour(&f[5], 160, 90, BLUE);
}

#[test]
fn a_card_thrown_sideways_tilts() {
    let layer = Layer::Swipe(sequence(&images(&[0, 1]), Direction::Left, 2.0));
    let f = &frames(layer, 3.5, &[17])[0];
    // The leaving card's right edge, row by row.
    let edge = |y: u32| (0..W).rev().find(|&x| rgb(f, x, y)[0] > 128).unwrap_or(0);
    let (top, bottom) = (edge(20), edge(160));
    // Thrown left, the top leads: ≈ 3.5° over 140 rows is ≈ 8.6 px.
    assert!(
        top + 5 < bottom,
        "edge at the top {top}, at the bottom {bottom}"
    );
    assert!(
        top > 150 && bottom < 260,
        "edge at the top {top}, at the bottom {bottom}"
    );
}

#[test]
fn swipe_up_moves_along_y_and_right_along_x() {
    let up = Layer::Swipe(sequence(&images(&[0, 1]), Direction::Up, 2.0));
    let f = &frames(up, 3.5, &[17])[0];
    // Red moved ≈ 63 px up: it still covers the top, green shows at the bottom.
    assert_colour(f, 160, 20, RED);
    assert_colour(f, 20, 170, GREEN);
    assert_colour(f, 310, 170, GREEN);

    let right = Layer::Swipe(sequence(&images(&[0, 1]), Direction::Right, 2.0));
    let f = &frames(right, 3.5, &[17])[0];
    assert_colour(f, 20, 90, GREEN);
    assert_colour(f, 310, 90, RED);
}

#[test]
fn video_cards_without_a_file_show_the_stand_in() {
    let items = [(1, AssetKind::Video), (0, AssetKind::Image)];
    let layer = Layer::Swipe(sequence(&items, Direction::Left, 2.0));
    let f = frames(layer, 3.5, &[5, 30]);
    assert_colour(&f[0], 160, 90, GREY);
    assert_colour(&f[1], 160, 90, RED);
}

/// A red image (asset 0) and one second of 12 fps video, frame `i` in `PALETTE[i]` (asset 1).
fn image_and_video() -> Vec<Media> {
    let bytes = coloured_mp4(64, 48, 12, 12);
    let info = probe_video(&bytes).expect("probe");
    vec![
        Media::Image(solid(64, 64, [255, 0, 0, 255])),
        Media::Video(Arc::new(VideoFile {
            bytes: bytes.into(),
            info,
        })),
    ]
}

fn media_frames(layer: Layer, seconds: f64, indexes: &[u64]) -> Vec<RgbaImage> {
    let mut s = scene(vec![clip(0.0, seconds, None, vec![layer])], 2);
    s.assets[1].kind = AssetKind::Video;
    let mut c = Compositor::from_media(&s, &image_and_video()).expect("compositor");
    indexes
        .iter()
        .map(|&i| {
            let mut out = RgbaImage::new(W, H);
            c.render_frame(i, &mut out);
            out
        })
        .collect()
}

fn assert_video(img: &RgbaImage, x: u32, y: u32, picture: usize) {
    let got = img.get_pixel(x, y).0;
    assert!(
        close(got, PALETTE[picture]),
        "({x}, {y}) is {got:?}, want picture {picture} {:?}",
        PALETTE[picture]
    );
}

#[test]
fn a_swipe_video_card_plays_from_its_arrival() {
    // The video card arrives at 1.5 s: at 2.0 s it has played 0.5 s (picture 6), not 2 s.
    let items = [(0, AssetKind::Image), (1, AssetKind::Video)];
    let layer = Layer::Swipe(sequence(&items, Direction::Left, 2.0));
    let f = media_frames(layer, 3.5, &[10, 17, 20]);
    assert_colour(&f[0], 160, 90, RED);
    // Mid-swipe, the video is already playing behind the leaving card (0.2 s: picture 2).
    assert_video(&f[1], 310, 90, 2);
    assert_video(&f[2], 160, 90, 6);
}

#[test]
fn packshot_video_background_plays_from_the_clip_start() {
    let mut layer = packshot();
    layer.background = Background::Video { asset: 1 };
    let f = media_frames(Layer::Packshot(layer), 3.0, &[0, 5]);
    assert_video(&f[0], 10, 10, 0);
    assert_video(&f[1], 310, 170, 6);
}

#[test]
fn a_missing_card_image_is_an_error() {
    let layer = Layer::Slider(sequence(&images(&[0, 7]), Direction::Left, 3.0));
    let s = scene(vec![clip(0.0, 2.0, None, vec![layer])], 3);
    assert!(matches!(
        Compositor::new(&s, colours()),
        Err(RenderError::MissingImage { asset: 7, .. })
    ));
}

const CENTRE: TextPosition = TextPosition {
    horizontal: Align::Center,
    vertical: Align::Center,
};
const BOTTOM: TextPosition = TextPosition {
    horizontal: Align::Center,
    vertical: Align::End,
};

fn packshot() -> PackshotLayer {
    PackshotLayer {
        background: Background::Color {
            color: [20, 40, 60, 255],
        },
        logo: None,
        logo_position: CENTRE,
        logo_width: 128,
        title: None,
        title_color: [255, 255, 0, 255],
        title_position: CENTRE,
        cta: None,
        cta_position: BOTTOM,
        cta_color: [255, 255, 255, 255],
        cta_text_color: [255, 255, 255, 255],
        cta_size: ((0.7 * W as f64) as u32, (0.09 * H as f64) as u32),
        blink: false,
        blink_frequency: 0.8,
        duration: 3.0,
        source: None,
    }
}

fn packshot_frames(
    layer: PackshotLayer,
    images: Vec<Arc<RgbaImage>>,
    at: &[u64],
) -> Vec<RgbaImage> {
    let s = scene(vec![clip(0.0, 3.0, None, vec![Layer::Packshot(layer)])], 2);
    let mut c = Compositor::new(&s, images).expect("compositor");
    at.iter()
        .map(|&i| {
            let mut out = RgbaImage::new(W, H);
            c.render_frame(i, &mut out);
            out
        })
        .collect()
}

/// Pixels close to `want`, and the mean row of them.
fn count(img: &RgbaImage, want: impl Fn([u8; 3]) -> bool) -> (usize, f64) {
    let mut n = 0;
    let mut rows = 0.0;
    for (_, y, p) in img.enumerate_pixels() {
        if want([p[0], p[1], p[2]]) {
            n += 1;
            rows += f64::from(y);
        }
    }
    (n, if n > 0 { rows / n as f64 } else { f64::NAN })
}

#[test]
fn packshot_draws_background_logo_title_and_cta() {
    let mut layer = packshot();
    layer.logo = Some(0);
    layer.logo_width = 80;
    layer.logo_position = TextPosition {
        horizontal: Align::Start,
        vertical: Align::Start,
    };
    layer.title = Some("Buy".to_string());
    layer.cta = Some("Now".to_string());
    layer.cta_color = [0, 255, 255, 255];
    // A 100×50 magenta logo, 80 px wide: 80×40 at (0.1W, 0.1H) = (32, 18).
    let logo = solid(100, 50, [255, 0, 255, 255]);
    let f = &packshot_frames(layer, vec![logo, solid(1, 1, [0; 4])], &[5])[0];
    assert_colour(f, 300, 10, [20, 40, 60]);
    assert_colour(f, 33, 19, [255, 0, 255]);
    assert_colour(f, 110, 57, [255, 0, 255]);
    assert_colour(f, 114, 19, [20, 40, 60]);
    assert_colour(f, 33, 60, [20, 40, 60]);
    // Title in yellow around the middle; the static CTA in cyan near the bottom (§11).
    let (yellow, y_row) = count(f, |p| p[0] > 200 && p[1] > 200 && p[2] < 80);
    assert!(yellow > 30, "title ink: {yellow}");
    assert!((y_row - 90.0).abs() < 10.0, "title row {y_row}");
    let (cyan, c_row) = count(f, |p| p[0] < 80 && p[1] > 200 && p[2] > 200);
    assert!(cyan > 30, "cta ink: {cyan}");
    assert!(c_row > 130.0 && c_row < 0.9 * H as f64, "cta row {c_row}");
}

#[test]
fn packshot_image_background_covers_the_frame() {
    let mut layer = packshot();
    layer.background = Background::Image { asset: 1 };
    let f = &packshot_frames(
        layer,
        vec![solid(1, 1, [0; 4]), solid(40, 30, [0, 0, 255, 255])],
        &[0, 29],
    );
    assert_colour(&f[0], 5, 5, BLUE);
    assert_colour(&f[1], 315, 175, BLUE);
}

fn button_pixels(img: &RgbaImage) -> (usize, f64) {
    // The orange button body; its glow over black never gets this bright.
    count(img, |p| p[0] > 200 && p[1] > 40 && p[1] < 180 && p[2] < 60)
}

#[test]
fn blinking_cta_pulses_at_the_section_18_position() {
    let mut layer = packshot();
    layer.background = Background::Color {
        color: [0, 0, 0, 255],
    };
    layer.cta = Some("Shop".to_string());
    layer.blink = true;
    layer.cta_color = [0xFF, 0x6B, 0x00, 255];
    // Rest at t = 0 and peak at t = 0.2 (a quarter of the 0.8 s period); FPS 10.
    assert_eq!(FPS, 10);
    let f = packshot_frames(layer, vec![solid(1, 1, [0; 4]); 2], &[0, 2, 8]);
    let (rest, rest_row) = button_pixels(&f[0]);
    let (peak, peak_row) = button_pixels(&f[1]);
    let (again, _) = button_pixels(&f[2]);
    assert!(rest > 224 * 16 / 2, "a 224×16 button at rest: {rest}");
    assert!(peak as f64 > rest as f64 * 1.15, "rest {rest}, peak {peak}");
    assert_eq!(rest, again, "one period later it is at rest again");
    // Bottom: canvas y = floor(0.78H − ch/2), so the button's centre row is 0.78H.
    for row in [rest_row, peak_row] {
        assert!((row - 0.78 * H as f64).abs() < 2.0, "button row {row}");
    }
    // Centred horizontally, with the white label inside.
    assert_colour(&f[0], 160 - 105, 140, rgb(&f[0], 160 + 105, 140));
    let (label, _) = count(&f[0], |p| p.iter().all(|&c| c > 220));
    assert!(label > 10, "label ink: {label}");
}

#[test]
fn an_oversized_cta_button_is_clamped_to_the_frame() {
    let mut layer = packshot();
    layer.cta = Some("Go".to_string());
    layer.blink = true;
    layer.cta_size = (u32::MAX, u32::MAX);
    let f = &packshot_frames(layer, vec![solid(1, 1, [0; 4]); 2], &[3])[0];
    assert_eq!(f.dimensions(), (W, H));
}

#[test]
fn render_from_a_colour_packshot_is_opaque() {
    let s = scene(
        vec![clip(0.0, 1.0, None, vec![Layer::Packshot(packshot())])],
        1,
    );
    let f = render(&s, colours(), 0);
    assert!(f.pixels().all(|p| p[3] == 255));
}

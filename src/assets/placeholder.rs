//! Deterministic offline placeholders for preview mode (D10, §22).
//!
//! Prompts that name a scene get its scenery (`scenery`). Otherwise the base colour is the
//! SDK's (a Java string hash turned into HSL), so a prompt keeps its familiar colour; the rest
//! of the picture (gradient direction, second hue, soft shapes) is drawn from a 64-bit hash of
//! the prompt so that different prompts look clearly different.

use image::RgbaImage;

mod video;
pub use video::placeholder_video;

use crate::render::pixels::{composite_over, div255};
use crate::render::text::{render_text, LineAlign, TextStyle};

/// Longest prompt drawn; the rest is cut with an ellipsis.
const MAX_PROMPT_CHARS: usize = 280;

/// `h = h·31 + c` over UTF-16 units, wrapping at 32 bits, from 0 (Java's `String.hashCode`).
pub fn java_hash(s: &str) -> i32 {
    s.encode_utf16()
        .fold(0i32, |h, c| h.wrapping_mul(31).wrapping_add(i32::from(c)))
}

/// §22's colour: hue `|h| mod 360`, saturation `40 + |h >> 8| mod 30` %, lightness
/// `35 + |h >> 16| mod 20` %.
pub fn base_colour(prompt: &str) -> [u8; 3] {
    let h = java_hash(prompt);
    let abs = |v: i32| i64::from(v).abs();
    let hue = abs(h) % 360;
    let sat = 40 + abs(h >> 8) % 30;
    let light = 35 + abs(h >> 16) % 20;
    hsl(hue as f64, sat as f64 / 100.0, light as f64 / 100.0)
}

/// HSL (degrees, 0–1, 0–1) to 8-bit RGB, rounded.
pub(super) fn hsl(hue: f64, sat: f64, light: f64) -> [u8; 3] {
    let hue = hue.rem_euclid(360.0);
    let (sat, light) = (sat.clamp(0.0, 1.0), light.clamp(0.0, 1.0));
    let c = (1.0 - (2.0 * light - 1.0).abs()) * sat;
    let x = c * (1.0 - ((hue / 60.0) % 2.0 - 1.0).abs());
    let m = light - c / 2.0;
    let (r, g, b) = match (hue / 60.0) as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    [r, g, b].map(|v| ((v + m) * 255.0).round().clamp(0.0, 255.0) as u8)
}

/// A small deterministic generator (FNV-1a seed, SplitMix64 steps) for the layout choices.
pub(super) struct Dice(pub(super) u64);

impl Dice {
    pub(super) fn new(prompt: &str) -> Self {
        let seed = prompt.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
        Dice(seed)
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [lo, hi).
    pub(super) fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

struct Blob {
    x: f64,
    y: f64,
    radius: f64,
    colour: [f64; 3],
    alpha: f64,
}

/// Deterministic placeholder image for a generation (D10): same inputs, same pixels. Scene
/// words in the prompt (sunset, ocean, forest, night, snow, neon, ...) pick its palette and
/// composition; other prompts get an abstract picture in their §22 colour.
pub fn placeholder_image(prompt: &str, label: &str, width: u32, height: u32) -> RgbaImage {
    let (width, height) = (width.max(1), height.max(1));
    let mut img = RgbaImage::new(width, height);
    if !super::scenery::paint(&mut img, prompt, 0.0) {
        paint_background(&mut img, prompt);
    }
    draw_caption(&mut img, prompt, label);
    img
}

fn paint_background(img: &mut RgbaImage, prompt: &str) {
    let (w, h) = (f64::from(img.width()), f64::from(img.height()));
    let base = base_colour(prompt);
    let hue = f64::from(java_hash(prompt)).abs() % 360.0;
    let mut dice = Dice::new(prompt);

    let second_hue = hue + dice.range(35.0, 80.0) * if dice.next() & 1 == 0 { 1.0 } else { -1.0 };
    let second = hsl(second_hue, dice.range(0.45, 0.7), dice.range(0.18, 0.3));
    let accent = hsl(hue + dice.range(150.0, 210.0), 0.65, 0.62);
    let angle = dice.range(0.0, std::f64::consts::TAU);
    let (dx, dy) = (angle.cos(), angle.sin());
    // Project the corners so the gradient runs exactly across the image in that direction.
    let proj = |x: f64, y: f64| x * dx + y * dy;
    let corners = [proj(0.0, 0.0), proj(w, 0.0), proj(0.0, h), proj(w, h)];
    let lo = corners.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = corners.iter().copied().fold(f64::NEG_INFINITY, f64::max);

    let side = w.min(h);
    let blobs: Vec<Blob> = (0..(3 + dice.next() % 3))
        .map(|i| {
            let colour = if i % 2 == 0 {
                accent
            } else {
                hsl(hue, 0.5, 0.75)
            };
            Blob {
                x: dice.range(0.0, w),
                y: dice.range(0.0, h),
                radius: dice.range(0.15, 0.45) * side,
                colour: colour.map(f64::from),
                alpha: dice.range(0.14, 0.3),
            }
        })
        .collect();

    let (cx, cy) = (w / 2.0, h / 2.0);
    let reach = (cx * cx + cy * cy).sqrt();
    for (x, y, px) in img.enumerate_pixels_mut() {
        let (fx, fy) = (f64::from(x) + 0.5, f64::from(y) + 0.5);
        let t = ((proj(fx, fy) - lo) / (hi - lo)).clamp(0.0, 1.0);
        let t = t * t * (3.0 - 2.0 * t);
        let mut c =
            [0usize, 1, 2].map(|i| f64::from(base[i]) * (1.0 - t) + f64::from(second[i]) * t);
        for b in &blobs {
            let d = ((fx - b.x).powi(2) + (fy - b.y).powi(2)).sqrt();
            // Soft-edged disc: full inside 60 % of the radius, fading out to the rim.
            let k = ((b.radius - d) / (0.4 * b.radius)).clamp(0.0, 1.0);
            let a = b.alpha * k * k * (3.0 - 2.0 * k);
            for (v, target) in c.iter_mut().zip(b.colour) {
                *v += (target - *v) * a;
            }
        }
        let r = ((fx - cx).powi(2) + (fy - cy).powi(2)).sqrt() / reach;
        let vignette = 1.0 - 0.3 * (r * r);
        px.0 = [
            (c[0] * vignette).round().clamp(0.0, 255.0) as u8,
            (c[1] * vignette).round().clamp(0.0, 255.0) as u8,
            (c[2] * vignette).round().clamp(0.0, 255.0) as u8,
            255,
        ];
    }
}

/// The label and the wrapped prompt, centred on a soft dark panel (§22's sizes and placement).
fn draw_caption(img: &mut RgbaImage, prompt: &str, label: &str) {
    let (w, h) = img.dimensions();
    let side = w.min(h);
    let label_size = (side / 20).max(12) as f32;
    let prompt_size = (side / 35).max(10) as f32;
    let wrap = w as f32 * 0.8;

    let label_block = render_text(
        label,
        &TextStyle {
            size: label_size,
            line_height: (label_size * 1.2).round(),
            color: [255, 255, 255, 255],
            outline: None,
            max_width: Some(wrap),
            align: LineAlign::Center,
            bold: true,
        },
    );
    let prompt_style = TextStyle {
        size: prompt_size,
        line_height: (prompt_size * 1.3).round(),
        color: [255, 255, 255, 179],
        outline: None,
        max_width: Some(wrap),
        align: LineAlign::Center,
        bold: false,
    };
    let label_top = f64::from(h) / 2.0 - f64::from(label_size);
    let prompt_top = f64::from(h) / 2.0 + (label_size / 2.0).floor() as f64;
    // The prompt may use the lower half of the image, less a margin.
    let room = (f64::from(h) * 0.92 - prompt_top).max(f64::from(prompt_style.line_height));
    let prompt_block = fit_prompt(&clean(prompt), &prompt_style, room);

    let panel_w =
        label_block.box_width.max(prompt_block.box_width) as f64 + 2.0 * f64::from(prompt_size);
    let panel_top = label_top - f64::from(prompt_size) * 0.6;
    let panel_bottom =
        prompt_top + f64::from(prompt_block.box_height) + f64::from(prompt_size) * 0.6;
    darken_rounded_rect(
        img,
        (f64::from(w) - panel_w) / 2.0,
        panel_top,
        panel_w,
        panel_bottom - panel_top,
        f64::from(prompt_size),
        0.28,
    );

    let (iw, ih) = (w, h);
    for (block, top) in [(&label_block, label_top), (&prompt_block, prompt_top)] {
        let x = ((f64::from(iw) - f64::from(block.box_width)) / 2.0).round() as i64
            + i64::from(block.offset_x);
        let y = top.round() as i64 + i64::from(block.offset_y);
        composite_over(img, iw, ih, block.sprite.view(), x, y);
    }
}

/// Prompts are user text: keep them on their lines and within a sane length.
fn clean(prompt: &str) -> String {
    let text: String = prompt
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    let text = text.trim();
    if text.chars().count() > MAX_PROMPT_CHARS {
        let cut: String = text.chars().take(MAX_PROMPT_CHARS).collect();
        format!("{}…", cut.trim_end())
    } else {
        text.to_string()
    }
}

/// Lays the prompt out, dropping words from the end (with an ellipsis) until it fits `room`.
fn fit_prompt(text: &str, style: &TextStyle, room: f64) -> crate::render::text::TextBlock {
    let mut words: Vec<&str> = text.split_whitespace().collect();
    let mut candidate = text.to_string();
    loop {
        let block = render_text(&candidate, style);
        if f64::from(block.box_height) <= room || words.len() <= 1 {
            return block;
        }
        // Shrink proportionally to the overflow, at least one word at a time.
        let keep = ((words.len() as f64 * room / f64::from(block.box_height)) as usize)
            .clamp(1, words.len() - 1);
        words.truncate(keep);
        candidate = format!("{}…", words.join(" "));
    }
}

/// Darkens a rounded rectangle (anti-aliased edges) by `strength`.
fn darken_rounded_rect(
    img: &mut RgbaImage,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    radius: f64,
    strength: f64,
) {
    let (iw, ih) = (img.width(), img.height());
    let r = radius.min(w / 2.0).min(h / 2.0).max(0.0);
    let x0 = x.floor().max(0.0) as u32;
    let y0 = y.floor().max(0.0) as u32;
    let x1 = ((x + w).ceil().max(0.0) as u32).min(iw);
    let y1 = ((y + h).ceil().max(0.0) as u32).min(ih);
    for py in y0..y1 {
        for px in x0..x1 {
            let (fx, fy) = (f64::from(px) + 0.5, f64::from(py) + 0.5);
            // Signed distance to the rounded rectangle.
            let qx = (fx - (x + w / 2.0)).abs() - (w / 2.0 - r);
            let qy = (fy - (y + h / 2.0)).abs() - (h / 2.0 - r);
            let outside =
                (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt() + qx.max(qy).min(0.0) - r;
            let cover = (0.5 - outside).clamp(0.0, 1.0);
            if cover <= 0.0 {
                continue;
            }
            let keep = (255.0 * (1.0 - strength * cover)).round() as u32;
            let p = img.get_pixel_mut(px, py);
            for c in 0..3 {
                p.0[c] = div255(u32::from(p.0[c]) * keep) as u8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn java_hash_matches_the_sdk() {
        assert_eq!(java_hash("sunset"), -891_172_202);
        assert_eq!(java_hash(""), 0);
    }

    #[test]
    fn base_colour_test_vectors() {
        assert_eq!(base_colour("sunset"), [0x58, 0xbb, 0x5c]);
        assert_eq!(base_colour("placeholder"), [0x2b, 0x6b, 0xb1]);
        assert_eq!(base_colour(""), [0x7d, 0x36, 0x36]);
    }

    #[test]
    fn same_inputs_same_pixels() {
        let a = placeholder_image("a red fox in the snow", "IMAGE", 320, 180);
        let b = placeholder_image("a red fox in the snow", "IMAGE", 320, 180);
        assert_eq!(a.as_raw(), b.as_raw());
        assert_eq!(a.dimensions(), (320, 180));
        assert!(a.pixels().all(|p| p[3] == 255));
    }

    #[test]
    fn different_prompts_differ_visibly() {
        let a = placeholder_image("a red fox in the snow", "IMAGE", 200, 200);
        let b = placeholder_image("city lights at night", "IMAGE", 200, 200);
        let diff: u64 = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(x, y)| u64::from(x.abs_diff(*y)))
            .sum();
        let mean = diff as f64 / a.as_raw().len() as f64;
        assert!(mean > 20.0, "mean channel difference {mean}");
    }

    #[test]
    fn label_and_prompt_are_drawn_inside() {
        let img = placeholder_image("sunset over the sea", "IMAGE", 512, 512);
        // White-ish text pixels exist, in the middle band, none touching the edges.
        let text: Vec<(u32, u32)> = img
            .enumerate_pixels()
            .filter(|(_, _, p)| p[0] > 235 && p[1] > 235 && p[2] > 235)
            .map(|(x, y, _)| (x, y))
            .collect();
        assert!(text.len() > 100, "{}", text.len());
        assert!(text
            .iter()
            .all(|&(x, y)| x > 10 && x < 502 && y > 150 && y < 480));
    }

    #[test]
    fn long_prompts_stay_inside_the_image() {
        let prompt = "a very long prompt ".repeat(60);
        let img = placeholder_image(&prompt, "IMAGE", 256, 256);
        let bottom_rows_clean = (250..256).all(|y| {
            (0..256).all(|x| {
                let p = img.get_pixel(x, y);
                !(p[0] > 235 && p[1] > 235 && p[2] > 235)
            })
        });
        assert!(bottom_rows_clean);
    }

    #[test]
    fn tiny_sizes_do_not_panic() {
        let img = placeholder_image("x", "IMAGE", 1, 1);
        assert_eq!(img.dimensions(), (1, 1));
    }
}

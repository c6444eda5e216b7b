//! The blinking CTA button of `<Packshot blinkCta>` (§18): a rounded, vertically shaded button
//! with its text and a soft glow, pulsing every `blinkFrequency` seconds.
//!
//! Button and glow are drawn once; each frame only scales them (fast_image_resize), applies
//! the brightness curve to the scaled button and blends both.

use fast_image_resize::Resizer;

use crate::render::blur::box_blur;
use crate::render::image_layer::Frame;
use crate::render::pixels::{composite_over, composite_over_transparent, div255, Pixmap, View};
use crate::render::resample::{resample, whole, Alpha, FRAME_FILTER};
use crate::render::sequence::shape::{coverage, rounded_rect};
use crate::render::text::{render_text, LineAlign, TextStyle};
use crate::render::RenderError;
use crate::scene::{Align, PackshotLayer};

/// §18's glow: Gaussian σ = 18 px, approximated by three box passes (see [`box_radius`]).
const GLOW_SIGMA: f64 = 18.0;
const GLOW_PASSES: u32 = 3;
const GLOW_BRIGHTNESS: f64 = 1.4;
const GLOW_ALPHA: f64 = 0.6;
/// The glow is drawn this much larger than the button at every phase.
const GLOW_SCALE: f64 = 1.15;
/// Peak growth of the button: scale `1 + 0.12·osc`.
const PULSE: f64 = 0.12;
/// The text may use this much of the button's width before it is set smaller.
const TEXT_WIDTH: f32 = 0.9;

#[derive(Debug)]
pub struct BlinkingButton {
    button: Pixmap,
    glow: Pixmap,
    /// Where the §18 canvas's centre (and so the button's) lands on the frame.
    centre: (f64, f64),
    period: f64,
    scaled: Vec<u8>,
}

/// §18's oscillator at `elapsed` seconds with period `period`: 0 → 1.15 (overshoot) → 1.0 → 0.
pub fn oscillator(elapsed: f64, period: f64) -> f64 {
    if period.is_nan() || period <= 0.0 || !elapsed.is_finite() {
        return 0.0;
    }
    let phase = elapsed.rem_euclid(period) / period;
    let quarter = std::f64::consts::FRAC_PI_2;
    if phase < 0.25 {
        1.15 * (phase / 0.25 * quarter).sin()
    } else if phase < 0.4 {
        1.15 - 0.15 * (phase - 0.25) / 0.15
    } else {
        ((phase - 0.4) / 0.6 * quarter).cos()
    }
}

impl BlinkingButton {
    /// The button's size is clamped to the frame: a `ctaSize` beyond it could only be cropped
    /// and would cost memory for nothing.
    pub fn new(layer: &PackshotLayer, text: &str, frame: (u32, u32)) -> Self {
        let (fw, fh) = frame;
        let bw = layer.cta_size.0.clamp(1, fw);
        let bh = layer.cta_size.1.clamp(1, fh);
        let button = button_sprite(bw, bh, layer, text);
        let glow = glow_sprite(&button);
        let (cw, ch) = canvas(bw, bh);
        let x = ((f64::from(fw) - f64::from(cw)) / 2.0).floor();
        let height = f64::from(fh);
        let y = match layer.cta_position.vertical {
            Align::Start => (0.15 * height).floor(),
            Align::Center => ((height - f64::from(ch)) / 2.0).floor(),
            Align::End => (0.78 * height - f64::from(ch) / 2.0).floor(),
        };
        BlinkingButton {
            button,
            glow,
            centre: (x + f64::from(cw) / 2.0, y + f64::from(ch) / 2.0),
            period: layer.blink_frequency,
            scaled: Vec::new(),
        }
    }

    /// Draws the button `elapsed` seconds into the packshot.
    pub fn draw(
        &mut self,
        elapsed: f64,
        frame: &mut Frame<'_>,
        resizer: &mut Resizer,
    ) -> Result<(), RenderError> {
        let osc = oscillator(elapsed, self.period);
        let scale = 1.0 + PULSE * osc;
        let gamma = 0.85 + 0.35 * osc.max(0.0);
        let centre = self.centre;
        blit_scaled(
            &self.glow,
            scale * GLOW_SCALE,
            centre,
            None,
            &mut self.scaled,
            frame,
            resizer,
        )?;
        blit_scaled(
            &self.button,
            scale,
            centre,
            Some(gamma),
            &mut self.scaled,
            frame,
            resizer,
        )
    }
}

/// §18's canvas: `pad = ceil(max(bw, bh)·(1.14·1.15 − 1)·2) + 36`, sides rounded up to even.
fn canvas(bw: u32, bh: u32) -> (u32, u32) {
    let pad = (f64::from(bw.max(bh)) * (1.14 * 1.15 - 1.0) * 2.0).ceil() as u32 + 36;
    let even = |v: u32| v + v % 2;
    (
        even(bw.saturating_add(2 * pad)),
        even(bh.saturating_add(2 * pad)),
    )
}

/// Scales `sprite` by `scale` about its centre, placed at `centre` on the frame.
fn blit_scaled(
    sprite: &Pixmap,
    scale: f64,
    centre: (f64, f64),
    gamma: Option<f64>,
    scratch: &mut Vec<u8>,
    frame: &mut Frame<'_>,
    resizer: &mut Resizer,
) -> Result<(), RenderError> {
    let w = (f64::from(sprite.width) * scale).round().max(1.0) as u32;
    let h = (f64::from(sprite.height) * scale).round().max(1.0) as u32;
    scratch.resize(w as usize * h as usize * 4, 0);
    resample(
        resizer,
        sprite.view(),
        whole(sprite.width, sprite.height),
        scratch,
        w,
        h,
        FRAME_FILTER,
        Alpha::Premultiplied,
    )?;
    if let Some(gamma) = gamma {
        apply_gamma(scratch, gamma);
    }
    let view = View {
        data: scratch,
        width: w,
        height: h,
    };
    let x = (centre.0 - f64::from(w) / 2.0).round() as i64;
    let y = (centre.1 - f64::from(h) / 2.0).round() as i64;
    composite_over(frame.data, frame.width, frame.height, view, x, y);
    Ok(())
}

/// ffmpeg `eq=gamma=g` on premultiplied pixels: `c' = 255·(c/255)^(1/g)` on the straight
/// colour.
fn apply_gamma(data: &mut [u8], gamma: f64) {
    let lut: Vec<u8> = (0..=255)
        .map(|i| (255.0 * (f64::from(i) / 255.0).powf(1.0 / gamma)).round() as u8)
        .collect();
    for px in data.chunks_exact_mut(4) {
        let a = u32::from(px[3]);
        match a {
            0 => {}
            255 => {
                for c in &mut px[..3] {
                    *c = lut[usize::from(*c)];
                }
            }
            _ => {
                for c in &mut px[..3] {
                    let straight = (u32::from(*c) * 255 / a).min(255) as usize;
                    *c = div255(u32::from(lut[straight]) * a) as u8;
                }
            }
        }
    }
}

/// The button: radius `floor(0.45·bh)`, vertical gradient from `min(floor(1.15c), 255)` to
/// `floor(0.95c)` per channel, bold text at `floor(0.55·bh)` centred.
fn button_sprite(bw: u32, bh: u32, layer: &PackshotLayer, text: &str) -> Pixmap {
    let mut sprite = Pixmap::new(bw, bh);
    let (hw, hh) = (f64::from(bw) / 2.0, f64::from(bh) / 2.0);
    let radius = (0.45 * f64::from(bh)).floor();
    let colour = layer.cta_color;
    let top = colour.map(|c| (f64::from(c) * 1.15).floor().min(255.0));
    let bottom = colour.map(|c| (f64::from(c) * 0.95).floor());
    let width = bw as usize;
    for (i, px) in sprite.data.chunks_exact_mut(4).enumerate() {
        let (x, y) = ((i % width) as f64 + 0.5, (i / width) as f64 + 0.5);
        let cover = coverage(rounded_rect(x - hw, y - hh, hw, hh, radius));
        if cover <= 0.0 {
            continue;
        }
        let t = if bh > 1 {
            (y - 0.5) / f64::from(bh - 1)
        } else {
            0.0
        };
        let alpha = f64::from(colour[3]) * cover;
        for c in 0..3 {
            let straight = top[c] + (bottom[c] - top[c]) * t;
            px[c] = (straight * alpha / 255.0).round() as u8;
        }
        px[3] = alpha.round() as u8;
    }
    draw_label(&mut sprite, layer, text);
    sprite
}

fn draw_label(sprite: &mut Pixmap, layer: &PackshotLayer, text: &str) {
    let (bw, bh) = (sprite.width as f32, sprite.height as f32);
    let style = |size: f32| TextStyle {
        size,
        line_height: (size * 1.2).round(),
        color: layer.cta_text_color,
        outline: None,
        max_width: None,
        align: LineAlign::Center,
        bold: true,
    };
    let mut size = (0.55 * bh).floor().max(1.0);
    let mut block = render_text(text, &style(size));
    if block.box_width > TEXT_WIDTH * bw {
        size = (size * TEXT_WIDTH * bw / block.box_width).floor().max(1.0);
        block = render_text(text, &style(size));
    }
    let x = ((bw - block.box_width) / 2.0).round() as i64 + i64::from(block.offset_x);
    let y = ((bh - block.box_height) / 2.0).round() as i64 + i64::from(block.offset_y);
    composite_over_transparent(
        &mut sprite.data,
        sprite.width,
        sprite.height,
        block.sprite.view(),
        x,
        y,
    );
}

/// Three box passes of this radius blur about as much as a Gaussian of `sigma`:
/// `σ² = passes·((2r + 1)² − 1) / 12`.
fn box_radius(sigma: f64, passes: u32) -> u32 {
    let width = (12.0 * sigma * sigma / f64::from(passes) + 1.0).sqrt();
    ((width - 1.0) / 2.0).round().max(1.0) as u32
}

/// The button blurred, brightened ×1.4 and at 60 % alpha, on a canvas just large enough for
/// the blur's reach (the §18 canvas is mostly empty; only the scale about its centre matters).
fn glow_sprite(button: &Pixmap) -> Pixmap {
    let radius = box_radius(GLOW_SIGMA, GLOW_PASSES);
    let margin = radius * GLOW_PASSES + 2;
    let mut glow = Pixmap::new(button.width + 2 * margin, button.height + 2 * margin);
    composite_over_transparent(
        &mut glow.data,
        glow.width,
        glow.height,
        button.view(),
        i64::from(margin),
        i64::from(margin),
    );
    box_blur(&mut glow.data, glow.width, glow.height, radius, GLOW_PASSES);
    for px in glow.data.chunks_exact_mut(4) {
        let a = f64::from(px[3]);
        for c in &mut px[..3] {
            // Brightening the straight colour ×1.4 caps it at 255, i.e. at `a` premultiplied.
            *c = ((f64::from(*c) * GLOW_BRIGHTNESS).min(a) * GLOW_ALPHA).round() as u8;
        }
        px[3] = (a * GLOW_ALPHA).round() as u8;
    }
    glow
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oscillator_follows_section_18() {
        assert_eq!(oscillator(0.0, 0.8), 0.0);
        assert!(
            (oscillator(0.2, 0.8) - 1.15).abs() < 1e-9,
            "peak at a quarter"
        );
        assert!(
            (oscillator(0.32, 0.8) - 1.0).abs() < 1e-9,
            "settles to 1 at 0.4"
        );
        assert!(oscillator(0.79, 0.8) < 0.05, "back to rest");
        assert!((oscillator(1.0, 0.8) - 1.15).abs() < 1e-9, "periodic");
        assert_eq!(oscillator(1.0, 0.0), 0.0);
    }

    #[test]
    fn canvas_and_blur_sizes() {
        // 1080p default button 1344×97: pad = ceil(1344·0.311·2) + 36.
        assert_eq!(canvas(1344, 97), (1344 + 2 * 872, 97 + 2 * 872 + 1));
        assert_eq!(box_radius(18.0, 3), 18);
    }

    #[test]
    fn gamma_brightens_above_one() {
        let mut px = vec![128, 128, 128, 255];
        apply_gamma(&mut px, 1.25);
        assert!(px[0] > 128);
        let mut px = vec![128, 128, 128, 255];
        apply_gamma(&mut px, 0.85);
        assert!(px[0] < 128);
    }
}

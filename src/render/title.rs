//! Text layers, `<Title>` (§11) and `<Subtitle>` (§12): size, wrapping and position are decided
//! once; frames only blend the prepared sprite.

use super::pixels::{composite_over, composite_over_transparent, fill, premultiply, Pixmap};
use super::text::{
    measure_text_in, render_text_in, resolve_family, LineAlign, TextBlock, TextStyle,
};
use crate::scene::{Align, TextKind, TextLayer};

/// Lines are spaced a little wider than the font's own ascent + descent so wrapped titles
/// stay readable.
const LINE_HEIGHT: f32 = 1.2;

/// Margin from the frame edges for the start/end presets (§4.2).
const MARGIN: f64 = 0.1;

/// Longest text laid out, in characters: far more than fits on any frame, and a bound on the
/// sprite's size whatever the scene says.
const MAX_CHARS: usize = 2000;

/// Smallest scale a line is set at to stay on one line before it wraps instead.
const MIN_SHRINK: f32 = 0.8;

/// §12: a subtitle's box reaches this many font sizes beyond its text.
const BOX_PADDING: f32 = 0.4;

#[derive(Debug)]
pub struct TitlePlan {
    sprite: Pixmap,
    x: i64,
    y: i64,
    /// Visible window on the global timeline, seconds.
    start: f64,
    end: f64,
}

/// §11/§12: `max(16, min(round(k·min(W,H)), floor(0.9W / (len·0.55))))` with `k` 0.08 for
/// titles and 0.05 for subtitles; `len` in UTF-16 units.
pub fn font_size(kind: TextKind, text: &str, width: u32, height: u32) -> f32 {
    let k = match kind {
        TextKind::Title => 0.08,
        TextKind::Subtitle => 0.05,
    };
    let len = text.encode_utf16().count().max(1) as f64;
    let by_frame = (k * f64::from(width.min(height))).round();
    let by_length = (0.9 * f64::from(width) / (len * 0.55)).floor();
    by_frame.min(by_length).max(16.0) as f32
}

impl TitlePlan {
    /// `origin` is where the layer's clip-relative `start`/`end` count from. `None` when the
    /// layer has nothing to draw.
    pub fn new(layer: &TextLayer, origin: f64, width: u32, height: u32) -> Option<Self> {
        let invisible = layer.color[3] == 0
            && layer.outline.is_none()
            && layer.background.is_none_or(|b| b[3] == 0);
        if layer.text.trim().is_empty() || invisible {
            return None;
        }
        let text: String = layer.text.chars().take(MAX_CHARS).collect();
        // Subtitles are always centred (§12).
        let (horizontal, vertical) = match layer.kind {
            TextKind::Title => (layer.position.horizontal, layer.position.vertical),
            TextKind::Subtitle => (Align::Center, Align::Center),
        };
        let align = match horizontal {
            Align::Start => LineAlign::Left,
            Align::Center => LineAlign::Center,
            Align::End => LineAlign::Right,
        };
        let (frame_w, frame_h) = (f64::from(width), f64::from(height));
        let max_width = ((1.0 - 2.0 * MARGIN) * frame_w) as f32;
        let style = |size: f32, max_width: Option<f32>| TextStyle {
            size,
            line_height: (size * LINE_HEIGHT).round(),
            color: layer.color,
            outline: layer.outline.map(|w| (w, layer.outline_color)),
            max_width,
            align,
            bold: layer.kind == TextKind::Title,
        };
        // An unknown family was reported when the scene was prepared; it draws in the default.
        let family = layer.font_family.as_deref().and_then(resolve_family);
        let family = family.as_deref();
        let mut size = font_size(layer.kind, &text, width, height);
        // The width estimate (0.55 em a character) is narrower than the bundled faces: a line
        // that only just overflows is set a little smaller rather than broken in two.
        let (natural, _) = measure_text_in(&text, &style(size, None), family);
        if natural > max_width && max_width / natural >= MIN_SHRINK {
            size = (size * max_width / natural).floor().max(16.0);
        }
        // Whatever still does not fit wraps inside the margins instead of running off.
        let mut block = render_text_in(&text, &style(size, Some(max_width)), family);
        if let Some(colour) = layer.background.filter(|b| b[3] > 0) {
            block = with_box(block, colour, (BOX_PADDING * size).round() as i32);
        }
        if block.sprite.data.is_empty() {
            return None;
        }
        let (text_w, text_h) = (f64::from(block.box_width), f64::from(block.box_height));
        let x = match horizontal {
            Align::Start => MARGIN * frame_w,
            Align::Center => (frame_w - text_w) / 2.0,
            Align::End => (1.0 - MARGIN) * frame_w - text_w,
        };
        let y = match (layer.kind, vertical) {
            (TextKind::Subtitle, _) => 0.85 * frame_h - text_h / 2.0,
            (TextKind::Title, Align::Start) => MARGIN * frame_h,
            (TextKind::Title, Align::Center) => (frame_h - text_h) / 2.0,
            (TextKind::Title, Align::End) => (1.0 - MARGIN) * frame_h - text_h,
        };
        Some(TitlePlan {
            x: x.round() as i64 + i64::from(block.offset_x),
            y: y.round() as i64 + i64::from(block.offset_y),
            sprite: block.sprite,
            start: origin + layer.start,
            end: origin + layer.end,
        })
    }

    pub fn visible(&self, t: f64) -> bool {
        t >= self.start - super::timeline::EPSILON && t < self.end - super::timeline::EPSILON
    }

    pub fn draw(&self, frame: &mut [u8], width: u32, height: u32) {
        composite_over(frame, width, height, self.sprite.view(), self.x, self.y);
    }
}

/// Puts a filled box `pad` pixels around the text's layout box behind it; the box does not
/// move the text (positions still refer to the text's own box, as §12's do).
fn with_box(block: TextBlock, colour: [u8; 4], pad: i32) -> TextBlock {
    let (bw, bh) = (
        block.box_width.round() as i32 + 2 * pad,
        block.box_height.round() as i32 + 2 * pad,
    );
    // Sprite and box, in layout-box coordinates.
    let (sx0, sy0) = (block.offset_x, block.offset_y);
    let (sx1, sy1) = (
        sx0 + block.sprite.width as i32,
        sy0 + block.sprite.height as i32,
    );
    let (x0, y0) = (sx0.min(-pad), sy0.min(-pad));
    let (x1, y1) = (sx1.max(bw - pad), sy1.max(bh - pad));
    let mut out = Pixmap::new((x1 - x0) as u32, (y1 - y0) as u32);
    let fill_colour = premultiply(colour);
    let stride = out.width as usize * 4;
    for row in 0..bh as usize {
        let y = (row as i32 - pad - y0) as usize;
        let x = (-pad - x0) as usize;
        fill(
            &mut out.data[y * stride + x * 4..y * stride + (x + bw as usize) * 4],
            fill_colour,
        );
    }
    composite_over_transparent(
        &mut out.data,
        out.width,
        out.height,
        block.sprite.view(),
        i64::from(sx0 - x0),
        i64::from(sy0 - y0),
    );
    TextBlock {
        sprite: out,
        offset_x: x0,
        offset_y: y0,
        ..block
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_size_follows_section_11() {
        // 1080p, short text: limited by 8 % of the height.
        assert_eq!(font_size(TextKind::Title, "Hello", 1920, 1080), 86.0);
        // Long text: limited by the width estimate.
        let long = "x".repeat(80);
        assert_eq!(font_size(TextKind::Title, &long, 1920, 1080), 39.0);
        // Never below 16.
        assert_eq!(font_size(TextKind::Title, &"x".repeat(500), 320, 180), 16.0);
        // UTF-16 length: one emoji counts as two units.
        assert_eq!(font_size(TextKind::Title, "😀", 1920, 1080), 86.0);
    }

    #[test]
    fn subtitles_are_smaller() {
        assert_eq!(font_size(TextKind::Subtitle, "Hello", 1920, 1080), 54.0);
    }
}

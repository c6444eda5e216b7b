//! `<Title>` layers (§11): size, wrapping and position are decided once; frames only blend
//! the prepared sprite.

use super::pixels::{composite_over, Pixmap};
use super::text::{render_text, LineAlign, TextStyle};
use crate::scene::{Align, TextLayer};

/// Lines are spaced a little wider than the font's own ascent + descent so wrapped titles
/// stay readable.
const LINE_HEIGHT: f32 = 1.2;

/// Margin from the frame edges for the start/end presets (§4.2).
const MARGIN: f64 = 0.1;

#[derive(Debug)]
pub struct TitlePlan {
    sprite: Pixmap,
    x: i64,
    y: i64,
    /// Visible window on the global timeline, seconds.
    start: f64,
    end: f64,
}

/// §11: `max(16, min(round(0.08·min(W,H)), floor(0.9W / (len·0.55))))`, `len` in UTF-16 units.
pub fn font_size(text: &str, width: u32, height: u32) -> f32 {
    let len = text.encode_utf16().count().max(1) as f64;
    let by_frame = (0.08 * f64::from(width.min(height))).round();
    let by_length = (0.9 * f64::from(width) / (len * 0.55)).floor();
    by_frame.min(by_length).max(16.0) as f32
}

impl TitlePlan {
    /// `None` when the layer has nothing to draw.
    pub fn new(layer: &TextLayer, clip_start: f64, width: u32, height: u32) -> Option<Self> {
        if layer.text.trim().is_empty() || (layer.color[3] == 0 && layer.outline.is_none()) {
            return None;
        }
        let size = font_size(&layer.text, width, height);
        let align = match layer.position.horizontal {
            Align::Start => LineAlign::Left,
            Align::Center => LineAlign::Center,
            Align::End => LineAlign::Right,
        };
        let frame_w = f64::from(width);
        let frame_h = f64::from(height);
        let block = render_text(
            &layer.text,
            &TextStyle {
                size,
                line_height: (size * LINE_HEIGHT).round(),
                color: layer.color,
                outline: layer.outline.map(|w| (w, layer.outline_color)),
                // Wrap rather than run off the frame: the width formula only estimates.
                max_width: Some(((1.0 - 2.0 * MARGIN) * frame_w) as f32),
                align,
                bold: true,
            },
        );
        if block.sprite.data.is_empty() {
            return None;
        }
        let (text_w, text_h) = (f64::from(block.box_width), f64::from(block.box_height));
        let x = match layer.position.horizontal {
            Align::Start => MARGIN * frame_w,
            Align::Center => (frame_w - text_w) / 2.0,
            Align::End => (1.0 - MARGIN) * frame_w - text_w,
        };
        let y = match layer.position.vertical {
            Align::Start => MARGIN * frame_h,
            Align::Center => (frame_h - text_h) / 2.0,
            Align::End => (1.0 - MARGIN) * frame_h - text_h,
        };
        Some(TitlePlan {
            x: x.round() as i64 + i64::from(block.offset_x),
            y: y.round() as i64 + i64::from(block.offset_y),
            sprite: block.sprite,
            start: clip_start + layer.start,
            end: clip_start + layer.end,
        })
    }

    pub fn visible(&self, t: f64) -> bool {
        t >= self.start - super::timeline::EPSILON && t < self.end - super::timeline::EPSILON
    }

    pub fn draw(&self, frame: &mut [u8], width: u32, height: u32) {
        composite_over(frame, width, height, self.sprite.view(), self.x, self.y);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_size_follows_section_11() {
        // 1080p, short text: limited by 8 % of the height.
        assert_eq!(font_size("Hello", 1920, 1080), 86.0);
        // Long text: limited by the width estimate.
        let long = "x".repeat(80);
        assert_eq!(font_size(&long, 1920, 1080), 39.0);
        // Never below 16.
        assert_eq!(font_size(&"x".repeat(500), 320, 180), 16.0);
        // UTF-16 length: one emoji counts as two units.
        assert_eq!(font_size("😀", 1920, 1080), 86.0);
    }
}

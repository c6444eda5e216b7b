//! §13's style presets, scaled to the frame, and D9's colours.

use crate::render::text::caption_family;
use crate::scene::{Align, CaptionStyle, CaptionTrack};

const WHITE: [u8; 4] = [255, 255, 255, 255];
const BLACK: [u8; 4] = [0, 0, 0, 255];
const YELLOW: [u8; 4] = [255, 255, 0, 255];
const GREEN: [u8; 4] = [0, 255, 0, 255];

/// ASS MarginL/R of every preset.
const MARGIN_H: f32 = 10.0;

/// The presets are sized for a 1080×1920 frame.
const REFERENCE_SHORT_SIDE: f32 = 1080.0;
const REFERENCE_HEIGHT: f32 = 1920.0;

/// How a caption track looks, in output pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct Look {
    pub family: &'static str,
    pub size: f32,
    pub outline: f32,
    /// Straight RGBA.
    pub color: [u8; 4],
    pub outline_color: [u8; 4],
    /// The colour of the spoken word (or, in karaoke, of what has been sung); `None` when the
    /// track does not highlight.
    pub active: Option<[u8; 4]>,
    /// Distance of the text block from the top or bottom edge.
    pub margin_v: f32,
    pub margin_h: f32,
}

struct Preset {
    size: f32,
    color: [u8; 4],
    outline: f32,
    margin_v: f32,
}

fn preset(style: CaptionStyle) -> Preset {
    let (size, color, outline, margin_v) = match style {
        CaptionStyle::Tiktok => (72.0, WHITE, 4.0, 480.0),
        CaptionStyle::Karaoke => (28.0, YELLOW, 2.0, 40.0),
        CaptionStyle::Bounce => (36.0, WHITE, 4.0, 60.0),
        CaptionStyle::Typewriter => (24.0, GREEN, 1.0, 30.0),
    };
    Preset {
        size,
        color,
        outline,
        margin_v,
    }
}

/// The look of `track` on a `width`×`height` frame. Preset sizes and outlines scale with the
/// short side (1080 → 1), the vertical margin with the height (1920 → 1) so a landscape
/// frame keeps the preset's place; a `fontSize` the program gives is in output pixels already.
pub fn look(track: &CaptionTrack, width: u32, height: u32) -> Look {
    let p = preset(track.style);
    let short = width.min(height) as f32 / REFERENCE_SHORT_SIDE;
    let tall = height as f32 / REFERENCE_HEIGHT;
    // A line taller than half the frame is no caption; the clamp also bounds the work.
    let size = track
        .font_size
        .unwrap_or(p.size * short)
        .clamp(4.0, (height as f32 / 2.0).max(4.0));
    // Outlines stay in proportion to the text.
    let outline = p.outline * size / p.size;
    let (color, active) = match track.style {
        // D9: karaoke sings the line from white into the preset colour (or `color`), unless
        // the program names both colours.
        CaptionStyle::Karaoke => match track.active_color {
            Some(active) => (track.color.unwrap_or(WHITE), Some(active)),
            None => (WHITE, Some(track.color.unwrap_or(p.color))),
        },
        // D9: tiktok always highlights the spoken word of a line, yellow unless told.
        CaptionStyle::Tiktok => (
            track.color.unwrap_or(p.color),
            track
                .words_per_line
                .map(|_| track.active_color.unwrap_or(YELLOW)),
        ),
        // §13: highlighting needs both `wordsPerLine` and `activeColor`.
        CaptionStyle::Bounce | CaptionStyle::Typewriter => (
            track.color.unwrap_or(p.color),
            track.words_per_line.and(track.active_color),
        ),
    };
    let margin_v = match track.position {
        Align::Center => 0.0,
        _ => p.margin_v * tall,
    };
    Look {
        family: caption_family(&track.font),
        size,
        outline,
        color,
        outline_color: BLACK,
        active,
        margin_v,
        margin_h: MARGIN_H * short,
    }
}

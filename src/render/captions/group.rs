//! A cue group laid out once: its sprites and where each word's pixels are.

use super::cues::Group;
use super::look::Look;
use crate::render::pixels::Pixmap;
use crate::render::text::{shape, LineAlign, Shaped, TextStyle};
use crate::scene::Align;

/// Lines are spaced a little wider than the font's ascent + descent, as titles are.
const LINE_HEIGHT: f32 = 1.2;

/// Most characters one cue lays out.
const MAX_CHARS: usize = 1000;

/// A part of a word on one line: the sprite columns `x0..x1` of the rows `y0..y1`. Pieces of
/// one line tile it (gaps split half-way), so drawing every piece draws all the ink once.
#[derive(Debug, Clone, PartialEq)]
pub struct Piece {
    pub x0: i32,
    pub x1: i32,
    pub y0: i32,
    pub y1: i32,
    /// Per glyph in this piece, left to right: the bytes it ends at (relative to the word)
    /// and the column where its ink stops (half-way to the next glyph).
    pub cuts: Vec<(usize, i32)>,
}

impl Piece {
    pub fn width(&self) -> i32 {
        self.x1 - self.x0
    }
}

#[derive(Debug, Clone, Default)]
pub struct WordPixels {
    pub pieces: Vec<Piece>,
    /// Characters in the word, for typing it out.
    pub chars: usize,
    /// Byte length of each character prefix: `prefix[k]` is where character `k` ends.
    pub char_ends: Vec<usize>,
}

/// A group ready to draw: the text in the base colour, in the active colour when the track
/// has one, and where it goes on the frame.
#[derive(Debug, Clone)]
pub struct LaidGroup {
    pub base: Pixmap,
    pub active: Option<Pixmap>,
    /// The sprites' top-left corner on the frame.
    pub x: i64,
    pub y: i64,
    pub words: Vec<WordPixels>,
}

/// Lays out `group` as `look` says, wrapped inside the frame's side margins and placed
/// per `position`; the block is kept inside the frame.
pub fn lay_out(group: &Group, look: &Look, position: Align, width: u32, height: u32) -> LaidGroup {
    let max_width = (width as f32 - 2.0 * look.margin_h).max(look.size);
    let style = TextStyle {
        size: look.size,
        line_height: (look.size * LINE_HEIGHT).round(),
        color: look.color,
        outline: (look.outline > 0.0).then_some((look.outline, look.outline_color)),
        max_width: Some(max_width),
        align: LineAlign::Center,
        bold: true,
    };
    // More text than the frame could show is never readable; the bound keeps a hostile cue
    // (huge `fontSize`, thousands of words a line) from making a gigantic sprite.
    let budget = (width as f32 * height as f32 / (0.3 * look.size * look.size)) as usize;
    let shown = match group.text.char_indices().nth(budget.clamp(1, MAX_CHARS)) {
        Some((end, _)) => &group.text[..end],
        None => group.text.as_str(),
    };
    let shaped = shape(shown, &style, Some(look.family));
    let outline = style.outline.map(|(_, c)| c);
    let base = shaped.ink.paint(look.color, outline);
    let active = look.active.map(|c| shaped.ink.paint(c, outline));

    let layout = &shaped.layout;
    let (frame_w, frame_h) = (f64::from(width), f64::from(height));
    let (box_w, box_h) = (
        f64::from(layout.right - layout.left),
        f64::from(layout.bottom),
    );
    let box_x = (frame_w - box_w) / 2.0;
    let margin = f64::from(look.margin_v);
    let box_y = match position {
        Align::Start => margin,
        Align::Center => (frame_h - box_h) / 2.0,
        Align::End => frame_h - margin - box_h,
    };
    let x = box_x.round() as i64 + i64::from(shaped.ink.x - layout.left.floor() as i32);
    let y = box_y.round() as i64 + i64::from(shaped.ink.y);
    LaidGroup {
        x: keep_inside(x, base.width, width),
        y: keep_inside(y, base.height, height),
        words: word_pixels(group, &shaped, base.width as i32, base.height as i32),
        base,
        active,
    }
}

/// Moves a sprite's edge so the sprite stays on the frame when it fits.
fn keep_inside(pos: i64, size: u32, frame: u32) -> i64 {
    let room = i64::from(frame) - i64::from(size);
    if room < 0 {
        room / 2
    } else {
        pos.clamp(0, room)
    }
}

/// Where each word's pixels are in the sprites.
fn word_pixels(group: &Group, shaped: &Shaped, sprite_w: i32, sprite_h: i32) -> Vec<WordPixels> {
    let (ox, oy) = (shaped.ink.x as f32, shaped.ink.y as f32);
    let layout = &shaped.layout;
    // Line bands: split half-way between lines, the outer ones reaching the sprite's edges.
    let lines = &layout.lines;
    let band = |i: usize| -> (i32, i32) {
        let top = if i == 0 {
            0
        } else {
            (lines[i].top - oy).round() as i32
        };
        let bottom = if i + 1 >= lines.len() {
            sprite_h
        } else {
            (lines[i + 1].top - oy).round() as i32
        };
        (top, bottom.max(top))
    };

    let mut words: Vec<WordPixels> = group
        .words
        .iter()
        .map(|w| {
            let text = &group.text[w.bytes.clone()];
            let char_ends: Vec<usize> =
                text.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
            WordPixels {
                pieces: Vec::new(),
                chars: char_ends.len(),
                char_ends,
            }
        })
        .collect();

    for line in 0..lines.len() {
        // Glyphs on this line that belong to a word, left to right.
        let mut glyphs: Vec<(usize, usize, f32, f32)> = layout
            .glyphs
            .iter()
            .filter(|g| g.line == line)
            .filter_map(|g| {
                let word = group
                    .words
                    .iter()
                    .position(|w| w.bytes.contains(&g.start))?;
                let rel_end = g.end.saturating_sub(group.words[word].bytes.start);
                Some((word, rel_end, g.left - ox, g.right - ox))
            })
            .collect();
        glyphs.sort_by(|a, b| a.2.total_cmp(&b.2));
        let (y0, y1) = band(line);
        let mut pieces: Vec<(usize, Piece)> = Vec::new();
        for (k, &(word, rel_end, _, right)) in glyphs.iter().enumerate() {
            let next_left = glyphs.get(k + 1).map(|g| g.2);
            let cut = next_left.map_or(sprite_w, |n| ((right + n) / 2.0).round() as i32);
            match pieces.last_mut() {
                Some((w, piece)) if *w == word => {
                    piece.x1 = cut;
                    piece.cuts.push((rel_end, cut));
                }
                _ => {
                    let x0 = pieces.last().map_or(0, |(_, p)| p.x1);
                    pieces.push((
                        word,
                        Piece {
                            x0,
                            x1: cut,
                            y0,
                            y1,
                            cuts: vec![(rel_end, cut)],
                        },
                    ));
                }
            }
        }
        for (word, piece) in pieces {
            words[word].pieces.push(piece);
        }
    }
    words
}

//! `<Captions>` (§13, D9): timed words burned over the finished frame, animated per style.
//!
//! Words are grouped into cues once ([`cues`]); a cue is laid out and rasterised the first
//! time it is on screen ([`group`]) and kept while it stays there, so a frame only copies
//! parts of its sprites ([`paint`]) — and, for `bounce`, scales the word popping in.

mod cues;
mod group;
mod look;
mod paint;

use fast_image_resize::Resizer;

use self::cues::{groups, Group, TimedWord};
use self::group::{lay_out, LaidGroup};
use self::look::{look, Look};
use self::paint::{columns, scaled, Target};
use super::timeline::EPSILON;
use crate::scene::{Align, CaptionStyle, CaptionTrack};

/// `bounce`: a word starts this much larger and settles to its size over [`POP_SECONDS`].
const POP_SCALE: f32 = 1.2;
const POP_SECONDS: f64 = 0.15;

pub struct CaptionPlan {
    style: CaptionStyle,
    position: Align,
    look: Look,
    groups: Vec<Group>,
    width: u32,
    height: u32,
    /// The group on screen, laid out.
    cache: Option<(usize, LaidGroup)>,
    resizer: Resizer,
    scratch: Vec<u8>,
}

impl CaptionPlan {
    /// `None` when the track has no words to show.
    pub fn new(track: &CaptionTrack, width: u32, height: u32) -> Option<Self> {
        let groups = groups(&track.words, track.words_per_line);
        if groups.is_empty() {
            return None;
        }
        Some(CaptionPlan {
            style: track.style,
            position: track.position,
            look: look(track, width, height),
            groups,
            width,
            height,
            cache: None,
            resizer: Resizer::new(),
            scratch: Vec::new(),
        })
    }

    /// The group on screen at `t`.
    fn group_at(&self, t: f64) -> Option<usize> {
        let after = self.groups.partition_point(|g| g.start - EPSILON <= t);
        let i = after.checked_sub(1)?;
        (t < self.groups[i].end - EPSILON).then_some(i)
    }

    /// Draws the caption visible at `t` (if any) over the opaque `width`×`height` frame.
    pub fn draw(&mut self, t: f64, frame: &mut [u8]) {
        let Some(index) = self.group_at(t) else {
            return;
        };
        let group = &self.groups[index];
        let laid = match &mut self.cache {
            Some((cached, laid)) if *cached == index => laid,
            slot => {
                let laid = lay_out(group, &self.look, self.position, self.width, self.height);
                &mut slot.insert((index, laid)).1
            }
        };
        let mut target = Target {
            data: frame,
            width: self.width,
            height: self.height,
            x: laid.x,
            y: laid.y,
        };
        let current = group.current(t);
        // The word being spoken goes last, so a popping word lies over its neighbours.
        let order = (0..group.words.len())
            .filter(|&i| i != current)
            .chain([current]);
        for i in order {
            let word = &group.words[i];
            let pixels = &laid.words[i];
            let sprite = match &laid.active {
                Some(active) if i == current && self.style != CaptionStyle::Karaoke => active,
                _ => &laid.base,
            };
            match self.style {
                CaptionStyle::Tiktok => {
                    for piece in &pixels.pieces {
                        columns(&mut target, sprite, piece, piece.x0, piece.x1);
                    }
                }
                CaptionStyle::Karaoke => {
                    let sung = match i.cmp(&current) {
                        std::cmp::Ordering::Less => 1.0,
                        std::cmp::Ordering::Equal => progress(word, t),
                        std::cmp::Ordering::Greater => 0.0,
                    };
                    let fill = laid.active.as_ref().unwrap_or(&laid.base);
                    let total: i32 = pixels.pieces.iter().map(|p| p.width()).sum();
                    let mut left = (sung * f64::from(total)).round() as i32;
                    for piece in &pixels.pieces {
                        let split = piece.x0 + left.clamp(0, piece.width());
                        columns(&mut target, fill, piece, piece.x0, split);
                        columns(&mut target, &laid.base, piece, split, piece.x1);
                        left -= piece.width();
                    }
                }
                CaptionStyle::Typewriter => {
                    if i > current {
                        continue;
                    }
                    let typed = if i < current {
                        pixels.chars
                    } else {
                        // The first character appears as the word starts.
                        ((progress(word, t) * pixels.chars as f64).floor() as usize + 1)
                            .min(pixels.chars)
                    };
                    let bytes = typed
                        .checked_sub(1)
                        .and_then(|k| pixels.char_ends.get(k))
                        .copied()
                        .unwrap_or(0);
                    for piece in &pixels.pieces {
                        let cut = piece
                            .cuts
                            .iter()
                            .rev()
                            .find(|(end, _)| *end <= bytes)
                            .map(|&(_, cut)| cut);
                        if let Some(cut) = cut {
                            columns(&mut target, sprite, piece, piece.x0, cut);
                        }
                    }
                }
                CaptionStyle::Bounce => {
                    if i > current {
                        continue;
                    }
                    let scale = pop_scale(t - word.start);
                    for piece in &pixels.pieces {
                        if scale > 1.001 {
                            scaled(
                                &mut target,
                                sprite,
                                piece,
                                scale,
                                &mut self.resizer,
                                &mut self.scratch,
                            );
                        } else {
                            columns(&mut target, sprite, piece, piece.x0, piece.x1);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
impl CaptionPlan {
    /// Frame rectangles `(x0, y0, x1, y1)` of each word of the group on screen at `t`
    /// (gaps split half-way between neighbours), for tests to sample inside.
    pub fn word_boxes(&mut self, t: f64) -> Vec<(i64, i64, i64, i64)> {
        let Some(index) = self.group_at(t) else {
            return Vec::new();
        };
        let laid = lay_out(
            &self.groups[index],
            &self.look,
            self.position,
            self.width,
            self.height,
        );
        laid.words
            .iter()
            .map(|w| {
                w.pieces.iter().fold(
                    (i64::MAX, i64::MAX, i64::MIN, i64::MIN),
                    |(a, b, c, d), p| {
                        (
                            a.min(laid.x + i64::from(p.x0)),
                            b.min(laid.y + i64::from(p.y0)),
                            c.max(laid.x + i64::from(p.x1)),
                            d.max(laid.y + i64::from(p.y1)),
                        )
                    },
                )
            })
            .collect()
    }
}

/// How far through its own time span `word` is at `t`, 0..=1.
fn progress(word: &TimedWord, t: f64) -> f64 {
    let span = word.end - word.start;
    if span <= 0.0 {
        return 1.0;
    }
    ((t - word.start) / span).clamp(0.0, 1.0)
}

/// `bounce`: the word's scale `since` seconds after it starts, easing out from
/// [`POP_SCALE`] to 1.
fn pop_scale(since: f64) -> f32 {
    if since >= POP_SECONDS {
        return 1.0;
    }
    let p = (since.max(0.0) / POP_SECONDS) as f32;
    let eased = 1.0 - (1.0 - p) * (1.0 - p);
    POP_SCALE - (POP_SCALE - 1.0) * eased
}

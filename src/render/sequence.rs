//! `<Slider>` (D11: a before/after wipe reveal over the clip) and `<Swipe>` (D11, §17: cards
//! sent off in `direction` every `interval` seconds), drawn from full-frame `cover` cards.
//!
//! Each frame draws at most two cards: the one underneath straight into the frame, the other
//! into a frame-sized buffer that is then copied in part (the revealed side of a Slider) or
//! shifted (a Swipe's leaving card). Cards other than those two are released. Video cards
//! play from their first appearance: a Slider's from the clip start, a Swipe card's from
//! when it arrives.

pub mod card;
mod divider;
pub mod shape;
mod throw;
mod timing;

use std::sync::Arc;

use image::RgbaImage;

use self::card::{Card, CardTime};
use self::divider::Divider;
use super::image_layer::Frame;
use super::layers::Tools;
use super::pixels::View;
use super::timeline::Span;
use super::RenderError;
use crate::media::VideoFile;
use crate::scene::{Direction, SequenceLayer, Zoom};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SequenceKind {
    Slider,
    Swipe,
}

pub struct SequencePlan {
    kind: SequenceKind,
    direction: Direction,
    interval: f64,
    span: Span,
    cards: Vec<Card>,
    /// Slider only.
    divider: Option<Divider>,
    /// The second card of a frame; empty while the layer is off screen.
    buffer: Vec<u8>,
}

impl SequencePlan {
    /// Slider items stay still: a before/after comparison only reads when both pictures line
    /// up. Swipe cards get the default Ken Burns zoom-in over their time on screen (§16, D5).
    pub fn new(
        layer: &SequenceLayer,
        kind: SequenceKind,
        span: Span,
        frame: (u32, u32),
        images: &[Arc<RgbaImage>],
        videos: &[Option<Arc<VideoFile>>],
    ) -> Result<Self, RenderError> {
        let zoom = match kind {
            SequenceKind::Slider => None,
            SequenceKind::Swipe => Some(Zoom::In),
        };
        let cards = layer
            .items
            .iter()
            .map(|item| Card::new(item.asset, item.kind, zoom, frame, images, videos))
            .collect::<Result<Vec<_>, _>>()?;
        // The scene maps a vertical slider to `Up`; its line runs across and moves down.
        let divider = (kind == SequenceKind::Slider).then(|| {
            Divider::new(
                frame,
                matches!(layer.direction, Direction::Up | Direction::Down),
            )
        });
        Ok(SequencePlan {
            kind,
            direction: layer.direction,
            interval: layer.interval,
            span,
            cards,
            divider,
            buffer: Vec::new(),
        })
    }

    pub fn visible(&self, t: f64) -> bool {
        self.span.contains(t)
    }

    pub fn release(&mut self) {
        for card in &mut self.cards {
            card.release();
        }
        self.buffer = Vec::new();
    }

    /// Draws the whole frame at global time `t`; the result is opaque.
    pub fn draw(&mut self, t: f64, frame: &mut Frame<'_>, tools: &mut Tools<'_>) {
        if self.cards.is_empty() {
            super::pixels::fill_black(frame.data);
            return;
        }
        let elapsed = (t - self.span.start).max(0.0);
        match self.kind {
            SequenceKind::Slider => self.draw_slider(elapsed, frame, tools),
            SequenceKind::Swipe => self.draw_swipe(elapsed, frame, tools),
        }
    }

    fn length(&self) -> f64 {
        self.span.end - self.span.start
    }

    fn draw_slider(&mut self, elapsed: f64, frame: &mut Frame<'_>, tools: &mut Tools<'_>) {
        let state = timing::slider(elapsed, self.length(), self.cards.len());
        self.release_except(state.before, state.after);
        // Slider items are still, so their Ken Burns progress does not matter.
        let time = CardTime {
            progress: 0.0,
            elapsed,
        };
        let vertical = matches!(self.direction, Direction::Up | Direction::Down);
        let extent = if vertical { frame.height } else { frame.width };
        let pos = (state.reveal * f64::from(extent)).round() as u32;
        if pos >= extent {
            self.cards[state.after].draw(frame, time, tools);
            return;
        }
        self.cards[state.before].draw(frame, time, tools);
        if pos == 0 {
            return;
        }
        let after = self.draw_into_buffer(state.after, frame.width, frame.height, time, tools);
        // The "after" picture fills the frame from the left (top) edge up to the divider.
        let (w, h) = if vertical {
            (frame.width, pos)
        } else {
            (pos, frame.height)
        };
        copy_region(frame, after, w, h);
        if let Some(divider) = &self.divider {
            divider.draw(frame, i64::from(pos));
        }
    }

    fn draw_swipe(&mut self, elapsed: f64, frame: &mut Frame<'_>, tools: &mut Tools<'_>) {
        let n = self.cards.len();
        let state = timing::swipe(elapsed, self.interval, n);
        let next = (state.current + 1).min(n - 1);
        self.release_except(state.current, next);
        let (interval, length) = (self.interval, self.length());
        let time_of = |k: usize| {
            let (start, end) = timing::swipe_window(k, n, interval, length);
            CardTime {
                progress: if end > start {
                    ((elapsed - start) / (end - start)).clamp(0.0, 1.0)
                } else {
                    1.0
                },
                elapsed: (elapsed - start).max(0.0),
            }
        };
        if state.swipe <= 0.0 || next == state.current {
            self.cards[state.current].draw(frame, time_of(state.current), tools);
            return;
        }
        // Tinder-like: the next card waits in place underneath while this one is thrown off.
        self.cards[next].draw(frame, time_of(next), tools);
        let (w, h) = (frame.width, frame.height);
        let (dx, dy, angle) = throw::placement(self.direction, state.swipe, w, h);
        let time = time_of(state.current);
        let leaving = self.draw_into_buffer(state.current, w, h, time, tools);
        throw::draw(frame, leaving, dx, dy, angle);
    }

    /// Draws card `k` into the plan's own frame-sized buffer.
    fn draw_into_buffer(
        &mut self,
        k: usize,
        width: u32,
        height: u32,
        time: CardTime,
        tools: &mut Tools<'_>,
    ) -> View<'_> {
        self.buffer
            .resize(super::pixels::byte_len(width, height), 0);
        let mut second = Frame {
            data: &mut self.buffer,
            width,
            height,
        };
        self.cards[k].draw(&mut second, time, tools);
        View {
            data: &self.buffer,
            width,
            height,
        }
    }

    fn release_except(&mut self, a: usize, b: usize) {
        for (i, card) in self.cards.iter_mut().enumerate() {
            if i != a && i != b {
                card.release();
            }
        }
    }
}

/// Copies the top-left `w`×`h` of `src` (frame-sized) into the frame.
fn copy_region(frame: &mut Frame<'_>, src: View<'_>, w: u32, h: u32) {
    let stride = frame.width as usize * 4;
    let len = w.min(frame.width) as usize * 4;
    for row in 0..h.min(frame.height) as usize {
        let start = row * stride;
        frame.data[start..start + len].copy_from_slice(&src.data[start..start + len]);
    }
}

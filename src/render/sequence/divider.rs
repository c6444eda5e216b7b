//! The Slider's before/after divider: a thin white line across the frame at the reveal
//! boundary, with a round handle carrying two arrows in its middle.

use super::shape::{coverage, fill_rect, paint, triangle};
use crate::render::image_layer::Frame;
use crate::render::pixels::{composite_over, Pixmap};

const WHITE: [u8; 4] = [255, 255, 255, 255];
/// The handle's disc: dark enough that the white arrows read over a white picture too.
const HANDLE_FILL: [u8; 4] = [0, 0, 0, 90];

#[derive(Debug)]
pub struct Divider {
    handle: Pixmap,
    /// Line thickness in pixels.
    line: u32,
    /// `true`: a horizontal line moving down (a vertical slider).
    horizontal: bool,
}

impl Divider {
    /// Sized from the frame's shorter side: a 4 px line and a 76 px handle at 1080p.
    pub fn new(frame: (u32, u32), horizontal: bool) -> Self {
        let short = f64::from(frame.0.min(frame.1));
        let line = (short / 270.0).round().max(2.0) as u32;
        let radius = (short * 0.035).round().max(6.0);
        Divider {
            handle: handle(radius, f64::from(line), horizontal),
            line,
            horizontal,
        }
    }

    /// Draws the divider with its centre line at `pos` pixels along the sweep axis.
    pub fn draw(&self, frame: &mut Frame<'_>, pos: i64) {
        let (w, h) = (frame.width, frame.height);
        let start = pos - i64::from(self.line / 2);
        let (rect, hx, hy) = if self.horizontal {
            let rect = (0, start, w, self.line);
            (rect, i64::from(w / 2), pos)
        } else {
            let rect = (start, 0, self.line, h);
            (rect, pos, i64::from(h / 2))
        };
        fill_rect(frame.data, w, h, rect, WHITE);
        let (sw, sh) = (self.handle.width, self.handle.height);
        composite_over(
            frame.data,
            w,
            h,
            self.handle.view(),
            hx - i64::from(sw / 2),
            hy - i64::from(sh / 2),
        );
    }
}

/// A translucent disc with a white ring and two arrows pointing along the sweep.
fn handle(radius: f64, ring: f64, horizontal: bool) -> Pixmap {
    let side = (2.0 * radius).ceil() as u32 + 2;
    let c = f64::from(side) / 2.0;
    let mut sprite = Pixmap::new(side, side);
    let dist = move |x: f64, y: f64| (x - c).hypot(y - c) - radius;
    paint(&mut sprite, HANDLE_FILL, |x, y| coverage(dist(x, y)));
    paint(&mut sprite, WHITE, |x, y| {
        let d = dist(x, y);
        coverage(d).min(coverage(-d - ring))
    });
    // Arrow tips at ±0.7 r along the sweep axis, bases at ±0.2 r, half height 0.3 r.
    let (tip, base, half) = (0.7 * radius, 0.2 * radius, 0.3 * radius);
    for dir in [-1.0, 1.0] {
        let pts = [(dir * tip, 0.0), (dir * base, -half), (dir * base, half)];
        let [a, b, t] = pts.map(|(u, v)| {
            if horizontal {
                (c + v, c + u)
            } else {
                (c + u, c + v)
            }
        });
        paint(&mut sprite, WHITE, |x, y| {
            coverage(triangle((x, y), a, b, t))
        });
    }
    sprite
}

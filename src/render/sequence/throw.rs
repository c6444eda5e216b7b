//! A Swipe card being thrown off: shifted, and for sideways throws tilted like a card flicked
//! off a stack, then blended over the card waiting underneath.

use crate::render::image_layer::Frame;
use crate::render::pixels::{copy_into, div255, View};
use crate::scene::Direction;

/// The tilt a sideways throw reaches as the card leaves the frame.
const MAX_TILT_DEGREES: f64 = 10.0;

/// Where the leaving card is at eased progress `e` (0..1): its offset in pixels and its
/// rotation in radians (positive: counter-clockwise on screen).
pub fn placement(direction: Direction, e: f64, width: u32, height: u32) -> (f64, f64, f64) {
    let (w, h) = (f64::from(width), f64::from(height));
    let tilt = MAX_TILT_DEGREES.to_radians();
    // Far enough that the tilted card's nearest corner has just left the frame at e = 1.
    let sideways = w / 2.0 + (w / 2.0) * tilt.cos() + (h / 2.0) * tilt.sin() + 1.0;
    match direction {
        // Thrown left, the top leads: counter-clockwise.
        Direction::Left => (-e * sideways, 0.0, e * tilt),
        Direction::Right => (e * sideways, 0.0, -e * tilt),
        Direction::Up => (0.0, -e * h, 0.0),
        Direction::Down => (0.0, e * h, 0.0),
    }
}

/// Draws the frame-sized, opaque `card` over `frame`, moved by (`dx`, `dy`) and turned by
/// `angle` about its centre, with bilinear sampling so the tilted edges are smooth.
pub fn draw(frame: &mut Frame<'_>, card: View<'_>, dx: f64, dy: f64, angle: f64) {
    if angle == 0.0 {
        copy_into(
            frame.data,
            frame.width,
            frame.height,
            card,
            dx.round() as i64,
            dy.round() as i64,
        );
        return;
    }
    let (cw, ch) = (f64::from(card.width), f64::from(card.height));
    let (cx, cy) = (cw / 2.0, ch / 2.0);
    let (sin, cos) = angle.sin_cos();
    let stride = frame.width as usize * 4;
    let width = f64::from(frame.width);
    for y in 0..frame.height as usize {
        let row = &mut frame.data[y * stride..(y + 1) * stride];
        let ry = y as f64 + 0.5 - cy - dy;
        // The inverse rotation, linear in x: which point of the card lands on pixel centre
        // (x + 0.5, y + 0.5) is `(sx0 + x·cos, sy0 + x·sin)`.
        let rx0 = 0.5 - cx - dx;
        let sx0 = rx0 * cos - ry * sin + cx - 0.5;
        let sy0 = rx0 * sin + ry * cos + cy - 0.5;
        // Only the pixels whose sample point lies on the card (or its one-pixel fringe).
        let (mut lo, mut hi) = (0.0, width);
        for (start, step, limit) in [(sx0, cos, cw), (sy0, sin, ch)] {
            narrow(&mut lo, &mut hi, start, step, -1.0, limit);
        }
        if lo >= hi {
            continue;
        }
        let (lo, hi) = (
            lo.floor() as usize,
            (hi.ceil() as usize).min(frame.width as usize),
        );
        for x in lo..hi {
            let sx = sx0 + x as f64 * cos;
            let sy = sy0 + x as f64 * sin;
            if sx <= -1.0 || sy <= -1.0 || sx >= cw || sy >= ch {
                continue;
            }
            let src = bilinear(card, sx, sy);
            let px = &mut row[x * 4..x * 4 + 4];
            let ia = 255 - u32::from(src[3]);
            for c in 0..3 {
                px[c] = (u32::from(src[c]) + div255(u32::from(px[c]) * ia)) as u8;
            }
            px[3] = 255;
        }
    }
}

/// Narrows `[lo, hi)` to the x where `min < start + x·step < max`.
fn narrow(lo: &mut f64, hi: &mut f64, start: f64, step: f64, min: f64, max: f64) {
    if step.abs() < 1e-12 {
        if start <= min || start >= max {
            *hi = *lo;
        }
        return;
    }
    let (a, b) = ((min - start) / step, (max - start) / step);
    *lo = lo.max(a.min(b));
    *hi = hi.min(a.max(b) + 1.0);
}

/// The premultiplied colour at (`x`, `y`) in pixel-centre coordinates, transparent beyond the
/// card's edges so those come out anti-aliased.
fn bilinear(card: View<'_>, x: f64, y: f64) -> [u8; 4] {
    let (x0, y0) = (x.floor(), y.floor());
    let (fx, fy) = (x - x0, y - y0);
    let (x0, y0) = (x0 as i64, y0 as i64);
    let inside =
        x0 >= 0 && y0 >= 0 && x0 + 1 < i64::from(card.width) && y0 + 1 < i64::from(card.height);
    if inside {
        let w = card.width as usize;
        let i = (y0 as usize * w + x0 as usize) * 4;
        let j = i + w * 4;
        let d = card.data;
        let mut out = [0u8; 4];
        for k in 0..4 {
            let top = f64::from(d[i + k]) + (f64::from(d[i + 4 + k]) - f64::from(d[i + k])) * fx;
            let bottom = f64::from(d[j + k]) + (f64::from(d[j + 4 + k]) - f64::from(d[j + k])) * fx;
            out[k] = (top + (bottom - top) * fy + 0.5) as u8;
        }
        return out;
    }
    let texel = |x: i64, y: i64| -> [f64; 4] {
        if x < 0 || y < 0 || x >= i64::from(card.width) || y >= i64::from(card.height) {
            return [0.0; 4];
        }
        let i = (y as usize * card.width as usize + x as usize) * 4;
        let p = &card.data[i..i + 4];
        [p[0], p[1], p[2], p[3]].map(f64::from)
    };
    let (a, b) = (texel(x0, y0), texel(x0 + 1, y0));
    let (c, d) = (texel(x0, y0 + 1), texel(x0 + 1, y0 + 1));
    let mut out = [0u8; 4];
    for k in 0..4 {
        let top = a[k] + (b[k] - a[k]) * fx;
        let bottom = c[k] + (d[k] - c[k]) * fx;
        out[k] = (top + (bottom - top) * fy).round().clamp(0.0, 255.0) as u8;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_throw_leaves_the_frame() {
        let (w, h) = (320u32, 180u32);
        let card = vec![255u8; (w * h * 4) as usize];
        for direction in [Direction::Left, Direction::Right] {
            let mut data = [0, 0, 0, 255].repeat((w * h) as usize);
            let (dx, dy, angle) = placement(direction, 1.0, w, h);
            let mut frame = Frame {
                data: &mut data,
                width: w,
                height: h,
            };
            let view = View {
                data: &card,
                width: w,
                height: h,
            };
            draw(&mut frame, view, dx, dy, angle);
            assert!(data.chunks_exact(4).all(|p| p[0] == 0), "{direction:?}");
        }
    }

    #[test]
    fn an_untilted_card_lands_on_whole_pixels() {
        let mut data = [0, 0, 0, 255].repeat(16);
        let card = [255, 255, 255, 255].repeat(16);
        let mut frame = Frame {
            data: &mut data,
            width: 4,
            height: 4,
        };
        let view = View {
            data: &card,
            width: 4,
            height: 4,
        };
        draw(&mut frame, view, -2.0, 0.0, 0.0);
        let lit: Vec<bool> = data.chunks_exact(4).map(|p| p[0] == 255).collect();
        assert_eq!(&lit[..4], &[true, true, false, false]);
    }
}

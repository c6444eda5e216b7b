//! Anti-aliased flat shapes drawn once into sprites (the Slider handle, the CTA button):
//! signed distances turned into pixel coverage.

use crate::render::pixels::{clip_rect, premultiply, Pixmap};

/// How much of a pixel whose centre lies `distance` pixels outside an edge (negative: inside)
/// the shape covers: a one-pixel ramp across the edge.
pub fn coverage(distance: f64) -> f64 {
    (0.5 - distance).clamp(0.0, 1.0)
}

/// Signed distance from (`x`, `y`), relative to a rectangle's centre, to the rectangle of half
/// sizes `hw`×`hh` whose corners are rounded by `radius`.
pub fn rounded_rect(x: f64, y: f64, hw: f64, hh: f64, radius: f64) -> f64 {
    let radius = radius.min(hw).min(hh).max(0.0);
    let qx = x.abs() - (hw - radius);
    let qy = y.abs() - (hh - radius);
    let outside = qx.max(0.0).hypot(qy.max(0.0));
    outside + qx.max(qy).min(0.0) - radius
}

/// Signed distance (exact inside, a close bound outside) to the triangle `a b c`, wound
/// either way.
pub fn triangle(p: (f64, f64), a: (f64, f64), b: (f64, f64), c: (f64, f64)) -> f64 {
    let winding = (b.0 - a.0) * (c.1 - a.1) - (b.1 - a.1) * (c.0 - a.0);
    let sign = if winding < 0.0 { -1.0 } else { 1.0 };
    [(a, b), (b, c), (c, a)]
        .iter()
        .map(|&(u, v)| {
            let (ex, ey) = (v.0 - u.0, v.1 - u.1);
            let len = ex.hypot(ey).max(f64::MIN_POSITIVE);
            // Positive on the outer side of the edge.
            -sign * (ex * (p.1 - u.1) - ey * (p.0 - u.0)) / len
        })
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Paints straight RGBA `colour` over a premultiplied sprite with per-pixel coverage from
/// `cover(x, y)` (pixel centres), the sprite possibly transparent below.
pub fn paint(sprite: &mut Pixmap, colour: [u8; 4], cover: impl Fn(f64, f64) -> f64) {
    let width = sprite.width as usize;
    for (i, px) in sprite.data.chunks_exact_mut(4).enumerate() {
        let (x, y) = ((i % width) as f64 + 0.5, (i / width) as f64 + 0.5);
        let c = cover(x, y);
        if c <= 0.0 {
            continue;
        }
        let alpha = (f64::from(colour[3]) * c).round() as u8;
        let src = premultiply([colour[0], colour[1], colour[2], alpha]);
        let ia = 255 - u32::from(alpha);
        for k in 0..4 {
            px[k] =
                (u32::from(src[k]) + crate::render::pixels::div255(u32::from(px[k]) * ia)) as u8;
        }
    }
}

/// Fills a rectangle of an opaque frame with an opaque colour, clipped to the frame.
pub fn fill_rect(frame: &mut [u8], fw: u32, fh: u32, rect: (i64, i64, u32, u32), rgba: [u8; 4]) {
    let (x, y, w, h) = rect;
    let Some((dx, dy, _, _, w, h)) = clip_rect(fw, fh, x, y, w, h) else {
        return;
    };
    let stride = fw as usize * 4;
    for row in dy..dy + h {
        let start = row * stride + dx * 4;
        crate::render::pixels::fill(&mut frame[start..start + w * 4], rgba);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounded_rect_distances() {
        assert_eq!(rounded_rect(0.0, 0.0, 10.0, 5.0, 2.0), -5.0);
        assert_eq!(rounded_rect(12.0, 0.0, 10.0, 5.0, 2.0), 2.0);
        // The corner is cut: the box corner itself is outside.
        assert!(rounded_rect(10.0, 5.0, 10.0, 5.0, 2.0) > 0.5);
    }

    #[test]
    fn triangle_inside_and_out() {
        let (a, b, c) = ((0.0, 0.0), (10.0, 0.0), (0.0, 10.0));
        assert!(triangle((2.0, 2.0), a, b, c) < 0.0);
        assert!(triangle((8.0, 8.0), a, b, c) > 0.0);
        assert!(triangle((2.0, 2.0), a, c, b) < 0.0, "either winding");
    }
}

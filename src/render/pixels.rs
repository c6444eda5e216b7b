//! Pixel arithmetic on raw RGBA byte buffers.
//!
//! Everything the compositor keeps is premultiplied RGBA: resampling premultiplied pixels is
//! linear (no dark fringes around transparent edges), and "over" needs no division. Frame
//! buffers are opaque by construction (every clip starts from black), so only their colour
//! channels carry information and "over" writes alpha 255.

/// An owned premultiplied RGBA image.
#[derive(Debug, Clone, Default)]
pub struct Pixmap {
    pub width: u32,
    pub height: u32,
    pub data: Vec<u8>,
}

impl Pixmap {
    pub fn new(width: u32, height: u32) -> Self {
        Pixmap {
            width,
            height,
            data: vec![0; byte_len(width, height)],
        }
    }

    /// True when no pixel lets anything below show through.
    pub fn is_opaque(&self) -> bool {
        is_opaque(&self.data)
    }

    pub fn view(&self) -> View<'_> {
        View {
            data: &self.data,
            width: self.width,
            height: self.height,
        }
    }
}

/// Borrowed RGBA bytes with their size.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    pub data: &'a [u8],
    pub width: u32,
    pub height: u32,
}

pub fn byte_len(width: u32, height: u32) -> usize {
    width as usize * height as usize * 4
}

pub fn is_opaque(rgba: &[u8]) -> bool {
    rgba.chunks_exact(4).all(|p| p[3] == 255)
}

pub fn fill(buf: &mut [u8], rgba: [u8; 4]) {
    for px in buf.chunks_exact_mut(4) {
        px.copy_from_slice(&rgba);
    }
}

pub fn fill_black(buf: &mut [u8]) {
    fill(buf, [0, 0, 0, 255]);
}

pub fn force_opaque(buf: &mut [u8]) {
    for px in buf.chunks_exact_mut(4) {
        px[3] = 255;
    }
}

/// Exact `round(x / 255)` for `x <= 255 * 255`.
#[inline(always)]
pub fn div255(x: u32) -> u32 {
    let x = x + 128;
    (x + (x >> 8)) >> 8
}

/// Straight (non-premultiplied) RGBA to premultiplied.
pub fn premultiply(rgba: [u8; 4]) -> [u8; 4] {
    let a = u32::from(rgba[3]);
    [
        div255(u32::from(rgba[0]) * a) as u8,
        div255(u32::from(rgba[1]) * a) as u8,
        div255(u32::from(rgba[2]) * a) as u8,
        rgba[3],
    ]
}

/// `dst = src over dst` for one row of premultiplied pixels; the result is opaque.
#[inline]
pub fn over_row(dst: &mut [u8], src: &[u8]) {
    for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
        let a = u32::from(s[3]);
        if a == 0 {
            continue;
        }
        if a == 255 {
            d[..3].copy_from_slice(&s[..3]);
        } else {
            let ia = 255 - a;
            d[0] = (u32::from(s[0]) + div255(u32::from(d[0]) * ia)) as u8;
            d[1] = (u32::from(s[1]) + div255(u32::from(d[1]) * ia)) as u8;
            d[2] = (u32::from(s[2]) + div255(u32::from(d[2]) * ia)) as u8;
        }
        d[3] = 255;
    }
}

/// Where a `w`×`h` image placed at (`x`, `y`) overlaps a `dw`×`dh` canvas:
/// `(dst_x, dst_y, src_x, src_y, width, height)`, or `None` when it is entirely outside.
pub fn clip_rect(
    dw: u32,
    dh: u32,
    x: i64,
    y: i64,
    w: u32,
    h: u32,
) -> Option<(usize, usize, usize, usize, usize, usize)> {
    let x0 = x.max(0);
    let y0 = y.max(0);
    let x1 = (x + i64::from(w)).min(i64::from(dw));
    let y1 = (y + i64::from(h)).min(i64::from(dh));
    if x0 >= x1 || y0 >= y1 {
        return None;
    }
    Some((
        x0 as usize,
        y0 as usize,
        (x0 - x) as usize,
        (y0 - y) as usize,
        (x1 - x0) as usize,
        (y1 - y0) as usize,
    ))
}

/// Composites a premultiplied image over an opaque canvas at (`x`, `y`), clipped to the canvas.
pub fn composite_over(dst: &mut [u8], dw: u32, dh: u32, src: View<'_>, x: i64, y: i64) {
    let Some((dx, dy, sx, sy, w, h)) = clip_rect(dw, dh, x, y, src.width, src.height) else {
        return;
    };
    let dstride = dw as usize * 4;
    let sstride = src.width as usize * 4;
    for row in 0..h {
        let d0 = (dy + row) * dstride + dx * 4;
        let s0 = (sy + row) * sstride + sx * 4;
        over_row(&mut dst[d0..d0 + w * 4], &src.data[s0..s0 + w * 4]);
    }
}

/// Composites a premultiplied image over a canvas that may itself be transparent (used while
/// preparing layers, not on frames).
pub fn composite_over_transparent(dst: &mut [u8], dw: u32, dh: u32, src: View<'_>, x: i64, y: i64) {
    let Some((dx, dy, sx, sy, w, h)) = clip_rect(dw, dh, x, y, src.width, src.height) else {
        return;
    };
    let dstride = dw as usize * 4;
    let sstride = src.width as usize * 4;
    for row in 0..h {
        let d0 = (dy + row) * dstride + dx * 4;
        let s0 = (sy + row) * sstride + sx * 4;
        let drow = &mut dst[d0..d0 + w * 4];
        for (d, s) in drow
            .chunks_exact_mut(4)
            .zip(src.data[s0..s0 + w * 4].chunks_exact(4))
        {
            let ia = 255 - u32::from(s[3]);
            for c in 0..4 {
                d[c] = (u32::from(s[c]) + div255(u32::from(d[c]) * ia)) as u8;
            }
        }
    }
}

/// Copies an image into a canvas at (`x`, `y`), clipped, replacing what was there.
pub fn copy_into(dst: &mut [u8], dw: u32, dh: u32, src: View<'_>, x: i64, y: i64) {
    let Some((dx, dy, sx, sy, w, h)) = clip_rect(dw, dh, x, y, src.width, src.height) else {
        return;
    };
    let dstride = dw as usize * 4;
    let sstride = src.width as usize * 4;
    for row in 0..h {
        let d0 = (dy + row) * dstride + dx * 4;
        let s0 = (sy + row) * sstride + sx * 4;
        dst[d0..d0 + w * 4].copy_from_slice(&src.data[s0..s0 + w * 4]);
    }
}

/// `a = (a·wa + b·wb + c·wc) / 256` per colour channel, alpha kept opaque, where
/// `wa + wb + wc = 256` and `c` is a constant grey level: every dissolve-like transition is a
/// weighting of the two frames and black or white. Kept in `u16` so the loop vectorises: the
/// largest sum is 255·256 + 128 < 65536.
pub fn mix(a: &mut [u8], b: &[u8], wa: u16, wb: u16, wc: u16, c: u8) {
    debug_assert_eq!(u32::from(wa) + u32::from(wb) + u32::from(wc), 256);
    let grey = u16::from(c) * wc + 128;
    let bias = [grey, grey, grey, 255 * wc + 128];
    for (x, y) in a.chunks_exact_mut(4).zip(b.chunks_exact(4)) {
        for i in 0..4 {
            x[i] = ((u16::from(x[i]) * wa + u16::from(y[i]) * wb + bias[i]) >> 8) as u8;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn div255_is_exact_rounding() {
        for x in 0..=255 * 255 {
            assert_eq!(div255(x), (f64::from(x) / 255.0).round() as u32, "x = {x}");
        }
    }

    #[test]
    fn over_half_transparent_red_on_blue() {
        let mut dst = vec![0, 0, 255, 255];
        let src = premultiply([255, 0, 0, 128]);
        over_row(&mut dst, &src);
        assert_eq!(dst, vec![128, 0, 127, 255]);
    }

    #[test]
    fn mix_endpoints_and_white() {
        let mut a = vec![10, 20, 30, 255];
        mix(&mut a, &[200, 100, 0, 255], 256, 0, 0, 0);
        assert_eq!(a, vec![10, 20, 30, 255]);
        mix(&mut a, &[200, 100, 0, 255], 0, 256, 0, 0);
        assert_eq!(a, vec![200, 100, 0, 255]);
        mix(&mut a, &[200, 100, 0, 255], 0, 0, 256, 255);
        assert_eq!(a, vec![255, 255, 255, 255]);
        mix(&mut a, &[200, 100, 0, 255], 0, 0, 256, 0);
        assert_eq!(a, vec![0, 0, 0, 255]);
    }

    #[test]
    fn composite_is_clipped_at_edges() {
        let mut canvas = vec![0u8; 4 * 4 * 4];
        fill_black(&mut canvas);
        let mut sprite = Pixmap::new(3, 3);
        fill(&mut sprite.data, [255, 255, 255, 255]);
        composite_over(&mut canvas, 4, 4, sprite.view(), -2, 3);
        // Only the sprite's top-right pixel lands on the canvas, at (0, 3).
        let lit: Vec<usize> = canvas
            .chunks_exact(4)
            .enumerate()
            .filter(|(_, p)| p[0] == 255)
            .map(|(i, _)| i)
            .collect();
        assert_eq!(lit, vec![12]);
    }
}

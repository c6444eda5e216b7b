//! Shared pieces of the transition effects: the two input frames, per-pixel blending by an
//! incoming-weight mask, nearest-pixel sampling and the small maths GLSL takes for granted.

use std::f32::consts::{FRAC_PI_2, PI};

/// The two opaque RGBA frames of a handover. `a` is the outgoing clip (a copy, so effects may
/// sample it anywhere while writing the output), `b` the incoming one.
pub struct Frames<'a> {
    pub a: &'a [u8],
    pub b: &'a [u8],
    pub w: usize,
    pub h: usize,
    /// `1 / w` and `1 / h`, so pixel loops multiply instead of divide.
    iw: f32,
    ih: f32,
}

impl<'a> Frames<'a> {
    pub fn new(a: &'a [u8], b: &'a [u8], w: usize, h: usize) -> Self {
        Frames {
            a,
            b,
            w,
            h,
            iw: 1.0 / w.max(1) as f32,
            ih: 1.0 / h.max(1) as f32,
        }
    }

    #[inline(always)]
    fn at(buf: &[u8], w: usize, h: usize, x: isize, y: isize) -> &[u8] {
        let x = x.clamp(0, w as isize - 1) as usize;
        let y = y.clamp(0, h as isize - 1) as usize;
        let i = (y * w + x) * 4;
        &buf[i..i + 3]
    }

    /// Outgoing pixel at (x, y), clamped to the frame.
    #[inline(always)]
    pub fn pa(&self, x: isize, y: isize) -> &[u8] {
        Self::at(self.a, self.w, self.h, x, y)
    }

    #[inline(always)]
    pub fn pb(&self, x: isize, y: isize) -> &[u8] {
        Self::at(self.b, self.w, self.h, x, y)
    }

    /// Outgoing pixel at GLSL texture coordinates (origin bottom-left, 0..1), nearest.
    #[inline(always)]
    pub fn ga(&self, u: f32, v: f32) -> &[u8] {
        let (x, y) = self.gl_to_px(u, v);
        self.pa(x, y)
    }

    #[inline(always)]
    pub fn gb(&self, u: f32, v: f32) -> &[u8] {
        let (x, y) = self.gl_to_px(u, v);
        self.pb(x, y)
    }

    #[inline(always)]
    fn gl_to_px(&self, u: f32, v: f32) -> (isize, isize) {
        // `as` saturates NaN/inf to 0/extremes, which the clamp then keeps inside the frame.
        (
            floor(u * self.w as f32) as isize,
            floor((1.0 - v) * self.h as f32) as isize,
        )
    }

    /// GLSL coordinates of the centre of pixel (x, y).
    #[inline(always)]
    pub fn uv(&self, x: usize, y: usize) -> (f32, f32) {
        ((x as f32 + 0.5) * self.iw, 1.0 - (y as f32 + 0.5) * self.ih)
    }
}

/// `out = a·(256 − m) + b·m` where `m = weight(x, y)` in `0..=256` is the incoming share.
pub fn mask(f: &Frames, out: &mut [u8], mut weight: impl FnMut(usize, usize) -> u32) {
    let stride = f.w * 4;
    for (y, ((o, a), b)) in out
        .chunks_exact_mut(stride)
        .zip(f.a.chunks_exact(stride))
        .zip(f.b.chunks_exact(stride))
        .enumerate()
    {
        for (x, ((o, a), b)) in o
            .chunks_exact_mut(4)
            .zip(a.chunks_exact(4))
            .zip(b.chunks_exact(4))
            .enumerate()
        {
            let m = weight(x, y).min(256);
            match m {
                0 => o[..3].copy_from_slice(&a[..3]),
                256 => o[..3].copy_from_slice(&b[..3]),
                _ => {
                    for c in 0..3 {
                        o[c] =
                            ((u32::from(a[c]) * (256 - m) + u32::from(b[c]) * m + 128) >> 8) as u8;
                    }
                }
            }
            o[3] = 255;
        }
    }
}

/// Writes every pixel from `pixel(x, y)`; for effects that sample both frames anywhere.
pub fn paint(f: &Frames, out: &mut [u8], mut pixel: impl FnMut(usize, usize) -> [u8; 3]) {
    for (y, row) in out.chunks_exact_mut(f.w * 4).enumerate() {
        for (x, o) in row.chunks_exact_mut(4).enumerate() {
            let c = pixel(x, y);
            o[..3].copy_from_slice(&c);
            o[3] = 255;
        }
    }
}

/// A weight in 0..=1 as the 0..=256 integer [`mask`] takes.
#[inline(always)]
pub fn w256(t: f32) -> u32 {
    (t.clamp(0.0, 1.0) * 256.0 + 0.5) as u32
}

/// `x·(1 − t) + y·t` per colour channel (GLSL `mix`).
#[inline(always)]
pub fn lerp(x: &[u8], y: &[u8], t: f32) -> [u8; 3] {
    let m = w256(t);
    let mut o = [0; 3];
    for c in 0..3 {
        o[c] = ((u32::from(x[c]) * (256 - m) + u32::from(y[c]) * m + 128) >> 8) as u8;
    }
    o
}

#[inline(always)]
pub fn rgb(p: &[u8]) -> [u8; 3] {
    [p[0], p[1], p[2]]
}

#[inline(always)]
pub fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

#[inline(always)]
pub fn fract(x: f32) -> f32 {
    x - floor(x)
}

/// `x.floor()` without the libm call baseline x86-64 makes for it; exact for |x| < 2³¹, and
/// saturating (NaN to 0) beyond, which the callers' clamps absorb.
#[inline(always)]
pub fn floor(x: f32) -> f32 {
    let t = x as i32 as f32;
    if t > x {
        t - 1.0
    } else {
        t
    }
}

/// Deterministic noise in [0, 1) for a lattice point; stands in for ffmpeg's `frand` and
/// GLSL's `fract(sin(dot(...)))`, which cost a `sin` per pixel and differ between platforms.
#[inline(always)]
pub fn rand(x: i32, y: i32) -> f32 {
    let mut h = (x as u32).wrapping_mul(0x8da6_b343) ^ (y as u32).wrapping_mul(0xd816_3841);
    h ^= h >> 16;
    h = h.wrapping_mul(0x7feb_352d);
    h ^= h >> 15;
    h = h.wrapping_mul(0x846c_a68b);
    h ^= h >> 16;
    (h >> 8) as f32 / (1u32 << 24) as f32
}

/// `atan2(y, x)` to within 2e-4 rad, several times cheaper than libm's in pixel loops.
#[inline(always)]
pub fn atan2(y: f32, x: f32) -> f32 {
    let (ax, ay) = (x.abs(), y.abs());
    let (mx, mn) = (ax.max(ay), ax.min(ay));
    if mx == 0.0 {
        return 0.0;
    }
    let a = mn / mx;
    let s = a * a;
    let mut r = ((-0.046_496_475 * s + 0.159_314_22) * s - 0.327_622_76) * s * a + a;
    if ay > ax {
        r = FRAC_PI_2 - r;
    }
    if x < 0.0 {
        r = PI - r;
    }
    if y < 0.0 {
        -r
    } else {
        r
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_atan2_matches_libm() {
        for i in -20..=20 {
            for j in -20..=20 {
                let (y, x) = (i as f32 * 0.37, j as f32 * 0.53);
                assert!((atan2(y, x) - y.atan2(x)).abs() < 3e-4, "{y} {x}");
            }
        }
    }

    #[test]
    fn rand_is_spread_over_the_unit_interval() {
        let n = 10_000;
        let mean: f32 = (0..n).map(|i| rand(i % 100, i / 100)).sum::<f32>() / n as f32;
        assert!((mean - 0.5).abs() < 0.02, "{mean}");
    }
}

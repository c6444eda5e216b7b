//! ffmpeg effects that sample away from the output pixel: `pixelize`, `hblur`, `zoomin`.
//! `q = 1 − p` is ffmpeg's progress.

use super::util::{lerp, paint, smoothstep, Frames};

/// `pixelize`: both clips are blocked up to squares of min(W, H)/10 at the midpoint while
/// they crossfade.
pub fn pixelize(f: &Frames, out: &mut [u8], p: f32) {
    let q = 1.0 - p;
    let d = q.min(p);
    let dist = (d * 50.0).ceil() / 50.0;
    let sq = 2.0 * dist * f.w.min(f.h) as f32 / 20.0;
    let centre = |i: usize, n: usize| -> isize {
        if dist > 0.0 {
            (((i as f32 / sq).floor() + 0.5) * sq).min(n as f32 - 1.0) as isize
        } else {
            i as isize
        }
    };
    let cols: Vec<isize> = (0..f.w).map(|x| centre(x, f.w)).collect();
    paint(f, out, |x, y| {
        let (sx, sy) = (cols[x], centre(y, f.h));
        lerp(f.pa(sx, sy), f.pb(sx, sy), p)
    });
}

/// `hblur`: both clips are smeared horizontally (a box up to half the width at the midpoint)
/// while they crossfade. The window runs forwards from each pixel, as in ffmpeg.
pub fn hblur(f: &Frames, out: &mut [u8], p: f32) {
    let q = 1.0 - p;
    let prog = if q <= 0.5 { q * 2.0 } else { (1.0 - q) * 2.0 };
    let size = (1 + ((f.w / 2) as f32 * prog) as usize).min(f.w);
    let wb = (p * 256.0).round() as u32;
    let stride = f.w * 4;
    for (y, o) in out.chunks_exact_mut(stride).enumerate() {
        let (a, b) = (&f.a[y * stride..][..stride], &f.b[y * stride..][..stride]);
        let mut sa = [0u32; 3];
        let mut sb = [0u32; 3];
        for x in 0..size {
            for c in 0..3 {
                sa[c] += u32::from(a[x * 4 + c]);
                sb[c] += u32::from(b[x * 4 + c]);
            }
        }
        let mut cnt = size as u32;
        for x in 0..f.w {
            for c in 0..3 {
                let mixed =
                    u64::from(sa[c]) * u64::from(256 - wb) + u64::from(sb[c]) * u64::from(wb);
                o[x * 4 + c] = ((mixed + u64::from(cnt) * 128) / (u64::from(cnt) * 256)) as u8;
            }
            o[x * 4 + 3] = 255;
            if x + size < f.w {
                for c in 0..3 {
                    sa[c] = sa[c] + u32::from(a[(x + size) * 4 + c]) - u32::from(a[x * 4 + c]);
                    sb[c] = sb[c] + u32::from(b[(x + size) * 4 + c]) - u32::from(b[x * 4 + c]);
                }
            } else {
                for c in 0..3 {
                    sa[c] -= u32::from(a[x * 4 + c]);
                    sb[c] -= u32::from(b[x * 4 + c]);
                }
                cnt = cnt.saturating_sub(1).max(1);
            }
        }
    }
}

/// `zoomin`: the outgoing clip zooms into its centre, then the incoming one fades in.
pub fn zoomin(f: &Frames, out: &mut [u8], p: f32) {
    let q = 1.0 - p;
    let zf = smoothstep(0.5, 1.0, q);
    let keep = smoothstep(0.0, 0.5, q);
    let (w, h) = (f.w as f32, f.h as f32);
    let cols: Vec<isize> = (0..f.w)
        .map(|x| ((0.5 + (x as f32 / w - 0.5) * zf) * (w - 1.0)).ceil() as isize)
        .collect();
    paint(f, out, |x, y| {
        let sy = ((0.5 + (y as f32 / h - 0.5) * zf) * (h - 1.0)).ceil() as isize;
        lerp(f.pb(x as isize, y as isize), f.pa(cols[x], sy), keep)
    });
}

/// gl `linearblur` (intensity 0.1): both clips blur, most at the midpoint, while they
/// crossfade. `out` holds the outgoing frame on entry; a box blur stands in for the shader's
/// 6×6 tap grid, which it approximates at a fraction of the cost.
pub fn linear_blur(out: &mut [u8], b: &[u8], w: usize, h: usize, p: f32) {
    let displacement = 0.1 * (0.5 - (0.5 - p).abs());
    let radius = (displacement * w.min(h) as f32 / 2.0).round() as u32;
    let mut incoming = b.to_vec();
    if radius > 0 {
        crate::render::blur::box_blur(out, w as u32, h as u32, radius, 1);
        crate::render::blur::box_blur(&mut incoming, w as u32, h as u32, radius, 1);
    }
    let m = (p.clamp(0.0, 1.0) * 256.0).round() as u32;
    for (o, i) in out.chunks_exact_mut(4).zip(incoming.chunks_exact(4)) {
        for c in 0..3 {
            o[c] = ((u32::from(o[c]) * (256 - m) + u32::from(i[c]) * m + 128) >> 8) as u8;
        }
        o[3] = 255;
    }
}

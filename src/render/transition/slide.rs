//! Effects that move whole rows or columns: ffmpeg's `slide*`, `cover*`, `reveal*` and
//! `squeeze*`, and the gl `squeeze`, `leftright`/`topbottom` and `bounce`. Sources are chosen
//! per column or per row once per frame, so the pixel loops only copy.

use super::util::{floor, lerp, paint, rgb, smoothstep, Frames};
use super::wipe::Dir;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Motion {
    /// Both clips move (`slide*`).
    Slide,
    /// The incoming clip moves in over the still outgoing one (`cover*`).
    Cover,
    /// The outgoing clip moves off the still incoming one (`reveal*`).
    Reveal,
}

/// Where one output column (or row) comes from: `(from the incoming frame, source index)`.
type Source = (bool, usize);

/// ffmpeg's slide/cover/reveal: at `z = ∓q·size` offset, output `i` reads `i + z`.
pub fn shift(f: &Frames, out: &mut [u8], p: f32, dir: Dir, motion: Motion) {
    let q = 1.0 - p;
    let horizontal = matches!(dir, Dir::Left | Dir::Right);
    let n = if horizontal { f.w } else { f.h };
    let sign = if matches!(dir, Dir::Left | Dir::Up) {
        -1.0
    } else {
        1.0
    };
    let z = (sign * q * n as f32) as i64;
    let map: Vec<Source> = (0..n)
        .map(|i| {
            let zi = i as i64 + z;
            let wrapped = zi.rem_euclid(n as i64) as usize;
            let inside = (0..n as i64).contains(&zi);
            match (motion, inside) {
                (Motion::Slide, inside) => (inside, wrapped),
                (Motion::Cover, true) | (Motion::Reveal, false) => (inside, wrapped),
                (Motion::Cover, false) | (Motion::Reveal, true) => (inside, i),
            }
        })
        .collect();
    if horizontal {
        columns(f, out, &map);
    } else {
        rows(f, out, &map);
    }
}

/// ffmpeg `squeezeh` (the outgoing clip is squashed towards the middle row) and `squeezev`
/// (towards the middle column), uncovering the incoming clip.
pub fn squeeze(f: &Frames, out: &mut [u8], p: f32, rows_axis: bool) {
    let q = 1.0 - p;
    let n = if rows_axis { f.h } else { f.w };
    let size = n as f32;
    let map: Vec<Source> = (0..n)
        .map(|i| {
            let z = 0.5 + (i as f32 / size - 0.5) / q;
            if (0.0..=1.0).contains(&z) {
                (false, (z * (size - 1.0)).round() as usize)
            } else {
                (true, i)
            }
        })
        .collect();
    if rows_axis {
        rows(f, out, &map);
    } else {
        columns(f, out, &map);
    }
}

fn columns(f: &Frames, out: &mut [u8], map: &[Source]) {
    let stride = f.w * 4;
    for (y, row) in out.chunks_exact_mut(stride).enumerate() {
        let (ra, rb) = (&f.a[y * stride..][..stride], &f.b[y * stride..][..stride]);
        for (o, &(from_b, sx)) in row.chunks_exact_mut(4).zip(map) {
            let src = if from_b { rb } else { ra };
            o.copy_from_slice(&src[sx * 4..sx * 4 + 4]);
        }
    }
}

fn rows(f: &Frames, out: &mut [u8], map: &[Source]) {
    let stride = f.w * 4;
    for (row, &(from_b, sy)) in out.chunks_exact_mut(stride).zip(map) {
        let src = if from_b { f.b } else { f.a };
        row.copy_from_slice(&src[sy * stride..][..stride]);
    }
}

/// gl `squeeze`: the outgoing clip collapses vertically with its colour channels pulled apart.
pub fn gl_squeeze(f: &Frames, out: &mut [u8], p: f32) {
    const SEPARATION: f32 = 0.04;
    let off = p * SEPARATION;
    let h = f.h as f32;
    let row_of = |v: f32| floor((1.0 - v) * h) as isize;
    paint(f, out, |x, y| {
        let v = 1.0 - (y as f32 + 0.5) / h;
        let sv = 0.5 + (v - 0.5) / (1.0 - p);
        let x = x as isize;
        if !(0.0..=1.0).contains(&sv) {
            return rgb(f.pb(x, y as isize));
        }
        [
            f.pa(x, row_of(sv - off))[0],
            f.pa(x, row_of(sv))[1],
            f.pa(x, row_of(sv + off))[2],
        ]
    });
}

/// gl `leftright` / `topbottom`: the incoming clip slides in while the outgoing one recedes
/// and darkens behind it.
pub fn push_back(f: &Frames, out: &mut [u8], p: f32, vertical: bool) {
    let size = 1.0 + 2.0 * p * 0.2;
    let dim = 1.0 - p;
    let fade = [0u8; 3];
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (iu, iv) = if vertical {
            (u, v + (1.0 - p))
        } else {
            (u - (1.0 - p), v)
        };
        let inside = |a: f32, b: f32| a > 0.0 && a < 1.0 && b > 0.0 && b < 1.0;
        if inside(iu, iv) {
            return rgb(f.gb(iu, iv));
        }
        let (su, sv) = ((u - 0.5) * size + 0.5, (v - 0.5) * size + 0.5);
        if inside(su, sv) {
            lerp(&fade, f.ga(su, sv), dim)
        } else {
            fade
        }
    });
}

/// gl `bounce`: the outgoing clip drops off the bottom, bouncing, over the incoming one with
/// a shadow under its top edge.
pub fn bounce(f: &Frames, out: &mut [u8], p: f32) {
    const BOUNCES: f32 = 3.0;
    const SHADOW_H: f32 = 0.075;
    const SHADOW_A: f32 = 0.6;
    let stime = (p * std::f32::consts::FRAC_PI_2).sin();
    let top = (p * std::f32::consts::PI * BOUNCES).cos().abs() * (1.0 - stime);
    let settle = smoothstep(0.95, 1.0, p);
    let stride = f.w * 4;
    let h = f.h as f32;
    for (y, row) in out.chunks_exact_mut(stride).enumerate() {
        let v = 1.0 - (y as f32 + 0.5) / h;
        let d = v - top;
        if d <= 0.0 {
            let sy = (((1.0 - (v + 1.0 - top)) * h).floor() as isize).clamp(0, f.h as isize - 1);
            row.copy_from_slice(&f.a[sy as usize * stride..][..stride]);
            continue;
        }
        let src = &f.b[y * stride..][..stride];
        let shade = if d <= SHADOW_H {
            1.0 - (d / SHADOW_H * SHADOW_A + (1.0 - SHADOW_A)) * (1.0 - settle) - settle
        } else {
            0.0
        };
        let keep = ((1.0 - shade.clamp(0.0, 1.0)) * 256.0) as u32;
        for (o, s) in row.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
            for c in 0..3 {
                o[c] = ((u32::from(s[c]) * keep) >> 8) as u8;
            }
            o[3] = 255;
        }
    }
}

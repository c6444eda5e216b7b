//! gl-transitions that burn, melt or flare: CPU versions of the shaders' ideas (their noise
//! textures are replaced by the lattice hash of [`rand`]).

use std::f32::consts::PI;

use super::util::{atan2, lerp, paint, rand, rgb, smoothstep, Frames};

/// `undulatingburnout`: a hole with a wavy, dark-scorched rim burns outwards from the centre.
pub fn undulating_burnout(f: &Frames, out: &mut [u8], p: f32) {
    const RIM: f32 = 0.06;
    let ratio = f.w as f32 / f.h as f32;
    // Far enough at p = 1 to have burnt past the corners, waves included.
    let reach = p * ((0.5 * ratio).hypot(0.5) + RIM + 0.1);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (dx, dy) = ((u - 0.5) * ratio, v - 0.5);
        let angle = atan2(dy, dx);
        let wave = 0.04 * (angle * 7.0 + p * 9.0).sin() * p;
        let d = dx.hypot(dy) + wave + 0.04 * p;
        if d < reach - RIM {
            rgb(f.gb(u, v))
        } else if d < reach {
            // The scorched rim: from the incoming clip through black to the outgoing one.
            let t = (reach - d) / RIM;
            let black = [0u8; 3];
            if t > 0.5 {
                lerp(&black, f.gb(u, v), (t - 0.5) * 2.0)
            } else {
                lerp(f.ga(u, v), &black, t * 2.0)
            }
        } else {
            rgb(f.ga(u, v))
        }
    });
}

/// `filmburn`: a warm light leak drifts across and flares at the midpoint while the clips
/// crossfade under it.
pub fn film_burn(f: &Frames, out: &mut [u8], p: f32) {
    let flare = (p * PI).sin();
    let (cu, cv) = (0.15 + 0.7 * p, 0.5 + 0.25 * (p * 2.0 * PI).sin());
    let mix = smoothstep(0.25, 0.75, p);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let d2 = (u - cu) * (u - cu) + (v - cv) * (v - cv);
        let glow = flare * (1.0 - d2 * 2.5).max(0.0);
        let base = lerp(f.ga(u, v), f.gb(u, v), mix);
        let warm = [255.0, 150.0, 60.0];
        std::array::from_fn(|c| (f32::from(base[c]) + warm[c] * glow).min(255.0) as u8)
    });
}

/// `luminance_melt`: the outgoing clip drips downwards, brightest parts first, each column
/// at its own speed, uncovering the incoming clip.
pub fn luminance_melt(f: &Frames, out: &mut [u8], p: f32) {
    let h = f.h as f32;
    let speeds: Vec<f32> = (0..f.w)
        .map(|x| {
            let cell = (x * 24 / f.w.max(1)) as i32;
            let t = (x as f32 * 24.0 / f.w as f32).fract();
            let (a, b) = (rand(cell, 3), rand(cell + 1, 3));
            1.0 + a + (b - a) * t * t * (3.0 - 2.0 * t)
        })
        .collect();
    paint(f, out, |x, y| {
        let drop = p * p * speeds[x] * h;
        let sy = y as f32 - drop;
        if sy < 0.0 {
            return rgb(f.pb(x as isize, y as isize));
        }
        let a = f.pa(x as isize, sy as isize);
        let luma = (u32::from(a[0]) * 54 + u32::from(a[1]) * 183 + u32::from(a[2]) * 19) >> 8;
        // Bright pixels melt away first.
        let gone = smoothstep(0.0, 0.3, (luma as f32 / 255.0) * 0.6 + p * 1.3 - 0.7);
        lerp(a, f.pb(x as isize, y as isize), gone)
    });
}

/// `dreamyzoom` (rotation 6°, scale 1.2): the outgoing clip turns and grows into a white
/// flash, from which the incoming clip settles back.
pub fn dreamy_zoom(f: &Frames, out: &mut [u8], p: f32) {
    let first = p < 0.5;
    let phase = if first { p * 2.0 } else { (p - 0.5) * 2.0 };
    let angle = 6f32.to_radians() * if first { phase } else { phase - 1.0 };
    let scale = if first {
        1.0 + 0.2 * phase
    } else {
        1.2 - 0.2 * phase
    };
    let white = 1.0 - (2.0 * p - 1.0).abs();
    let (s, c) = angle.sin_cos();
    let ratio = f.w as f32 / f.h as f32;
    let white_px = [255u8; 3];
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (dx, dy) = ((u - 0.5) * ratio, v - 0.5);
        let (rx, ry) = ((dx * c - dy * s) / scale, (dx * s + dy * c) / scale);
        let (su, sv) = (rx / ratio + 0.5, ry + 0.5);
        let px = if first { f.ga(su, sv) } else { f.gb(su, sv) };
        lerp(px, &white_px, white * 0.85)
    });
}

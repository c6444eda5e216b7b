//! gl-transitions that sample the frames away from the output pixel (zooms, ripples,
//! twists): CPU versions of the shaders with their default parameters, nearest sampling in
//! GLSL coordinates. Per-frame trigonometry is hoisted out of the pixel loops.

use std::f32::consts::PI;

use super::util::{floor, lerp, paint, rand, smoothstep, Frames};

/// `simplezoom` (quickness 0.8): the outgoing clip zooms in, then the incoming one fades in.
pub fn simple_zoom(f: &Frames, out: &mut [u8], p: f32) {
    let zoom = 1.0 - smoothstep(0.0, 0.8, p);
    let fade = smoothstep(0.6, 1.0, p);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let a = f.ga(0.5 + (u - 0.5) * zoom, 0.5 + (v - 0.5) * zoom);
        lerp(a, f.gb(u, v), fade)
    });
}

/// `crosswarp`: a left-to-right front shrinks the outgoing clip into the centre while the
/// incoming one grows out of it.
pub fn cross_warp(f: &Frames, out: &mut [u8], p: f32) {
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let t = smoothstep(0.0, 1.0, p * 2.0 + u - 1.0);
        let a = f.ga((u - 0.5) * (1.0 - t) + 0.5, (v - 0.5) * (1.0 - t) + 0.5);
        let b = f.gb((u - 0.5) * t + 0.5, (v - 0.5) * t + 0.5);
        lerp(a, b, t)
    });
}

/// `directionalwarp` (direction (−1, 1), smoothness 0.5): crosswarp along a diagonal front.
pub fn directional_warp(f: &Frames, out: &mut [u8], p: f32) {
    let front = -0.5 + p * 1.5;
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let m = 1.0 - smoothstep(-0.5, 0.0, -0.5 * u + 0.5 * v - front);
        let a = f.ga((u - 0.5) * (1.0 - m) + 0.5, (v - 0.5) * (1.0 - m) + 0.5);
        let b = f.gb((u - 0.5) * m + 0.5, (v - 0.5) * m + 0.5);
        lerp(a, b, m)
    });
}

/// `morph` (strength 0.1): each frame is pushed along a vector taken from both frames' colours.
pub fn morph(f: &Frames, out: &mut [u8], p: f32) {
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (ca, cb) = (f.pa(x as isize, y as isize), f.pb(x as isize, y as isize));
        let off = |c: &[u8]| {
            let n = |i: usize| f32::from(c[i]) / 255.0;
            (n(0) + n(2) - 1.0, n(1) + n(2) - 1.0)
        };
        let (oa, ob) = (off(ca), off(cb));
        let (ox, oy) = ((oa.0 + ob.0) * 0.05, (oa.1 + ob.1) * 0.05);
        let a = f.ga(u + ox * p, v + oy * p);
        let b = f.gb(u - ox * (1.0 - p), v - oy * (1.0 - p));
        lerp(a, b, p)
    });
}

/// `ripple` (amplitude 100, speed 50): concentric waves run through the outgoing clip.
pub fn ripple(f: &Frames, out: &mut [u8], p: f32) {
    let fade = smoothstep(0.2, 1.0, p);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (dx, dy) = (u - 0.5, v - 0.5);
        let dist = dx.hypot(dy);
        let k = ((p * dist * 100.0 - p * 50.0).sin() + 0.5) / 30.0;
        lerp(f.ga(u + dx * k, v + dy * k), f.gb(u, v), fade)
    });
}

/// `waterdrop` (amplitude 30, speed 30): a ring of waves spreads from the centre.
pub fn waterdrop(f: &Frames, out: &mut [u8], p: f32) {
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (dx, dy) = (u - 0.5, v - 0.5);
        let dist = dx.hypot(dy);
        let a = if dist > p {
            f.ga(u, v)
        } else {
            let k = (dist * 30.0 - p * 30.0).sin();
            f.ga(u + dx * k, v + dy * k)
        };
        lerp(a, f.gb(u, v), p)
    });
}

/// `swirl`: both frames are twisted about the centre, most at the midpoint.
pub fn swirl(f: &Frames, out: &mut [u8], p: f32) {
    let amount = if p <= 0.5 { p * 2.0 } else { 2.0 - p * 2.0 };
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (mut dx, mut dy) = (u - 0.5, v - 0.5);
        let dist = dx.hypot(dy);
        if dist < 1.0 {
            let pc = 1.0 - dist;
            let (s, c) = (pc * pc * amount * 8.0 * PI).sin_cos();
            (dx, dy) = (dx * c - dy * s, dx * s + dy * c);
        }
        let (su, sv) = (dx + 0.5, dy + 0.5);
        lerp(f.ga(su, sv), f.gb(su, sv), p)
    });
}

/// `dreamy`: columns wave up and down while the clips crossfade.
pub fn dreamy(f: &Frames, out: &mut [u8], p: f32) {
    let shift = |t: f32, u: f32| 0.03 * t * (10.0 * (t + u)).cos();
    let cols: Vec<(f32, f32)> = (0..f.w)
        .map(|x| {
            let u = f.uv(x, 0).0;
            (shift(p, u), shift(1.0 - p, u))
        })
        .collect();
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (sa, sb) = cols[x];
        lerp(f.ga(u, v + sa), f.gb(u, v + sb), p)
    });
}

/// `flyeye` (size 0.04, zoom 50, colour separation 0.3): an insect-eye lattice distorts both
/// frames, splitting the outgoing clip's colours.
pub fn fly_eye(f: &Frames, out: &mut [u8], p: f32) {
    let cols: Vec<f32> = (0..f.w)
        .map(|x| 0.04 * (50.0 * f.uv(x, 0).0).cos())
        .collect();
    let inv = 1.0 - p;
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (ox, oy) = (cols[x], 0.04 * (50.0 * v).sin());
        let b = f.gb(u + inv * ox, v + inv * oy);
        let r = f.ga(u + p * ox * 0.7, v + p * oy * 0.7)[0];
        let g = f.ga(u + p * ox, v + p * oy)[1];
        let bl = f.ga(u + p * ox * 1.3, v + p * oy * 1.3)[2];
        lerp(&[r, g, bl], b, p)
    });
}

/// `kaleidoscope` (speed 1, angle 1, power 1.5): the frame folds into mirrored shards.
pub fn kaleidoscope(f: &Frames, out: &mut [u8], p: f32) {
    const LANES: usize = 4;
    let t0 = p.powf(1.5);
    let turns: [(f32, f32); 7] = std::array::from_fn(|i| (t0 + i as f32).sin_cos());
    let fold = 1.0 - 2.0 * (p - 0.5).abs();
    // GLSL `mod(x, 2.0)` is x − 2·floor(x / 2).
    let mirror = |x: f32| (x - 2.0 * floor(x * 0.5) - 1.0).abs();
    for (y, row) in out.chunks_exact_mut(f.w * 4).enumerate() {
        // The seven folds are one long dependency chain per pixel; running four pixels in
        // lockstep lets the CPU overlap them (about 2× faster than one at a time).
        for (chunk, px_out) in row.chunks_mut(LANES * 4).enumerate() {
            let x0 = chunk * LANES;
            let n = px_out.len() / 4;
            let mut px = [0f32; LANES];
            let mut py = [0f32; LANES];
            for l in 0..LANES {
                let (u, v) = f.uv(x0 + l.min(n - 1), y);
                (px[l], py[l]) = (u - 0.5, v - 0.5);
            }
            for &(s, c) in &turns {
                for l in 0..LANES {
                    let (a, b) = (s * px[l] + c * py[l], s * py[l] - c * px[l]);
                    (px[l], py[l]) = (mirror(a), mirror(b));
                }
            }
            for (l, o) in px_out.chunks_exact_mut(4).enumerate() {
                let (u, v) = f.uv(x0 + l, y);
                let plain = lerp(f.ga(u, v), f.gb(u, v), p);
                let shard = lerp(f.ga(px[l], py[l]), f.gb(px[l], py[l]), p);
                o[..3].copy_from_slice(&lerp(&plain, &shard, fold));
                o[3] = 255;
            }
        }
    }
}

/// `rotate_scale_fade` (one turn, scale 8, grey background): both frames spin and shrink
/// towards the midpoint.
pub fn rotate_scale_fade(f: &Frames, out: &mut [u8], p: f32) {
    let (s, c) = (2.0 * PI * p).sin_cos();
    let scale = 8.0 + (1.0 - 8.0) * 2.0 * (p - 0.5).abs();
    let back = [38u8; 3];
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (dx, dy) = (u - 0.5, v - 0.5);
        let (ru, rv) = (
            0.5 + (dx * c - dy * s) / scale,
            0.5 + (dx * s + dy * c) / scale,
        );
        if !(0.0..=1.0).contains(&ru) || !(0.0..=1.0).contains(&rv) {
            return back;
        }
        lerp(f.ga(ru, rv), f.gb(ru, rv), p)
    });
}

/// `zoomincircles`: rings of the outgoing clip zoom at different rates, then cut away.
pub fn zoom_in_circles(f: &Frames, out: &mut [u8], p: f32) {
    let ratio = f.w as f32 / f.h as f32;
    let pro = p / 0.8;
    let (z, t) = if pro > 1.0 {
        (0.2 + (pro - 1.0) * 5.0, ((p - 0.8) / 0.07).clamp(0.0, 1.0))
    } else {
        (pro * 0.2, 0.0)
    };
    let zoom = |c: f32, amount: f32| {
        let k = if amount < 0.5 { 1.0 - amount } else { amount };
        0.5 + (c - 0.5) * k
    };
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let r = (2.0 * (u - 0.5)).hypot(2.0 * (v - 0.5) / ratio);
        let (amount, t) = if r < 0.5 + z {
            (0.9 - 0.1 * pro, t)
        } else if r < 0.8 + z * 1.5 {
            (1.0 - 0.15 * pro, t * 0.5)
        } else if r < 1.2 + z * 2.5 {
            (1.0 - 0.2 * pro, t * 0.2)
        } else {
            (1.0 - 0.25 * pro, t)
        };
        let (su, sv) = (zoom(u, amount), zoom(v, amount));
        lerp(f.ga(su, sv), f.gb(su, sv), t)
    });
}

/// `crosszoom` (strength 0.4): a zoom blur towards a drifting centre while the clips
/// crossfade on an exponential curve. Six jittered taps instead of the shader's forty; the
/// crossfade is linear, so each frame's taps are summed once and mixed at the end.
pub fn cross_zoom(f: &Frames, out: &mut [u8], p: f32) {
    const TAPS: usize = 6;
    let (cu, cv) = (0.25 + 0.5 * p, 0.5);
    let dissolve = expo_in_out(p);
    let strength = -0.4 / 2.0 * ((PI * p / 0.5).cos() - 1.0);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (tx, ty) = ((cu - u) * strength, (cv - v) * strength);
        let jitter = rand(x as i32, y as i32);
        let (mut sa, mut sb) = ([0u32; 3], [0u32; 3]);
        let mut total = 0;
        for t in 0..TAPS {
            let pc = (t as f32 + jitter) / TAPS as f32;
            // Weights 4·(pc − pc²) in 1/256 steps.
            let weight = (1024.0 * (pc - pc * pc)) as u32 + 1;
            let (su, sv) = (u + tx * pc, v + ty * pc);
            let (a, b) = (f.ga(su, sv), f.gb(su, sv));
            for c in 0..3 {
                sa[c] += u32::from(a[c]) * weight;
                sb[c] += u32::from(b[c]) * weight;
            }
            total += weight;
        }
        let (ma, mb) = (sa.map(|s| (s / total) as u8), sb.map(|s| (s / total) as u8));
        lerp(&ma, &mb, dissolve)
    });
}

fn expo_in_out(t: f32) -> f32 {
    if t <= 0.0 {
        return 0.0;
    }
    if t >= 1.0 {
        return 1.0;
    }
    let t = t * 2.0;
    if t < 1.0 {
        0.5 * 2f32.powf(10.0 * (t - 1.0))
    } else {
        0.5 * (2.0 - 2f32.powf(-10.0 * (t - 1.0)))
    }
}

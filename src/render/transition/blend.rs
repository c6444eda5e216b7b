//! Effects where each output pixel depends only on the two input pixels at the same place.
//! `p` is our progress (0 = all outgoing); `q = 1 − p` is ffmpeg's, whose formulas these follow.

use super::util::{lerp, mask, paint, rand, smoothstep, w256, Frames};

/// ffmpeg `fadegrays`: each clip passes through its own grey version.
pub fn fadegrays(f: &Frames, out: &mut [u8], p: f32) {
    let q = 1.0 - p;
    let s1 = smoothstep(0.8, 1.0, q);
    let s2 = smoothstep(0.2, 1.0, q);
    // out = q·(a·s1 + grey(a)·(1−s1)) + p·(grey(b)·s2 + b·(1−s2)), as 1/65536 weights.
    let k = |x: f32| (x * 65536.0 + 0.5) as u64;
    let (wa, wga, wgb) = (k(q * s1), k(q * (1.0 - s1)), k(p * s2));
    let wb = 65536 - wa - wga - wgb;
    paint(f, out, |x, y| {
        let i = (y * f.w + x) * 4;
        let (a, b) = (&f.a[i..i + 3], &f.b[i..i + 3]);
        let ga = (u64::from(a[0]) + u64::from(a[1]) + u64::from(a[2])) / 3;
        let gb = (u64::from(b[0]) + u64::from(b[1]) + u64::from(b[2])) / 3;
        let mut o = [0; 3];
        for c in 0..3 {
            o[c] = ((u64::from(a[c]) * wa + ga * wga + gb * wgb + u64::from(b[c]) * wb + 32768)
                >> 16) as u8;
        }
        o
    });
}

/// ffmpeg `fadefast` / `fadeslow`: the crossfade curve bends by how different the two channel
/// values are, so unlike areas change sooner (fast) or later (slow).
pub fn fade_by_difference(f: &Frames, out: &mut [u8], p: f32, fast: bool) {
    let q = 1.0 - p;
    // Weight of the outgoing value for every possible |a − b|, so the loop has no `powf`.
    let mut lut = [0u32; 256];
    for (d, slot) in lut.iter_mut().enumerate() {
        let diff = d as f32 / 255.0;
        let exp = 1.0
            + if fast {
                (1.0 + diff).ln()
            } else {
                (2.0 - diff).ln()
            };
        *slot = w256(q.powf(exp));
    }
    for ((o, a), b) in out
        .chunks_exact_mut(4)
        .zip(f.a.chunks_exact(4))
        .zip(f.b.chunks_exact(4))
    {
        for c in 0..3 {
            let (x, y) = (u32::from(a[c]), u32::from(b[c]));
            let wa = lut[x.abs_diff(y) as usize];
            o[c] = ((x * wa + y * (256 - wa) + 128) >> 8) as u8;
        }
        o[3] = 255;
    }
}

/// ffmpeg `distance`: pixels whose colours are close swap first, the rest crossfade.
pub fn distance(f: &Frames, out: &mut [u8], p: f32) {
    let q = 1.0 - p;
    // sqrt(Σ((a−b)/255)²) <= q, compared squared in integers.
    let limit = (q * 255.0) * (q * 255.0);
    let wq = w256(q);
    mask(f, out, |x, y| {
        let i = (y * f.w + x) * 4;
        let d2: i32 = (0..3)
            .map(|c| {
                let d = i32::from(f.a[i + c]) - i32::from(f.b[i + c]);
                d * d
            })
            .sum();
        if d2 as f32 <= limit {
            256 - wq
        } else {
            256
        }
    });
}

/// ffmpeg `dissolve`: every pixel switches at its own noise threshold.
pub fn noise_dissolve(f: &Frames, out: &mut [u8], p: f32) {
    mask(
        f,
        out,
        |x, y| {
            if rand(x as i32, y as i32) < p {
                256
            } else {
                0
            }
        },
    );
}

/// gl `colordistance`: close colours switch at once, the rest follow `p⁵`.
pub fn colordistance(f: &Frames, out: &mut [u8], p: f32) {
    let limit = (p * 255.0) * (p * 255.0);
    let tail = p.powi(5);
    mask(f, out, |x, y| {
        let i = (y * f.w + x) * 4;
        let d2: i32 = (0..3)
            .map(|c| {
                let d = i32::from(f.a[i + c]) - i32::from(f.b[i + c]);
                d * d
            })
            .sum();
        if d2 as f32 <= limit {
            256
        } else {
            w256(tail)
        }
    });
}

/// gl `multiply_blend`: through the product of the two frames.
pub fn multiply(f: &Frames, out: &mut [u8], p: f32) {
    let (t, towards_b) = if p < 0.5 {
        (2.0 * p, false)
    } else {
        (2.0 * p - 1.0, true)
    };
    paint(f, out, |x, y| {
        let i = (y * f.w + x) * 4;
        let (a, b) = (&f.a[i..i + 3], &f.b[i..i + 3]);
        let mut m = [0u8; 3];
        for c in 0..3 {
            m[c] = ((u32::from(a[c]) * u32::from(b[c]) + 127) / 255) as u8;
        }
        if towards_b {
            lerp(&m, b, t)
        } else {
            lerp(a, &m, t)
        }
    });
}

/// gl `burn`: both frames are pushed towards a hot orange while they cross.
pub fn burn(f: &Frames, out: &mut [u8], p: f32) {
    const COLOR: [f32; 3] = [0.9, 0.4, 0.2];
    let add_a = COLOR.map(|c| (c * p * 255.0) as u32);
    let add_b = COLOR.map(|c| (c * (1.0 - p) * 255.0) as u32);
    paint(f, out, |x, y| {
        let i = (y * f.w + x) * 4;
        let mut a = [0u8; 3];
        let mut b = [0u8; 3];
        for c in 0..3 {
            a[c] = (u32::from(f.a[i + c]) + add_a[c]).min(255) as u8;
            b[c] = (u32::from(f.b[i + c]) + add_b[c]).min(255) as u8;
        }
        lerp(&a, &b, p)
    });
}

/// gl `colorphase`: red changes first, then green, then blue.
pub fn colorphase(f: &Frames, out: &mut [u8], p: f32) {
    const FROM: [f32; 3] = [0.0, 0.2, 0.4];
    const TO: [f32; 3] = [0.6, 0.8, 1.0];
    let w: [u32; 3] = std::array::from_fn(|c| w256(smoothstep(FROM[c], TO[c], p)));
    for ((o, a), b) in out
        .chunks_exact_mut(4)
        .zip(f.a.chunks_exact(4))
        .zip(f.b.chunks_exact(4))
    {
        for c in 0..3 {
            o[c] = ((u32::from(a[c]) * (256 - w[c]) + u32::from(b[c]) * w[c] + 128) >> 8) as u8;
        }
        o[3] = 255;
    }
}

//! gl-transitions that move the frames as rigid pieces: `cube`, `doorway`, `mosaic` and the
//! two glitches. GLSL coordinates (origin bottom-left), default shader parameters, nearest
//! sampling; the floor reflections use the shaders' 0.4 strength.

use std::f32::consts::PI;

use super::util::{floor, fract, lerp, paint, rand, rgb, w256, Frames};

/// One channel of `x·(256 − m) + y·m`.
#[inline(always)]
fn mix1(x: u8, y: u8, m: u32) -> u8 {
    ((u32::from(x) * (256 - m) + u32::from(y) * m + 128) >> 8) as u8
}

const REFLECTION: f32 = 0.4;

fn inside(u: f32, v: f32) -> bool {
    u > 0.0 && u < 1.0 && v > 0.0 && v < 1.0
}

/// The shaders' `xskew` for a face hinged on its left (`right_hinge = false`) or right edge.
fn xskew(u: f32, v: f32, persp: f32, right_hinge: bool) -> (f32, f32) {
    let x = if right_hinge { 1.0 - u } else { u };
    (u, (v - 0.5 * (1.0 - persp) * x) / (1.0 + (persp - 1.0) * x))
}

/// Adds a frame's floor reflection at `(u, v)` when the mirrored point lands on it.
fn reflect(acc: &mut [f32; 3], px: &[u8], v: f32) {
    let k = REFLECTION * (1.0 - v);
    for c in 0..3 {
        acc[c] += f32::from(px[c]) * k;
    }
}

/// `cube` (perspective 0.7, unzoom 0.3, reflection 0.4, floating 3): the frames are two faces
/// of a cube turning right to left.
pub fn cube(f: &Frames, out: &mut [u8], p: f32) {
    const PERSP: f32 = 0.7;
    let uz = 0.3 * 2.0 * (0.5 - (0.5 - p).abs());
    let from_persp = 1.0 - p * (1.0 - PERSP);
    let to_persp = p * p * (1.0 - PERSP) + PERSP;
    let project = |(u, v): (f32, f32)| (u, -1.2 * v - 0.03);
    paint(f, out, |x, y| {
        let (ou, ov) = f.uv(x, y);
        let (u, v) = (-uz * 0.5 + (1.0 + uz) * ou, -uz * 0.5 + (1.0 + uz) * ov);
        let fp = xskew((u - p) / (1.0 - p), v, from_persp, false);
        if inside(fp.0, fp.1) {
            return rgb(f.ga(fp.0, fp.1));
        }
        let tp = xskew(u / p, v, to_persp, true);
        if inside(tp.0, tp.1) {
            return rgb(f.gb(tp.0, tp.1));
        }
        let mut acc = [0f32; 3];
        let (fu, fv) = project(fp);
        if inside(fu, fv) {
            reflect(&mut acc, f.ga(fu, fv), fv);
        }
        let (tu, tv) = project(tp);
        if inside(tu, tv) {
            reflect(&mut acc, f.gb(tu, tv), tv);
        }
        acc.map(|c| c.min(255.0) as u8)
    });
}

/// `doorway` (reflection 0.4, perspective 0.4, depth 3): the outgoing clip opens like double
/// doors onto the incoming one, which approaches from the distance.
pub fn doorway(f: &Frames, out: &mut [u8], p: f32) {
    let size = 1.0 + 2.0 * (1.0 - p);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let slit = 2.0 * (u - 0.5).abs() - p;
        if slit > 0.0 {
            let fu = u + if u > 0.5 { -0.5 * p } else { 0.5 * p };
            let d = 1.0 / (1.0 + 0.4 * p * (1.0 - slit));
            let fv = (v - d / 2.0) * d + d / 2.0;
            if inside(fu, fv) {
                return rgb(f.ga(fu, fv));
            }
        }
        let (tu, tv) = ((u - 0.5) * size + 0.5, (v - 0.5) * size + 0.5);
        if inside(tu, tv) {
            return rgb(f.gb(tu, tv));
        }
        let (ru, rv) = (tu, -1.2 * tv - 0.02);
        let mut acc = [0f32; 3];
        if inside(ru, rv) {
            reflect(&mut acc, f.gb(ru, rv), rv);
        }
        acc.map(|c| c.min(255.0) as u8)
    });
}

/// `mosaic` (end tile (2, −1)): the view pulls back over a wall of rotated tiles of both
/// clips and pans to the tile holding the incoming one.
pub fn mosaic(f: &Frames, out: &mut [u8], p: f32) {
    let rpr = p * 2.0 - 1.0;
    let z = (3.0 - rpr * rpr * 2.0).abs();
    let ease = -(p * PI).cos() / 2.0 + 0.5;
    let pan = ease * ease;
    let (ox, oy) = (0.5 + 2.0 * pan, 0.5 - pan);
    // The shader's hash is 0 at tile (0, 0), which keeps the start frame upright and outgoing.
    let tile_rand = |i: i32, j: i32| if (i, j) == (0, 0) { 0.0 } else { rand(i, j) };
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (ru, rv) = ((u - 0.5) * z + ox, (v - 0.5) * z + oy);
        let (ti, tj) = (floor(ru) as i32, floor(rv) as i32);
        let (mut mu, mut mv) = (fract(ru), fract(rv));
        let on_end = (ti, tj) == (2, -1);
        let r = tile_rand(ti, tj);
        if !on_end {
            // Quarter turns about the tile centre.
            for _ in 0..((r * 4.0) as u32).min(3) {
                (mu, mv) = (1.0 - mv, mu);
            }
        }
        if on_end || r > 0.5 {
            rgb(f.gb(mu, mv))
        } else {
            rgb(f.ga(mu, mv))
        }
    });
}

/// `glitchmemories`: 16-pixel blocks jump about with their colour channels split, settling
/// as the incoming clip takes over.
pub fn glitch_memories(f: &Frames, out: &mut [u8], p: f32) {
    let (sx, sy) = ((p * 1200.0).floor() as i32, (p * 3500.0).floor() as i32);
    let amount = 0.3 * (1.0 - p);
    let m = w256(p);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (bx, by) = ((x / 16) as i32, (y / 16) as i32);
        let dx = (rand(bx + sx, by) - 0.5) * amount;
        let dy = (rand(bx, by + sy) - 0.5) * amount;
        let chan = |k: f32, c: usize| {
            let (su, sv) = (u + dx * k, v + dy * k);
            mix1(f.ga(su, sv)[c], f.gb(su, sv)[c], m)
        };
        [chan(0.2, 0), chan(0.3, 1), chan(0.5, 2)]
    });
}

/// `glitchdisplace`: horizontal bands tear sideways with split colours, strongest at the
/// midpoint, while the clips crossfade.
pub fn glitch_displace(f: &Frames, out: &mut [u8], p: f32) {
    let band_h = (f.h / 16).max(1);
    let step = (p * 24.0).floor() as i32;
    let strength = 0.2 * (p * PI).sin();
    let m = w256(p);
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let shift = (rand((y / band_h) as i32, step) - 0.5) * strength;
        let chan = |k: f32, c: usize| {
            let su = u + shift * k;
            mix1(f.ga(su, v)[c], f.gb(su, v)[c], m)
        };
        [chan(1.5, 0), chan(1.0, 1), chan(0.5, 2)]
    });
}

/// `invertedpagecurl`: the outgoing page peels from the bottom-right corner towards the
/// top-left, its back (a faint mirror of the page) folded over it, uncovering the incoming
/// clip. A flat fold with shading stands in for the shader's cylinder.
pub fn page_curl(f: &Frames, out: &mut [u8], p: f32) {
    let ratio = f.w as f32 / f.h as f32;
    // Unit direction from the bottom-right corner to the top-left one, in square units.
    let len = ratio.hypot(1.0);
    let (dx, dy) = (-ratio / len, 1.0 / len);
    let fold = p * len * 1.02;
    let paper = [235u8, 235, 230];
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        // Distance along the diagonal from the corner (u = 1, v = 0 in GLSL coordinates).
        let t = (u - 1.0) * ratio * dx + v * dy;
        if t < fold {
            let b = rgb(f.gb(u, v));
            // The lifted page casts a short shadow beyond the fold.
            let shade = ((fold - t) / 0.05).clamp(0.0, 1.0) * 0.6 + 0.4;
            return lerp(&[0; 3], &b, shade);
        }
        // Mirror across the fold: the flap's back lies over the page here if its source is
        // on the page.
        let back = 2.0 * (t - fold);
        let (su, sv) = (u - back * dx / ratio, v - back * dy);
        if su > 0.0 && su < 1.0 && sv > 0.0 && sv < 1.0 {
            let shade = 1.0 - 0.35 * (1.0 - ((t - fold) / 0.15).min(1.0));
            let back_side = lerp(f.ga(su, sv), &paper, 0.7);
            lerp(&[0; 3], &back_side, shade)
        } else {
            rgb(f.ga(u, v))
        }
    });
}

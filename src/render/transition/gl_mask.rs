//! gl-transitions whose output at a pixel is the two frames' pixels there, mixed by a
//! pattern: CPU versions of the shaders' formulas (default parameters), in GLSL coordinates
//! (origin bottom-left, 0..1) via [`Frames::uv`].

use std::f32::consts::{FRAC_PI_4, PI};

use super::util::{atan2, floor, fract, mask, paint, rand, rgb, smoothstep, w256, Frames};

fn on(b: bool) -> u32 {
    if b {
        256
    } else {
        0
    }
}

/// `directionalwipe` (direction (1, −1), smoothness 0.5): a soft diagonal edge.
pub fn directional_wipe(f: &Frames, out: &mut [u8], p: f32) {
    let (vx, vy) = (0.5, -0.5);
    let front = -0.5 + p * 1.5;
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        w256(1.0 - smoothstep(-0.5, 0.0, vx * u + vy * v - front))
    });
}

/// `squareswire` (10×10 squares, direction (1, −0.5), smoothness 1.6): squares grow from
/// their centres behind a diagonal front.
pub fn squares_wire(f: &Frames, out: &mut [u8], p: f32) {
    let (vx, vy) = (2.0 / 3.0, -1.0 / 3.0);
    let front = 1.0 / 6.0 - 0.5 + p * 2.6;
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let pr = smoothstep(-1.6, 0.0, vx * u + vy * v - front);
        let (sx, sy) = (fract(u * 10.0), fract(v * 10.0));
        let (lo, hi) = (pr / 2.0, 1.0 - pr / 2.0);
        on(p > 0.0 && sx >= lo && sy >= lo && sx <= hi && sy <= hi)
    });
}

/// `windowslice` (10 slices, smoothness 0.5): vertical slats open left to right.
pub fn window_slice(f: &Frames, out: &mut [u8], p: f32) {
    mask(f, out, |x, y| {
        let (u, _) = f.uv(x, y);
        let pr = smoothstep(-0.5, 0.0, u - p * 1.5);
        on(fract(10.0 * u) >= pr)
    });
}

/// `windowblinds`: alternate horizontal bands run ahead of the crossfade.
pub fn window_blinds(f: &Frames, out: &mut [u8], p: f32) {
    let settle = smoothstep(0.8, 1.0, p);
    mask(f, out, |x, y| {
        let (_, v) = f.uv(x, y);
        let band = floor(v * 100.0 * p);
        let t = if band.rem_euclid(2.0) == 0.0 {
            p * 1.5
        } else {
            p
        };
        w256(t * (1.0 - settle) + p * settle)
    });
}

/// `randomsquares` (10×10, smoothness 0.5): squares switch in random order.
pub fn random_squares(f: &Frames, out: &mut [u8], p: f32) {
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let r = rand(floor(u * 10.0) as i32, floor(v * 10.0) as i32);
        w256(smoothstep(0.0, -0.5, r - p * 1.5))
    });
}

/// `polkadotscurtain` (20 dots, centre bottom-left): dots grow fastest near the corner.
pub fn polka_dots(f: &Frames, out: &mut [u8], p: f32) {
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (dx, dy) = (fract(u * 20.0) - 0.5, fract(v * 20.0) - 0.5);
        on(dx.hypot(dy) < p / u.hypot(v))
    });
}

/// `heart`: a heart centred at (0.5, 0.4) grows to fill the frame.
pub fn heart(f: &Frames, out: &mut [u8], p: f32) {
    if p <= 0.0 {
        return mask(f, out, |_, _| 0);
    }
    let scale = 1.0 / (1.6 * p);
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (ox, oy) = ((u - 0.5) * scale, (v - 0.4) * scale);
        let a = ox * ox + oy * oy - 0.3;
        on(a * a * a <= ox * ox * oy * oy * oy)
    });
}

/// `pinwheel` (speed 2): eight blades sweep round the centre.
pub fn pinwheel(f: &Frames, out: &mut [u8], p: f32) {
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let pos = atan2(v - 0.5, u - 0.5) + p * 2.0;
        on(p > pos.rem_euclid(FRAC_PI_4))
    });
}

/// `angular` (starting at 90°): one clock hand sweeps a full turn.
pub fn angular(f: &Frames, out: &mut [u8], p: f32) {
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let angle = atan2(v - 0.5, u - 0.5) + PI / 2.0;
        on(p >= fract((angle + PI) / (2.0 * PI)))
    });
}

/// `bowtiehorizontal` / `bowtievertical`: two wedges grow from opposite edges and meet in
/// the middle.
pub fn bowtie(f: &Frames, out: &mut [u8], p: f32, vertical: bool) {
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (along, across) = if vertical { (v, u) } else { (u, v) };
        on((across - 0.5).abs() < (along - 0.5).abs() - 0.5 + 1.5 * p)
    });
}

/// gl `circle`: the outgoing clip shrinks to a dot on black, the incoming one grows from it.
pub fn circle(f: &Frames, out: &mut [u8], p: f32) {
    let radius = 8f32.sqrt() * (p - 0.5).abs();
    let src = if p < 0.5 { f.a } else { f.b };
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        if (u - 0.5).hypot(v - 0.5) > radius {
            [0, 0, 0]
        } else {
            let i = (y * f.w + x) * 4;
            rgb(&src[i..i + 3])
        }
    });
}

/// `crosshatch`: random horizontal and vertical scratches spread from the centre.
pub fn crosshatch(f: &Frames, out: &mut [u8], p: f32) {
    let (fade_in, settle) = (smoothstep(0.0, 0.1, p), smoothstep(0.9, 1.0, p));
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let dist = (u - 0.5).hypot(v - 0.5) / 3.0;
        let r = p - rand(y as i32, 0).min(rand(0, x as i32 + 7919));
        let hit = if dist <= r { 1.0 } else { 0.0 };
        w256((hit * (1.0 - settle) + settle) * fade_in)
    });
}

/// `perlin` (scale 4, smoothness 0.01): value-noise blotches switch from dark to bright.
pub fn perlin(f: &Frames, out: &mut [u8], p: f32) {
    const S: f32 = 0.01;
    let centre = -S + (1.0 + 2.0 * S) * p;
    mask(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (sx, sy) = (u * 4.0, v * 4.0);
        let (ix, iy) = (floor(sx) as i32, floor(sy) as i32);
        let (fx, fy) = (fract(sx), fract(sy));
        let (a, b) = (rand(ix, iy), rand(ix + 1, iy));
        let (c, d) = (rand(ix, iy + 1), rand(ix + 1, iy + 1));
        let (ux, uy) = (fx * fx * (3.0 - 2.0 * fx), fy * fy * (3.0 - 2.0 * fy));
        let n = a + (b - a) * ux + (c - a) * uy * (1.0 - ux) + (d - b) * ux * uy;
        w256(1.0 - smoothstep(centre - S, centre + S, n))
    });
}

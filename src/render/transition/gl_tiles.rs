//! gl-transitions built on a tiling of the frame: `gridflip` and `hexagonalize`.

use super::util::{floor, lerp, paint, rand, rgb, smoothstep, Frames};

/// `gridflip` (4×4 tiles, pause 0.1, divider 0.05, randomness 0.1): black gaps open between
/// the tiles, each tile flips over at its own pace, then the gaps close on the incoming clip.
pub fn grid_flip(f: &Frames, out: &mut [u8], p: f32) {
    const N: f32 = 4.0;
    const PAUSE: f32 = 0.1;
    let divider = (1.0 / N) * 0.05;
    let on_divider = |u: f32, v: f32| {
        let (cx, cy) = (floor(u * N), floor(v * N));
        let dx = (u - cx / N).abs().min((u - (cx + 1.0) / N).abs());
        let dy = (v - cy / N).abs().min((v - (cy + 1.0) / N).abs());
        dx.min(dy) < divider
    };
    let black = [0u8; 3];
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        if p < PAUSE {
            let a = if on_divider(u, v) {
                1.0 - p / PAUSE
            } else {
                1.0
            };
            return lerp(&black, f.ga(u, v), a);
        }
        if p >= 1.0 - PAUSE {
            let a = if on_divider(u, v) {
                (p - 1.0 + PAUSE) / PAUSE
            } else {
                1.0
            };
            return lerp(&black, f.gb(u, v), a);
        }
        if on_divider(u, v) {
            return black;
        }
        let prog = (p - PAUSE) / (1.0 - PAUSE * 2.0);
        let (cx, cy) = (floor(u * N), floor(v * N));
        let r = rand(cx as i32, cy as i32) - 0.1;
        let cp = smoothstep(0.0, 1.0 - r, prog);
        let left = cx / N;
        let mid = 1.0 / N / 2.0 + left;
        let half = (cp - 0.5).abs();
        if (N * (u - left) - 0.5).abs() > half {
            return black;
        }
        let su = (u - mid) / half.max(1e-6) * 0.5 + mid;
        if cp <= 0.5 {
            rgb(f.ga(su, v))
        } else {
            rgb(f.gb(su, v))
        }
    });
}

/// `hexagonalize` (50 steps, 20 hexagons across): pixelize with hexagonal cells.
pub fn hexagonalize(f: &Frames, out: &mut [u8], p: f32) {
    let ratio = f.w as f32 / f.h as f32;
    let dist = (2.0 * p.min(1.0 - p) * 50.0).ceil() / 50.0;
    let size = (3f32.sqrt() / 3.0) * dist / 20.0;
    let sqrt3 = 3f32.sqrt();
    paint(f, out, |x, y| {
        let (u, v) = f.uv(x, y);
        let (su, sv) = if dist > 0.0 {
            let (px, py) = ((u - 0.5) / size, (v / ratio - 0.5) / size);
            let (q, r) = hex_round(sqrt3 / 3.0 * px - py / 3.0, 2.0 / 3.0 * py);
            let cx = (sqrt3 * q + sqrt3 / 2.0 * r) * size + 0.5;
            let cy = (1.5 * r * size + 0.5) * ratio;
            (cx, cy)
        } else {
            (u, v)
        };
        lerp(f.ga(su, sv), f.gb(su, sv), p)
    });
}

/// Rounds fractional axial hexagon coordinates to the hexagon containing them.
fn hex_round(q: f32, r: f32) -> (f32, f32) {
    let s = -q - r;
    let (mut rq, mut rr, rs) = (floor(q + 0.5), floor(r + 0.5), floor(s + 0.5));
    let (dq, dr, ds) = ((rq - q).abs(), (rr - r).abs(), (rs - s).abs());
    if dq > dr && dq > ds {
        rq = -rr - rs;
    } else if dr > ds {
        rr = -rq - rs;
    }
    (rq, rr)
}

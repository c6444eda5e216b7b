//! ffmpeg's centred shapes: crops through black (`circlecrop`, `rectcrop`), soft irises
//! (`circleopen/close`), barn doors (`vert*`, `horz*`) and the clock sweep (`radial`).
//! `q = 1 − p` is ffmpeg's progress.

use std::f32::consts::PI;

use super::util::{atan2, mask, paint, rgb, smoothstep, w256, Frames};

/// `circlecrop` (circle) / `rectcrop`: the outgoing clip shrinks to a point on black, then
/// the incoming one grows out of it.
pub fn crop(f: &Frames, out: &mut [u8], p: f32, circle: bool) {
    let q = 1.0 - p;
    let (cx, cy) = ((f.w / 2) as f32, (f.h / 2) as f32);
    let src = if q < 0.5 { f.b } else { f.a };
    let r = (2.0 * (q - 0.5).abs()).powi(3) * cx.hypot(cy);
    let zw = ((q - 0.5).abs() * f.w as f32) as i64;
    let zh = ((q - 0.5).abs() * f.h as f32) as i64;
    paint(f, out, |x, y| {
        let inside = if circle {
            let (dx, dy) = (x as f32 - cx, y as f32 - cy);
            dx * dx + dy * dy <= r * r
        } else {
            (x as i64 - (f.w / 2) as i64).abs() < zw && (y as i64 - (f.h / 2) as i64).abs() < zh
        };
        if inside {
            let i = (y * f.w + x) * 4;
            rgb(&src[i..i + 3])
        } else {
            [0, 0, 0]
        }
    });
}

/// `circleopen` (the incoming clip opens from the centre) / `circleclose` (from the edges).
pub fn iris(f: &Frames, out: &mut [u8], p: f32, open: bool) {
    let q = 1.0 - p;
    let (cx, cy) = ((f.w / 2) as f32, (f.h / 2) as f32);
    let z = cx.hypot(cy).max(1.0);
    let shift = if open {
        (q - 0.5) * 3.0
    } else {
        (0.5 - q) * 3.0
    };
    mask(f, out, |x, y| {
        let r = (x as f32 - cx).hypot(y as f32 - cy) / z;
        let s = smoothstep(0.0, 1.0, r + shift);
        // circleopen's `s` is the outgoing share, circleclose's the incoming one.
        w256(if open { 1.0 - s } else { s })
    });
}

/// `vertopen`/`vertclose` (vertical doors, `horizontal = false`) and `horzopen`/`horzclose`.
pub fn doors(f: &Frames, out: &mut [u8], p: f32, horizontal: bool, open: bool) {
    let q2 = (1.0 - p) * 2.0;
    let (w2, h2) = (f.w as f32 / 2.0, f.h as f32 / 2.0);
    mask(f, out, |x, y| {
        let d = if horizontal {
            ((y as f32 - h2) / h2).abs()
        } else {
            ((x as f32 - w2) / w2).abs()
        };
        let base = if open { 2.0 - d } else { 1.0 + d };
        w256(smoothstep(0.0, 1.0, base - q2))
    });
}

/// `radial`: a soft clock hand sweeps the incoming clip in.
pub fn radial(f: &Frames, out: &mut [u8], p: f32) {
    let turn = (0.5 - p) * (PI * 2.5);
    let (cx, cy) = ((f.w / 2) as f32, (f.h / 2) as f32);
    mask(f, out, |x, y| {
        let a = atan2(x as f32 - cx, y as f32 - cy) - turn;
        w256(smoothstep(0.0, 1.0, a))
    });
}

//! ffmpeg's edge wipes: hard (`wipe*`), soft (`smooth*`, `diag*`), striped (`*slice`) and
//! ragged (`*wind`). Each is a mask over same-place pixels; `q = 1 − p` is ffmpeg's progress.

use super::util::{fract, mask, rand, smoothstep, w256, Frames};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dir {
    Left,
    Right,
    Up,
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Corner {
    TopLeft,
    TopRight,
    BottomLeft,
    BottomRight,
}

/// `wipeleft` etc.: a hard edge; in `wipeleft` the incoming clip appears at the right edge and
/// the boundary travels left (ffmpeg: `x > W·q` shows the second input).
pub fn wipe(f: &Frames, out: &mut [u8], p: f32, dir: Dir) {
    let q = 1.0 - p;
    let (w, h) = (f.w as f32, f.h as f32);
    let incoming = |on: bool| if on { 256 } else { 0 };
    match dir {
        Dir::Left => {
            let z = (w * q) as usize;
            mask(f, out, |x, _| incoming(x > z));
        }
        Dir::Right => {
            let z = (w * p) as usize;
            mask(f, out, |x, _| incoming(x <= z));
        }
        Dir::Up => {
            let z = (h * q) as usize;
            mask(f, out, |_, y| incoming(y > z));
        }
        Dir::Down => {
            let z = (h * p) as usize;
            mask(f, out, |_, y| incoming(y <= z));
        }
    }
}

/// `wipetl` etc.: the outgoing clip shrinks into the named corner.
pub fn wipe_corner(f: &Frames, out: &mut [u8], p: f32, corner: Corner) {
    let q = 1.0 - p;
    let (w, h) = (f.w as f32, f.h as f32);
    let (zw_q, zh_q) = ((w * q) as usize, (h * q) as usize);
    let (zw_p, zh_p) = ((w * p) as usize, (h * p) as usize);
    let incoming = |keep_a: bool| if keep_a { 0 } else { 256 };
    match corner {
        Corner::TopLeft => mask(f, out, |x, y| incoming(y <= zh_q && x <= zw_q)),
        Corner::TopRight => mask(f, out, |x, y| incoming(y <= zh_q && x > zw_p)),
        Corner::BottomLeft => mask(f, out, |x, y| incoming(y > zh_p && x <= zw_q)),
        Corner::BottomRight => mask(f, out, |x, y| incoming(y > zh_p && x > zw_p)),
    }
}

/// How far along the sweep of `dir` the pixel (x, y) lies, 0 at the edge it starts from.
fn along(dir: Dir, x: f32, y: f32, w: f32, h: f32) -> f32 {
    match dir {
        Dir::Left => x / w,
        Dir::Right => (w - 1.0 - x) / w,
        Dir::Up => y / h,
        Dir::Down => (h - 1.0 - y) / h,
    }
}

/// `smoothleft` etc.: a soft edge half a frame wide sweeping across.
pub fn smooth(f: &Frames, out: &mut [u8], p: f32, dir: Dir) {
    let q2 = (1.0 - p) * 2.0;
    let (w, h) = (f.w as f32, f.h as f32);
    mask(f, out, |x, y| {
        let t = along(dir, x as f32, y as f32, w, h);
        w256(smoothstep(0.0, 1.0, 1.0 + t - q2))
    });
}

/// `diagtl` etc.: a soft edge shaped by x·y, starting from the opposite corner.
pub fn diag(f: &Frames, out: &mut [u8], p: f32, corner: Corner) {
    let q2 = (1.0 - p) * 2.0;
    let (w, h) = (f.w as f32, f.h as f32);
    mask(f, out, |x, y| {
        let (x, y) = (x as f32, y as f32);
        let (fx, fy) = match corner {
            Corner::TopLeft => (x / w, y / h),
            Corner::TopRight => ((w - 1.0 - x) / w, y / h),
            Corner::BottomLeft => (x / w, (h - 1.0 - y) / h),
            Corner::BottomRight => ((w - 1.0 - x) / w, (h - 1.0 - y) / h),
        };
        w256(smoothstep(0.0, 1.0, 1.0 + fx * fy - q2))
    });
}

/// `hlslice` etc.: ten stripes, each switching as a soft front passes it.
pub fn slice(f: &Frames, out: &mut [u8], p: f32, dir: Dir) {
    let q15 = (1.0 - p) * 1.5;
    let (w, h) = (f.w as f32, f.h as f32);
    mask(f, out, |x, y| {
        let t = along(dir, x as f32, y as f32, w, h);
        let s = smoothstep(-0.5, 0.0, t - q15);
        if s <= fract(10.0 * t) {
            0
        } else {
            256
        }
    });
}

/// `hlwind` etc.: a soft front with a random lead per row (or column), like wind-blown sand.
pub fn wind(f: &Frames, out: &mut [u8], p: f32, dir: Dir) {
    let lead = p * 1.2;
    let (w, h) = (f.w as f32, f.h as f32);
    mask(f, out, |x, y| {
        let (fx, r) = match dir {
            Dir::Left => (1.0 - x as f32 / w, rand(0, y as i32)),
            Dir::Right => (x as f32 / w, rand(0, y as i32)),
            Dir::Up => (1.0 - y as f32 / h, rand(x as i32, 0)),
            Dir::Down => (y as f32 / h, rand(x as i32, 0)),
        };
        w256(smoothstep(0.0, -0.2, fx * 0.8 + 0.2 * r - lead))
    });
}

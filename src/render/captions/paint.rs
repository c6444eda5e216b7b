//! Per-frame caption drawing: parts of a prepared sprite over the frame, some scaled.

use fast_image_resize::{FilterType, Resizer};

use super::group::Piece;
use crate::render::fit::SrcRect;
use crate::render::pixels::{composite_over, over_row, Pixmap};
use crate::render::resample::{resample, Alpha};

/// A frame to draw on and where the caption's sprites sit on it.
pub struct Target<'a> {
    pub data: &'a mut [u8],
    pub width: u32,
    pub height: u32,
    /// The sprites' top-left corner on the frame.
    pub x: i64,
    pub y: i64,
}

/// Draws the sprite columns `x0..x1` of `piece`'s rows over the frame.
pub fn columns(target: &mut Target<'_>, sprite: &Pixmap, piece: &Piece, x0: i32, x1: i32) {
    let (sw, sh) = (sprite.width as i64, sprite.height as i64);
    let (x0, x1) = (i64::from(x0).max(0), i64::from(x1).min(sw));
    let (y0, y1) = (i64::from(piece.y0).max(0), i64::from(piece.y1).min(sh));
    // The same rectangle on the frame, clipped to it.
    let (fx0, fx1) = (
        (target.x + x0).max(0),
        (target.x + x1).min(i64::from(target.width)),
    );
    let (fy0, fy1) = (
        (target.y + y0).max(0),
        (target.y + y1).min(i64::from(target.height)),
    );
    if fx0 >= fx1 || fy0 >= fy1 {
        return;
    }
    let n = (fx1 - fx0) as usize * 4;
    let fstride = target.width as usize * 4;
    let sstride = sprite.width as usize * 4;
    for fy in fy0..fy1 {
        let sy = (fy - target.y) as usize;
        let sx = (fx0 - target.x) as usize;
        let d0 = fy as usize * fstride + fx0 as usize * 4;
        let s0 = sy * sstride + sx * 4;
        over_row(&mut target.data[d0..d0 + n], &sprite.data[s0..s0 + n]);
    }
}

/// Draws `piece` of `sprite` scaled by `scale` about its centre.
pub fn scaled(
    target: &mut Target<'_>,
    sprite: &Pixmap,
    piece: &Piece,
    scale: f32,
    resizer: &mut Resizer,
    scratch: &mut Vec<u8>,
) {
    let x0 = piece.x0.max(0);
    let x1 = piece.x1.min(sprite.width as i32);
    let y0 = piece.y0.max(0);
    let y1 = piece.y1.min(sprite.height as i32);
    let (w, h) = (x1 - x0, y1 - y0);
    if w <= 0 || h <= 0 {
        return;
    }
    let dw = ((w as f32 * scale).round() as u32).max(1);
    let dh = ((h as f32 * scale).round() as u32).max(1);
    scratch.clear();
    scratch.resize(dw as usize * dh as usize * 4, 0);
    let crop = SrcRect {
        left: f64::from(x0),
        top: f64::from(y0),
        width: f64::from(w),
        height: f64::from(h),
    };
    // Bilinear never rings, so premultiplied pixels stay valid (colour ≤ alpha).
    let done = resample(
        resizer,
        sprite.view(),
        crop,
        scratch,
        dw,
        dh,
        FilterType::Bilinear,
        Alpha::Premultiplied,
    );
    if let Err(e) = done {
        tracing::error!(error = %e, "caption word skipped");
        return;
    }
    let cx = target.x + i64::from(x0) + i64::from(w) / 2;
    let cy = target.y + i64::from(y0) + i64::from(h) / 2;
    let view = crate::render::pixels::View {
        data: scratch,
        width: dw,
        height: dh,
    };
    composite_over(
        target.data,
        target.width,
        target.height,
        view,
        cx - i64::from(dw) / 2,
        cy - i64::from(dh) / 2,
    );
}

//! Geometry of the resize modes (§4.4, §7.3): which part of a source lands where in a target.

use crate::scene::{BoxRect, CropPosition};

/// A rectangle in source pixels; fractional so crops stay sub-pixel exact.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SrcRect {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

/// A rectangle in target pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DstRect {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
}

/// `cover`: the largest window of the source with the target's aspect ratio, placed along each
/// axis by the crop anchor (0 = start edge, 1 = end edge).
pub fn cover_crop(sw: u32, sh: u32, tw: u32, th: u32, crop: CropPosition) -> SrcRect {
    let (ax, ay) = crop.anchor();
    let (sw, sh) = (f64::from(sw), f64::from(sh));
    let scale = (f64::from(tw) / sw).max(f64::from(th) / sh);
    let width = (f64::from(tw) / scale).min(sw);
    let height = (f64::from(th) / scale).min(sh);
    SrcRect {
        left: (sw - width) * f64::from(ax),
        top: (sh - height) * f64::from(ay),
        width,
        height,
    }
}

/// `contain`: where the whole source sits, centred and aspect-kept, inside the target.
pub fn contain_rect(sw: u32, sh: u32, tw: u32, th: u32) -> DstRect {
    let scale = (f64::from(tw) / f64::from(sw)).min(f64::from(th) / f64::from(sh));
    let width = ((f64::from(sw) * scale).round() as u32).clamp(1, tw);
    let height = ((f64::from(sh) * scale).round() as u32).clamp(1, th);
    DstRect {
        x: (tw - width) / 2,
        y: (th - height) / 2,
        width,
        height,
    }
}

/// The box size of a positioned image (§7.3): the given width, and the given height or one
/// that keeps the source's aspect ratio, rounded to even like ffmpeg's `scale=w:-2`.
pub fn box_size(rect: &BoxRect, sw: u32, sh: u32) -> (u32, u32) {
    let width = rect.width.max(1);
    let height = match rect.height {
        Some(h) => h.max(1),
        None => {
            let h = f64::from(width) * f64::from(sh) / f64::from(sw);
            (((h / 2.0).round() as u32) * 2).max(2)
        }
    };
    (width, height)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cover_of_a_wide_source_crops_the_sides() {
        let r = cover_crop(400, 100, 100, 100, CropPosition::Center);
        assert_eq!(
            r,
            SrcRect {
                left: 150.0,
                top: 0.0,
                width: 100.0,
                height: 100.0
            }
        );
        assert_eq!(cover_crop(400, 100, 100, 100, CropPosition::Left).left, 0.0);
        assert_eq!(
            cover_crop(400, 100, 100, 100, CropPosition::Right).left,
            300.0
        );
    }

    #[test]
    fn cover_of_a_tall_source_crops_top_and_bottom() {
        let r = cover_crop(100, 400, 200, 100, CropPosition::Bottom);
        assert_eq!(r.width, 100.0);
        assert_eq!(r.height, 50.0);
        assert_eq!(r.top, 350.0);
    }

    #[test]
    fn contain_centres_the_source() {
        assert_eq!(
            contain_rect(100, 100, 320, 180),
            DstRect {
                x: 70,
                y: 0,
                width: 180,
                height: 180
            }
        );
    }

    #[test]
    fn box_keeps_aspect_when_height_is_absent() {
        let rect = BoxRect {
            left: 0,
            top: 0,
            width: 101,
            height: None,
        };
        assert_eq!(box_size(&rect, 400, 300), (101, 76));
    }
}

//! Fitting a decoded image into a layer's target size per its resize mode (§4.4), once.

use fast_image_resize::{FilterType, Resizer};
use image::RgbaImage;

use super::blur::box_blur;
use super::fit::{contain_rect, cover_crop};
use super::pixels::{self, Pixmap, View};
use super::resample::{premultiply_in_place, resample, whole, Alpha, FRAME_FILTER, PREPARE_FILTER};
use super::RenderError;
use crate::scene::{CropPosition, Resize};

/// The contain-blur background is blurred at this fraction of the target size: a heavy blur
/// leaves no detail a bilinear upscale could lose, and it is 16× less work.
const BLUR_DOWNSCALE: u32 = 4;

/// ffmpeg `boxblur=20:5` on a 1080-line frame, as a fraction of the target's shorter side.
const BLUR_RADIUS: f64 = 20.0 / 1080.0;
const BLUR_PASSES: u32 = 5;

/// The source image and what is known about it.
#[derive(Clone, Copy)]
pub struct Source<'a> {
    pub image: &'a RgbaImage,
    /// Whether any pixel is not fully opaque.
    pub has_alpha: bool,
    /// A video picture, replaced every frame or two: fitted with the per-frame filter, since
    /// Lanczos' extra sharpness is invisible in motion and costs ≈ 1.5× the time.
    pub moving: bool,
}

impl Source<'_> {
    fn view(&self) -> View<'_> {
        View {
            data: self.image.as_raw(),
            width: self.image.width(),
            height: self.image.height(),
        }
    }

    fn alpha(&self) -> Alpha {
        if self.has_alpha {
            Alpha::Straight
        } else {
            Alpha::Premultiplied
        }
    }
}

/// Returns a `width`×`height` premultiplied image of `src` fitted per `resize`. Where
/// `contain` leaves bars they are transparent: on a full-frame layer they show the clip's black
/// background (§4.4's padding), on a positioned one whatever lies below.
pub fn fit(
    resizer: &mut Resizer,
    src: Source<'_>,
    width: u32,
    height: u32,
    resize: Resize,
    crop: CropPosition,
) -> Result<Pixmap, RenderError> {
    let (sw, sh) = (src.image.width(), src.image.height());
    match resize {
        Resize::Cover => scaled(
            resizer,
            src,
            cover_crop(sw, sh, width, height, crop),
            width,
            height,
        ),
        Resize::Stretch => scaled(resizer, src, whole(sw, sh), width, height),
        Resize::Contain => {
            let mut out = Pixmap::new(width, height);
            draw_contained(resizer, src, &mut out)?;
            Ok(out)
        }
        Resize::ContainBlur => {
            let mut out = blurred_cover(resizer, src, width, height, crop)?;
            draw_contained(resizer, src, &mut out)?;
            Ok(out)
        }
    }
}

/// The `crop` window of the source resampled to `width`×`height`, premultiplied.
fn scaled(
    resizer: &mut Resizer,
    src: Source<'_>,
    crop: super::fit::SrcRect,
    width: u32,
    height: u32,
) -> Result<Pixmap, RenderError> {
    let mut out = Pixmap::new(width, height);
    resample(
        resizer,
        src.view(),
        crop,
        &mut out.data,
        width,
        height,
        if src.moving {
            FRAME_FILTER
        } else {
            PREPARE_FILTER
        },
        src.alpha(),
    )?;
    if src.has_alpha {
        premultiply_in_place(&mut out.data, width, height)?;
    }
    Ok(out)
}

/// Draws the whole source, aspect kept and centred, over `out`.
fn draw_contained(
    resizer: &mut Resizer,
    src: Source<'_>,
    out: &mut Pixmap,
) -> Result<(), RenderError> {
    let (sw, sh) = (src.image.width(), src.image.height());
    let r = contain_rect(sw, sh, out.width, out.height);
    let inner = scaled(resizer, src, whole(sw, sh), r.width, r.height)?;
    if src.has_alpha {
        pixels::composite_over_transparent(
            &mut out.data,
            out.width,
            out.height,
            inner.view(),
            i64::from(r.x),
            i64::from(r.y),
        );
    } else {
        pixels::copy_into(
            &mut out.data,
            out.width,
            out.height,
            inner.view(),
            i64::from(r.x),
            i64::from(r.y),
        );
    }
    Ok(())
}

/// A heavily blurred cover-fit copy of the source (the contain-blur background).
fn blurred_cover(
    resizer: &mut Resizer,
    src: Source<'_>,
    width: u32,
    height: u32,
    crop: CropPosition,
) -> Result<Pixmap, RenderError> {
    let (bw, bh) = (
        (width / BLUR_DOWNSCALE).max(1),
        (height / BLUR_DOWNSCALE).max(1),
    );
    let (sw, sh) = (src.image.width(), src.image.height());
    let mut small = scaled(resizer, src, cover_crop(sw, sh, bw, bh, crop), bw, bh)?;
    let radius = (BLUR_RADIUS * f64::from(width.min(height)) / f64::from(BLUR_DOWNSCALE))
        .round()
        .max(1.0) as u32;
    box_blur(&mut small.data, bw, bh, radius, BLUR_PASSES);
    let mut out = Pixmap::new(width, height);
    resample(
        resizer,
        small.view(),
        whole(bw, bh),
        &mut out.data,
        width,
        height,
        FilterType::Bilinear,
        Alpha::Premultiplied,
    )?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    /// Left half red, right half blue.
    fn halves(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, _| {
            if x < w / 2 {
                Rgba([255, 0, 0, 255])
            } else {
                Rgba([0, 0, 255, 255])
            }
        })
    }

    fn px(p: &Pixmap, x: u32, y: u32) -> [u8; 4] {
        let i = ((y * p.width + x) * 4) as usize;
        [p.data[i], p.data[i + 1], p.data[i + 2], p.data[i + 3]]
    }

    fn opaque(image: &RgbaImage) -> Source<'_> {
        Source {
            image,
            has_alpha: false,
            moving: false,
        }
    }

    #[test]
    fn contain_leaves_transparent_bars() {
        let img = halves(100, 100);
        let mut r = Resizer::new();
        let out = fit(
            &mut r,
            opaque(&img),
            200,
            100,
            Resize::Contain,
            CropPosition::Center,
        )
        .expect("fit");
        assert_eq!(px(&out, 10, 50)[3], 0);
        assert_eq!(px(&out, 60, 50), [255, 0, 0, 255]);
        assert_eq!(px(&out, 140, 50), [0, 0, 255, 255]);
        assert_eq!(px(&out, 190, 50)[3], 0);
    }

    #[test]
    fn contain_blur_fills_the_bars() {
        let img = halves(100, 100);
        let mut r = Resizer::new();
        let out = fit(
            &mut r,
            opaque(&img),
            200,
            100,
            Resize::ContainBlur,
            CropPosition::Center,
        )
        .expect("fit");
        assert!(out.is_opaque());
        let bar = px(&out, 5, 50);
        assert!(bar[0] > 100, "the left bar shows blurred red: {bar:?}");
    }

    #[test]
    fn straight_alpha_is_premultiplied() {
        let img = RgbaImage::from_pixel(10, 10, Rgba([200, 100, 50, 128]));
        let mut r = Resizer::new();
        let src = Source {
            image: &img,
            has_alpha: true,
            moving: false,
        };
        let out = fit(&mut r, src, 20, 20, Resize::Stretch, CropPosition::Center).expect("fit");
        let p = px(&out, 10, 10);
        assert_eq!(p[3], 128);
        assert!((i32::from(p[0]) - 100).abs() <= 1, "{p:?}");
    }
}

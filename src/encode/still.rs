//! Single pictures of a frame: the JPEG thumbnail and PNG stills.

use fast_image_resize::images::{Image, ImageRef};
use fast_image_resize::{FilterType, PixelType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::{ExtendedColorType, ImageEncoder, RgbaImage};

use super::EncodeError;

/// Thumbnails wider than this are scaled down (aspect kept).
pub const THUMBNAIL_MAX_WIDTH: u32 = 1280;
const JPEG_QUALITY: u8 = 85;

/// Frames are opaque, so stills drop the alpha channel (smaller files, and JPEG has none).
fn rgb_bytes(frame: &[u8]) -> Vec<u8> {
    frame
        .chunks_exact(4)
        .flat_map(|p| [p[0], p[1], p[2]])
        .collect()
}

/// A JPEG of an opaque frame, scaled to at most [`THUMBNAIL_MAX_WIDTH`] wide.
pub fn thumbnail_jpeg(frame: &RgbaImage) -> Result<Vec<u8>, EncodeError> {
    let (w, h) = frame.dimensions();
    let (tw, th) = if w > THUMBNAIL_MAX_WIDTH {
        let th = (f64::from(h) * f64::from(THUMBNAIL_MAX_WIDTH) / f64::from(w)).round() as u32;
        (THUMBNAIL_MAX_WIDTH, th.max(1))
    } else {
        (w, h)
    };
    let rgb = if (tw, th) == (w, h) {
        rgb_bytes(frame.as_raw())
    } else {
        let src = ImageRef::new(w, h, frame.as_raw(), PixelType::U8x4)
            .map_err(|e| EncodeError::Still(e.to_string()))?;
        let mut dst = Image::new(tw, th, PixelType::U8x4);
        let options = ResizeOptions::new()
            .resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3))
            .use_alpha(false);
        Resizer::new()
            .resize(&src, &mut dst, &options)
            .map_err(|e| EncodeError::Still(e.to_string()))?;
        rgb_bytes(dst.buffer())
    };
    let mut out = Vec::new();
    JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .write_image(&rgb, tw, th, ExtendedColorType::Rgb8)
        .map_err(|e| EncodeError::Still(e.to_string()))?;
    Ok(out)
}

/// A PNG of an opaque frame.
pub fn png(frame: &RgbaImage) -> Result<Vec<u8>, EncodeError> {
    let (w, h) = frame.dimensions();
    let mut out = Vec::new();
    PngEncoder::new_with_quality(&mut out, CompressionType::Fast, PngFilter::Adaptive)
        .write_image(&rgb_bytes(frame.as_raw()), w, h, ExtendedColorType::Rgb8)
        .map_err(|e| EncodeError::Still(e.to_string()))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Rgba;

    #[test]
    fn thumbnail_is_scaled_to_1280_wide() {
        let frame = RgbaImage::from_pixel(1920, 1080, Rgba([10, 200, 30, 255]));
        let jpeg = thumbnail_jpeg(&frame).expect("jpeg");
        let decoded = image::load_from_memory(&jpeg).expect("decode");
        assert_eq!((decoded.width(), decoded.height()), (1280, 720));
        let p = decoded.to_rgb8().get_pixel(640, 360).0;
        assert!((i32::from(p[1]) - 200).abs() < 6, "{p:?}");
    }

    #[test]
    fn png_round_trips() {
        let frame = RgbaImage::from_fn(16, 8, |x, y| Rgba([x as u8 * 10, y as u8 * 20, 7, 255]));
        let bytes = png(&frame).expect("png");
        let decoded = image::load_from_memory(&bytes).expect("decode").to_rgba8();
        assert_eq!(decoded, frame);
    }
}

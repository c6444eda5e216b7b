//! Decoding media files into pixels, with the size of what a file may make us allocate bounded
//! before any pixel is decoded.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits, RgbaImage};

/// Largest accepted side, in pixels.
pub const MAX_SIDE: u32 = 16384;

/// What a decoder may allocate: a maximal image as 8-bit RGBA.
const MAX_DECODE_BYTES: u64 = MAX_SIDE as u64 * MAX_SIDE as u64 * 4;

#[derive(Debug, thiserror::Error)]
pub enum DecodeError {
    #[error("the file is not a PNG or JPEG image")]
    UnsupportedFormat,
    #[error("the image is too large ({width}×{height}; at most {MAX_SIDE}×{MAX_SIDE})")]
    TooLarge { width: u32, height: u32 },
    #[error("the image has no pixels")]
    Empty,
    #[error("the image needs more memory to decode than allowed")]
    TooMuchMemory,
    #[error("the image file is damaged or unsupported: {0}")]
    Invalid(String),
}

fn invalid(e: image::ImageError) -> DecodeError {
    match e {
        image::ImageError::Limits(_) => DecodeError::TooMuchMemory,
        image::ImageError::Unsupported(_) => DecodeError::UnsupportedFormat,
        other => DecodeError::Invalid(other.to_string()),
    }
}

/// Decodes a PNG or JPEG (told apart by content, not by name) into straight RGBA, applying its
/// EXIF orientation so phone photos stand the right way up.
pub fn decode_image(bytes: &[u8]) -> Result<RgbaImage, DecodeError> {
    let mut reader = ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| DecodeError::Invalid(e.to_string()))?;
    if !matches!(reader.format(), Some(ImageFormat::Png | ImageFormat::Jpeg)) {
        return Err(DecodeError::UnsupportedFormat);
    }
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_BYTES);
    reader.limits(limits.clone());
    let mut decoder = reader.into_decoder().map_err(invalid)?;
    let (width, height) = decoder.dimensions();
    if width > MAX_SIDE || height > MAX_SIDE {
        return Err(DecodeError::TooLarge { width, height });
    }
    if width == 0 || height == 0 {
        return Err(DecodeError::Empty);
    }
    let orientation = decoder.orientation().map_err(invalid)?;
    limits.reserve(decoder.total_bytes()).map_err(invalid)?;
    decoder.set_limits(limits).map_err(invalid)?;
    let mut image = DynamicImage::from_decoder(decoder).map_err(invalid)?;
    image.apply_orientation(orientation);
    Ok(image.into_rgba8())
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgba};

    fn png(width: u32, height: u32) -> Vec<u8> {
        let img = RgbaImage::from_pixel(width, height, Rgba([10, 20, 30, 128]));
        let mut out = Vec::new();
        image::codecs::png::PngEncoder::new(&mut out)
            .write_image(img.as_raw(), width, height, image::ExtendedColorType::Rgba8)
            .expect("encode");
        out
    }

    #[test]
    fn decodes_png_with_alpha() {
        let img = decode_image(&png(3, 2)).expect("decode");
        assert_eq!(img.dimensions(), (3, 2));
        assert_eq!(img.get_pixel(1, 1).0, [10, 20, 30, 128]);
    }

    #[test]
    fn decodes_jpeg() {
        let rgb = image::RgbImage::from_pixel(8, 8, image::Rgb([200, 100, 50]));
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 95)
            .write_image(rgb.as_raw(), 8, 8, image::ExtendedColorType::Rgb8)
            .expect("encode");
        let img = decode_image(&out).expect("decode");
        assert_eq!(img.dimensions(), (8, 8));
        let p = img.get_pixel(4, 4).0;
        assert!((i32::from(p[0]) - 200).abs() < 5 && p[3] == 255, "{p:?}");
    }

    #[test]
    fn rejects_other_formats() {
        let err = decode_image(b"GIF89a\x01\x00\x01\x00").expect_err("gif");
        assert_eq!(err.to_string(), "the file is not a PNG or JPEG image");
        assert!(matches!(
            decode_image(b"hello, world"),
            Err(DecodeError::UnsupportedFormat)
        ));
    }

    #[test]
    fn rejects_huge_dimensions_before_decoding() {
        // A valid PNG header claiming 20000×10 pixels; no pixel data is needed to refuse it.
        let mut bytes = png(1, 1);
        bytes[16..20].copy_from_slice(&20000u32.to_be_bytes());
        bytes[20..24].copy_from_slice(&10u32.to_be_bytes());
        // Fix the IHDR CRC so the header itself parses.
        let crc = crc32(&bytes[12..29]);
        bytes[29..33].copy_from_slice(&crc.to_be_bytes());
        let err = decode_image(&bytes).expect_err("too large");
        assert_eq!(
            err.to_string(),
            "the image is too large (20000×10; at most 16384×16384)"
        );
    }

    #[test]
    fn truncated_files_are_errors_not_panics() {
        let bytes = png(64, 64);
        assert!(decode_image(&bytes[..bytes.len() / 2]).is_err());
    }

    fn crc32(data: &[u8]) -> u32 {
        let mut crc = 0xffff_ffffu32;
        for &b in data {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
}

//! RGBA frames to the encoder's YUV 4:2:0, BT.709 limited range (what the SPS says it is).

use yuv::{
    rgba_to_yuv420, BufferStoreMut, YuvConversionMode, YuvPlanarImageMut, YuvRange,
    YuvStandardMatrix,
};

use super::EncodeError;

/// One frame's planes, reused from frame to frame.
pub struct YuvFrame {
    pub width: u32,
    pub height: u32,
    pub y: Vec<u8>,
    pub u: Vec<u8>,
    pub v: Vec<u8>,
}

impl YuvFrame {
    /// 4:2:0 needs even sides; the scene guarantees them (D1).
    pub fn new(width: u32, height: u32) -> Result<Self, EncodeError> {
        if width == 0 || height == 0 || !width.is_multiple_of(2) || !height.is_multiple_of(2) {
            return Err(EncodeError::InvalidSize { width, height });
        }
        let luma = width as usize * height as usize;
        Ok(YuvFrame {
            width,
            height,
            y: vec![0; luma],
            u: vec![0; luma / 4],
            v: vec![0; luma / 4],
        })
    }

    /// Converts an opaque `width`×`height` RGBA frame into these planes.
    pub fn fill_from_rgba(&mut self, rgba: &[u8]) -> Result<(), EncodeError> {
        let (w, h) = (self.width, self.height);
        let mut planar = YuvPlanarImageMut {
            y_plane: BufferStoreMut::Borrowed(&mut self.y),
            y_stride: w,
            u_plane: BufferStoreMut::Borrowed(&mut self.u),
            u_stride: w / 2,
            v_plane: BufferStoreMut::Borrowed(&mut self.v),
            v_stride: w / 2,
            width: w,
            height: h,
        };
        rgba_to_yuv420(
            &mut planar,
            rgba,
            w * 4,
            YuvRange::Limited,
            YuvStandardMatrix::Bt709,
            YuvConversionMode::Balanced,
        )
        .map_err(|e| EncodeError::Convert(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn convert(rgb: [u8; 3]) -> (u8, u8, u8) {
        let mut f = YuvFrame::new(2, 2).expect("frame");
        let px = [rgb[0], rgb[1], rgb[2], 255];
        f.fill_from_rgba(&px.repeat(4)).expect("convert");
        (f.y[0], f.u[0], f.v[0])
    }

    #[test]
    fn bt709_limited_range_levels() {
        assert_eq!(convert([0, 0, 0]), (16, 128, 128));
        assert_eq!(convert([255, 255, 255]), (235, 128, 128));
        // BT.709 red: Y = 16 + 219·0.2126 ≈ 63, Cr near the top of its range (240).
        let (y, _, v) = convert([255, 0, 0]);
        assert!((62..=64).contains(&y), "{y}");
        assert!(v >= 238, "{v}");
    }

    #[test]
    fn odd_sizes_are_refused() {
        assert!(YuvFrame::new(3, 2).is_err());
    }
}
